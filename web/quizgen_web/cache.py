"""The app's one cache: rendered pages, graded blocks, PDFs and packages, bounded in bytes.

Everything the site caches is a pure function of a key and the app's (read-only) library:
a quiz code pins deck, settings and content version, a deck id pins an ``.apkg``. One cache
per app (``app.extensions[CACHE_KEY]``), so apps over different content never share entries,
and one byte budget for all of it, so a flood of distinct keys evicts old entries instead of
growing the process. Blueprints use it through :func:`app_cache`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from flask import current_app

CACHE_KEY = "quizgen.cache"
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024  # config CACHE_BYTES; a few thousand pages or a dozen decks
# What an entry costs beyond its value: its key tuple and the map's node (measured: 150-300 bytes).
ENTRY_OVERHEAD = 256
# PDFs and .apkg packages built at the same time per worker process (config BUILDS): each holds a
# core (and the GIL) for seconds, so more at once only slows every page of that worker.
DEFAULT_BUILDS = 1
BUILD_RETRY_AFTER = 10  # seconds a refused build's client is told to wait
_BUILD_SLOTS = "quizgen.build_slots"
_BUILDERS = "quizgen.builders"
_PROCESSES = "quizgen.build_processes"
_SETUP_LOCK = threading.Lock()
# Build threads run at this niceness (Linux: per thread), so pages of every worker come first.
BUILD_NICENESS = 10

T = TypeVar("T")


def size_of(value: Any) -> int:
    """Bytes of memory a cached value holds, as Python stores it (text with one non-Latin-1
    character takes 2 or 4 bytes per character), plus the entry's own overhead."""
    if isinstance(value, bytes | bytearray | str):
        return sys.getsizeof(value) + ENTRY_OVERHEAD
    if isinstance(value, memoryview):
        return value.nbytes + ENTRY_OVERHEAD
    raise TypeError(f"cache values are bytes or str; pass size= for {type(value).__name__}")


class AppCache:
    """A least-recently-used map from keys to values, bounded by the sum of their sizes.

    ``get_or_make`` builds a missing value once even when several requests ask for it at
    the same time (building a deck package takes seconds): later callers wait for the first.
    A value bigger than the whole budget is returned but not kept.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES):
        if max_bytes < 0:
            raise ValueError("max_bytes must be 0 or more")
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: T, size: int | None = None) -> T:
        size = size_of(value) if size is None else size
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size <= self.max_bytes:
                self._items[key] = (value, size)
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
        missing = object()
        value = self.get(key, missing)
        if value is not missing:
            return value
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        try:
            with building:
                value = self.get(key, missing)
                if value is missing:
                    value = make()
                    self.put(key, value, size(value) if size else None)
        finally:
            # Also after a failed build: the table holds only builds in progress.
            with self._lock:
                if self._building.get(key) is building:
                    del self._building[key]
        return value

    def build_once(self, key: Hashable, make: Callable[[], T], slots: threading.BoundedSemaphore,
                   size: Callable[[T], int] | None = None, builders: Executor | None = None) -> T:
        """The cached value, else built in one of ``slots`` (on ``builders`` if given); never queues.

        :class:`Busy` when the same key is being built by another request (it will be cached
        in a moment) or when every slot is taken: the caller answers 503 with Retry-After
        instead of holding a request thread for the length of someone else's build.
        """
        missing = object()
        value = self.get(key, missing)
        if value is not missing:
            return value
        marker = threading.Lock()
        with self._lock:
            if key in self._building:
                raise Busy("the same file is being built for another request")
            self._building[key] = marker
        try:
            if not slots.acquire(blocking=False):
                raise Busy("every build slot of this worker is taken")
            try:
                value = builders.submit(make).result() if builders else make()
            finally:
                slots.release()
            self.put(key, value, size(value) if size else None)
            return value
        finally:
            with self._lock:
                if self._building.get(key) is marker:
                    del self._building[key]

    @property
    def building(self) -> int:
        """Builds in progress (for tests and monitoring)."""
        return len(self._building)


class Busy(Exception):
    """A build was refused: the same one is in progress, or every slot is taken."""


def _lower_priority() -> None:
    """A build thread's initializer: a higher niceness (per thread on Linux), so the pages of
    every worker get the cores first. Raising it back would need privileges, hence threads
    that only ever build."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BUILD_NICENESS)


def app_cache() -> AppCache:
    """The current app's cache."""
    return current_app.extensions[CACHE_KEY]


def _builders() -> tuple[threading.BoundedSemaphore, Executor]:
    """This worker's build slots (config BUILDS) and the low-priority threads that run them.

    Made on first use, so in each forked worker, never in the master (threads do not survive
    a fork).
    """
    ext = current_app.extensions
    if _BUILDERS not in ext:
        with _SETUP_LOCK:
            if _BUILDERS not in ext:
                n = int(current_app.config.get("BUILDS", DEFAULT_BUILDS))
                ext[_BUILD_SLOTS] = threading.BoundedSemaphore(n)
                ext[_BUILDERS] = ThreadPoolExecutor(n, thread_name_prefix="quizgen-build",
                                                    initializer=_lower_priority)
    return ext[_BUILD_SLOTS], ext[_BUILDERS]


def _nice_process() -> None:
    """A build process's initializer: the same lower priority as build threads."""
    with contextlib.suppress(OSError):
        os.nice(BUILD_NICENESS)


def build_processes() -> Executor | None:
    """This worker's pool of ``BUILDS`` layout processes, when config ``BUILD_PROCESSES`` is on
    (``quizgen serve`` turns it on), else None: build here, on a build thread.

    Laid out in another process, a PDF takes no GIL from the worker's pages. The processes are
    forked from a fresh forkserver (never from this threaded process), with the PDF modules
    preloaded once, and replaced if one dies.
    """
    app = current_app
    if not app.config.get("BUILD_PROCESSES"):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    ext = app.extensions
    pool = ext.get(_PROCESSES)
    if pool is None or getattr(pool, "_broken", False):
        with _SETUP_LOCK:
            pool = ext.get(_PROCESSES)
            if pool is None or getattr(pool, "_broken", False):
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["quizgen.worksheet", "weasyprint", "pypdf"])
                n = int(app.config.get("BUILDS", DEFAULT_BUILDS))
                pool = ext[_PROCESSES] = ProcessPoolExecutor(n, mp_context=context, initializer=_nice_process)
    return pool


def build(key: Hashable, make: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
    """``make()``'s value for ``key`` from the app's cache, built at most once at a time (see
    :meth:`AppCache.build_once`); raises :class:`Busy`. ``make`` runs on a build thread,
    outside the request's context: give it everything it needs."""
    slots, builders = _builders()
    return app_cache().build_once(key, make, slots, size, builders)


def busy_response(title: str, message: str) -> tuple[Any, int, dict[str, str]]:
    """503 with Retry-After: the client (or its browser's user) tries again shortly."""
    from . import error_response

    body, status = error_response(503, title, f"{message} Please try again in {BUILD_RETRY_AFTER} seconds.")
    return body, status, {"Retry-After": str(BUILD_RETRY_AFTER)}
