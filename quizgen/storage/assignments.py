"""Class assignments: a quiz stored as made, a student link, a teacher secret, graded attempts."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from ..citations import Citation
from ..errors import SubmissionError
from ..questions import Question
from ..quiz import Graded, Quiz, QuizSpec
from ..validation import check_line
from .errors import AssignmentNotFoundError
from .models import (
    DEFAULT_REVEAL,
    JOIN_CODE_LENGTH,
    MAX_NAME,
    MAX_ROSTER,
    MAX_TITLE,
    REVEAL_CHOICES,
    STUDENT_CODE_LENGTH,
    Assignment,
    Attempt,
    RosterStudent,
)
from .names import fold_name
from .store import Store

SECRET_BYTES = 24  # 192 bits: well past the 128 a secret link needs
ID_BYTES = 12  # 96 bits, 16 characters: a student link cannot be found by trying
STORED_FORMAT = 1  # of the quiz JSON in assignments.quiz_json; a reader of older formats goes with a migration
PARSED_QUIZZES = 256  # assignments whose parsed quiz a process keeps (a class submits to one at once)
TOKEN_BYTES = 16  # an attempt's result address: 128 random bits
# How long a process trusts its copy of an assignment's row on the students' path (a class submits
# to one at once): a teacher's "close now" or a deletion reaches other processes within this time
# (a deletion is caught at once anyway: the attempt's foreign key refuses it).
ROW_SECONDS = 2.0
# Codes read aloud or copied from a board: no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
CODE_ALPHABET = "ACEFHJKMNPRTWXY3479"
_CITATION_FIELDS = tuple(f.name for f in fields(Citation))


def hash_secret(secret: str) -> str:
    # The secret is random and long, so a plain hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def quiz_to_json(quiz: Quiz) -> str:
    """The whole quiz, answers and citations (curator's note included): what the class is graded on.

    Written from the dataclasses' own fields, not from the API's JSON, so a change in what the
    API shows never changes what is stored.
    """
    body = {
        "format": STORED_FORMAT, "code": quiz.code, "deck": quiz.spec.deck_id, "title": quiz.title,
        "asked": quiz.spec.count, "seed": quiz.spec.seed, "kinds": list(quiz.spec.kinds),
        "questions": [
            {"fact_id": q.fact_id, "fact_kind": q.fact_kind, "template": q.template, "stem": q.stem,
             "options": list(q.options), "answer_index": q.answer_index, "topic": q.topic,
             "citation": q.citation.to_dict()}
            for q in quiz.questions
        ],
    }
    return json.dumps(body, ensure_ascii=False)


def quiz_from_json(text: str) -> Quiz:
    body = json.loads(text)
    questions = tuple(
        Question(
            fact_id=q["fact_id"], fact_kind=q["fact_kind"], template=q["template"], stem=q["stem"],
            options=tuple(q["options"]), answer_index=q["answer_index"],
            # Fields added to Citation later read as None in quizzes stored before them.
            citation=Citation(**{name: q["citation"].get(name) for name in _CITATION_FIELDS}),
            topic=q["topic"],
        )
        for q in body["questions"]
    )
    spec = QuizSpec(body["deck"], body["asked"], body["seed"], tuple(body["kinds"]))
    return Quiz(spec, body["code"], body["title"], questions)


def clean_name(raw: object) -> str:
    """A student's name as shown in the report: spaces collapsed; 1 to MAX_NAME characters."""
    if not isinstance(raw, str):
        raise SubmissionError("name must be text, such as \"Ada Lovelace\"")
    name = " ".join("".join(ch for ch in raw if ch.isprintable() or ch.isspace()).split())
    if not name:
        raise SubmissionError("type your name, so your teacher can see your result")
    if len(name) > MAX_NAME:
        raise SubmissionError(f"a name can be at most {MAX_NAME} characters long; this one has {len(name)}")
    return name


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normal_code(raw: object, length: int) -> str | None:
    """A typed code as stored: capitals, spaces and dashes dropped, 0→O-free alphabet; None if it cannot be one."""
    if not isinstance(raw, str):
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -\t")
    if len(code) != length or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def clean_roster(raw: str | None) -> list[str]:
    """Names pasted one per line (or separated by commas): blank lines dropped, each checked."""
    if not raw or not raw.strip():
        return []
    lines = [line for part in raw.splitlines() for line in ([part] if "," not in part else part.split(","))]
    names = [clean_name(line) for line in lines if line.strip()]
    if len(names) > MAX_ROSTER:
        raise SubmissionError(f"a class list can hold at most {MAX_ROSTER} names; this one has {len(names)}")
    seen: dict[str, str] = {}
    for name in names:
        key = fold_name(name)
        if key in seen:
            raise SubmissionError(f"the class list has {seen[key]!r} and {name!r}, which read the same: "
                                  "tell them apart, say with an initial")
        seen[key] = name
    return names


def clean_title(raw: str | None, default: str) -> str:
    title = check_line(" ".join((raw or "").split()), "title") or default  # no control, bidi or invisible character
    if len(title) > MAX_TITLE:
        raise SubmissionError(f"a title can be at most {MAX_TITLE} characters long; this one has {len(title)}")
    return title


@dataclass(frozen=True)
class StoredAssignment:
    id: str
    title: str
    quiz: Quiz
    created_at: datetime
    closes_at: datetime | None
    reveal: str = DEFAULT_REVEAL
    join_code: str | None = None
    teacher_id: int | None = None
    has_roster: bool = False

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or datetime.now(UTC)) >= self.closes_at

    def released(self, now: datetime | None = None) -> bool:
        """Whether a student's result shows the right answers (and sources) now."""
        if self.reveal == "submit":
            return True
        return self.reveal == "closed" and self.is_closed(now)


@dataclass(frozen=True)
class StoredAttempt:
    id: int
    name: str
    answers: tuple[int | None, ...]
    score: int
    total: int
    submitted_at: datetime
    late: bool = False
    name_key: str = ""
    student_id: int | None = None


@dataclass(frozen=True)
class Submitted:
    """What a submission gives back: the graded answers and the result's secret address."""

    graded: Graded
    token: str
    late: bool


@dataclass(frozen=True)
class RosterEntry:
    id: int
    name: str
    code: str


@dataclass(frozen=True)
class Summary:
    """One line of a teacher's "My assignments"."""

    assignment: StoredAssignment
    attempts: int
    average: float | None  # mean score of all attempts, as a share of the total


class Assignments:
    """The operations the site offers, over one Store; safe to share between threads."""

    def __init__(self, store: Store):
        self.store = store
        self._quizzes: OrderedDict[str, Quiz] = OrderedDict()
        self._rows: OrderedDict[str, tuple[float, StoredAssignment]] = OrderedDict()
        self._rosters: dict[str, bool] = {}  # a roster is made with its assignment and never changes
        self._lock = threading.Lock()

    def create(self, quiz: Quiz, title: str, closes_at: datetime | None = None,
               now: datetime | None = None, *, reveal: str = DEFAULT_REVEAL, teacher_id: int | None = None,
               roster: list[str] | None = None) -> tuple[StoredAssignment, str]:
        """Store ``quiz`` as made; returns it and the teacher secret (shown once, kept only hashed)."""
        if not quiz.questions:
            raise SubmissionError("no questions of the chosen kinds can be made from this deck; choose other kinds")
        if reveal not in REVEAL_CHOICES:
            raise SubmissionError(f"answers shown must be one of {', '.join(REVEAL_CHOICES)}, not {str(reveal)[:40]!r}")
        now = now or datetime.now(UTC)
        if closes_at is not None and closes_at <= now:
            raise SubmissionError("the closing time must be in the future")
        secret = secrets.token_urlsafe(SECRET_BYTES)
        assignment_id = secrets.token_urlsafe(ID_BYTES)
        quiz_json = quiz_to_json(quiz)
        for _ in range(8):  # a join code already taken (1 in millions) is drawn again
            join_code = random_code(JOIN_CODE_LENGTH)
            try:
                with self.store.writing() as session:
                    session.add(Assignment(id=assignment_id, title=title, deck_id=quiz.spec.deck_id,
                                           quiz_json=quiz_json, secret_hash=hash_secret(secret), created_at=now,
                                           closes_at=closes_at, reveal=reveal, join_code=join_code,
                                           teacher_id=teacher_id))
                    session.flush()
                    codes: set[str] = set()
                    for name in roster or []:
                        code = random_code(STUDENT_CODE_LENGTH)
                        while code in codes:
                            code = random_code(STUDENT_CODE_LENGTH)
                        codes.add(code)
                        session.add(RosterStudent(assignment_id=assignment_id, name=name, code=code))
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - eight collisions in a row mean the code space is full
            raise SubmissionError("no free join code could be drawn; try again")
        # Read back from its JSON, so the teacher sees exactly what students will be graded on.
        return StoredAssignment(assignment_id, title, self._quiz(assignment_id, quiz_json), now, closes_at,
                                reveal, join_code, teacher_id, bool(roster)), secret

    def _quiz(self, assignment_id: str, quiz_json: str | None = None) -> Quiz:
        with self._lock:
            quiz = self._quizzes.get(assignment_id)
            if quiz is not None:
                self._quizzes.move_to_end(assignment_id)
                return quiz
        if quiz_json is None:
            with self.store.reading() as session:
                quiz_json = session.scalar(select(Assignment.quiz_json).where(Assignment.id == assignment_id))
            if quiz_json is None:
                raise AssignmentNotFoundError()
        quiz = quiz_from_json(quiz_json)
        with self._lock:
            self._quizzes[assignment_id] = quiz
            while len(self._quizzes) > PARSED_QUIZZES:
                self._quizzes.popitem(last=False)
        return quiz

    def _row(self, assignment_id: str) -> Assignment:
        if not isinstance(assignment_id, str) or len(assignment_id) > 64:
            raise AssignmentNotFoundError()
        with self.store.reading() as session:
            # The quiz JSON is the bulk of the row and never changes: it is read once, into _quizzes.
            row = session.get(Assignment, assignment_id, options=[defer(Assignment.quiz_json)])
            if row is None:
                raise AssignmentNotFoundError()
            session.expunge(row)
        return row

    def _stored(self, row: Assignment, has_roster: bool | None = None) -> StoredAssignment:
        if has_roster is None:
            has_roster = self._rosters.get(row.id)
        if has_roster is None:
            with self.store.reading() as session:
                has_roster = session.scalar(
                    select(RosterStudent.id).where(RosterStudent.assignment_id == row.id).limit(1)) is not None
            with self._lock:
                if len(self._rosters) > PARSED_QUIZZES * 16:
                    self._rosters.clear()
                self._rosters[row.id] = has_roster
        return StoredAssignment(row.id, row.title, self._quiz(row.id), row.created_at, row.closes_at,
                                row.reveal, row.join_code, row.teacher_id, has_roster)

    def get(self, assignment_id: str) -> StoredAssignment:
        return self._stored(self._row(assignment_id))

    def for_student(self, assignment_id: str) -> StoredAssignment:
        """As ``get``, from this process's copy if it is at most ROW_SECONDS old: what a class's
        burst of submissions reads, once per process instead of once per student."""
        now = time.monotonic()
        with self._lock:
            kept = self._rows.get(assignment_id)
        if kept is not None and now - kept[0] <= ROW_SECONDS:
            return kept[1]
        assignment = self.get(assignment_id)
        with self._lock:
            self._rows[assignment_id] = (now, assignment)
            self._rows.move_to_end(assignment_id)
            while len(self._rows) > PARSED_QUIZZES:
                self._rows.popitem(last=False)
        return assignment

    def by_join_code(self, raw: object) -> StoredAssignment:
        code = normal_code(raw, JOIN_CODE_LENGTH)
        if code is None:
            raise AssignmentNotFoundError()
        with self.store.reading() as session:
            assignment_id = session.scalar(select(Assignment.id).where(Assignment.join_code == code))
        if assignment_id is None:
            raise AssignmentNotFoundError()
        return self.get(assignment_id)

    def for_teacher(self, assignment_id: str, secret: str | None) -> StoredAssignment:
        """The assignment if ``secret`` is its teacher secret; otherwise as if it did not exist."""
        row = self._row(assignment_id)
        if not secret or not hmac.compare_digest(hash_secret(secret), row.secret_hash):
            raise AssignmentNotFoundError()
        return self._stored(row)

    def for_owner(self, assignment_id: str, teacher_id: int | None) -> StoredAssignment:
        """The assignment if the signed-in teacher made it; otherwise as if it did not exist."""
        row = self._row(assignment_id)
        if teacher_id is None or row.teacher_id != teacher_id:
            raise AssignmentNotFoundError()
        return self._stored(row)

    def new_secret(self, assignment_id: str) -> str:
        """A new report link for sharing (the old one stops working): shown once, kept hashed."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with self.store.writing() as session:
            row = session.get(Assignment, assignment_id)
            if row is None:
                raise AssignmentNotFoundError()
            row.secret_hash = hash_secret(secret)
        return secret

    def close(self, assignment_id: str, now: datetime | None = None) -> None:
        """Close now (an earlier closing time is kept)."""
        now = now or datetime.now(UTC)
        with self.store.writing() as session:
            row = session.get(Assignment, assignment_id)
            if row is None:
                raise AssignmentNotFoundError()
            closes = row.closes_at
            if closes is not None and closes.tzinfo is None:
                closes = closes.replace(tzinfo=UTC)
            if closes is None or closes > now:
                row.closes_at = now
        with self._lock:
            self._rows.pop(assignment_id, None)

    def roster(self, assignment_id: str) -> list[RosterEntry]:
        with self.store.reading() as session:
            rows = session.scalars(select(RosterStudent).where(RosterStudent.assignment_id == assignment_id)
                                   .order_by(RosterStudent.id)).all()
            return [RosterEntry(r.id, r.name, r.code) for r in rows]

    def _roster_student(self, assignment_id: str, raw_code: object) -> RosterEntry:
        code = normal_code(raw_code, STUDENT_CODE_LENGTH)
        if code is not None:
            with self.store.reading() as session:
                row = session.scalar(select(RosterStudent).where(RosterStudent.assignment_id == assignment_id,
                                                                 RosterStudent.code == code))
                if row is not None:
                    return RosterEntry(row.id, row.name, row.code)
        raise SubmissionError("that personal code is not on this class's list: type the code your teacher "
                              f"gave you ({STUDENT_CODE_LENGTH} letters and digits)")

    def summaries(self, teacher_id: int) -> list[Summary]:
        """The teacher's assignments, newest first, each with its attempts and average score."""
        with self.store.reading() as session:
            rows = session.scalars(select(Assignment).options(defer(Assignment.quiz_json))
                                   .where(Assignment.teacher_id == teacher_id)
                                   .order_by(Assignment.created_at.desc())).all()
            figures = dict(
                (a, (n, avg)) for a, n, avg in session.execute(
                    select(Attempt.assignment_id, func.count(), func.avg(Attempt.score * 1.0 / Attempt.total))
                    .join(Assignment, Assignment.id == Attempt.assignment_id)
                    .where(Assignment.teacher_id == teacher_id).group_by(Attempt.assignment_id)))
            for row in rows:
                session.expunge(row)
        out = []
        for row in rows:
            n, avg = figures.get(row.id, (0, None))
            out.append(Summary(self._stored(row, has_roster=False), n, None if avg is None else float(avg)))
        return out

    def submit(self, assignment_id: str, name: object, answers: list[int | None],
               now: datetime | None = None, assignment: StoredAssignment | None = None,
               student_code: object = None) -> Submitted:
        """Grade and store one attempt; nothing is stored if anything about it is wrong.

        An attempt after the closing time is stored all the same, marked late (an answer sent a
        minute too late is the teacher's call, never lost). With a roster the student is the one
        whose personal code ``student_code`` is, and ``name`` is ignored.

        ``assignment``: the one a request has already read (its id must be ``assignment_id``), so a
        submission reads the database once; a deletion since then still stores nothing.
        """
        if assignment is None or assignment.id != assignment_id:
            assignment = self.get(assignment_id)
        now = now or datetime.now(UTC)
        late = assignment.is_closed(now)
        student_id = None
        if assignment.has_roster:
            student = self._roster_student(assignment.id, student_code)
            name, student_id = student.name, student.id
        else:
            name = clean_name(name)
        graded = assignment.quiz.grade(answers)  # refuses a wrong number of answers or options
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = {"assignment_id": assignment.id, "name": name, "answers_json": json.dumps(answers),
               "score": graded.score, "total": len(graded.correct), "submitted_at": now,
               "token_hash": hash_secret(token), "late": late, "name_key": fold_name(name), "student_id": student_id}
        try:
            with self.store.inserting() as conn:
                conn.execute(_INSERT_ATTEMPT, row)
        except IntegrityError:
            # Deleted by its teacher (perhaps through another server process) since it was read.
            raise AssignmentNotFoundError() from None
        return Submitted(graded, token, late)

    def attempt_by_token(self, assignment_id: str, token: str) -> tuple[StoredAssignment, StoredAttempt]:
        """A stored attempt from its result address; a wrong token is a 404 like a missing assignment."""
        if not isinstance(token, str) or not 10 <= len(token) <= 64:
            raise AssignmentNotFoundError()
        assignment = self.get(assignment_id)
        with self.store.reading() as session:
            row = session.scalar(select(Attempt).where(Attempt.token_hash == hash_secret(token),
                                                       Attempt.assignment_id == assignment.id))
            if row is None:
                raise AssignmentNotFoundError()
            return assignment, _attempt(row)

    def attempts(self, assignment_id: str) -> list[StoredAttempt]:
        with self.store.reading() as session:
            rows = session.scalars(
                select(Attempt).where(Attempt.assignment_id == assignment_id).order_by(Attempt.id)
            ).all()
            return [_attempt(r) for r in rows]

    def count_attempts(self, assignment_id: str) -> int:
        with self.store.reading() as session:
            return session.scalar(select(func.count()).where(Attempt.assignment_id == assignment_id)) or 0

    def delete(self, assignment_id: str, secret: str | None) -> None:
        """Delete the assignment and every attempt at it (needs the teacher secret)."""
        assignment = self.for_teacher(assignment_id, secret)
        self.delete_row(assignment.id)

    def delete_row(self, assignment_id: str) -> None:
        """Delete the assignment, its roster and its attempts (the caller has checked who asks)."""
        with self.store.writing() as session:
            session.execute(delete(Attempt).where(Attempt.assignment_id == assignment_id))
            session.execute(delete(RosterStudent).where(RosterStudent.assignment_id == assignment_id))
            session.execute(delete(Assignment).where(Assignment.id == assignment_id))
        with self._lock:
            self._quizzes.pop(assignment_id, None)
            self._rows.pop(assignment_id, None)


_INSERT_ATTEMPT = insert(Attempt.__table__)


def _attempt(r: Attempt) -> StoredAttempt:
    return StoredAttempt(r.id, r.name, tuple(json.loads(r.answers_json)), r.score, r.total, r.submitted_at,
                         bool(r.late), r.name_key or fold_name(r.name), r.student_id)
