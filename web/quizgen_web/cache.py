"""The app's one cache: rendered pages, graded blocks, PDFs and packages, bounded in bytes.

Everything the site caches is a pure function of a key and the app's (read-only) library:
a quiz code pins deck, settings and content version, a deck id pins an ``.apkg``. One cache
per app (``app.extensions[CACHE_KEY]``), so apps over different content never share entries,
and one byte budget for all of it, so a flood of distinct keys evicts old entries instead of
growing the process. Blueprints use it through :func:`app_cache`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

CACHE_KEY = "quizgen.cache"
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024  # config CACHE_BYTES; a few thousand pages or a dozen decks

T = TypeVar("T")


def size_of(value: Any) -> int:
    """Bytes a cached value holds: exact for bytes, close for text (mostly ASCII markup)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, str):
        return len(value)
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
        with building:
            value = self.get(key, missing)
            if value is missing:
                value = make()
                self.put(key, value, size(value) if size else None)
        with self._lock:
            self._building.pop(key, None)
        return value


def app_cache() -> AppCache:
    """The current app's cache."""
    return current_app.extensions[CACHE_KEY]
