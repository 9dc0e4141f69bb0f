"""A student practises on a phone for three simulated days, continues on a laptop with the learner code,
and takes the deck to Anki with the history intact: real Chromium (Playwright) and the official ``anki``.

The site runs in this process (a werkzeug server in a thread) so the test can move its clock
(``PRACTICE_NOW``) on by days. Set QUIZGEN_SCREENSHOTS=<folder> to keep a screenshot of every
practice page at phone and desktop widths.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import State
from test_browser import CHROMIUM_ARGS, chromium_path

from quizgen.content import bundled_root
from quizgen.export.anki import guid
from quizgen.practice import CardRef

pytestmark = pytest.mark.browser

DECK = "all-facts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# Practice at 08:00 on day 1, then in the evenings (20:00) of days 2 and 3.
DAY2, DAY3 = START + timedelta(hours=36), START + timedelta(hours=60)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, object, Clock]]:
    from werkzeug.serving import make_server

    from quizgen.webapp import create_app

    clock = Clock(START)
    db = tmp_path_factory.mktemp("practice-db") / "quizgen.db"
    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()), "DATABASE_URL": f"sqlite:///{db}",
                      "PRACTICE_NOW": clock, "PRACTICE_NEW_PER_DAY": 6, "PRACTICE_TYPED_STABILITY": 2.0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app, clock
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def shoot(page, name: str) -> None:
    folder = os.environ.get("QUIZGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def store_and_deck(app):
    from quizgen_web.practice import STORE_KEY

    with app.app_context():
        from quizgen_web.practice import _deck

        return app.extensions[STORE_KEY], _deck(DECK)


def right_answer(app, code: str, page) -> tuple[CardRef, str, str]:
    """The card on the page, how it is asked, and its right answer (as the server would grade it)."""
    store, deck = store_and_deck(app)
    ref = deck.ref_of(page.locator('input[name="card"]').get_attribute("value"))
    reps = int(page.locator('input[name="reps"]').get_attribute("value"))
    mode = page.locator('input[name="mode"]').get_attribute("value")
    prompt = deck.prompt(ref, (store.learner_id(code), reps), mode)
    return ref, mode, prompt.answer


def answer(page, mode: str, text: str, right: bool) -> None:
    # Each answer is a POST and a redirect: wait for the next page before looking at it.
    if mode == "typed":
        page.get_by_label("Your answer").fill(text if right else "no idea")
        with page.expect_navigation():
            page.get_by_role("button", name="Check").click()
        return
    buttons = page.locator("button.option-button")
    texts = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
    index = texts.index(text) if right else next(i for i, t in enumerate(texts) if t != text)
    with page.expect_navigation():
        buttons.nth(index).click()


def practise_until_done(app, page, code: str, clock: Clock, wrong_first: bool = False, shots: str = "") -> list[tuple[CardRef, str, bool]]:
    """Answer every card the session gives (a minute apart) until "Done for now"; what was asked."""
    asked: list[tuple[CardRef, str, bool]] = []
    for n in range(80):
        if page.get_by_role("heading", name="Done for now").count():
            return asked
        assert page.locator('input[name="card"]').count() == 1, page.locator("main").inner_text()[:500]
        ref, mode, text = right_answer(app, code, page)
        store, _ = store_and_deck(app)
        new = store.card(store.learner_id(code), ref) is None
        if shots and mode not in {m for _, m, _ in asked}:
            shoot(page, f"{shots}-question-{mode}")
        right = not (wrong_first and n == 0)
        answer(page, mode, text, right)
        if not right:
            expect_wrong_page(page, text)
            if shots:
                shoot(page, f"{shots}-wrong")
            with page.expect_navigation():
                page.get_by_role("link", name="Go on").click()
        asked.append((ref, mode, new))
        clock.now += timedelta(minutes=1)
    raise AssertionError("the session never ended")


def expect_wrong_page(page, right_text: str) -> None:
    assert page.locator(".badge.wrong").inner_text().endswith("Not quite")
    assert page.locator(".right-answer").inner_text().strip() == right_text
    figure = page.locator("figure.citation")
    assert figure.locator("blockquote").inner_text().strip()
    caption = figure.locator("figcaption").inner_text()
    assert "Source:" in caption and figure.locator("cite").inner_text().strip()
    assert figure.locator("time").get_attribute("datetime")


def due_now(app, code: str, now: datetime) -> set[CardRef]:
    store, deck = store_and_deck(app)
    return {c.ref for c in store.cards_of(store.learner_id(code), deck) if c.memory.due <= now}


def test_three_days_on_a_phone_then_a_laptop_then_anki(site, browser, tmp_path):
    base, app, clock = site
    store, deck = store_and_deck(app)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # Day 1: from the deck page, start practising; the learner code is on the page.
    page.goto(f"{base}/decks/{DECK}")
    page.get_by_role("link", name="Practise this deck").click()
    shoot(page, "practice-start")
    page.get_by_role("button", name="Start practising").click()
    code = page.locator("#learner-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    day1 = practise_until_done(app, page, code, clock, wrong_first=True, shots="practice")
    new_day1 = [ref for ref, _, new in day1 if new]
    assert len(new_day1) == 6  # the daily limit of new cards
    # Each new card was asked until it graduated: twice at least (learning steps), the missed one more.
    assert all(sum(r == ref for r, _, _ in day1) >= 2 for ref in new_day1)
    assert sum(r == new_day1[0] for r, _, _ in day1) >= 3
    shoot(page, "practice-done")
    next_due = datetime.fromisoformat(page.locator("#next-due").get_attribute("datetime"))
    assert next_due > clock.now + timedelta(hours=12)  # everything left is for another day

    # Day 2: what comes back is exactly what the schedule said was due (the missed card), before new cards.
    clock.now = DAY2
    expected = due_now(app, code, clock.now)
    assert new_day1[0] in expected and len(expected) < len(new_day1)
    page.goto(f"{base}/practice/{DECK}")
    day2 = practise_until_done(app, page, code, clock)
    met = {ref for ref, _, new in day2 if new}
    assert len(met) == 6
    assert {ref for ref, _, _ in day2 if ref not in met} == expected
    first_new = next(i for i, (_, _, new) in enumerate(day2) if new)
    assert {ref for ref, _, _ in day2[:first_new]} == expected  # due cards first

    # Day 3, on a laptop: the learner code continues the same learner there.
    clock.now = DAY3
    expected = due_now(app, code, clock.now)
    assert set(new_day1) - {new_day1[0]} <= expected  # day 1's cards, two days on
    laptop = browser.new_context(**DESKTOP)
    other = laptop.new_page()
    other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    other.goto(f"{base}/practice/{DECK}")
    shoot(other, "practice-start")
    other.get_by_label("Your learner code").fill(code.lower().replace("-", " "))
    other.get_by_role("button", name="Continue").click()
    assert other.locator("#learner-code").inner_text().strip() == code
    day3 = practise_until_done(app, other, code, clock, wrong_first=True, shots="practice")
    shoot(other, "practice-done")
    met = {ref for ref, _, new in day3 if new}
    day3_reviews = [(ref, mode) for ref, mode, _ in day3 if ref not in met]
    assert {ref for ref, _ in day3_reviews} == expected
    # The recall ladder: forward cards stable enough are typed from memory; reverse ones stay choices.
    assert any(mode == "typed" for _, mode in day3_reviews)
    assert all(mode == "choice" for ref, mode in day3_reviews if ref.direction == "reverse")

    # Day 4, late evening, back on the phone: day 2's cards come back, typed from memory where stable.
    clock.now = DAY3 + timedelta(hours=26)
    expected = due_now(app, code, clock.now)
    page.goto(f"{base}/practice/{DECK}")
    day4 = practise_until_done(app, page, code, clock, shots="practice")
    met = {ref for ref, _, new in day4 if new}
    assert {ref for ref, _, _ in day4 if ref not in met} == expected

    # Progress on the phone: the same learner's figures and the calendar.
    page.goto(f"{base}/practice/{DECK}/progress")
    learner = store.learner_id(code)
    reviews = store.reviews_of(learner, deck)
    assert int(page.locator("#reviews").inner_text()) == len(reviews)
    assert page.locator("svg.calendar title").text_content() == "Cards coming due"
    shoot(page, "practice-progress")
    other.goto(f"{base}/practice/{DECK}/progress")
    shoot(other, "practice-progress")
    for p in (page, other):
        p.goto(f"{base}/practice/{DECK}/forgotten")
        assert p.get_by_role("heading", level=1).inner_text().startswith("What learners forget most")
        shoot(p, "practice-forgotten")

    # Anki: download on the laptop and import with "Import any learning progress".
    other.goto(f"{base}/practice/{DECK}/progress")
    with other.expect_download() as info:
        other.get_by_role("link", name="Download for Anki").click()
    package = tmp_path / "mine.apkg"
    info.value.save_as(package)
    check_in_anki(package, store, learner, deck, tmp_path)
    assert errors == []


def check_in_anki(package: Path, store, learner: int, deck, tmp_path: Path) -> None:
    anki_collection = pytest.importorskip("anki.collection")
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        options = anki_collection.ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(package), options=options))
        reviews = store.reviews_of(learner, deck)
        checked = 0
        for card in store.cards_of(learner, deck):
            if card.ref.direction != "forward":
                continue
            nid = col.db.scalar("SELECT id FROM notes WHERE guid = ?", guid(card.ref.fact_id))
            (cid,) = [c for c in col.find_cards(f"nid:{nid}") if col.get_card(c).ord == 0]
            anki_card = col.get_card(cid)
            mine = [r for r in reviews if r.fact_id == card.ref.fact_id and r.direction == "forward"]
            history = col.db.all("SELECT id, ease, time FROM revlog WHERE cid = ? ORDER BY id", cid)
            assert [h[1] for h in history] == [r.rating for r in mine]
            assert [h[0] // 1000 for h in history] == [int(r.reviewed_at.timestamp()) for r in mine]
            assert anki_card.reps == card.reps and anki_card.lapses == card.lapses
            assert anki_card.memory_state.stability == pytest.approx(card.memory.stability, rel=1e-4)
            # Anki keeps difficulty to three decimals.
            assert anki_card.memory_state.difficulty == pytest.approx(card.memory.difficulty, abs=1e-3)
            assert anki_card.type == {State.Learning.value: 1, State.Review.value: 2,
                                      State.Relearning.value: 3}[card.memory.state]
            checked += 1
        assert checked >= 12
    finally:
        col.close()
