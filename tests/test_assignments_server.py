"""Nothing lost under load: real `quizgen serve` processes, 200 concurrent submissions, restarts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECK = "all-facts"
SUBMISSIONS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `quizgen serve` subprocess: started at once, waited for separately, its output kept."""

    def __init__(self, db: str | None, env_extra: dict[str, str] | None = None):
        port = free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "web"),
                                                                         os.environ.get("PYTHONPATH")]))}
        env.pop("QUIZGEN_DATABASE_URL", None)
        env["QUIZGEN_SUBMIT_ATTEMPT_RATE"] = "100000 per minute"  # hundreds of attempts from this one address
        env.update(env_extra or {})
        args = [sys.executable, "-m", "quizgen", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if db:
            args += ["--db", db]
        self.base = f"http://127.0.0.1:{port}"
        self.output: list[str] = []
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)

    def wait(self) -> str:
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"quizgen serve exited with {self.proc.returncode}:\n{self.proc.stdout.read()}")
            try:
                with urllib.request.urlopen(self.base + "/api/decks", timeout=2):
                    return self.base
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("quizgen serve did not answer within 60 seconds")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.output.extend(out.splitlines())


@contextmanager
def serving(*dbs: str | None, env_extra: dict[str, str] | None = None) -> Iterator[list[Server]]:
    """One server per database given, all started at once; stopped on leaving."""
    servers = [Server(db, env_extra) for db in dbs]
    try:
        for server in servers:
            server.wait()
        yield servers
    finally:
        for server in servers:
            server.stop()


def call(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def create(base: str) -> dict:
    status, made = call("POST", base + "/api/assignments", {"deck": DECK, "count": 5, "seed": 3})
    assert status == 201, made
    return made


def report(base: str, made: dict) -> dict:
    status, body = call("GET", f"{base}/api/assignments/{made['id']}/report",
                        headers={"Authorization": f"Bearer {made['teacher_secret']}"})
    assert status == 200, body
    return body


def submit_all(bases: list[str], made: dict, names: range) -> list[int]:
    """Every name submitted once, at once, spread over the servers in turn; the status codes."""
    def one(i: int) -> int:
        answers = [(i + q) % len(question["options"]) if (i + q) % 4 else None
                   for q, question in enumerate(made["quiz"]["questions"])]
        status, _ = call("POST", f"{bases[i % len(bases)]}/api/assignments/{made['id']}/attempts",
                         {"name": f"Student {i:03d}", "answers": answers})
        return status

    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(one, names))


def server_logs(servers: list[Server]) -> str:
    """The servers' own output, for a failure's message: a 500 says why only there."""
    for server in servers:
        server.stop()
    return "\n".join(line for server in servers for line in server.output[-80:])


def check_all_stored_once(body: dict) -> None:
    assert body["attempts"] == SUBMISSIONS
    names = sorted(s["name"] for s in body["students"])
    assert names == [f"Student {i:03d}" for i in range(SUBMISSIONS)]  # each exactly once
    assert all(s["attempts"] == 1 for s in body["students"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_200_concurrent_submissions_are_stored_exactly_once_and_survive_a_restart(backend, request, tmp_path):
    if backend == "sqlite":
        db, env = None, {"XDG_DATA_HOME": str(tmp_path / "data")}  # the default place: nothing given
        where = f"sqlite:///{tmp_path / 'data' / 'quizgen' / 'quizgen.db'}"
    else:
        db, env = request.getfixturevalue("pg_cluster").create_database(), {}
        where = db
    with serving(db, env_extra=env) as [server]:
        made = create(server.base)
        statuses = submit_all([server.base], made, range(SUBMISSIONS))
        assert statuses == [201] * SUBMISSIONS, server_logs([server])
        before = report(server.base, made)
        check_all_stored_once(before)
    assert f"quizgen: assignments and results stored in {where}" in server.output
    with serving(db, env_extra=env) as [server]:  # a restart loses nothing
        after = report(server.base, made)
    assert after == before


def test_two_server_processes_on_one_postgresql_give_one_report(pg_cluster):
    url = pg_cluster.create_database()
    # Both start at once: the migration runs once, the other process waits for it.
    with serving(url, url) as servers:
        one, two = (server.base for server in servers)
        made = create(one)
        statuses = submit_all([one, two], made, range(SUBMISSIONS))
        assert statuses == [201] * SUBMISSIONS, server_logs(servers)
        first, second = report(one, made), report(two, made)
    assert first == second
    check_all_stored_once(first)
