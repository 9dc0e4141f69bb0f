"""What one fact's Anki note holds: its fields (note type v2, in order) and its tags.

Every piece of content is escaped as HTML and stripped of control characters
(``\\x1f`` separates fields in Anki's database: one inside a field would make
the whole package unimportable). The note depends on the fact, its source and
its topic only, never on the deck that exports it, so a fact is the same note
whichever packages bring it, and its hash (``ledger.note_digest``) changes
only when the fact, its source or quizgen's wording does.
"""

from __future__ import annotations

import html
import re
import unicodedata

from ..content import Library
from ..dates import FuzzyDate
from ..models import Fact, QuantityFact, Source, format_quantity
from ..questions import attribute, cloze, sentence_case, stem_text
from . import notetypes

ATTRIBUTED_MARK = "The publisher's own claim"
OFFICIAL_MARK = "Official government source"

# Every C0 and C1 control character (and DEL) becomes a space.
_CONTROLS = {cp: " " for cp in (*range(0x20), *range(0x7F, 0xA0))}
_TAG_UNSAFE = re.compile(r"[^\w.\-]+")  # Anki tags: no spaces, no "::" levels, no markup
_COLONS = re.compile(r":{2,}")
_SPACES = re.compile(r"\s+")


def plain(value: str) -> str:
    """Text without control characters."""
    return value.translate(_CONTROLS)


def text(value: str) -> str:
    """Content as field HTML: control characters gone, markup escaped."""
    return html.escape(value.translate(_CONTROLS), quote=True)


def tag_name(value: str) -> str:
    """One Anki tag: letters, digits, '_', '.' and '-' only ('' if nothing is left)."""
    return _TAG_UNSAFE.sub("_", unicodedata.normalize("NFC", plain(value))).strip("_")


def tags(fact: Fact) -> list[str]:
    """The fact's tags, made safe, then its kind as ``kind::date`` (the one hierarchy we mean)."""
    out: list[str] = []
    for tag in (*map(tag_name, fact.tags), f"kind::{tag_name(fact.kind)}"):
        if tag and tag not in out:
            out.append(tag)
    return out


def deck_component(value: str) -> str:
    """One level of a deck name: a '::' inside it would add a level, so runs of colons become one,
    and none is left at either end (next to the separator it would make ':::')."""
    return _SPACES.sub(" ", _COLONS.sub(":", plain(value))).strip(" :")


def _gap_parts(fact: Fact, source: Source) -> tuple[str, str, str, str]:
    """The fill-in sentence around its gap: (before, answer, hint, after)."""
    seen: list[tuple[str, str]] = []

    def mark(answer: str, hint: str) -> str:
        seen.append((answer, hint))
        return _GAP

    sentence = cloze(fact, source, mark=mark)
    before, _, after = sentence.partition(_GAP)
    (answer, hint), = seen
    return before, answer, hint, after


_GAP = "\x00fill-in gap\x00"  # content never holds it: control characters are refused by check and stripped here


def fill_in(fact: Fact, source: Source) -> tuple[str, str]:
    """The fill-in card's front ('… took place on [date].') and back (the answer marked), as HTML."""
    before, answer, hint, after = _gap_parts(fact, source)
    before, after = text(before), text(after)
    front = f'{before}<span class="qz-gap">[{text(hint)}]</span>{after}'
    back = f'{before}<span class="qz-gap">{text(answer)}</span>{after}'
    return front, back


def _option(fact: Fact, value: object) -> str:
    if isinstance(value, FuzzyDate):
        return value.render()
    if isinstance(fact, QuantityFact):
        return format_quantity(value, fact.measure)  # type: ignore[arg-type]
    return str(value)


def fields(fact: Fact, source: Source, topic: str) -> list[str]:
    """The note's fields in ``notetypes.FIELDS`` order."""
    front, back = fill_in(fact, source)
    values = {
        "Question": text(attribute(stem_text(fact, "forward"), fact, source)),
        "Answer": text(sentence_case(fact.answer_text())),
        "FillIn": front,
        "Statement": back,
        "Kind": text(fact.kind),
        "Topic": text(topic),
        "Quote": text(fact.quote),
        "Publisher": text(source.publisher),
        "Title": text(source.title),
        "Published": text(source.published.render()),
        "URL": text(source.url or ""),
        "Attributed": ATTRIBUTED_MARK if fact.attributed else "",
        "Official": OFFICIAL_MARK if source.official else "",
        "Note": text(fact.note or ""),
        "Distractors": "<br>".join(text(_option(fact, d)) for d in fact.distractors),
        "Fact": text(fact.id),
    }
    return [values[name] for name in notetypes.FIELDS]


def note_content(library: Library, fact: Fact) -> tuple[list[str], list[str]]:
    """The fact's note as Anki receives it: (fields, tags)."""
    return fields(fact, library.source_of(fact), library.topics[fact.id]), tags(fact)
