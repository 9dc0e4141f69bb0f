"""The baseline for the web rows: a hello-world Flask endpoint under the same server as `quizgen serve`.

    python benchmarks/hello_app.py --port 8001 --workers 2 --threads 4

Same server, same settings: quizgen/webapp.py's ``run_gunicorn`` (workers, threads, preload,
worker class, timeouts), or waitress with ``--server waitress``.
"""

from __future__ import annotations

import argparse

from flask import Flask

from quizgen.webapp import DEFAULT_THREADS, SERVERS, default_workers, gunicorn_available, run_gunicorn

app = Flask(__name__)
_engine = None  # with --db: the engine a POST /insert writes one row through


@app.get("/")
def hello() -> str:
    return "Hello, World!"


@app.post("/insert")
def insert_one() -> tuple[str, int]:
    """The baseline for storing an attempt: one row inserted through the same engine and settings."""
    from sqlalchemy import text

    with _engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        conn.execute(text("INSERT INTO hello_rows (body) VALUES (:b)"), {"b": "x"})
    return "stored", 201


def _open(db: str) -> None:
    global _engine
    from sqlalchemy import text

    from quizgen.storage.engine import make_engine

    _engine = make_engine(db)
    with _engine.begin() as conn:
        key = "SERIAL PRIMARY KEY" if _engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS hello_rows (id {key}, body TEXT)"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--server", choices=SERVERS, default="auto")
    parser.add_argument("--db", help="a database URL: adds POST /insert, one row per request")
    args = parser.parse_args()
    if args.db:
        _open(args.db)
    print(f"hello: serving on http://{args.host}:{args.port}/", flush=True)
    if args.server == "waitress" or (args.server == "auto" and not gunicorn_available()):
        from waitress import serve

        serve(app, host=args.host, port=args.port, threads=args.threads, ident="quizgen")
    else:
        run_gunicorn(lambda: app, args.host, args.port, args.workers, args.threads)


if __name__ == "__main__":
    main()
