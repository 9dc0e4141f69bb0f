"""Wrong options that a student who does not know the fact cannot tell from the answer.

The pools are indexed once per library (``DistractorIndex``); making a
question samples from them and never scans the library. Two rules keep the
options from giving the answer away:

* ordered answers (dates, quantities) take a rank drawn uniformly among the
  options, so "pick the middle one" or "pick the extreme" scores at chance;
* options are told apart after normalising case, spaces, punctuation and a
  leading "the", so no two options read the same, and nothing listed as also
  true is ever offered as wrong.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import random
import re
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from faker import Faker

from .dates import FuzzyDate, Precision
from .models import DateFact, Fact, PersonFact, PlaceFact, QuantityFact, Source, UnitFact, format_quantity
from .translit import to_latin

WANTED = 3  # distractors per question: four options
MINIMUM = 2  # fewer than this and the question is not asked

_PUNCT = str.maketrans("", "", string.punctuation + "\u2019\u2018\u201c\u201d\u2013\u2014")
_SPACE = re.compile(r"\s+")

ROLE_WORDS = (
    "ambassador", "marshal", "general", "admiral", "president", "secretary", "commissar",
    "chairman", "reporter", "photographer", "journalist", "soldier", "lieutenant", "sergeant",
    "representative", "diplomat", "minister", "commander", "colonel", "captain", "leader",
    "officer", "premier", "king", "queen", "prime",
)

# Faker locales by nationality adjective; names from the wrong locale would stand out.
LOCALES = {
    "soviet": "ru_RU", "russian": "ru_RU", "ukrainian": "uk_UA", "american": "en_US",
    "british": "en_GB", "english": "en_GB", "french": "fr_FR", "german": "de_DE",
    "polish": "pl_PL", "italian": "it_IT", "japanese": "ja_JP", "chinese": "zh_CN",
}

_ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth")


def normalise_option(text: str) -> str:
    """How two options are compared: 'The Elbe River.' and 'elbe  river' are the same."""
    text = _SPACE.sub(" ", text.translate(_PUNCT).casefold()).strip()
    return text[4:] if text.startswith("the ") else text


def role_word(role: str) -> str:
    words = role.casefold().split()
    for word in ROLE_WORDS:
        if word in words:
            return word
    return ""


class _Picker:
    """Collects distinct options, refusing the answer, also-true answers and repeats."""

    def __init__(self, answer: str, also_true: Iterable[str], want: int):
        self.taken = {normalise_option(answer)} | {normalise_option(a) for a in also_true}
        self.picked: list[str] = []
        self.want = want

    @property
    def full(self) -> bool:
        return len(self.picked) >= self.want

    def offer(self, option: str) -> None:
        key = normalise_option(option)
        if not self.full and key and key not in self.taken:
            self.taken.add(key)
            self.picked.append(option)

    def offer_sample(self, pool: Sequence[str], rng: random.Random) -> None:
        """Offer a random handful of a pool without walking all of it."""
        if self.full or not pool:
            return
        size = min(len(pool), (self.want - len(self.picked)) * 3 + 4)
        for option in rng.sample(pool, size):
            self.offer(option)


class DistractorIndex:
    """Pools of candidate options, built once per library in one pass over the facts."""

    def __init__(self, facts: Iterable[Fact], sources: Mapping[str, Source] | None = None):
        # A wrong date after the source was published would be an anachronism: cap them there.
        self.latest = {sid: src.published.span()[1] for sid, src in (sources or {}).items()}
        self.names_by_role_nat: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.names_by_nat: dict[str, list[str]] = defaultdict(list)
        self.names_by_role: dict[str, list[str]] = defaultdict(list)
        self.roles_by_nat: dict[str, list[str]] = defaultdict(list)
        self.roles: list[str] = []
        self.places_by_type: dict[str, list[str]] = defaultdict(list)
        self.place_events: list[tuple[str, str]] = []  # (place key, event)
        self.units_by_echelon_side: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.units_by_echelon: dict[str, list[str]] = defaultdict(list)
        date_events: list[tuple[int, FuzzyDate, str]] = []  # (ordinal, date, event)
        seen: set[tuple] = set()

        def add(pool: list[str], key: tuple, value: str) -> None:
            if key not in seen:
                seen.add(key)
                pool.append(value)

        for fact in facts:
            if isinstance(fact, PersonFact):
                nat, word = fact.nationality.casefold(), role_word(fact.role)
                name = normalise_option(fact.name)
                add(self.names_by_nat[nat], ("n", nat, name), fact.name)
                if word:
                    add(self.names_by_role_nat[word, nat], ("rn", word, nat, name), fact.name)
                    add(self.names_by_role[word], ("r", word, name), fact.name)
                add(self.roles_by_nat[nat], ("rl", nat, fact.role), fact.role)
                add(self.roles, ("rl", fact.role), fact.role)
            elif isinstance(fact, PlaceFact):
                ptype = fact.place_type.casefold()
                add(self.places_by_type[ptype], ("p", ptype, normalise_option(fact.place)), fact.place)
                self.place_events.append((normalise_option(fact.place), fact.event))
            elif isinstance(fact, UnitFact):
                ech, side = fact.echelon.casefold(), fact.side.casefold()
                key = normalise_option(fact.unit)
                add(self.units_by_echelon_side[ech, side], ("us", ech, side, key), fact.unit)
                add(self.units_by_echelon[ech], ("u", ech, key), fact.unit)
            elif isinstance(fact, DateFact):
                date_events.append((fact.date.value.toordinal(), fact.date, fact.event))
        date_events.sort(key=lambda d: (d[0], d[2]))
        self._date_ordinals = [d[0] for d in date_events]
        self._date_events = date_events

    # ---- forward: options of the answer's own type --------------------------------------

    def distractors(self, fact: Fact, rng: random.Random, want: int = WANTED) -> list[str]:
        if isinstance(fact, DateFact):
            return [d.render() for d in date_distractors(fact, rng, want, self.latest.get(fact.source))]
        if isinstance(fact, QuantityFact):
            return [format_quantity(v, fact.measure) for v in quantity_distractors(fact, rng, want)]
        picker = _Picker(fact.answer_text(), fact.also_true, want)
        if isinstance(fact, PersonFact):
            nat, word = fact.nationality.casefold(), role_word(fact.role)
            if word:
                picker.offer_sample(self.names_by_role_nat.get((word, nat), []), rng)
            picker.offer_sample(fact.distractors, rng)
            picker.offer_sample(self.names_by_nat.get(nat, []), rng)
            if word:
                picker.offer_sample(self.names_by_role.get(word, []), rng)
            for _ in range(want * 4):
                if picker.full:
                    break
                picker.offer(fake_name(fact.nationality, fact.gender, rng))
        elif isinstance(fact, PlaceFact):
            picker.offer_sample(self.places_by_type.get(fact.place_type.casefold(), []), rng)
            picker.offer_sample(fact.distractors, rng)
        elif isinstance(fact, UnitFact):
            ech, side = fact.echelon.casefold(), fact.side.casefold()
            picker.offer_sample(self.units_by_echelon_side.get((ech, side), []), rng)
            picker.offer_sample(fact.distractors, rng)
            picker.offer_sample(self.units_by_echelon.get(ech, []), rng)
            picker.offer_sample(renumbered_units(fact.unit), rng)
        return picker.picked

    # ---- reverse: the other slot of other facts -----------------------------------------

    def reverse_distractors(self, fact: Fact, rng: random.Random, want: int = WANTED) -> list[str]:
        if isinstance(fact, DateFact):
            picker = _Picker(fact.event, (), want)
            # Events of the same era first: neighbours in time, never ones that may share the date
            # ("What happened in November 1933?" cannot offer an event of 16 November 1933).
            pos = bisect.bisect_left(self._date_ordinals, fact.date.value.toordinal())
            window = self._date_events[max(0, pos - 12): pos + 12]
            picker.offer_sample([e for _, d, e in window if not d.overlaps(fact.date)], rng)
            return picker.picked
        if isinstance(fact, PersonFact):
            picker = _Picker(fact.role, (), want)
            picker.offer_sample(self.roles_by_nat.get(fact.nationality.casefold(), []), rng)
            picker.offer_sample(self.roles, rng)
            return picker.picked
        if isinstance(fact, PlaceFact):
            picker = _Picker(fact.event, (), want)
            here = normalise_option(fact.place)
            sample = rng.sample(self.place_events, min(len(self.place_events), want * 4 + 4))
            picker.offer_sample([e for p, e in sample if p != here], rng)
            return picker.picked
        return []


# ---- ordered answers: a uniformly drawn rank ------------------------------------------------


def _ranked(below: list, above: list, rng: random.Random, want: int) -> list:
    """Take ``r`` candidates from below and ``want - r`` from above, r uniform where possible."""
    ranks = [r for r in range(want + 1) if r <= len(below) and want - r <= len(above)]
    if not ranks:
        return (below + above)[:want]
    r = rng.choice(ranks)
    return below[:r] + above[: want - r]


def _walk(start: int, direction: int, gaps: Sequence[int], rng: random.Random, count: int,
          valid) -> list[int]:
    out, pos = [], start
    for _ in range(count * 3):
        pos += direction * rng.choice(gaps)
        if valid(pos):
            out.append(pos)
        if len(out) >= count:
            break
    return out


def date_distractors(fact: DateFact, rng: random.Random, want: int = WANTED,
                     latest: dt.date | None = None) -> list[FuzzyDate]:
    true = fact.date
    excluded = {true.iso()}
    for alt in fact.also_true:
        with contextlib.suppress(ValueError):
            excluded.add(FuzzyDate.parse(alt).iso())
    curated = [d for d in fact.distractors if d.iso() not in excluded]
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
        origin, gaps = true.value.toordinal(), range(3, 75)
    elif true.precision is Precision.MONTH:
        origin, gaps = true.value.year * 12 + true.value.month - 1, range(1, 9)
    else:
        origin, gaps = true.value.year, range(1, 7)

    def side(direction: int) -> list[FuzzyDate]:
        own = [d for d in curated if (d.value > true.value) == (direction > 0)]
        made = [step(o) for o in _walk(origin, direction, gaps, rng, want, lambda o: step(o) is not None)]
        out, keys = [], set(excluded)
        for d in own + made:
            if d is not None and d.iso() not in keys and (latest is None or d.value <= latest):
                keys.add(d.iso())
                out.append(d)
        return out

    return _ranked(side(-1), side(+1), rng, want)


def quantity_distractors(fact: QuantityFact, rng: random.Random, want: int = WANTED) -> list[float]:
    value = fact.value
    excluded = {float(value)}
    for alt in fact.also_true:
        with contextlib.suppress(ValueError):
            excluded.add(float(alt.replace(",", "")))
    if float(value).is_integer():
        digits = str(abs(int(value)))
        zeros = len(digits) - len(digits.rstrip("0")) if int(value) else 0
        unit = 10 ** max(0, zeros - (1 if zeros >= 2 else 0))
        scale = 1
    else:
        decimals = len(repr(float(value)).split(".")[1])
        unit, scale = 1, 10**decimals
    base = round(value * scale)
    spread = max(1, round(abs(base) * 0.08 / unit))
    gaps = [unit * k for k in range(1, 2 * spread + 2)]
    positive = value > 0

    def to_value(n: int) -> float:
        return n if scale == 1 else n / scale

    curated = [float(d) for d in fact.distractors if float(d) not in excluded]

    def side(direction: int) -> list[float]:
        own = [d for d in curated if (d > value) == (direction > 0)]
        made = [to_value(n) for n in _walk(base, direction, gaps, rng, want,
                                           lambda n: not positive or n > 0)]
        out, keys = [], set(excluded)
        for d in own + made:
            if float(d) not in keys:
                keys.add(float(d))
                out.append(int(d) if float(d).is_integer() and scale == 1 else d)
        return out

    return _ranked(side(-1), side(+1), rng, want)


# ---- made-up names and units ----------------------------------------------------------------


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def fake_name(nationality: str, gender: str | None, rng: random.Random) -> str:
    """A name from a locale matching the nationality: a Soviet marshal gets Russian names."""
    fake = _faker(LOCALES.get(nationality.casefold(), "en_US"))
    fake.seed_instance(rng.getrandbits(32))
    if gender == "female":
        first, last = fake.first_name_female(), fake.last_name_female()
    else:
        first, last = fake.first_name_male(), fake.last_name_male()
    return to_latin(f"{first} {last}")


def renumbered_units(unit: str) -> list[str]:
    """Sibling units by changing the number: '69th Infantry Division' -> '83rd …'."""
    out: list[str] = []
    m = re.search(r"\b(\d+)(st|nd|rd|th)\b", unit)
    if m:
        n = int(m[1])
        for k in (n - 21, n - 9, n - 4, n + 3, n + 11, n + 14, n + 30):
            if k > 0 and k != n:
                out.append(unit[: m.start()] + ordinal(k) + unit[m.end():])
    for word in _ORDINAL_WORDS:
        if re.search(rf"\b{word}\b", unit):
            out += [re.sub(rf"\b{word}\b", other, unit, count=1) for other in _ORDINAL_WORDS[:5] if other != word]
            break
    return out


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
