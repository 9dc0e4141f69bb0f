"""The content model: sources, facts of five kinds, and decks.

Models are strict (``extra="forbid"``): a misspelt key is an error, not a
silently ignored field. Their validation errors are flattened into
``Problem`` lines by ``quizgen.content``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import durations
from .dates import FuzzyDate
from .limits import (
    INVISIBLE,
    MAX_DECIMALS,
    MAX_ID_CHARS,
    MAX_ITEMS,
    MAX_LINE_CHARS,
    MAX_PASSAGE_CHARS,
    MAX_QUANTITY,
    MAX_SIGNIFICANT,
    MAX_URL_CHARS,
    MAX_YEAR,
    MIN_YEAR,
)
from .templates import STATEMENT_TEMPLATES, TEMPLATES
from .wording import is_scientific, quantity_text

# A model-level check that names the field it is about (pydantic would name the whole fact,
# and for a date fact that read as "field date"). ``quizgen.validation`` reads the field back.
FIELD_ERROR = "quizgen_field"


def field_error(field: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(FIELD_ERROR, "{message}", {"field": field, "message": message})


_SLUG = r"^[a-z0-9][a-z0-9-]*$"

# Control characters break every output: Anki's field separator \x1f made whole packages
# unimportable; line and paragraph separators split lines in worksheets and problem lines.
# Passages may keep ordinary line breaks and tabs (TOML multi-line strings); one-line texts not.
# The check is a pattern, run by pydantic-core's regex engine (no Python call per field: loading
# a large library stays as fast); ``quizgen.validation`` finds the character for the message.
# One-line texts also refuse what renders as nothing (limits.INVISIBLE: zero-width
# and bidi controls, fillers), so two options never differ only by it, and a combining mark
# with no letter before it (at the start or after a space): ``\p{M}`` may only follow a base.
_LINE_BAD = r"\x00-\x1f\x7f-\x9f\u2028\u2029" + INVISIBLE
_PASSAGE_BAD = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
LINE_PATTERN = f"^(?:[^\\p{{M}}\\s{_LINE_BAD}][\\p{{M}}&&[^{_LINE_BAD}]]*|[^\\S{_LINE_BAD}])*$"
PASSAGE_PATTERN = f"^[^{_PASSAGE_BAD}]*$"
# pattern -> a regex finding the first character it refuses
CONTROL_PATTERNS = {LINE_PATTERN: re.compile(f"[{_LINE_BAD}]"), PASSAGE_PATTERN: re.compile(f"[{_PASSAGE_BAD}]")}


def _text(max_chars: int, pattern: str) -> Any:
    return Annotated[
        str, Strict(),
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_chars, pattern=pattern),
    ]


Slug = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, pattern=_SLUG, max_length=MAX_ID_CHARS)]
Text = _text(MAX_LINE_CHARS, LINE_PATTERN)  # one line: a title, a name, a slot, an option
Passage = _text(MAX_PASSAGE_CHARS, PASSAGE_PATTERN)  # may span lines: a quote, a note, a description
StrictBool = Annotated[bool, Strict()]


_WHITESPACE = re.compile(r"\s")  # compiled once: re.search's cache lookup cost more than the search


def _no_space_tag(tag: str) -> str:
    if _WHITESPACE.search(tag):
        raise ValueError(f"tag {tag!r} contains a space; use hyphens (Anki splits tags on spaces)")
    return tag


def _no_sub_deck(name: str) -> str:
    if "::" in name:
        raise ValueError("contains '::', which Anki reads as a sub-deck separator; use another "
                         "punctuation mark (a dash or a colon)")
    return name


def _deck_levels(name: str) -> str:
    # '::' in an Anki name is deliberate nesting ("US–Soviet History::Elbe 1945"); an empty level
    # (a leading, trailing or doubled '::', or ':::') makes a deck nobody meant.
    for level in name.split("::"):
        if not level.strip() or level.startswith(":") or level.endswith(":"):
            raise ValueError(f"{name!r} has an empty sub-deck level; write levels separated by a single "
                             "'::', e.g. \"History::Elbe 1945\"")
    return name


def _stored_text_path(path: str) -> str:
    posix, windows = PurePosixPath(path), PureWindowsPath(path)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or "\\" in path:
        raise ValueError(f"{path!r} is not a relative path; store the text beside the source's file "
                         "and give its name, e.g. text = \"my-source.txt\"")
    if ".." in posix.parts:
        raise ValueError(f"{path!r} leaves the content folder; keep the stored text inside content/")
    return path


Tag = Annotated[_text(MAX_ID_CHARS, LINE_PATTERN), AfterValidator(_no_space_tag)]
Topic = Annotated[Text, AfterValidator(_no_sub_deck)]
AnkiName = Annotated[Text, AfterValidator(_deck_levels)]
StoredTextPath = Annotated[Text, AfterValidator(_stored_text_path)]
Date = Annotated[
    FuzzyDate,
    BeforeValidator(FuzzyDate.parse),
    PlainSerializer(FuzzyDate.iso, return_type=str),
]


def _shown(value: Any) -> str:
    """A value as the curator wrote it in TOML."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _number(value: Any) -> int | float:
    """A quantity as TOML gives it: a number, never a string or a boolean, within the limits.

    Counts and measures stay within 10^15 and 3 decimals; a constant of science may be written in
    scientific notation (6.62607015e-34) with at most ``MAX_SIGNIFICANT`` significant digits.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{_shown(value)} is not a number; write it without quotes, e.g. value = 75")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number; give the number the source states")
    if isinstance(value, float) and is_scientific(value):
        return value
    if abs(value) > MAX_QUANTITY:
        raise ValueError(f"{value!r} is beyond the limit of {MAX_QUANTITY:,} either way; give it in a larger "
                         "measure (e.g. value = 2.5 with measure = \"billion\"), or, for a constant of science, "
                         f"in scientific notation with at most {MAX_SIGNIFICANT} significant digits within "
                         "10^±99 (e.g. 6.02214076e23)")
    if isinstance(value, float) and -Decimal(repr(value)).as_tuple().exponent > MAX_DECIMALS:
        raise ValueError(f"{value!r} has more than {MAX_DECIMALS} decimals and more than {MAX_SIGNIFICANT} "
                         "significant digits; round it (e.g. 9.81), or write it in scientific notation with "
                         f"at most {MAX_SIGNIFICANT} significant digits (e.g. 6.62607015e-34)")
    return value


def _value(value: Any) -> Any:
    """A number, or a range ``[low, high]`` of two numbers ("688 to 1,000")."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError("a range is two numbers, the lower first: value = [688, 1000]")
        low, high = (_number(v) for v in value)
        if not low < high:
            raise ValueError("a range gives the lower number first and the two differ: value = [688, 1000]")
        return (low, high)
    return _number(value)


def _strict_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{_shown(value)} is not a whole number; write it without quotes or decimals, e.g. 2")
    return value


Number = Annotated[int | float, BeforeValidator(_number)]
# A quantity's value: a number, or a range of two ("688 to 1,000").
Value = Annotated[int | float | tuple[int | float, int | float], BeforeValidator(_value)]


def _period(value: Any) -> tuple[int, int]:
    """``1945`` or ``[1941, 1945]``: the years a fact or a topic is about."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise ValueError("not a period; write a year (1945) or a pair of years ([1941, 1945])")
    start, end = value
    if not (MIN_YEAR <= start <= end <= MAX_YEAR):
        raise ValueError(f"not a period of years from {MIN_YEAR} to {MAX_YEAR}; write the earlier year first, "
                         "e.g. [1941, 1945]")
    return (start, end)


# The time a fact is about; wrong options come from the same period first.
Period = Annotated[tuple[int, int], BeforeValidator(_period)]
# 3: the heart of the topic; 2: supporting; 1: a detail. Quizzes prefer the important facts.
Importance = Annotated[Literal[1, 2, 3], BeforeValidator(_strict_int)]


# Lists, bounded. Tuples, not lists: the models are frozen, and immutable defaults are not
# deep-copied per fact.
_BOUNDED = Field(max_length=MAX_ITEMS)
Tags = Annotated[tuple[Tag, ...], _BOUNDED]
Texts = Annotated[tuple[Text, ...], _BOUNDED]
Dates = Annotated[tuple[Date, ...], _BOUNDED]
Numbers = Annotated[tuple[Number, ...], _BOUNDED]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


SourceKind = Literal[
    "news-article", "official-statement", "channel-post", "press-release", "book", "web-page"
]


class Source(StrictModel):
    """A published document that facts quote."""

    id: Slug
    title: Text
    publisher: Text
    kind: SourceKind
    published: Date
    # \S in pydantic-core's regex is Unicode: it refuses spaces, and the pattern control characters.
    url: Annotated[str, Strict(), StringConstraints(pattern=rf"^https?://[^\s{_LINE_BAD}]+$",
                                                    max_length=MAX_URL_CHARS)] | None = None
    text: StoredTextPath = Field(description="path of the stored text, relative to the source's file")
    attribute_as: Text | None = Field(
        default=None,
        description="how questions name the publisher: 'According to <attribute_as>, …'",
    )
    official: StrictBool = Field(
        default=False,
        description="the publisher is a government or its agency speaking for itself",
    )

    def speaker(self) -> str:
        return self.attribute_as or self.publisher


class FactBase(StrictModel):
    id: Slug
    source: Slug
    quote: Passage
    tags: Tags = ()
    attributed: StrictBool = Field(
        default=False,
        description="the fact is only the source's claim: ask it as 'According to <publisher>, …'",
    )
    distractors: Texts = ()
    also_true: Texts = ()
    stems: dict[str, Text] = Field(default_factory=dict, max_length=MAX_ITEMS)
    note: Passage | None = Field(
        default=None,
        description="curator's note shown wherever the quote is: what historians dispute and what "
        "mainstream accounts say",
    )
    importance: Importance = 2
    trivia: StrictBool = Field(
        default=False,
        description="about the document itself (its date, an anniversary count), not the history: "
        "left out of quizzes unless asked for",
    )
    period: Period | None = Field(
        default=None, description="the years the fact is about, when it is not its own date or its file's period"
    )
    about: Slug | None = Field(
        default=None,
        description="names the event, person or thing the fact is about: facts sharing it are never asked "
        "in one quiz (they would answer each other)",
    )
    reverse_distractors: Texts = Field(
        default=(),
        description="curated wrong options for the reverse question: real events (or roles) of the same "
        "period and topic that are not the answer",
    )

    @model_validator(mode="after")
    def _known_stems(self) -> FactBase:
        known = TEMPLATES[self.kind]  # type: ignore[attr-defined]
        for name in self.stems:
            if name not in known:
                raise field_error(
                    f"stems.{name}",
                    f"unknown template {name!r}; "
                    f"templates for {self.kind} facts are: {', '.join(known)}",  # type: ignore[attr-defined]
                )
            if name in STATEMENT_TEMPLATES and "{answer}" not in self.stems[name]:
                raise field_error(f"stems.{name}", "no {answer} in the stem; put {answer} where the answer goes")
        return self

    def answer_text(self) -> str:
        """The fact's answer as it appears among options."""
        raise NotImplementedError

    def slots(self) -> dict[str, Any]:
        """The kind-specific fields, as JSON-ready values."""
        common = set(FactBase.model_fields) | {"kind"}
        return {k: v for k, v in self.model_dump(mode="json").items() if k not in common}


class DateFact(FactBase):
    kind: Literal["date"]
    event: Text = Field(description="noun phrase: 'the meeting of U.S. and Soviet troops on the Elbe'")
    date: Date
    distractors: Dates = ()  # type: ignore[assignment]

    @model_validator(mode="after")
    def _same_precision(self) -> DateFact:
        for n, d in enumerate(self.distractors):
            if d.precision is not self.date.precision:
                raise field_error(
                    f"distractors[{n}]",
                    f"distractor {d.iso()} is given to the {d.precision.value} but the date "
                    f"{self.date.iso()} to the {self.date.precision.value}; give them the same precision"
                )
        return self

    def answer_text(self) -> str:
        return self.date.render()


class PersonFact(FactBase):
    kind: Literal["person"]
    name: Text
    role: Text = Field(description="noun phrase: 'the first U.S. ambassador to the Soviet Union'")
    nationality: Text | None = Field(default=None, description="adjective: 'Soviet', 'American', 'British'")
    gender: Literal["male", "female"] | None = None
    living: StrictBool = Field(default=False, description="alive today: asked 'Who is …?'")

    def answer_text(self) -> str:
        return self.name


class PlaceFact(FactBase):
    kind: Literal["place"]
    event: Text
    place: Text
    place_type: Text = Field(description="'river', 'city', 'square', 'building' …")
    preposition: Text = "in"

    def answer_text(self) -> str:
        return self.place


class UnitFact(FactBase):
    kind: Literal["unit"]
    unit: Text = Field(description="'the 69th Infantry Division'")
    echelon: Text = Field(description="'division', 'army', 'front' …")
    side: Text = Field(description="'American', 'Soviet' …")
    action: Text = Field(description="past-tense verb phrase: 'met the Red Army at Torgau'")

    def answer_text(self) -> str:
        return self.unit


class QuantityFact(FactBase):
    kind: Literal["quantity"]
    value: Value
    counts: Text | None = Field(
        default=None, description="noun phrase after 'the number of': 'languages in which RFE/RL reports'")
    question: Text | None = Field(default=None, description="the question itself: 'How many men sailed …?'")
    sentence: Text | None = Field(
        default=None, description="the true statement with {value} for the number: 'About {value} men sailed …'")
    measure: Text | None = Field(default=None, description="unit shown after the number: 'years'")
    approximate: StrictBool = Field(default=False, description="the source gives a rounded figure: 'about 9.81'")
    duration: StrictBool = Field(
        default=False, description="the value is a length of time, asked 'How long …?'; set by value = \"2 h 31 min\"")
    distractors: Annotated[tuple[Value, ...], _BOUNDED] = ()  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _duration(cls, data: Any) -> Any:
        """value = "8 days 3 h 18 min": asked in its largest unit ("about 8 days"), as ``duration``."""
        if not isinstance(data, dict) or not durations.is_duration(data.get("value")):
            return data
        if data.get("measure") is not None:
            raise field_error("measure", "a duration carries its own units; drop measure, e.g. "
                              + durations.EXAMPLE)
        try:
            seconds, unit = durations.parse(data["value"])
        except ValueError as exc:
            raise field_error("value", str(exc)) from None
        figure, unit, was_rounded = durations.in_unit(seconds, unit)
        wrong = []
        for n, text in enumerate(data.get("distractors") or ()):
            if not durations.is_duration(text):
                raise field_error(f"distractors[{n}]", "give wrong durations as the value is given, e.g. "
                                  'distractors = ["5 days", "12 days"]')
            try:
                wrong.append(durations.figure_in(text, unit))
            except ValueError as exc:
                raise field_error(f"distractors[{n}]", str(exc)) from None
        return {**data, "value": figure, "measure": unit, "duration": True, "distractors": wrong,
                "approximate": bool(data.get("approximate")) or was_rounded}

    @model_validator(mode="after")
    def _askable(self) -> QuantityFact:
        if self.counts is None and self.question is None and "forward" not in self.stems:
            raise field_error("counts", "missing; give counts = \"…\" (what is counted, after 'the number of'), "
                              "or question = \"How many …?\" with sentence = \"… {value} …\"")
        if self.sentence is not None and "{value}" not in self.sentence:
            raise field_error("sentence", "no {value} in the sentence; put {value} where the number goes")
        if self.counts is None and self.sentence is None and "true_false" not in self.stems:
            raise field_error("sentence", "missing; with question = \"…\" give sentence = \"… {value} …\", "
                              "the true statement with {value} where the number goes")
        ranged = isinstance(self.value, tuple)
        for n, d in enumerate(self.distractors):
            if isinstance(d, tuple) != ranged:
                raise field_error(f"distractors[{n}]", "give wrong options of the same shape as the value: "
                                  + ("ranges [low, high]" if ranged else "single numbers"))
        return self

    @property
    def shown_value(self) -> int | float | tuple:
        """The value as questions ask it: a precise figure (22,310 casualties, 27.72 %) rounded to the
        figure a student should know (about 22,000; about 28 %); any other value as written."""
        return rounded_figure(self.value, self.measure) or self.value

    @property
    def is_approximate(self) -> bool:
        """Asked as 'about …': the source rounds it, or the question does."""
        return self.approximate or rounded_figure(self.value, self.measure) is not None

    def answer_text(self) -> str:
        return format_quantity(self.shown_value, self.measure)


# Significant digits a figure is asked with: more is a detail to look up, not to learn.
ASKED_DIGITS = 2
_NOT_ROUNDED = ("times", "hour", "o'clock", "year", "years")


@lru_cache(maxsize=1 << 14)
def rounded_figure(value: Any, measure: str | None) -> int | float | None:
    """A precise figure rounded to ``ASKED_DIGITS`` significant digits, or None when it is asked as written
    (a small count, a year, a clock hour, a range, a constant in scientific notation)."""
    if isinstance(value, tuple) or value == 0 or (measure or "").casefold() in _NOT_ROUNDED:
        return None
    if isinstance(value, float) and is_scientific(value):
        return None
    if float(value).is_integer() and (abs(value) < 1000 or (1000 <= value <= 2100 and not measure)):
        return None  # a count a student can know exactly, or a year written as a number
    digits = len(Decimal(repr(float(value))).normalize().as_tuple().digits)
    if digits <= ASKED_DIGITS + 1:
        return None
    rounded = float(f"{float(value):.{ASKED_DIGITS - 1}e}")
    return int(rounded) if rounded.is_integer() else rounded


class MeasureUnitFact(FactBase):
    """A unit of measurement: what it measures, its symbol, its system, whom it is named after."""

    kind: Literal["unit_of_measurement"]
    unit: Text = Field(description="'the kelvin', as it reads in a sentence")
    measures: Text = Field(description="what it measures: 'thermodynamic temperature'")
    symbol: Text | None = None
    system: Text = Field(default="SI unit", description="'SI base unit', 'SI derived unit', 'imperial unit'")
    named_after: Text | None = None

    def answer_text(self) -> str:
        return self.unit


def format_quantity(value: float | tuple[float, float], measure: str | None) -> str:
    """One wording of a quantity everywhere (web, Anki, worksheets, exports): 'twice', '11 a.m.'."""
    return quantity_text(value, measure)


Fact = Annotated[
    DateFact | PersonFact | PlaceFact | UnitFact | QuantityFact | MeasureUnitFact,
    Field(discriminator="kind"),
]
FACT_MODELS = (DateFact, PersonFact, PlaceFact, UnitFact, QuantityFact, MeasureUnitFact)
# The five kinds, named once: each model's ``kind`` literal.
FACT_KINDS: tuple[str, ...] = tuple(get_args(m.model_fields["kind"].annotation)[0] for m in FACT_MODELS)


class Entity(StrictModel):
    """Something facts mention, declared once in a facts file's ``[[entity]]`` table.

    Facts declare most entities themselves (a person fact its person, a place fact its place); a
    declaration adds what no fact says: other names, and the years it existed ("Soviet Russia",
    1917-1922), so that no wrong date for an event "in Soviet Russia" falls before it existed.
    """

    name: Text
    type: Literal["person", "place", "event", "state", "organisation", "thing"] = "thing"
    aliases: Texts = ()
    span: Period | None = Field(default=None, description="the years it existed, or the person lived")
    living: StrictBool = False


class Deck(StrictModel):
    """A deck definition in ``decks/``: which facts it takes and how it is named."""

    id: Slug
    title: Text
    description: Passage
    anki_name: AnkiName = Field(description="Anki deck name; topics become sub-decks 'Name::Topic'")
    all: StrictBool = False
    tags: Tags = ()
    files: Texts = Field(default=(), description="facts files by name, e.g. 'elbe.toml'")

    @model_validator(mode="after")
    def _selects_something(self) -> Deck:
        if not (self.all or self.tags or self.files):
            raise ValueError("a deck needs all = true, or tags = [...], or files = [...]")
        return self
