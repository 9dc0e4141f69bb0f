"""Class assignments: a teacher creates one from a deck, students take it at /a/<id>, the
teacher reads the report at a link holding a secret. Pages and the JSON API.

Without the right secret a report is a 404, exactly like an assignment that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from quizgen import charts
from quizgen.errors import SubmissionError
from quizgen.quiz import DEFAULT_COUNT, KIND_LABELS, LETTERS, MAX_COUNT, MAX_SEED, Quiz
from quizgen.storage import Store, database_url
from quizgen.storage.assignments import Assignments, StoredAssignment, clean_title
from quizgen.storage.errors import AssignmentNotFoundError, StorageError
from quizgen.storage.models import MAX_NAME, MAX_TITLE
from quizgen.storage.report import iso as _iso
from quizgen.storage.report import report_csv, report_dict
from quizgen.validation import format_lines

from .params import (
    answers_from_form,
    decode_given,
    encode_given,
    maker,
    public_url,
    spec_from_args,
    whole_number,
)
from .quiz import result_items

bp = Blueprint("assignments", __name__)
EXTENSION = "quizgen.assignments"
MAX_OPEN_HOURS = 24 * 366  # an assignment may stay open for up to a year
# The teacher's pages carry the secret in their URL: never send it on as a Referer, never cache it.
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    """One store per app (and per process): ``DATABASE_URL`` config, else $QUIZGEN_DATABASE_URL, else a file."""
    app.extensions[EXTENSION] = Assignments(Store(database_url(app.config.get("DATABASE_URL"))))
    app.register_blueprint(bp)


def assignments() -> Assignments:
    return current_app.extensions[EXTENSION]


def _error(status: int, title: str, message: str):
    from . import error_response

    return error_response(status, title, message)


@bp.app_errorhandler(AssignmentNotFoundError)
def _not_found(exc: AssignmentNotFoundError):
    return _error(404, "Assignment not found", str(exc))


@bp.app_errorhandler(StorageError)
@bp.app_errorhandler(OperationalError)
def _storage_down(exc: Exception):
    current_app.logger.error("results database unavailable: %s", exc)
    return _error(503, "Results cannot be stored right now",
                  "The results database is not answering, so nothing was stored. Please try again in a minute.")


# ---- creating -------------------------------------------------------------------------------


@bp.app_context_processor
def _limits() -> dict[str, int]:
    # The deck page's assignment form (a colleague's template) takes its limits from here.
    return {"assignment_max_hours": MAX_OPEN_HOURS, "assignment_max_title": MAX_TITLE}


def _closes_from_hours(raw: str | None) -> datetime | None:
    hours = whole_number("open for (hours)", raw, None, MAX_OPEN_HOURS)
    if hours is None:
        return None
    if hours < 1:
        raise SubmissionError(f"open for (hours) must be from 1 to {MAX_OPEN_HOURS}, or blank for no closing time")
    return datetime.now(UTC) + timedelta(hours=hours)


def _closes_from_iso(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        moment.astimezone(UTC)  # a time zone that pushes it past year 1 or 9999 cannot be stored
    except (ValueError, OverflowError):
        raise SubmissionError(f"closes must be a date and time such as 2026-12-01T15:00:00+01:00, not {raw[:40]!r}") from None
    if moment.tzinfo is None:
        raise SubmissionError("closes needs a time zone, such as 2026-12-01T15:00:00+01:00 or …Z for UTC")
    return moment.astimezone(UTC)


def _create(deck_id: str, args: MultiDict, title: str | None, closes_at: datetime | None) -> tuple[StoredAssignment, str]:
    deck = maker().library.deck(deck_id)  # an unknown deck is a 404
    spec = spec_from_args(deck_id, args)
    return assignments().create(maker().make(spec), clean_title(title, deck.title), closes_at)


def _links(assignment: StoredAssignment, secret: str) -> dict[str, str]:
    return {
        "student_url": public_url("assignments.take", assignment_id=assignment.id),
        "teacher_url": public_url("assignments.report", assignment_id=assignment.id, secret=secret),
    }


@bp.post("/decks/<deck_id>/assignments")
def create(deck_id: str) -> Response:
    assignment, secret = _create(deck_id, request.form, request.form.get("title"),
                                 _closes_from_hours(request.form.get("hours")))
    return redirect(url_for("assignments.report", assignment_id=assignment.id, secret=secret, created=1), code=303)


class CreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    deck: StrictStr
    count: Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)] = DEFAULT_COUNT
    kinds: list[StrictStr] | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] | None = None
    title: Annotated[StrictStr, Field(max_length=MAX_TITLE)] | None = None
    closes: StrictStr | None = None


class AttemptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: StrictStr  # spaces collapsed, then checked against MAX_NAME (quizgen.storage.assignments.clean_name)
    answers: Annotated[list[StrictInt | None], Field(max_length=MAX_COUNT)]


def _json_body(model: type[BaseModel], example: str) -> BaseModel:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise SubmissionError(f"send a JSON object such as {example}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SubmissionError("; ".join(format_lines(exc))) from None


@bp.post("/api/assignments")
def api_create() -> tuple[Response, int]:
    body = _json_body(CreateRequest, '{"deck": "link-up-1945", "count": 10}')
    args = MultiDict({"count": str(body.count)})
    if body.seed is not None:
        args["seed"] = str(body.seed)
    for kind in body.kinds or []:
        args.add("kinds", kind)
    assignment, secret = _create(body.deck, args, body.title, _closes_from_iso(body.closes))
    return jsonify({
        "id": assignment.id, **_links(assignment, secret), "teacher_secret": secret,
        "title": assignment.title, "closes_at": _iso(assignment.closes_at),
        "attempts_url": public_url("assignments.api_attempt", assignment_id=assignment.id),
        "report_url": public_url("assignments.api_report", assignment_id=assignment.id),
        "quiz": assignment.quiz.to_dict(with_answers=False),
    }), 201


# ---- taking ---------------------------------------------------------------------------------


def _take_page(assignment: StoredAssignment, error: str | None = None, name: str = "",
               answers: list[int | None] | None = None) -> str:
    quiz = assignment.quiz
    return render_template("assignments/take.html", assignment=assignment, quiz=quiz, error=error, name=name,
                           answers=answers or [None] * len(quiz.questions), max_name=MAX_NAME,
                           closed=assignment.is_closed(), letters=LETTERS,
                           kinds=", ".join(KIND_LABELS[k] for k in quiz.spec.kinds).capitalize())


@bp.get("/a/<assignment_id>")
def take(assignment_id: str) -> str:
    return _take_page(assignments().get(assignment_id))


@bp.post("/a/<assignment_id>")
def submit(assignment_id: str) -> Response | tuple[str, int]:
    assignment = assignments().get(assignment_id)
    name = request.form.get("name", "")
    answers = answers_from_form(assignment.quiz, request.form)
    try:
        graded = assignments().submit(assignment_id, name, answers, assignment=assignment)
    except SubmissionError as exc:
        # Show the form again with what the student had chosen, so nothing typed is lost.
        return _take_page(assignment, str(exc), name[:MAX_NAME * 2], answers), 400
    # Stored once; the result has its own address, so a reload shows it again instead of submitting twice.
    given = encode_given(graded.quiz, graded.answers, range(len(graded.answers)))
    return redirect(url_for("assignments.result", assignment_id=assignment.id, given=given), code=303)


@bp.get("/a/<assignment_id>/results/<given>")
def result(assignment_id: str, given: str) -> str:
    """The graded answers spelled by ``given`` (as on a quiz's result page): nobody's stored data."""
    assignment = assignments().get(assignment_id)
    answers, asked = decode_given(assignment.quiz, given)
    graded = assignment.quiz.grade(answers)
    items = result_items(graded, list(asked))
    return render_template("assignments/result.html", assignment=assignment, graded=graded, items=items,
                           quiz=assignment.quiz, score=sum(graded.correct[i] for i in asked), total=len(asked))


@bp.get("/api/assignments/<assignment_id>")
def api_show(assignment_id: str) -> Response:
    assignment = assignments().get(assignment_id)
    return jsonify({
        "id": assignment.id, "title": assignment.title, "closes_at": _iso(assignment.closes_at),
        "closed": assignment.is_closed(),
        "attempts_url": public_url("assignments.api_attempt", assignment_id=assignment.id),
        "quiz": assignment.quiz.to_dict(with_answers=False),
    })


@bp.post("/api/assignments/<assignment_id>/attempts")
def api_attempt(assignment_id: str) -> tuple[Response, int]:
    assignment = assignments().get(assignment_id)  # an unknown assignment is a 404 whatever the body holds
    body = _json_body(AttemptRequest, '{"name": "Ada", "answers": [0, 2, null]}')
    graded = assignments().submit(assignment_id, body.name, body.answers, assignment=assignment)
    return jsonify(graded.to_dict()), 201


# ---- the teacher's report -------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}".replace("-", "−")


def _option_chart(question: dict, quiz: Quiz) -> str:
    q = quiz.questions[question["number"] - 1]
    bars = []
    for i, (option, count) in enumerate(zip(q.options, question["option_counts"], strict=True)):
        colour = charts.RIGHT if i == q.answer_index else (
            charts.FLAGGED if i in question["unchosen_distractors"] else charts.BAR)
        bars.append(charts.Bar(f"{LETTERS[i]}. {option}", count, colour))
    bars.append(charts.Bar("(no answer)", question["unanswered"], charts.BAR))
    return charts.rows(bars, f"Options chosen for question {question['number']}")


@bp.get("/a/<assignment_id>/report/<secret>")
def report(assignment_id: str, secret: str) -> tuple[str, int, dict]:
    assignment = assignments().for_teacher(assignment_id, secret)
    data = report_dict(assignment, assignments().attempts(assignment.id))
    total = data["total"]
    distribution = charts.columns(
        [charts.Bar(str(score), count) for score, count in enumerate(data["score_distribution"])],
        "Scores of first attempts", f"score out of {total} (first attempts)",
    )
    option_charts = [Markup(_option_chart(q, assignment.quiz)) for q in data["questions"]]
    links = _links(assignment, secret)
    page = render_template(
        "assignments/report.html", assignment=assignment, report=data, links=links,
        created=request.args.get("created") == "1", distribution=Markup(distribution),
        option_charts=option_charts, percent=_percent, signed=_signed, letters=LETTERS,
        csv_url=url_for("assignments.report_csv_page", assignment_id=assignment.id, secret=secret),
        export_url=lambda fmt: url_for("assignments.export_page", assignment_id=assignment.id, secret=secret,
                                       fmt=fmt),
        delete_url=url_for("assignments.delete_page", assignment_id=assignment.id, secret=secret),
        api_report=public_url("assignments.api_report", assignment_id=assignment.id),
    )
    return page, 200, PRIVATE_HEADERS


@bp.get("/a/<assignment_id>/report/<secret>/attempts.csv")
def report_csv_page(assignment_id: str, secret: str) -> Response:
    assignment = assignments().for_teacher(assignment_id, secret)
    return _csv_response(assignment)


def _csv_response(assignment: StoredAssignment) -> Response:
    body = report_csv(assignment, assignments().attempts(assignment.id))
    return Response(body, mimetype="text/csv", headers={
        **PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="assignment-{assignment.id}.csv"'})


@bp.get("/a/<assignment_id>/report/<secret>/export/<fmt>")
def export_page(assignment_id: str, secret: str, fmt: str) -> Response | tuple[str, int, dict]:
    """The assignment's stored quiz for a class platform: the very questions the students took."""
    from .exports import send_export

    assignment = assignments().for_teacher(assignment_id, secret)
    skip_url = url_for("assignments.export_page", assignment_id=assignment.id, secret=secret, fmt=fmt,
                       skip_too_long=1)
    return send_export(assignment.quiz, fmt, skip_url, PRIVATE_HEADERS)


@bp.post("/a/<assignment_id>/report/<secret>/delete")
def delete_page(assignment_id: str, secret: str) -> tuple[str, int, dict]:
    assignment = assignments().for_teacher(assignment_id, secret)
    if request.form.get("confirm") != "yes":
        raise SubmissionError("tick the box to confirm that the assignment and all its attempts should be deleted")
    assignments().delete(assignment.id, secret)
    return render_template("assignments/deleted.html", title=assignment.title), 200, PRIVATE_HEADERS


@bp.get("/api/assignments/<assignment_id>/report")
def api_report(assignment_id: str) -> Response:
    assignment = assignments().for_teacher(assignment_id, _bearer())
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        response = _csv_response(assignment)
    else:
        response = jsonify(report_dict(assignment, assignments().attempts(assignment.id)))
        response.headers.update(PRIVATE_HEADERS)
    response.vary.update(["Authorization", "Accept"])
    return response


@bp.delete("/api/assignments/<assignment_id>")
def api_delete(assignment_id: str) -> tuple[str, int]:
    assignments().delete(assignment_id, _bearer())
    return "", 204


