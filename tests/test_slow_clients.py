"""`quizgen serve` under hostile load, as the README starts it: slow clients and PDF floods.

A real server process and real sockets; each test measures the home page's latency while
the attack runs and holds it to 100 ms at the 99th percentile (issue 20's bound).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from test_serve import _serve

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="gunicorn runs on POSIX only")

P99_BOUND = 0.100  # seconds
# The machine running the tests may be shared: when the same server's p99 before the attack is
# already high, the attack may add no more than this factor (a slow-client or flood failure
# is seconds, not a factor of three).
LOADED_FACTOR = 3.0


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _home_latencies(port: int, seconds: float, pause: float = 0.02) -> list[float]:
    """Time GET / on fresh connections, one after another, for ``seconds``."""
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start = time.perf_counter()
        try:
            conn.request("GET", "/")
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200 and b"<h1" in body
        except (OSError, http.client.HTTPException):
            times.append(10.0)  # a time-out or a refused connection: as bad as it gets
        else:
            times.append(time.perf_counter() - start)
        finally:
            conn.close()
        time.sleep(pause)
    return times


def _p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _assert_fast(times: list[float], baseline: list[float]) -> None:
    bound = max(P99_BOUND, LOADED_FACTOR * _p99(baseline))
    assert len(times) >= 20, f"only {len(times)} home pages answered"
    assert _p99(times) < bound, (f"home page p99 {_p99(times) * 1000:.0f} ms over {len(times)} requests "
                                 f"(before the attack: {_p99(baseline) * 1000:.0f} ms)")


@contextlib.contextmanager
def _trickle(port: int, n: int, every: float = 2.0) -> Iterator[list[socket.socket]]:
    """``n`` connections sending a request one byte every ``every`` seconds: half of them
    dribble headers, half announce a body and dribble that."""
    head = b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\nX-Pad: " + b"a" * 200
    post = (b"POST /api/quiz/x/grade HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000\r\n\r\n")
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
    stop = threading.Event()

    def drip() -> None:
        for i, s in enumerate(socks):
            if i % 2:
                with contextlib.suppress(OSError):
                    s.sendall(post)  # the headers at once, then the body byte by byte
        offset = 0
        while not stop.is_set():
            for i, s in enumerate(socks):
                data = head if i % 2 == 0 else b"{" * 5000
                with contextlib.suppress(OSError):
                    s.send(data[offset:offset + 1])
            offset += 1
            stop.wait(every)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # every connection has sent its first byte
        yield socks
    finally:
        stop.set()
        thread.join(5)
        for s in socks:
            s.close()


def test_sixteen_slow_clients_leave_the_home_page_fast():
    with _serve("--workers", "2", "--threads", "4") as (proc, base):
        port = _port(base)
        _home_latencies(port, 0.5)  # warm: first renders, imports
        baseline = _home_latencies(port, 2.0)
        with _trickle(port, 16):
            times = _home_latencies(port, 6.0)
        _assert_fast(times, baseline)


@pytest.mark.slow  # waits out READ_TIMEOUT (15 s)
def test_a_request_trickling_in_is_cut_off_and_an_idle_connection_closed():
    from quizgen.webapp import KEEPALIVE_TIMEOUT, READ_TIMEOUT

    with _serve("--workers", "1", "--threads", "1") as (proc, base):
        port = _port(base)
        idle = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT + 10)
        with _trickle(port, 2, every=1.0) as socks:
            start = time.monotonic()
            # The idle connection never sent a byte: closed after the keep-alive time-out.
            assert idle.recv(1) == b""
            assert time.monotonic() - start < KEEPALIVE_TIMEOUT + 3
            socks[0].settimeout(READ_TIMEOUT + 10)
            # A byte a second keeps a connection active, but the request must be complete in time.
            with contextlib.suppress(ConnectionResetError):
                assert socks[0].recv(1) == b""
            assert READ_TIMEOUT - 1 < time.monotonic() - start < READ_TIMEOUT + 5


def test_the_servers_own_error_answers_carry_the_security_headers():
    with _serve("--workers", "1", "--threads", "1") as (proc, base):
        port = _port(base)
        for request in (b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 33_000 + b"\r\n\r\n",  # headers too large
                        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",  # malformed
                        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"):  # body too large
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(request)
                answer = b""
                with contextlib.suppress(ConnectionResetError):  # it closes on the rest of what we sent
                    while chunk := s.recv(65536):
                        answer += chunk
            head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            status = int(head.split()[1])
            assert 400 <= status < 500, head
            lower = head.lower()
            for name in ("x-content-type-options: nosniff", "x-frame-options: deny",
                         "content-security-policy:", "referrer-policy: no-referrer"):
                assert name in lower, head


def test_a_flood_of_uncached_pdfs_is_refused_at_once_and_leaves_the_home_page_fast():
    """20 distinct and 16 identical sheets at once: each worker builds one, the rest get 503 with
    Retry-After at once (no request thread waits on a build), and pages stay fast meanwhile."""
    with _serve("--workers", "2", "--threads", "4") as (proc, base):
        port = _port(base)
        _home_latencies(port, 0.5)
        baseline = _home_latencies(port, 2.0)
        sheet = "/decks/all-facts/worksheet.pdf?count=34&variants=12"
        paths = [f"{sheet}&seed={1000 + i}" for i in range(20)] + [f"{sheet}&seed=7"] * 16
        answers: list[tuple[int, float, str | None]] = []

        def fetch(path: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                answers.append((resp.status, time.perf_counter() - start, resp.getheader("Retry-After")))
            except (OSError, http.client.HTTPException):
                answers.append((0, time.perf_counter() - start, None))
            finally:
                conn.close()

        threads = [threading.Thread(target=fetch, args=(p,), daemon=True) for p in paths]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 3
        while len(answers) < len(paths) - 2 and time.monotonic() < deadline:  # the refusals come at once
            time.sleep(0.05)
        times = _home_latencies(port, 5.0)  # the two builds (about 12 s each) run all this time
        refused = [a for a in answers if a[0] == 503]
        assert len(refused) >= len(paths) - 2, answers  # at most one build per worker
        assert all(a[2] and int(a[2]) > 0 and a[1] < 2.0 for a in refused), refused
        _assert_fast(times, baseline)
