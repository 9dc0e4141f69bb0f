"""The Anki ledger: when each fact's note last changed, kept in the repository beside the content.

Anki updates a note on re-import only when the incoming note's modification
time is newer than the learner's copy. So a note's time must rise exactly when
what the learner sees changes, and stay put otherwise, on any machine, from
any clone. File times cannot do that (a clone, a checkout or a copy resets
them, and one file holds many facts), and a hash of the content does not rise.

``content/anki-ledger.tsv`` holds, per fact, the hash of its note as exported
(every field and tag, so a change in quizgen's wording counts as well as a
content edit) and the time that hash was first seen. ``quizgen anki-ledger``
brings it up to date: a fact whose hash changed gets the current time (always
later than its previous one); an unchanged fact keeps its time; a removed fact
leaves the ledger. The file is committed with the content, so every clone
exports the same times and the same bytes.

Why a ledger rather than an ``updated`` date on each fact: the curator never
writes or bumps a date by hand (a forgotten bump is an update learners never
receive), wording changes in the code are caught too, and the facts files stay
about history.

When the ledger is behind the content (``stale_facts``; ``quizgen check`` can
report it with ``ledger_problems``), the export still works and is still
deterministic: a changed note gets its ledger time plus one second, a fact the
ledger has never seen gets ``FLOOR``. Run ``quizgen anki-ledger`` and commit the
file before publishing packages.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_text
from ..content import Library
from ..errors import Problem
from ..limits import MAX_FILE_BYTES, MAX_ID_CHARS, MAX_LEDGER_TIME
from .notes import NoteMaker

LEDGER_FILE = Path("content") / "anki-ledger.tsv"
FLOOR = 1795305600  # 2026-11-22, when note type v2 began: the time of a fact the ledger has not seen
_HEADER = (
    "# quizgen Anki ledger: when each fact's Anki note last changed. Written by `quizgen anki-ledger`;\n"
    "# commit it with the content. Columns: fact id, note hash, modified (Unix seconds), modified (UTC).\n"
)
_DIGEST_CHARS = 20  # 80 bits of SHA-256: no accidental collision between two versions of one note


@dataclass(frozen=True)
class Entry:
    digest: str
    mod: int


@dataclass(frozen=True)
class Change:
    """What ``update_ledger`` did, as fact ids."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def note_digest(fields: Iterable[str], tags: Iterable[str]) -> str:
    """The hash of a note as Anki receives it: fields and tags, in order."""
    return digest_of("\x1f".join(fields), " ".join(tags))


def digest_of(joined_fields: str, joined_tags: str) -> str:
    """``note_digest`` of fields joined by \\x1f and tags joined by spaces (as the exporter has them)."""
    return hashlib.sha256(f"{joined_fields}\x1e{joined_tags}".encode()).hexdigest()[:_DIGEST_CHARS]


def ledger_path(root: Path) -> Path:
    return Path(root) / LEDGER_FILE


def read_ledger(root: Path) -> tuple[dict[str, Entry], list[Problem]]:
    """The ledger's entries by fact id, and a problem for each line that cannot be read.

    A missing file is an empty ledger. Unreadable lines are left out, so an export falls back
    for those facts instead of failing; ``quizgen check`` reports every problem. Never blocks:
    anything but a regular file (a named pipe, a device, a folder) is a problem, not read.
    """
    path = ledger_path(root)
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    try:
        data = _read_regular(path)
    except FileNotFoundError:
        return entries, problems
    except _NotRegular as exc:
        return entries, [Problem(str(LEDGER_FILE), f"the Anki ledger is {exc}, not a text file; delete it, "
                                 "then run `quizgen anki-ledger` to write it again")]
    except OSError as exc:
        return entries, [Problem(str(LEDGER_FILE), f"cannot read the Anki ledger ({exc.strerror or exc}); "
                                 "check its permissions, or run `quizgen anki-ledger` to rewrite it")]
    if len(data) > MAX_FILE_BYTES:
        return entries, [Problem(str(LEDGER_FILE), f"the Anki ledger is larger than {MAX_FILE_BYTES:,} bytes, "
                                 "which no ledger is; run `quizgen anki-ledger` to rewrite it")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return entries, [Problem(str(LEDGER_FILE), f"the Anki ledger is not UTF-8 text ({exc.reason}); "
                                 "run `quizgen anki-ledger` to rewrite it")]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        problem = _line_problem(line.split("\t"), entries)
        if problem:
            problems.append(Problem(str(LEDGER_FILE), f"{problem}; run `quizgen anki-ledger` to rewrite the "
                                    "ledger (after a merge conflict, keep either side)", line=number))
            continue
        fid, digest, mod = line.split("\t")[:3]
        entries[fid] = Entry(digest, int(mod))
    return entries, problems


class _NotRegular(Exception):
    """The ledger's path is not a regular file; the message says what it is."""


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file, at most MAX_FILE_BYTES + 1 of them, never blocking on a pipe."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket")
            raise _NotRegular(kind)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_FACT_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_DIGEST = re.compile(f"[0-9a-f]{{{_DIGEST_CHARS}}}")
_TIME = re.compile(r"[0-9]{1,12}")  # ASCII digits only: '²'.isdigit() is True, int('²') fails


def _line_problem(parts: list[str], entries: dict[str, Entry]) -> str | None:
    """Why a ledger line cannot be used, or None."""
    if len(parts) not in (3, 4):
        return f"a ledger line has {len(parts)} tab-separated columns, not 4 (fact id, hash, time, UTC time)"
    fid, digest, mod = parts[:3]
    if len(fid) > MAX_ID_CHARS or not _FACT_ID.fullmatch(fid):
        return f"{fid[:40]!r} is not a fact id (lowercase letters, digits and hyphens)"
    if fid in entries:
        return f"fact {fid} is listed twice"
    if not _DIGEST.fullmatch(digest):
        return f"{digest[:40]!r} is not a note hash ({_DIGEST_CHARS} hexadecimal digits)"
    if not _TIME.fullmatch(mod) or not 0 <= int(mod) <= MAX_LEDGER_TIME:
        return f"{mod[:40]!r} is not a time in Unix seconds from 0 to {MAX_LEDGER_TIME} (year 9999)"
    return None


def mod_of(entry: Entry | None, digest: str) -> int:
    """The note's modification time: its ledger time, or the fallback for a stale ledger."""
    if entry is None:
        return FLOOR
    if entry.digest == digest:
        return entry.mod
    return entry.mod + 1  # newer than what learners have, until the ledger records the change


def _digests(library: Library) -> dict[str, str]:
    maker = NoteMaker(library)
    return {fact.id: note_digest(*maker.content(fact)) for fact in library.facts.values()}


def stale_facts(library: Library) -> list[str]:
    """Fact ids whose note the ledger does not record as it is now (new or changed), sorted."""
    entries, _ = read_ledger(library.root)
    return sorted(fid for fid, digest in _digests(library).items()
                  if fid not in entries or entries[fid].digest != digest)


def ledger_problems(library: Library) -> list[Problem]:
    """What ``quizgen check`` reports about the ledger: unreadable lines, and facts it is behind on."""
    entries, problems = read_ledger(library.root)
    stale = stale_facts(library)
    removed = sorted(set(entries) - set(library.facts))
    if stale or removed:
        what = []
        if stale:
            what.append(f"{len(stale)} new or changed fact{'s' if len(stale) != 1 else ''} "
                        f"(first: {stale[0]})")
        if removed:
            what.append(f"{len(removed)} removed fact{'s' if len(removed) != 1 else ''}")
        problems.append(Problem(str(LEDGER_FILE), f"the Anki ledger is behind the content: {', '.join(what)}; "
                                "run `quizgen anki-ledger` and commit the file, or learners' Anki "
                                "may not take the update"))
    return problems


def update_ledger(library: Library, now: int | None = None) -> Change:
    """Bring the ledger up to date with the library and write it (atomically) if anything changed."""
    now = int(time.time()) if now is None else now
    entries, problems = read_ledger(library.root)
    digests = _digests(library)
    added, changed = [], []
    out: dict[str, Entry] = {}
    for fid, digest in digests.items():
        old = entries.get(fid)
        if old is None:
            added.append(fid)
            out[fid] = Entry(digest, max(now, FLOOR))
        elif old.digest != digest:
            changed.append(fid)
            out[fid] = Entry(digest, max(now, old.mod + 2))  # above the stale fallback (old + 1) too
        else:
            out[fid] = old
    removed = sorted(set(entries) - set(digests))
    change = Change(tuple(sorted(added)), tuple(sorted(changed)), tuple(removed))
    if change or problems or not ledger_path(library.root).exists():
        write_text(ledger_path(library.root), render(out))
    return change


def render(entries: dict[str, Entry]) -> str:
    lines = [_HEADER]
    for fid in sorted(entries):  # one line per fact in id order: merges touch only the edited facts' lines
        entry = entries[fid]
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.mod))
        lines.append(f"{fid}\t{entry.digest}\t{entry.mod}\t{stamp}\n")
    return "".join(lines)


def newest(entries: dict[str, Entry]) -> int:
    return max((e.mod for e in entries.values()), default=FLOOR)
