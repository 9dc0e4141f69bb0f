"""End to end: `quizgen serve` in a subprocess, a student in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizgen.content import load_library
from quizgen.quiz import QuizMaker, QuizSpec

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.skip("Chromium is not installed; install it with `bash scripts/system-deps.sh`")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # This checkout's quizgen and quizgen_web (web/), whatever else is installed.
    path = [str(ROOT), str(ROOT / "web"), os.environ.get("PYTHONPATH")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizgen", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"quizgen serve exited with {proc.returncode}:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("quizgen serve did not answer within 30 seconds")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed; run pip install -e '.[test]'"
    )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_student_takes_a_quiz_and_sees_results_with_citations(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    # A CSP violation or a missing asset shows up as a console error.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(server + "/")
    assert page.get_by_role("heading", name="Quizzes from cited sources").is_visible()
    first_deck = page.locator(".deck-card h2 a").first
    deck_title = first_deck.inner_text()
    first_deck.click()
    assert page.get_by_role("heading", level=1).inner_text() == deck_title

    page.get_by_label("Number of questions").fill("5")
    page.get_by_role("button", name="Start quiz").click()
    page.wait_for_url(re.compile(r"/q/[^/]+$"))
    code = page.url.rsplit("/q/", 1)[1]

    questions = page.locator("fieldset.question")
    n = questions.count()
    assert 1 <= n <= 5
    stems = [questions.nth(i).locator("legend .stem").inner_text() for i in range(n)]
    picks: list[int | None] = []
    for i in range(n):
        if i == n - 1 and n > 1:
            picks.append(None)  # left blank: must count as unanswered, not as an error
            continue
        options = questions.nth(i).locator("label.option")
        choice = i % options.count()
        options.nth(choice).click()
        assert questions.nth(i).locator("input[type=radio]").nth(choice).is_checked()
        picks.append(choice)
    if n > 1:
        # A blank answer: the page warns once and stays; a second press submits anyway.
        page.get_by_role("button", name="Submit answers").click()
        warning = page.locator("#blank-warning")
        warning.wait_for(state="visible")
        assert f"Question {n} has no answer" in warning.inner_text()
        assert page.url.endswith(f"/q/{code}")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url(re.compile(re.escape(f"/q/{code}/results/") + r"[A-Z.-]+$"))
    result_url = page.url

    expected = QuizMaker(load_library()).grade(code, picks).score
    # Waits for the heading (a loaded machine renders late); a wrong score times out naming it.
    page.get_by_role("heading", name=f"You scored {expected} out of {n}").wait_for(state="visible", timeout=15_000)
    results = page.locator("li.result")
    assert results.count() == n
    for i in range(n):
        citation = results.nth(i).locator("figure.citation")
        assert citation.locator("blockquote").inner_text().strip()
        assert "Source:" in citation.locator("figcaption").inner_text()
    if n > 1:
        assert "Not answered" in results.nth(n - 1).inner_text()

    share = page.locator("a.share-link")
    assert share.get_attribute("href").endswith(f"/q/{code}")
    share.click()
    page.wait_for_url(re.compile(re.escape(f"/q/{code}") + "$"))
    again = page.locator("fieldset.question legend .stem")
    assert again.all_inner_texts() == stems
    page.goto(result_url)  # the result keeps its own address: reopening it shows the same score
    assert page.get_by_role("heading", name=f"You scored {expected} out of {n}").is_visible()
    assert errors == []
    page.close()


def test_blank_warning_goes_away_once_every_question_is_answered(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/decks/all-facts/quiz?count=2&seed=5&kinds=true_false")
    page.get_by_role("button", name="Submit answers").click()
    warning = page.locator("#blank-warning")
    warning.wait_for(state="visible")
    assert "2 questions have no answer (1, 2)" in warning.inner_text()
    for i in range(2):
        page.locator("fieldset.question").nth(i).locator("label.option").first.click()
    assert warning.is_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    assert "/results/" in page.url
    page.close()


def test_quiz_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/decks/all-facts/quiz?count=3&seed=5")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    assert page.get_by_role("heading", name="You scored 0 out of 3").is_visible()
    context.close()


SHOTS = Path(os.environ.get("QUIZGEN_SCREENSHOTS", "")) if os.environ.get("QUIZGEN_SCREENSHOTS") else None


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_retry_the_wrong_ones_then_try_again_in_a_new_order(browser, server, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # A quiz that quotes the post writing "78" as keycap emoji.
    maker = QuizMaker(load_library())
    seed = next(s for s in range(200) if any("\u20e3" in q.citation.quote for q in
                                             maker.make(QuizSpec("all-facts", 40, s, ("forward",))).questions))
    page.goto(f"{server}/decks/all-facts/quiz?count=40&seed={seed}&kinds=forward")
    quiz_url = page.url
    questions = page.locator("fieldset.question")
    n = questions.count()
    stems = questions.locator("legend .stem").all_inner_texts()
    for i in range(0, n, 2):  # answer every other question with its first option
        questions.nth(i).locator("label.option").first.click()
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"quiz-{width}.png"), full_page=False)
    page.get_by_role("button", name="Submit answers").click()
    page.locator("#blank-warning").wait_for(state="visible")
    if SHOTS:
        page.locator(".submit-row").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"blank-warning-{width}.png"))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    score = page.get_by_role("heading", name=re.compile(r"You scored \d+ out of \d+"))
    scored, total = map(int, re.findall(r"\d+", score.inner_text()))
    assert total == n
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"results-{width}.png"))

    page.get_by_role("link", name=f"Retry the {n - scored} I got wrong").click()
    page.wait_for_url(re.compile(r"only="))
    retry = page.locator("fieldset.question")
    assert retry.count() == n - scored
    assert set(retry.locator("legend .stem").all_inner_texts()) < set(stems)
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"retry-{width}.png"))
    for i in range(retry.count()):
        retry.nth(i).locator("label.option").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    heading = page.get_by_role("heading", name=re.compile(rf"You scored \d+ out of {n - scored}"))
    assert heading.is_visible()

    page.get_by_role("link", name="Try again in a new order").click()
    page.wait_for_url(re.compile(r"order="))
    assert page.url.split("?")[0] == quiz_url
    again = page.locator("fieldset.question legend .stem").all_inner_texts()
    assert sorted(again) == sorted(stems) and again != stems
    assert errors == []
    page.close()


def test_a_host_header_no_url_can_be_built_from_is_a_400_from_the_real_server(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: {'a' * 64}.example\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    head, _, body = response.decode("utf-8", "replace").partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert "X-Frame-Options: DENY" in head and "Content-Security-Policy:" in head
    assert "Host header is not a valid host name" in body


def test_quiz_can_be_answered_with_the_keyboard(browser, server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/")
    href = page.locator(".deck-card h2 a").first.get_attribute("href")
    page.goto(f"{server}{href}/quiz?count=2&seed=5&kinds=true_false")
    first = page.locator("fieldset.question").first
    first.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    assert first.locator("input[type=radio]").first.is_checked()
    page.keyboard.press("ArrowDown")  # radios in a group move the choice with the arrows
    assert first.locator("input[type=radio]").nth(1).is_checked()
    page.get_by_role("button", name="Submit answers").focus()
    page.keyboard.press("Enter")
    # Question 2 is blank: the warning shows and the focus moves to question 2's first option.
    assert page.locator("#blank-warning").is_visible()
    second = page.locator("fieldset.question").nth(1).locator("input[type=radio]")
    assert second.first.evaluate("el => el === document.activeElement")
    page.keyboard.press("Space")
    assert second.first.is_checked() and page.locator("#blank-warning").is_hidden()
    page.get_by_role("button", name="Submit answers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name=re.compile(r"You scored \d out of 2")).is_visible()
    page.close()
