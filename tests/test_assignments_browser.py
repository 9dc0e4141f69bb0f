"""In headless Chromium, as people click: a teacher creates the first account, assigns a deck's quiz,
hands it out by join code and QR code; two students take it (one on a phone); the server restarts;
the teacher finds it under "My assignments" and downloads the CSV. Every teacher page is
screenshot on a desktop and a phone (kept in $QUIZGEN_SCREENSHOTS for a person to look at).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from test_assignments_server import serving
from test_browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser
DECK = "all-facts"
SHOTS = Path(os.environ.get("QUIZGEN_SCREENSHOTS", "")) if os.environ.get("QUIZGEN_SCREENSHOTS") else None
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str, tmp_path: Path) -> Path:
    folder = SHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


def both_widths(browser, context, url: str, name: str, tmp_path: Path) -> None:
    """Screenshot ``url`` at desktop and phone width with the teacher's cookies; nothing wider than a phone."""
    state = context.storage_state()
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        other = browser.new_context(viewport=viewport, storage_state=state, is_mobile=label == "phone",
                                    has_touch=label == "phone")
        page = other.new_page()
        page.goto(url)
        if label == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        assert shoot(page, f"teacher-{name}-{label}", tmp_path).stat().st_size > 10_000
        other.close()


def take(browser, base: str, code: str, name: str, picks: list[int | None], phone: bool, tmp_path: Path) -> str:
    """A student joins by typing the code (desktop) or by the QR code's address (phone) and answers."""
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    if phone:
        page.goto(f"{base}/join/{code}")  # what the QR code holds
    else:
        page.goto(f"{base}/")
        page.get_by_role("link", name="Join").click()
        page.get_by_label("Code").fill(code.lower()[:3] + " " + code.lower()[3:])  # as a student types it
        page.get_by_role("button", name="Open the assignment").click()
    page.get_by_label("Your name").fill(name)
    questions = page.locator("fieldset.question")
    for i, pick in enumerate(picks):
        if pick is not None:
            questions.nth(i).locator("label.option").nth(pick).click()
    submit = page.get_by_role("button", name="Submit answers")
    if None in picks:  # the quiz's script asks once more before blanks count as wrong
        submit.click()
        page.locator("#blank-warning").wait_for(state="visible")
    with page.expect_navigation():
        submit.click()
    assert re.search(r"/a/[^/]+/r/[A-Za-z0-9_-]{22}$", page.url)
    heading = page.get_by_role("heading", level=1).inner_text()
    # Answers are released after closing (the default): no right answer, no source on the page yet.
    assert page.locator("li.result").count() == 0 and page.locator("#release-note").is_visible()
    if phone:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, f"student-result-{'phone' if phone else 'desktop'}", tmp_path)
    context.close()
    return heading


def test_teacher_signs_up_assigns_hands_out_students_take_it_restart_csv(tmp_path):
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    errors: list[str] = []
    db = str(tmp_path / "class.db")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            teacher_context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
            teacher = teacher_context.new_page()
            # A CSP violation (an inline style or script) shows up as a console error.
            teacher.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            with serving(db) as [server]:
                base = server.base
                # First visit: nothing to set up but the first account.
                teacher.goto(f"{base}/")
                both_widths(browser, teacher_context, f"{base}/signup", "signup", tmp_path)
                teacher.get_by_role("link", name="Teachers").click()
                assert teacher.get_by_role("heading", level=1).inner_text() == "Create the first teacher account"
                assert teacher.get_by_label("Your time zone").input_value()  # filled from the browser
                teacher.get_by_label("Your name").fill("Ms Ada Byron")
                teacher.get_by_label("Email").fill("ada@school.example")
                teacher.get_by_label("Password (at least 10 characters)").fill("correct horse battery")
                teacher.get_by_role("button", name="Create account").click()
                teacher.wait_for_url(f"{base}/teacher")
                assert teacher.get_by_role("heading", level=1).inner_text() == "My assignments"

                teacher.goto(f"{base}/decks/{DECK}")
                both_widths(browser, teacher_context, teacher.url, "deck-assign-form", tmp_path)
                teacher.get_by_label("Title").fill("Elbe <quiz> for 9B")
                teacher.get_by_label("How many questions").fill("4")
                teacher.locator("#assign-closes").fill("2099-06-01T15:00")  # the date-and-time picker
                teacher.get_by_role("button", name="Create assignment").click()
                teacher.wait_for_url(re.compile(r"/teacher/a/[^/?]+$"))
                report_url = teacher.url
                assert teacher.get_by_role("heading", level=1).inner_text() == "Elbe <quiz> for 9B"
                code = teacher.locator("#join-code").inner_text().strip()
                assert re.fullmatch(r"[ACEFHJKMNPRTWXY3479]{6}", code)
                assert teacher.locator("#join-url").inner_text() == f"{base}/join/{code}"
                qr = teacher.locator("img.qr")
                assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # drawn on the server
                both_widths(browser, teacher_context, report_url, "report-empty", tmp_path)

                n = teacher.locator(".item-analysis > li").count()
                assert 1 <= n <= 4
                # A worksheet with keys, kept for this teacher only.
                teacher.goto(f"{base}/decks/{DECK}")
                teacher.get_by_role("button", name="Make a worksheet with answer keys").click()
                teacher.wait_for_url(re.compile(r"/teacher/worksheets/[^/?]+$"))
                assert teacher.locator("#grid").count() == 1 and teacher.locator("section.key").count() == 1
                both_widths(browser, teacher_context, teacher.url, "worksheet-with-keys", tmp_path)
                assert take(browser, base, code, "Ada Lovelace", [0, 1, 0, 0][:n], False, tmp_path).startswith("You scored")
                assert take(browser, base, code, "<b>Bob</b>", [1, None, 0, 1][:n], True, tmp_path).startswith("You scored")

            # The server restarts (same database, another port): the teacher is still signed in.
            with serving(db) as [server]:
                base = server.base
                teacher.goto(f"{base}/teacher")
                mine = teacher.locator("#my-assignments li")
                assert mine.count() == 1 and "2 attempts" in mine.first.inner_text()
                assert "Open" in mine.first.inner_text()
                assert teacher.locator("#my-worksheets li").count() == 1
                both_widths(browser, teacher_context, teacher.url, "my-assignments", tmp_path)
                mine.first.get_by_role("link").click()
                cards = teacher.locator("#students .student-name")
                assert [c.inner_text().split("\n")[0].strip() for c in cards.all()] == ["Ada Lovelace", "<b>Bob</b>"]
                assert teacher.locator("#attempt-count").inner_text() == "2"
                assert "shown from 10 on" in teacher.locator("#evidence-note").inner_text()
                both_widths(browser, teacher_context, teacher.url, "report", tmp_path)
                with teacher.expect_download() as download:
                    teacher.get_by_role("link", name="All attempts as CSV").click()
                rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
                assert rows[0][6] == "Q1" and rows[1][0] == "key" and len(rows) == 4
                assert [r[1] for r in rows[2:]] == ["Ada Lovelace", "<b>Bob</b>"]
                assert rows[2][6::2][:n] == list("ABAA"[:n])  # the letters chosen

                teacher.get_by_role("button", name="Make a link to share").click()
                assert "/report/" in teacher.locator("#share-link").inner_text()
                both_widths(browser, teacher_context, teacher.locator("#share-link").inner_text(), "shared-report",
                            tmp_path)
                teacher.goto(f"{base}/teacher/settings")
                both_widths(browser, teacher_context, teacher.url, "settings", tmp_path)
                # Sign out, then back in through the form.
                teacher.goto(f"{base}/teacher")
                teacher.get_by_role("button", name="Sign out").click()
                teacher.goto(f"{base}/teacher")
                assert "/signin" in teacher.url
                both_widths(browser, teacher_context, teacher.url, "signin", tmp_path)
                teacher.get_by_label("Email").fill("ada@school.example")
                teacher.get_by_label("Password").fill("correct horse battery")
                teacher.get_by_role("button", name="Sign in").click()
                teacher.wait_for_url(f"{base}/teacher")
                assert teacher.locator("#my-assignments li").count() == 1
        finally:
            browser.close()
    assert errors == []
