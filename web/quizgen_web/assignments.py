"""Class assignments: a signed-in teacher assigns a deck's quiz, students join by a short code and
take it at /a/<id>, the teacher reads the report under "My assignments" (or at a secret link
shared with a colleague). Pages and the JSON API.

What a student can reach never holds a right answer before the teacher releases it: the take
page and the API show questions and options only (never the quiz code, which would rebuild the
key); a submission is stored and its result lives at its own unguessable address, showing the
right answers only once released (at once, after closing, or never, as the teacher chose).
Without the right secret (or session) a report is a 404, exactly like an assignment that does not exist.
"""

from __future__ import annotations

import io
import ipaddress
import socket
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from quizgen import charts
from quizgen.errors import SubmissionError
from quizgen.quiz import DEFAULT_COUNT, KIND_LABELS, LETTERS, MAX_COUNT, MAX_SEED, QuizSpec
from quizgen.storage import Store, database_url
from quizgen.storage.assignments import (
    Assignments,
    StoredAssignment,
    StoredAttempt,
    clean_roster,
    clean_title,
)
from quizgen.storage.errors import AssignmentNotFoundError, StorageError
from quizgen.storage.models import (
    DEFAULT_REVEAL,
    MAX_NAME,
    MAX_ROSTER,
    MAX_TITLE,
    STUDENT_CODE_LENGTH,
)
from quizgen.storage.report import iso as _iso
from quizgen.storage.report import questions_csv, report_csv, report_dict, report_xlsx
from quizgen.templates import QUESTION_KINDS
from quizgen.validation import format_lines

from . import accounts as acc
from .params import answers_from_form, maker, public_url, whole_number
from .quiz import result_items

bp = Blueprint("assignments", __name__)
EXTENSION = "quizgen.assignments"
MAX_OPEN_HOURS = 24 * 366  # an assignment may stay open for up to a year
# The teacher's pages carry the secret in their URL: never send it on as a Referer, never cache it.
PRIVATE_HEADERS = acc.PRIVATE_HEADERS
REVEAL_LABELS = {
    "submit": "as soon as a student submits",
    "closed": "once the assignment has closed",
    "never": "never: students see only their score",
}


def init_app(app: Flask) -> None:
    """One store per app (and per process): ``DATABASE_URL`` config, else $QUIZGEN_DATABASE_URL, else a file."""
    store = Store(database_url(app.config.get("DATABASE_URL")))
    app.extensions[EXTENSION] = Assignments(store)
    acc.init_app(app, store)
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


# ---- time -------------------------------------------------------------------------------------


def _zone(name: str | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(name or acc.teacher_timezone())
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, zone: str | None = None) -> str:
    """A stored UTC time as the teacher reads it: ``2026-12-08 15:00 (Europe/Berlin)``."""
    if moment is None:
        return ""
    z = _zone(zone)
    return f"{moment.astimezone(z):%Y-%m-%d %H:%M} ({z.key})"


def _site_time(moment: datetime | None) -> str:
    """A time on a student's page: in the server's --timezone (the school's), else UTC."""
    return local_time(moment, current_app.config.get("TIMEZONE") or "UTC")


def _class_time(assignment: StoredAssignment):  # noqa: ANN202 - a formatter for templates
    """Times on a student's page in the zone of the teacher who set it (the class's), else the site's."""
    zone = acc.accounts().timezone_of(assignment.teacher_id) if assignment.teacher_id is not None else None
    return (lambda moment: local_time(moment, zone)) if zone else _site_time


# ---- creating ---------------------------------------------------------------------------------


@bp.app_context_processor
def _limits() -> dict:
    # The deck page's assignment form (a colleague's template) takes its limits from here.
    return {"assignment_max_hours": MAX_OPEN_HOURS, "assignment_max_title": MAX_TITLE,
            "assignment_reveal": REVEAL_LABELS, "assignment_default_reveal": DEFAULT_REVEAL,
            "assignment_max_roster": MAX_ROSTER, "assignment_timezone": acc.teacher_timezone}


def _closes_from_hours(raw: str | None) -> datetime | None:
    hours = whole_number("open for (hours)", raw, None, MAX_OPEN_HOURS)
    if hours is None:
        return None
    if hours < 1:
        raise SubmissionError(f"open for (hours) must be from 1 to {MAX_OPEN_HOURS}, or blank for no closing time")
    return datetime.now(UTC) + timedelta(hours=hours)


def _closes_from_local(raw: str | None) -> datetime | None:
    """The date-and-time picker's value (``2026-12-08T15:00``), in the teacher's time zone."""
    if raw is None or not raw.strip():
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_zone())
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise SubmissionError(f"closes must be a date and time such as 2026-12-08T15:00, not {raw[:40]!r}") from None


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


def _assignment_spec(deck_id: str, args: MultiDict) -> QuizSpec:
    """The quiz asked for; a seed nobody gave is drawn from the whole seed range, so the stored quiz
    cannot be found again by trying seeds (a student who did would have its key)."""
    import secrets

    count = whole_number("count", args.get("count"), DEFAULT_COUNT, MAX_SEED)
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {count}")
    seed = whole_number("seed", args.get("seed"), None, MAX_SEED)
    kinds = [k.strip() for value in args.getlist("kinds") for k in value.split(",") if k.strip()]
    return QuizSpec(deck_id, count or 0, secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
                    tuple(dict.fromkeys(kinds)) or QUESTION_KINDS)


def _create(deck_id: str, args: MultiDict, title: str | None, closes_at: datetime | None, *,
            reveal: str | None = None, teacher_id: int | None = None,
            roster: list[str] | None = None) -> tuple[StoredAssignment, str]:
    deck = maker().library.deck(deck_id)  # an unknown deck is a 404
    spec = _assignment_spec(deck_id, args)
    return assignments().create(maker().make(spec), clean_title(title, deck.title), closes_at,
                                reveal=reveal or DEFAULT_REVEAL, teacher_id=teacher_id, roster=roster)


@bp.post("/decks/<deck_id>/assignments")
def create(deck_id: str) -> Response:
    teacher = acc.require_teacher()
    form = request.form
    maker().library.deck(deck_id)  # an unknown deck is a 404
    closes = _closes_from_local(form.get("closes")) or _closes_from_hours(form.get("hours"))
    assignment, _secret = _create(deck_id, form, form.get("title"), closes, reveal=form.get("reveal"),
                                  teacher_id=teacher.id, roster=clean_roster(form.get("roster")))
    return redirect(url_for("assignments.owner_report", assignment_id=assignment.id), code=303)


class CreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    deck: StrictStr
    count: Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)] = DEFAULT_COUNT
    kinds: list[StrictStr] | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] | None = None
    title: Annotated[StrictStr, Field(max_length=MAX_TITLE)] | None = None
    closes: StrictStr | None = None
    reveal: StrictStr = DEFAULT_REVEAL
    roster: Annotated[list[StrictStr], Field(max_length=MAX_ROSTER)] | None = None


class AttemptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: StrictStr | None = None  # spaces collapsed, then checked against MAX_NAME (storage.assignments.clean_name)
    code: StrictStr | None = None  # the personal code, when the assignment has a class list
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
    roster = clean_roster("\n".join(body.roster)) if body.roster else None
    # A signed-in teacher's JSON request (never a form's text/plain body) files it under their account.
    teacher = acc.teacher() if request.is_json else None
    assignment, secret = _create(body.deck, args, body.title, _closes_from_iso(body.closes), reveal=body.reveal,
                                 teacher_id=teacher.id if teacher else None, roster=roster)
    return jsonify({
        "id": assignment.id, **_links(assignment, secret), "teacher_secret": secret,
        "title": assignment.title, "closes_at": _iso(assignment.closes_at), "reveal": assignment.reveal,
        "join_code": assignment.join_code,
        "roster": [{"name": s.name, "code": s.code} for s in assignments().roster(assignment.id)],
        "attempts_url": public_url("assignments.api_attempt", assignment_id=assignment.id),
        "report_url": public_url("assignments.api_report", assignment_id=assignment.id),
        # The teacher's copy: the quiz code rebuilds the key, so only this answer (to its maker) holds it.
        "quiz": assignment.quiz.to_dict(with_answers=False),
    }), 201


def _links(assignment: StoredAssignment, secret: str) -> dict[str, str]:
    return {
        "student_url": public_url("assignments.take", assignment_id=assignment.id),
        "join_url": public_url("assignments.join_code", code=assignment.join_code),
        "teacher_url": public_url("assignments.report", assignment_id=assignment.id, secret=secret),
    }


# ---- handing out ------------------------------------------------------------------------------


def _lan_address() -> str | None:
    """This computer's address on the local network, found without sending anything (a UDP socket
    "connected" to a private address only picks the outgoing interface)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def student_base() -> str:
    """Where students' devices reach this site: PUBLIC_URL, else the address the teacher used."""
    base = current_app.config.get("PUBLIC_URL")
    return (base or request.host_url).rstrip("/")


def handout(assignment: StoredAssignment) -> dict:
    base = student_base()
    host = urlsplit(base).hostname or ""
    local_only = host in ("localhost", "") or host.startswith("127.") or host == "::1"
    lan = _lan_address() if local_only else None
    port = urlsplit(base).port
    return {
        "join_url": base + url_for("assignments.join_code", code=assignment.join_code),
        "join_page": base + url_for("assignments.join"),
        "student_url": base + url_for("assignments.take", assignment_id=assignment.id),
        "code": assignment.join_code,
        "qr_url": url_for("assignments.qr", assignment_id=assignment.id),
        "local_only": local_only,
        "lan_url": f"http://{lan}{f':{port}' if port else ''}" if lan else None,
    }


@bp.get("/a/<assignment_id>/qr.svg")
def qr(assignment_id: str) -> Response:
    """The student address as a QR code, drawn here (no script, no outside service)."""
    assignment = assignments().get(assignment_id)
    out = io.BytesIO()
    segno.make(handout(assignment)["join_url"], error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False,
                                                                 title="Student address")
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/join", methods=["GET", "POST"])
def join() -> Response | tuple[str, int]:
    """Students type the short code read out or written on the board."""
    raw = request.values.get("code")
    if raw is None:
        return render_template("assignments/join.html", error=None, code="")
    try:
        assignment = assignments().by_join_code(raw)
    except AssignmentNotFoundError:
        return render_template("assignments/join.html", code=raw[:20],
                               error="No assignment has that code. Check it with your teacher: "
                                     "it has six letters and digits, such as ACE347."), 404
    return redirect(url_for("assignments.take", assignment_id=assignment.id), code=303)


@bp.get("/join/<code>")
def join_code(code: str) -> Response:
    return redirect(url_for("assignments.take", assignment_id=assignments().by_join_code(code).id), code=303)


# ---- taking -----------------------------------------------------------------------------------


def _take_page(assignment: StoredAssignment, error: str | None = None, name: str = "",
               answers: list[int | None] | None = None, code: str = "") -> str:
    quiz = assignment.quiz
    return render_template("assignments/take.html", assignment=assignment, quiz=quiz, error=error, name=name,
                           student_code=code, answers=answers or [None] * len(quiz.questions), max_name=MAX_NAME,
                           code_length=STUDENT_CODE_LENGTH, closed=assignment.is_closed(), letters=LETTERS,
                           site_time=_class_time(assignment),
                           kinds=", ".join(KIND_LABELS[k] for k in quiz.spec.kinds).capitalize())


@bp.get("/a/<assignment_id>")
def take(assignment_id: str) -> str:
    return _take_page(assignments().get(assignment_id))


@bp.post("/a/<assignment_id>")
def submit(assignment_id: str) -> Response | tuple[str, int]:
    assignment = assignments().for_student(assignment_id)
    name = request.form.get("name", "")
    code = request.form.get("student_code", "")
    answers = answers_from_form(assignment.quiz, request.form)
    try:
        done = assignments().submit(assignment_id, name, answers, assignment=assignment, student_code=code)
    except SubmissionError as exc:
        # Show the form again with what the student had chosen, so nothing typed is lost.
        return _take_page(assignment, str(exc), name[:MAX_NAME * 2], answers, code[:20]), 400
    # Stored once; the result has its own secret address, so a reload shows it again instead of submitting twice.
    return redirect(url_for("assignments.result", assignment_id=assignment.id, token=done.token), code=303)


@bp.get("/a/<assignment_id>/r/<token>")
def result(assignment_id: str, token: str) -> tuple[str, int, dict]:
    """One stored attempt, at the address only its student was sent to; the right answers once released."""
    assignment, attempt = assignments().attempt_by_token(assignment_id, token)
    graded = assignment.quiz.grade(list(attempt.answers))
    released = assignment.released()
    items = result_items(graded, list(range(len(graded.answers)))) if released else []
    page = render_template("assignments/result.html", assignment=assignment, attempt=attempt, graded=graded,
                           items=items, released=released, quiz=assignment.quiz, letters=LETTERS,
                           score=attempt.score, total=attempt.total, site_time=_class_time(assignment),
                           reveal_label=REVEAL_LABELS[assignment.reveal])
    return page, 200, PRIVATE_HEADERS


def _public_assignment(assignment: StoredAssignment) -> dict:
    """What a student may know: questions and options, never the quiz code (it rebuilds the key)."""
    quiz = assignment.quiz.to_dict(with_answers=False)
    quiz.pop("code", None)
    return {
        "id": assignment.id, "title": assignment.title, "closes_at": _iso(assignment.closes_at),
        "closed": assignment.is_closed(), "reveal": assignment.reveal, "roster": assignment.has_roster,
        "attempts_url": public_url("assignments.api_attempt", assignment_id=assignment.id),
        "quiz": quiz,
    }


@bp.get("/api/assignments/<assignment_id>")
def api_show(assignment_id: str) -> Response:
    return jsonify(_public_assignment(assignments().get(assignment_id)))


@bp.post("/api/assignments/<assignment_id>/attempts")
def api_attempt(assignment_id: str) -> tuple[Response, int]:
    assignment = assignments().for_student(assignment_id)  # an unknown assignment is a 404 whatever the body holds
    body = _json_body(AttemptRequest, '{"name": "Ada", "answers": [0, 2, null]}')
    done = assignments().submit(assignment_id, body.name, body.answers, assignment=assignment,
                                student_code=body.code)
    answer = {"score": done.graded.score, "total": len(done.graded.correct), "late": done.late,
              "result_url": public_url("assignments.result", assignment_id=assignment.id, token=done.token),
              "released": assignment.released()}
    if assignment.released():
        answer["results"] = done.graded.to_dict()["results"]
    return jsonify(answer), 201


# ---- the teacher's report ---------------------------------------------------------------------


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}".replace("-", "−")


def _report_page(assignment: StoredAssignment, urls: dict[str, object], shared: bool = False,
                 share_url: str | None = None) -> tuple[str, int, dict]:
    attempts = assignments().attempts(assignment.id)
    data = report_dict(assignment, attempts, assignments().roster(assignment.id))
    total = data["total"]
    distribution = charts.columns(
        [charts.Bar(str(score), count) for score, count in enumerate(data["score_distribution"])],
        "Scores of first attempts", f"score out of {total} (first attempts)",
    )
    from markupsafe import Markup

    # The teacher's own zone; on a shared link (a colleague, maybe not signed in) the assignment's teacher's.
    owner_zone = acc.accounts().timezone_of(assignment.teacher_id) if shared and assignment.teacher_id else None
    zone = _zone(owner_zone).key

    def shown(moment: datetime | None) -> str:
        return local_time(moment, zone)

    page = render_template(
        "assignments/report.html", assignment=assignment, report=data, handout=handout(assignment),
        distribution=Markup(distribution), percent=_percent, signed=_signed, letters=LETTERS, urls=urls,
        shared=shared, share_url=share_url, local_time=shown, reveal_label=REVEAL_LABELS[assignment.reveal],
        api_report=public_url("assignments.api_report", assignment_id=assignment.id),
        zone=zone, local_iso=lambda text: shown(datetime.fromisoformat(text.replace("Z", "+00:00"))),
    )
    return page, 200, PRIVATE_HEADERS


def _secret_urls(assignment: StoredAssignment, secret: str) -> dict[str, object]:
    return {
        "csv": url_for("assignments.report_csv_page", assignment_id=assignment.id, secret=secret),
        "xlsx": url_for("assignments.report_xlsx_page", assignment_id=assignment.id, secret=secret),
        "questions": url_for("assignments.report_questions_page", assignment_id=assignment.id, secret=secret),
        "export": lambda fmt: url_for("assignments.export_page", assignment_id=assignment.id, secret=secret, fmt=fmt),
        "delete": url_for("assignments.delete_page", assignment_id=assignment.id, secret=secret),
    }


def _owner_urls(assignment: StoredAssignment) -> dict[str, object]:
    return {
        "csv": url_for("assignments.owner_csv", assignment_id=assignment.id),
        "xlsx": url_for("assignments.owner_xlsx", assignment_id=assignment.id),
        "questions": url_for("assignments.owner_questions", assignment_id=assignment.id),
        "export": lambda fmt: url_for("assignments.owner_export", assignment_id=assignment.id, fmt=fmt),
        "delete": url_for("assignments.owner_delete", assignment_id=assignment.id),
        "share": url_for("assignments.owner_share", assignment_id=assignment.id),
        "close": url_for("assignments.owner_close", assignment_id=assignment.id),
    }


def _owned(assignment_id: str) -> StoredAssignment:
    return assignments().for_owner(assignment_id, acc.require_teacher().id)


@bp.get("/teacher/a/<assignment_id>")
def owner_report(assignment_id: str) -> tuple[str, int, dict]:
    assignment = _owned(assignment_id)
    return _report_page(assignment, _owner_urls(assignment))


@bp.post("/teacher/a/<assignment_id>/share")
def owner_share(assignment_id: str) -> tuple[str, int, dict]:
    """A new report link for a colleague (shown once; the previous one stops working)."""
    assignment = _owned(assignment_id)
    secret = assignments().new_secret(assignment.id)
    return _report_page(assignment, _owner_urls(assignment),
                        share_url=student_base() + url_for("assignments.report", assignment_id=assignment.id,
                                                           secret=secret))


@bp.post("/teacher/a/<assignment_id>/close")
def owner_close(assignment_id: str) -> Response:
    """Close now: no more answers on time, and answers released "after closing" are shown."""
    assignment = _owned(assignment_id)
    assignments().close(assignment.id)
    return redirect(url_for("assignments.owner_report", assignment_id=assignment.id), code=303)


@bp.get("/teacher/a/<assignment_id>/attempts.csv")
def owner_csv(assignment_id: str) -> Response:
    return _csv_response(_owned(assignment_id))


@bp.get("/teacher/a/<assignment_id>/attempts.xlsx")
def owner_xlsx(assignment_id: str) -> Response:
    return _xlsx_response(_owned(assignment_id))


@bp.get("/teacher/a/<assignment_id>/questions.csv")
def owner_questions(assignment_id: str) -> Response:
    return _questions_response(_owned(assignment_id))


@bp.get("/teacher/a/<assignment_id>/export/<fmt>")
def owner_export(assignment_id: str, fmt: str) -> Response | tuple[str, int, dict]:
    from .exports import send_export

    assignment = _owned(assignment_id)
    skip_url = url_for("assignments.owner_export", assignment_id=assignment.id, fmt=fmt, skip_too_long=1)
    return send_export(assignment.quiz, fmt, skip_url, PRIVATE_HEADERS)


@bp.post("/teacher/a/<assignment_id>/delete")
def owner_delete(assignment_id: str) -> tuple[str, int, dict]:
    assignment = _owned(assignment_id)
    return _delete(assignment)


def _delete(assignment: StoredAssignment) -> tuple[str, int, dict]:
    if request.form.get("confirm") != "yes":
        raise SubmissionError("tick the box to confirm that the assignment and all its attempts should be deleted")
    assignments().delete_row(assignment.id)
    return render_template("assignments/deleted.html", title=assignment.title), 200, PRIVATE_HEADERS


@bp.get("/a/<assignment_id>/report/<secret>")
def report(assignment_id: str, secret: str) -> tuple[str, int, dict]:
    assignment = assignments().for_teacher(assignment_id, secret)
    return _report_page(assignment, _secret_urls(assignment, secret), shared=True)


@bp.get("/a/<assignment_id>/report/<secret>/attempts.csv")
def report_csv_page(assignment_id: str, secret: str) -> Response:
    return _csv_response(assignments().for_teacher(assignment_id, secret))


@bp.get("/a/<assignment_id>/report/<secret>/attempts.xlsx")
def report_xlsx_page(assignment_id: str, secret: str) -> Response:
    return _xlsx_response(assignments().for_teacher(assignment_id, secret))


@bp.get("/a/<assignment_id>/report/<secret>/questions.csv")
def report_questions_page(assignment_id: str, secret: str) -> Response:
    return _questions_response(assignments().for_teacher(assignment_id, secret))


def _questions_response(assignment: StoredAssignment) -> Response:
    """What the short headers Q1, Q2, … stand for: stems, options, right answers, sources."""
    return Response(questions_csv(assignment), mimetype="text/csv", headers={
        **PRIVATE_HEADERS,
        "Content-Disposition": f'attachment; filename="assignment-{assignment.id}-questions.csv"'})


def _csv_response(assignment: StoredAssignment) -> Response:
    body = report_csv(assignment, assignments().attempts(assignment.id))
    return Response(body, mimetype="text/csv", headers={
        **PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="assignment-{assignment.id}.csv"'})


def _xlsx_response(assignment: StoredAssignment) -> Response:
    body = report_xlsx(assignment, assignments().attempts(assignment.id))
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        **PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="assignment-{assignment.id}.xlsx"'})


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
    return _delete(assignments().for_teacher(assignment_id, secret))


@bp.get("/api/assignments/<assignment_id>/report")
def api_report(assignment_id: str) -> Response:
    assignment = assignments().for_teacher(assignment_id, _bearer())
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        response = _csv_response(assignment)
    else:
        response = jsonify(report_dict(assignment, assignments().attempts(assignment.id),
                                       assignments().roster(assignment.id)))
        response.headers.update(PRIVATE_HEADERS)
    response.vary.update(["Authorization", "Accept"])
    return response


@bp.delete("/api/assignments/<assignment_id>")
def api_delete(assignment_id: str) -> tuple[str, int]:
    assignments().delete(assignment_id, _bearer())
    return "", 204


__all__ = ["StoredAttempt", "handout", "local_time", "student_base"]
