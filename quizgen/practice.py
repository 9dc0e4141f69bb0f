"""Practice with spaced repetition: which cards a deck gives, what each one asks, how an answer moves it.

The only module of the practice feature that talks to the question engine (``quizgen.questions``,
``quizgen.quiz``): when the engine changes, this adapter is what to re-point. Scheduling is the
``fsrs`` package (FSRS-6, its default parameters); storage is ``quizgen.practice_store``.

A card is one direction of one fact, as in Anki: *forward* asks for the fact's answer ("When did …?"),
*reverse* gives the answer and asks for the event or role ("What happened on …?"). A card is asked as
multiple choice until its stability passes ``TYPED_RECALL_STABILITY`` days; from then on a forward card
is asked as typed recall (a text box), which needs the answer remembered rather than recognised. Reverse
answers are descriptions nobody types word for word, so a reverse card stays multiple choice.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from .citations import Citation
from .dates import Precision
from .distractors import normalise_option
from .errors import QuestionError, SubmissionError
from .models import DateFact, Fact, PersonFact, QuantityFact
from .questions import (
    Question,
    answer_display,
    attribute,
    make_question,
    option_text,
    reverse_answer,
    stem_text,
    supported_templates,
)
from .quiz import QuizMaker

# Every practice limit, defined once.
DESIRED_RETENTION = 0.9  # FSRS's default: a card comes back when the chance of recalling it falls to 90 %
MIN_RETENTION = 0.70  # below this FSRS schedules so far apart that most answers are forgotten
MAX_RETENTION = 0.97  # above this the reviews a day grow without bound for little gain
NEW_PER_DAY = 20  # new cards a learner meets per deck per day (Anki's default)
MAX_NEW_PER_DAY = 200
TYPED_RECALL_STABILITY = 7.0  # days of stability after which a forward card is asked as typed recall
LEARN_AHEAD = timedelta(minutes=20)  # with nothing else left, a learning step due this soon is shown early
MAX_RESPONSE_MS = 60 * 60 * 1000  # a longer "response time" is a tab left open: stored as this
MAX_TYPED = 200  # characters of a typed answer kept
MAX_STABILITY = 36500.0  # days: fsrs-rs (Anki's FSRS) caps stability here; py-fsrs does not, so we do
FUZZ = False  # no random spread of due dates: the same answers give the same schedule everywhere
DIRECTIONS = ("forward", "reverse")
STATE_NAMES = {State.Learning.value: "learning", State.Review.value: "review", State.Relearning.value: "relearning"}
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


@dataclass(frozen=True)
class CardRef:
    """One direction of one fact."""

    fact_id: str
    direction: str

    @property
    def key(self) -> str:
        return f"{self.fact_id}:{self.direction}"

    @classmethod
    def parse(cls, key: str | None) -> CardRef:
        fact_id, _, direction = (key or "").partition(":")
        if not fact_id or direction not in DIRECTIONS:
            raise SubmissionError("the form names no card of this deck; reload the practice page")
        return cls(fact_id, direction)


@dataclass(frozen=True)
class MemoryState:
    """Where FSRS has a card: its state (fsrs.State value), learning step, stability, difficulty and times."""

    state: int
    step: int | None
    stability: float
    difficulty: float
    due: datetime
    last_review: datetime

    def retrievability(self, now: datetime, retention: float = DESIRED_RETENTION) -> float:
        """The chance of recalling the card at ``now``, by FSRS's forgetting curve."""
        return scheduler(retention).get_card_retrievability(self.card(), now)

    def card(self) -> Card:
        # A card_id given: without one fsrs sleeps a millisecond to make its ids unique.
        return Card(card_id=0, state=State(self.state), step=self.step, stability=self.stability,
                    difficulty=self.difficulty, due=self.due, last_review=self.last_review)


@functools.lru_cache(maxsize=64)
def scheduler(retention: float = DESIRED_RETENTION, fuzz: bool = FUZZ) -> Scheduler:
    """FSRS with its default parameters and learning steps (1 and 10 minutes, relearning 10 minutes)."""
    return Scheduler(desired_retention=retention, enable_fuzzing=fuzz)


def check_retention(value: float) -> float:
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise SubmissionError(f"desired retention must be from {MIN_RETENTION:.2f} to {MAX_RETENTION:.2f}, "
                              f"not {value}; 0.90 is FSRS's default")
    return round(value, 2)


def review(before: MemoryState | None, rating: Rating, now: datetime,
           retention: float = DESIRED_RETENTION) -> MemoryState:
    """The card's state after one answer at ``now`` (``before`` None: a new card)."""
    card = Card(card_id=0, due=now) if before is None else before.card()
    after, _ = scheduler(retention).review_card(card, rating, now)
    assert after.stability is not None and after.difficulty is not None and after.last_review is not None
    # Capped as the reference implementation caps it, so both agree on every later review too.
    stability = min(after.stability, MAX_STABILITY)
    return MemoryState(after.state.value, after.step, stability, after.difficulty, after.due, after.last_review)


@dataclass(frozen=True)
class Prompt:
    """What one practice page asks: multiple choice (``options``) or typed recall (no options)."""

    ref: CardRef
    mode: str  # "choice" or "typed"
    stem: str
    options: tuple[str, ...]
    answer: str
    answer_index: int | None
    citation: Citation
    topic: str


def _seed(*parts: object) -> random.Random:
    # Seeded from a hash, not hash(): the page and its answer, on any server process, ask the same question.
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


class PracticeDeck:
    """A deck's cards in the order new ones are met (important facts first), and what each one asks."""

    def __init__(self, maker: QuizMaker, deck_id: str):
        self.maker = maker
        self.library = maker.library
        self.deck = self.library.deck(deck_id)  # UnknownDeckError for an unknown deck
        self.deck_id = deck_id
        facts = self.library.deck_facts(deck_id)
        drawable = [facts[i] for i in maker.drawable(deck_id)]
        self.facts: dict[str, Fact] = {f.id: f for f in drawable}
        # Important facts first, then the deck's own order; every forward card before any reverse one,
        # so a learner meets a fact's answer before being asked the other way round.
        ordered = sorted(drawable, key=lambda f: -f.importance)
        self._templates: dict[CardRef, tuple[str, ...]] = {}
        for direction in DIRECTIONS:
            for fact in ordered:
                usable = self._usable(fact, direction)
                if usable:
                    self._templates[CardRef(fact.id, direction)] = usable
        self.cards: tuple[CardRef, ...] = tuple(self._templates)
        self.card_set = frozenset(self.cards)
        # The same as (fact id, direction) tuples: hashed in C, for the next-card scan over stored rows.
        self.card_keys = frozenset((r.fact_id, r.direction) for r in self.cards)
        # What a page's form names its card by: not the fact id, which the public .apkg would answer.
        self._tokens = {ref: hashlib.sha256(f"{deck_id}\x1f{ref.key}".encode()).hexdigest()[:16] for ref in self.cards}
        self._by_token = {token: ref for ref, token in self._tokens.items()}

    def _usable(self, fact: Fact, direction: str) -> tuple[str, ...]:
        # The templates that give a sound multiple-choice question for this direction; a forward card
        # whose fact has too few wrong options falls back to true/false.
        wanted = ("forward", "true_false") if direction == "forward" else ("reverse",)
        usable = []
        for template in wanted:
            if template not in supported_templates(fact):
                continue
            try:
                self._question(fact, template, _seed("practice-check", fact.id, template))
            except QuestionError:
                continue
            usable.append(template)
        return tuple(usable[:1]) if direction == "reverse" else tuple(usable)

    def _question(self, fact: Fact, template: str, rng: random.Random) -> Question:
        return make_question(fact, template, self.library.source_of(fact), self.library.topics[fact.id],
                             self.maker.index, rng)

    def token(self, ref: CardRef) -> str:
        return self._tokens[ref]

    def ref_of(self, token: str | None) -> CardRef:
        """The card a form names; a token from before a content change (or made up) is a plain 400."""
        ref = self._by_token.get(token or "")
        if ref is None:
            raise SubmissionError("the form names no card of this deck (its content may have changed); "
                                  "reload the practice page")
        return ref

    def fact(self, ref: CardRef) -> Fact:
        return self.facts[ref.fact_id]

    def topic(self, ref: CardRef) -> str:
        return self.library.topics[ref.fact_id]

    def citation(self, ref: CardRef) -> Citation:
        fact = self.fact(ref)
        return Citation.of(fact, self.library.source_of(fact))

    def mode(self, ref: CardRef, memory: MemoryState | None, threshold: float = TYPED_RECALL_STABILITY) -> str:
        """The recall ladder: multiple choice first; typed recall for a forward card in review (not in its
        learning steps) whose stability has reached ``threshold`` days."""
        if (ref.direction == "forward" and memory is not None and memory.state == State.Review.value
                and memory.stability >= threshold):
            return "typed"
        return "choice"

    def prompt(self, ref: CardRef, seed: object, mode: str = "choice") -> Prompt:
        """The page for ``ref``; the same ``seed`` gives the same options in the same order."""
        if ref not in self.card_set:
            raise SubmissionError("that card is not in this deck; reload the practice page")
        fact = self.fact(ref)
        source = self.library.source_of(fact)
        if mode == "typed":
            stem = attribute(stem_text(fact, "forward"), fact, source)
            return Prompt(ref, "typed", stem, (), option_text(answer_display(fact)), None, Citation.of(fact, source), self.topic(ref))
        rng = _seed("practice", seed, ref.key)
        for template in self._templates[ref]:
            try:
                q = self._question(fact, template, rng)
            except QuestionError:  # this draw found too few options: the fixed draw that was checked will do
                q = self._question(fact, template, _seed("practice-check", fact.id, template))
            return Prompt(ref, "choice", q.stem, q.options, q.answer, q.answer_index, q.citation, q.topic)
        raise QuestionError(f"fact {fact.id}: no question for its {ref.direction} card")  # pragma: no cover

    def answer_of(self, ref: CardRef) -> str:
        """The card's answer as it stands among options ("The Elbe River")."""
        fact = self.fact(ref)
        return option_text(answer_display(fact) if ref.direction == "forward" else reverse_answer(fact))

    def question_of(self, ref: CardRef) -> str:
        """The card's question without options, as typed recall asks it (for the teacher's list)."""
        fact = self.fact(ref)
        return attribute(stem_text(fact, "forward"), fact, self.library.source_of(fact))

    def accepts(self, ref: CardRef, typed: str) -> bool:
        """Whether a typed answer is the fact's answer: compared after normalisation, ``also_true`` forms
        count, a date in any common writing ("25 April 1945", "April 25, 1945", "1945-04-25"), a person's
        surname, a number without its measure."""
        return typed_matches(self.fact(ref), typed)


_MONTHS = {name: n for n, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")], start=1) for name in names}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def _date_parts(text: str) -> tuple[int | None, int | None, int | None] | None:
    """(year, month, day) of a typed date, or None when it is not one."""
    text = text.strip().casefold()
    iso = _ISO.match(text)
    if iso:
        return int(iso[1]), int(iso[2]) if iso[2] else None, int(iso[3]) if iso[3] else None
    words = re.findall(r"[a-z]+|\d+", text)
    year = month = day = None
    for word in words:
        if word.isdigit():
            if len(word) == 4 and year is None:
                year = int(word)
            elif len(word) <= 2 and day is None:
                day = int(word)
            else:
                return None
        elif word in _MONTHS and month is None:
            month = _MONTHS[word]
        elif word not in ("of", "the", "st", "nd", "rd", "th", "on", "in"):
            return None
    return (year, month, day) if year is not None else None


def typed_matches(fact: Fact, typed: str) -> bool:
    typed = typed[:MAX_TYPED]
    given = normalise_option(typed)
    if not given:
        return False
    forms = {normalise_option(answer_display(fact)), normalise_option(fact.answer_text()),
             *(normalise_option(a) for a in fact.also_true)}
    if given in forms:
        return True
    if isinstance(fact, DateFact):
        parts = _date_parts(typed)
        if parts is None:
            return False
        d, precision = fact.date.value, fact.date.precision
        wanted = (d.year, d.month if precision is not Precision.YEAR else None,
                  d.day if precision is Precision.DAY else None)
        return parts == wanted
    if isinstance(fact, PersonFact):
        words = normalise_option(fact.name).split()
        return len(words) > 1 and len(words[-1]) > 2 and given == words[-1]
    if isinstance(fact, QuantityFact):
        number = given.replace(",", "")
        return bool(_NUMBER.match(number)) and float(number) == float(fact.value)
    return False


def learner_code(rng: random.Random | None = None) -> str:
    """A new learner code: 12 characters (60 random bits) without look-alikes, as XXXX-XXXX-XXXX."""
    import secrets

    pick = rng.choice if rng else secrets.choice
    chars = "".join(pick(CODE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
_CODE_FOLD = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def normalise_code(code: str) -> str | None:
    """A learner code as typed (any case, spaces or dashes, O for 0) in its canonical form, or None."""
    chars = re.sub(r"[\s\-_.]", "", (code or "")[:40]).upper().translate(_CODE_FOLD)
    if len(chars) != 12 or any(c not in CODE_ALPHABET for c in chars):
        return None
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def day_start(now: datetime) -> datetime:
    """The start of ``now``'s day (UTC): the daily new-card limit counts from here."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
