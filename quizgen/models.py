"""The content model: sources, facts of five kinds, and decks.

Models are strict (``extra="forbid"``): a misspelt key is an error, not a
silently ignored field. Their validation errors are flattened into
``Problem`` lines by ``quizgen.content``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from .dates import FuzzyDate
from .templates import STATEMENT_TEMPLATES, TEMPLATES

_SLUG = r"^[a-z0-9][a-z0-9-]*$"

Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_SLUG, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


_WHITESPACE = re.compile(r"\s")  # compiled once: re.search's cache lookup cost more than the search


def _no_space_tag(tag: str) -> str:
    if _WHITESPACE.search(tag):
        raise ValueError(f"tag {tag!r} contains a space; use hyphens (Anki splits tags on spaces)")
    return tag


Tag = Annotated[Text, AfterValidator(_no_space_tag)]
Date = Annotated[
    FuzzyDate,
    BeforeValidator(FuzzyDate.parse),
    PlainSerializer(FuzzyDate.iso, return_type=str),
]
Number = Annotated[int | float, Field(allow_inf_nan=False)]

MIN_YEAR, MAX_YEAR = 1, 9998  # a year range every date computation can step around


def _period(value: Any) -> tuple[int, int]:
    """``1945`` or ``[1941, 1945]``: the years a fact or a topic is about."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise ValueError("a period is a year (1945) or a pair of years ([1941, 1945])")
    start, end = value
    if not (MIN_YEAR <= start <= end <= MAX_YEAR):
        raise ValueError(f"a period runs from an earlier year to a later one, both from {MIN_YEAR} to {MAX_YEAR}")
    return (start, end)


# The time a fact is about; wrong options come from the same period first.
Period = Annotated[tuple[int, int], BeforeValidator(_period)]
# 3: the heart of the topic; 2: supporting; 1: a detail. Quizzes prefer the important facts.
Importance = Literal[1, 2, 3]


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
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    text: Text = Field(description="path of the stored text, relative to the source's file")
    attribute_as: Text | None = Field(
        default=None,
        description="how questions name the publisher: 'According to <attribute_as>, …'",
    )
    official: bool = Field(
        default=False,
        description="the publisher is a government or its agency speaking for itself",
    )

    def speaker(self) -> str:
        return self.attribute_as or self.publisher


class FactBase(StrictModel):
    id: Slug
    source: Slug
    quote: Text
    # Tuples, not lists: the models are frozen, and immutable defaults are not deep-copied per fact.
    tags: tuple[Tag, ...] = ()
    attributed: bool = Field(
        default=False,
        description="the fact is only the source's claim: ask it as 'According to <publisher>, …'",
    )
    distractors: tuple[Text, ...] = ()
    also_true: tuple[Text, ...] = ()
    stems: dict[str, Text] = Field(default_factory=dict)
    note: Text | None = Field(
        default=None,
        description="curator's note shown wherever the quote is: what historians dispute and what "
        "mainstream accounts say",
    )
    importance: Importance = 2
    trivia: bool = Field(
        default=False,
        description="about the document itself (its date, an anniversary count), not the history: "
        "left out of quizzes unless asked for",
    )
    period: Period | None = Field(
        default=None, description="the years the fact is about, when it is not its own date or its file's period"
    )
    reverse_distractors: tuple[Text, ...] = Field(
        default=(),
        description="curated wrong options for the reverse question: real events (or roles) of the same "
        "period and topic that are not the answer",
    )

    @model_validator(mode="after")
    def _known_stems(self) -> FactBase:
        known = TEMPLATES[self.kind]  # type: ignore[attr-defined]
        for name in self.stems:
            if name not in known:
                raise ValueError(
                    f"stems has unknown template {name!r}; "
                    f"templates for {self.kind} facts are: {', '.join(known)}"  # type: ignore[attr-defined]
                )
            if name in STATEMENT_TEMPLATES and "{answer}" not in self.stems[name]:
                raise ValueError(f"stems.{name} must contain {{answer}} where the answer goes")
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
    distractors: tuple[Date, ...] = ()  # type: ignore[assignment]

    @model_validator(mode="after")
    def _same_precision(self) -> DateFact:
        for d in self.distractors:
            if d.precision is not self.date.precision:
                raise ValueError(
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
    nationality: Text = Field(description="adjective: 'Soviet', 'American', 'British'")
    gender: Literal["male", "female"] | None = None

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
    value: Number
    counts: Text = Field(description="noun phrase: 'languages in which RFE/RL journalists report the news'")
    measure: Text | None = Field(default=None, description="unit shown after the number: 'years'")
    distractors: tuple[Number, ...] = ()  # type: ignore[assignment]

    def answer_text(self) -> str:
        return format_quantity(self.value, self.measure)


def format_quantity(value: float, measure: str | None) -> str:
    number = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
    return f"{number} {measure}" if measure else number


Fact = Annotated[
    DateFact | PersonFact | PlaceFact | UnitFact | QuantityFact,
    Field(discriminator="kind"),
]
FACT_KINDS: tuple[str, ...] = ("date", "person", "place", "unit", "quantity")


class FactsFile(StrictModel):
    """One file of facts under ``content/facts/``, all on one topic."""

    topic: Text
    period: Period | None = None
    fact: list[Fact] = Field(min_length=1)


class Deck(StrictModel):
    """A deck definition in ``decks/``: which facts it takes and how it is named."""

    id: Slug
    title: Text
    description: Text
    anki_name: Text = Field(description="Anki deck name; topics become sub-decks 'Name::Topic'")
    all: bool = False
    tags: tuple[Tag, ...] = ()
    files: tuple[Text, ...] = Field(default=(), description="facts files by name, e.g. 'elbe.toml'")

    @model_validator(mode="after")
    def _selects_something(self) -> Deck:
        if not (self.all or self.tags or self.files):
            raise ValueError("a deck needs all = true, or tags = [...], or files = [...]")
        return self
