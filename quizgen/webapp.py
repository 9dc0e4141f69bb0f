"""Serve the Flask app (the ``quizgen_web`` package, kept in ``web/quizgen_web/``).

On Linux and macOS ``quizgen serve`` runs gunicorn's arbiter: one worker process per core,
the app (library, distractor index) loaded once in the master before the workers are forked,
so they share its memory page for page. Inside each worker, waitress's event loop owns every
socket: it reads a request in full (headers and body, bounded in size and time) before one of
the worker's threads takes it, and writes responses out from the same loop, so a client that
sends or reads a byte every few seconds holds a socket, never a thread. Plain gunicorn gthread
workers hand a connection to a thread as soon as it is readable, and the thread then waits on
the slow client (measured: 8 such clients took the home page from 3 ms to time-outs).
Measured on 2 cores, home page while 16 clients trickle a byte every 2 s / while 36 uncached
PDFs are asked for at once: gthread, timeouts / p99 144 ms; gunicorn's gevent worker, p99 18 ms /
p99 2.3 s (a PDF's layout blocks the worker's one event loop, and so do SQLite and libpq calls);
waitress inside gunicorn workers, p99 5 ms / 38-45 ms (layout in a separate process).
``--server waitress`` (and Windows) runs the same waitress set-up in one process.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVERS = ("auto", "gunicorn", "waitress")
DEFAULT_THREADS = 4  # per worker: requests arrive read in full, so threads only ever run the app
MAX_THREADS = 64
MAX_WORKERS = 64
# The arbiter replaces a worker whose event loop has not reported for this long (the loop
# reports every second whatever its threads do, so this only catches a wedged process).
WORKER_TIMEOUT = 300
GRACEFUL_TIMEOUT = 30  # seconds a worker gets after SIGTERM to finish its requests

# What one client may hold (README "Serving"): a request's line, headers and body must all
# arrive within READ_TIMEOUT seconds of its first byte; an idle kept-alive connection is closed
# after KEEPALIVE_TIMEOUT; headers are at most MAX_HEADER_BYTES and a body MAX_BODY_BYTES (the
# app itself accepts 64 KiB). Each worker keeps up to CONNECTION_LIMIT sockets open.
READ_TIMEOUT = 15
KEEPALIVE_TIMEOUT = 5
MAX_HEADER_BYTES = 32 * 1024
MAX_BODY_BYTES = 1024 * 1024
CONNECTION_LIMIT = 1000
# How long a thread holding the GIL keeps it when another wants it (Python's default: 5 ms).
# A page waits for the GIL a few times (accept, read, render, send); beside a PDF or .apkg
# build that is a few default intervals per page, so it is shortened in the servers' processes.
SWITCH_INTERVAL = 0.001
# The headers every answer of the site carries, also on waitress's own error answers (a
# malformed request, headers too large), which never reach the app.
SERVER_ERROR_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Cache-Control", "no-store"),
)

log = logging.getLogger(__name__)


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
          trusted_proxy: str | None = None, public_url: str | None = None, timezone: str | None = None) -> None:
    """Load the library once and serve it until SIGTERM or Ctrl+C.

    ``trusted_proxy`` is the address of a reverse proxy in front: its X-Forwarded-For and
    X-Forwarded-Proto then name the client (for rate limits) and the scheme. ``public_url`` is where
    students reach the site (links, QR codes); ``timezone`` the school's.
    """
    from .storage import database_url
    from .storage.store import describe

    if server not in SERVERS:
        raise ValueError(f"server must be one of {', '.join(SERVERS)}")
    use_gunicorn = server == "gunicorn" or (server == "auto" and gunicorn_available())
    url = database_url(db)
    # BUILD_PROCESSES: PDFs are laid out in each worker's pool of processes, off its GIL.
    app = create_app({"CONTENT": str(content) if content else None, "DATABASE_URL": url,
                      "BUILD_PROCESSES": True,
                      # Where students reach the site (links, QR codes) and the school's time zone.
                      "PUBLIC_URL": public_url, "TIMEZONE": timezone})
    # A bad path or URL fails now, not at first use. Safe before forking: storage.engine drops
    # inherited connection pools in each child, so every worker opens its own.
    _open_store(app, url)
    print(f"quizgen: assignments and results stored in {describe(url)}", flush=True)
    warm(app)
    options = waitress_options(threads, trusted_proxy)
    if not use_gunicorn:
        from waitress import wasyncore

        socket_map: dict = {}
        warm_builders(app)
        waitress_server(app, socket_map, host=host, port=port, **options)
        print(f"quizgen: serving on http://{host}:{port}/ with waitress, {threads} threads "
              "(Ctrl+C to stop)", flush=True)
        sys.setswitchinterval(SWITCH_INTERVAL)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop as on Ctrl+C, exit status 0
        with contextlib.suppress(SystemExit, KeyboardInterrupt):
            wasyncore.loop(timeout=1.0, map=socket_map, use_poll=True)
        return
    workers = workers or default_workers()
    print(f"quizgen: serving on http://{host}:{port}/ with gunicorn, {workers} workers × {threads} "
          "threads, requests read by waitress (Ctrl+C to stop)", flush=True)
    run_gunicorn(lambda: app, host, port, workers, threads, options)


def _open_store(app: Any, url: str) -> None:
    """Open the results database now, or stop with one line saying what is wrong and the fix."""
    from sqlalchemy.exc import SQLAlchemyError

    from .storage.errors import StorageError
    from .storage.store import describe

    try:
        app.extensions["quizgen.assignments"].store.migrate()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StorageError(f"the results database {describe(url)} cannot be used ({reason}); give --db a "
                           "SQLite file quizgen made, a path for a new one, or a postgresql:// URL") from None


def waitress_options(threads: int, trusted_proxy: str | None = None) -> dict[str, Any]:
    """Waitress's settings for quizgen: bounded sizes and times, poll() for many sockets."""
    options: dict[str, Any] = {
        "threads": threads,
        "channel_timeout": KEEPALIVE_TIMEOUT,
        "cleanup_interval": 1,  # how often idle and too-slow connections are looked for
        "connection_limit": CONNECTION_LIMIT,
        "max_request_header_size": MAX_HEADER_BYTES,
        "max_request_body_size": MAX_BODY_BYTES,
        "asyncore_use_poll": True,  # select() stops at file descriptor 1024
        "ident": "quizgen",
        "expose_tracebacks": False,
    }
    if trusted_proxy:
        options.update(trusted_proxy=trusted_proxy, trusted_proxy_count=1,
                       trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
                       clear_untrusted_proxy_headers=True)
    return options


def _channel_classes() -> tuple[type, type]:
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class SecureErrorTask(ErrorTask):
        """Waitress's own error answer (400, 413, 431), with the site's security headers."""

        def execute(self) -> None:
            self.response_headers.extend(SERVER_ERROR_HEADERS)
            super().execute()

    class BoundedChannel(HTTPChannel):
        """A connection that remembers when its current request began arriving."""

        error_task_class = SecureErrorTask
        reading_since: float | None = None

        def received(self, data: bytes) -> bool:
            fresh = self.request is None
            result = super().received(data)
            if self.request is None:
                self.reading_since = None
            elif fresh:
                self.reading_since = time.monotonic()
            return result

    return BoundedChannel, SecureErrorTask


def waitress_server(wsgi: Any, socket_map: dict, **options: Any) -> Any:
    """A waitress server in ``socket_map`` whose connections must deliver each request in time."""
    from waitress.server import create_server

    channel_class, _ = _channel_classes()
    server = create_server(wsgi, map=socket_map, **options)
    servers = [d for d in socket_map.values() if hasattr(d, "channel_class")]
    for srv in servers:
        srv.channel_class = channel_class
        keep_alive_cleanup = srv.maintenance

        def maintenance(now: float, srv: Any = srv, keep_alive_cleanup: Callable = keep_alive_cleanup) -> None:
            keep_alive_cleanup(now)  # idle kept-alive connections
            cutoff = time.monotonic() - READ_TIMEOUT
            for channel in list(srv.active_channels.values()):
                since = getattr(channel, "reading_since", None)
                if since is not None and since < cutoff and not channel.requests:
                    channel.will_close = True  # a request trickling in for too long: drop it

        srv.maintenance = maintenance
    return server


def warm_builders(app: Any) -> None:
    """Start a worker's layout processes now (their forkserver imports WeasyPrint for a second
    or two), so the first PDF a visitor asks for does not pay for it."""
    from quizgen_web.cache import build_processes

    with app.app_context():
        pool = build_processes()
        if pool is not None:
            pool.submit(int).result()


def _worker_class() -> type:
    from gunicorn.workers.base import Worker

    class WaitressWorker(Worker):
        """A gunicorn worker whose sockets are served by waitress's event loop (see the module doc)."""

        options: dict[str, Any] = {}

        def run(self) -> None:
            from waitress import wasyncore

            sys.setswitchinterval(SWITCH_INTERVAL)
            warm_builders(self.wsgi)  # before serving: the first PDF does not wait for WeasyPrint to load
            for listener in self.sockets:
                listener.setblocking(False)
            socket_map: dict = {}
            server = waitress_server(self.wsgi, socket_map, sockets=[s.sock for s in self.sockets],
                                     **self.options)
            reported = 0.0
            while self.alive:
                wasyncore.poll2(0.5, socket_map)  # one round of the event loop
                now = time.monotonic()
                if now - reported >= 1.0:  # the heartbeat is a system call: once a second is enough
                    reported = now
                    self.notify()
                    if self.ppid != os.getppid():
                        break
            # SIGTERM: stop accepting, let the requests in progress finish and be sent.
            for dispatcher in list(socket_map.values()):
                if hasattr(dispatcher, "channel_class"):
                    dispatcher.accepting = False
            deadline = time.monotonic() + self.cfg.graceful_timeout
            while time.monotonic() < deadline and any(
                    getattr(ch, "requests", None) or getattr(ch, "total_outbufs_len", 0)
                    for ch in list(socket_map.values())):
                self.notify()
                wasyncore.loop(timeout=0.2, map=socket_map, use_poll=True, count=1)
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)

    return WaitressWorker


def run_gunicorn(load: Callable[[], Any], host: str, port: int, workers: int, threads: int,
                 options: dict[str, Any] | None = None) -> None:
    """Run a WSGI app under gunicorn with waitress workers, loaded once in the master (also used by the benchmarks)."""
    from gunicorn.app.base import BaseApplication

    worker_class = _worker_class()
    worker_class.options = options or waitress_options(threads)

    class Server(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": worker_class,
                "preload_app": True,
                "timeout": WORKER_TIMEOUT,
                "graceful_timeout": GRACEFUL_TIMEOUT,
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
