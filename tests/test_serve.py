"""`quizgen serve` as a user runs it: a real server process, real sockets, real signals."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP = 120  # seconds: the bundled library loads in about one on an idle machine

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="gunicorn runs on POSIX only")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    paths = [str(ROOT), str(ROOT / "web"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}


@contextlib.contextmanager
def _serve(*args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    port = _free_port()
    db = Path(tempfile.mkdtemp(prefix="quizgen-serve-")) / "test.db"  # never the user's own data folder
    proc = subprocess.Popen([sys.executable, "-m", "quizgen", "serve", "--port", str(port), "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_env(), cwd=ROOT)
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, "the server never listened"
            time.sleep(0.2)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            proc.kill()  # only when a test failed before its own SIGTERM
            proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _http(url: str, data: bytes | None = None, ctype: str | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.build_opener(_NoRedirect).open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def _workers(master: int, count: int) -> list[int]:
    deadline = time.monotonic() + STARTUP
    while len(kids := _children(master)) < count:  # gunicorn forks them just after listening
        assert time.monotonic() < deadline, f"{len(kids)} workers, expected {count}"
        time.sleep(0.1)
    return kids


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc")
def test_serve_runs_workers_that_each_answer_grade_and_stop_on_sigterm():
    with _serve("--workers", "2", "--threads", "2") as (proc, base):
        workers = _workers(proc.pid, 2)
        assert len(workers) == 2 and proc.pid not in workers

        # Each worker answers on its own: with the other one frozen, every new connection
        # waits in the shared listening socket until the running one accepts it.
        for frozen in workers:
            os.kill(frozen, signal.SIGSTOP)
            try:
                status, _, page = _http(f"{base}/")
                assert status == 200 and "<h1" in page
            finally:
                os.kill(frozen, signal.SIGCONT)
            assert _children(proc.pid) == workers  # nothing was replaced: both are the originals

        # Start a quiz, answer it through the HTML form (303 to the result page) and the API.
        status, headers, _ = _http(f"{base}/decks/link-up-1945/quiz?count=5&seed=3")
        assert status in (302, 303), status
        code = headers["Location"].rsplit("/q/", 1)[1]
        status, _, body = _http(f"{base}/api/quiz/{code}")
        assert status == 200
        questions = json.loads(body)["questions"]
        answers = [0] * len(questions)
        form = urllib.parse.urlencode({f"q{i}": a for i, a in enumerate(answers)}).encode()
        status, headers, _ = _http(f"{base}/q/{code}", form, "application/x-www-form-urlencoded")
        assert status == 303
        status, _, result = _http(urllib.parse.urljoin(base, headers["Location"]))
        assert status == 200
        status, _, graded = _http(f"{base}/api/quiz/{code}/grade", json.dumps({"answers": answers}).encode(),
                                  "application/json")
        assert status == 200
        graded = json.loads(graded)
        assert graded["total"] == len(questions)
        assert graded["score"] == sum(r["answer_index"] == 0 for r in graded["results"])
        assert f"You scored {graded['score']} out of {len(questions)}" in result  # same grade both ways

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        output = proc.stdout.read().decode(errors="replace")
        assert "Traceback" not in output, output
        for pid in workers:  # the workers went with it, nothing left running
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_serve_with_waitress_serves_from_one_process():
    with _serve("--server", "waitress", "--threads", "2") as (proc, base):
        status, _, page = _http(f"{base}/")
        assert status == 200 and "<h1" in page
        if Path("/proc/self/task").is_dir():  # no worker processes: only PDF layout's helpers
            for child in _children(proc.pid):
                assert b"multiprocessing" in Path(f"/proc/{child}/cmdline").read_bytes()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def test_serve_refuses_workers_with_waitress(runner):
    from quizgen.cli import cli

    result = runner.invoke(cli, ["serve", "--server", "waitress", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers needs gunicorn" in result.output


def test_apkg_builds_are_bounded_busy_answers_503_with_retry_after(monkeypatch):
    """Beyond BUILDS builds at once a download is refused at once, never queued; cached decks still download."""
    import threading

    from quizgen.content import bundled_root
    from quizgen.export import anki
    from quizgen.webapp import create_app

    real = anki.apkg_bytes
    started, release = threading.Event(), threading.Event()

    def slow(library, deck_id):  # a build that takes as long as the test says
        started.set()
        assert release.wait(30)
        return real(library, deck_id)

    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()), "BUILDS": 1})
    client = app.test_client()
    assert client.get("/decks/allies-1945/deck.apkg").status_code == 200  # cached before the flood
    monkeypatch.setattr(anki, "apkg_bytes", slow)

    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(r=app.test_client().get("/decks/link-up-1945/deck.apkg")))
    worker.start()
    try:
        assert started.wait(30)
        busy = client.get("/decks/relations-1933/deck.apkg")
        assert busy.status_code == 503
        assert int(busy.headers["Retry-After"]) > 0
        assert "try again" in busy.get_data(as_text=True)
        cached = client.get("/decks/allies-1945/deck.apkg")  # no build needed: served while busy
        assert cached.status_code == 200 and cached.data[:2] == b"PK"
        assert client.get("/").status_code == 200  # pages keep answering
    finally:
        release.set()
        worker.join(60)
    assert first["r"].status_code == 200 and first["r"].data[:2] == b"PK"
    again = client.get("/decks/relations-1933/deck.apkg")  # the slot is free again
    assert again.status_code == 200 and again.data[:2] == b"PK"
