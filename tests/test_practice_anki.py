"""A learner's practice carried into the real Anki (the official ``anki`` package): each practised card's
review history (revlog), its state (learning, review, relearning), when it comes due, and its FSRS
memory state, after "Import any learning progress"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, State

from quizgen.export.anki import guid
from quizgen.export.anki_progress import apkg_with_progress
from quizgen.practice import PracticeDeck
from quizgen.practice_store import Answer, PracticeStore
from quizgen.storage import Store

anki_collection = pytest.importorskip("anki.collection")
DECK = "link-up-1945"


def test_history_state_due_and_memory_come_through_anki_import(tmp_path, maker):
    deck = PracticeDeck(maker, DECK)
    inner = Store(f"sqlite:///{tmp_path / 'p.db'}")
    store = PracticeStore(inner)
    # Practice that ended just now (the importer counts days from its own "today").
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=10)
    learner = store.learner_id(store.new_learner(start))
    forward = [r for r in deck.cards if r.direction == "forward"]
    reverse = next(r for r in deck.cards if r.direction == "reverse")
    graduated, relearning, learning, new = forward[:4]

    def answer(ref, rating, at):
        row = store.card(learner, ref)
        assert store.record(learner, DECK, Answer(ref, row.reps if row else 0, rating, "choice",
                                                  rating != Rating.Again, 1, "x", 7000 if row else 90_000), at)

    for ref in (graduated, relearning, reverse):
        answer(ref, Rating.Good, start)
        answer(ref, Rating.Good, start + timedelta(minutes=10))
        answer(ref, Rating.Good, start + timedelta(days=3))
    answer(relearning, Rating.Again, now - timedelta(minutes=2))  # a lapse: relearning, due in minutes
    answer(learning, Rating.Good, now - timedelta(minutes=1))  # one learning step done
    cards = store.cards_of(learner, deck)
    reviews = store.reviews_of(learner, deck)
    states = {c.ref: c for c in cards}
    assert states[relearning].memory.state == State.Relearning.value
    assert states[learning].memory.state == State.Learning.value

    package = tmp_path / "mine.apkg"
    package.write_bytes(apkg_with_progress(maker.library, deck, cards, reviews, now, 0.85))
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        options = anki_collection.ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True)
        col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(package), options=options))

        def anki_card(ref, ord_=0):
            nid = col.db.scalar("SELECT id FROM notes WHERE guid = ?", guid(ref.fact_id))
            return next(col.get_card(c) for c in col.find_cards(f"nid:{nid}") if col.get_card(c).ord == ord_)

        g = anki_card(graduated)
        mine = states[graduated]
        assert (g.type, g.queue, g.reps, g.lapses) == (2, 2, 3, 0)
        days_left = round((mine.memory.due - now) / timedelta(days=1))
        assert g.due - col.sched.today == days_left and days_left >= 1
        assert g.ivl == round((mine.memory.due - mine.memory.last_review) / timedelta(days=1))
        assert g.memory_state.stability == pytest.approx(mine.memory.stability, rel=1e-4)
        assert g.desired_retention == pytest.approx(0.85)
        log = col.db.all("SELECT ease, type, ivl, time FROM revlog WHERE cid = ? ORDER BY id", g.id)
        # Two learning steps (-600 s: the next step in ten minutes, then days), one review.
        assert [row[:2] for row in log] == [[3, 0], [3, 0], [3, 1]]
        assert log[0][2] == -600 and log[1][2] >= 1 and log[2][2] == g.ivl
        assert [row[3] for row in log] == [60_000, 7000, 7000]  # Anki's one-minute cap on answer time

        r = anki_card(relearning)
        assert (r.type, r.queue, r.lapses) == (3, 1, 1)
        assert r.due == int(states[relearning].memory.due.timestamp())  # learning steps: a Unix time
        assert col.db.list("SELECT type FROM revlog WHERE cid = ? ORDER BY id", r.id) == [0, 0, 1, 1]
        assert col.db.list("SELECT ease FROM revlog WHERE cid = ? ORDER BY id", r.id)[-1] == 1

        lrn = anki_card(learning)
        assert (lrn.type, lrn.queue, lrn.reps) == (1, 1, 1)
        assert lrn.memory_state.difficulty == pytest.approx(states[learning].memory.difficulty, abs=1e-3)

        # Not practised: new in Anki. The fill-in card and the reverse history have no counterpart.
        assert anki_card(new).type == 0 and anki_card(graduated, 1).type == 0
        assert col.db.scalar("SELECT count() FROM revlog") == 3 + 4 + 1
    finally:
        col.close()
        inner.dispose()
