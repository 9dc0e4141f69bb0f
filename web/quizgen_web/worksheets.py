"""Printable worksheets from a deck's page: an HTML view to print, and the same sheets as a PDF.

Answer keys are only on the teacher's side: the public pages print student sheets only (and no
seed, which would rebuild the key); a signed-in teacher makes a worksheet that is kept under their
account with a seed the server draws and never prints on a student's sheet, and only they open
its keys (``/teacher/worksheets/<id>``). The CLI prints keys on the teacher's own computer.

Both come from ``quizgen.worksheet``'s one template, with the CLI's limits.  The HTML
carries its print stylesheet inline (it also works saved as a file), so it gets its
own Content-Security-Policy allowing that one stylesheet by hash and nothing else.
PDFs are expensive: at most ``WORKSHEET_RENDERS`` are laid out at once (beyond that
a 503 with Retry-After, never a queue that grows), and each is kept by its inputs.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable

from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for

from quizgen.errors import SubmissionError
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

from . import accounts as acc
from . import error_response
from .cache import app_cache
from .params import maker, whole_number

bp = Blueprint("worksheets", __name__)

PAPER_NAMES = {"a4": "A4", "letter": "US Letter"}
# Each render holds a core for seconds; more at once only makes every one of them slower.
DEFAULT_RENDERS = 2
RETRY_AFTER_SECONDS = 10
_SLOTS = "quizgen.worksheet_slots"


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.extensions[_SLOTS] = threading.BoundedSemaphore(app.config.get("WORKSHEET_RENDERS", DEFAULT_RENDERS))


def cached_pdf(key: Hashable, make: Callable[[], bytes]) -> bytes:
    """The PDF for ``key``, made by ``make()`` once, kept in the app's byte-bounded cache."""
    return app_cache().get_or_make(key, make, len)


class Busy(Exception):
    """Every render slot is taken."""


def _with_slot(make: Callable[[], bytes]) -> Callable[[], bytes]:
    def run() -> bytes:
        slots: threading.BoundedSemaphore = current_app.extensions[_SLOTS]
        if not slots.acquire(blocking=False):
            raise Busy
        try:
            return make()
        finally:
            slots.release()
    return run


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


@bp.app_context_processor
def _worksheet_limits() -> dict[str, int]:
    return {"worksheet_max_variants": MAX_VARIANTS}


class KeyForTeachersOnly(Exception):
    """Answer keys asked for at a public address."""


@bp.app_errorhandler(KeyForTeachersOnly)
def _key_refused(_exc: KeyForTeachersOnly):
    return error_response(
        403, "Answer keys are for teachers",
        "Answer keys are never printed at a public address. Sign in, then use “Make a worksheet with "
        "answer keys” on the deck's page: it is kept under My assignments, with its keys, for you only.")


def _key_arg(default: str) -> bool:
    key = request.args.get("key", default).strip()
    if key not in ("0", "1"):
        raise SubmissionError(f"key must be 1 (with answer keys) or 0 (without), not {key[:40]!r}")
    return key == "1"


def _settings(deck_id: str) -> tuple[QuizSpec, int, bool, str]:
    maker().library.deck(deck_id)  # UnknownDeckError: the app answers 404 with the known decks
    count = whole_number("count", request.args.get("count"), DEFAULT_COUNT, MAX_COUNT)
    seed = whole_number("seed", request.args.get("seed"), 0, MAX_SEED)
    variants = check_variants(whole_number("variants", request.args.get("variants"), 1, MAX_VARIANTS))
    with_key = _key_arg("0")
    spec = QuizSpec(deck_id, count, seed)  # SubmissionError names the limits
    paper = _request_paper()
    if with_key:
        # The seed is in this address (and so on every printout of it): a key here would be anyone's.
        raise KeyForTeachersOnly
    return spec, variants, with_key, paper


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
        form={**query, "max_count": MAX_COUNT, "max_variants": MAX_VARIANTS, "papers": PAPER_NAMES.items()},
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
    name = (f"worksheet-{deck_id}-{spec.count}q-seed{spec.seed}-{variants}v-{paper}"
            f"{'' if with_key else '-nokey'}.pdf")
    return _pdf_response(spec, variants, with_key, paper, name)


def _pdf_response(spec: QuizSpec, variants: int, with_key: bool, paper: str, name: str,
                  headers: dict[str, str] | None = None):
    m = maker()
    # The digest is in the key so a content reload never serves sheets of old content.
    key = ("worksheet", m.library.digest, spec, variants, with_key, paper)
    try:
        # One process per render: the slots bound the cores in use, and forking a threaded server is unsafe.
        data = cached_pdf(key, _with_slot(lambda: render_pdf(m, spec, variants, with_key, paper, workers=1)))
    except Busy:
        body, status = error_response(
            503, "Busy printing", "Other worksheets are being laid out right now. "
            f"Please try again in {RETRY_AFTER_SECONDS} seconds, or print the HTML view from your browser.")
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    response = Response(data, mimetype="application/pdf", headers=headers or {})
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- the teacher's own worksheets, with their keys --------------------------------------------


@bp.post("/decks/<deck_id>/worksheets")
def make_saved(deck_id: str):
    """Keep a worksheet under the signed-in teacher's account, its seed drawn here and never printed."""
    teacher = acc.require_teacher()
    deck = maker().library.deck(deck_id)
    count = whole_number("count", request.form.get("count"), DEFAULT_COUNT, MAX_COUNT)
    variants = check_variants(whole_number("variants", request.form.get("variants"), 1, MAX_VARIANTS))
    QuizSpec(deck_id, count, 0)  # SubmissionError names the limits
    title = " ".join((request.form.get("title") or "").split())[:200] or deck.title
    record = acc.accounts().save_worksheet(teacher.id, deck_id, title, count, secrets.randbelow(MAX_SEED + 1),
                                           variants)
    return redirect(url_for("worksheets.saved", worksheet_id=record.id), code=303)


def _own_worksheet(worksheet_id: str):  # noqa: ANN202 - a WorksheetRecord
    record = acc.accounts().worksheet(acc.require_teacher().id, worksheet_id)
    if record is None:
        return error_response(404, "Worksheet not found", "There is no worksheet of yours at this address."), None
    return None, record


@bp.get("/teacher/worksheets/<worksheet_id>")
def saved(worksheet_id: str):
    refused, record = _own_worksheet(worksheet_id)
    if refused:
        return refused
    with_key, paper = _key_arg("1"), _request_paper()
    spec = QuizSpec(record.deck_id, record.count, record.seed)
    query = {"key": int(with_key), "paper": paper}
    page = render_html(
        maker(), spec, record.variants, with_key, paper,
        pdf_url=url_for("worksheets.saved_pdf", worksheet_id=record.id, **query),
        back_url=url_for("decks.show", deck_id=record.deck_id),
        form=None,  # the settings form would print the seed on the page
    )
    response = Response(page, mimetype="text/html", headers=acc.PRIVATE_HEADERS)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style_csp_source(paper)}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return response


@bp.get("/teacher/worksheets/<worksheet_id>.pdf")
def saved_pdf(worksheet_id: str):
    refused, record = _own_worksheet(worksheet_id)
    if refused:
        return refused
    with_key, paper = _key_arg("1"), _request_paper()
    spec = QuizSpec(record.deck_id, record.count, record.seed)
    name = f"worksheet-{record.deck_id}-{record.count}q-{record.variants}v-{paper}{'' if with_key else '-students'}.pdf"
    return _pdf_response(spec, record.variants, with_key, paper, name, acc.PRIVATE_HEADERS)
