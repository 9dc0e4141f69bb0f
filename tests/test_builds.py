"""PDF and .apkg builds cannot starve pages: coalesced, bounded per worker, bounded in size,
and the cache counts the bytes it really holds."""

from __future__ import annotations

import sys
import threading

import pytest

from quizgen import worksheet
from quizgen.content import bundled_root
from quizgen.limits import MAX_SHEET_QUESTIONS

SHEET = "/decks/link-up-1945/worksheet.pdf?count=3&key=0&seed="


@pytest.fixture
def bapp():
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(bundled_root()), "BUILDS": 2})


def _slow_layout(monkeypatch):
    """Make every PDF layout wait for the test's word, counting the layouts."""
    real = worksheet.layout
    started, release, calls = threading.Event(), threading.Event(), []

    def slow(htmls, progress=None):
        calls.append(1)
        started.set()
        assert release.wait(30)
        return real(htmls, progress)

    monkeypatch.setattr(worksheet, "layout", slow)
    return started, release, calls


def test_an_identical_pdf_in_progress_is_refused_at_once_and_built_only_once(bapp, monkeypatch):
    from quizgen_web.cache import CACHE_KEY

    started, release, calls = _slow_layout(monkeypatch)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(r=bapp.test_client().get(SHEET + "1")))
    thread.start()
    try:
        assert started.wait(30)
        client = bapp.test_client()
        for _ in range(5):  # a class clicking the same link: none of them waits for the build
            same = client.get(SHEET + "1")
            assert same.status_code == 503 and int(same.headers["Retry-After"]) > 0
            assert "try again" in same.get_data(as_text=True)
        assert client.get("/").status_code == 200
        # A second slot is free: a different sheet is built at the same time (then waits too).
        other: dict = {}
        second = threading.Thread(target=lambda: other.update(r=bapp.test_client().get(SHEET + "2")))
        second.start()
        while len(calls) < 2:
            second.join(0.05)
        assert client.get(SHEET + "3").status_code == 503  # both slots are taken
    finally:
        release.set()
        thread.join(60)
        second.join(60)
    assert first["r"].status_code == 200 and other["r"].status_code == 200
    assert len(calls) == 2
    again = bapp.test_client().get(SHEET + "1")  # from the cache, no layout
    assert again.status_code == 200 and again.data == first["r"].data and len(calls) == 2
    assert bapp.extensions[CACHE_KEY].building == 0


def test_refused_and_failed_builds_leave_no_entry_in_the_build_table():
    from quizgen_web.cache import AppCache, Busy

    cache = AppCache(1_000_000)
    no_slot = threading.BoundedSemaphore(1)
    no_slot.acquire()
    for i in range(100):
        with pytest.raises(Busy):
            cache.build_once(("refused", i), lambda: b"x", no_slot)
    slots = threading.BoundedSemaphore(1)

    def fail() -> bytes:
        raise RuntimeError("layout failed")

    for i in range(100):
        with pytest.raises(RuntimeError):
            cache.build_once(("failed", i), fail, slots)
        with pytest.raises(RuntimeError):
            cache.get_or_make(("failed-too", i), fail)
    assert cache.building == 0 and len(cache) == 0
    assert cache.build_once("ok", lambda: b"pdf", slots) == b"pdf"  # the slot came back every time


def test_cache_bytes_counts_the_memory_its_text_takes():
    from quizgen_web.cache import AppCache

    budget = 100_000
    cache = AppCache(budget)
    pages = ["Встреча на Эльбе – " * 500 + str(i) for i in range(20)]  # 2 bytes per character in memory
    for i, page in enumerate(pages):
        cache.put(("page", i), page)
    held = [cache.get(("page", i)) for i in range(20)]
    held = [p for p in held if p is not None]
    assert held, "the cache keeps what fits"
    assert sum(sys.getsizeof(p) for p in held) <= budget  # was 2-4× the budget when counting characters
    assert cache.bytes <= budget


def test_a_worksheet_too_large_is_refused_by_the_cli_and_the_site_alike(runner, tmp_path, client):
    from quizgen.cli import cli

    result = runner.invoke(cli, ["worksheet", "--deck", "all-facts", "--count", "200", "--variants", "26",
                                 "-o", str(tmp_path / "w.pdf")])
    assert result.exit_code == 1
    assert f"at most {MAX_SHEET_QUESTIONS}" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "w.pdf").exists()
    for view in ("worksheet", "worksheet.pdf"):
        page = client.get(f"/decks/all-facts/{view}?count=200&variants=26")
        assert page.status_code == 400 and f"at most {MAX_SHEET_QUESTIONS}" in page.get_data(as_text=True)
