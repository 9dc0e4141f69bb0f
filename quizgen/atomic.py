"""Atomic file writes: a temporary file in the target folder, then a rename.

An interrupted export or render leaves the previous file (or nothing), never
half a file. A writer killed outright (kill -9, a power cut) cannot remove its
temporary file, so every write first removes the stale temporaries of earlier
writers in its folder: only files named as ours, that no live writer holds.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: writes stay atomic; stale temporaries are left, as before
    fcntl = None  # type: ignore[assignment]

_TMP_MARK = ".quizgen-"
_TMP_SUFFIX = ".tmp"
# ".<target name>.quizgen-<mkstemp's 8 random characters>.tmp": nobody else names files so.
_OURS = re.compile(r"\..+" + re.escape(_TMP_MARK) + r"[a-z0-9_]{8}" + re.escape(_TMP_SUFFIX), re.S)
# A writer locks its temporary file the moment it creates it; the age is a second guard for
# the instant in between (and for a file system without locks).
STALE_AFTER_SECONDS = 60


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# Read once, at import: os.umask can only be read by setting it, which races with other threads.
_UMASK = _current_umask()


def _remove_stale(folder: Path) -> None:
    """Remove our temporaries in ``folder`` whose writers are gone (their lock died with them)."""
    if fcntl is None:
        return
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not _OURS.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_AFTER_SECONDS:
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone already, or not ours to open
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a live writer holds it
        try:
            # Still the file we locked (not replaced since): then it is stale.
            if os.path.samestat(os.fstat(fd), os.stat(entry.path, follow_symlinks=False)):
                os.unlink(entry.path)
        except OSError:
            pass
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}{_TMP_MARK}", suffix=_TMP_SUFFIX, dir=target.parent)
    try:
        # Held until the rename: a later writer's clean-up leaves this file alone while we live.
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # mkstemp makes files private (0600); an output is an ordinary file, readable as the umask allows.
        os.fchmod(fd, 0o666 & ~_UMASK)
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)


def write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: Path | str, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))
