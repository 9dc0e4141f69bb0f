"""Questions made from facts with the phrasings in ``templates.py``."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from .citations import Citation
from .dates import FuzzyDate, Precision
from .distractors import MINIMUM, WANTED, DistractorIndex, normalise_option
from .errors import QuestionError
from .models import DateFact, Fact, PersonFact, PlaceFact, QuantityFact, Source, UnitFact
from .templates import ATTRIBUTION, TEMPLATES, TRUE_FALSE_OPTIONS

# Words that may be lowered after "According to X, "; anything else (a name) keeps its capital.
_LOWERABLE = {"when", "where", "who", "what", "which", "how", "the", "a", "an", "in", "on", "at"}


@dataclass(frozen=True)
class Question:
    fact_id: str
    fact_kind: str
    template: str  # "forward", "reverse" or "true_false"
    stem: str
    options: tuple[str, ...]
    answer_index: int
    citation: Citation
    topic: str

    @property
    def answer(self) -> str:
        return self.options[self.answer_index]

    def to_dict(self, with_answer: bool = True) -> dict:
        """JSON-ready fields; the nested options list and citation dict are shared: read them only."""
        return dict(self._with_answer if with_answer else self._without_answer)

    # Built once per question: a quiz kept by QuizMaker is shown and graded many times.
    @cached_property
    def _without_answer(self) -> dict:
        return {
            "fact_id": self.fact_id,
            "kind": self.fact_kind,
            "template": self.template,
            "topic": self.topic,
            "stem": self.stem,
            "options": list(self.options),
        }

    @cached_property
    def _with_answer(self) -> dict:
        return {**self._without_answer, "answer_index": self.answer_index, "answer": self.answer,
                "citation": self.citation.to_dict()}


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # exactly what the regex \w matches in a str pattern


def _names(text: str, phrase: str) -> bool:
    """Whether ``text`` holds ``phrase`` as whole words ('5' is not named by '1945').

    Plain ``str.find`` with the word-boundary checks the lookarounds of a regex made: one regex per
    option missed the ``re`` cache on large libraries and cost most of a quiz's time.
    """
    if not phrase:
        return re.search(r"(?<!\w)(?!\w)", text) is not None
    end = len(phrase)
    at = text.find(phrase)
    while at >= 0:
        if (at == 0 or not _is_word_char(text[at - 1])) and (
            at + end == len(text) or not _is_word_char(text[at + end])
        ):
            return True
        at = text.find(phrase, at + 1)
    return False


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def on_date(date: FuzzyDate) -> str:
    return ("on " if date.precision is Precision.DAY else "in ") + date.render()


def _plain_slots(fact: Fact) -> dict[str, str]:
    if isinstance(fact, DateFact):
        return {"event": fact.event, "date": fact.date.render(), "on_date": on_date(fact.date)}
    if isinstance(fact, PersonFact):
        return {"name": fact.name, "role": fact.role, "nationality": fact.nationality}
    if isinstance(fact, PlaceFact):
        return {"event": fact.event, "place": fact.place, "place_type": fact.place_type,
                "preposition": fact.preposition}
    if isinstance(fact, UnitFact):
        return {"unit": fact.unit, "echelon": fact.echelon, "side": fact.side, "action": fact.action}
    if isinstance(fact, QuantityFact):
        return {"counts": fact.counts, "value": fact.answer_text()}
    raise TypeError(fact)  # pragma: no cover - the model admits no other kind


def slots(fact: Fact) -> dict[str, str]:
    """Placeholder values for the templates, capitalised variants included."""
    values = _plain_slots(fact)
    values.update({sentence_case(k): sentence_case(v) for k, v in list(values.items())})
    return values


class _Slots(dict):
    """``slots(fact)`` whose capitalised variants are made only when a template asks for one."""

    __slots__ = ()

    def __missing__(self, key: str) -> str:
        plain = key[:1].lower() + key[1:]
        # "answer" is added after the slots, so (as with slots()) it has no capitalised variant.
        if plain != "answer" and plain != key and dict.__contains__(self, plain) and sentence_case(plain) == key:
            return sentence_case(dict.__getitem__(self, plain))
        raise KeyError(key)


def stem_text(fact: Fact, template: str, answer: str | None = None) -> str:
    """The template (or the fact's override) filled in; ``answer`` fills statements."""
    pattern = fact.stems.get(template) or TEMPLATES[fact.kind][template]
    if answer is not None:
        # At the start of a sentence a "the" answer needs its capital too.
        answer = sentence_case(answer) if pattern.startswith("{answer}") else answer
    if template in fact.stems:
        # Overrides are literal text apart from {answer}, so braces in them are safe.
        return pattern if answer is None else pattern.replace("{answer}", answer)
    values = _Slots(_plain_slots(fact))
    if answer is not None:
        values["answer"] = answer
    return pattern.format_map(values)


def attribute(text: str, fact: Fact, source: Source) -> str:
    """'According to the Russian Foreign Ministry, when did …' for the publisher's own claims."""
    if not fact.attributed:
        return text
    first, _, rest = text.partition(" ")
    if first.casefold() in _LOWERABLE:
        text = f"{first.lower()} {rest}"
    return ATTRIBUTION.format(publisher=source.speaker(), stem=text)


def statement_answer(fact: Fact, shown: str) -> str:
    """The answer as it stands in a sentence: a date needs its preposition ("on 25 April 1945")."""
    if isinstance(fact, DateFact):
        return ("on " if fact.date.precision is Precision.DAY else "in ") + shown
    return shown


def statement(fact: Fact, source: Source) -> str:
    """The fact as one true sentence, attributed where it is the publisher's claim."""
    return attribute(stem_text(fact, "true_false", statement_answer(fact, fact.answer_text())), fact, source)


def cloze(fact: Fact, source: Source, mark: Callable[[str, str], str] | None = None) -> str:
    """The true sentence with only the answer as an Anki cloze gap that says what is wanted.

    '… took place on {{c1::25 April 1945::date}}.': the preposition stays outside the gap, so the
    front reads "on [date]" and a place is no answer. ``mark(answer, hint)`` makes the gap
    (default: Anki's ``{{c1::answer::hint}}``); exporters pass their own to render it.
    """
    if isinstance(fact, DateFact):
        answer, hint = fact.answer_text(), _DATE_HINTS[fact.date.precision]
        before = "on " if fact.date.precision is Precision.DAY else "in "
    else:
        answer, hint, before = fact.answer_text(), _cloze_hint(fact), ""
    # Built around a placeholder first: an answer that opens the sentence needs its capital inside the gap.
    sentence = attribute(stem_text(fact, "cloze", before + _GAP), fact, source)
    if sentence.startswith(_GAP):
        answer = sentence_case(answer)
    gap = mark(answer, hint) if mark else "{{c1::" + answer + "::" + hint + "}}"
    return sentence.replace(_GAP, gap, 1)


_GAP = "\x00gap\x00"  # never in content: control characters are refused, and the exporter strips them
_DATE_HINTS = {Precision.DAY: "date", Precision.MONTH: "month", Precision.YEAR: "year"}


def _cloze_hint(fact: Fact) -> str:
    """What kind of answer the gap wants, in a word or two: 'name', 'river', 'division', 'number'."""
    if isinstance(fact, PersonFact):
        return "name"
    if isinstance(fact, PlaceFact):
        return fact.place_type
    if isinstance(fact, UnitFact):
        return fact.echelon
    return "number"


def supported_templates(fact: Fact) -> tuple[str, ...]:
    return tuple(name for name in TEMPLATES[fact.kind] if name != "cloze")


def make_question(
    fact: Fact, template: str, source: Source, topic: str, index: DistractorIndex, rng: random.Random
) -> Question:
    """One multiple-choice question; ``QuestionError`` if too few plausible options exist."""
    if template not in supported_templates(fact):
        raise QuestionError(f"{fact.kind} facts have no {template} template")
    citation = Citation.of(fact, source)
    if template == "true_false":
        truth = rng.random() < 0.5
        shown = fact.answer_text()
        if not truth:
            wrong = index.distractors(fact, rng, want=1)
            if not wrong:
                raise QuestionError(f"no false statement can be made for fact {fact.id}")
            shown = wrong[0]
        text = attribute(stem_text(fact, "true_false", statement_answer(fact, shown)), fact, source)
        return Question(fact.id, fact.kind, template, f"True or false? {text}", TRUE_FALSE_OPTIONS,
                        0 if truth else 1, citation, topic)
    stem = attribute(stem_text(fact, template), fact, source)
    # Ordered answers (dates, numbers) come with a drawn rank that trimming would skew.
    spare = 0 if isinstance(fact, (DateFact, QuantityFact)) and template == "forward" else 2
    if template == "forward":
        answer = fact.answer_text()
        wrong = index.distractors(fact, rng, want=WANTED + spare)
    else:
        answer = {DateFact: lambda f: f.event, PersonFact: lambda f: f.role,
                  PlaceFact: lambda f: f.event}[type(fact)](fact)
        wrong = index.reverse_distractors(fact, rng, want=WANTED + spare)
    # An option the stem itself names ("…together with the 69th Infantry Division") is no distractor.
    in_stem = normalise_option(stem)
    wrong = [w for w in wrong if not _names(in_stem, normalise_option(w))][:WANTED]
    answer, wrong = sentence_case(answer), [sentence_case(w) for w in wrong]
    if len(wrong) < MINIMUM:
        raise QuestionError(
            f"fact {fact.id}: only {len(wrong)} plausible wrong options for a {template} question; "
            "add curated distractors to the fact"
        )
    options = [answer, *wrong]
    rng.shuffle(options)
    return Question(fact.id, fact.kind, template, stem, tuple(options), options.index(answer), citation, topic)
