"""Printable worksheets from a deck's page: an HTML view to print, and the same sheets as a PDF.

Both come from ``quizgen.worksheet``'s one template, with the CLI's limits.  The HTML
carries its print stylesheet inline (it also works saved as a file), so it gets its
own Content-Security-Policy allowing that one stylesheet by hash and nothing else.
PDFs are expensive: they are built through the app cache's build slots (``cache.build``:
at most ``BUILDS`` per worker, an identical PDF in progress is never built twice; beyond
that a 503 with Retry-After at once, never a queue of request threads), and each is kept by
its inputs. ``quizgen.limits.MAX_SHEET_QUESTIONS`` bounds the size of one.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

from flask import Blueprint, Response, request, url_for

from quizgen.errors import SubmissionError
from quizgen.limits import MAX_SHEET_QUESTIONS
from quizgen.quiz import MAX_COUNT, MAX_SEED, QuizSpec
from quizgen.worksheet import (
    DEFAULT_COUNT,
    DEFAULT_PAPER,
    MAX_VARIANTS,
    PAPERS,
    check_variants,
    paper_for_locale,
    render_html,
    render_pdf,
    style_csp_source,
)

from .cache import Busy, build, build_processes, busy_response
from .params import maker, whole_number

bp = Blueprint("worksheets", __name__)

PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
def _request_paper() -> str:
    """The paper asked for, or the one the browser's language implies (en-US: Letter), or A4."""
    raw = request.args.get("paper", "").strip().lower()
    if raw:
        if raw not in PAPERS:
            raise SubmissionError(f"paper must be one of {', '.join(PAPERS)}, not {raw[:40]!r}")
        return raw
    for language in request.accept_languages.values():
        if "-" in language:
            return paper_for_locale(language)
    return DEFAULT_PAPER


def _settings(deck_id: str) -> tuple[QuizSpec, int, bool, str]:
    maker().library.deck(deck_id)  # UnknownDeckError: the app answers 404 with the known decks
    count = whole_number("count", request.args.get("count"), DEFAULT_COUNT, MAX_COUNT)
    seed = whole_number("seed", request.args.get("seed"), 0, MAX_SEED)
    variants = check_variants(whole_number("variants", request.args.get("variants"), 1, MAX_VARIANTS))
    key = request.args.get("key", "1").strip()
    if key not in ("0", "1"):
        raise SubmissionError(f"key must be 1 (with answer keys) or 0 (without), not {key[:40]!r}")
    spec = QuizSpec(deck_id, count, seed)  # SubmissionError names the limits
    return spec, variants, key == "1", _request_paper()


def _query(spec: QuizSpec, variants: int, with_key: bool, paper: str) -> dict[str, int | str]:
    return {"count": spec.count, "seed": spec.seed, "variants": variants, "key": int(with_key), "paper": paper}


@bp.get("/decks/<deck_id>/worksheet")
def html(deck_id: str) -> Response:
    spec, variants, with_key, paper = _settings(deck_id)
    query = _query(spec, variants, with_key, paper)
    page = render_html(
        maker(), spec, variants, with_key, paper,
        pdf_url=url_for("worksheets.pdf", deck_id=deck_id, **query),
        back_url=url_for("decks.show", deck_id=deck_id),
        form={**query, "max_count": MAX_COUNT, "max_variants": MAX_VARIANTS, "papers": PAPER_NAMES.items(),
              "max_questions": MAX_SHEET_QUESTIONS},
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style_csp_source(paper)}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return response


@bp.get("/decks/<deck_id>/worksheet.pdf")
def pdf(deck_id: str):
    spec, variants, with_key, paper = _settings(deck_id)
    m = maker()
    # The digest is in the key so a content reload never serves sheets of old content.
    key = ("worksheet", m.library.digest, spec, variants, with_key, paper)
    try:
        # One layout process per build slot (or here, workers=1): the slots bound the cores in use,
        # and forking a threaded server is unsafe.
        processes = build_processes()
        data = build(key, lambda: render_pdf(m, spec, variants, with_key, paper, workers=1, executor=processes), len)
    except (Busy, BrokenProcessPool):  # a layout process died (killed, out of memory): a new pool next time
        return busy_response("Busy printing", "This worksheet or others are being laid out right now; "
                             "you can also print the HTML view from your browser.")
    name = (f"worksheet-{deck_id}-{spec.count}q-seed{spec.seed}-{variants}v-{paper}"
            f"{'' if with_key else '-nokey'}.pdf")
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
