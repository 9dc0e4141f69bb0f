"""The knowledge model: which person, place, event or unit each fact and question is about.

Facts declare most entities themselves: a person fact its person (by name and surname), a place fact
its place, a unit fact its formation or unit of measurement, a date or place fact its event. A facts
file's ``[[entity]]`` tables add what no fact says: other names and the years something existed.

From these the model knows, for every fact:

* its **subject**: the event, person or thing it is about. Facts with one subject are never asked in
  one quiz, since each answers the other: facts sharing ``about``, facts quoted from one sentence
  (but units of measurement, which a sentence lists side by side), and facts whose events, roles or
  actions tell the same thing (one's word stems all in the other's: "the discovery of hydrogen" and
  "the chemist who discovered hydrogen");
* which entities a text **mentions** (a stem, a statement, an option), found by a word index in time
  linear in the text, whatever the size of the library;
* the **years a stem allows**: an event "in Soviet Russia" falls within Soviet Russia's span.

Data flows one way: the library is read once, and questions and quizzes ask the model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from .content import Library
from .dates import Precision
from .distractors import (
    SMALL_WORDS,
    normalise_option,
    person_entity,
    place_entity,
    unit_entity,
)
from .models import DateFact, Fact, MeasureUnitFact, PersonFact, PlaceFact, UnitFact

# "the splashdown after the launch", "the peace ending the war of 1859": what follows the word is an
# event the stem puts first (or after); "after which …" is a relative clause, not an order.
_ORDER = re.compile(r"\b(after|before|following|ending|that ended|which ended)\s+(?!which\b|whom\b|that\b|the end\b)"
                    r"([^,;]+)", re.I)
_ERA_STEPS = 3  # people known through people known through dated events, at most
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
# A year is asked among the topic's years only when they are this many: else among years around it.
_YEARS_TO_ASK = 8
# Events compared with one wording for the subset rule, at most: the work stays linear in the library.
_SUBSET_CANDIDATES = 50
# Words too common to name anything on their own as a surname or alias.
_MIN_NAME_CHARS = 3


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in normalise_option(text).split() if w not in SMALL_WORDS)


# Words that frame a question or a role rather than name what it is about.
_FRAME_WORDS = SMALL_WORDS | {"how", "many", "much", "what", "when", "where", "whom", "whose", "did", "does", "do",
                              "is", "are", "be", "been", "has", "have", "had", "first", "man", "woman", "person",
                              "people", "one", "who", "us", "u", "s"}
_STEM = 5  # letters a word is cut to: "discovery", "discovered" and "discovering" are one stem


def _stems(text: str) -> frozenset[str]:
    """A text's content words, crudely stemmed: what it is about, whatever the wording."""
    return frozenset(w[:_STEM] for w in normalise_option(text).split() if w not in _FRAME_WORDS and len(w) > 1)


@lru_cache(maxsize=1 << 14)
def subject_stems(text: str) -> frozenset[str]:
    """What a text is about, as crude stems (cached: stems and options come round again)."""
    return _stems(text)


def _telling(fact: Fact) -> str:
    """The words a fact tells its subject with: an event, a role, what a unit did, what is counted."""
    if isinstance(fact, (DateFact, PlaceFact)):
        return fact.event
    if isinstance(fact, PersonFact):
        return fact.role
    if isinstance(fact, UnitFact):
        return fact.action
    return ""


def telling(fact: Fact) -> str:
    """The fact's own words about what its answer did or is (not the template's frame, nor its class
    words: "army", "SI unit"): a role, an event, an action, what a unit of measurement measures."""
    if isinstance(fact, MeasureUnitFact):
        return fact.measures
    return _telling(fact)


class _Groups:
    """Union-find over fact ids: facts with one subject end in one group."""

    def __init__(self, ids: Iterable[str]):
        self.parent = {i: i for i in ids}

    def find(self, i: str) -> str:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:  # path compression keeps later finds constant
            self.parent[i], i = root, self.parent[i]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the smaller id names the group, whatever the order


class Knowledge:
    """What the library's facts are about, built once per library."""

    def __init__(self, library: Library):
        self.library = library
        self._names: dict[str, str] = {}  # a name, normalised -> entity key
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.spans: dict[str, tuple[int, int]] = {}
        self.living: set[str] = set()
        self.place_names: set[str] = set()

        for fact in library.facts.values():
            for name, key in self._own_names(fact):
                self._name(name, key)
        for entity in library.entities:
            key = self._names.get(normalise_option(entity.name)) or f"{entity.type}:{normalise_option(entity.name)}"
            for name in (entity.name, *entity.aliases):
                self._name(name, key)
            if entity.span is not None:
                self.spans[key] = entity.span
            if entity.living:
                self.living.add(key)
            if entity.type in ("place", "state"):
                self.place_names.update(normalise_option(n) for n in (entity.name, *entity.aliases))
        for words_keys in self._by_first.values():
            words_keys.sort(key=lambda wk: -len(wk[0]))  # longest name first: "Omar Bradley" before "Bradley"

        self._group = self._subjects(library)
        # Dated events by topic, for "after the launch": what a stem's own words say comes before.
        self._dated: dict[str, list[tuple[frozenset[str], DateFact]]] = defaultdict(list)
        for fact in library.facts.values():
            if isinstance(fact, DateFact):
                self._dated[library.topics.get(fact.id, "")].append((_stems(fact.event), fact))
        self._era = self._eras(library)

    # ---- entities -------------------------------------------------------------------------

    @staticmethod
    def _own_names(fact: Fact) -> list[tuple[str, str]]:
        if isinstance(fact, PersonFact):
            key = person_entity(fact.name)
            names = [(fact.name, key)]
            parts = normalise_option(fact.name).split()
            if len(parts) > 1 and len(parts[-1]) >= _MIN_NAME_CHARS:
                names.append((parts[-1], key))  # "…talks with Roosevelt…" mentions Franklin D. Roosevelt
            return names
        if isinstance(fact, PlaceFact):
            key = place_entity(fact.place)
            return [(fact.place, key), *((alt, key) for alt in fact.also_true)]
        if isinstance(fact, (UnitFact, MeasureUnitFact)):
            return [(fact.unit, unit_entity(fact.unit))]
        return []

    def _name(self, name: str, key: str) -> None:
        norm = normalise_option(name)
        if len(norm) < _MIN_NAME_CHARS or norm in SMALL_WORDS:
            return
        if norm not in self._names:
            self._names[norm] = key
            words = tuple(norm.split())
            self._by_first[_index_key(words)].append((words, key))
        if key.startswith("place:"):
            self.place_names.add(norm)

    def entity_named(self, text: str) -> str:
        """The entity a whole option stands for ("Omar Bradley", "the Elbe River"), or ''."""
        return self._names.get(normalise_option(text), "")

    def mentions(self, text: str) -> frozenset[str]:
        """Every entity a text names, as whole words."""
        return _mentions(self, normalise_option(text))

    # ---- subjects -------------------------------------------------------------------------

    def _subjects(self, library: Library) -> dict[str, str]:
        facts = list(library.facts.values())
        groups = _Groups(f.id for f in facts)
        first_with: dict[tuple[str, str], str] = {}

        def same(kind: str, value: str, fact_id: str) -> None:
            seen = first_with.setdefault((kind, value), fact_id)
            if seen != fact_id:
                groups.join(seen, fact_id)

        events_by_topic: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
        for fact in facts:
            if fact.about:
                same("about", fact.about, fact.id)
            # Facts quoted from one sentence tell one occurrence (the marshal, the front and the army
            # of one link-up; the writer, the recipient and the month of one letter), except units
            # of measurement, which a sentence lists side by side ("the second for time, the metre …").
            if not isinstance(fact, MeasureUnitFact):
                same("quote", " ".join(fact.quote.split()), fact.id)
            telling = _telling(fact)
            if telling:
                words = _stems(telling)
                same("event", " ".join(sorted(words)), fact.id)
                events_by_topic[library.topics.get(fact.id, "")].append((words, fact.id))
        # "the storming of the Bastille" and "the storming of the Bastille in Paris": one event; "the
        # discovery of hydrogen" and "the chemist who discovered hydrogen": one subject. A wording's
        # supersets all hold its rarest word, so only those are compared.
        for events in events_by_topic.values():
            holding: dict[str, list[int]] = defaultdict(list)
            for n, (words, _) in enumerate(events):
                for w in words:
                    holding[w].append(n)
            for words, fact_id in events:
                if len(words) < 2:
                    continue
                rarest = min(words, key=lambda w: len(holding[w]))
                for n in holding[rarest][:_SUBSET_CANDIDATES]:
                    other, other_id = events[n]
                    if other_id != fact_id and words <= other:
                        groups.join(fact_id, other_id)
        return {f.id: "subject:" + groups.find(f.id) for f in facts}

    def _eras(self, library: Library) -> dict[str, tuple[int, int]]:
        """The years each person is known for in the library: the dates of their subject ("the astronomer
        who discovered Uranus" and the discovery of Uranus, 1781), of events that name them, and years
        their role states. Percival Lowell (1905) is then no option for the discoverer of Uranus."""
        by_group: dict[str, set[int]] = defaultdict(set)
        by_person: dict[str, set[int]] = defaultdict(set)
        for fact in library.facts.values():
            if isinstance(fact, DateFact):
                year = fact.date.value.year
                by_group[self._group[fact.id]].add(year)
                for key in self.mentions(fact.event):
                    if key.startswith("person:"):
                        by_person[key].add(year)
        eras = {}
        for fact in library.facts.values():
            if isinstance(fact, PersonFact):
                # What the person's own facts date first; events that merely name them only when those
                # say nothing ("Putin" named in a 2020 statement on 1945 is of 2020, not 1945).
                years = (by_group.get(self._group[fact.id], set())
                         or {int(y) for y in _YEAR.findall(fact.role)}  # "… in April 2020 marking the 1945 …"
                         or by_person.get(person_entity(fact.name), set()))
                if years:
                    eras[fact.id] = (min(years), max(years))
        # A person known only through another ("whose calculations told Galle where to look") is of
        # that person's time.
        for _ in range(_ERA_STEPS):
            by_name = {person_entity(f.name): eras[f.id] for f in library.facts.values() if f.id in eras}
            found = {}
            for fact in library.facts.values():
                if isinstance(fact, PersonFact) and fact.id not in eras:
                    known = [by_name[k] for k in self.mentions(fact.role) if k in by_name]
                    if known:
                        found[fact.id] = (min(e[0] for e in known), max(e[1] for e in known))
            if not found:
                break
            eras.update(found)
        return eras

    def era(self, fact: Fact) -> tuple[int, int] | None:
        """The years a person fact is about, as the library tells them (None when it does not)."""
        return self._era.get(fact.id)

    def subject(self, fact: Fact) -> str:
        """The group of facts about one event, person or thing that this fact belongs to."""
        return self._group.get(fact.id) or "subject:" + fact.id

    def answer_entity(self, fact: Fact) -> str:
        """The entity the fact's forward question asks for ('' for dates and numbers)."""
        if isinstance(fact, PersonFact):
            return person_entity(fact.name)
        if isinstance(fact, PlaceFact):
            return place_entity(fact.place)
        if isinstance(fact, (UnitFact, MeasureUnitFact)):
            return unit_entity(fact.unit)
        return ""

    def is_living(self, fact: PersonFact) -> bool:
        return fact.living or person_entity(fact.name) in self.living

    def date_bounds(self, fact: DateFact) -> tuple[dt.date, dt.date] | None:
        """The dates a date question's stem allows: within the spans of what its event mentions, and
        after (or before) a dated event of the library its words say it follows (or precedes): no
        splashdown before "the launch", no wrong year before 1917 for an event "in Soviet Russia"."""
        low, high = dt.date.min, dt.date.max
        spans = [self.spans[k] for k in self.mentions(fact.event) if k in self.spans]
        if spans:
            start, end = max(s[0] for s in spans), min(s[1] for s in spans)
            if start <= fact.date.value.year <= end:  # else the curator's spans disagree: no bound
                low, high = dt.date(start, 1, 1), dt.date(end, 12, 31)
        # Within the years the topic is about ("Garibaldi's expedition …, 1860" offers no day of 1861),
        # where they leave a year question room for wrong years.
        period = fact.period or self.library.file_periods.get(self.library.fact_files.get(fact.id, ""))
        if period is not None and period[0] <= fact.date.value.year <= period[1] and (
                fact.date.precision is not Precision.YEAR or period[1] - period[0] >= _YEARS_TO_ASK):
            low, high = max(low, dt.date(period[0], 1, 1)), min(high, dt.date(period[1], 12, 31))
        for word, phrase in _ORDER.findall(fact.event):
            other = self._dated_event(fact, phrase)
            if other is None:
                continue
            first, last = other.date.span()
            own_first, own_last = fact.date.span()
            if word.casefold() == "before" and own_last < first:
                high = min(high, first - dt.timedelta(days=1))
            elif word.casefold() != "before" and own_first > last:
                low = max(low, last + dt.timedelta(days=1))
        if (low, high) == (dt.date.min, dt.date.max):
            return None
        return low, high

    def _dated_event(self, fact: DateFact, phrase: str) -> DateFact | None:
        """The dated event of the fact's topic that ``phrase`` tells ("the launch" -> the launch of …)."""
        told = _stems(phrase)
        if not told:
            return None
        best, best_shared = None, 0
        for stems, other in self._dated.get(self.library.topics.get(fact.id, ""), ()):
            shared = len(stems & told)
            # The phrase tells the other event when one's words all stand in the other's.
            if other.id != fact.id and shared > best_shared and (told <= stems or stems <= told):
                best, best_shared = other, shared
        return best


def _index_key(words: tuple[str, ...]) -> str:
    """A name's key in the word index: its first two words ("the elbe", "north rodney"), or its one
    word, so no key holds every "the …" or "north …" name of a large library."""
    if len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


@lru_cache(maxsize=1 << 14)
def _mentions(model: Knowledge, text: str) -> frozenset[str]:
    words = text.split()
    found = set()
    for i, word in enumerate(words):
        keys = (f"{word} {words[i + 1]}", word) if i + 1 < len(words) else (word,)  # longer names first
        for index_key in keys:
            match = next((key for name, key in model._by_first.get(index_key, ())
                          if tuple(words[i:i + len(name)]) == name), None)
            if match is not None:
                found.add(match)  # one name per position, the longest: "Omar Bradley", not "Bradley" too
                break
    return frozenset(found)
