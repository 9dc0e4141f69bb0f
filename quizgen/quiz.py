"""Quizzes: a deck, a count, a seed and the allowed question kinds, reproducible from a code.

A quiz code such as ``elbe-1945.10.frt.42.3fa9c2d1`` holds everything needed
to make the very same quiz again, plus the first hex digits of the content
digest: grading a code made from content that has changed since is refused
with a plain message, instead of grading against different questions.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from .content import Library
from .distractors import DistractorIndex
from .errors import QuestionError, QuizCodeError, StaleQuizError, SubmissionError
from .questions import Question, make_question, supported_templates
from .templates import QUESTION_KINDS

KIND_LETTERS = {"forward": "f", "reverse": "r", "true_false": "t"}
_LETTER_KINDS = {v: k for k, v in KIND_LETTERS.items()}
MAX_COUNT = 200
TEMPLATE_WEIGHTS = {"forward": 3.0, "reverse": 2.0, "true_false": 1.0}
CACHED_QUESTIONS = 10_000  # questions kept in QuizMaker's cache of recent quizzes (a few MB)
_CODE = re.compile(r"^(?P<deck>[a-z0-9][a-z0-9-]{0,79})\.(?P<count>\d{1,3})\.(?P<kinds>[frt]{1,3})"
                   r"\.(?P<seed>\d{1,12})\.(?P<digest>[0-9a-f]{8})$")


@dataclass(frozen=True)
class QuizSpec:
    deck_id: str
    count: int = 10
    seed: int = 0
    kinds: tuple[str, ...] = QUESTION_KINDS

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_COUNT:
            raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {self.count}")
        if self.seed < 0 or self.seed >= 10**12:
            raise SubmissionError("seed must be a whole number from 0 to 999999999999")
        unknown = [k for k in self.kinds if k not in KIND_LETTERS]
        if unknown or not self.kinds:
            raise SubmissionError(
                f"question kinds must be some of {', '.join(QUESTION_KINDS)}; got {', '.join(self.kinds) or 'none'}"
            )
        # Canonical order, so the same choice always gives the same code.
        object.__setattr__(self, "kinds", tuple(k for k in QUESTION_KINDS if k in self.kinds))

    def code(self, digest: str) -> str:
        letters = "".join(KIND_LETTERS[k] for k in self.kinds)
        return f"{self.deck_id}.{self.count}.{letters}.{self.seed}.{digest[:8]}"


def parse_code(code: str) -> tuple[QuizSpec, str]:
    m = _CODE.match(code.strip()) if isinstance(code, str) else None
    if not m:
        raise QuizCodeError(
            f"{code!r} is not a quiz code; a code looks like elbe-1945.10.frt.42.3fa9c2d1"
        )
    kinds = tuple(_LETTER_KINDS[c] for c in m["kinds"])
    try:
        spec = QuizSpec(m["deck"], int(m["count"]), int(m["seed"]), kinds)
    except SubmissionError as exc:
        raise QuizCodeError(f"{code!r} is not a valid quiz code: {exc}") from None
    return spec, m["digest"]


@dataclass(frozen=True)
class Quiz:
    spec: QuizSpec
    code: str
    title: str
    questions: tuple[Question, ...]

    def to_dict(self, with_answers: bool = True) -> dict:
        return {
            "code": self.code,
            "deck": self.spec.deck_id,
            "title": self.title,
            "seed": self.spec.seed,
            "count": len(self.questions),
            "kinds": list(self.spec.kinds),
            "questions": [q.to_dict(with_answers) for q in self.questions],
        }


@dataclass(frozen=True)
class Graded:
    quiz: Quiz
    answers: tuple[int | None, ...]
    correct: tuple[bool, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "correct", tuple(a == q.answer_index for a, q in zip(self.answers, self.quiz.questions, strict=True))
        )

    @property
    def score(self) -> int:
        return sum(self.correct)

    def to_dict(self) -> dict:
        return {
            "code": self.quiz.code,
            "score": self.score,
            "total": len(self.quiz.questions),
            "results": [
                {**q.to_dict(with_answer=True), "given_index": a, "correct": ok}
                for q, a, ok in zip(self.quiz.questions, self.answers, self.correct, strict=True)
            ],
        }


def _rng(*parts: object) -> random.Random:
    # Seeded from a hash, not Python's hash(), so quizzes are the same in every process.
    key = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(key[:8], "big"))


class QuizMaker:
    """Makes, remakes and grades quizzes for one library; the distractor index is built once."""

    def __init__(self, library: Library):
        self.library = library
        self.index = DistractorIndex(library.facts.values(), library.sources)
        # Recently made quizzes by spec: a quiz is a pure function of its spec and the (read-only)
        # library, and a shared code is shown, then graded, by many students. Bounded by questions.
        self._made: OrderedDict[QuizSpec, Quiz] = OrderedDict()
        self._made_questions = 0
        self._lock = threading.Lock()

    def make(self, spec: QuizSpec) -> Quiz:
        with self._lock:
            quiz = self._made.get(spec)
            if quiz is not None:
                self._made.move_to_end(spec)
                return quiz
        quiz = self._make(spec)
        with self._lock:
            if spec not in self._made:
                self._made[spec] = quiz
                self._made_questions += len(quiz.questions)
                while self._made_questions > CACHED_QUESTIONS and len(self._made) > 1:
                    _, old = self._made.popitem(last=False)
                    self._made_questions -= len(old.questions)
        return quiz

    def _make(self, spec: QuizSpec) -> Quiz:
        deck = self.library.deck(spec.deck_id)
        facts = self.library.deck_facts(spec.deck_id)
        rng = _rng("quiz", spec.deck_id, spec.seed)
        # Draw facts lazily in a seeded order: no fact twice, and only as many as needed.
        order = iter(rng.sample(range(len(facts)), len(facts))) if len(facts) <= 4 * spec.count else None
        drawn: set[int] = set()
        questions: list[Question] = []
        attempts = 0
        while len(questions) < spec.count and len(drawn) < len(facts) and attempts < 4 * spec.count + 50:
            attempts += 1
            if order is not None:
                i = next(order, None)
                if i is None:
                    break
            else:
                i = rng.randrange(len(facts))
                if i in drawn:
                    continue
            drawn.add(i)
            fact = facts[i]
            q = self._question(fact, spec)
            if q is not None:
                questions.append(q)
        return Quiz(spec, spec.code(self.library.digest), deck.title, tuple(questions))

    def _question(self, fact, spec: QuizSpec) -> Question | None:
        rng = _rng("question", spec.deck_id, spec.seed, fact.id)
        allowed = [t for t in supported_templates(fact) if t in spec.kinds]
        # A weighted shuffle: true/false is a coin toss for a guesser, so it comes up least often.
        allowed.sort(key=lambda t: rng.random() ** (1 / TEMPLATE_WEIGHTS[t]), reverse=True)
        for template in allowed:
            try:
                return make_question(fact, template, self.library.source_of(fact),
                                     self.library.topics[fact.id], self.index, rng)
            except QuestionError:
                continue
        return None

    def from_code(self, code: str) -> Quiz:
        spec, digest = parse_code(code)
        self.library.deck(spec.deck_id)  # an unknown deck is reported as such, not as stale
        if digest != self.library.digest[:8]:
            raise StaleQuizError(
                f"Quiz {code} was made from an earlier version of the content, which has changed since; "
                "its questions cannot be remade exactly. Start a new quiz."
            )
        return self.make(spec)

    def grade(self, code: str, answers: list[int | None]) -> Graded:
        quiz = self.from_code(code)
        if len(answers) != len(quiz.questions):
            raise SubmissionError(
                f"quiz {code} has {len(quiz.questions)} questions but {len(answers)} answers were sent"
            )
        for n, (a, q) in enumerate(zip(answers, quiz.questions, strict=True), start=1):
            if a is not None and (isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(q.options)):
                raise SubmissionError(
                    f"answer to question {n} must be an option number from 0 to {len(q.options) - 1}"
                )
        return Graded(quiz, tuple(answers))
