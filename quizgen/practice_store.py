"""Practice state in the assignments' database: learners, their cards' FSRS state, and every review.

Tables (made by migration 0003): ``practice_learners`` (a learner is the hash of their code),
``practice_cards`` (one row per learner, fact and direction: the FSRS memory state; a fact in two decks
is one card) and ``practice_reviews`` (every answer: card, rating, time, mode, option chosen or text
typed, response time, and the card's state before and after, from which Anki's revlog is written and
an "easy"/"hard" correction is recomputed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Rating, State
from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from .errors import SubmissionError
from .practice import (
    DESIRED_RETENTION,
    LEARN_AHEAD,
    MAX_RESPONSE_MS,
    MAX_TYPED,
    NEW_PER_DAY,
    CardRef,
    MemoryState,
    PracticeDeck,
    check_retention,
    code_hash,
    day_start,
    learner_code,
    normalise_code,
    review,
)
from .storage import Store
from .storage.models import UTCDateTime

MAX_FACT_ID = 80
MAX_DECK_ID = 80


class Base(DeclarativeBase):
    pass


class Learner(Base):
    __tablename__ = "practice_learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex: the code itself is never stored
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retention: Mapped[float] = mapped_column(Float)  # the desired retention this learner chose


class PracticeCard(Base):
    __tablename__ = "practice_cards"
    __table_args__ = (
        UniqueConstraint("learner_id", "fact_id", "direction", name="uq_practice_cards_learner_fact_direction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("practice_learners.id", ondelete="CASCADE"))
    fact_id: Mapped[str] = mapped_column(String(MAX_FACT_ID))
    direction: Mapped[str] = mapped_column(String(8))
    deck_id: Mapped[str] = mapped_column(String(MAX_DECK_ID))  # the deck it was first met in: the daily new limit
    state: Mapped[int] = mapped_column(SmallInteger)  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    stability: Mapped[float] = mapped_column(Float)
    difficulty: Mapped[float] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime] = mapped_column(UTCDateTime)
    introduced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)


class PracticeReview(Base):
    __tablename__ = "practice_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("practice_cards.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(Integer, index=True)
    deck_id: Mapped[str] = mapped_column(String(MAX_DECK_ID))  # the deck practised when it was answered
    fact_id: Mapped[str] = mapped_column(String(MAX_FACT_ID), index=True)  # the teacher's list: per fact
    direction: Mapped[str] = mapped_column(String(8))
    rating: Mapped[int] = mapped_column(SmallInteger)  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(8))  # "choice" or "typed"
    correct: Mapped[bool] = mapped_column(Boolean)
    chosen: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # the option index picked
    given: Mapped[str] = mapped_column(String(MAX_TYPED))  # the option's text, or what was typed
    response_ms: Mapped[int] = mapped_column(Integer)
    # The card before (state None: it was new) and after this review.
    state_before: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    step_before: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    stability_before: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty_before: Mapped[float | None] = mapped_column(Float, nullable=True)
    due_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_review_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state_after: Mapped[int] = mapped_column(SmallInteger)
    stability_after: Mapped[float] = mapped_column(Float)
    difficulty_after: Mapped[float] = mapped_column(Float)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_practice_cards_learner_due", PracticeCard.learner_id, PracticeCard.due)


@dataclass(frozen=True)
class CardRow:
    id: int
    ref: CardRef
    memory: MemoryState
    reps: int
    lapses: int
    introduced_at: datetime
    deck_id: str


@dataclass(frozen=True)
class Next:
    """What the session shows next: a card (``row`` None: a new card), or nothing (``card`` None)."""

    card: CardRef | None
    row: CardRow | None
    new: bool
    next_due: datetime | None  # with nothing to show: when the next card of the deck comes due


@dataclass(frozen=True)
class Answer:
    """One answer to record."""

    ref: CardRef
    expected_reps: int  # the card's reps when its page was shown: a resent form records nothing
    rating: Rating
    mode: str
    correct: bool
    chosen: int | None
    given: str
    response_ms: int


def _memory(row: PracticeCard) -> MemoryState:
    return MemoryState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)


def _card_row(row: PracticeCard) -> CardRow:
    return CardRow(row.id, CardRef(row.fact_id, row.direction), _memory(row), row.reps, row.lapses,
                   row.introduced_at, row.deck_id)


# The columns the next-card choice needs, read as plain tuples (no ORM objects: it is the hot path).
_NEXT_COLUMNS = (PracticeCard.id, PracticeCard.fact_id, PracticeCard.direction, PracticeCard.state,
                 PracticeCard.step, PracticeCard.stability, PracticeCard.difficulty, PracticeCard.due,
                 PracticeCard.last_review, PracticeCard.introduced_at, PracticeCard.deck_id, PracticeCard.reps,
                 PracticeCard.lapses)


class epoch(FunctionElement):
    """A stored time as Unix seconds (a float), computed by the database: no datetime is parsed in
    Python for the hundreds of rows the next-card scan reads (parsing them was half its cost)."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"


# Statements built once: building one costs more than running it on SQLite (the profile of a simulated class).
_LEARNER_CARDS = select(*_NEXT_COLUMNS).where(PracticeCard.learner_id == bindparam("learner_id"))
_SCAN = select(PracticeCard.id, PracticeCard.fact_id, PracticeCard.direction, PracticeCard.state,
               PracticeCard.stability, epoch(PracticeCard.due), epoch(PracticeCard.last_review),
               epoch(PracticeCard.introduced_at), PracticeCard.deck_id,
               ).where(PracticeCard.learner_id == bindparam("learner_id"))
_BY_ID = select(*_NEXT_COLUMNS).where(PracticeCard.id == bindparam("card_id"))
# Times from the database's arithmetic are within microseconds; a card due "now" is due.
_EPOCH_SLACK = 0.001
_ONE_CARD = _LEARNER_CARDS.where(PracticeCard.fact_id == bindparam("fact_id"),
                                 PracticeCard.direction == bindparam("direction"))
_INSERT_CARD = insert(PracticeCard)
_UPDATE_CARD = update(PracticeCard).where(PracticeCard.id == bindparam("card_id")).values(
    {name: bindparam(name) for name in ("state", "step", "stability", "difficulty", "due", "last_review",
                                        "reps", "lapses")})
_INSERT_REVIEW = insert(PracticeReview)


def _from_columns(row: tuple) -> CardRow:
    (id_, fact_id, direction, state, step, stability, difficulty, due, last_review, introduced_at, deck_id,
     reps, lapses) = row
    return CardRow(id_, CardRef(fact_id, direction),
                   MemoryState(state, step, stability, difficulty, due, last_review), reps, lapses,
                   introduced_at, deck_id)


class PracticeStore:
    """Learners, cards and reviews in one ``Store`` (the assignments' database)."""

    def __init__(self, store: Store):
        self.store = store

    # ---- learners -------------------------------------------------------------------------

    def new_learner(self, now: datetime) -> str:
        """A new learner; returns their code (shown once on the page and kept in a cookie)."""
        code = learner_code()
        with self.store.writing() as session:
            session.add(Learner(code_hash=code_hash(code), created_at=now, retention=DESIRED_RETENTION))
        return code

    def retention(self, learner_id: int) -> float:
        with self.store.reading() as session:
            return session.get_one(Learner, learner_id).retention

    def set_retention(self, learner_id: int, retention: float) -> None:
        """From now on; cards already scheduled keep their due dates until their next review."""
        with self.store.writing() as session:
            session.get_one(Learner, learner_id).retention = check_retention(retention)

    def learner_id(self, code: str | None) -> int | None:
        """The learner with this code, or None (an unknown, malformed or missing code)."""
        canonical = normalise_code(code or "")
        if canonical is None:
            return None
        with self.store.reading() as session:
            return session.scalar(select(Learner.id).where(Learner.code_hash == code_hash(canonical)))

    # ---- the session --------------------------------------------------------------------

    def next_card(self, learner_id: int, deck: PracticeDeck, now: datetime, new_per_day: int = NEW_PER_DAY) -> Next:
        """Due cards first (learning steps, then lowest retrievability), then new cards under the daily
        limit, then a learning step due within ``LEARN_AHEAD``; else nothing, with the next due time."""
        now_ts = now.timestamp()
        today_ts = day_start(now).timestamp()
        ahead_ts = now_ts + LEARN_AHEAD.total_seconds()
        keys = deck.card_keys
        seen: set[tuple[str, str]] = set()
        learning_due: list[tuple[float, int]] = []
        review_due: list[tuple[float, int]] = []
        ahead: list[tuple[float, int]] = []
        next_due: float | None = None
        introduced_today = 0
        review_state = State.Review.value
        with self.store.engine.connect() as conn:
            rows = conn.execute(_SCAN, {"learner_id": learner_id}).all()
            for id_, fact_id, direction, state, stability, due, last_review, introduced_at, deck_id in rows:
                key = (fact_id, direction)
                if key not in keys:
                    continue
                seen.add(key)
                if deck_id == deck.deck_id and introduced_at >= today_ts - _EPOCH_SLACK:
                    introduced_today += 1
                if due <= now_ts + _EPOCH_SLACK:
                    if state == review_state:
                        # Retrievability falls as elapsed time over stability rises: the largest first.
                        review_due.append(((last_review - now_ts) / stability, id_))
                    else:
                        learning_due.append((due, id_))
                else:
                    if state != review_state and due <= ahead_ts:
                        ahead.append((due, id_))
                    if next_due is None or due < next_due:
                        next_due = due
            chosen = None
            if learning_due:
                chosen = min(learning_due)[1]
            elif review_due:
                chosen = min(review_due)[1]
            elif introduced_today < new_per_day and len(seen) < len(keys):
                for ref in deck.cards:
                    if (ref.fact_id, ref.direction) not in seen:
                        return Next(ref, None, True, None)
            if chosen is None and ahead:
                chosen = min(ahead)[1]
            if chosen is not None:
                card = _from_columns(tuple(conn.execute(_BY_ID, {"card_id": chosen}).one()))
                return Next(card.ref, card, False, None)
        return Next(None, None, False, None if next_due is None else datetime.fromtimestamp(next_due, UTC))

    def card(self, learner_id: int, ref: CardRef) -> CardRow | None:
        with self.store.engine.connect() as conn:
            found = conn.execute(_ONE_CARD, {"learner_id": learner_id, "fact_id": ref.fact_id,
                                             "direction": ref.direction}).first()
        return None if found is None else _from_columns(tuple(found))

    def record(self, learner_id: int, deck_id: str, answer: Answer, now: datetime,
               retention: float = DESIRED_RETENTION) -> int | None:
        """Store one answer and move its card; the review's id, or None when the form was stale (the
        card has been answered since its page was shown, say a form sent twice)."""
        # Core statements, not ORM objects: a class answering at once is this, hundreds of times a second.
        with self.store.writing() as session:
            conn = session.connection()
            found = conn.execute(_ONE_CARD, {"learner_id": learner_id, "fact_id": answer.ref.fact_id,
                                             "direction": answer.ref.direction}).first()
            card = None if found is None else _from_columns(tuple(found))
            if (0 if card is None else card.reps) != answer.expected_reps:
                return None
            before = None if card is None else card.memory
            after = review(before, answer.rating, now, retention)
            lapse = before is not None and before.state == State.Review.value and answer.rating == Rating.Again
            state = {"state": after.state, "step": after.step, "stability": after.stability,
                     "difficulty": after.difficulty, "due": after.due, "last_review": after.last_review}
            if card is None:
                card_id = conn.execute(_INSERT_CARD, dict(
                    learner_id=learner_id, fact_id=answer.ref.fact_id, direction=answer.ref.direction,
                    deck_id=deck_id, introduced_at=now, reps=1, lapses=0, **state)).inserted_primary_key[0]
            else:
                card_id = card.id
                conn.execute(_UPDATE_CARD, dict(card_id=card_id, reps=card.reps + 1, lapses=card.lapses + lapse,
                                                **state))
            return conn.execute(_INSERT_REVIEW, _BEFORE_NONE | _before(before) | dict(
                card_id=card_id, learner_id=learner_id, deck_id=deck_id, fact_id=answer.ref.fact_id,
                direction=answer.ref.direction, rating=int(answer.rating), reviewed_at=now, mode=answer.mode,
                correct=answer.correct, chosen=answer.chosen, given=answer.given[:MAX_TYPED],
                response_ms=max(0, min(answer.response_ms, MAX_RESPONSE_MS)),
                **_after(after))).inserted_primary_key[0]

    def amend(self, learner_id: int, review_id: int, rating: Rating, retention: float = DESIRED_RETENTION) -> bool:
        """Change a right answer's rating to Hard or Easy ("that was hard / easy"), and the card with it.

        Only the card's latest review, and only a right one: an earlier review has later ones built on it.
        """
        if rating not in (Rating.Hard, Rating.Good, Rating.Easy):
            raise SubmissionError("only a right answer can be marked easy or hard")
        with self.store.writing() as session:
            entry = session.get(PracticeReview, review_id)
            if entry is None or entry.learner_id != learner_id or not entry.correct:
                return False
            latest = session.scalar(select(func.max(PracticeReview.id)).where(PracticeReview.card_id == entry.card_id))
            if latest != entry.id:
                return False
            row = session.get_one(PracticeCard, entry.card_id)
            before = None
            if entry.state_before is not None:
                before = MemoryState(entry.state_before, entry.step_before, entry.stability_before,  # type: ignore[arg-type]
                                     entry.difficulty_before, entry.due_before, entry.last_review_before)  # type: ignore[arg-type]
            after = review(before, rating, entry.reviewed_at, retention)
            _apply(row, after)
            entry.rating = int(rating)
            for name, value in _after(after).items():
                setattr(entry, name, value)
            return True

    def review_entry(self, learner_id: int, review_id: int) -> PracticeReview | None:
        with self.store.reading() as session:
            entry = session.get(PracticeReview, review_id)
            if entry is None or entry.learner_id != learner_id:
                return None
            session.expunge(entry)
            return entry

    def reps_before(self, entry: PracticeReview) -> int:
        """How many times the card had been answered before this review (its page's seed)."""
        with self.store.reading() as session:
            return session.scalar(select(func.count()).where(PracticeReview.card_id == entry.card_id,
                                                             PracticeReview.id < entry.id)) or 0

    # ---- progress -----------------------------------------------------------------------

    def cards_of(self, learner_id: int, deck: PracticeDeck) -> list[CardRow]:
        with self.store.reading() as session:
            rows = session.scalars(select(PracticeCard).where(PracticeCard.learner_id == learner_id)).all()
            return [_card_row(r) for r in rows if CardRef(r.fact_id, r.direction) in deck.card_set]

    def reviews_of(self, learner_id: int, deck: PracticeDeck | None = None) -> list[PracticeReview]:
        """The learner's reviews, oldest first (of the deck's cards only, when given)."""
        with self.store.reading() as session:
            rows = session.scalars(select(PracticeReview).where(PracticeReview.learner_id == learner_id)
                                   .order_by(PracticeReview.id)).all()
            session.expunge_all()
        if deck is not None:
            rows = [r for r in rows if CardRef(r.fact_id, r.direction) in deck.card_set]
        return list(rows)

    def forgotten(self, deck: PracticeDeck) -> list[FactLapses]:
        """Per fact of the deck, every learner's reviews: how many, how many wrong, how many lapses
        (a card that had graduated to review, forgotten); most forgotten first."""
        facts = list(deck.facts)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        with self.store.reading() as session:
            rows = session.execute(
                select(PracticeReview.fact_id, PracticeReview.rating, PracticeReview.state_before,
                       PracticeReview.learner_id)
                .where(PracticeReview.fact_id.in_(facts))).all()
        learners: dict[str, set[int]] = defaultdict(set)
        for fact_id, rating, state_before, learner in rows:
            c = counts[fact_id]
            c[0] += 1
            c[1] += rating == Rating.Again
            c[2] += rating == Rating.Again and state_before == State.Review.value
            learners[fact_id].add(learner)
        out = [FactLapses(f, c[0], c[1], c[2], len(learners[f])) for f, c in counts.items()]
        out.sort(key=lambda x: (-x.lapse_rate, -x.wrong_rate, -x.reviews, x.fact_id))
        return out


@dataclass(frozen=True)
class FactLapses:
    fact_id: str
    reviews: int
    wrong: int
    lapses: int
    learners: int

    @property
    def lapse_rate(self) -> float:
        return self.lapses / self.reviews if self.reviews else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.reviews if self.reviews else 0.0


def _apply(row: PracticeCard, after: MemoryState) -> None:
    row.state, row.step, row.stability, row.difficulty = after.state, after.step, after.stability, after.difficulty
    row.due, row.last_review = after.due, after.last_review


# One insert statement for every review: a new card's review names its (empty) "before" columns too.
_BEFORE_NONE = dict.fromkeys(("state_before", "step_before", "stability_before", "difficulty_before", "due_before",
                              "last_review_before"))


def _before(before: MemoryState | None) -> dict:
    if before is None:
        return {}
    return {"state_before": before.state, "step_before": before.step, "stability_before": before.stability,
            "difficulty_before": before.difficulty, "due_before": before.due,
            "last_review_before": before.last_review}


def _after(after: MemoryState) -> dict:
    return {"state_after": after.state, "stability_after": after.stability, "difficulty_after": after.difficulty,
            "due_after": after.due}


def due_calendar(cards: Iterable[CardRow], now: datetime, days: int) -> list[int]:
    """Cards coming due on each of the next ``days`` days (UTC); anything overdue counts for today."""
    today = day_start(now)
    counts = [0] * days
    for card in cards:
        n = max(0, (card.memory.due - today) // timedelta(days=1))
        if n < days:
            counts[n] += 1
    return counts


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
