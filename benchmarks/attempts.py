"""Storing an attempt: server CPU per stored attempt against a hello-world app that inserts one row
through the same engine (both under the same gunicorn settings, measured by wrk), on SQLite and on
PostgreSQL; then 200 submissions at once, every 2xx answer checked against the rows stored.

    PYTHONPATH=.:web python benchmarks/attempts.py [--wrk-duration 5] [--repeat 3]

The target (issue 21): at most 1.5 ms of server CPU per stored attempt, none lost.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402 - the helpers of the full benchmark (wrk, server CPU from /proc, servers)

TARGET_MS = 1.5
BURST = 200


def measure(db_name: str, db_url: str, opts: argparse.Namespace, workdir: Path) -> list[str]:
    lines = []
    port = run.free_port()
    with run.server([sys.executable, str(HERE / "hello_app.py"), "--port", str(port), "--db", db_url,
                     *run.server_settings(opts)], port, workdir / f"hello-{db_name}.log") as proc:
        hello = run.load_test(f"http://127.0.0.1:{port}/insert", opts, opts.repeat, "x", "text/plain",
                              server_pid=proc.pid)
    port = run.free_port()
    base = f"http://127.0.0.1:{port}"
    with run.server([sys.executable, "-m", "quizgen", "serve", "--port", str(port), "--db", db_url,
                     *run.server_settings(opts)], port, workdir / f"serve-{db_name}.log") as proc:
        status, _, body = run.http(f"{base}/api/assignments", json.dumps({"deck": "link-up-1945", "count": 10}).encode(),
                                   "application/json")
        assert status == 201, body
        made = json.loads(body)
        answers = [i % len(q["options"]) for i, q in enumerate(made["quiz"]["questions"])]
        attempt = json.dumps({"name": "Ada Lovelace", "answers": answers})
        url = f"{base}/api/assignments/{made['id']}/attempts"
        r = run.load_test(url, opts, opts.repeat, attempt, "application/json", server_pid=proc.pid)
        before = run.settled_attempts(db_url, made["id"])
        ok = run.attempt_burst(url, attempt, total=BURST, threads=BURST)
        stored = run.stored_attempts(db_url, made["id"]) - before
    lines.append(f"| {db_name} | hello-world inserting one row | {run.fmt_load(hello)} |")
    lines.append(f"| {db_name} | POST /api/assignments/<id>/attempts | {run.fmt_load(r)} |")
    extra = r["cpu_ms"] - hello["cpu_ms"]
    verdict = "met" if r["cpu_ms"] <= TARGET_MS and ok == stored == BURST else "**missed**"
    lines.append(f"| {db_name} | → server CPU per stored attempt {r['cpu_ms']:.2f} ms ({extra:+.2f} ms over the "
                 f"one-row hello, {r['cpu_ms'] / hello['cpu_ms']:.1f}×); throughput {r['rps'] / hello['rps']:.0%} of "
                 f"hello's; {BURST} at once: {ok} answered 2xx, {stored} stored | target ≤ {TARGET_MS} ms, "
                 f"0 lost: {verdict} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wrk-duration", type=int, default=5)
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=run.default_workers())  # as quizgen serve
    parser.add_argument("--threads", type=int, default=run.DEFAULT_THREADS)
    parser.add_argument("--server", default="auto")
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="quizgen-attempts-"))
    print("| Database | What | Measured |\n|---|---|---|")
    for line in measure("SQLite", f"sqlite:///{workdir / 'attempts.db'}", opts, workdir):
        print(line, flush=True)
    if not opts.no_postgres:
        from quizgen.storage.testing import TemporaryCluster, postgres_bin

        bindir = postgres_bin()
        if bindir is None:
            print("| PostgreSQL | not available: no PostgreSQL installed | |")
            return
        cluster = TemporaryCluster(bindir).start()
        try:
            for line in measure("PostgreSQL", cluster.create_database(), opts, workdir):
                print(line, flush=True)
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
