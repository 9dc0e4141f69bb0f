"""The mutation corpus: whatever `check` accepts works everywhere; whatever it cannot, it refuses.

Each case mutates a copy of tests/data/mini and runs it through `check`, `quiz`, `anki`,
`worksheet` (HTML; PDF for a few) and the web pages (deck page, quiz page, API quiz, .apkg
download) in a forked child process with a memory limit and a deadline. A case is either refused
cleanly (exit 1, exactly one problem line naming file, fact and field, the same from every
command, no traceback) or works everywhere (exit 0, every page 200), within the bounds.

The cases are data (``CASES``): issue 16's findings and the refusals that already held.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from quizgen.content import load_library
from quizgen.limits import MAX_LINE_CHARS, MAX_PASSAGE_CHARS

MINI = Path(__file__).parent / "data" / "mini"
WAR, DIPLOMACY = "content/facts/war.toml", "content/facts/diplomacy.toml"
CHRONICLE, MINISTRY = "content/sources/chronicle.toml", "content/sources/ministry.toml"
CHRONICLE_TEXT = "content/sources/chronicle.txt"
WAR_DECK = "decks/war.toml"

CASE_SECONDS = 30  # per case, every command and page together (a case takes ~1 s)
CASE_MEMORY = 1024 * 1024 * 1024  # address space a case may add before MemoryError
CASE_RSS_MB = 400  # resident memory a case may add
WORKERS = 2

# ---- mutations: small operations on the copied folder ----------------------------------------

Mutation = Callable[[Path], None]


def replace(rel: str, old: str, new: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text("utf-8")
        assert old in text, f"corpus setup: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), "utf-8")
    return apply


def write(rel: str, data: str | bytes) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return apply


def prepend(rel: str, data: bytes) -> Mutation:
    return lambda root: (root / rel).write_bytes(data + (root / rel).read_bytes())


def append(rel: str, data: bytes) -> Mutation:
    return lambda root: (root / rel).write_bytes((root / rel).read_bytes() + data)


def symlink(rel: str, target: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        if path.exists() or path.is_symlink():
            path.unlink()
        os.symlink(target, path)
    return apply


def remove(rel: str) -> Mutation:
    return lambda root: shutil.rmtree(root / rel) if (root / rel).is_dir() else (root / rel).unlink()


def each(*mutations: Mutation) -> Mutation:
    def apply(root: Path) -> None:
        for m in mutations:
            m(root)
    return apply


def value(v: str) -> Mutation:
    return replace(WAR, "value = 11", f"value = {v}")


def slot(old: str, new: str) -> Mutation:
    """Replace a line of war.toml: ``slot('place = "Torgau"', 'place = "…"')``."""
    return replace(WAR, old, new)


def long_texts(n: int, passage: int) -> Mutation:
    """The place fact's one-line slots, its source's title and the deck's at ``n`` characters;
    the unit fact's quote (added to the stored text) and note at ``passage``."""
    words = ("Torgau " * n)[:n].strip() + "x"
    long_quote = ("The town of Torgau stood on the Elbe. " * passage)[: passage - 1].strip() + "."
    return each(
        append(CHRONICLE_TEXT, f"\n{long_quote}\n".encode()),
        replace(WAR, 'quote = "The 69th Infantry Division met the Red Army at Torgau."',
                f'quote = "{long_quote}"\nnote = "{long_quote}"'),
        replace(WAR, 'place = "Torgau"', f'place = "{words[:n]}"'),
        replace(WAR, 'event = "the meeting on the Elbe"\nplace', f'event = "{words[:n]}"\nplace'),
        replace(CHRONICLE, 'title = "A Chronicle of 1945"', f'title = "{words[:n]}"'),
        replace(WAR_DECK, 'title = "The end of the war"', f'title = "{words[:n]}"'),
    )


# ---- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Refuse:
    """One problem line: In <file>[, line N][, <kind> <ident>][, field <field>]: … <words>"""

    file: str
    ident: str | None = None  # "fact konev", "source chronicle", "deck war"
    field: str | None = None
    words: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    mutation: Mutation
    expect: Refuse | None = None  # None: accepted, and then every command and page works
    pdf: bool = False
    root_only_skip: bool = field(default=False)


CASES: list[Case] = [
    # Strict types: no coercion.
    Case("value-string", 'value = "75"', value('"75"'), Refuse(WAR, "fact bands", "value", "without quotes")),
    Case("value-bool", "value = true", value("true"), Refuse(WAR, "fact bands", "value", "true is not a number")),
    Case("attributed-string", 'attributed = "no"', replace(DIPLOMACY, "attributed = true", 'attributed = "no"'),
         Refuse(DIPLOMACY, "fact relations-date", "attributed", "true or false")),
    Case("official-string", 'official = "yes"', replace(MINISTRY, "official = true", 'official = "yes"'),
         Refuse(MINISTRY, "source ministry", "official", "true or false")),
    Case("importance-string", 'importance = "3"', slot("value = 11", 'value = 11\nimportance = "3"'),
         Refuse(WAR, "fact bands", "importance", "whole number")),
    Case("importance-bool", "importance = true", slot("value = 11", "value = 11\nimportance = true"),
         Refuse(WAR, "fact bands", "importance", "whole number")),
    Case("importance-range", "importance = 4", slot("value = 11", "value = 11\nimportance = 4"),
         Refuse(WAR, "fact bands", "importance")),
    Case("trivia-string", 'trivia = "yes"', slot("value = 11", 'value = 11\ntrivia = "yes"'),
         Refuse(WAR, "fact bands", "trivia", "true or false")),
    Case("deck-all-string", 'all = "true"', replace("decks/all.toml", "all = true", 'all = "true"'),
         Refuse("decks/all.toml", "deck all", "all", "true or false")),
    Case("slot-number", "place = 5", slot('place = "Torgau"', "place = 5"),
         Refuse(WAR, "fact torgau", "place", "double quotes")),
    Case("date-integer", "date = 1945 (an integer, not a date)", slot('date = "1945-04-25"', "date = 1945"),
         Refuse(WAR, "fact meeting-date", "date", "write it in quotes")),
    Case("date-toml-date", "date = 1945-04-25 (TOML's own date type)", slot('date = "1945-04-25"', "date = 1945-04-25")),
    Case("date-unicode-digits", "a date in Arabic-Indic digits", slot('date = "1945-04-25"', 'date = "١٩٤٥-04-25"'),
         Refuse(WAR, "fact meeting-date", "date", "is not a date")),
    Case("date-with-time", "a date with a time of day", slot('date = "1945-04-25"', "date = 1945-04-25T10:00:00"),
         Refuse(WAR, "fact meeting-date", "date", "time of day")),
    # Quantities: bounded magnitude and decimals.
    Case("value-1e308", "value = 1e308", value("1e308"), Refuse(WAR, "fact bands", "value", "beyond the limit")),
    Case("value-over-limit", "value = 1_000_000_000_000_001", value("1_000_000_000_000_001"),
         Refuse(WAR, "fact bands", "value", "beyond the limit")),
    # A constant in scientific notation (few significant digits, within 10^±99) is accepted, and every
    # command and page handles it: its wrong options change the power of ten.
    Case("value-scientific-large", "value = -1e16", value("-1e16")),
    Case("value-scientific-small", "value = 1e-7 (once an IndexError in the distractors)", value("1e-7")),
    Case("value-too-many-digits", "value = 1.2345678901e20", value("1.2345678901e20"),
         Refuse(WAR, "fact bands", "value", "significant digits")),
    Case("value-four-decimals", "value = 11.0001", value("11.0001"), Refuse(WAR, "fact bands", "value", "decimals")),
    Case("value-nan", "value = nan", value("nan"), Refuse(WAR, "fact bands", "value", "finite")),
    Case("value-inf", "value = inf", value("inf"), Refuse(WAR, "fact bands", "value", "finite")),
    Case("distractor-value-string", 'a quantity distractor "12"', slot("value = 11", 'value = 11\ndistractors = ["12", 13, 14]'),
         Refuse(WAR, "fact bands", "distractors[0]", "without quotes")),
    # Durations: a length of time as a teacher writes it, asked "How long …?" by every command and page.
    Case("value-duration", 'value = "8 days 3 h 18 min"', value('"8 days 3 h 18 min"')),
    Case("value-duration-seconds", 'value = "45 s" (the smallest unit)', value('"45 s"')),
    Case("value-duration-long", 'value = "9999 years 364 days"', value('"9999 years 364 days"')),
    Case("value-duration-huge", 'value = "1e300 years"', value('"1e300 years"'),
         Refuse(WAR, "fact bands", "value", "not a unit of time")),
    Case("value-duration-beyond", 'value = "99999999999999999 years"', value('"99999999999999999 years"'),
         Refuse(WAR, "fact bands", "value", "beyond the limit")),
    Case("value-duration-unit", 'value = "3 fortnights"', value('"3 fortnights"'),
         Refuse(WAR, "fact bands", "value", "not a unit of time")),
    Case("value-duration-measure", "a duration with a measure", slot("value = 11", 'value = "2 h"\nmeasure = "hours"'),
         Refuse(WAR, "fact bands", "measure", "carries its own units")),
    Case("value-three-decimals", "value = 11.125 (the most decimals allowed)", value("11.125")),
    Case("value-smallest", "value = 0.001", value("0.001")),
    Case("value-negative", "value = -40", value("-40")),
    Case("value-zero", "value = 0", value("0")),
    Case("value-round-large", "value = 2_000_000_000", value("2_000_000_000")),
    Case("value-123456789", "value = 123456789 (1.6 s and 813 MB per question before)", value("123456789")),
    Case("value-int32-max", "value = 2147483647 (50 s and 13.5 GB before)", value("2147483647")),
    Case("value-at-limit", "value = 999_999_999_999_999, the largest allowed", value("999_999_999_999_999")),
    Case("value-large-decimals", "value = 999_999_999_999.999", value("999_999_999_999.999")),
    # Dates: years every computation can step around; no event after its source.
    Case("date-9999-12", 'date = "9999-12" (year 10000 is out of range)', slot('date = "1945-04-25"', 'date = "9999-12"'),
         Refuse(WAR, "fact meeting-date", "date", "from 1 to 9998")),
    Case("date-year-0", 'date = "0000"', slot('date = "1945-04-25"', 'date = "0000"'),
         Refuse(WAR, "fact meeting-date", "date", "from 1 to 9998")),
    Case("published-9999", 'published = "9999"', replace(CHRONICLE, 'published = "1990-05"', 'published = "9999"'),
         Refuse(CHRONICLE, "source chronicle", "published", "from 1 to 9998")),
    Case("date-latest", "the last month allowed, in a source of the same month",
         each(slot('date = "1945-04-25"\ndistractors = ["1945-05-08", "1945-04-12", "1945-05-02"]',
                   'date = "9998-12-31"'),
              replace(CHRONICLE, 'published = "1990-05"', 'published = "9998-12"'))),
    Case("date-earliest", "the first day allowed", slot('date = "1945-04-25"\ndistractors = ["1945-05-08", "1945-04-12", "1945-05-02"]',
                                                        'date = "0001-01-01"')),
    Case("date-after-published", "an event dated after its source was published",
         slot('date = "1945-04-25"', 'date = "1995-04-25"'),
         Refuse(WAR, "fact meeting-date", "date", "after the source was published")),
    Case("impossible-date", "1945-02-30", slot('date = "1945-04-25"', 'date = "1945-02-30"'),
         Refuse(WAR, "fact meeting-date", "date", "impossible date")),
    Case("distractor-bad-date", "a date distractor 1945-4-12", replace(WAR, '"1945-04-12"', '"1945-4-12"'),
         Refuse(WAR, "fact meeting-date", "distractors[1]", "not a date")),
    Case("distractor-precision", "a month distractor for a day date", replace(WAR, '"1945-04-12"', '"1945-04"'),
         Refuse(WAR, "fact meeting-date", "distractors[1]", "same precision")),
    Case("period-reversed", "period = [1945, 1941]", slot("value = 11", "value = 11\nperiod = [1945, 1941]"),
         Refuse(WAR, "fact bands", "period")),
    Case("file-period-bad", 'period = "1945" at the top of a facts file',
         replace(WAR, 'topic = "The end of the war"', 'topic = "The end of the war"\nperiod = "1945"'),
         Refuse(WAR, None, "period")),
    # Texts: control characters and lengths.
    Case("control-slot", "Anki's field separator \\x1f in a slot", slot('place = "Torgau"', 'place = "Tor\\u001fgau"'),
         Refuse(WAR, "fact torgau", "place", "U+001F")),
    Case("control-note", "NUL in a curator's note", slot("value = 11", 'value = 11\nnote = "a\\u0000b"'),
         Refuse(WAR, "fact bands", "note", "U+0000")),
    Case("control-distractor", "\\x1f in a distractor", replace(WAR, '"Strehla"', '"Streh\\u001fla"'),
         Refuse(WAR, "fact torgau", "distractors[0]", "U+001F")),
    Case("control-stem", "\\x1f in a stem", slot("value = 11", 'value = 11\nstems = { forward = "How many\\u001f?" }'),
         Refuse(WAR, "fact bands", "stems.forward", "U+001F")),
    Case("control-title", "\\x1f in a source title", replace(CHRONICLE, "A Chronicle", "A\\u001f Chronicle"),
         Refuse(CHRONICLE, "source chronicle", "title", "U+001F")),
    Case("control-publisher", "a line separator in a publisher", replace(CHRONICLE, "Test Press", "Test\\u2028Press"),
         Refuse(CHRONICLE, "source chronicle", "publisher", "U+2028")),
    Case("control-topic", "\\x1f in a topic", replace(WAR, "The end of the war", "The end\\u001f of the war"),
         Refuse(WAR, None, "topic", "U+001F")),
    Case("control-tag", "\\x1f in a tag", replace(WAR, '"parade"', '"par\\u001fade"'),
         Refuse(WAR, "fact bands", "tags[0]", "U+001F")),
    Case("control-deck-title", "\\x1f in a deck title", replace(WAR_DECK, "The end of the war", "The end\\u001f"),
         Refuse(WAR_DECK, "deck war", "title", "U+001F")),
    Case("control-anki-name", "\\x1f in an anki_name", replace(WAR_DECK, "Tests::War", "Tests::W\\u001far"),
         Refuse(WAR_DECK, "deck war", "anki_name", "U+001F")),
    Case("control-url", "\\x1f in a url", replace(CHRONICLE, 'text = "chronicle.txt"', 'text = "chronicle.txt"\nurl = "https://x.example/\\u001f"'),
         Refuse(CHRONICLE, "source chronicle", "url", "U+001F")),
    Case("newline-in-slot", "a line break in a one-line slot", slot('place = "Torgau"', 'place = "Tor\\ngau"'),
         Refuse(WAR, "fact torgau", "place", "U+000A")),
    Case("newline-in-note", "a note over two lines", slot("value = 11", 'value = 11\nnote = """First line.\nSecond line."""')),
    Case("long-slot", "a 1 MB slot", slot('place = "Torgau"', 'place = "' + "x" * 1_000_000 + '"'),
         Refuse(WAR, "fact torgau", "place", "too long")),
    Case("long-title", "a 1 MB source title", replace(CHRONICLE, 'title = "A Chronicle of 1945"', 'title = "' + "x" * 1_000_000 + '"'),
         Refuse(CHRONICLE, "source chronicle", "title", "too long")),
    Case("long-quote", "a 1 MB quote", slot('quote = "near the town of Torgau"', 'quote = "' + "near " * 200_000 + '"'),
         Refuse(WAR, "fact torgau", "quote", "too long")),
    Case("long-description", "a 1 MB deck description", replace(WAR_DECK, "Test deck by file.", "x" * 1_000_000),
         Refuse(WAR_DECK, "deck war", "description", "too long")),
    Case("many-distractors", "1,000 distractors", replace(WAR, '["Strehla", "Riesa", "Meissen"]',
                                                          "[" + ", ".join(f'"Town {i}"' for i in range(1000)) + "]"),
         Refuse(WAR, "fact torgau", "distractors", "too many")),
    Case("texts-at-the-limit", "every text of a fact, its source and its deck at the limit (PDF too)",
         long_texts(MAX_LINE_CHARS, MAX_PASSAGE_CHARS), pdf=True),
    Case("markup-everywhere", "markup and template syntax in slots and titles (escaped everywhere; PDF too)",
         each(slot('place = "Torgau"', 'place = "<script>alert(1)</script>{{ config }}"'),
              replace(CHRONICLE, 'title = "A Chronicle of 1945"', 'title = "<b>{% raw %}</b>"')), pdf=True),
    Case("unicode-texts", "Cyrillic, combining marks and emoji in slots",
         each(slot('name = "Ivan Konev"', 'name = "Иван Конев"'),
              slot('place = "Torgau"', 'place = "Torgau 7️⃣ Tórgau"'))),
    # Issue 20: invisible characters, lone combining marks, options that read alike.
    Case("zero-width-in-option", '"Rie\\u200bsa" beside "Riesa"-like options',
         slot('distractors = ["Strehla", "Riesa", "Meissen"]', 'distractors = ["Strehla", "Rie\\u200bsa", "Meissen"]'),
         Refuse(WAR, "fact torgau", "distractors[1]", "invisible character U+200B")),
    Case("zero-width-name", "a name of one zero-width space", slot('name = "Ivan Konev"', 'name = "\\u200b"'),
         Refuse(WAR, "fact konev", "name", "invisible character U+200B")),
    Case("bidi-override", "a right-to-left override in a place", slot('place = "Torgau"', 'place = "Tor\\u202egau"'),
         Refuse(WAR, "fact torgau", "place", "U+202E (right-to-left override)")),
    Case("word-joiner-in-title", "a word joiner in a deck title",
         replace(WAR_DECK, 'title = "The end of the war"', 'title = "The end\\u2060 of the war"'),
         Refuse(WAR_DECK, "deck war", "title", "invisible character U+2060")),
    Case("lone-combining-mark", "a combining acute accent starting a place", slot('place = "Torgau"', 'place = "\\u0301Torgau"'),
         Refuse(WAR, "fact torgau", "place", "combining mark U+0301 with no letter before it")),
    Case("combining-mark-after-space", "a combining mark after a space",
         slot('role = "the marshal who', 'role = "the \\u0308marshal who'),
         Refuse(WAR, "fact konev", "role", "combining mark U+0308")),
    Case("option-differs-in-case", 'a distractor "TORGAU" beside the answer "Torgau"',
         slot('distractors = ["Strehla", "Riesa", "Meissen"]', 'distractors = ["Strehla", "Riesa", "TORGAU"]'),
         Refuse(WAR, "fact torgau", "distractors[2]", "reads the same as place")),
    Case("option-differs-in-unicode-form", "an answer precomposed, a distractor decomposed (NFD)",
         each(slot('place = "Torgau"', 'place = "T\\u00f6rgau"'),
              slot('distractors = ["Strehla", "Riesa", "Meissen"]', 'distractors = ["Strehla", "To\\u0308rgau", "Meissen"]')),
         Refuse(WAR, "fact torgau", "distractors[1]", "reads the same as place")),
    Case("option-differs-in-selector", "a distractor with a variation selector after a letter",
         slot('distractors = ["Strehla", "Riesa", "Meissen"]', 'distractors = ["Strehla", "Torgau\\ufe0f", "Meissen"]'),
         Refuse(WAR, "fact torgau", "distractors[1]", "reads the same as place")),
    Case("quantity-midnight-twice", 'value 0, measure "hour", distractors [24, 12, 23]: "midnight" twice',
         slot("value = 11", 'value = 0\nmeasure = "hour"\ndistractors = [24, 12, 23]'),
         Refuse(WAR, "fact bands", "distractors[0]", "reads the same as value")),
    Case("quantity-twice-twice", 'measure "times": 2 and 2.0 both read "twice"',
         slot("value = 11", 'value = 2\nmeasure = "times"\ndistractors = [2.0, 3, 4]'),
         Refuse(WAR, "fact bands", "distractors[0]", "reads the same as value")),
    Case("quantity-clock-distinct", 'value 0, measure "hour", distractors [12, 6, 18]: all distinct',
         slot("value = 11", 'value = 0\nmeasure = "hour"\ndistractors = [12, 6, 18]')),
    # Quotes.
    Case("quote-one-word", 'quote = "Torgau"', slot('quote = "near the town of Torgau"', 'quote = "Torgau"'),
         Refuse(WAR, "fact torgau", "quote", "at least 3 words")),
    Case("quote-full-stop", 'quote = "."', slot('quote = "near the town of Torgau"', 'quote = "."'),
         Refuse(WAR, "fact torgau", "quote", "at least 3 words")),
    Case("quote-not-in-source", "a reworded quote", replace(WAR, "Ivan Konev commanded", "Ivan Konev led"),
         Refuse(WAR, "fact konev", "quote", "not found")),
    # Stored texts: inside the content folder, strictly UTF-8.
    Case("text-absolute", 'text = "/etc/passwd"', replace(CHRONICLE, '"chronicle.txt"', '"/etc/passwd"'),
         Refuse(CHRONICLE, "source chronicle", "text", "not a relative path")),
    Case("text-dotdot", 'text = "../../../etc/passwd"', replace(CHRONICLE, '"chronicle.txt"', '"../../../etc/passwd"'),
         Refuse(CHRONICLE, "source chronicle", "text", "leaves the content folder")),
    Case("text-symlink-out", "the stored text a link to /etc/hostname", symlink(CHRONICLE_TEXT, "/etc/hostname"),
         Refuse(CHRONICLE, "source chronicle", "text", "outside the content folder")),
    Case("text-symlink-inside", "the stored text a link to a file inside content/",
         each(write("content/archive/chronicle.txt", (MINI / CHRONICLE_TEXT).read_bytes()),
              symlink(CHRONICLE_TEXT, "../archive/chronicle.txt"))),
    Case("text-invalid-utf8", "a stray byte in a stored text", append(CHRONICLE_TEXT, b"\nBad \xff byte.\n"),
         Refuse(CHRONICLE, "source chronicle", "text", "not UTF-8")),
    Case("text-missing", "the stored text deleted", remove(CHRONICLE_TEXT),
         Refuse(CHRONICLE, "source chronicle", "text", "not found")),
    Case("text-directory", "the stored text a folder", each(remove(CHRONICLE_TEXT), write(CHRONICLE_TEXT + "/x", "x")),
         Refuse(CHRONICLE, "source chronicle", "text", "a folder")),
    Case("text-fifo", "the stored text a named pipe", each(remove(CHRONICLE_TEXT), lambda r: os.mkfifo(r / CHRONICLE_TEXT)),
         Refuse(CHRONICLE, "source chronicle", "text", "named pipe")),
    # One TOML parser: what it accepts works in every command.
    Case("source-bom", "a byte-order mark on a source file", prepend(CHRONICLE, b"\xef\xbb\xbf")),
    Case("facts-bom", "a byte-order mark on a facts file", prepend(WAR, b"\xef\xbb\xbf")),
    Case("source-toml-1.1", "TOML 1.1's \\x2F escape in a source", replace(CHRONICLE, "A Chronicle of 1945",
                                                                          "A Chronicle\\x2Fof 1945")),
    Case("facts-invalid-utf8", "a stray byte in a facts file", append(WAR, b"\n# \xff\n"), Refuse(WAR, None, None, "not UTF-8")),
    Case("malformed-toml", "an unclosed array", replace(DIPLOMACY, 'tags = ["diplomacy"]', 'tags = ["diplomacy"'),
         Refuse(DIPLOMACY, None, None, "malformed TOML")),
    Case("nested-arrays", "arrays nested 1,000 deep",
         write("content/facts/deep.toml", 'topic = "Deep"\nx = ' + "[" * 1000 + "]" * 1000 + "\n"),
         Refuse("content/facts/deep.toml", None, None, "malformed TOML")),
    Case("nested-tables", "inline tables nested 1,000 deep",
         write("content/facts/deep.toml", 'topic = "Deep"\nx = ' + "{a = " * 1000 + "1" + "}" * 1000 + "\n"),
         Refuse("content/facts/deep.toml", None, None, "malformed TOML")),
    # Filesystem oddities.
    Case("directory-toml", "a folder named x.toml", write("content/facts/x.toml/inner", "x"),
         Refuse("content/facts/x.toml", None, None, "is a folder")),
    Case("dangling-symlink", "a link to nothing", symlink("content/facts/x.toml", "nowhere.toml"),
         Refuse("content/facts/x.toml", None, None, "does not exist")),
    Case("symlink-loop", "a link to itself", symlink("content/facts/x.toml", "x.toml"),
         Refuse("content/facts/x.toml", None, None, "leads back to itself")),
    Case("named-pipe", "a named pipe p.toml (blocked every command before)", lambda r: os.mkfifo(r / "content/facts/p.toml"),
         Refuse("content/facts/p.toml", None, None, "named pipe")),
    Case("unreadable", "a facts file nobody may read", each(write("content/facts/x.toml", 'topic = "x"\n'),
                                                            lambda r: os.chmod(r / "content/facts/x.toml", 0)),
         Refuse("content/facts/x.toml", None, None, "permission denied"), root_only_skip=True),
    Case("oversized-file", "a 9 MB facts file", write("content/facts/big.toml", "# " + "x" * (9 * 1024 * 1024) + "\n"),
         Refuse("content/facts/big.toml", None, None, "the limit is")),
    Case("newline-in-file-name", "a facts file whose name holds a line break", write("content/facts/a\nb.toml", "x = \n"),
         Refuse("content/facts/a\\nb.toml", None, None, "malformed TOML")),
    Case("editor-leftovers", "an Emacs lock link .#war.toml and macOS metadata ._war.toml (hidden: ignored)",
         each(symlink("content/facts/.#war.toml", "user@host.1234:1700000000"),
              write("content/facts/._war.toml", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"))),
    Case("no-facts-folder", "content/facts removed", remove("content/facts"),
         Refuse("content/facts", None, None, "folder is missing")),
    Case("facts-folder-is-file", "content/facts a file", each(remove("content/facts"), write("content/facts", "x")),
         Refuse("content/facts", None, None, "is not a folder")),
    Case("no-decks-folder", "decks/ removed", remove("decks"), Refuse("decks", None, None, "folder is missing")),
    # Names, kinds, keys, ids (refusals that held before).
    Case("field-kind-unknown", 'kind = "number"', replace(WAR, 'kind = "quantity"', 'kind = "number"'),
         Refuse(WAR, "fact bands", "kind", "unknown kind")),
    Case("unknown-key", "a misspelt key", slot('nationality = "Soviet"', 'nationality = "Soviet"\nrank = "marshal"'),
         Refuse(WAR, "fact konev", "rank", "unknown key")),
    Case("missing-slot", "a person without a role", replace(WAR, 'role = "the marshal who commanded the First Ukrainian Front"\n', ""),
         Refuse(WAR, "fact konev", "role", "missing")),
    Case("empty-slot", 'place = "  "', slot('place = "Torgau"', 'place = "  "'), Refuse(WAR, "fact torgau", "place", "empty")),
    Case("bad-id", 'id = "Konev!"', replace(WAR, 'id = "konev"', 'id = "Konev!"'), Refuse(WAR, "fact Konev!", "id", "lowercase")),
    Case("duplicate-fact-id", "two facts with one id", replace(DIPLOMACY, 'id = "relations-date"', 'id = "konev"'),
         Refuse(WAR, "fact konev", "id", "duplicate fact id")),
    Case("unknown-source", 'source = "chronicel"', replace(WAR, 'source = "chronicle"\nquote = "Ivan', 'source = "chronicel"\nquote = "Ivan'),
         Refuse(WAR, "fact konev", "source", "unknown source")),
    Case("tag-with-space", 'tags = ["the parade"]', replace(WAR, '"parade"', '"the parade"'),
         Refuse(WAR, "fact bands", "tags[0]", "contains a space")),
    Case("stems-unknown", "stems = { nonsense = … }", slot("value = 11", 'value = 11\nstems = { nonsense = "x" }'),
         Refuse(WAR, "fact bands", "stems.nonsense", "unknown template")),
    Case("stems-no-answer", "a true/false stem without {answer}",
         slot("value = 11", 'value = 11\nstems = { true_false = "There were many bands." }'),
         Refuse(WAR, "fact bands", "stems.true_false", "{answer}")),
    Case("fact-not-a-table", "fact = [\"x\"]", write(DIPLOMACY, 'topic = "Diplomacy"\nfact = ["relations-date"]\n'),
         Refuse(DIPLOMACY, "fact #1", "fact", "not a table")),
    Case("missing-topic", "a facts file without a topic", replace(WAR, 'topic = "The end of the war"\n', ""),
         Refuse(WAR, None, "topic", "missing topic")),
    Case("topic-sub-deck", "'::' in a topic", replace(WAR, "The end of the war", "The end::of the war"),
         Refuse(WAR, None, "topic", "sub-deck separator")),
    Case("anki-name-empty-level", "anki_name = \"Tests::::War\"", replace(WAR_DECK, "Tests::War", "Tests::::War"),
         Refuse(WAR_DECK, "deck war", "anki_name", "empty sub-deck level")),
    Case("anki-name-trailing", "anki_name = \"Tests::\"", replace(WAR_DECK, "Tests::War", "Tests::"),
         Refuse(WAR_DECK, "deck war", "anki_name", "empty sub-deck level")),
    Case("source-kind", 'kind = "tweet"', replace(MINISTRY, 'kind = "channel-post"', 'kind = "tweet"'),
         Refuse(MINISTRY, "source ministry", "kind")),
    Case("source-url", 'url = "ftp://x"', replace(CHRONICLE, 'text = "chronicle.txt"', 'text = "chronicle.txt"\nurl = "ftp://x"'),
         Refuse(CHRONICLE, "source chronicle", "url", "web address")),
    Case("deck-selects-nothing", "a deck of a tag no fact has", replace("decks/all.toml", "all = true", 'tags = ["nothing"]'),
         Refuse("decks/all.toml", "deck all", "tags", "selects no facts")),
    Case("deck-unknown-file", "a deck naming a missing facts file", replace(WAR_DECK, '"war.toml"', '"war.toml", "peace.toml"'),
         Refuse(WAR_DECK, "deck war", "files", "no facts file 'peace.toml'")),
    Case("duplicate-deck-id", "two decks with one id", write("decks/again.toml", (MINI / WAR_DECK).read_text()),
         Refuse(WAR_DECK, "deck war", "id", "duplicate deck id")),
]

# ---- running a case in a forked child ------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _vm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _commands(root: Path, out: Path, pdf: bool) -> list[tuple[str, list[str]]]:
    content = ["--content", str(root)]
    steps = [
        ("check", ["check", *content]),
        ("quiz", ["quiz", *content, "--deck", "all", "--count", "6", "--seed", "1", "--json"]),
        ("anki", ["anki", *content, "--all", "-o", str(out / "apkg")]),
        ("worksheet", ["worksheet", *content, "--deck", "all", "--count", "6", "--variants", "2",
                       "-o", str(out / "w.html")]),
    ]
    if pdf:
        steps.append(("worksheet-pdf", ["worksheet", *content, "--deck", "war", "--count", "5",
                                        "-o", str(out / "w.pdf")]))
    return steps


def _run_case(case: Case, root: Path, out: Path) -> dict:
    """Every command and page over one mutated folder; what each returned."""
    from click.testing import CliRunner

    from quizgen.cli import cli
    from quizgen.errors import ContentError
    from quizgen.webapp import create_app

    runner = CliRunner()
    report: dict = {"steps": {}}
    for name, args in _commands(root, out, case.pdf):
        result = runner.invoke(cli, args, catch_exceptions=True)
        error = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            error = "".join(traceback.format_exception(result.exception))[-2000:]
        report["steps"][name] = {"exit": result.exit_code, "stdout": result.stdout[-3000:],
                                 "stderr": result.stderr[-3000:], "error": error}
        if name == "quiz" and result.exit_code == 0:
            quiz = json.loads(result.stdout)
            report["quiz_questions"] = len(quiz["questions"])
            report["quiz_cited"] = all(q["citation"]["quote"] and q["citation"]["publisher"]
                                       for q in quiz["questions"])
    try:
        app = create_app({"TESTING": True, "CONTENT": str(root)})
    except ContentError as exc:
        report["web"] = {"refused": len(exc.problems)}
        return report
    client = app.test_client()
    pages = {}
    for url in ("/", "/decks/all", "/decks/war", "/decks/all/quiz?count=6", "/api/decks/all/quiz?count=6",
                "/decks/all/deck.apkg", "/decks/all/worksheet?count=6"):
        r = client.get(url, follow_redirects=True)
        pages[url] = {"status": r.status_code, "bytes": len(r.data)}
        if url.endswith("quiz?count=6") and r.status_code == 200 and url.startswith("/decks"):
            code = r.request.path.rsplit("/", 1)[-1]
            g = client.post(f"/q/{code}", data={}, follow_redirects=True)
            pages["POST /q/<code>"] = {"status": g.status_code, "bytes": len(g.data)}
    report["web"] = {"pages": pages}
    return report


def _child(case: Case, root: str, out: str, conn) -> None:  # noqa: ANN001
    def deadline(signum, frame):  # noqa: ANN001, ARG001
        raise TimeoutError(f"case took over {CASE_SECONDS} s")

    signal.signal(signal.SIGALRM, deadline)
    signal.alarm(CASE_SECONDS)
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + CASE_MEMORY, resource.RLIM_INFINITY))
    rss0, start = _rss_mb(), time.perf_counter()
    try:
        report = _run_case(case, Path(root), Path(out))
    except BaseException as exc:  # a hang or a blow-up outside the commands is the finding
        report = {"crash": "".join(traceback.format_exception(exc))[-3000:]}
    signal.alarm(0)
    report["seconds"] = time.perf_counter() - start
    report["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0
    conn.send(report)
    conn.close()
    os._exit(0)  # no atexit handlers or buffered output of the parent


def run_case(case: Case, base: Path) -> dict:
    root, out = base / case.id / "root", base / case.id / "out"
    shutil.copytree(MINI, root)
    case.mutation(root)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(case, str(root), str(out), child))
    proc.start()
    child.close()
    report = {"crash": f"no report within {CASE_SECONDS + 15} s (killed)"}
    if parent.poll(CASE_SECONDS + 15):
        try:
            report = parent.recv()
        except EOFError:
            report = {"crash": "the case's process died without a report"}
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
    return report


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    """Every case run once, two at a time; each test below reads its own report."""
    # Import everything a case uses before forking, so each child starts warm.
    import quizgen.cli  # noqa: F401
    import quizgen.export.anki  # noqa: F401
    import quizgen.webapp  # noqa: F401
    import quizgen.worksheet  # noqa: F401
    from quizgen.quiz import QuizMaker, QuizSpec
    from quizgen.webapp import create_app
    from quizgen.worksheet import write_worksheet

    create_app({"TESTING": True, "CONTENT": str(MINI)})  # templates and the web package, loaded
    base = tmp_path_factory.mktemp("corpus")
    # WeasyPrint's first PDF loads fonts for seconds: once here, not in every child.
    write_worksheet(QuizMaker(load_library(MINI)), QuizSpec("war", 2, 0), variants=1, with_key=True,
                    out=base / "warm.pdf")
    runnable = [c for c in CASES if not (c.root_only_skip and os.geteuid() == 0)]
    with ThreadPoolExecutor(WORKERS) as pool:
        done = pool.map(lambda c: (c.id, run_case(c, base)), runnable)
        return dict(done)


def _problem_lines(stderr: str) -> list[str]:
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert lines and lines[-1].endswith("found."), f"no problem summary:\n{stderr}"
    return lines[:-1]


def _assert_refused(case: Case, report: dict) -> None:
    expect = case.expect
    assert expect is not None
    steps = report["steps"]
    check = steps["check"]
    assert check["error"] is None, check["error"]
    assert check["exit"] == 1, f"check accepted it:\n{check['stdout']}"
    lines = _problem_lines(check["stderr"])
    assert len(lines) == 1, "expected one problem line:\n" + "\n".join(lines)
    (line,) = lines
    head, _, message = line.partition(": ")
    assert head.startswith(f"In {expect.file}"), line
    assert head == f"In {expect.file}" or head.startswith(f"In {expect.file},"), line
    if expect.ident:
        assert f", {expect.ident}" in head, line
    if expect.field:
        assert head.endswith(f", field {expect.field}"), line
    assert expect.words in message, line
    assert "; " in message, f"no fix after '; ' in {line!r}"
    # Every other command refuses the same way: the same line, exit 1, no traceback.
    for name, step in steps.items():
        assert step["error"] is None, f"{name}: {step['error']}"
        assert step["exit"] == 1 and line in step["stderr"], f"{name}: {step}"
        assert "Traceback" not in step["stderr"] + step["stdout"], name
    assert report["web"] == {"refused": 1}


def _assert_works(case: Case, report: dict) -> None:
    for name, step in report["steps"].items():
        assert step["error"] is None, f"{name}: {step['error']}"
        assert step["exit"] == 0, f"{name} exit {step['exit']}: {step['stderr']}"
    # The engine's quality gate may drop a question without enough coherent wrong options.
    assert 1 <= report["quiz_questions"] <= 6 and report["quiz_cited"]
    pages = report["web"]["pages"]
    bad = {url: p for url, p in pages.items() if p["status"] != 200}
    assert not bad, f"pages not 200: {bad}"
    assert pages["/decks/all/deck.apkg"]["bytes"] > 1000


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, reports: dict[str, dict]) -> None:
    if case.root_only_skip and os.geteuid() == 0:
        pytest.skip("root reads any file: an unreadable file cannot be made (test_content covers the message)")
    _assert_case(case, reports[case.id])


def _assert_case(case: Case, report: dict) -> None:
    assert "crash" not in report, report["crash"]
    assert report["seconds"] < CASE_SECONDS
    assert report["rss_mb"] < CASE_RSS_MB, f"a case grew by {report['rss_mb']:.0f} MB"
    if case.expect is None:
        _assert_works(case, report)
    else:
        _assert_refused(case, report)


def test_every_case_is_named_once() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert sys.platform.startswith("linux")  # named pipes, /proc and fork are Linux's here


# ---- temporary files of killed writers -------------------------------------------------------

_WRITER = """
import sys, time
from quizgen.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_bytes(b"x" * 10_000_000)
    print("writing", flush=True)
    time.sleep(120)
"""


def _start_writer(target: Path):
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.readline().strip() == "writing"
    return proc


def test_a_killed_writers_temporary_is_removed_by_the_next_write_and_nothing_else(tmp_path):
    from quizgen.atomic import STALE_AFTER_SECONDS, write_bytes

    target, live_target = tmp_path / "deck.apkg", tmp_path / "live.html"
    target.write_bytes(b"previous")
    killed = _start_writer(target)
    killed.kill()  # kill -9: no clean-up runs
    killed.wait()
    live = _start_writer(live_target)
    try:
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        assert len(leftovers) == 2 and all(n.startswith((".deck.apkg.", ".live.html.")) for n in leftovers)
        assert target.read_bytes() == b"previous"  # the kill never leaves a partial file at the target
        assert (tmp_path / leftovers[0]).stat().st_size == 10_000_000
        not_ours = [".deck.apkg.abcd1234.tmp", ".notes.tmp", "deck.apkg.quizgen-abcd1234.tmp"]
        for name in not_ours:
            (tmp_path / name).write_bytes(b"someone else's")
        # Age them all past the guard: only the lock tells the live writer's file from the dead one's.
        old = time.time() - STALE_AFTER_SECONDS - 5
        for p in tmp_path.iterdir():
            os.utime(p, (old, old))

        write_bytes(target, b"new")

        assert target.read_bytes() == b"new"
        remaining = sorted(p.name for p in tmp_path.iterdir())
        dead = [n for n in leftovers if n.startswith(".deck.apkg.")]
        alive = [n for n in leftovers if n.startswith(".live.html.")]
        assert dead[0] not in remaining
        assert alive[0] in remaining and all(n in remaining for n in not_ours)
    finally:
        live.kill()
        live.wait()


def test_a_fresh_temporary_is_left_alone_even_unlocked(tmp_path):
    from quizgen.atomic import write_bytes

    # An unlocked temporary written a moment ago may be a writer between creating and locking it.
    fresh = tmp_path / ".deck.apkg.quizgen-abcd1234.tmp"
    fresh.write_bytes(b"just made")
    write_bytes(tmp_path / "deck.apkg", b"new")
    assert fresh.exists()


# ---- what check accepts imports whole into the real Anki -------------------------------------


def _notes_in_package(apkg: Path, scratch: Path) -> int:
    import sqlite3
    import zipfile

    with zipfile.ZipFile(apkg) as z:
        (scratch / "package.anki2").write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(scratch / "package.anki2") as db:
        return db.execute("select count(*) from notes").fetchone()[0]


@pytest.mark.parametrize("case_id", ["markup-everywhere", "unicode-texts", "texts-at-the-limit", "newline-in-note"])
def test_accepted_content_imports_whole_into_anki(case_id, tmp_path):
    # \x1f in a field once made Anki refuse every note ("note has 5 fields, expected 4").
    anki_collection = pytest.importorskip("anki.collection")
    from quizgen.export.anki import write_apkg

    case = next(c for c in CASES if c.id == case_id)
    root = tmp_path / "root"
    shutil.copytree(MINI, root)
    case.mutation(root)
    apkg = write_apkg(load_library(root), "all", tmp_path / "out")
    expected = _notes_in_package(apkg, tmp_path)
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(apkg), options=anki_collection.ImportAnkiPackageOptions())
        log = col.import_anki_package(request).log
        assert len(log.new) == expected >= 6  # at least a note per fact
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            assert len(note.fields) == len(note.note_type()["flds"])
    finally:
        col.close()
