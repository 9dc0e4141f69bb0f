"""Printable worksheets from a deck's page: an HTML view to print, and the same sheets as a PDF.

Answer keys are only on the teacher's side: the public pages print student sheets only (and no
seed, which would rebuild the key); a signed-in teacher makes a worksheet that is kept under their
account with a seed the server draws and never prints on a student's sheet, and only they open
its keys (``/teacher/worksheets/<id>``). The CLI prints keys on the teacher's own computer.

Both come from ``quizgen.worksheet``'s one template, with the CLI's limits.  The HTML
carries its print stylesheet inline (it also works saved as a file), so it gets its
own Content-Security-Policy allowing that one stylesheet by hash and nothing else.
PDFs are expensive: they are built through the app cache's build slots (``cache.build``:
at most ``BUILDS`` per worker, an identical PDF in progress is never built twice; beyond
that a 503 with Retry-After at once, never a queue of request threads), and each is kept by
its inputs. ``quizgen.limits.MAX_SHEET_QUESTIONS`` bounds the size of one.
"""

from __future__ import annotations

import secrets
from concurrent.futures.process import BrokenProcessPool

from flask import Blueprint, Response, redirect, request, url_for

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

from . import accounts as acc
from . import error_response
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
        form={**query, "max_count": MAX_COUNT, "max_variants": MAX_VARIANTS, "papers": PAPER_NAMES.items(),
              "max_questions": MAX_SHEET_QUESTIONS},
    )
    return _sheet_page(page, paper)


def _sheet_page(page: str, paper: str, headers: dict[str, str] | None = None) -> Response:
    """A worksheet's HTML view: its own stylesheet for the paper is the only thing it may load."""
    response = Response(page, mimetype="text/html", headers=headers or {})
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
        # One layout process per build slot (or here, workers=1): the slots bound the cores in use,
        # and forking a threaded server is unsafe.
        processes = build_processes()
        data = build(key, lambda: render_pdf(m, spec, variants, with_key, paper, workers=1, executor=processes), len)
    except (Busy, BrokenProcessPool):  # a layout process died (killed, out of memory): a new pool next time
        return busy_response("Busy printing", "This worksheet or others are being laid out right now; "
                             "you can also print the HTML view from your browser.")
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


def _saved_settings(record) -> tuple[QuizSpec, bool, str]:  # noqa: ANN001 - a WorksheetRecord
    """A saved worksheet's quiz, and the key and paper this request asks for (keys by default)."""
    return QuizSpec(record.deck_id, record.count, record.seed), _key_arg("1"), _request_paper()


@bp.get("/teacher/worksheets/<worksheet_id>")
def saved(worksheet_id: str):
    refused, record = _own_worksheet(worksheet_id)
    if refused:
        return refused
    spec, with_key, paper = _saved_settings(record)
    query = {"key": int(with_key), "paper": paper}
    page = render_html(
        maker(), spec, record.variants, with_key, paper,
        pdf_url=url_for("worksheets.saved_pdf", worksheet_id=record.id, **query),
        back_url=url_for("decks.show", deck_id=record.deck_id),
        form=None,  # the settings form would print the seed on the page
    )
    return _sheet_page(page, paper, acc.PRIVATE_HEADERS)


@bp.get("/teacher/worksheets/<worksheet_id>.pdf")
def saved_pdf(worksheet_id: str):
    refused, record = _own_worksheet(worksheet_id)
    if refused:
        return refused
    spec, with_key, paper = _saved_settings(record)
    name = f"worksheet-{record.deck_id}-{record.count}q-{record.variants}v-{paper}{'' if with_key else '-students'}.pdf"
    return _pdf_response(spec, record.variants, with_key, paper, name, acc.PRIVATE_HEADERS)
