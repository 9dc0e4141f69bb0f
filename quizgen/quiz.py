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
import string
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field

from .content import Library
from .distractors import DistractorIndex
from .errors import QuestionError, QuizCodeError, StaleQuizError, SubmissionError
from .questions import Question, make_question, supported_templates
from .templates import QUESTION_KINDS

KIND_LETTERS = {"forward": "f", "reverse": "r", "true_false": "t"}
_LETTER_KINDS = {v: k for k, v in KIND_LETTERS.items()}
# The one name of each question kind for people: the deck form, the quiz page, the CLI's help.
KIND_LABELS = {
    "forward": "Ask for the answer",
    "reverse": "Ask the other way round",
    "true_false": "True or false",
}
KIND_EXAMPLES = {
    "forward": "“When did … take place?”",
    "reverse": "“What happened on …?”",
    "true_false": "a statement to judge",
}
MAX_COUNT = 200
DEFAULT_COUNT = 10
MAX_SEED = 10**12 - 1
LETTERS = string.ascii_uppercase  # option letters: A is option 0
TEMPLATE_WEIGHTS = {"forward": 3.0, "reverse": 2.0, "true_false": 1.0}
CACHED_QUESTIONS = 10_000  # questions kept in QuizMaker's cache of recent quizzes (a few MB)
CODE_EXAMPLE = "elbe-1945.10.frt.42.3fa9c2d1"
# Canonical codes only: ASCII digits, no leading zeros, kind letters in f, r, t order, nothing
# around it. One quiz has one code, so it has one cache slot and one share link.
_CODE = re.compile(r"(?P<deck>[a-z0-9][a-z0-9-]{0,79})\.(?P<count>[1-9][0-9]{0,2})\.(?P<kinds>f?r?t?)"
                   r"\.(?P<seed>0|[1-9][0-9]{0,11})\.(?P<digest>[0-9a-f]{8})")
# The same parts written loosely, only to point at the canonical code in the error message.
_LOOSE_CODE = re.compile(r"\s*(?P<deck>[a-z0-9][a-z0-9-]{0,79})\.(?P<count>[0-9]{1,12})\.(?P<kinds>[frt]{1,3})"
                         r"\.(?P<seed>[0-9]{1,24})\.(?P<digest>[0-9a-f]{8})\s*", re.ASCII)


@dataclass(frozen=True)
class QuizSpec:
    deck_id: str
    count: int = 10
    seed: int = 0
    kinds: tuple[str, ...] = QUESTION_KINDS

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_COUNT:
            raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {self.count}")
        if not 0 <= self.seed <= MAX_SEED:
            raise SubmissionError(f"seed must be a whole number from 0 to {MAX_SEED}")
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
    """The spec and digest prefix of a canonical quiz code; anything else is a QuizCodeError."""
    m = _CODE.fullmatch(code) if isinstance(code, str) else None
    if not m or m["kinds"] == "":
        canonical = canonical_code(code)
        hint = f"; did you mean {canonical}?" if canonical else f"; a code looks like {CODE_EXAMPLE}"
        raise QuizCodeError(f"{code!r} is not a quiz code{hint}")
    kinds = tuple(_LETTER_KINDS[c] for c in m["kinds"])
    try:
        spec = QuizSpec(m["deck"], int(m["count"]), int(m["seed"]), kinds)
    except SubmissionError as exc:
        raise QuizCodeError(f"{code!r} is not a valid quiz code: {exc}") from None
    return spec, m["digest"]


def canonical_code(code: str) -> str | None:
    """The canonical form of a loosely written code (spaces, leading zeros, Unicode digits,
    kind letters in another order), or None when it is not a code at all."""
    if not isinstance(code, str) or len(code) > 200:
        return None
    folded = "".join(str(unicodedata.digit(ch, ch)) if ch.isdigit() else ch for ch in code)
    m = _LOOSE_CODE.fullmatch(folded)
    if not m or len(set(m["kinds"])) != len(m["kinds"]):
        return None
    try:
        spec = QuizSpec(m["deck"], int(m["count"]), int(m["seed"]), tuple(_LETTER_KINDS[c] for c in m["kinds"]))
    except SubmissionError:
        return None
    return spec.code(m["digest"])


def _public(question: dict) -> dict:
    # Before grading a question names no fact: a fact id could be looked up in the public .apkg.
    # "kind" is the question kind everywhere (as in a quiz's "kinds"); the fact's is "fact_kind".
    out = {"kind": question["template"], "fact_kind": question["kind"]}
    out.update((k, v) for k, v in question.items() if k not in ("fact_id", "kind", "template"))
    return out


def _graded(question: dict) -> dict:
    return {"fact_id": question["fact_id"], **_public(question)}


@dataclass(frozen=True)
class Quiz:
    spec: QuizSpec
    code: str
    title: str
    questions: tuple[Question, ...]

    @property
    def short(self) -> bool:
        """True when the deck gave fewer questions than the code asks for."""
        return len(self.questions) < self.spec.count

    def to_dict(self, with_answers: bool = True) -> dict:
        shape = _graded if with_answers else _public
        return {
            "code": self.code,
            "deck": self.spec.deck_id,
            "title": self.title,
            "seed": self.spec.seed,
            "asked": self.spec.count,
            "count": len(self.questions),
            "kinds": list(self.spec.kinds),
            "questions": [shape(q.to_dict(with_answers)) for q in self.questions],
        }

    def grade(self, answers: list[int | None] | tuple[int | None, ...]) -> Graded:
        """Score one answer (an option number, or None for a blank) per question."""
        if len(answers) != len(self.questions):
            raise SubmissionError(
                f"quiz {self.code} has {len(self.questions)} questions but {len(answers)} answers were sent"
            )
        for n, (a, q) in enumerate(zip(answers, self.questions, strict=True), start=1):
            if a is not None and (isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(q.options)):
                raise SubmissionError(
                    f"answer to question {n} must be an option number from 0 to {len(q.options) - 1}"
                )
        return Graded(self, tuple(answers))


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
                {**_graded(q.to_dict(with_answer=True)), "given_index": a, "correct": ok}
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
        """Remake the quiz of ``code`` and grade ``answers``: one parse, one lookup."""
        return self.from_code(code).grade(answers)
