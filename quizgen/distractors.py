"""Wrong options that a student who does not know the fact cannot tell from the answer.

The pools are indexed once per library (``DistractorIndex``); making a
question samples from them and never scans the library. Rules:

* options come from the fact's own time and topic first: the same topic (its
  facts file) and a period that overlaps the fact's (within ``PERIOD_SLACK``
  years), then the curator's lists (``distractors``, ``reverse_distractors``),
  then other topics of the same period, and only then made-up values where a
  made-up value is still provably wrong (nearby dates and numbers). Persons,
  places and units are real ones or none: a made-up name beside famous people
  is struck out by reading, and a renumbered division may well have been there
  too. A pooled option whose period is known and far from the fact's is never
  offered;
* ordered answers (dates, quantities) take a rank drawn uniformly among the
  options, so "pick the middle one" or "pick the extreme" scores at chance;
  an "at least" count takes wrong options above it only (below would be true);
* options are told apart after normalising case, spaces, punctuation and a
  leading "the", so no two options read the same, and nothing listed as also
  true is ever offered as wrong;
* work per question is bounded whatever the value: no list grows with the
  magnitude of a number or the size of the library.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import re
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from . import durations, reference
from .dates import FuzzyDate, Precision, dates_in
from .events import event_kind, took_place
from .models import DateFact, Fact, MeasureUnitFact, PersonFact, PlaceFact, QuantityFact, Source, UnitFact
from .wording import EXACT_DIGITS_BELOW, is_clock, is_scientific, numbers_in, quantity_text

WANTED = 3  # distractors per question: four options
MINIMUM = 2  # fewer coherent, provably wrong options than this and the template is not offered
PERIOD_SLACK = 2  # years: a 1943 option is of the same period as a 1945 fact, a 1933 one is not
# Years for places: Custozza (1866) is as good an option for a battle of 1859 as Magenta; a place of
# another century's events is not of the topic.
PLACE_SLACK = 20
# Years for people known from the library's dates: contemporaries within a generation (Cavendish of 1766
# beside Priestley of 1774), never Percival Lowell (1905) for the discoverer of Uranus (1781).
PERSON_SLACK = 25
_WIDE_PERIOD = 100  # years: a period wider than this says nothing about time, only topic counts
_MAX_DECADES = 12  # decade buckets looked at per question, so a wide period costs no more

_PUNCT = str.maketrans("", "", string.punctuation + "\u2019\u2018\u201c\u201d\u2013\u2014")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b")  # "the Red Army's front" names "the Red Army"

ROLE_WORDS = (
    "ambassador", "marshal", "general", "admiral", "president", "secretary", "commissar",
    "chairman", "reporter", "photographer", "journalist", "soldier", "lieutenant", "sergeant",
    "representative", "diplomat", "minister", "commander", "colonel", "captain", "leader",
    "officer", "premier", "king", "queen", "prime", "emperor", "empress", "tsar", "pope", "chancellor",
    "viceroy", "governor", "mayor", "chemist", "physicist", "physician", "mineralogist", "astronomer",
    "mathematician", "writer", "poet", "painter", "composer", "explorer", "inventor", "engineer",
    "sultan", "biologist", "naturalist", "geologist", "philosopher", "economist",
)
# Offices named by two words, one of which names another class alone ("minister").
_HEADS_OF_GOVERNMENT = ("prime minister", "chief minister")

# Ranks and offices whose holders stand out among other people: a president among ambassadors, a
# chief minister among kings. A person of such a class is offered only beside holders of the same class.
RANK_CLASSES = {"king": "king", "queen": "king", "emperor": "emperor", "empress": "emperor",
                "tsar": "emperor", "pope": "pope", "president": "president", "premier": "head of government",
                "prime": "head of government", "chancellor": "head of government"}

# Nationalities that name one people across a change of state: a Soviet role may stand beside a Russian one.
_NATION = {"soviet": "russian"}

_ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth")
_AT_LEAST = re.compile(r"\bat (?:the )?least\b", re.I)

# Where an option came from, weakest last; ``quizgen review`` reports them.
SAME_TOPIC, CURATED, SAME_PERIOD, MADE = "same topic", "curated", "same period", "made up"
REFERENCE = "reference list"  # real people of the same class from quizgen/data/people.toml

Period = tuple[int, int] | None


@lru_cache(maxsize=1 << 16)
def normalise_option(text: str) -> str:
    """How two options are compared: 'The Elbe River.' and 'elbe  river' are the same.

    Cached: pooled options and curated lists come round again and again on a busy server.
    """
    if "'" in text or "\u2019" in text:
        text = _POSSESSIVE.sub("", text)
    # " ".join(split()) is re.sub(r"\s+", " ").strip() for Unicode whitespace, several times faster.
    text = " ".join(text.translate(_PUNCT).casefold().split())
    return text[4:] if text.startswith("the ") else text


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # exactly what the regex \w matches in a str pattern


def names(text: str, phrase: str) -> bool:
    """Whether ``text`` holds ``phrase`` as whole words ('5' is not named by '1945').

    Plain ``str.find`` with the word-boundary checks: one regex per option missed the ``re``
    cache on large libraries and cost most of a quiz's time.
    """
    if not phrase:
        return False
    end = len(phrase)
    at = text.find(phrase)
    while at >= 0:
        if (at == 0 or not is_word_char(text[at - 1])) and (
            at + end == len(text) or not is_word_char(text[at + end])
        ):
            return True
        at = text.find(phrase, at + 1)
    return False


@lru_cache(maxsize=1 << 14)
def role_word(role: str) -> str:
    """The class of a role: its rank or office word ('marshal', 'ambassador'), one class for the ranks of
    ``RANK_CLASSES`` ('monarch' for a king or an emperor), or '' when the role names none."""
    lowered = role.casefold()
    if any(office in lowered for office in _HEADS_OF_GOVERNMENT):
        return RANK_CLASSES["premier"]
    words = lowered.split()
    for word in ROLE_WORDS:
        if word in words:
            return RANK_CLASSES.get(word, word)
    return ""


def nation(nationality: str | None) -> str:
    key = (nationality or "").casefold()
    return _NATION.get(key, key)


def same_period(a: Period, b: Period, slack: int = PERIOD_SLACK) -> bool | None:
    """True or False when both periods are known (within the slack), None when either is not."""
    if a is None or b is None:
        return None
    return a[0] - slack <= b[1] and b[0] - slack <= a[1]


def own_period(fact: Fact) -> Period:
    """The period a fact states itself, for facts outside an indexed library."""
    if fact.period is not None:
        return fact.period
    if isinstance(fact, DateFact):
        return (fact.date.value.year, fact.date.value.year)
    return None


@dataclass(frozen=True)
class _Entry:
    value: str
    period: Period
    topic: str
    extra: object = None  # a date event's FuzzyDate, a place event's place key
    # What the option stands for in the knowledge model: a person, place or unit, and the subject of
    # the fact it comes from ("the US President who wrote…" is Roosevelt and that letter alike).
    entities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Avoid:
    """What a question's options must keep clear of: the rest of its quiz.

    ``entities``: what the other questions ask for or mention (an option standing for one of them is a
    cross-item clue); ``phrases``: the other stems' four-word phrases (an option that retells another
    stem); ``keys``: the other answers, normalised (an option that shows one).
    """

    entities: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()
    keys: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()  # the other stems, normalised: an option they print is struck out by reading
    used: frozenset[str] = frozenset()  # wrong options already offered: the same three events twice look made up
    # (names, year) the other questions show: an event's capitalised names and a year its stem prints or
    # its options all share. A date about the same names keeps its wrong options on the key's side of
    # that year ("the capture of Rome, 1870" beside "When did Parliament move to Rome?").
    timeline: tuple[tuple[frozenset[str], int, int], ...] = ()

    def refuses(self, key: str, entities: frozenset[str]) -> bool:
        if key in self.used or not entities.isdisjoint(self.entities):
            return True
        if self.keys and any(names(key, k) for k in self.keys if not k.isdigit()):
            return True
        if printed_in(key, self.stems):
            return True
        return bool(self.phrases) and not phrases(key).isdisjoint(self.phrases)


def printed_in(key: str, stems: Iterable[str]) -> bool:
    """Whether an option (normalised) stands whole in another stem: "18 February 1861" in "What happened
    on 18 February 1861?", "Battle of Solferino" in "When was the Battle of Solferino fought?"."""
    return len(key) > 3 and not key.isdigit() and any(names(stem, key) for stem in stems)


NO_AVOID = Avoid()

SMALL_WORDS = frozenset(["a", "an", "the", "of", "in", "on", "at", "to", "and", "or", "for", "by", "with", "from",
                         "who", "which", "that", "was", "were", "its", "their"])


@lru_cache(maxsize=1 << 14)
def phrases(text: str) -> frozenset[tuple[str, ...]]:
    """Four words in a row of a normalised text, three of them not small words: they name one thing."""
    words = normalise_option(text).split()
    return frozenset(
        gram for gram in zip(words, words[1:], words[2:], words[3:], strict=False)
        if sum(w not in SMALL_WORDS for w in gram) >= 3
    )


class _Picker:
    """Collects distinct options, refusing the answer, also-true answers, repeats and rejects."""

    def __init__(self, answer: str, also_true: Iterable[str], want: int,
                 reject: Callable[[str], bool] | None = None, avoid: Avoid = NO_AVOID,
                 entity_of: Mapping[str, frozenset[str]] | None = None, own: str = ""):
        self.taken = {normalise_option(answer)} | {normalise_option(a) for a in also_true}
        self.picked: list[str] = []
        self.origins: list[str] = []
        self.entities: list[frozenset[str]] = []
        self.want = want
        self.reject = reject
        self.avoid = avoid
        self.entity_of = entity_of or {}
        self.own = own  # the answer's own entity: another wording of it is no wrong option

    @property
    def full(self) -> bool:
        return len(self.picked) >= self.want

    def offer(self, option: str, origin: str, entities: frozenset[str] = frozenset()) -> None:
        key = normalise_option(option)
        if self.full or not key or key in self.taken or (self.reject and self.reject(key)):
            return
        entities = entities or self.entity_of.get(key, frozenset())
        if (self.own and self.own in entities) or self.avoid.refuses(key, entities):
            return
        self.taken.add(key)
        self.picked.append(option)
        self.origins.append(origin)
        self.entities.append(entities)

    def offer_sample(self, pool: Sequence, rng: random.Random, origin: str,
                     accept: Callable[[_Entry], bool] | None = None) -> None:
        """Offer a random handful of a pool without walking all of it."""
        if self.full or not pool:
            return
        size = min(len(pool), (self.want - len(self.picked)) * 3 + 4)
        for item in rng.sample(pool, size):
            if isinstance(item, _Entry):
                if accept is None or accept(item):
                    self.offer(item.value, origin, item.entities)
            else:
                self.offer(item, origin)

    def picks(self) -> list[Pick]:
        return [Pick(*p) for p in zip(self.picked, self.origins, self.entities, strict=True)]


@dataclass(frozen=True)
class Pick:
    """A wrong option, where it came from, and what it stands for."""

    text: str
    origin: str
    entities: frozenset[str] = frozenset()

    def __iter__(self):  # a pick unpacks as (text, origin), as the pickers returned before entities
        return iter((self.text, self.origin))


class DistractorIndex:
    """Pools of candidate options by topic and by decade, built once per library in one pass."""

    def __init__(self, facts: Iterable[Fact], sources: Mapping[str, Source] | None = None, *,
                 topics: Mapping[str, str] | None = None,
                 period_of: Callable[[Fact], Period] | None = None,
                 group_of: Callable[[Fact], str] | None = None,
                 place_names: Iterable[str] = ()):
        # A wrong date after the source was published would be an anachronism: cap them there.
        self.latest = {sid: src.published.span()[1] for sid, src in (sources or {}).items()}
        self._period_of = period_of or own_period
        self._group_of = group_of or (lambda f: "fact:" + f.id)
        self._topics = topics or {}
        self._context: dict[str, tuple[str, Period]] = {}
        # (category key, scope) -> entries; scope is ("t", topic) or ("d", decade).
        self._pools: dict[tuple, list[_Entry]] = defaultdict(list)
        self._roles_by_name: dict[str, set[str]] = defaultdict(set)
        self._events_by_place: dict[str, set[str]] = defaultdict(set)
        # Place -> the kinds of happening the library puts there: a capital is no option for a battle.
        self._kinds_by_place: dict[str, set[str]] = defaultdict(set)
        # Place -> the people its type names ("French town": "french"), for places kept to their land.
        self._region_of: dict[str, str] = {}
        # Any option's text, normalised -> the entity it stands for: a curated "Omar Bradley" is the
        # person another question asks for, as much as the pooled one.
        self.entity_of: dict[str, frozenset[str]] = {}
        # Places the library knows: an event told "at Reims" is no option for "What took place near Torgau?"
        self.place_names: set[str] = {normalise_option(p) for p in place_names}
        seen: set[tuple] = set()

        for fact in facts:
            topic = self._topics.get(fact.id, "")
            period = self._period_of(fact)
            self._context[fact.id] = (topic, period)
            group = self._group_of(fact)

            def add(key: tuple, value: str, extra: object = None, entity: str = "", topic=topic,
                    period=period, group=group, topic_only: bool = False) -> None:
                entities = frozenset(filter(None, (entity, group)))
                entry = _Entry(value, period, topic, extra, entities)
                ident = (key, normalise_option(value))
                self.entity_of[ident[1]] = self.entity_of.get(ident[1], frozenset()) | entities
                for scope in [("t", topic)] if topic_only else _scopes(topic, period):
                    if (ident, scope) not in seen:
                        seen.add((ident, scope))
                        self._pools[key, scope].append(entry)

            if isinstance(fact, PersonFact):
                nat, word = nation(fact.nationality), role_word(fact.role)
                person = person_entity(fact.name)
                add(("name", word, nat), fact.name, entity=person)
                if word:
                    add(("name", "", nat), fact.name, entity=person)
                    add(("name", word, "*"), fact.name, entity=person)
                add(("role", nat), fact.role, entity=person)
                self._roles_by_name[normalise_option(fact.name)].add(fact.role)
            elif isinstance(fact, PlaceFact):
                place = normalise_option(fact.place)
                kind = event_kind(fact.event)
                self.place_names.add(place)
                add(("place", fact.place_type.casefold()), fact.place, entity=place_entity(fact.place))
                add(("place-family", place_family(fact.place_type)), fact.place, entity=place_entity(fact.place),
                    extra=place_family(fact.place_type))
                if kind:
                    add(("place-kind", kind), fact.place, entity=place_entity(fact.place),
                        extra=place_family(fact.place_type))
                if took_place(fact.event):
                    add(("place-event",), fact.event, place, entity=group)
                    if kind:
                        add(("place-event", kind), fact.event, place, entity=group)
                self._events_by_place[place].add(fact.event)
                self._kinds_by_place[place].add(kind)
                self._region_of[place] = place_region(fact.place_type)
                # A curator's wrong places for an event are places of its kind and type (Milan and Genoa
                # for the seat of government): options for the library's other events of that kind.
                # Within the fact's topic only: a curator's places are near the event's own (Vichy for a
                # meeting in France is no option for one near Naples).
                for other in fact.distractors:  # standing for the place alone, not for this fact's subject
                    add(("place", fact.place_type.casefold()), other, entity=place_entity(other), group="",
                        topic_only=True)
                    if kind:
                        add(("place-kind", kind), other, entity=place_entity(other),
                            extra=place_family(fact.place_type), group="", topic_only=True)
                        self._kinds_by_place[normalise_option(other)].add(kind)
                    # In the land of the place it stands beside: Nancy beside Sedan, a "French town".
                    self._region_of.setdefault(normalise_option(other), place_region(fact.place_type))
            elif isinstance(fact, UnitFact):
                add(("unit", fact.echelon.casefold(), fact.side.casefold()), fact.unit, entity=unit_entity(fact.unit))
            elif isinstance(fact, MeasureUnitFact):
                system = normalise_option(fact.system)
                add(("measure-unit", system), fact.unit, entity=unit_entity(fact.unit))
                add(("measure-unit", ""), fact.unit, entity=unit_entity(fact.unit))
                add(("measures",), fact.measures, entity=unit_entity(fact.unit))
            elif isinstance(fact, DateFact):
                add(("date-event",), fact.event, fact.date, entity=group)
        self._pools = dict(self._pools)

    def context(self, fact: Fact, topic: str | None = None) -> tuple[str, Period]:
        """The fact's topic and period: as indexed, or from the fact itself."""
        known = self._context.get(fact.id)
        if known is not None:
            return known
        return (topic or "", self._period_of(fact))

    def _tiers(self, picker: _Picker, key: tuple, fact: Fact, rng: random.Random,
               curated: Sequence[str], accept: Callable[[_Entry], bool] | None = None,
               slack: int = PERIOD_SLACK) -> None:
        """Same topic and period, then the curator's list, then the same period in other topics.

        ``slack``: years apart two periods still count as one (a place outlives the events at it)."""
        topic, period = self.context(fact)

        def coherent(entry: _Entry) -> bool:
            return same_period(period, entry.period, slack) is not False and (accept is None or accept(entry))

        picker.offer_sample(self._pools.get((key, ("t", topic)), ()), rng, SAME_TOPIC, coherent)
        picker.offer_sample(curated, rng, CURATED)
        if period is not None:
            for scope in _decade_scopes(period, slack):
                if picker.full:
                    break
                picker.offer_sample(self._pools.get((key, scope), ()), rng, SAME_PERIOD,
                                    lambda e: same_period(period, e.period, slack) is True and coherent(e))

    # ---- forward: options of the answer's own type --------------------------------------

    def pick(self, fact: Fact, rng: random.Random, want: int = WANTED, avoid: Avoid = NO_AVOID,
             bounds: tuple[dt.date, dt.date] | None = None, statement: bool = False) -> list[Pick]:
        """Wrong answers to the forward question, each with where it came from and what it stands for.

        Real entities only: a made-up name beside famous people, or a renumbered division that may
        have existed and been there too, is struck out (or arguably true) without knowing the fact.
        ``bounds``: the dates the stem allows (an event "in Soviet Russia" falls after 1917).
        """
        if isinstance(fact, DateFact):
            latest = self.latest.get(fact.source)
            # A date another stem prints is struck out by reading: refused before the ranks are drawn,
            # so the true date's rank stays uniform.
            own = event_names(fact.event)
            shown = [(low, high) for told, low, high in avoid.timeline if told & own] if own else []
            true_year = fact.date.value.year

            def refused(d: FuzzyDate) -> bool:
                if printed_in(normalise_option(d.render()), avoid.stems):
                    return True
                # Beyond the years the quiz shows for the same story, on the side the key is not: struck
                # out by common sense ("1864" for Parliament's move beside Rome taken in 1870).
                year = d.value.year
                return any((true_year >= high and year < low) or (true_year <= low and year > high)
                           for low, high in shown)

            return [Pick(d.render(), CURATED if d in fact.distractors else MADE)
                    for d in date_distractors(fact, rng, want, latest, bounds, refuse=refused,
                                              ordered=not statement)]
        if isinstance(fact, QuantityFact):
            curated = set(fact.distractors)
            return [Pick(quantity_text(v, fact.measure), CURATED if v in curated else MADE)
                    for v in quantity_distractors(fact, rng, want)]
        own = self._group_of(fact)
        picker = _Picker(fact.answer_text(), fact.also_true, want, avoid=avoid, entity_of=self.entity_of, own=own)
        if isinstance(fact, PersonFact):
            nat, word = nation(fact.nationality), role_word(fact.role)
            surname = (normalise_option(fact.name).split() or [""])[-1]
            # "Ernest Rutherford" beside "Daniel Rutherford": the shared name points at the key. A regnal
            # number is no surname: Franz Joseph I beside Ferdinand I and Francis I is a fair question.
            if _REGNAL.fullmatch(surname):
                surname = ""

            noted = normalise_option(fact.note or "")

            def shares_a_name(key: str) -> bool:
                # Two wrong options sharing a surname (Karl and Adolf von Auersperg) are alike as well;
                # a person the curator's note names ("Scheele … also isolated nitrogen") is arguably right.
                last = key.split()[-1:]
                return bool(last) and not _REGNAL.fullmatch(last[0]) and (
                    last == [surname] or names(noted, last[0])
                    or any(normalise_option(p).split()[-1:] == last for p in picker.picked))

            picker.reject = shares_a_name
            # A person of known years is asked among people of known years: one the library dates only
            # by a wide topic (1781-1930) may be of another century (Adams for the discoverer of Uranus).
            own_years = self.context(fact)[1]
            dated = own_years is not None and own_years[1] - own_years[0] <= _WIDE_PERIOD

            def of_known_years(entry: _Entry) -> bool:
                return not dated or (entry.period is not None and entry.period[1] - entry.period[0] <= _WIDE_PERIOD)

            self._tiers(picker, ("name", word, nat), fact, rng, fact.distractors, of_known_years, PERSON_SLACK)
            # Holders of the same rank, office or profession from other countries, never of another
            # class (a lieutenant among generals; a chemist of the 1860s for a physicist of 1910),
            # and not when the role names its people ("the French Emperor" among an Austrian and a
            # Sardinian is struck out). A false statement keeps to the person's own people: "Napoleon
            # III was the King of Sardinia" contradicts what the student reads elsewhere.
            # Only the role's head says whose office it is: "the King of Sardinia whom …", not "the first
            # astronomer to discover a moon of Saturn".
            head = fact.role[:len(reference.role_head(fact.role).strip()) + 1].strip()
            names_people = _names_a_people(head) or _OF_REALM.search(head) is not None
            if word and not names_people and not statement:
                self._tiers(picker, ("name", word, "*"), fact, rng, (), of_known_years, PERSON_SLACK)
            if len(picker.picked) < min(want, WANTED):
                # The only pope, chancellor or physician of a teacher's folder: real holders of the class
                # from the reference list, out of office (or not alive) in the fact's years. Only to make
                # up the options: a curator's Herbert Hoover is not displaced by a Taft of like length.
                found = reference.candidates(fact.role, word, self.context(fact)[1], names_people)
                nearest = found[:want + 2]  # the nearest in time, drawn among: Gregory XVI before Pius VII
                for holder in rng.sample(nearest, len(nearest)):
                    key = normalise_option(holder.name)
                    picker.offer(holder.name, REFERENCE,
                                 self.entity_of.get(key, frozenset()) | {person_entity(holder.name)})
        elif isinstance(fact, PlaceFact):
            here = normalise_option(fact.place)
            # 'East Berlin' for 'Berlin' is neither clearly wrong nor clearly right.
            picker.reject = lambda key: names(key, here) or names(here, key)
            # Of the same kind of happening first (battlefields for a battle), and never a place known
            # only for another kind (a capital for a battle, a battlefield for a parliament).
            kind, family = event_kind(fact.event), place_family(fact.place_type)

            region = self._region_of.get(here, "")

            def fits(entry: _Entry) -> bool:
                key = normalise_option(entry.value)
                if self._region_of.get(key, "") != region:
                    return False  # a "French town" is no option for a battle among Italian towns
                kinds = self._kinds_by_place.get(key, set()) - {""}
                return not kind or not kinds or kind in kinds

            self._tiers(picker, ("place", fact.place_type.casefold()), fact, rng, fact.distractors, fits, PLACE_SLACK)
            if kind:
                self._tiers(picker, ("place-kind", kind), fact, rng, (), lambda e: e.extra == family and fits(e),
                            PLACE_SLACK)
            self._tiers(picker, ("place-family", family), fact, rng, (), fits, PLACE_SLACK)
        elif isinstance(fact, UnitFact):
            self._tiers(picker, ("unit", fact.echelon.casefold(), fact.side.casefold()), fact, rng,
                        fact.distractors)
        elif isinstance(fact, MeasureUnitFact):
            units, _ = _units_and_measures(fact)
            self._tiers(picker, ("measure-unit", normalise_option(fact.system)), fact, rng, units)
            self._tiers(picker, ("measure-unit", ""), fact, rng, ())
        return picker.picks()

    def distractors(self, fact: Fact, rng: random.Random, want: int = WANTED) -> list[str]:
        return [text for text, _ in self.pick(fact, rng, want)]

    # ---- reverse: the other slot of other facts -----------------------------------------

    def pick_reverse(self, fact: Fact, rng: random.Random, want: int = WANTED,
                     avoid: Avoid = NO_AVOID) -> list[Pick]:
        """Wrong answers to the reverse question, each with where it came from and what it stands for."""
        group = self._group_of(fact)
        if isinstance(fact, DateFact):
            picker = _Picker(fact.event, (), want, avoid=avoid, entity_of=self.entity_of, own=group)
            # Never an event that may share the date ("What happened in November 1933?" cannot
            # offer an event of 16 November 1933).
            # Nor an event of another year ("What happened on 24 June 1859?" offering events of 1860 and
            # 1861 leaves the one event of 1859): a day or a month is asked among its year's events.
            year = fact.date.value.year
            near = 0 if fact.date.precision is not Precision.YEAR else PERIOD_SLACK
            self._tiers(picker, ("date-event",), fact, rng, fact.reverse_distractors,
                        lambda e: not e.extra.overlaps(fact.date) and abs(e.extra.value.year - year) <= near)
            return picker.picks()
        if isinstance(fact, PersonFact):
            name = normalise_option(fact.name)
            surname = (name.split() or [""])[-1]
            word = role_word(fact.role)
            # Another fact's role of the same person is also true; a role naming the person (or his
            # surname: "a periodic system like Mendeleev's") gives it away; a role of another rank or
            # class ("the Supreme Commander" for a lieutenant) stands out.
            picker = _Picker(fact.role, self._roles_by_name.get(name, ()), want,
                             reject=lambda key: names(key, name) or names(key, surname),
                             avoid=avoid, entity_of=self.entity_of, own=person_entity(fact.name))
            self._tiers(picker, ("role", nation(fact.nationality)), fact, rng, fact.reverse_distractors,
                        lambda e: role_word(e.value) == word)
            return picker.picks()
        if isinstance(fact, PlaceFact):
            if not took_place(fact.event):
                return []  # "What took place in Turin?" has no answer when Turin was a seat of government
            here = normalise_option(fact.place)
            kind = event_kind(fact.event)
            # "What took place near Torgau?" offering "the signing at Reims" is answered by reading: an
            # option naming any place the library knows (or any named place) is struck out.
            picker = _Picker(fact.event, self._events_by_place.get(here, ()), want,
                             reject=lambda key: names(key, here) or self._names_a_place(key),
                             avoid=avoid, entity_of=self.entity_of, own=group)
            curated = [d for d in fact.reverse_distractors if not _names_capital_place(d)]
            elsewhere = lambda e: e.extra != here and not _names_capital_place(e.value)  # noqa: E731
            if kind:
                # Happenings of its own kind only: "What took place at Teano?" offering a battle and a
                # retirement beside the one meeting is answered by knowing what a meeting is.
                self._tiers(picker, ("place-event", kind), fact, rng, curated, elsewhere)
            else:
                self._tiers(picker, ("place-event",), fact, rng, curated, elsewhere)
            return picker.picks()
        if isinstance(fact, MeasureUnitFact):
            picker = _Picker(fact.measures, (), want, avoid=avoid, entity_of=self.entity_of,
                             own=unit_entity(fact.unit))
            _, measures = _units_and_measures(fact)
            self._tiers(picker, ("measures",), fact, rng, (*fact.reverse_distractors, *measures))
            return picker.picks()
        return []

    def _names_a_place(self, key: str) -> bool:
        """Whether an option names a place the library knows (a word index: linear in the option)."""
        by_first = self._places_by_first
        words = key.split()
        return any(names(key, place) for w in words for place in by_first.get(w, ()))

    @cached_property
    def _places_by_first(self) -> dict[str, tuple[str, ...]]:
        by_first: dict[str, list[str]] = defaultdict(list)
        for place in self.place_names:
            if place:
                by_first[place.split()[0]].append(place)
        return {w: tuple(p) for w, p in by_first.items()}

    def reverse_distractors(self, fact: Fact, rng: random.Random, want: int = WANTED) -> list[str]:
        return [text for text, _ in self.pick_reverse(fact, rng, want)]


def _units_and_measures(fact: MeasureUnitFact) -> tuple[list[str], list[str]]:
    """A unit's curated wrong options, sorted by what they are: units ("the candela", written like the
    fact's own unit) for "Which unit measures …?", and what units measure ("mass", "volume") for "What
    does the mole measure?". A teacher lists both as ``distractors``; each goes where it fits."""
    article = fact.unit.casefold().startswith("the ")
    units, measures = [], []
    for option in fact.distractors:
        # "the brightness of stars" is what a unit measures, however it begins; "the candela" a unit.
        told = bool(_MEASURE_WORDS & set(option.casefold().replace(",", " ").split()))
        (units if option.casefold().startswith("the ") == article and not told else measures).append(option)
    return units, measures


_MEASURE_WORDS = frozenset({"of", "in", "on", "between", "from", "to"})


# Kinds of place that stand in for one another as options: a village among towns is no cue, a river
# among towns is. A place type is read by its last word ("spa town", "seaside village near Genoa").
PLACE_FAMILIES = {
    "settlement": ("city", "town", "village", "capital", "port", "commune", "municipality", "hamlet", "suburb"),
    "water": ("river", "lake", "sea", "strait", "bay", "canal", "ocean", "gulf"),
    "land": ("island", "peninsula", "region", "province", "country", "state", "territory", "mountain", "valley"),
    "institution": ("university", "college", "school", "institute", "laboratory", "academy"),
    "building": ("building", "palace", "castle", "church", "cathedral", "square", "gate", "bridge", "fortress"),
}
_FAMILY_OF = {word: family for family, words in PLACE_FAMILIES.items() for word in words}


def place_family(place_type: str) -> str:
    """The family of a place type, by its words from the last ('seaside village near Genoa' is a settlement)."""
    words = normalise_option(place_type).split()
    for word in reversed(words):
        family = _FAMILY_OF.get(word) or _FAMILY_OF.get(word.rstrip("s"))
        if family:
            return family
    return normalise_option(place_type)


def person_entity(name: str) -> str:
    return "person:" + normalise_option(name)


@lru_cache(maxsize=1 << 14)
def event_names(event: str) -> frozenset[str]:
    """The names an event is told with ("Rome", "Garibaldi", "Porta Pia"), not its peoples or months:
    two events sharing one belong to one story, whose order a student can work out."""
    found = set()
    for word in _CAPITALISED.findall(" " + event):
        word = word.rstrip(".’'").removesuffix("’s").removesuffix("'s")
        if word and word not in _NOT_PLACES and not _names_a_people(word) and not word.isupper():
            found.add(word.casefold())
    return frozenset(found)


def place_region(place_type: str) -> str:
    """The people a place type names ("French town" -> "french"), or ''."""
    words = [w for w in _CAPITALISED.findall(" " + place_type) if _names_a_people(w)]
    return words[0].casefold() if words else ""


def place_entity(place: str) -> str:
    return "place:" + normalise_option(place)


def unit_entity(unit: str) -> str:
    return "unit:" + normalise_option(unit)


# "…at Reims", "…in Potsdam", "…near Remagen": an event told with its own place.
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w’'.-]*")
_NOT_PLACES = frozenset({
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Allied", "Allies", "Nazi", "Communist", "Soviet", "Soviets", "U.S.", "US", "UN", "President", "King",
    "Queen", "Emperor", "Pope", "General", "Marshal", "Prime", "Minister", "Chancellor",
})
# Adjectives of nationality name a people, not the place an event happened: "by Soviet troops".
_NATIONALITY_ENDINGS = ("an", "ish", "ese", "ch", "ic", "i")


@lru_cache(maxsize=1 << 12)
def _names_a_people(text: str) -> bool:
    """'the French Emperor', 'the Swiss writer': the role says which people the person belongs to."""
    return any(word.endswith(("an", "ish", "ese", "ch")) or word in _PEOPLES
               for word in _CAPITALISED.findall(" " + text))


_REGNAL = re.compile(r"[ivxl]+")
# "the King of Sardinia", "the chief minister of Piedmont-Sardinia": the role names the realm.
_OF_REALM = re.compile(r"\bof (?:the )?[A-Z]")
_PEOPLES = frozenset({"Swiss", "Soviet", "U.S.", "US", "Greek", "Thai", "Czech", "Iraqi", "Israeli"})


@lru_cache(maxsize=1 << 14)
def _names_capital_place(text: str) -> bool:
    """Whether an event's wording ties it to a place of its own: a capitalised word after the first
    that is neither a month nor a people's adjective ('at Reims', 'the Potsdam Conference', 'the Reichstag')."""
    for word in _CAPITALISED.findall(text):
        word = word.rstrip(".’'").removesuffix("’s").removesuffix("'s")
        if word and word not in _NOT_PLACES and not word.endswith(_NATIONALITY_ENDINGS) and not word.isupper():
            return True
    return False


def _scopes(topic: str, period: Period) -> list[tuple]:
    scopes: list[tuple] = [("t", topic)]
    if period is not None and period[1] - period[0] <= _WIDE_PERIOD:
        scopes += [("d", d) for d in range(period[0] // 10, period[1] // 10 + 1)]
    return scopes


def _decade_scopes(period: tuple[int, int], slack: int = PERIOD_SLACK) -> list[tuple]:
    first, last = (period[0] - slack) // 10, (period[1] + slack) // 10
    return [("d", d) for d in range(first, min(last, first + _MAX_DECADES - 1) + 1)]


# ---- ordered answers: a uniformly drawn rank ------------------------------------------------


def _ranked(below: list, above: list, rng: random.Random, want: int) -> list:
    """Take ``r`` candidates from below and ``want - r`` from above, r uniform where possible.

    Where the candidates allow one rank only (a year bounded by the state it happened in, others struck
    out by the note), the answer would always stand in the middle: the rank is drawn anyway and the
    question gets one option fewer, never fewer than ``MINIMUM`` wrong ones."""
    ranks = [r for r in range(want + 1) if r <= len(below) and want - r <= len(above)]
    if len(ranks) == 1 and want > MINIMUM:
        r = rng.randint(0, want)
        taken = below[:min(r, len(below))] + above[:min(want - r, len(above))]
        if len(taken) >= MINIMUM:
            return taken
    if not ranks:
        if not below or not above:
            return (below + above)[:want]  # the answer at an end: its rank is known to be an end anyway
        # Too few on either side: taking both would always put the answer in the middle. One side
        # alone if it is enough; else nothing, and the template is not offered (shorter, not weaker).
        sides = [side for side in (below, above) if len(side) >= MINIMUM]
        return list(rng.choice(sides))[:want] if sides else []
    r = rng.choice(ranks)
    return below[:r] + above[: want - r]


def _walk(start: int, direction: int, gap: Callable[[], int], count: int, valid) -> list[int]:
    """Up to ``count`` values stepping away from ``start``; at most ``3 * count`` steps."""
    out, pos = [], start
    for _ in range(count * 3):
        pos += direction * gap()
        if valid(pos):
            out.append(pos)
        if len(out) >= count:
            break
    return out


def date_distractors(fact: DateFact, rng: random.Random, want: int = WANTED,
                     latest: dt.date | None = None,
                     bounds: tuple[dt.date, dt.date] | None = None,
                     refuse: Callable[[FuzzyDate], bool] | None = None, ordered: bool = True) -> list[FuzzyDate]:
    """Wrong dates of the fact's precision; ``ordered``: options of a question, their ranks drawn (a
    false statement needs one wrong date, and no rank)."""
    true = fact.date
    excluded = {true.iso()}
    for alt in fact.also_true:
        with contextlib.suppress(ValueError):
            excluded.add(FuzzyDate.parse(alt).iso())
    noted = dates_in(fact.note, true.precision)  # "Scheele prepared it about 1771-72": 1772 is no wrong year
    curated = [d for d in fact.distractors if d.iso() not in excluded and d.render() not in noted]
    rng.shuffle(curated)

    def step(ordinal: int) -> FuzzyDate | None:
        try:
            if true.precision is Precision.DAY:
                return FuzzyDate(dt.date.fromordinal(ordinal), Precision.DAY)
            if true.precision is Precision.MONTH:
                year, month = divmod(ordinal, 12)
                return FuzzyDate(dt.date(year, month + 1, 1), Precision.MONTH)
            return FuzzyDate(dt.date(ordinal, 1, 1), Precision.YEAR)
        except (ValueError, OverflowError):
            return None

    if true.precision is Precision.DAY:
        origin, low, high = true.value.toordinal(), 3, 74
    elif true.precision is Precision.MONTH:
        origin, low, high = true.value.year * 12 + true.value.month - 1, 1, 8
    else:
        # Two years at least: sources often differ by one on when something was discovered or founded.
        origin, low, high = true.value.year, 2, 7

    def side(direction: int) -> list[FuzzyDate]:
        own = [d for d in curated if (d.value > true.value) == (direction > 0)]
        made = [step(o) for o in _walk(origin, direction, lambda: rng.randint(low, high), want,
                                       lambda o: step(o) is not None)]
        out, keys = [], set(excluded)
        for d in own + made:
            if d is not None and (d.render() in noted or (refuse is not None and refuse(d))):
                continue
            if (d is not None and d.iso() not in keys and (latest is None or d.value <= latest)
                    and (bounds is None or (bounds[0] <= d.span()[0] and d.span()[1] <= bounds[1]))):
                keys.add(d.iso())
                out.append(d)
        return out

    if not ordered:
        # The nearest wrong dates, in a drawn order: a false statement is not false by being far off.
        either = sorted(side(-1) + side(+1), key=lambda d: abs(d.value.toordinal() - true.value.toordinal()))[:want]
        rng.shuffle(either)
        return either
    return _ranked(side(-1), side(+1), rng, want)


# Measures whose figures lie between 0 and 100: "about 100 %" of the crust is struck out without knowing it.
PERCENT_MEASURES = frozenset({"%", "percent", "per cent"})


def _possible(fact: QuantityFact, figure) -> bool:
    """Whether a wrong figure could be true of anything: a share is above 0 % and below 100 %."""
    if isinstance(figure, tuple) or (fact.measure or "").strip().casefold() not in PERCENT_MEASURES:
        return True
    return 0 < float(figure) < 100


def round_figure(value) -> bool:
    """A figure like 15,000 or 130,000 is a rounded one whether or not the curator says so: a wrong
    option of 13,900 would be arguably the same figure, so its wrong options are a clear step away."""
    if isinstance(value, tuple) or not float(value).is_integer() or abs(value) < 1000:
        return False
    digits = str(abs(int(value))).rstrip("0")
    return len(digits) <= 2


def at_least(fact: QuantityFact) -> bool:
    """'Spoken at least 5 times': 2, 3 and 4 times are then true as well."""
    return any(_AT_LEAST.search(text) for text in (fact.counts, fact.question, fact.sentence,
                                                    fact.stems.get("forward")) if text)


def _grid(value: float) -> tuple[int, int]:
    """``value`` as ``base * 10**exp`` with the step of its rounding: 4,000 steps by 100s, 4.25 by 0.01.

    Decimal arithmetic on the number's shortest form: constant work for 123456789, 1e308 or 1e-7.
    """
    try:
        d = Decimal(repr(float(value)) if isinstance(value, float) else int(value)).normalize()
    except (InvalidOperation, ValueError, OverflowError):  # pragma: no cover - finite by the model
        return 0, 0
    sign, digits, exp = d.as_tuple()
    if not isinstance(exp, int):  # pragma: no cover - NaN/inf are refused by the model
        return 0, 0
    mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    # 4,000 is '4 thousand' but a count rounded to hundreds: step by one place finer than the zeros.
    if exp >= 2:
        mantissa, exp = mantissa * 10, exp - 1
    return mantissa, exp


# Factors for the wrong options of a rounded, ranged or scientific figure: far enough apart that no
# wrong option is arguably the same figure ("150 minutes" for a walk of 2 h 31 min).
_SCALES_BELOW = (0.5, 0.6, 0.7, 0.75)
_SCALES_ABOVE = (1.3, 1.4, 1.5, 2.0)


def _round_like(x: float, like: float, least: int = 2) -> float:
    """``x`` with as many significant digits as ``like`` (at least ``least``)."""
    if x == 0 or not math.isfinite(x):
        return x
    digits = max(least, len(Decimal(repr(float(like))).normalize().as_tuple().digits))
    rounded = float(f"{x:.{digits - 1}e}")
    if float(like).is_integer() and abs(x) >= 1:
        rounded = float(round(rounded))  # a whole-number answer gets whole-number options: 8, not 8.4
    return int(rounded) if rounded.is_integer() and abs(rounded) < EXACT_DIGITS_BELOW and (
        isinstance(like, int) or float(like).is_integer()) else rounded


# Ratios at most this far from one are two different figures; a duration's options keep a wider step.
FIGURES_APART, DURATION_APART = 0.85, 0.75


def _clearly_apart(a, b, ratio: float = FIGURES_APART) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return True
    low, high = sorted((abs(float(a)), abs(float(b))))
    return high == 0 or low / high <= ratio


def _scaled_distractors(fact: QuantityFact, rng: random.Random, want: int) -> list:
    """Wrong options a clear step away: ranges move both ends, a scientific value its power of ten."""
    value = fact.shown_value
    # Curated wrong figures too close to the answer would be arguably the same figure once rounded; a
    # figure the curator's note names is arguably true.
    noted = numbers_in(fact.note)
    curated = [d for d in fact.distractors if d != value and _clearly_apart(d, value)
               and (isinstance(d, tuple) or float(d) not in noted)]
    rng.shuffle(curated)
    if isinstance(value, float) and is_scientific(value):
        def scale(k: float) -> float:
            return float(f"{value * k:.12g}")
        below = [scale(10.0 ** -n) for n in (1, 2)]
        above = [scale(10.0 ** n) for n in (1, 2)]
    elif isinstance(value, tuple):
        low, high = value
        # A wrong range never overlaps the true one, or it would be partly true.
        def shifted(k: float) -> tuple:
            # As round as the true range's ends: "0.75 to 4.5 km" beside "5 to 30 km" stands out.
            return (_round_like(low * k, low, 1), _round_like(high * k, high, 1))
        if low > 0:
            below = [r for r in (shifted(low / high * k) for k in (0.9, 0.5, 0.25)) if r[1] < low and r[0] > 0]
            above = [r for r in (shifted(high / low * k) for k in (1.1, 2.0, 4.0)) if r[0] > high]
        else:
            width = high - low
            below = [(_round_like(low - n * width, low), _round_like(high - n * width, high)) for n in (1.2, 2.4)]
            above = [(_round_like(low + n * width, low), _round_like(high + n * width, high)) for n in (1.2, 2.4)]
    else:
        def scale(k: float):
            # A duration reads in halves below ten ("about 2.5 hours"), never "about 1.9 hours".
            return durations.rounded(value * k) if fact.duration and value > 0 else _round_like(value * k, value)
        below = [scale(k) for k in reversed(_SCALES_BELOW)] if not at_least(fact) else []
        above = [scale(k) for k in _SCALES_ABOVE]
        if value < 0:
            below, above = above, below

    def side(made: list, up: bool) -> list:
        low = value[0] if isinstance(value, tuple) else value
        own = [d for d in curated if ((d[0] if isinstance(d, tuple) else d) > low) == up]
        out = []
        for d in own + made:
            shown = normalise_option(quantity_text(d, fact.measure))
            if not isinstance(d, tuple) and float(d) in noted:
                continue
            # "About 210,000" beside "about 220,000": two wrong options that are arguably one figure.
            if any(not _clearly_apart(d, kept) for kept in out):
                continue
            if not _possible(fact, d):
                continue
            # A 2 h 31 min walk is "about 2.5 hours" and arguably "about 3 hours": durations a wider step.
            if fact.duration and not _clearly_apart(d, value, DURATION_APART):
                continue
            if shown not in seen:
                seen.add(shown)
                out.append(d)
        return out

    seen = {normalise_option(quantity_text(value, fact.measure))} | {normalise_option(a) for a in fact.also_true}

    return _ranked(side(below, False), side(above, True), rng, want)


def measured(fact: QuantityFact) -> bool:
    """A measurement (a temperature, a length, a mass) rather than a count: a wrong option a degree or a
    kilometre off is arguably the same reading, so its options are a clear step apart."""
    measure = (fact.measure or "").strip()
    if fact.duration:
        return False
    first = fact.value[0] if isinstance(fact.value, tuple) else fact.value
    if not float(first).is_integer():
        return True  # no count is fractional: 0.108 of the Earth's mass is a measurement
    return bool(measure) and (any(ch in measure for ch in "°/²³%") or measure.casefold() in MEASUREMENT_UNITS)


# Units a measurement is read in (a count's measure is a noun: "men", "moons", "countries").
MEASUREMENT_UNITS = frozenset({
    "km", "m", "cm", "mm", "nm", "mi", "miles", "ft", "feet", "in", "kg", "g", "mg", "t", "tonnes", "lb", "k",
    "kelvin", "au", "ly", "light-years", "pc", "kpa", "pa", "atm", "bar", "j", "kj", "w", "kw", "mw", "v", "a",
    "hz", "db", "l", "ml", "metres", "meters", "kilometres", "kilometers", "kilograms", "grams", "degrees"})


def quantity_distractors(fact: QuantityFact, rng: random.Random, want: int = WANTED) -> list:
    value = fact.shown_value
    if (isinstance(value, tuple) or fact.is_approximate or round_figure(value) or measured(fact)
            or (isinstance(value, float) and is_scientific(value))):
        return _scaled_distractors(fact, rng, want)
    # Figures the curator's note names ("other accounts give 4,200") are arguably true: never wrong options.
    excluded = {float(value)} | numbers_in(fact.note)
    for alt in fact.also_true:
        with contextlib.suppress(ValueError, OverflowError):
            excluded.add(float(alt.replace(",", "")))
    curated = [d for d in fact.distractors if float(d) not in excluded]
    rng.shuffle(curated)
    positive = value > 0
    only_above = at_least(fact)
    if is_clock(fact.measure) and float(value).is_integer() and 0 <= value <= 24:
        # Steps of one to three hours, and a daytime answer keeps daytime options: "4 a.m." for a
        # parade that began at 11 a.m. is eliminated without knowing anything.
        base, exp, spread = int(value), 0, 1
        low, high = (6, 22) if 6 <= value <= 22 else (0, 23)

        def valid(n: int) -> bool:
            return low <= n <= high
    else:
        base, exp = _grid(value)
        spread = max(1, min(10**6, round(abs(base) * 0.08)))

        def valid(n: int) -> bool:
            # Not below half a positive answer: "1" is no option for the countries of a joint parade.
            if positive and (n <= 0 or 2 * n < base):
                return False
            return math.isfinite(_value(n, exp))

    # Options are told apart as read: "1.2" and "12" differ as numbers, not once normalised.
    shown = {normalise_option(quantity_text(value, fact.measure))} | {normalise_option(a) for a in fact.also_true}

    def side(direction: int) -> list[float]:
        if direction < 0 and only_above:
            return []
        own = [d for d in curated if (d > value) == (direction > 0)]
        made = [_value(n, exp) for n in _walk(base, direction, lambda: rng.randint(1, 2 * spread + 1), want, valid)]
        out, keys = [], set(excluded)
        for d in own + made:
            key = float(d)
            text = normalise_option(quantity_text(d, fact.measure)) if math.isfinite(key) else ""
            if key not in keys and math.isfinite(key) and text not in shown and _possible(fact, d):
                keys.add(key)
                shown.add(text)
                out.append(d)
        return out

    return _ranked(side(-1), side(+1), rng, want)


def _value(n: int, exp: int) -> float:
    """``n * 10**exp`` as an int when whole and exact, else the nearest float (inf if too large)."""
    if 0 <= exp < 30:
        whole = n * 10**exp
        if abs(whole) < EXACT_DIGITS_BELOW:
            return whole
    try:
        return float(Decimal(n).scaleb(exp))
    except (OverflowError, InvalidOperation):  # pragma: no cover - Decimal to float gives inf, not an error
        return math.inf


# ---- ordinals ------------------------------------------------------------------------------


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
