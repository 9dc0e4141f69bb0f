"""Real people a quiz may offer beside the library's own: holders of ranks and offices, people of professions.

A teacher's folder often has one pope, one Austrian chancellor, one physician: the library alone offers
no wrong option of the same class, and a king among chemists is struck out by reading. The reference
list (``data/people.toml``, from standard reference works) gives real people of each class with the
years they held the office, or lived. One is offered only when it is provably wrong: out of office (or
not alive) in the years the fact is about, yet near enough in time to be a plausible answer.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

DATA = "people.toml"
# Years before a fact's period within which a holder's office ended for them to be a plausible option
# (Gregory XVI and Pius VIII beside Pius IX; not Napoleon I, dead since 1821, for Venice in 1866).
NEAR_YEARS = 40
# A profession's people are offered only for a fact of a narrow period, and from near it: a chemist
# dead within a generation before the discovery. Offices are held one at a time, so a
# holder out of office is provably wrong whatever the period.
NARROW_PERIOD = 20
NEAR_LIFE_YEARS = 40
_CLAUSE_WORDS = (" who ", " whom ", " whose ", " that ", " which ", " under ", " to ", " with ", " for ")
# Classes told apart inside one rank: a queen is no option for "the King of …", nor a tsar for an emperor's role.
_RAW_CLASS = {"queen": "queen", "empress": "empress"}


@dataclass(frozen=True)
class Holder:
    name: str
    klass: str  # the class word as written: "pope", "king", "prime minister", "chemist"
    realm: tuple[str, ...]  # casefolded names and adjectives of the state the office was held in
    nationality: str
    span: tuple[int, int]  # the years in office, or of life (an unfinished life runs to this year)
    life: tuple[int, ...]  # one person holding two offices (Francis II and I) is listed twice alike


@lru_cache(maxsize=1)
def holders() -> dict[str, tuple[Holder, ...]]:
    """The reference people by class word, read once."""
    text = files("quizgen").joinpath("data", DATA).read_text(encoding="utf-8")
    by_class: dict[str, list[Holder]] = defaultdict(list)
    for entry in tomllib.loads(text).get("person", ()):
        years = entry.get("held") or entry["life"]
        span = (years[0], years[1] if len(years) > 1 else _THIS_YEAR)  # in office, or alive, still
        by_class[entry["class"]].append(Holder(
            name=entry["name"], klass=entry["class"], realm=tuple(r.casefold() for r in entry.get("realm", ())),
            nationality=entry.get("nationality", ""), span=(int(span[0]), int(span[1])),
            life=tuple(entry["life"])))
    return {k: tuple(v) for k, v in by_class.items()}


_THIS_YEAR = 2026


def classes_of(role_class: str) -> tuple[str, ...]:
    """Reference classes a role's class word stands for ('head of government': prime ministers, chancellors)."""
    return _CLASSES.get(role_class, (role_class,))


# Words that name a class in a role, as the reference list spells them ("minister" for "chief minister").
_CLASS_WORDS = frozenset({"pope", "king", "queen", "emperor", "empress", "tsar", "sultan", "president", "minister",
                          "chancellor", "premier", "chemist", "physicist", "physician", "biologist", "naturalist",
                          "geologist", "mineralogist", "astronomer", "mathematician", "inventor", "engineer",
                          "explorer", "writer", "poet", "painter", "composer", "philosopher", "economist"})
_CLASSES = {"head of government": ("prime minister", "chancellor"), "emperor": ("emperor", "tsar"),
            "king": ("king",), "queen": ("queen",), "empress": ("empress",)}


def role_head(role: str) -> str:
    """A role's head, casefolded and spaced for whole-word tests: "the King of Sardinia" of "the King of
    Sardinia whom Garibaldi hailed …". The class must stand there, not in the clause ("the Soviet head of
    state to whom the US President wrote" is no president)."""
    lowered = " " + " ".join(role.casefold().replace("-", " ").split()) + " "
    head = min((lowered.find(w) for w in _CLAUSE_WORDS if w in lowered), default=len(lowered))
    return lowered[:head] + " "


def candidates(role: str, role_class: str, period: tuple[int, int] | None, names_people: bool) -> list[Holder]:
    """Reference people who could stand beside the holder of ``role`` and are provably not them.

    ``role_class``: the role's class (``distractors.role_word``); ``names_people``: whether the role says
    whose office it was ("the King of Sardinia", "the Austrian chancellor", "the Swiss writer"): then
    only holders of that realm or nationality, and none when the list has none. Each candidate's years
    ended before ``period`` began, within ``NEAR_YEARS`` of it.
    """
    if not role_class or period is None:
        return []
    lowered = role_head(role)
    if not any(f" {w} " in lowered for w in _CLASS_WORDS):
        return []
    profession = not any(h.realm for c in classes_of(role_class) for h in holders().get(c, ()))
    if profession and period[1] - period[0] > NARROW_PERIOD:
        return []  # "not alive in 1669-1804" says nothing a student could know; Feynman is no option
    raw = next((w for w in _RAW_CLASS if f" {w} " in lowered), None)
    pool = [h for c in ((_RAW_CLASS[raw],) if raw else classes_of(role_class)) for h in holders().get(c, ())]
    if names_people:
        # Whose office: the word before the class ("the Austrian chancellor") or what follows "of" after
        # it ("the King of Sardinia"), not any country the role mentions ("… dismissed Italy …").
        words = lowered.split()
        at = next((i for i, w in enumerate(words) if w in _CLASS_WORDS), None)
        if at is None:
            return []
        first = at - 1 if at > 0 and words[at - 1] in ("prime", "chief") else at  # "prime minister": two words
        before = words[first - 1] if first > 0 else ""
        after = " ".join(words[at + 2:at + 6]) + " " if words[at + 1:at + 2] == ["of"] else ""
        after = after[4:] if after.startswith("the ") else after

        def owned(name: str) -> bool:
            name = name.replace("-", " ")
            return name == before or (bool(after) and after.startswith(name + " "))

        pool = [h for h in pool if any(owned(r) for r in h.realm)
                or (not h.realm and h.nationality and owned(h.nationality.casefold()))]
    start, end = period
    near = NEAR_LIFE_YEARS if profession else NEAR_YEARS
    # Predecessors only: a role's deed may outlast the period ("the Pope who refused to give up Rome
    # after Italy was unified" is Leo XIII's stand too), never what was over before it began.
    found = [h for h in pool if start - near <= h.span[1] < start]
    found.sort(key=lambda h: start - h.span[1])  # nearest in time first: Gregory XVI before Pius VII
    people: set[tuple] = set()
    once = []
    for h in found:
        if (h.life, h.nationality) not in people:
            people.add((h.life, h.nationality))
            once.append(h)
    return once
