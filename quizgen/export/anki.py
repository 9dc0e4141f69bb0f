"""Anki packages (.apkg) that re-import as updates, with a citation on every card.

Each fact becomes two notes: a question/answer note (the forward question,
the answer, the citation) and a cloze note (the fact's true sentence with the
answer as the gap, and the citation). Both show the citation on the back.

How a re-export lands in a learner's collection
-----------------------------------------------
Anki's importer matches notes by GUID across the whole collection; a known
note is updated only if the incoming note's ``mod`` is newer than the one in
the collection and its note type ID is unchanged. Decks are matched by name.

* GUID = ``quizgen:<qa|cloze>:<fact id>``. Never field text, so fixing a typo
  updates the note in place; never the deck, so a fact that is in several
  decks (all-facts holds everything) is ONE note per style however many of
  our decks a learner imports. Its cards stay in the sub-deck they were first
  imported into: Anki does not move existing cards, and a later package only
  adds the facts the learner does not have yet to its own sub-decks.
* Note type and deck IDs come from fixed names (``notetypes.stable_id``).
* ``mod`` must rise when a note's content changes and stay put when it does
  not. A hash of the content stays put but does not rise (half of all edits
  would look "older" and be ignored). So ``mod`` is the newest modification
  time, in whole seconds, of the files the note is made from: the fact's
  facts file and its source's file, with ``FORMAT_EPOCH`` as a floor. An edit
  saves the file, so the mtime, hence ``mod``, rises and Anki takes the
  update; untouched files keep their mtime, so re-importing changes nothing.
  Editing one fact also raises ``mod`` for the other facts of that file;
  Anki then rewrites them with identical fields, which loses no scheduling.
  A fresh ``git clone`` has fresh mtimes, with the same harmless effect.
  ``FORMAT_EPOCH`` covers the one input that is not a content file: how
  quizgen words the fields. Bump it to the current time whenever a change
  to the code alters field text, so learners receive the new wording.
* Byte-identical output: genanki stamps notes, cards and note types with the
  build time and zips with the current date. Here note times are the mods
  above, the package timestamp (which seeds note and card IDs) is the newest
  of them, note types carry ``notetypes.NOTETYPE_MTIME``, the SQLite file is
  built in memory, and zip entries carry a fixed date.
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import os
import sqlite3
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import genanki

from ..atomic import atomic_path
from ..citations import Citation
from ..content import Library
from ..errors import RenderError
from ..models import Fact, Source
from ..questions import attribute, cloze, statement_answer, stem_text
from . import notetypes

# Floor for every note's mod; see the module docstring. Bump when field wording changes.
FORMAT_EPOCH = 1795219200  # 2026-11-21

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_PROGRESS_EVERY = 100  # facts between progress calls: a bar needs no finer steps

Progress = Callable[[int], None]


class _Note(genanki.Note):
    """A genanki note stamped with its own modification time instead of the build time."""

    def __init__(self, *, mod: int, after: Callable[[], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.mod = mod
        self.after = after

    def _check_invalid_html_tags_in_fields(self) -> None:
        # genanki warns about any tag in a field; ours are our own markup and content is
        # escaped. Skipped here rather than with warnings.catch_warnings, which is not
        # thread-safe and the web app exports from several threads.
        pass

    def write_to_db(self, cursor, timestamp: float, deck_id, id_gen) -> None:  # noqa: ANN001
        super().write_to_db(cursor, self.mod, deck_id, id_gen)
        if self.after is not None:
            self.after()


@dataclass(frozen=True)
class _Stamps:
    """Modification times of a library's files, read once per export."""

    facts: dict[str, int]  # facts file name -> mtime
    sources: dict[str, int]  # source id -> mtime of its .toml

    @classmethod
    def of(cls, library: Library) -> _Stamps:
        facts_dir = library.root / "content" / "facts"
        facts = {name: _mtime(facts_dir / name) for name in set(library.fact_files.values())}
        sources: dict[str, int] = {}
        for file in sorted((library.root / "content" / "sources").glob("*.toml")):
            ident = tomllib.loads(file.read_text("utf-8")).get("id")
            if isinstance(ident, str):
                sources[ident.strip()] = _mtime(file)
        return cls(facts, sources)

    def mod(self, library: Library, fact: Fact) -> int:
        return max(FORMAT_EPOCH, self.facts[library.fact_files[fact.id]], self.sources.get(fact.source, 0))


def _mtime(path: Path) -> int:
    return int(os.stat(path).st_mtime)


def guid(fact_id: str, style: str) -> str:
    """The note's identity in every learner's collection: never change this scheme."""
    return f"quizgen:{style}:{fact_id}"


def deck_name(anki_name: str, topic: str) -> str:
    """The topic's sub-deck; '::' is Anki's separator, so topics become children."""
    return f"{anki_name}::{topic}"


def tags(fact: Fact) -> list[str]:
    """The fact's tags plus its kind as ``kind::date``; Anki splits tags on spaces, so none remain."""
    out: list[str] = []
    for tag in (*fact.tags, f"kind::{fact.kind}"):
        tag = "_".join(tag.split())
        if tag and tag not in out:
            out.append(tag)
    return out


def _text(value: str) -> str:
    return html.escape(value, quote=True)


@functools.lru_cache(maxsize=4096)
def _source_html(publisher: str, title: str, published: str, url: str | None, attributed: bool,
                 official: bool) -> str:
    # The same for every fact of a source: built once per source, not once per note.
    ref = f'{_text(publisher)}, <i>{_text(title)}</i>, {_text(published)}'
    if url:
        ref += f' · <a href="{_text(url)}">source</a>'
    flags = ""
    if attributed:
        flags += '<span class="qz-flag">The publisher\'s own claim</span>'
    if official:
        flags += '<span class="qz-flag">Official government source</span>'
    return f'<div class="qz-ref">{ref}</div>' + (f'<div class="qz-flags">{flags}</div>' if flags else "")


def citation_html(citation: Citation) -> str:
    """The citation block on the back of every card; every piece of content is escaped."""
    tail = _source_html(citation.publisher, citation.title, citation.published, citation.url,
                        citation.attributed, citation.official)
    return f'<div class="qz-cite"><div class="qz-quote">{_text(citation.quote)}</div>{tail}</div>'


def _no_cloze(value: str) -> str:
    # Escaped as HTML, with braces as entities so only our gap can be a cloze.
    return _text(value).replace("{", "&#123;").replace("}", "&#125;")


def _gap_text(value: str) -> str:
    # Inside the gap "::" would start a hint, so colons become entities too.
    return _no_cloze(value).replace(":", "&#58;")


def cloze_html(fact: Fact, source: Source) -> str:
    """``questions.cloze`` as field HTML: the text escaped, the one ``{{c1::…}}`` gap intact."""
    sentence = cloze(fact, source)
    inner = statement_answer(fact, fact.answer_text())
    gap = "{{c1::" + inner + "}}"
    at = sentence.find(gap)
    if at < 0:  # pragma: no cover - cloze() always contains its gap
        raise RenderError(f"fact {fact.id}: no cloze gap in {sentence!r}")
    before, after = sentence[:at], sentence[at + len(gap):]
    return _no_cloze(before) + "{{c1::" + _gap_text(inner) + "}}" + _no_cloze(after)


def _notes_for(fact: Fact, source: Source, mod: int, qa: genanki.Model, cz: genanki.Model,
               after: Callable[[], None] | None) -> tuple[_Note, _Note]:
    cite = citation_html(Citation.of(fact, source))
    note_tags = tags(fact)
    question = attribute(stem_text(fact, "forward"), fact, source)
    qa_note = _Note(model=qa, fields=[_text(question), _text(fact.answer_text()), cite, _text(fact.id)],
                    tags=note_tags, guid=guid(fact.id, "qa"), mod=mod)
    cloze_note = _Note(model=cz, fields=[cloze_html(fact, source), cite, _text(fact.id)],
                       tags=note_tags, guid=guid(fact.id, "cloze"), mod=mod, after=after)
    return qa_note, cloze_note


def _package(library: Library, deck_id: str, progress: Progress | None) -> tuple[genanki.Package, int]:
    deck = library.deck(deck_id)
    facts = library.deck_facts(deck_id)
    stamps = _Stamps.of(library)
    qa, cz = notetypes.qa_model(), notetypes.cloze_model()

    done = itertools.count(1)

    def tick() -> None:
        n = next(done)
        if n % _PROGRESS_EVERY == 0:
            progress(_PROGRESS_EVERY)  # type: ignore[misc]

    # The parent deck carries the description; Anki would create it anyway.
    parent = genanki.Deck(notetypes.stable_id(f"quizgen deck {deck.anki_name}"), deck.anki_name,
                          _text(deck.description))
    subdecks: dict[str, genanki.Deck] = {}
    newest = FORMAT_EPOCH
    for fact in facts:
        topic = library.topics[fact.id]
        if topic not in subdecks:
            name = deck_name(deck.anki_name, topic)
            subdecks[topic] = genanki.Deck(notetypes.stable_id(f"quizgen deck {name}"), name)
        mod = stamps.mod(library, fact)
        newest = max(newest, mod)
        for note in _notes_for(fact, library.source_of(fact), mod, qa, cz, tick if progress else None):
            subdecks[topic].add_note(note)
    return genanki.Package([parent, *subdecks.values()]), newest


def apkg_bytes(library: Library, deck_id: str, progress: Progress | None = None) -> bytes:
    """The deck as an .apkg file's bytes: the same bytes for the same content, every time.

    ``progress(n)`` is called with the number of facts just written (two notes each).
    Raises ``UnknownDeckError`` for an unknown deck.
    """
    package, newest = _package(library, deck_id, progress)
    conn = sqlite3.connect(":memory:")
    try:
        package.write_to_db(conn.cursor(), newest, itertools.count(newest * 1000))
        conn.commit()
        database = conn.serialize()
    finally:
        conn.close()
    if progress is not None:
        remainder = len(library.deck_facts(deck_id)) % _PROGRESS_EVERY
        if remainder:
            progress(remainder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in (("collection.anki2", database), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            # Level 1: nearly the size of level 6 (SQLite pages compress well) at a fraction of the time.
            out.writestr(info, data, compresslevel=1)
    return buffer.getvalue()


def apkg_filename(deck_id: str) -> str:
    return f"{deck_id}.apkg"


def write_apkg(library: Library, deck_id: str, out_dir: Path | str,
               progress: Progress | None = None) -> Path:
    """Write ``<out_dir>/<deck_id>.apkg`` atomically and return its path.

    Nothing is written if the deck is unknown or the export fails part-way.
    """
    library.deck(deck_id)  # an unknown deck fails before the folder is touched
    data = apkg_bytes(library, deck_id, progress)
    target = Path(out_dir) / apkg_filename(deck_id)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
        # The temp file is created 0600; a package is made to be shared.
        tmp.chmod(0o644)
    return target
