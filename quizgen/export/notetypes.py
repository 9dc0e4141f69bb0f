"""The Anki note type quizgen exports, designed once and then kept still.

Anki's importer matches a note type by its ID. If the incoming note type has
the same fields and card templates, the learner's copy is kept (and its
templates/CSS refreshed when ours is newer); if the fields or the number of
templates differ, Anki imports ours as a *copy* and stops updating the notes.
So:

* the ID is derived from a fixed name (``stable_id``), never random, and the
  version is in the name ("quizgen: fact v2");
* every field the project will need is here now, empty where a fact has
  nothing to put in it: the two cards, the citation in parts, the markings,
  the topic and kind, the curated wrong options (for a later multiple-choice
  card), the fact id;
* ``design_digest()`` hashes the note type as genanki writes it (fields,
  templates, CSS, name, ID, ``NOTETYPE_MTIME``); ``tests/test_anki.py`` pins it, so an
  accidental change fails the tests. A deliberate CSS/template tweak: bump
  ``NOTETYPE_MTIME`` (so learners' copies update) and the pinned digest. A
  field or card change: a new note type ("… v3", new ID) and a migration note
  in the README, as v1 → v2 has.

Version 1 (until 2026-11) was two note types, a question/answer note and a
cloze note per fact; their names and IDs stay here for the migration.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import genanki

# Anki's importer refreshes a known note type's templates and CSS only when ours
# is newer. Bump this (to the current Unix time) when changing TEMPLATES or CSS.
NOTETYPE_MTIME = 1795305600  # 2026-11-22


def stable_id(name: str) -> int:
    """An ID in genanki's recommended range (2**30 .. 2**31) that only depends on ``name``."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


NAME = "quizgen: fact v2"
ID = stable_id("quizgen fact v2")

# The order is part of the frozen design: never reorder, rename, add or remove.
FIELDS = (
    "Question",     # the forward question, attributed where the fact is the publisher's claim
    "Answer",
    "FillIn",       # the true sentence with the answer as a gap that says what is wanted: "on [date]"
    "Statement",    # the same sentence with the answer marked
    "Kind",         # date, person, place, unit, quantity
    "Topic",
    "Quote",        # verbatim
    "Publisher",
    "Title",
    "Published",    # as a reader sees it: "16 November 2023"
    "URL",
    "Attributed",   # the marking's text when the fact is the publisher's own claim, else empty
    "Official",     # the marking's text when the publisher is a government speaking for itself
    "Note",         # the curator's note: what historians dispute and what mainstream accounts say
    "Distractors",  # the fact's curated wrong options, one per line (no card shows them yet)
    "Fact",         # the fact id: lets a learner search "Fact:elbe-*"
)
FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}

_CITATION = (
    '<div class="qz qz-cite">'
    '<div class="qz-quote">{{Quote}}</div>'
    '{{#Note}}<div class="qz-note"><span class="qz-note-label">Curator\'s note:</span> {{Note}}</div>{{/Note}}'
    '<div class="qz-ref">{{Publisher}}, <i>{{Title}}</i>, {{Published}}'
    '{{#URL}} · <a href="{{URL}}">source</a>{{/URL}}</div>'
    '{{#Attributed}}<span class="qz-flag">{{Attributed}}</span>{{/Attributed}}'
    '{{#Official}}<span class="qz-flag">{{Official}}</span>{{/Official}}'
    '</div>'
)
_QUESTION_FRONT = '<div class="qz qz-question">{{Question}}</div>'
_QUESTION_BACK = (
    _QUESTION_FRONT + '\n<hr id="answer">\n<div class="qz qz-answer">{{Answer}}</div>\n' + _CITATION
)
_FILL_FRONT = '<div class="qz qz-fill">{{FillIn}}</div>'
_FILL_BACK = '<div class="qz qz-fill">{{Statement}}</div>\n<hr id="answer">\n' + _CITATION

# Two cards of one note: Anki treats them as siblings (buries one when the other is answered).
TEMPLATES = (
    {"name": "Question", "qfmt": _QUESTION_FRONT, "afmt": _QUESTION_BACK},
    {"name": "Fill in", "qfmt": _FILL_FRONT, "afmt": _FILL_BACK},
)

# Anki puts .nightMode (desktop, iOS, new AnkiDroid) or .night_mode (older
# AnkiDroid) on an ancestor in dark mode, and .mobile on phones; both dark
# classes are styled. Colours are CSS variables so dark mode is one block.
CSS = """\
.card {
  --qz-text: #1d1d1f; --qz-muted: #5f6368; --qz-accent: #1a5fb4;
  --qz-cite-bg: #f4f5f7; --qz-cite-border: #c7ccd4; --qz-flag-bg: #fff4d6; --qz-flag-text: #6b4e00;
  font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 20px; line-height: 1.45; color: var(--qz-text); background: transparent;
  text-align: left; margin: 0 auto; max-width: 40em; padding: 0 0.75em;
}
.card.nightMode, .nightMode .card, .card.night_mode, .night_mode .card {
  --qz-text: #e8eaed; --qz-muted: #aab0b8; --qz-accent: #8ab4f8;
  --qz-cite-bg: #26282c; --qz-cite-border: #4a4f57; --qz-flag-bg: #3d3420; --qz-flag-text: #f5d98b;
}
.qz { overflow-wrap: anywhere; }
.qz-question { font-weight: 600; }
.qz-answer { font-size: 1.15em; font-weight: 700; color: var(--qz-accent); margin: 0.4em 0 0.8em; }
.qz-gap { font-weight: 700; color: var(--qz-accent); }
hr#answer { border: none; border-top: 1px solid var(--qz-cite-border); margin: 0.8em 0; }
.qz-cite {
  font-size: 0.8em; color: var(--qz-muted); background: var(--qz-cite-bg);
  border-left: 3px solid var(--qz-cite-border); border-radius: 4px; padding: 0.5em 0.75em; margin-top: 1em;
}
.qz-quote { font-style: italic; color: var(--qz-text); margin: 0 0 0.4em; }
.qz-note { color: var(--qz-text); margin: 0 0 0.4em; }
.qz-note-label { font-weight: 700; }
.qz-ref a { color: var(--qz-accent); }
.qz-flag {
  display: inline-block; font-size: 0.85em; font-weight: 600; color: var(--qz-flag-text);
  background: var(--qz-flag-bg); border-radius: 3px; padding: 0.1em 0.4em; margin: 0.4em 0.3em 0 0;
}
.mobile .card, .card.mobile { font-size: 18px; padding: 0 0.4em; }
@media (max-width: 480px) { .card { font-size: 18px; padding: 0 0.4em; } }
"""

# Version 1: two note types per fact. Kept for the migration (README, Anki decks) and its test.
V1_QA_NAME = "quizgen: question and answer"
V1_CLOZE_NAME = "quizgen: cloze"
V1_QA_ID = stable_id("quizgen qa v1")
V1_CLOZE_ID = stable_id("quizgen cloze v1")
V1_SEARCH = f'"note:{V1_QA_NAME}" OR "note:{V1_CLOZE_NAME}"'  # Anki's browser search for the old notes


def design_digest() -> str:
    """SHA-256 of the note type exactly as written into a package (fields, templates, CSS, ID, mtime).

    Hashing genanki's output rather than our constants also catches a genanki
    upgrade that changes what Anki receives. Only ``did`` (the last deck the
    note type was used in, which depends on the export) is left out.
    """
    data = model().to_json(0, None)
    del data["did"]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


class _Model(genanki.Model):
    # genanki stamps a note type with the export time; a fixed mtime keeps
    # exports byte-identical and stops every import from "updating" the note type.
    def to_json(self, timestamp: float, deck_id: int | None) -> dict[str, Any]:
        out = super().to_json(timestamp, deck_id)
        out["mod"] = NOTETYPE_MTIME
        return out


def model() -> genanki.Model:
    # A fresh object each time: genanki mutates the field and template dicts it is given.
    return _Model(ID, NAME, fields=[{"name": n, "font": "Arial", "size": 20} for n in FIELDS],
                  templates=copy.deepcopy(list(TEMPLATES)), css=CSS, model_type=genanki.Model.FRONT_BACK,
                  sort_field_index=0)
