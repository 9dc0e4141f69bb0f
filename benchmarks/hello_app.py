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


@app.get("/")
def hello() -> str:
    return "Hello, World!"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--server", choices=SERVERS, default="auto")
    args = parser.parse_args()
    print(f"hello: serving on http://{args.host}:{args.port}/", flush=True)
    if args.server == "waitress" or (args.server == "auto" and not gunicorn_available()):
        from waitress import serve

        serve(app, host=args.host, port=args.port, threads=args.threads, ident="quizgen")
    else:
        run_gunicorn(lambda: app, args.host, args.port, args.workers, args.threads)


if __name__ == "__main__":
    main()
