"""Download a quiz for Moodle, Canvas, Blackboard, Quizizz or Kahoot, from a deck's page or a quiz code.

``/decks/<id>/export?format=…&count=…&seed=…`` picks the quiz and redirects to
``/q/<code>/export/<format>``, the download itself: a code pins the questions,
so the link can be shared and gives the same file every time.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from quizgen.errors import QuizgenError, SubmissionError
from quizgen.export.formats import FORMATS
from quizgen.export.rendered import LeftOut
from quizgen.export.spreadsheets import kahoot_left_out
from quizgen.quiz import DEFAULT_COUNT, Quiz, QuizSpec

from .params import maker, spec_from_args

bp = Blueprint("exports", __name__)


@bp.app_context_processor
def _formats() -> dict[str, Any]:
    return {"export_formats": list(FORMATS.values()), "export_default_count": DEFAULT_COUNT,
            "kahoot_check": kahoot_check}


def kahoot_check(deck_id: str, count: int, seed: int = 0) -> tuple[Quiz, tuple[LeftOut, ...]] | None:
    """For the deck page, before any click: the questions of the quiz its export form makes by default
    (``count`` questions, seed 0, every kind) that a Kahoot file would leave out even in short form.

    One quiz, made (and cached) as the download would make it; no file is written. None when the
    deck makes no quiz (the download says why).
    """
    try:
        quiz = maker().make(QuizSpec(deck_id, count=max(count, 1), seed=seed))
    except QuizgenError:
        return None
    return quiz, kahoot_left_out(quiz)


def _format(name: str | None):  # noqa: ANN202 - an ExportFormat
    if name not in FORMATS:
        abort(404)
    return FORMATS[name]


@bp.get("/decks/<deck_id>/export")
def start(deck_id: str) -> Response:
    maker().library.deck(deck_id)  # an unknown deck is a 404 whatever the settings
    export_format = request.args.get("format", "")
    if export_format not in FORMATS:
        raise SubmissionError(f"choose an export format: {', '.join(FORMATS)}")
    spec = spec_from_args(deck_id, request.args)
    code = maker().code(spec)
    return redirect(url_for("exports.download", code=code, fmt=export_format), code=303)


@bp.get("/q/<code>/export/<fmt>")
def download(code: str, fmt: str) -> Response | tuple[str, int]:
    _format(fmt)
    quiz = maker().from_code(code)  # QuizCodeError / StaleQuizError: the app answers 400
    return send_export(quiz, fmt, url_for("exports.download", code=quiz.code, fmt=fmt, skip_too_long=1))


def send_export(quiz: Quiz, fmt: str, skip_url: str, headers: dict[str, str] | None = None
                ) -> Response | tuple[str, int, dict[str, str]]:
    """The quiz as a file for ``fmt``, or the page listing questions over the format's limits."""
    export_format = _format(fmt)
    if not quiz.questions:
        raise SubmissionError("No questions of the chosen kinds can be made from this deck; nothing to export.")
    rendered = export_format.render(quiz, maker().library)
    if rendered.left_out and request.args.get("skip_too_long") != "1":
        # Never a silently shortened file: say which questions do not fit, and offer the rest.
        return render_template(
            "exports/left_out.html", quiz=quiz, export_format=export_format, rendered=rendered,
            skip_url=skip_url,
        ), 400, dict(headers or {})
    return Response(
        rendered.data,
        mimetype=export_format.mimetype,
        headers={**(headers or {}),
                 "Content-Disposition": f'attachment; filename="{export_format.filename(quiz.code)}"'},
    )
