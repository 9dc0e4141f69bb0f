"""Serve the Flask app (the ``quizgen_web`` package, kept in ``web/quizgen_web/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def create_app(test_config: dict[str, Any] | None = None):
    from quizgen_web import create_app as factory

    return factory(test_config)


def serve(content: Path | None, host: str, port: int, threads: int = 8, db: str | None = None) -> None:
    from waitress import serve as waitress_serve

    from .storage import database_url
    from .storage.store import describe

    url = database_url(db)
    app = create_app({"CONTENT": str(content) if content else None, "DATABASE_URL": url})
    app.extensions["quizgen.assignments"].store.migrate()  # a bad path or URL fails now, not at first use
    print(f"quizgen: assignments and results stored in {describe(url)}", flush=True)
    print(f"quizgen: serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="quizgen")
