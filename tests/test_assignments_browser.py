"""In headless Chromium: a teacher creates an assignment from the deck page, two students take it,
the teacher sees both in the report (screenshots kept for a person to look at)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from test_assignments_server import serving
from test_browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.browser
DECK = "link-up-1945"
SHOTS = Path(os.environ.get("QUIZGEN_SCREENSHOTS", "")) if os.environ.get("QUIZGEN_SCREENSHOTS") else None


def shoot(page, name: str, tmp_path: Path) -> Path:
    folder = SHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.png"
    page.screenshot(path=str(out), full_page=True)
    return out


def take(browser, student_url: str, name: str, picks: list[int | None], shots: Path | None = None) -> str:
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(student_url)
    page.get_by_label("Your name").fill(name)
    questions = page.locator("fieldset.question")
    for i, pick in enumerate(picks):
        if pick is not None:
            questions.nth(i).locator("label.option").nth(pick).click()
    if shots:
        shoot(page, "assignment-student-form", shots)
    submit = page.get_by_role("button", name="Submit answers")
    if None in picks:  # the quiz's script asks once more before blanks count as wrong
        submit.click()
        page.locator("#blank-warning").wait_for(state="visible")
        assert "no answer" in page.locator("#blank-warning").inner_text()
    with page.expect_navigation():
        submit.click()
    heading = page.get_by_role("heading", level=1).inner_text()
    if shots:
        shoot(page, "assignment-student-result", shots)
    assert page.locator("li.result figure.citation").count() == len(picks)  # citations, as on every results page
    page.close()
    return heading


def test_teacher_creates_two_students_take_it_teacher_sees_both(tmp_path):
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    errors: list[str] = []
    with serving(str(tmp_path / "class.db")) as [server], sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            teacher = browser.new_page(viewport={"width": 1100, "height": 900})
            # A CSP violation (an inline style in the charts, say) shows up as a console error.
            teacher.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            teacher.goto(f"{server.base}/decks/{DECK}")
            teacher.get_by_label("Title").fill("Elbe <quiz> for 9B")
            teacher.get_by_label("How many questions").fill("4")
            teacher.get_by_label("Open for (hours; blank: no closing time)").fill("24")
            teacher.get_by_role("button", name="Create assignment").click()
            teacher.wait_for_url(re.compile(r"/a/[^/]+/report/[^/?]+"))
            assert teacher.get_by_role("heading", level=1).inner_text() == "Elbe <quiz> for 9B"
            assert "you lose access" in teacher.locator(".notice.warning").first.inner_text()
            student_url = urljoin(teacher.url, teacher.locator("#student-link").get_attribute("href"))
            teacher_url = urljoin(teacher.url, teacher.locator("#teacher-link").get_attribute("href"))
            assert teacher.url.startswith(teacher_url)
            shoot(teacher, "assignment-created", tmp_path)

            n = teacher.locator(".item-analysis > li").count()  # the deck may give fewer than asked
            assert 1 <= n <= 4
            assert take(browser, student_url, "Ada Lovelace", [0, 1, 0, 0][:n], tmp_path).startswith("You scored")
            assert take(browser, student_url, "<b>Bob</b>", [1, None, 0, 1][:n]).startswith("You scored")

            teacher.goto(teacher_url)
            rows = teacher.locator("table.students tbody tr")
            assert rows.count() == 2
            names = [rows.nth(i).locator("th").inner_text() for i in range(2)]
            assert names == ["Ada Lovelace", "<b>Bob</b>"]  # shown as typed, never as markup
            assert teacher.locator("#attempt-count").inner_text() == "2"
            assert teacher.locator("svg.chart").count() == 1 + n  # distribution, then options per question
            shot = shoot(teacher, "assignment-report", tmp_path)
            assert shot.stat().st_size > 20_000
            with teacher.expect_download() as download:
                teacher.get_by_role("link", name="All attempts as CSV").click()
            lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
            assert len(lines) == 3 and "Ada Lovelace" in lines[1]
        finally:
            browser.close()
    assert errors == []
