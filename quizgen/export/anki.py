"""Anki packages (.apkg) that re-import as updates of exactly the notes that changed.

One note per fact (note type ``notetypes.NAME``) with two cards, the question
and answer, and the fill-in sentence; both show the citation on the back. Two
cards of one note are siblings: Anki buries one for the day when the other is
answered, under the deck preset the package brings (``PRESET_NAME``).

How a re-export lands in a learner's collection
-----------------------------------------------
Anki's importer matches notes by GUID across the whole collection; a known
note is updated only if the incoming note's modification time is newer than
the learner's copy and its note type is unchanged. Decks are matched by name.

* GUID = ``quizgen:fact:<fact id>``: never field text (a corrected typo
  updates the note in place) and never the deck (a fact in several packages
  is one note).
* The modification time comes from the committed ledger (``ledger.py``): it
  rises exactly when the note's fields or tags change, whatever happens to
  file times. So a re-export of unchanged content updates nothing, an edited
  fact updates its own note only, and a learner's edit to any other note is
  never overwritten.
* Every card lives in the deck of its topic, ``<root>::<topic>``, where
  ``<root>`` is what all of the library's ``anki_name``\\ s share
  ("US–Soviet History"). The deck is the same in every package that holds
  the fact, so importing several packages puts each fact where its topic is
  and leaves no empty deck behind (Anki never moves a card it already has).
* Byte-identical output: note times from the ledger, note and card IDs
  counted from the ledger's newest time, the note type's fixed mtime, zip
  entries with a fixed date.

The SQLite database is written to a temporary file and streamed into the zip,
note by note, so memory stays flat whatever the size of the deck.
"""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from ..atomic import atomic_path
from ..content import Library
from . import ledger, notetypes
from .notes import NoteMaker, deck_component

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_ZIP_LEVEL = 1  # nearly the size of level 6 (SQLite pages compress well) at a fraction of the time
_COPY_CHUNK = 1 << 20
_PROGRESS_EVERY = 100  # facts between progress calls: a bar needs no finer steps
DEFAULT_ROOT = "quizgen"  # the root deck when the library's anki_names share nothing

# The deck preset the package brings: Anki's defaults, plus burying siblings (new, review and
# learning cards), so a fact's fill-in card is not shown right after its question card.
PRESET_NAME = "quizgen: one card per fact a day"
PRESET_ID = notetypes.stable_id("quizgen preset v1")

Progress = Callable[[int], None]


def guid(fact_id: str) -> str:
    """The note's identity in every learner's collection: never change this scheme."""
    return f"quizgen:fact:{fact_id}"


def root_name(library: Library) -> str:
    """The deck levels all of the library's decks share: 'US–Soviet History' for 'US–Soviet History::…'."""
    common: list[str] | None = None
    for deck in library.decks.values():
        levels = [c for c in map(deck_component, deck.anki_name.split("::")) if c]
        parent = levels[:-1] or levels  # 'History::Elbe' -> ['History']; a one-level name is its own root
        if common is None:
            common = parent
        else:
            n = 0
            while n < min(len(common), len(parent)) and common[n] == parent[n]:
                n += 1
            common = common[:n]
    return "::".join(common or [DEFAULT_ROOT])


def deck_name(root: str, topic: str) -> str:
    """The topic's deck: one level under the root, whatever colons the topic holds."""
    return f"{root}::{deck_component(topic) or 'Other'}"


def _collection_json(library: Library, deck_ids: dict[str, int], first_deck: int) -> tuple[str, str, str]:
    """The ``col`` row's decks, models and dconf, as genanki would write them plus our preset."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(APKG_SCHEMA)
        conn.executescript(APKG_COL)
        decks_json, dconf_json = conn.execute("SELECT decks, dconf FROM col").fetchone()
    finally:
        conn.close()
    decks = json.loads(decks_json)
    for name, ident in deck_ids.items():
        deck = genanki.Deck(ident, name).to_json()
        deck["conf"] = PRESET_ID
        decks[str(ident)] = deck
    dconf = json.loads(dconf_json)
    preset = copy.deepcopy(dconf["1"])
    preset.update(id=PRESET_ID, name=PRESET_NAME, mod=notetypes.NOTETYPE_MTIME, buryInterdayLearning=True)
    preset["new"]["bury"] = preset["rev"]["bury"] = True
    dconf[str(PRESET_ID)] = preset
    models = {str(notetypes.ID): notetypes.model().to_json(0, first_deck)}
    return json.dumps(decks), json.dumps(models), json.dumps(dconf)


def _write_database(path: Path, library: Library, deck_id: str, progress: Progress | None,
                    stale: set[str] | None) -> None:
    facts = library.deck_facts(deck_id)
    root = root_name(library)
    deck_ids: dict[str, int] = {}
    topic_deck: dict[str, int] = {}
    for fact in facts:
        topic = library.topics[fact.id]
        if topic not in topic_deck:
            name = deck_name(root, topic)
            topic_deck[topic] = deck_ids.setdefault(name, notetypes.stable_id(f"quizgen deck {name}"))
    entries, _ = ledger.read_ledger(library.root)
    # IDs only need to be unique and the same for the same content; Anki shows id/1000 as "added".
    ids = itertools.count((ledger.newest(entries) + 1) * 1000)
    maker = NoteMaker(library)
    cards_per_note = len(notetypes.TEMPLATES)

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back to
        conn.execute("PRAGMA synchronous = OFF")
        # Tables first, genanki's indexes after the rows: one sort per index instead of a b-tree
        # update per row. The same file for the same rows, every time.
        tables, _, indexes = APKG_SCHEMA.partition("CREATE INDEX")
        conn.executescript(tables)
        conn.executescript(APKG_COL)
        first = next(iter(topic_deck.values()), 1)
        conn.execute("UPDATE col SET decks = ?, models = ?, dconf = ?", _collection_json(library, deck_ids, first))
        # The rows genanki's Note.write_to_db and Card.write_to_db would write, inserted in batches:
        # genanki's per-note checks and single inserts cost more than making the note.
        notes: list[tuple] = []
        cards: list[tuple] = []
        for n, fact in enumerate(facts, start=1):
            fields, tags = maker.content(fact)
            flds, tag_text = "\x1f".join(fields), " ".join(tags)
            entry, digest = entries.get(fact.id), ledger.digest_of(flds, tag_text)
            mod = ledger.mod_of(entry, digest)
            if stale is not None and (entry is None or entry.digest != digest):
                stale.add(fact.id)
            note_id = next(ids)
            # Both templates' fronts (Question, FillIn) are never empty, so a note always has both cards.
            notes.append((note_id, guid(fact.id), notetypes.ID, mod, -1, f" {tag_text} " if tags else "",
                          flds, fields[0], 0, 0, ""))
            did = topic_deck[library.topics[fact.id]]
            for ordinal in range(cards_per_note):
                cards.append((next(ids), note_id, did, ordinal, mod, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ""))
            if n % _PROGRESS_EVERY == 0:
                _flush(conn, notes, cards)
                if progress is not None:
                    progress(_PROGRESS_EVERY)
        _flush(conn, notes, cards)
        conn.executescript("CREATE INDEX" + indexes)
        conn.commit()
    finally:
        conn.close()
    if progress is not None and len(facts) % _PROGRESS_EVERY:
        progress(len(facts) % _PROGRESS_EVERY)


def _flush(conn: sqlite3.Connection, notes: list[tuple], cards: list[tuple]) -> None:
    conn.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
    conn.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
    notes.clear()
    cards.clear()


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    # ZipFile.open(info, "w") takes the level from the entry (3.11: _compresslevel; 3.13: compress_level).
    info._compresslevel = _ZIP_LEVEL  # type: ignore[attr-defined]
    with contextlib.suppress(AttributeError):
        info.compress_level = _ZIP_LEVEL  # type: ignore[attr-defined]
    return info


def write_package(library: Library, deck_id: str, out: IO[bytes], progress: Progress | None = None,
                  stale: set[str] | None = None) -> None:
    """Write the deck as an .apkg to the binary file ``out``: the same bytes for the same content.

    ``progress(n)`` is called with the number of facts just written. The ids of facts the
    ledger is behind on are added to ``stale``. Raises ``UnknownDeckError`` for an unknown deck.
    """
    library.deck(deck_id)
    with tempfile.TemporaryDirectory(prefix="quizgen-apkg-") as scratch:
        database = Path(scratch) / "collection.anki2"
        _write_database(database, library, deck_id, progress, stale)
        size = database.stat().st_size
        with zipfile.ZipFile(out, "w") as package:
            with database.open("rb") as src, package.open(_zip_entry("collection.anki2"), "w",
                                                          force_zip64=size > zipfile.ZIP64_LIMIT) as dst:
                shutil.copyfileobj(src, dst, _COPY_CHUNK)
            package.writestr(_zip_entry("media"), b"{}")


def apkg_bytes(library: Library, deck_id: str, progress: Progress | None = None) -> bytes:
    """The deck as an .apkg file's bytes (for a download). Raises ``UnknownDeckError``."""
    buffer = io.BytesIO()
    write_package(library, deck_id, buffer, progress)
    return buffer.getvalue()


def apkg_filename(deck_id: str) -> str:
    return f"{deck_id}.apkg"


def write_apkg(library: Library, deck_id: str, out_dir: Path | str,
               progress: Progress | None = None, stale: set[str] | None = None) -> Path:
    """Write ``<out_dir>/<deck_id>.apkg`` atomically and return its path.

    Nothing is written if the deck is unknown or the export fails part-way.
    """
    library.deck(deck_id)  # an unknown deck fails before the folder is touched
    target = Path(out_dir) / apkg_filename(deck_id)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as out:
            write_package(library, deck_id, out, progress, stale)
        # The temp file is created 0600; a package is made to be shared.
        os.chmod(tmp, 0o644)
    return target
