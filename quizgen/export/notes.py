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
from ..questions import attribute, cloze, option_text, stem_text

ATTRIBUTED_MARK = "The publisher's own claim"
OFFICIAL_MARK = "Official government source"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: each becomes a space
_NEEDS_WORK = re.compile(r"[&<>\"'\x00-\x1f\x7f-\x9f]")  # a control character or one html.escape changes
_TAG_UNSAFE = re.compile(r"[^\w.\-]+")  # Anki tags: no spaces, no "::" levels, no markup
_COLONS = re.compile(r":{2,}")
_SPACES = re.compile(r"\s+")


def plain(value: str) -> str:
    """Text without control characters."""
    # isprintable() is one C pass and true for nearly all content; the regex runs only when it is not.
    return value if value.isprintable() else _CONTROL.sub(" ", value)


def text(value: str) -> str:
    """Content as field HTML: control characters gone, markup escaped."""
    # Most content needs neither: one C-level search answers that, where html.escape makes five passes.
    if _NEEDS_WORK.search(value) is None:
        return value
    return html.escape(_CONTROL.sub(" ", value), quote=True)


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
    front, back, _ = _fill_in(fact, source)
    return front, back


def _fill_in(fact: Fact, source: Source) -> tuple[str, str, str]:
    """``fill_in`` and the answer as the gap holds it (made once: a date renders at a cost)."""
    before, answer, hint, after = _gap_parts(fact, source)
    before, after = text(before), text(after)
    # An answer that ends the sentence with its own full stop ("11 a.m.") takes the sentence's; the front keeps one.
    closing = "." if not after and answer.endswith(".") else ""
    front = f'{before}<span class="qz-gap">[{text(hint)}]</span>{after or closing}'
    back = f'{before}<span class="qz-gap">{text(answer)}</span>{after}'
    return front, back, answer


def _option(fact: Fact, value: object) -> str:
    if isinstance(value, FuzzyDate):
        return value.render()
    if isinstance(fact, QuantityFact):
        return format_quantity(value, fact.measure)  # type: ignore[arg-type]
    return str(value)


class NoteMaker:
    """Makes the notes of one library; what facts share (a source's citation, a topic, tags) is made once."""

    def __init__(self, library: Library):
        self.library = library
        self._sources: dict[str, tuple[str, str, str, str, str]] = {}
        self._topics: dict[str, str] = {}
        self._tags: dict[tuple[tuple[str, ...], str], list[str]] = {}

    def _source(self, source: Source) -> tuple[str, str, str, str, str]:
        got = self._sources.get(source.id)
        if got is None:
            got = self._sources[source.id] = (
                text(source.publisher), text(source.title), text(source.published.render()),
                text(source.url or ""), OFFICIAL_MARK if source.official else "")
        return got

    def content(self, fact: Fact) -> tuple[list[str], list[str]]:
        """The fact's note as Anki receives it: (fields in ``notetypes.FIELDS`` order, tags)."""
        library = self.library
        source = library.sources[fact.source]
        topic = library.topics[fact.id]
        topic_html = self._topics.get(topic)
        if topic_html is None:
            topic_html = self._topics[topic] = text(topic)
        key = (fact.tags, fact.kind)
        note_tags = self._tags.get(key)
        if note_tags is None:
            note_tags = self._tags[key] = tags(fact)
        return _fields(fact, source, topic_html, self._source(source)), note_tags


def _fields(fact: Fact, source: Source, topic_html: str, cited: tuple[str, str, str, str, str]) -> list[str]:
    front, back, _ = _fill_in(fact, source)
    publisher, title, published, url, official = cited
    # The order of notetypes.FIELDS; tests/test_anki.py checks each field by name.
    return [
        text(attribute(stem_text(fact, "forward"), fact, source)),  # Question
        text(option_text(fact.answer_text())),  # Answer: as the web page and the worksheet key show it
        front,  # FillIn
        back,  # Statement
        fact.kind,  # Kind: one of the model's literals
        topic_html,  # Topic
        text(fact.quote),  # Quote
        publisher, title, published, url,
        ATTRIBUTED_MARK if fact.attributed else "",  # Attributed
        official,  # Official
        text(fact.note) if fact.note else "",  # Note
        "<br>".join(text(_option(fact, d)) for d in fact.distractors),  # Distractors
        text(fact.id),  # Fact
    ]


def fields(fact: Fact, source: Source, topic: str) -> list[str]:
    """The note's fields in ``notetypes.FIELDS`` order."""
    cited = (text(source.publisher), text(source.title), text(source.published.render()), text(source.url or ""),
             OFFICIAL_MARK if source.official else "")
    return _fields(fact, source, text(topic), cited)


def note_content(library: Library, fact: Fact) -> tuple[list[str], list[str]]:
    """The fact's note as Anki receives it: (fields, tags). ``NoteMaker`` for many facts."""
    return NoteMaker(library).content(fact)
