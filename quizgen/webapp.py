"""Find the Flask app and serve it.

In the repository the app is the ``web`` package; installed from a wheel it is
``quizgen_web`` (so quizgen never shadows the web.py framework's ``web``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _in_checkout() -> bool:
    return (Path(__file__).resolve().parent.parent / "web" / "__init__.py").is_file()


def create_app(test_config: dict[str, Any] | None = None):
    # In a checkout (editable installs included) the live web/ wins over the copy an editable
    # install puts in site-packages as quizgen_web, so edits show without reinstalling.
    if _in_checkout():
        import importlib.util
        import sys

        if importlib.util.find_spec("web") is None:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from web import create_app as factory
    else:
        from quizgen_web import create_app as factory
    return factory(test_config)


def serve(content: Path | None, host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    app = create_app({"CONTENT": str(content) if content else None})
    print(f"quizgen: serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="quizgen")
