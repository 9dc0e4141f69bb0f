"""Serve the Flask app (the ``quizgen_web`` package, kept in ``web/quizgen_web/``).

On Linux and macOS ``quizgen serve`` runs gunicorn: one worker process per core, each with
a few threads, the app (library, distractor index) loaded once in the master before the
workers are forked, so they share its memory page for page. Waitress (one process, threads)
is the fallback where gunicorn cannot run: Windows, or ``--server waitress``.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVERS = ("auto", "gunicorn", "waitress")
DEFAULT_THREADS = 4  # per worker: overlaps a slow client's I/O without much GIL contention
MAX_THREADS = 64
MAX_WORKERS = 64
# A worker busier than this on one request (a 100,000-fact .apkg on a loaded machine) is
# killed and replaced by gunicorn; the same bound keeps a hung request from holding a worker.
WORKER_TIMEOUT = 300
GRACEFUL_TIMEOUT = 30  # seconds a worker gets after SIGTERM to finish its requests


def create_app(test_config: dict[str, Any] | None = None):
    from quizgen_web import create_app as factory

    return factory(test_config)


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no sched_getaffinity
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def gunicorn_available() -> bool:
    if sys.platform.startswith("win"):
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def warm(app: Any) -> None:
    """Build what the first quiz of each deck would build (its fact list), before forking.

    Built in the master, it is shared by every worker; built lazily in each worker, the walk
    over every fact would also touch (and so copy) every page of the library in each of them.
    """
    from quizgen_web import MAKER_KEY

    maker = app.extensions[MAKER_KEY]
    for deck_id in maker.library.decks:
        maker.drawable(deck_id)


def serve(content: Path | None, host: str, port: int, threads: int = DEFAULT_THREADS,
          workers: int | None = None, server: str = "auto", db: str | None = None,
          public_url: str | None = None, timezone: str | None = None) -> None:
    """Load the library once and serve it until SIGTERM or Ctrl+C."""
    from .storage import database_url
    from .storage.store import describe

    if server not in SERVERS:
        raise ValueError(f"server must be one of {', '.join(SERVERS)}")
    use_gunicorn = server == "gunicorn" or (server == "auto" and gunicorn_available())
    url = database_url(db)
    app = create_app({"CONTENT": str(content) if content else None, "DATABASE_URL": url,
                      # Where students reach the site (links, QR codes) and the school's time zone.
                      "PUBLIC_URL": public_url, "TIMEZONE": timezone})
    # A bad path or URL fails now, not at first use. Safe before forking: storage.engine drops
    # inherited connection pools in each child, so every worker opens its own.
    app.extensions["quizgen.assignments"].store.migrate()
    print(f"quizgen: assignments and results stored in {describe(url)}", flush=True)
    warm(app)
    if not use_gunicorn:
        from waitress import serve as waitress_serve

        print(f"quizgen: serving on http://{host}:{port}/ with waitress, {threads} threads "
              "(Ctrl+C to stop)", flush=True)
        waitress_serve(app, host=host, port=port, threads=threads, ident="quizgen")
        return
    workers = workers or default_workers()
    print(f"quizgen: serving on http://{host}:{port}/ with gunicorn, {workers} workers × {threads} "
          "threads (Ctrl+C to stop)", flush=True)
    run_gunicorn(lambda: app, host, port, workers, threads)


def run_gunicorn(load: Callable[[], Any], host: str, port: int, workers: int, threads: int) -> None:
    """Run a WSGI app under gunicorn, loaded once in the master (also used by the benchmarks)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # gthread keeps a slow client from blocking a worker; plain sync when one thread.
                "worker_class": "gthread" if threads > 1 else "sync",
                "preload_app": True,
                "timeout": WORKER_TIMEOUT,
                "graceful_timeout": GRACEFUL_TIMEOUT,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "quizgen",
            }
            if os.path.isdir("/dev/shm"):  # workers' heartbeat files in memory, not on a slow /tmp
                settings["worker_tmp_dir"] = "/dev/shm"
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            wsgi = load()
            # Everything loaded so far lives as long as the server: move it out of the
            # collector's reach, so collections in the workers never write to (and so copy)
            # the pages they share with the master.
            gc.collect()
            gc.freeze()
            return wsgi

    Server().run()
