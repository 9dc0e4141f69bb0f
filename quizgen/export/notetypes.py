"""The two Anki note types quizgen exports, designed once and then kept still.

Anki's importer matches a note type by its ID. If the incoming note type has
the same fields and card templates, the learner's copy is kept (and its
templates/CSS refreshed when ours is newer); if the fields or the number of
templates differ, Anki imports ours as a *copy* and every re-export would
spawn duplicates. So:

* the IDs are derived from fixed names (``stable_id``), never random;
* ``design_digest()`` hashes the note types as genanki writes them (fields,
  templates, CSS, names, IDs, ``NOTETYPE_MTIME``); ``tests/test_anki.py`` pins it, so an accidental
  change fails the tests. A deliberate CSS/template tweak: bump
  ``NOTETYPE_MTIME`` (so learners' copies update) and the pinned digest. A
  field change: make a new note type ("… v2", new ID) instead.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import genanki

# Anki's importer refreshes a known note type's templates and CSS only when ours
# is newer. Bump this (to the current Unix time) when changing TEMPLATES or CSS.
NOTETYPE_MTIME = 1795219200  # 2026-11-21


def stable_id(name: str) -> int:
    """An ID in genanki's recommended range (2**30 .. 2**31) that only depends on ``name``."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


QA_NAME = "quizgen: question and answer"
CLOZE_NAME = "quizgen: cloze"
QA_ID = stable_id("quizgen qa v1")
CLOZE_ID = stable_id("quizgen cloze v1")

# Fact holds the fact's id: not shown, but lets a learner search "Fact:elbe-*".
QA_FIELDS = ("Question", "Answer", "Citation", "Fact")
CLOZE_FIELDS = ("Text", "Citation", "Fact")

_QA_FRONT = '<div class="qz qz-question">{{Question}}</div>'
_QA_BACK = (
    '<div class="qz qz-question">{{Question}}</div>\n'
    '<hr id="answer">\n'
    '<div class="qz qz-answer">{{Answer}}</div>\n'
    '<div class="qz">{{Citation}}</div>'
)
_CLOZE_FRONT = '<div class="qz qz-cloze">{{cloze:Text}}</div>'
_CLOZE_BACK = (
    '<div class="qz qz-cloze">{{cloze:Text}}</div>\n'
    '<hr id="answer">\n'
    '<div class="qz">{{Citation}}</div>'
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
.cloze { font-weight: 700; color: var(--qz-accent); }
hr#answer { border: none; border-top: 1px solid var(--qz-cite-border); margin: 0.8em 0; }
.qz-cite {
  font-size: 0.8em; color: var(--qz-muted); background: var(--qz-cite-bg);
  border-left: 3px solid var(--qz-cite-border); border-radius: 4px; padding: 0.5em 0.75em; margin-top: 1em;
}
.qz-quote { font-style: italic; color: var(--qz-text); margin: 0 0 0.4em; }
.qz-ref a { color: var(--qz-accent); }
.qz-flag {
  display: inline-block; font-size: 0.85em; font-weight: 600; color: var(--qz-flag-text);
  background: var(--qz-flag-bg); border-radius: 3px; padding: 0.1em 0.4em; margin: 0.4em 0.3em 0 0;
}
.mobile .card, .card.mobile { font-size: 18px; padding: 0 0.4em; }
@media (max-width: 480px) { .card { font-size: 18px; padding: 0 0.4em; } }
"""

QA_TEMPLATES = ({"name": "Question", "qfmt": _QA_FRONT, "afmt": _QA_BACK},)
CLOZE_TEMPLATES = ({"name": "Cloze", "qfmt": _CLOZE_FRONT, "afmt": _CLOZE_BACK},)


def design_digest() -> str:
    """SHA-256 of the note types exactly as written into a package (fields, templates, CSS, IDs, mtime).

    Hashing genanki's output rather than our constants also catches a genanki
    upgrade that changes what Anki receives. Only ``did`` (the last deck the
    note type was used in, which depends on the export) is left out.
    """
    design = []
    for model in (qa_model(), cloze_model()):
        data = model.to_json(0, None)
        del data["did"]
        design.append(data)
    return hashlib.sha256(json.dumps(design, sort_keys=True).encode("utf-8")).hexdigest()


class _Model(genanki.Model):
    # genanki stamps a note type with the export time; a fixed mtime keeps
    # exports byte-identical and stops every import from "updating" the note type.
    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        out = super().to_json(timestamp, deck_id)
        out["mod"] = NOTETYPE_MTIME
        return out


def _fields(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"name": n, "font": "Arial", "size": 20} for n in names]


def qa_model() -> genanki.Model:
    # Fresh objects each time: genanki mutates the field and template dicts it is given.
    return _Model(QA_ID, QA_NAME, fields=_fields(QA_FIELDS), templates=copy.deepcopy(list(QA_TEMPLATES)),
                  css=CSS, model_type=genanki.Model.FRONT_BACK, sort_field_index=0)


def cloze_model() -> genanki.Model:
    return _Model(CLOZE_ID, CLOZE_NAME, fields=_fields(CLOZE_FIELDS),
                  templates=copy.deepcopy(list(CLOZE_TEMPLATES)), css=CSS, model_type=genanki.Model.CLOZE,
                  sort_field_index=0)
