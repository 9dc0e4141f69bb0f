"""Printable worksheets from a deck's page: an HTML view to print, and the same sheets as a PDF.

Both come from ``quizgen.worksheet``'s one template.  The HTML carries its print
stylesheet inline (it also works saved as a file), so it gets its own
Content-Security-Policy allowing that one stylesheet by hash and nothing else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Blueprint, Response, abort, current_app, request, url_for

from quizgen.quiz import QuizMaker, QuizSpec
from quizgen.templates import QUESTION_KINDS
from quizgen.worksheet import render_html, render_pdf, style_csp_source

bp = Blueprint("worksheets", __name__)

# Smaller than the CLI's limits: a web request renders while a server thread waits,
# and 60 questions x 5 variants (300 questions) is about five seconds of PDF layout.
MAX_COUNT = 60
MAX_VARIANTS = 5
DEFAULT_COUNT = 20
MAX_SEED = 10**12 - 1
_PDF_CACHE_SIZE = 16
_pdf_cache: OrderedDict[tuple, bytes] = OrderedDict()
_pdf_lock = threading.Lock()


def _maker() -> QuizMaker:
    return current_app.extensions["quizgen.maker"]


def _number(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or not low <= int(raw) <= high:
        abort(400, description=f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}")
    return int(raw)


def _settings(deck_id: str) -> tuple[QuizSpec, int, bool]:
    _maker().library.deck(deck_id)  # UnknownDeckError: the app answers 404 with the known decks
    count = _number("count", DEFAULT_COUNT, 1, MAX_COUNT)
    seed = _number("seed", 0, 0, MAX_SEED)
    variants = _number("variants", 1, 1, MAX_VARIANTS)
    key = request.args.get("key", "1").strip()
    if key not in ("0", "1"):
        abort(400, description=f"key must be 1 (with answer keys) or 0 (without), not {key[:40]!r}")
    return QuizSpec(deck_id, count, seed, QUESTION_KINDS), variants, key == "1"


def _query(spec: QuizSpec, variants: int, with_key: bool) -> dict[str, int]:
    return {"count": spec.count, "seed": spec.seed, "variants": variants, "key": int(with_key)}


@bp.get("/decks/<deck_id>/worksheet")
def html(deck_id: str) -> Response:
    spec, variants, with_key = _settings(deck_id)
    page = render_html(
        _maker(), spec, variants, with_key,
        pdf_url=url_for("worksheets.pdf", deck_id=deck_id, **_query(spec, variants, with_key)),
        back_url=url_for("decks.show", deck_id=deck_id) if "decks" in current_app.blueprints else None,
        form={**_query(spec, variants, with_key), "max_count": MAX_COUNT, "max_variants": MAX_VARIANTS},
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style_csp_source()}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return response


@bp.get("/decks/<deck_id>/worksheet.pdf")
def pdf(deck_id: str) -> Response:
    spec, variants, with_key = _settings(deck_id)
    maker = _maker()
    # The digest is in the key so a content reload never serves sheets of old content.
    cache_key = (maker.library.digest, spec, variants, with_key)
    with _pdf_lock:
        data = _pdf_cache.get(cache_key)
    if data is None:
        data = render_pdf(maker, spec, variants, with_key)  # RenderError: the app answers 503
        with _pdf_lock:
            _pdf_cache[cache_key] = data
            while len(_pdf_cache) > _PDF_CACHE_SIZE:
                _pdf_cache.popitem(last=False)
    name = f"worksheet-{deck_id}-{spec.count}q-seed{spec.seed}-{variants}v{'' if with_key else '-nokey'}.pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
