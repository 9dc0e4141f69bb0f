"""Practice with spaced repetition: the schedule against the reference, the session's order, the recall
ladder, learners, the pages' answers to bad requests, the teacher's list, and a simulated class."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, State

from quizgen.content import bundled_root
from quizgen.practice import (
    DESIRED_RETENTION,
    MemoryState,
    PracticeDeck,
    normalise_code,
    review,
    typed_matches,
)
from quizgen.practice_store import Answer, PracticeStore, due_calendar
from quizgen.storage import Store

DECK = "link-up-1945"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url) -> PracticeStore:
    """The practice tables on SQLite, then on PostgreSQL (conftest's ``database_url``)."""
    s = Store(database_url)
    yield PracticeStore(s)
    s.dispose()


@pytest.fixture(scope="module")
def deck(maker) -> PracticeDeck:
    return PracticeDeck(maker, DECK)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site(tmp_path):
    from quizgen.webapp import create_app

    clock = Clock(T0)
    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}", "PRACTICE_NOW": clock,
                      "PRACTICE_NEW_PER_DAY": 3})
    return app, app.test_client(), clock


# ---- the schedule is FSRS's --------------------------------------------------------------------


def test_same_logs_give_the_same_memory_and_due_dates_as_fsrs_rs():
    """Random review logs (learning steps the same day, reviews days apart, late reviews) through our
    scheduler (py-fsrs) and through the Rust reference (fsrs-rs-python): the same stability, difficulty
    and, for every card in review, the same interval in days. Fuzz is off."""
    fsrs_rs = pytest.importorskip("fsrs_rs_python")
    reference = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS)
    rng = random.Random(5)
    compared = intervals = 0
    for _ in range(200):
        now, memory, log = T0, None, []
        for _ in range(rng.randint(2, 12)):
            rating = rng.choices(list(Rating), weights=[2, 1, 6, 1])[0]
            memory = review(memory, rating, now)
            log.append((now, int(rating)))
            reviews = [fsrs_rs.FSRSReview(r, 0 if i == 0 else (t - log[i - 1][0]).days)
                       for i, (t, r) in enumerate(log)]
            expected = reference.memory_state(fsrs_rs.FSRSItem(reviews), None)
            assert memory.stability == pytest.approx(expected.stability, rel=2e-4)
            assert memory.difficulty == pytest.approx(expected.difficulty, rel=2e-4)
            compared += 1
            if memory.state == State.Review.value:
                days = (memory.due - now) / timedelta(days=1)
                wanted = max(1, round(reference.next_interval(expected.stability, DESIRED_RETENTION, 3)))
                assert days == wanted
                intervals += 1
            # Answer when due, sometimes days late.
            now = max(memory.due, now + timedelta(minutes=1)) + timedelta(days=rng.choice([0, 0, 0, 1, 3]))
    assert compared > 1000 and intervals > 500


def test_desired_retention_changes_the_interval():
    good = review(review(None, Rating.Good, T0), Rating.Good, T0 + timedelta(minutes=10))
    later = review(good, Rating.Good, good.due, 0.9)
    sooner = review(good, Rating.Good, good.due, 0.95)
    assert sooner.due < later.due
    assert sooner.stability == pytest.approx(later.stability)


# ---- the session's order ------------------------------------------------------------------------


def _answer(store, learner, deck, ref, rating, now, reps=None) -> int | None:
    row = store.card(learner, ref)
    reps = (row.reps if row else 0) if reps is None else reps
    ok = rating != Rating.Again
    return store.record(learner, deck.deck_id, Answer(ref, reps, rating, "choice", ok, 0, "x", 2500), now)


def test_due_cards_come_first_lowest_retrievability_first_then_new_under_the_daily_limit(store, deck):
    learner = store.learner_id(store.new_learner(T0))
    first, second, third = deck.cards[:3]
    # Three cards graduate on day 0; "second" with Easy (a long interval), "third" with Hard.
    for ref, rating in ((first, Rating.Good), (second, Rating.Easy), (third, Rating.Hard)):
        _answer(store, learner, deck, ref, rating, T0)
        while store.card(learner, ref).memory.state != State.Review.value:
            _answer(store, learner, deck, ref, Rating.Good, store.card(learner, ref).memory.due)
    # New cards under the limit of 3 a day: three met today, so nothing new until tomorrow.
    nxt = store.next_card(learner, deck, T0 + timedelta(hours=1), new_per_day=3)
    assert nxt.card is None and nxt.next_due is not None
    assert store.next_card(learner, deck, T0 + timedelta(hours=1), new_per_day=4).new
    # Thirty days on all three are due: the one least likely remembered (Hard: shortest stability) first.
    later = T0 + timedelta(days=30)
    memories = {ref: store.card(learner, ref).memory for ref in (first, second, third)}
    by_recall = sorted(memories, key=lambda ref: memories[ref].retrievability(later))
    order = []
    for _ in range(3):
        nxt = store.next_card(learner, deck, later, new_per_day=3)
        assert not nxt.new
        order.append(nxt.card)
        _answer(store, learner, deck, nxt.card, Rating.Good, later)
    assert order == by_recall
    # Then new cards again: a new day, a new allowance.
    assert store.next_card(learner, deck, later, new_per_day=3).new


def test_a_form_sent_twice_is_recorded_once(store, deck):
    learner = store.learner_id(store.new_learner(T0))
    ref = deck.cards[0]
    assert _answer(store, learner, deck, ref, Rating.Good, T0, reps=0) is not None
    assert _answer(store, learner, deck, ref, Rating.Good, T0, reps=0) is None
    assert len(store.reviews_of(learner)) == 1


def test_easy_or_hard_changes_the_last_right_answer_and_its_card(store, deck):
    learner = store.learner_id(store.new_learner(T0))
    ref = deck.cards[0]
    _answer(store, learner, deck, ref, Rating.Good, T0)
    review_id = _answer(store, learner, deck, ref, Rating.Good, T0 + timedelta(minutes=10))
    good_due = store.card(learner, ref).memory.due
    assert store.amend(learner, review_id, Rating.Easy)
    easy_due = store.card(learner, ref).memory.due
    assert easy_due > good_due
    assert store.amend(learner, review_id, Rating.Hard)
    assert store.card(learner, ref).memory.due < good_due
    assert store.reviews_of(learner)[-1].rating == Rating.Hard
    # Not someone else's, and not once the card has been answered again.
    other = store.learner_id(store.new_learner(T0))
    assert not store.amend(other, review_id, Rating.Easy)
    _answer(store, learner, deck, ref, Rating.Good, store.card(learner, ref).memory.due)
    assert not store.amend(learner, review_id, Rating.Easy)


def test_every_review_is_kept_with_what_was_chosen_and_how_long_it_took(store, deck):
    learner = store.learner_id(store.new_learner(T0))
    ref = deck.cards[0]
    store.record(learner, DECK, Answer(ref, 0, Rating.Again, "choice", False, 2, "The Oder River", 5400), T0)
    (entry,) = store.reviews_of(learner)
    assert (entry.fact_id, entry.direction, entry.rating, entry.chosen, entry.given, entry.response_ms,
            entry.reviewed_at, entry.correct) == (ref.fact_id, ref.direction, 1, 2, "The Oder River", 5400, T0, False)


# ---- the recall ladder ----------------------------------------------------------------------------


def test_a_card_moves_from_choices_to_typed_recall_once_stable_and_reverse_cards_stay_choices(deck):
    forward = next(r for r in deck.cards if r.direction == "forward")
    reverse = next(r for r in deck.cards if r.direction == "reverse")
    young = MemoryState(State.Review.value, None, 3.0, 5.0, T0, T0)
    stable = MemoryState(State.Review.value, None, 30.0, 5.0, T0, T0)
    learning = MemoryState(State.Learning.value, 1, 30.0, 5.0, T0, T0)
    assert deck.mode(forward, None) == "choice"
    assert deck.mode(forward, young) == "choice"
    assert deck.mode(forward, learning) == "choice"
    assert deck.mode(forward, stable) == "typed"
    assert deck.mode(reverse, stable) == "choice"
    prompt = deck.prompt(forward, 1, "typed")
    assert prompt.options == () and prompt.answer_index is None
    assert deck.accepts(forward, prompt.answer)


def test_one_card_per_direction(deck, library):
    forward = {r.fact_id for r in deck.cards if r.direction == "forward"}
    reverse = {r.fact_id for r in deck.cards if r.direction == "reverse"}
    assert forward == set(deck.facts)
    assert reverse and reverse < forward
    assert {library.facts[f].kind for f in reverse} <= {"date", "person", "place"}
    # The same seed asks the same question; another seed may shuffle it.
    ref = next(r for r in deck.cards if r.direction == "reverse")
    assert deck.prompt(ref, (1, 0)) == deck.prompt(ref, (1, 0))


def test_typed_answers_are_compared_after_normalisation(library):
    date = library.facts["elbe-meeting-date"]  # 25 April 1945
    for typed in ("25 April 1945", "april 25, 1945", "25th of April 1945", "1945-04-25", " 25  APRIL 1945. "):
        assert typed_matches(date, typed), typed
    for typed in ("26 April 1945", "April 1945", "1945", "", "25 April 1946"):
        assert not typed_matches(date, typed), typed
    person = next(f for f in library.facts.values() if f.kind == "person" and len(f.name.split()) > 1)
    assert typed_matches(person, person.name.upper())
    assert typed_matches(person, person.name.split()[-1])
    assert not typed_matches(person, person.name.split()[0] + "x")
    with_alt = next((f for f in library.facts.values() if f.also_true), None)
    if with_alt is not None:
        assert typed_matches(with_alt, with_alt.also_true[0])
    quantity = next(f for f in library.facts.values() if f.kind == "quantity")
    assert typed_matches(quantity, str(quantity.value))
    assert not typed_matches(quantity, str(quantity.value + 1))


# ---- learners -----------------------------------------------------------------------------------


def test_learner_codes_are_forgiving_to_type_and_unknown_ones_find_nobody(store):
    code = store.new_learner(T0)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    learner = store.learner_id(code)
    assert store.learner_id(code.lower().replace("-", " ")) == learner
    assert normalise_code("o" * 12) == "0000-0000-0000"
    assert store.learner_id("0000-0000-0000") is None
    assert store.learner_id("nonsense") is None
    assert store.new_learner(T0) != code


# ---- the pages ----------------------------------------------------------------------------------


def _form(html: str) -> dict:
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html)[1] for name in ("card", "reps", "shown", "mode")}


def test_pages_answer_bad_requests_plainly(site):
    app, client, clock = site
    assert client.get("/practice/no-such-deck").status_code == 404
    assert client.post("/practice/no-such-deck/start").status_code == 404
    r = client.post("/practice/learner", data={"code": "0000-0000-0000", "deck": DECK})
    assert r.status_code == 400 and "No learner has that code" in r.text
    # Without a learner, the pages lead to the start page instead of failing.
    assert client.post(f"/practice/{DECK}/answer", data={}).status_code == 303
    assert client.get(f"/practice/{DECK}/progress").status_code == 303
    started = client.post(f"/practice/{DECK}/start")
    cookie = started.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/practice" in cookie
    page = client.get(f"/practice/{DECK}").text
    form = _form(page)
    assert "elbe" not in form["card"]  # the form names no fact: the public .apkg would give its answer
    for bad in ({"card": "nonsense"}, {"card": "elbe-meeting-date:forward"}, {"reps": "x"}, {"choice": "99"},
                {"choice": "-1"}, {"shown": ""}):
        r = client.post(f"/practice/{DECK}/answer", data={**form, "choice": "0", **bad})
        assert r.status_code == 400, bad
        assert "reload" in r.text or "must be" in r.text
    assert client.get(f"/practice/{DECK}/review/999").status_code == 404
    assert client.post(f"/practice/{DECK}/rate/1", data={"rating": "brilliant"}).status_code == 400
    assert client.post(f"/practice/{DECK}/retention", data={"retention": "50"}).status_code == 400
    assert client.post(f"/practice/{DECK}/retention", data={"retention": "x"}).status_code == 400


def test_a_wrong_answer_shows_the_right_one_with_its_source_and_another_learner_cannot_see_it(site):
    app, client, clock = site
    client.post(f"/practice/{DECK}/start")
    page = client.get(f"/practice/{DECK}").text
    form = _form(page)
    options = re.findall(r'name="choice" value="(\d+)">([^<]*)<', page)
    with app.app_context():
        from quizgen_web.practice import STORE_KEY, _deck

        deck = _deck(DECK)
        store = app.extensions[STORE_KEY]
    code = client.get_cookie("quizgen_learner", path="/practice").value
    prompt = deck.prompt(deck.ref_of(form["card"]), (store.learner_id(code), 0), "choice")
    wrong = next(i for i, _ in options if int(i) != prompt.answer_index)
    r = client.post(f"/practice/{DECK}/answer", data={**form, "choice": wrong})
    assert r.status_code == 303 and "/review/" in r.location
    shown = client.get(r.location).text
    assert prompt.answer in shown.replace("&#39;", "'")
    assert prompt.citation.publisher in shown and "Source:" in shown and prompt.citation.published in shown
    if prompt.citation.note:
        assert "Curator" in shown
    assert client.get(r.location).headers["Cache-Control"] == "no-store"
    stranger = app.test_client()
    stranger.post(f"/practice/{DECK}/start")
    assert stranger.get(r.location).status_code == 404
    # The same form again records nothing more.
    again = client.post(f"/practice/{DECK}/answer", data={**form, "choice": wrong})
    assert again.status_code == 303 and "/review/" not in again.location
    assert len(store.reviews_of(store.learner_id(code))) == 1


def test_progress_and_the_teachers_list_come_from_the_stored_reviews(site, deck):
    app, client, clock = site
    client.post(f"/practice/{DECK}/start")
    code = client.get_cookie("quizgen_learner", path="/practice").value
    with app.app_context():
        from quizgen_web.practice import STORE_KEY, _deck

        store = app.extensions[STORE_KEY]
        site_deck = _deck(DECK)
    learner = store.learner_id(code)
    forgotten = site_deck.cards[0]
    for ref in site_deck.cards[:3]:
        _answer(store, learner, site_deck, ref, Rating.Good, T0)
        _answer(store, learner, site_deck, ref, Rating.Good, T0 + timedelta(minutes=10))
    due = store.card(learner, forgotten).memory.due
    _answer(store, learner, site_deck, forgotten, Rating.Again, due)  # a lapse
    clock.now = due
    page = client.get(f"/practice/{DECK}/progress").text
    assert re.search(r'id="reviews">7<', page)
    assert re.search(r'id="seen">3 of \d+<', page)
    counts = due_calendar(store.cards_of(learner, site_deck), due, 28)
    assert sum(counts) == 3
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart calendar"' in page
    teacher = client.get(f"/practice/{DECK}/forgotten").text
    rows = re.findall(r'<strong class="fact-answer">(.*?)</strong>', teacher, re.S)
    assert len(rows) == 3
    assert deck.answer_of(forgotten) in rows[0].replace("&#39;", "'")  # the lapsed fact first
    assert code not in teacher


def test_retention_is_adjustable_and_schedules_from_then_on(site):
    app, client, clock = site
    client.post(f"/practice/{DECK}/start")
    r = client.post(f"/practice/{DECK}/retention", data={"retention": "95"})
    assert r.status_code == 303
    assert 'value="95"' in client.get(f"/practice/{DECK}/progress").text


# ---- a class over two months ---------------------------------------------------------------------


def test_a_simulated_class_ends_within_three_points_of_the_desired_retention(maker):
    """30 learners, 60 days, one session a day at a time of their own: each answer is right with the
    probability FSRS's forgetting curve gives at that moment (a learner whose memory is the model's).
    The share of reviews (cards past their learning steps) answered right ends within 3 points of 90 %."""
    rng = random.Random(11)
    deck = PracticeDeck(maker, "all-facts")  # the largest bundled deck: enough reviews to judge a share
    right = total = 0
    # The same code on an in-memory database: the class answers some 8,000 times.
    store = PracticeStore(Store("sqlite://"))
    for _ in range(30):
        learner = store.learner_id(store.new_learner(T0))
        hour = timedelta(hours=rng.randint(7, 21))
        for day in range(60):
            now = T0.replace(hour=0) + timedelta(days=day) + hour
            for _ in range(200):
                nxt = store.next_card(learner, deck, now, new_per_day=5)
                if nxt.card is None:
                    break
                if nxt.row is None or nxt.row.memory.state != State.Review.value:
                    ok = rng.random() < 0.85  # learning steps: mostly right
                else:
                    ok = rng.random() < nxt.row.memory.retrievability(now)
                    right += ok
                    total += 1
                _answer(store, learner, deck, nxt.card, Rating.Good if ok else Rating.Again, now,
                        reps=nxt.row.reps if nxt.row else 0)
                now += timedelta(seconds=rng.randint(5, 40))
    assert total > 3000
    print(f"simulated class: {right / total:.3f} of {total} reviews right")
    assert abs(right / total - DESIRED_RETENTION) <= 0.03, right / total


def test_the_server_decides_how_a_card_is_asked_not_the_form(tmp_path):
    from quizgen.webapp import create_app

    clock = Clock(T0)
    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}", "PRACTICE_NOW": clock,
                      "PRACTICE_NEW_PER_DAY": 1, "PRACTICE_TYPED_STABILITY": 1.0})
    client = app.test_client()
    client.post(f"/practice/{DECK}/start")
    with app.app_context():
        from quizgen_web.practice import STORE_KEY, _deck

        deck, store = _deck(DECK), app.extensions[STORE_KEY]
    learner = store.learner_id(client.get_cookie("quizgen_learner", path="/practice").value)
    for _ in range(2):  # two right answers, ten minutes apart: the card graduates to review
        form = _form(client.get(f"/practice/{DECK}").text)
        right = deck.prompt(deck.ref_of(form["card"]), (learner, int(form["reps"])), "choice").answer_index
        assert client.post(f"/practice/{DECK}/answer", data={**form, "choice": right}).status_code == 303
        clock.now += timedelta(minutes=10)
    clock.now += timedelta(days=3)
    page = client.get(f"/practice/{DECK}").text
    form = _form(page)
    assert form["mode"] == "typed" and 'name="typed"' in page and 'name="choice"' not in page
    ref = deck.ref_of(form["card"])
    # Typed right, in another writing, it counts.
    answer = deck.prompt(ref, (learner, int(form["reps"])), "typed").answer
    r = client.post(f"/practice/{DECK}/answer", data={**form, "typed": f"  {answer.upper()} "})
    assert "right=" in r.location
    clock.now = store.card(learner, ref).memory.due
    page = client.get(f"/practice/{DECK}").text
    form = _form(page)
    assert deck.ref_of(form["card"]) == ref and form["mode"] == "typed"
    # A form claiming multiple choice, with an option number, is still graded as typed recall: wrong.
    r = client.post(f"/practice/{DECK}/answer", data={**form, "mode": "choice", "choice": "0"})
    assert "/review/" in r.location
    assert [e.mode for e in store.reviews_of(learner)][-2:] == ["typed", "typed"]


def test_the_calendar_puts_each_days_count_in_its_cell():
    from datetime import date

    from quizgen.practice_charts import calendar

    svg = calendar([2, 0, 5] + [0] * 25, date(2026, 3, 4))  # a Wednesday
    assert "<desc>2026-03-04: 2; 2026-03-06: 5</desc>" in svg
    # Monday and Tuesday of the first week are drawn empty; today is outlined and labelled.
    assert svg.count('fill="none"') == 2 + (7 - (2 + 28) % 7) % 7
    assert ">today<" in svg and ">5<" in svg and ">2<" in svg
    assert "<desc>Nothing comes due in the next four weeks.</desc>" in calendar([0] * 28, date(2026, 3, 4))


def test_the_benchmark_runs_and_prints_its_row():
    """A smoke run of benchmarks/practice.py at a tiny scale; no timing is asserted."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "practice.py"), "--learners", "20",
                           "--facts", "60", "--samples", "10"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"\| SQLite \([\d,]+ card rows, filled in \d+ s\) \| [\d.]+ ms \|", proc.stdout), proc.stdout
