"""Class assignments: a quiz stored as made, a student link, a teacher secret, graded attempts."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from ..citations import Citation
from ..errors import SubmissionError
from ..questions import Question
from ..quiz import Graded, Quiz, QuizSpec
from ..validation import check_line
from .errors import AssignmentClosedError, AssignmentNotFoundError
from .models import MAX_NAME, MAX_TITLE, Assignment, Attempt
from .store import Store

SECRET_BYTES = 24  # 192 bits: well past the 128 a secret link needs
ID_BYTES = 12  # 96 bits, 16 characters: a student link cannot be found by trying
STORED_FORMAT = 1  # of the quiz JSON in assignments.quiz_json; a reader of older formats goes with a migration
PARSED_QUIZZES = 256  # assignments whose parsed quiz a process keeps (a class submits to one at once)
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

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and (now or datetime.now(UTC)) >= self.closes_at


@dataclass(frozen=True)
class StoredAttempt:
    id: int
    name: str
    answers: tuple[int | None, ...]
    score: int
    total: int
    submitted_at: datetime


class Assignments:
    """The operations the site offers, over one Store; safe to share between threads."""

    def __init__(self, store: Store):
        self.store = store
        self._quizzes: OrderedDict[str, Quiz] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, quiz: Quiz, title: str, closes_at: datetime | None = None,
               now: datetime | None = None) -> tuple[StoredAssignment, str]:
        """Store ``quiz`` as made; returns it and the teacher secret (shown once, kept only hashed)."""
        if not quiz.questions:
            raise SubmissionError("no questions of the chosen kinds can be made from this deck; choose other kinds")
        now = now or datetime.now(UTC)
        if closes_at is not None and closes_at <= now:
            raise SubmissionError("the closing time must be in the future")
        secret = secrets.token_urlsafe(SECRET_BYTES)
        assignment_id = secrets.token_urlsafe(ID_BYTES)
        quiz_json = quiz_to_json(quiz)
        with self.store.writing() as session:
            session.add(Assignment(id=assignment_id, title=title, deck_id=quiz.spec.deck_id, quiz_json=quiz_json,
                                   secret_hash=hash_secret(secret), created_at=now, closes_at=closes_at))
        # Read back from its JSON, so the teacher sees exactly what students will be graded on.
        return StoredAssignment(assignment_id, title, self._quiz(assignment_id, quiz_json), now, closes_at), secret

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

    def get(self, assignment_id: str) -> StoredAssignment:
        row = self._row(assignment_id)
        return StoredAssignment(row.id, row.title, self._quiz(row.id), row.created_at, row.closes_at)

    def for_teacher(self, assignment_id: str, secret: str | None) -> StoredAssignment:
        """The assignment if ``secret`` is its teacher secret; otherwise as if it did not exist."""
        row = self._row(assignment_id)
        if not secret or not hmac.compare_digest(hash_secret(secret), row.secret_hash):
            raise AssignmentNotFoundError()
        return StoredAssignment(row.id, row.title, self._quiz(row.id), row.created_at, row.closes_at)

    def submit(self, assignment_id: str, name: object, answers: list[int | None],
               now: datetime | None = None, assignment: StoredAssignment | None = None) -> Graded:
        """Grade and store one attempt; nothing is stored if anything about it is wrong.

        ``assignment``: the one a request has already read (its id must be ``assignment_id``), so a
        submission reads the database once; a deletion since then still stores nothing.
        """
        if assignment is None or assignment.id != assignment_id:
            assignment = self.get(assignment_id)
        now = now or datetime.now(UTC)
        if assignment.is_closed(now):
            raise AssignmentClosedError(
                f"this assignment closed on {assignment.closes_at:%Y-%m-%d at %H:%M} UTC; answers are no longer taken"
            )
        name = clean_name(name)
        graded = assignment.quiz.grade(answers)  # refuses a wrong number of answers or options
        try:
            with self.store.writing() as session:
                session.add(Attempt(assignment_id=assignment.id, name=name, answers_json=json.dumps(answers),
                                    score=graded.score, total=len(graded.correct), submitted_at=now))
        except IntegrityError:
            # Deleted by its teacher (perhaps through another server process) since it was read.
            raise AssignmentNotFoundError() from None
        return graded

    def attempts(self, assignment_id: str) -> list[StoredAttempt]:
        with self.store.reading() as session:
            rows = session.scalars(
                select(Attempt).where(Attempt.assignment_id == assignment_id).order_by(Attempt.id)
            ).all()
            return [StoredAttempt(r.id, r.name, tuple(json.loads(r.answers_json)), r.score, r.total,
                                  r.submitted_at) for r in rows]

    def count_attempts(self, assignment_id: str) -> int:
        with self.store.reading() as session:
            return session.scalar(select(func.count()).where(Attempt.assignment_id == assignment_id)) or 0

    def delete(self, assignment_id: str, secret: str | None) -> None:
        """Delete the assignment and every attempt at it (needs the teacher secret)."""
        assignment = self.for_teacher(assignment_id, secret)
        with self.store.writing() as session:
            session.execute(delete(Attempt).where(Attempt.assignment_id == assignment.id))
            session.execute(delete(Assignment).where(Assignment.id == assignment.id))
        with self._lock:
            self._quizzes.pop(assignment.id, None)
