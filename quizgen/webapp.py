"""Serve the Flask app (the ``quizgen_web`` package, kept in ``web/quizgen_web/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def create_app(test_config: dict[str, Any] | None = None):
    from quizgen_web import create_app as factory

    return factory(test_config)


def serve(content: Path | None, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    app = create_app({"CONTENT": str(content) if content else None})
    print(f"quizgen: serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="quizgen")
