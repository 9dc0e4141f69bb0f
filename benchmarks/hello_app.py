"""The baseline for the web rows: a hello-world Flask endpoint under the same waitress settings.

    python benchmarks/hello_app.py --port 8001 --threads 8
"""

from __future__ import annotations

import argparse

from flask import Flask
from waitress import serve

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(f"hello: serving on http://{args.host}:{args.port}/", flush=True)
    # Same server and settings as `quizgen serve` (quizgen/webapp.py): waitress, threads, ident.
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="quizgen")


if __name__ == "__main__":
    main()
