"""Load a content folder: sources, facts and decks, checked all at once.

A content folder holds ``content/sources/*.toml`` (each naming its stored
text), ``content/facts/*.toml`` (one topic per file) and ``decks/*.toml``.
Every problem is collected and raised together as a ``ContentError`` so a
curator fixes everything in one pass.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import rtoml
from pydantic import TypeAdapter, ValidationError

from .errors import ContentError, Problem, UnknownDeckError
from .limits import MAX_FILE_BYTES, MIN_QUOTE_WORDS
from .models import DateFact, Deck, Entity, Fact, Period, Source, Topic
from .validation import fact_problems, flatten

_FACT = TypeAdapter(Fact)
_FACTS_FILE_KEYS = {"topic", "period", "fact", "entity"}
_ENTITY = TypeAdapter(Entity)
_FILE_PERIOD = TypeAdapter(Period)
_TOPIC = TypeAdapter(Topic)
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_QUOTE_PAIRS = tuple((chr(k), v) for k, v in _QUOTES.items())  # no replacement is itself replaced


def normalise_text(text: str) -> str:
    """Whitespace folded and typographic quotes made straight, for quote matching."""
    if not text.isascii():  # every character _QUOTES maps is non-ASCII; isascii() is O(1)
        # As text.translate(_QUOTES), but str.replace is a C scan: translate with a dict looks
        # up every character, which was most of the load time of a large library.
        for old, new in _QUOTE_PAIRS:
            if old in text:
                text = text.replace(old, new)
    # Same as re.sub(r"\s+", " ", text).strip(): split() and \s both use Unicode whitespace; ~3x faster.
    return " ".join(text.split())


def bundled_root() -> Path:
    """The content shipped with quizgen: in the wheel, or the repository in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_bundled"
    if (packaged / "content").is_dir():
        return packaged
    return here.parent


def resolve_root(path: Path | str | None) -> Path:
    """Accept a project folder (holding content/ and decks/) or its content/ folder."""
    if path is None:
        return bundled_root()
    root = Path(path)
    if not (root / "content").is_dir() and (root / "facts").is_dir() and root.name == "content":
        root = root.parent
    if not (root / "content").is_dir():
        raise ContentError([Problem(
            file=str(root),
            message="no content/ folder here; --content expects a folder holding "
            "content/sources, content/facts and decks/ (like the quizgen repository)",
        )])
    return root


@dataclass
class Library:
    """Everything loaded from one content folder, read-only after loading."""

    root: Path
    sources: dict[str, Source]
    facts: dict[str, Fact]
    decks: dict[str, Deck]
    topics: dict[str, str]  # fact id -> topic of its file
    fact_files: dict[str, str]  # fact id -> facts file name
    digest: str  # hash of every content byte: quiz codes pin it
    file_periods: dict[str, tuple[int, int]] = field(default_factory=dict)  # facts file name -> its period
    entities: list[Entity] = field(default_factory=list)  # declared in facts files' [[entity]] tables
    _deck_facts: dict[str, list[Fact]] = field(default_factory=dict, repr=False)

    def deck(self, deck_id: str) -> Deck:
        try:
            return self.decks[deck_id]
        except KeyError:
            raise UnknownDeckError(deck_id, sorted(self.decks)) from None

    def deck_facts(self, deck_id: str) -> list[Fact]:
        """The deck's facts in content order (file name, then position in the file)."""
        if deck_id not in self._deck_facts:
            self._deck_facts[deck_id] = list(select(self.deck(deck_id), self.facts.values(), self.fact_files))
        return self._deck_facts[deck_id]

    def source_of(self, fact: Fact) -> Source:
        return self.sources[fact.source]

    def period_of(self, fact: Fact) -> tuple[int, int] | None:
        """The years a fact is about: its own period, its date's year, or its file's period."""
        if fact.period is not None:
            return fact.period
        if isinstance(fact, DateFact):
            return (fact.date.value.year, fact.date.value.year)
        return self.file_periods.get(self.fact_files.get(fact.id, ""))


def select(deck: Deck, facts: Iterable[Fact], fact_files: dict[str, str]) -> Iterator[Fact]:
    if deck.all:
        yield from facts
        return
    tags = set(deck.tags)
    files = set(deck.files)
    for f in facts:
        if fact_files[f.id] in files or not tags.isdisjoint(f.tags):
            yield f


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


class _Unreadable(Exception):
    """A content file that cannot be read as a regular file; the message says why and the fix."""


def toml_files(folder: Path) -> list[Path]:
    """The folder's ``*.toml`` files in name order, leaving out hidden ones: editors and systems
    leave ``.#elbe.toml`` (an Emacs lock, a dangling link) or ``._elbe.toml`` (macOS metadata)."""
    return sorted(p for p in folder.glob("*.toml") if not p.name.startswith("."))


def read_content_file(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``, or ``_Unreadable``.

    Never blocks: a named pipe is opened without waiting for a writer, then refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if path.is_symlink():
            raise _Unreadable(f"a symbolic link to {os.readlink(path)!r}, which does not exist; "
                              "point it at a file or remove it") from None
        raise _Unreadable("vanished while being read; run the command again") from None
    except PermissionError:
        raise _Unreadable("cannot be read (permission denied); make it readable (chmod a+r)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Unreadable("a symbolic link that leads back to itself; point it at a file or remove it") from None
        raise _Unreadable(f"cannot be read ({exc.strerror}); check the file") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else (
                "a named pipe" if stat.S_ISFIFO(info.st_mode) else "not a regular file")
            raise _Unreadable(f"is {what}, not a file; rename or remove it")
        if info.st_size > MAX_FILE_BYTES:
            raise _Unreadable(f"is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}: split it")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)  # a file growing as we read stays bounded
    except OSError as exc:
        raise _Unreadable(f"cannot be read ({exc.strerror}); check the file") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(f"is over {MAX_FILE_BYTES:,} bytes, the limit: split it")
    return data


_RTOML_AT = re.compile(r" at line (\d+) column (\d+)")


def parse_toml(raw: bytes) -> dict:
    """The one TOML parser of quizgen: rtoml (TOML 1.0, and 1.1's escapes such as \\x2F).

    rtoml parses large libraries ~10x faster than tomllib, bounds nesting itself (an array
    nested 1,000 deep is an error, not a RecursionError) and accepts a UTF-8 byte-order mark.
    Raises ``UnicodeDecodeError`` or ``rtoml.TomlParsingError``.
    """
    return rtoml.loads(raw.decode("utf-8"))


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _read_toml(path: Path, root: Path, problems: list[Problem]) -> tuple[dict | None, bytes]:
    rel = _rel(path, root)
    try:
        raw = read_content_file(path)
    except _Unreadable as exc:
        problems.append(Problem(rel, str(exc)))
        return None, b""
    try:
        return parse_toml(raw), raw
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, f"not UTF-8 text ({exc.reason}); save it as UTF-8",
                                line=_line_of(raw, exc.start)))
    except rtoml.TomlParsingError as exc:
        # rtoml ends its message with "at line N column M": lift the line to the front.
        msg = " ".join(str(exc).split())
        m = _RTOML_AT.search(msg)
        line = int(m[1]) if m else None
        msg = (msg[: m.start()] + msg[m.end():]).strip() if m else msg
        problems.append(Problem(rel, f"malformed TOML: {msg}; correct the syntax there (a quote, comma, "
                                "bracket or '=' is missing or extra)", line=line))
    return None, raw


def _id_line(raw: bytes, ident: str) -> int | None:
    m = re.search(rb"^[ \t]*id[ \t]*=[ \t]*[\"']" + re.escape(ident.encode()) + rb"[\"']", raw, re.M)
    return raw.count(b"\n", 0, m.start()) + 1 if m else None


def _key_line(raw: bytes, location: str) -> int | None:
    """The line of a top-level ``key = …`` (a source's or a deck's field), for its problem line."""
    key = re.split(r"[.\[]", location, maxsplit=1)[0]
    if not key:
        return None
    m = re.search(rb"^[ \t]*" + re.escape(key.encode()) + rb"[ \t]*=", raw, re.M)
    return raw.count(b"\n", 0, m.start()) + 1 if m else None


def _model_problems(
    exc: ValidationError, file: str, ident: str | None, kind: str, line: int | None = None, raw: bytes = b""
) -> list[Problem]:
    """A problem per mistake; a fact's at its id line, a source's or deck's at its field's line."""
    return [
        Problem(file, msg, fact_id=ident, field=loc or None, kind=kind,
                line=line if line is not None or not raw else _key_line(raw, loc))
        for loc, msg in flatten(exc)
    ]


class _Loader:
    """One pass over a content folder, collecting every problem instead of stopping at the first."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()
        self.sources: dict[str, Source] = {}
        self.source_texts: dict[str, str] = {}
        self.facts: dict[str, Fact] = {}
        self.topics: dict[str, str] = {}
        self.fact_files: dict[str, str] = {}
        self.fact_places: dict[str, str] = {}
        self.file_periods: dict[str, tuple[int, int]] = {}
        self.entities: list[Entity] = []
        self.decks: dict[str, Deck] = {}
        self.refused_sources: set[str] = set()  # ids of sources already reported: no echo per fact
        self.has_facts_folder = False
        self.facts_complete = False  # every facts file loaded without a problem
        self.unreadable: set[str] = set()  # stems of files that could not be read or parsed

    def _folder(self, folder: Path, fix: str) -> bool:
        """True if ``folder`` is a folder; otherwise a problem line saying so."""
        if folder.is_dir():
            return True
        what = "is not a folder" if os.path.lexists(folder) else "is missing"
        self.problems.append(Problem(_rel(folder, self.root), f"the {_rel(folder, self.root)}/ folder {what}; {fix}"))
        return False

    def _files(self, folder: Path) -> Iterator[tuple[Path, str, dict, bytes]]:
        """Each TOML file of a folder, parsed, with its bytes counted into the digest."""
        try:
            files = toml_files(folder)
        except OSError as exc:
            self.problems.append(Problem(_rel(folder, self.root), f"cannot be listed ({exc.strerror}); check the folder"))
            return
        for file in files:
            rel = _rel(file, self.root)
            data, raw = _read_toml(file, self.root, self.problems)
            self.digest.update(os.fsencode(rel) + b"\0" + raw)
            if data is not None:
                yield file, rel, data, raw
            else:
                self.unreadable.add(file.stem)

    def _one_model_per_file(self, folder: Path, model: type, kind: str,
                            seen: dict) -> Iterator[tuple[Path, str, Any, bytes]]:
        """Sources and decks: a validated model per file, or a problem line per mistake."""
        for file, rel, data, raw in self._files(folder):
            ident = data.get("id") if isinstance(data.get("id"), str) else None
            try:
                item = model.model_validate(data)
            except ValidationError as exc:
                self.problems += _model_problems(exc, rel, ident, kind, raw=raw)
                if ident is not None and kind == "source":
                    self.refused_sources.add(ident.strip())
                continue
            if item.id in seen:
                self.problems.append(Problem(rel, f"duplicate {kind} id; each {kind} needs its own id",
                                             fact_id=item.id, field="id", kind=kind, line=_key_line(raw, "id")))
                continue
            yield file, rel, item, raw

    def load_sources(self) -> None:
        folder = self.root / "content" / "sources"
        if not self._folder(folder, "create it and put a .toml file and its stored text there per source"):
            return
        content = os.path.realpath(self.root / "content")
        for file, rel, source, raw in self._one_model_per_file(folder, Source, "source", self.sources):
            text = self._stored_text(file, rel, source, content, _key_line(raw, "text"))
            if text is None:
                self.refused_sources.add(source.id)
            else:
                self.sources[source.id] = source
                self.source_texts[source.id] = normalise_text(text)
        # A source file that could not be parsed is named by its file (sources are named by id).
        self.refused_sources |= self.unreadable

    def _stored_text(self, file: Path, rel: str, source: Source, content: str, line: int | None) -> str | None:
        """The source's stored text, read only from inside the content folder and strictly as UTF-8."""
        def problem(message: str) -> None:
            self.problems.append(Problem(rel, message, fact_id=source.id, field="text", kind="source", line=line))

        text_path = file.parent / source.text
        shown = _rel(text_path, self.root)
        if not os.path.lexists(text_path):
            return problem(f"stored text {shown} not found; save the source's text there")
        # realpath follows every link (and stops at a loop) without raising: what is read is checked.
        if os.path.commonpath([content, os.path.realpath(text_path)]) != content:
            return problem(f"stored text {shown} is a link to a file outside the content folder; "
                           "copy the text into content/ instead")
        try:
            raw = read_content_file(text_path)
        except _Unreadable as exc:
            return problem(f"stored text {shown} {exc}")
        self.digest.update(raw)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return problem(f"stored text {shown} is not UTF-8 ({exc.reason} at line {_line_of(raw, exc.start)}); "
                           "save it as UTF-8")

    def load_facts(self) -> None:
        folder = self.root / "content" / "facts"
        before = len(self.problems)
        self.has_facts_folder = self._folder(folder, "create it and put the facts files (*.toml) there")
        if not self.has_facts_folder:
            return
        for file, rel, data, raw in self._files(folder):
            for key in sorted(set(data) - _FACTS_FILE_KEYS):
                self.problems.append(Problem(rel, f"unknown top-level key {key!r}; a facts file has "
                                             "topic = \"…\" and [[fact]] tables", field=key))
            topic = self._topic(data, rel, file.stem)
            if "period" in data:
                try:
                    self.file_periods[file.name] = _FILE_PERIOD.validate_python(data["period"])
                except ValidationError as exc:
                    self.problems += [Problem(rel, msg, field="period") for _, msg in flatten(exc)]
            raw_entities = data.get("entity", [])
            if not isinstance(raw_entities, list):
                raw_entities = [raw_entities]
            for index, item in enumerate(raw_entities):
                try:
                    self.entities.append(_ENTITY.validate_python(item))
                except ValidationError as exc:
                    name = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
                    self.problems += _model_problems(exc, rel, name or f"#{index + 1} (no name)", "entity",
                                                     _id_line(raw, name) if name else None)
            raw_facts = data.get("fact", [])
            if not isinstance(raw_facts, list) or not raw_facts:
                self.problems.append(Problem(rel, "no facts; add [[fact]] tables", field="fact"))
                continue
            for index, item in enumerate(raw_facts):
                self._fact(item, index, topic, file.name, rel, raw)
        self.facts_complete = len(self.problems) == before

    def _topic(self, data: dict, rel: str, default: str) -> str:
        if "topic" not in data:
            self.problems.append(Problem(rel, "missing topic; add topic = \"…\" at the top of the file",
                                         field="topic"))
            return default
        try:
            return _TOPIC.validate_python(data["topic"])
        except ValidationError as exc:
            self.problems += [Problem(rel, msg, field="topic") for _, msg in flatten(exc)]
            return default

    def _fact(self, item: Any, index: int, topic: str, file_name: str, rel: str, raw: bytes) -> None:
        if not isinstance(item, dict):
            self.problems.append(Problem(rel, "not a table; write each fact as a [[fact]] table",
                                         fact_id=f"#{index + 1}", field="fact"))
            return
        ident = item.get("id") if isinstance(item.get("id"), str) else None
        try:
            fact = _FACT.validate_python(item)
        except ValidationError as exc:
            line = _id_line(raw, ident) if ident else None
            self.problems += _model_problems(exc, rel, ident or f"#{index + 1} (no id)", "fact", line)
            return
        texts = self.source_texts
        quote_found = fact.source in texts and normalise_text(fact.quote) in texts[fact.source]
        # Finding the line is a search of the file: only worth it once there is a problem.
        line = None if quote_found and fact.id not in self.facts else _id_line(raw, fact.id)
        if fact.id in self.facts:
            self.problems.append(Problem(rel, f"duplicate fact id, first used in {self.fact_places[fact.id]}; "
                                         "give this fact its own id", fact_id=fact.id, field="id", line=line))
            return
        if fact.source in self.refused_sources:
            pass  # the source's own problem is reported; the facts citing it load once it is fixed
        elif fact.source not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            self.problems.append(Problem(rel, f"unknown source {fact.source!r}; known sources: {known}",
                                         fact_id=fact.id, field="source", line=line))
        elif len(list(islice(_WORD.finditer(fact.quote), MIN_QUOTE_WORDS))) < MIN_QUOTE_WORDS:
            self.problems.append(Problem(rel, f"a quote of at least {MIN_QUOTE_WORDS} words is needed to cite "
                                         "the fact; copy the whole sentence that states it",
                                         fact_id=fact.id, field="quote", line=_id_line(raw, fact.id)))
        elif not quote_found:
            self.problems.append(Problem(rel, f"quote not found in the text of source {fact.source!r}; "
                                         "copy it word for word from the stored text",
                                         fact_id=fact.id, field="quote", line=line))
        if isinstance(fact, DateFact) and fact.source in self.sources:
            published = self.sources[fact.source].published
            if fact.date.span()[0] > published.span()[1]:
                self.problems.append(Problem(
                    rel, f"{fact.date.iso()} is after the source was published ({published.iso()}); a source "
                    "cannot report a later event: check the date, or cite a later source",
                    fact_id=fact.id, field="date", line=_id_line(raw, fact.id)))
        for where, message in fact_problems(fact):  # options that would read alike (quizgen.validation)
            self.problems.append(Problem(rel, message, fact_id=fact.id, field=where, line=_id_line(raw, fact.id)))
        if fact.period is None and file_name in self.file_periods and not isinstance(fact, DateFact):
            # The fact is about its file's years: the model knows it without the curator repeating it.
            fact = fact.model_copy(update={"period": self.file_periods[file_name]})
        self.facts[fact.id] = fact
        self.topics[fact.id] = topic
        self.fact_files[fact.id] = file_name
        self.fact_places[fact.id] = rel

    def load_decks(self) -> None:
        folder = self.root / "decks"
        if not self._folder(folder, "create it and add a deck file such as decks/all-facts.toml"):
            return
        if not toml_files(folder):
            self.problems.append(Problem(_rel(folder, self.root),
                                         "no decks; add a deck file such as decks/all-facts.toml"))
        # Without a facts folder every deck would select nothing, and with a fact refused one might:
        # the cause is reported already, and the decks are checked again once it is fixed.
        facts = self.root / "content" / "facts"
        known_files = {f.name for f in toml_files(facts)} if self.has_facts_folder else None
        for _, rel, deck, raw in self._one_model_per_file(folder, Deck, "deck", self.decks):
            self.decks[deck.id] = deck
            if known_files is None:
                continue
            for name in deck.files:
                if name not in known_files:
                    self.problems.append(Problem(rel, f"no facts file {name!r} in content/facts; check the "
                                                 "name, or add the file",
                                                 fact_id=deck.id, field="files", kind="deck",
                                                 line=_key_line(raw, "files")))
            if self.facts_complete and next(select(deck, self.facts.values(), self.fact_files), None) is None:
                key = "tags" if deck.tags else "files"
                self.problems.append(Problem(rel, "this deck selects no facts; check its tags and files",
                                             fact_id=deck.id, field=key, kind="deck", line=_key_line(raw, key)))


def load_library(path: Path | str | None = None) -> Library:
    """Load and check a content folder; raise ``ContentError`` listing every problem."""
    loader = _Loader(resolve_root(path))
    loader.load_sources()
    loader.load_facts()
    loader.load_decks()
    if loader.problems:
        raise ContentError(loader.problems)
    return Library(loader.root, loader.sources, loader.facts, loader.decks, loader.topics,
                   loader.fact_files, loader.digest.hexdigest(), loader.file_periods, loader.entities)
