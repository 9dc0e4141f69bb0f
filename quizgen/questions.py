"""Questions made from facts with the phrasings in ``templates.py``."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .citations import Citation
from .dates import FuzzyDate, Precision, dates_in
from .distractors import (
    MINIMUM,
    NO_AVOID,
    SAME_TOPIC,
    WANTED,
    Avoid,
    DistractorIndex,
    Pick,
    event_names,
    names,
    normalise_option,
    phrases,
    printed_in,
)
from .errors import QuestionError
from .knowledge import Knowledge, subject_stems, telling
from .models import DateFact, Fact, MeasureUnitFact, PersonFact, PlaceFact, QuantityFact, Source, UnitFact
from .templates import ATTRIBUTION, LIVING_REVERSE, TEMPLATES, TRUE_FALSE_OPTIONS
from .wording import (
    CLOCK_MEASURES,
    count_question,
    departs,
    event_clause,
    numbers_in,
    plural_subject,
    quantity_text,
    sentence_case,
)

# Words that may be lowered after "According to X, "; anything else (a name) keeps its capital.
_LOWERABLE = {"when", "where", "who", "what", "which", "how", "the", "a", "an", "in", "on", "at", "about",
              "roughly", "approximately", "around", "nearly", "some", "by", "for", "from", "during", "after",
              "before", "with", "there", "one", "two", "three", "four", "five", "its", "his", "her", "their",
              "this", "that", "these", "those", "of", "to", "as", "under", "until", "since", "between"}


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
    # What gives this question away when another question (or the deck title) shows it: its answer,
    # normalised (normalise_option). Not part of a question's identity.
    keys: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # Where each wrong option came from (distractors.SAME_TOPIC, CURATED, ...), for quizgen review.
    origins: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # The knowledge model's view (quizgen.knowledge): the subject the question is about (its group of
    # related facts), every entity it asks for or mentions, and what each option stands for.
    subject: str = field(default="", compare=False, repr=False)
    entities: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    option_entities: tuple[frozenset[str], ...] = field(default=(), compare=False, repr=False)
    # (the names of its event, a year) the question shows: a date its stem prints, or the one year all
    # its options share. Another date question about the same names keeps to the key's side of it.
    timeline: tuple[tuple[frozenset[str], int, int], ...] = field(default=(), compare=False, repr=False)
    # The names of a date question's event ("Rome", "Parliament"): the story its options must keep to.
    story: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def clues(self, other: Question) -> bool:
        """Whether a wrong option of this question stands for what ``other`` asks about or mentions, or
        retells its stem: "Who was Kalinin?" offering the role the next question asks for; or whether
        ``other`` shows a year of this question's story that strikes out some of its wrong dates."""
        if not self._option_entities.isdisjoint(other.entities):
            return True
        if self.story and other.timeline and self._straddles(other):
            return True
        if self.template == "true_false":
            return False
        words = other.shown_words
        # Only an option whose first word the other stem holds can stand in it (a set lookup first).
        if any(first in words and printed_in(k, (other.stem_shown,)) for first, k in self._wrong_keys):
            return True
        told = phrases(other.stem)
        return bool(told) and any(not phrases(o).isdisjoint(told) for o in self._wrong_options)

    def _straddles(self, other: Question) -> bool:
        """Whether a wrong date of this question lies on the other side of a year ``other`` shows for the
        same story than the key does ("1864" for Parliament's move to Rome beside "Rome, 1870")."""
        years = [_years_in(o) for o in self.options]
        if self.template == "true_false" or not all(years):
            return False
        key = years[self.answer_index][0]
        return any(_struck(y[0], key, low, high) for told, low, high in other.timeline if told & self.story
                   for y in years)

    @cached_property
    def _wrong_options(self) -> tuple[str, ...]:
        return tuple(o for n, o in enumerate(self.options) if n != self.answer_index)

    @cached_property
    def _wrong_keys(self) -> tuple[tuple[str, str], ...]:
        return tuple((k.split()[0], k) for k in map(normalise_option, self._wrong_options) if k)

    @cached_property
    def _option_entities(self) -> frozenset[str]:
        return frozenset().union(*self.option_entities)

    @cached_property
    def _key_firsts(self) -> tuple[tuple[str, str], ...]:
        return tuple((k.split()[0], k) for k in self.keys if k)

    @cached_property
    def shown_words(self) -> frozenset[str]:
        """Every word a student reads in the stem and options, normalised: a cheap test before a search."""
        return frozenset(self.shown.split())

    @property
    def truth(self) -> bool | None:
        """A true/false question's key (True: the statement is true); None for other kinds."""
        return self.answer_index == 0 if self.template == "true_false" else None

    @property
    def answer(self) -> str:
        return self.options[self.answer_index]

    @cached_property
    def shown(self) -> str:
        """What a student reads, normalised, one line per part: the stem and each option."""
        parts = [self.stem] if self.template == "true_false" else [self.stem, *self.options]
        return "\n".join(map(normalise_option, parts))

    @cached_property
    def stem_shown(self) -> str:
        return normalise_option(self.stem)

    def gives_away(self, other: Question) -> bool:
        """Whether this question shows ``other``'s answer.

        A bare number ("11", "1917") gives an answer away in a stem or statement, not as one of
        another question's options, where it is only a number among numbers.
        """
        words = self.shown_words
        return any(first in words and names(self.stem_shown if k.isdigit() else self.shown, k)
                   for first, k in other._key_firsts)

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


def on_date(date: FuzzyDate) -> str:
    return ("on " if date.precision is Precision.DAY else "in ") + date.render()


def _plain_slots(fact: Fact) -> dict[str, str]:
    if isinstance(fact, DateFact):
        return {"event": fact.event, "date": fact.date.render(), "on_date": on_date(fact.date),
                "was": "were" if plural_subject(fact.event) else "was"}
    if isinstance(fact, PersonFact):
        return {"name": fact.name, "role": fact.role, "nationality": fact.nationality}
    if isinstance(fact, PlaceFact):
        return {"event": fact.event, "place": fact.place, "place_type": fact.place_type,
                "preposition": fact.preposition, "was": "were" if plural_subject(fact.event) else "was"}
    if isinstance(fact, UnitFact):
        return {"unit": fact.unit, "echelon": fact.echelon, "side": fact.side, "action": fact.action}
    if isinstance(fact, QuantityFact):
        counts = fact.counts or ""
        # A quantity of a period (its own, or its facts file's) is history: "What was the number of …?".
        past = fact.period is not None or _past(counts)
        return {"counts": counts, "value": answer_display(fact), "is": "was" if past else "is"}
    if isinstance(fact, MeasureUnitFact):
        return {"unit": fact.unit, "measures": fact.measures, "system": fact.system}
    raise TypeError(fact)  # pragma: no cover - the model admits no other kind


class _Slots(dict):
    """A fact's slots; a capitalised variant ({Event}) is made only when a template asks for one."""

    __slots__ = ()

    def __missing__(self, key: str) -> str:
        plain = key[:1].lower() + key[1:]
        # "answer" is capitalised by stem_text itself where the sentence starts with it.
        if plain != "answer" and plain != key and dict.__contains__(self, plain) and sentence_case(plain) == key:
            return sentence_case(dict.__getitem__(self, plain))
        raise KeyError(key)


# Words that put a counted thing in the past: "inmates in the Bastille when it was stormed".
_PAST_WORDS = frozenset({"was", "were", "had", "did", "took", "began", "went", "came", "fought", "won", "lost",
                         "sailed", "died", "killed", "held", "met", "made", "gave", "led", "ago"})


def _past(text: str) -> bool:
    words = normalise_option(text).split()
    return any(w in _PAST_WORDS or (len(w) > 4 and w.endswith("ed")) for w in words)


def _overrides(fact: Fact) -> dict[str, str]:
    """A fact's own wordings: its ``stems``, and a quantity's ``question`` and ``sentence``."""
    if isinstance(fact, QuantityFact) and (fact.question or fact.sentence):
        own = {}
        if fact.question:
            own["forward"] = fact.question
        if fact.sentence:
            sentence = fact.sentence.replace("{value}", "{answer}")
            own["true_false"] = own["cloze"] = sentence
        return {**own, **fact.stems}
    if isinstance(fact, PersonFact) and fact.living and "reverse" not in fact.stems:
        return {**fact.stems, "reverse": LIVING_REVERSE.format(name=fact.name)}
    return fact.stems


_APPROXIMATE = re.compile(r"\b(?:about|approximately|around|roughly|nearly|some|circa|c\.)\s*\{answer\}", re.I)


def _clause_pattern(fact: Fact, template: str) -> str | None:
    """A date's or place's event told as a clause, where the model knows its noun: "When did Garibaldi
    retire …?", "Oxygen was discovered {answer}." (``wording.event_clause``); None otherwise."""
    if isinstance(fact, QuantityFact) and fact.counts and template != "reverse":
        past = fact.period is not None or _past(fact.counts)
        if fact.duration:  # "How long did the Apollo 11 mission last?" / "The … mission lasted {answer}."
            told = fact.counts.replace("{", "{{").replace("}", "}}")
            if template != "forward":
                return f"{sentence_case(told)} {'lasted' if past else 'lasts'} {{answer}}."
            return f"{'About how' if fact.is_approximate else 'How'} long {'did' if past else 'does'} {told} last?"
        counted = count_question(fact.counts, past)
        if counted is None:
            return None
        question, statement = (part.replace("{", "{{").replace("}", "}}").replace("{{answer}}", "{answer}")
                               for part in counted)
        if template != "forward":
            return statement
        return "About h" + question[1:] if fact.is_approximate else question
    if not isinstance(fact, (DateFact, PlaceFact)) or template == "reverse":
        return None
    told = event_clause(fact.event)
    if told is None:
        return None
    kind, question, clause, tail = told
    clause = sentence_case(clause).replace("{", "{{").replace("}", "}}")
    question = question.replace("{", "{{").replace("}", "}}")
    leaving = isinstance(fact, PlaceFact) and departs(fact.event)
    if template == "forward":
        where = "From where" if leaving else "Where"
        return f"{'When' if isinstance(fact, DateFact) else where} {kind} {question}?"
    if isinstance(fact, DateFact):
        return f"{clause} {{answer}}."
    # "Garibaldi's volunteers left for Sicily from Quarto al Mare", not "… at Quarto al Mare".
    preposition = "from" if leaving else "{preposition}"
    # The place next to the verb when what follows tells when ("Garibaldi retired on Caprera after handing
    # over his conquests", not "… his conquests on Caprera"); else after the clause ("Garibaldi's
    # volunteers left for Sicily from Quarto al Mare").
    escaped = tail.replace("{", "{{").replace("}", "}}")
    if tail and tail.startswith(_WHEN_TAILS) and clause.endswith(escaped):
        head = clause[: len(clause) - len(escaped)]
        return f"{head} {preposition} {{answer}}{escaped}."
    return f"{clause} {preposition} {{answer}}."


# What follows a verb to tell when: the place goes before it.
_WHEN_TAILS = (" after ", " before ", " during ", " when ", " while ", " following ", " in the ", " on the ",
               " in 1", " in 2", " at the age")


def stem_text(fact: Fact, template: str, answer: str | None = None) -> str:
    """The template (or the fact's override) filled in; ``answer`` fills statements."""
    overrides = _overrides(fact)
    pattern = overrides.get(template) or _clause_pattern(fact, template) or TEMPLATES[fact.kind][template]
    if (answer is not None and isinstance(fact, QuantityFact) and fact.is_approximate
            and not _APPROXIMATE.search(pattern)):
        answer = f"about {answer}"  # the source's figure is rounded: a statement says so
    if answer is not None:
        # At the start of a sentence a "the" answer needs its capital too.
        answer = sentence_case(answer) if pattern.startswith("{answer}") else answer
        if answer.endswith("."):  # "began at 11 a.m." ends the sentence once
            pattern = pattern.replace("{answer}.", "{answer}")
    if template in overrides:
        # Overrides are literal text apart from {answer}, so braces in them are safe.
        return pattern if answer is None else pattern.replace("{answer}", answer)
    values = _Slots(_plain_slots(fact))
    if answer is not None:
        values["answer"] = answer
    return pattern.format_map(values)


_OTHER_ACCOUNTS = re.compile(r"\b(?:other|some|many|several)\s+(?:accounts|sources|historians|writers|reports)\b|"
                             r"\b(?:others|elsewhere)\s+(?:give|say|count|put)\b", re.I)
_ESTIMATES = re.compile(r"\b(?:estimates?|estimated|differ|differs|vary|varies|other sources|disputed|contested)\b",
                        re.I)


def asked_as_claim(fact: Fact) -> bool:
    """Whether questions say whose claim the fact is."""
    return fact.attributed


def _surname_in(fact: Fact, frame: str, option: str) -> bool:
    """Whether a wrong person's surname already stands in the statement: "Le Verrier was the astronomer
    who found Neptune …, working from Le Verrier's calculations" contradicts itself."""
    if not isinstance(fact, PersonFact):
        return False
    parts = normalise_option(option).split()
    return len(parts) > 1 and len(parts[-1]) > 2 and names(frame, " ".join(parts[-2:]) if parts[-2] in
                                                           _PARTICLES else parts[-1])


_PARTICLES = frozenset({"le", "la", "de", "van", "von", "di", "da", "du", "del", "der"})


def _note_names_answer(fact: Fact, keys: tuple[str, ...]) -> bool:
    """Whether the curator's note names the fact's answer (``answer_keys``: a person by surname too)."""
    note = normalise_option(fact.note or "")
    return any(names(note, k) for k in keys if len(k) > 2)


def _echoes(answer: str, stem: str, wrong: list[str]) -> bool:
    """Whether the key alone shares a content word with the stem: "Which Garibaldian army grew out of
    the Thousand with southern volunteers …?" answered "the Southern Army" among the Italian Legion
    and the Army of Central Italy. A word every option shares ("army", "river") is no clue."""
    told = subject_stems(stem)
    echo = subject_stems(answer) & told
    if not echo or _DIGITS.search(answer):
        return False  # a number or a date is checked as printed, not by its words
    for option in wrong:
        echo -= subject_stems(option)
    return bool(echo)


_DIGITS = re.compile(r"\d")
# Words that measure the answer against something else in the same sentence.
_COMPARES = re.compile(r"\b(?:longer|shorter|larger|smaller|bigger|wider|narrower|higher|lower|heavier|lighter|"
                       r"hotter|colder|warmer|cooler|faster|slower|older|younger|more|less|fewer|greater|"
                       r"twice|half|times as|as (?:wide|large|long|big|heavy|high|far|old) as)\b", re.I)


def disputed_figure(fact: Fact) -> bool:
    """A figure whose curator's note says the estimates differ, or a source's own date that the note
    gives otherwise ("Historians date the vote to 21 October 1860"): no single answer can be keyed
    fairly, so quizzes leave it out (``quizgen review`` says so); Anki and practice keep it, with its note."""
    if isinstance(fact, QuantityFact):
        if not fact.note:
            return False
        if _ESTIMATES.search(fact.note):
            return True
        # "other accounts give 4,200 men": a figure of the answer's size from another account.
        if isinstance(fact.value, tuple) or not _OTHER_ACCOUNTS.search(fact.note):
            return False
        value = float(fact.value)
        return any(n != value and value and 0.5 <= n / value <= 2 for n in numbers_in(fact.note))
    if isinstance(fact, DateFact) and fact.attributed and fact.note:
        other = dates_in(fact.note, fact.date.precision)
        return bool(other) and fact.date.render() not in other
    return False


def attribute(text: str, fact: Fact, source: Source) -> str:
    """'According to the Russian Foreign Ministry, when did …' for the publisher's own claims."""
    if not asked_as_claim(fact):
        return text
    first, _, rest = text.partition(" ")
    if first.casefold() in _LOWERABLE:
        text = f"{first.lower()} {rest}"
    return ATTRIBUTION.format(publisher=source.speaker(), stem=text)


def answer_display(fact: Fact) -> str:
    """The answer as it reads in a sentence: 'twice', '11 a.m.', 'the Elbe River'."""
    if isinstance(fact, QuantityFact):
        return quantity_text(fact.shown_value, fact.measure)
    return fact.answer_text()


def option_text(text: str) -> str:
    """An answer as it stands among options, in web pages, worksheets and keys alike: capitalised."""
    return sentence_case(text)


def statement_answer(fact: Fact, shown: str) -> str:
    """The answer as it stands in a sentence: a date needs its preposition ("on 25 April 1945")."""
    if isinstance(fact, DateFact):
        return ("on " if fact.date.precision is Precision.DAY else "in ") + shown
    return shown


def statement(fact: Fact, source: Source) -> str:
    """The fact as one true sentence, attributed where it is the publisher's claim."""
    return attribute(stem_text(fact, "true_false", statement_answer(fact, answer_display(fact))), fact, source)


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
        answer, hint, before = answer_display(fact), _cloze_hint(fact), ""
    # Built around a placeholder first: an answer that opens the sentence needs its capital inside the gap.
    sentence = attribute(stem_text(fact, "cloze", before + _GAP), fact, source)
    if sentence.startswith(_GAP):
        answer = sentence_case(answer)
    if answer.endswith(".") and sentence[sentence.index(_GAP) + len(_GAP):].startswith("."):
        sentence = sentence.replace(_GAP + ".", _GAP, 1)  # "at 11 a.m." ends the sentence: one full stop
    gap = mark(answer, hint) if mark else "{{c1::" + answer + "::" + hint + "}}"
    return sentence.replace(_GAP, gap, 1)


_GAP = "\x00gap\x00"  # never in content: control characters are refused, and the exporter strips them
_DATE_HINTS = {Precision.DAY: "date", Precision.MONTH: "month", Precision.YEAR: "year"}


def _cloze_hint(fact: Fact) -> str:
    """What kind of answer the gap wants, in a word or two: 'name', 'river', 'division', 'time', 'number'."""
    if isinstance(fact, PersonFact):
        return "name"
    if isinstance(fact, PlaceFact):
        return fact.place_type
    if isinstance(fact, UnitFact):
        return fact.echelon
    if isinstance(fact, QuantityFact) and fact.measure and fact.measure.casefold() in CLOCK_MEASURES:
        return "time"
    if isinstance(fact, MeasureUnitFact):
        return "unit"
    return "number"


def supported_templates(fact: Fact) -> tuple[str, ...]:
    """The fact's question templates. An attributed person is not asked the other way round:
    "According to the ministry, who was Georgy Zhukov?" reads as if his identity were the claim."""
    return tuple(name for name in TEMPLATES[fact.kind] if name != "cloze"
                 and not (name == "reverse" and fact.attributed and isinstance(fact, PersonFact))
                 # A year names no one happening: "What happened in 1862?" has a hundred true answers.
                 and not (name == "reverse" and isinstance(fact, DateFact) and fact.date.precision is Precision.YEAR))


def answer_keys(fact: Fact) -> tuple[str, ...]:
    """Every form of the fact's answer, normalised: shown anywhere else in a quiz, it gives the answer away."""
    forms = [answer_display(fact), fact.answer_text(), *fact.also_true]
    if isinstance(fact, DateFact):
        for alt in fact.also_true:
            with contextlib.suppress(ValueError):
                forms.append(FuzzyDate.parse(alt).render())
    keys = dict.fromkeys(k for k in map(normalise_option, forms) if k)
    if isinstance(fact, PersonFact):
        # "…talks with Roosevelt and Cordell Hull…" names Franklin D. Roosevelt.
        keys.update(dict.fromkeys(k.split()[-1] for k in list(keys) if len(k.split()) > 1 and len(k.split()[-1]) > 2))
    if isinstance(fact, UnitFact):
        # "…met the 69th and 104th infantry divisions…" names the 69th Infantry Division.
        keys.update(dict.fromkeys(m.casefold() for m in _UNIT_NUMBER.findall(fact.unit)))
    if isinstance(fact, MeasureUnitFact) and fact.symbol and len(fact.symbol) > 1:
        # "About 1.5 AU" among another question's options names the astronomical unit.
        keys[normalise_option(fact.symbol)] = None
    if isinstance(fact, QuantityFact) and not isinstance(fact.shown_value, tuple):
        # "Garibaldi and the Thousand" prints 1,000; "the law of octaves" prints 8.
        keys.update(dict.fromkeys(NUMBER_WORDS.get(float(fact.shown_value), ())))
    return tuple(keys)


# Words that print a number: a deck titled "Garibaldi and the Thousand" answers "How many sailed?".
NUMBER_WORDS: dict[float, tuple[str, ...]] = {
    float(n): words for n, words in {
        2: ("two", "pair", "twice", "double"), 3: ("three", "triad", "triads", "trio", "thrice"),
        4: ("four", "quartet"), 5: ("five",), 6: ("six",), 7: ("seven",), 8: ("eight", "octave", "octaves"),
        9: ("nine",), 10: ("ten", "decade"), 11: ("eleven",), 12: ("twelve", "dozen"), 20: ("twenty",),
        100: ("hundred", "century"), 1000: ("thousand", "millennium"), 10**6: ("million",),
        10**9: ("billion",)}.items()
}


_UNIT_NUMBER = re.compile(r"\b\d+(?:st|nd|rd|th)\b")


def _with_month_key(fact: DateFact, keys: tuple[str, ...], wrong: list[str], in_stem: str) -> tuple[str, ...]:
    """A day's month gives it away when most wrong days fall in other months.

    "…the parade of September 1945…" in one stem leaves "7 September 1945" and "2 September 1945"
    of "When did the parade take place?" (21 July, 24 June): then the month is a key of that question,
    and a stem naming it is refused like one naming the whole date.
    """
    month = normalise_option(fact.date.render().split(" ", 1)[1])
    same = sum(normalise_option(w).endswith(" " + month) for w in wrong)
    if 2 * same >= len(wrong):
        return keys
    if names(in_stem, month):
        raise QuestionError(f"fact {fact.id}: the stem names the month, which only the answer falls in")
    return (*keys, month)


def reverse_answer(fact: Fact) -> str:
    """What the reverse question asks for: the event of a date or place, the role of a person."""
    if isinstance(fact, PersonFact):
        return fact.role
    if isinstance(fact, (DateFact, PlaceFact)):
        return fact.event
    if isinstance(fact, MeasureUnitFact):
        return fact.measures
    raise QuestionError(f"{fact.kind} facts have no reverse template")


_GAP = "\x00"  # stands for the answer while a statement's own words are checked


def statement_frame(fact: Fact) -> str:
    """The true/false sentence without its answer, normalised, the two sides on separate lines."""
    return "\n".join(normalise_option(part) for part in stem_text(fact, "true_false", _GAP).split(_GAP))


def make_question(
    fact: Fact, template: str, source: Source, topic: str, index: DistractorIndex, rng: random.Random,
    *, knowledge: Knowledge | None = None, avoid: Avoid = NO_AVOID, truth: bool | None = None,
) -> Question:
    """One multiple-choice question; ``QuestionError`` when the fact cannot give a sound one.

    Not offered: a stem that names its own answer, and a template for which too few coherent,
    provably wrong options exist (a quiz is shorter rather than weaker). ``avoid``: what the rest of
    the quiz asks and mentions, which no option may stand for; ``truth``: a true/false statement's
    key when the quiz balances them (else a coin decides).
    """
    if template not in supported_templates(fact):
        raise QuestionError(f"{fact.kind} facts have no {template} template")
    citation = Citation.of(fact, source)
    keys = answer_keys(fact)
    subject = knowledge.subject(fact) if knowledge else "subject:" + fact.id
    own = knowledge.answer_entity(fact) if knowledge else ""

    def entities(text: str) -> frozenset[str]:
        found = knowledge.mentions(text) if knowledge else frozenset()
        return found | {subject} | ({own} if own else set())

    if template == "true_false":
        coin = rng.random() < 0.5
        truth = coin if truth is None else truth
        frame = statement_frame(fact)
        if any(names(frame, k) for k in keys):
            raise QuestionError(f"fact {fact.id}: the true/false statement already names its answer")
        if _COMPARES.search(frame):
            # "Mars spins once in {value}, a little longer than the Earth": the rest of the sentence fits
            # the true value only, so a false one would contradict it.
            raise QuestionError(f"fact {fact.id}: the statement compares its answer, so no false one reads true")
        # A false statement never puts in a value the sentence already holds; the false value is
        # drawn whatever the key, so whether the template is offered does not depend on it.
        wrong = [w for w, _ in index.pick(fact, rng, want=WANTED, avoid=avoid, bounds=_bounds(fact, knowledge),
                                          statement=True)
                 if not names(frame, normalise_option(w)) and not _surname_in(fact, frame, w)]
        if isinstance(fact, DateFact) and fact.date.precision is Precision.DAY:
            # A false day in the true month: another stem saying "the parade of September 1945" must
            # not strike out "24 October 1945" by reading.
            month = fact.date.render().split(" ", 1)[1]
            wrong.sort(key=lambda w: not w.endswith(" " + month))
        if not wrong:
            raise QuestionError(f"fact {fact.id}: no coherent false value for a true/false statement")
        if _echoes(answer_display(fact), telling(fact), wrong[:1]):
            raise QuestionError(f"fact {fact.id}: the true answer echoes the statement's own words")
        if not truth and isinstance(fact, PersonFact) and fact.note and _note_names_answer(fact, keys):
            # "Kaunitz was the Austrian chancellor who …" above a note on what Metternich reportedly said:
            # a note written about the true answer does not fit a false statement.
            raise QuestionError(f"fact {fact.id}: the note tells the true answer, so it fits no false statement")
        shown = answer_display(fact) if truth else wrong[0]
        if isinstance(fact, DateFact) and fact.date.precision is Precision.DAY:
            # Another stem's "the parade of September 1945" settles a statement of 7 (or 21) September.
            keys = (*keys, normalise_option(fact.date.render().split(" ", 1)[1]))
        text = attribute(stem_text(fact, "true_false", statement_answer(fact, shown)), fact, source)
        return Question(fact.id, fact.kind, template, f"True or false? {text}", TRUE_FALSE_OPTIONS,
                        0 if truth else 1, citation, topic, keys, subject=subject, entities=entities(text),
                        timeline=_shown_years(fact, [shown]))
    stem = attribute(stem_text(fact, template), fact, source)
    in_stem = normalise_option(stem)
    # Ordered answers (dates, numbers) come with a drawn rank that trimming would skew.
    spare = 0 if isinstance(fact, (DateFact, QuantityFact)) and template == "forward" else 2
    if template == "forward":
        answer = answer_display(fact)
        if any(names(in_stem, k) for k in keys):
            raise QuestionError(f"fact {fact.id}: the {template} stem names its own answer")
        picked = index.pick(fact, rng, want=WANTED + spare, avoid=avoid, bounds=_bounds(fact, knowledge))
    else:
        answer = reverse_answer(fact)
        keys = (normalise_option(answer),)
        picked = index.pick_reverse(fact, rng, want=WANTED + 2 * spare, avoid=avoid)
    # An option the stem itself names ("…together with the 69th Infantry Division") is no distractor.
    picked = [p for p in picked if not names(in_stem, normalise_option(p.text))]
    if knowledge:
        # Nor one the stem names by another name ("…from Le Verrier's calculations" beside Urbain Le
        # Verrier), nor one whose words name what another question is about ("the astronomer whose
        # calculations told Galle where to look" beside "Who first saw Neptune?").
        in_stem_entities = knowledge.mentions(stem)
        picked = [p for p in picked if not (p.entities & in_stem_entities)
                  and not (knowledge.mentions(p.text) & avoid.entities)]
    if spare:
        # Of the candidates, those nearest the answer in length: the key must not stand out as the
        # longest (or shortest) option, the commonest cue of a made-up item.
        picked = sorted(picked, key=lambda p: abs(len(p.text) - len(answer)))
    picked = picked[:WANTED]
    if spare and picked and not _balanced(answer, [p.text for p in picked]):
        raise QuestionError(f"fact {fact.id}: the answer stands out by its length among the {template} options")
    if len(picked) < MINIMUM:
        raise QuestionError(
            f"fact {fact.id}: only {len(picked)} coherent wrong options for a {template} question; "
            "add curated distractors to the fact"
        )
    if template == "reverse" and isinstance(fact, PersonFact) and \
            sum(p.origin == SAME_TOPIC for p in picked) < MINIMUM:
        # "Who was Maxim Litvinov?": his role is what the topic is about, roles from elsewhere are not;
        # among fewer than two roles of the topic's other people, the key is the one tied to the quiz.
        raise QuestionError(f"fact {fact.id}: too few roles of the topic's own people for a reverse question")
    if template == "forward" and _echoes(answer, telling(fact), [p.text for p in picked]):
        raise QuestionError(f"fact {fact.id}: the answer echoes a word of the stem no wrong option shares")
    if template == "forward" and isinstance(fact, DateFact) and fact.date.precision is Precision.DAY:
        keys = _with_month_key(fact, keys, [p.text for p in picked], in_stem)
    if template == "forward" and isinstance(fact, QuantityFact) and fact.is_approximate:
        # A rounded figure is asked as one: every option reads "about …", as the statement does.
        answer = f"about {answer}"
        picked = [Pick(f"about {p.text}", p.origin, p.entities) for p in picked]
    answer = option_text(answer)
    options = [answer, *(option_text(p.text) for p in picked)]
    origins = dict(zip(options[1:], (p.origin for p in picked), strict=True))
    stands_for = dict(zip(options[1:], (p.entities for p in picked), strict=True))
    if knowledge:
        for option in options[1:]:
            named = knowledge.entity_named(option)
            if named:
                stands_for[option] = stands_for[option] | {named}
    rng.shuffle(options)
    if template == "reverse":
        timeline = _shown_years(fact, [fact.date.render()]) if isinstance(fact, DateFact) else ()
    else:
        timeline = _shown_years(fact, options)
    story = event_names(fact.event) if isinstance(fact, DateFact) and template == "forward" else frozenset()
    return Question(fact.id, fact.kind, template, stem, tuple(options), options.index(answer), citation, topic,
                    keys, tuple(origins.get(o, "") for o in options), subject=subject, entities=entities(stem),
                    option_entities=tuple(stands_for.get(o, frozenset()) for o in options), timeline=timeline,
                    story=story)


def _shown_years(fact: Fact, dates: list[str]) -> tuple[tuple[frozenset[str], int, int], ...]:
    """The years a date question shows for its event: between the first and last of ``dates`` (its options,
    or the one date its stem prints). Rome taken "1870 or 1871" puts Parliament's move no earlier."""
    if not isinstance(fact, DateFact):
        return ()
    years = [int(m.group()) for d in dates for m in _YEAR_IN.finditer(d)]
    names = event_names(fact.event)
    return ((names, min(years), max(years)),) if years and names else ()


def _struck(year: int, key: int, low: int, high: int) -> bool:
    """Whether a wrong year is struck out by a story's shown years ``low``-``high``: it lies beyond them on
    the side the key does not (the key after them, the option before them, or the other way round)."""
    return (key >= high and year < low) or (key <= low and year > high)


_YEAR_IN = re.compile(r"\b\d{3,4}\b")


def _years_in(text: str) -> list[int]:
    return [int(m.group()) for m in _YEAR_IN.finditer(text)]


# The key stands out when it is this many times longer than the longest wrong option, and longer by
# more than a few words (between short options a word more is no cue).
LENGTH_BALANCE = 1.5
LENGTH_SLACK = 15  # characters


def _balanced(answer: str, wrong: list[str]) -> bool:
    longest = max(map(len, wrong))
    return len(answer) <= LENGTH_BALANCE * longest or len(answer) - longest <= LENGTH_SLACK


def _bounds(fact: Fact, knowledge: Knowledge | None):
    return knowledge.date_bounds(fact) if knowledge and isinstance(fact, DateFact) else None
