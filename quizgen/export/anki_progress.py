"""A learner's deck for Anki with their practice carried over: review history and card state.

The package is exactly ``anki.write_package``'s (same notes, GUIDs, decks and note type, so it lands on
the same notes as any other quizgen package), with, for every card the learner has practised:

* its ``revlog`` rows, one per review: time (the row id, in ms), button (1 again … 4 easy), interval,
  previous interval, answer time (capped at Anki's 60 s), kind (learning, review, relearning);
* its state in ``cards``: type and queue (learning, review, relearning), due, interval, reviews, lapses,
  and the FSRS memory state in ``data`` (``s`` stability, ``d`` difficulty, ``dr`` desired retention,
  ``lrt`` last review time), which Anki reads as the card's memory state.

Anki's "Import any learning progress" (the importer's ``with_scheduling``) then keeps both.

Which practice card is which Anki card: the note type (``notetypes``, frozen design) has a Question
card (ord 0, the forward question) and a FillIn card (ord 1, the fill-in sentence, which also asks for
the forward answer). A forward practice card is the Question card. The reverse practice card ("What
happened on …?") has no card in the note type, so its history stays on the site; the FillIn card is new.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fsrs import State

from ..content import Library
from ..practice import CardRef, PracticeDeck, scheduler
from .anki import guid, write_package

ANKI_MAX_ANSWER_MS = 60_000  # Anki caps a review's answer time at a minute
QUESTION_ORD = 0  # the note type's Question card: the forward question
# Anki's card types and queues (schema 11).
_TYPE = {State.Learning.value: 1, State.Review.value: 2, State.Relearning.value: 3}
_QUEUE_LEARN, _QUEUE_REVIEW = 1, 2
# Anki's revlog kinds.
_REVLOG_LEARN, _REVLOG_REVIEW, _REVLOG_RELEARN = 0, 1, 2
_DEFAULT_FACTOR = 2500
ANKI_CREATED = 1411099200  # 2014-09-19 04:00 UTC: genanki's collection date, at Anki's default rollover hour


def progress_filename(deck_id: str) -> str:
    return f"{deck_id}-with-my-progress.apkg"


def apkg_with_progress(library: Library, deck: PracticeDeck, cards: Sequence[Any], reviews: Iterable[Any],
                       now: datetime, retention: float) -> bytes:
    """The deck as .apkg bytes, with the learner's ``cards`` (``practice_store.CardRow``) and
    ``reviews`` (``PracticeReview`` rows, oldest first) written into it as Anki keeps them."""
    with tempfile.TemporaryDirectory(prefix="quizgen-progress-") as scratch:
        base = io.BytesIO()
        write_package(library, deck.deck_id, base)
        database = Path(scratch) / "collection.anki2"
        with zipfile.ZipFile(base) as package:
            database.write_bytes(package.read("collection.anki2"))
            media = package.read("media")
        _add_progress(database, cards, reviews, now, retention)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(database, "collection.anki2")
            package.writestr("media", media)
        return out.getvalue()


def _add_progress(path: Path, cards: Sequence[Any], reviews: Iterable[Any], now: datetime, retention: float) -> None:
    by_card: dict[CardRef, list[Any]] = defaultdict(list)
    for r in reviews:
        by_card[CardRef(r.fact_id, r.direction)].append(r)
    conn = sqlite3.connect(path)
    try:
        # Anki counts review due dates in days since the collection was created, each day starting at
        # the rollover hour (04:00 local by default); the importer moves them by the difference between
        # the two collections' "today", so "due in 3 days" stays so. The package's creation time is put
        # at 04:00 UTC so our day count is Anki's (exact for a UTC machine, within a day elsewhere).
        crt = ANKI_CREATED
        conn.execute("UPDATE col SET crt = ?", (crt,))
        today = (int(now.timestamp()) - crt) // 86400
        anki_ids = dict(conn.execute(
            "SELECT n.guid, c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE c.ord = ?", (QUESTION_ORD,)))
        used_ids: set[int] = set()
        revlog: list[tuple] = []
        updates: list[tuple] = []
        for card in cards:
            if card.ref.direction != "forward":
                continue
            cid = anki_ids.get(guid(card.ref.fact_id))
            if cid is None:
                continue
            history = by_card.get(card.ref, [])
            for r in history:
                revlog.append(_revlog_row(r, cid, used_ids))
            updates.append((*_card_state(card, now, today, retention, history), cid))
        conn.executemany("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", revlog)
        conn.executemany("UPDATE cards SET type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=?, "
                         "data=?, mod=?, usn=-1 WHERE id=?", updates)
        # genanki's collection names no scheduler version, so Anki takes it for the v1 scheduler and
        # shifts learning reviews' buttons up by one (v1 had three); these were answered under v3.
        conf_json, dconf_json = conn.execute("SELECT conf, dconf FROM col").fetchone()
        conf = json.loads(conf_json)
        conf["schedVer"] = 2
        # The preset the package brings asks for the learner's own desired retention.
        dconf = json.loads(dconf_json)
        for preset in dconf.values():
            preset["desiredRetention"] = retention
        conn.execute("UPDATE col SET conf = ?, dconf = ?", (json.dumps(conf), json.dumps(dconf)))
        conn.commit()
    finally:
        conn.close()


def _days(delta: timedelta) -> int:
    return max(0, round(delta / timedelta(days=1)))


def _interval(state: int, due: datetime, at: datetime) -> int:
    """Anki's revlog interval: days for a review card, negative seconds for a learning step."""
    if state == State.Review.value:
        return max(1, _days(due - at))
    return -max(1, int((due - at).total_seconds()))


def _revlog_row(r: Any, cid: int, used: set[int]) -> tuple:
    ms = int(r.reviewed_at.timestamp() * 1000)
    while ms in used:  # the row id is the review time in ms, and must be unique
        ms += 1
    used.add(ms)
    ivl = _interval(r.state_after, r.due_after, r.reviewed_at)
    last = 0 if r.state_before is None else _interval(r.state_before, r.due_before, r.last_review_before)
    kind = {None: _REVLOG_LEARN, State.Learning.value: _REVLOG_LEARN, State.Review.value: _REVLOG_REVIEW,
            State.Relearning.value: _REVLOG_RELEARN}[r.state_before]
    factor = round(r.difficulty_after * 100)  # as Anki's FSRS keeps it: difficulty × 100
    return (ms, cid, -1, int(r.rating), ivl, last, factor, min(r.response_ms, ANKI_MAX_ANSWER_MS), kind)


def _card_state(card: Any, now: datetime, today: int, retention: float, history: Sequence[Any]) -> tuple:
    m = card.memory
    ctype = _TYPE[m.state]
    if m.state == State.Review.value:
        queue, due = _QUEUE_REVIEW, today + _days(m.due - now) if m.due > now else today - _days(now - m.due)
        ivl, left = max(1, _days(m.due - m.last_review)), 0
    else:
        # Learning and relearning steps: due is a Unix time; left is the steps still to go.
        steps = scheduler(retention).learning_steps if m.state == State.Learning.value else \
            scheduler(retention).relearning_steps
        queue, due = _QUEUE_LEARN, int(m.due.timestamp())
        left = max(1, len(steps) - (m.step or 0))
        ivl = 0 if m.state == State.Learning.value else max(1, _last_review_interval(history))
    data = json.dumps({"s": round(m.stability, 4), "d": round(m.difficulty, 4), "dr": retention,
                       "lrt": int(m.last_review.timestamp())}, separators=(",", ":"))
    return (ctype, queue, due, ivl, _DEFAULT_FACTOR, card.reps, card.lapses, left, data,
            int(m.last_review.timestamp()))


def _last_review_interval(history: Sequence[Any]) -> int:
    """A relearning card's interval: the one it had as a review card before it lapsed."""
    for r in reversed(history):
        if r.state_before == State.Review.value:
            return _days(r.due_before - r.last_review_before)
    return 1
