"""Lengths of time as a teacher writes them: "8 days 3 h 18 min", "2 h 31 min", "21 days".

A duration is asked as a figure a student should know, in the largest unit that reads well: "8 days
3 h 18 min" is asked "about 8 days", "2 h 31 min" "about 2.5 hours", with wrong options a clear step
away (a 150-minute option beside a 2 h 31 min answer is arguably true). The exact length stays in the
quote every question cites.
"""

from __future__ import annotations

import math
import re

# unit -> (seconds, spellings), longest first; months are left out: their length varies.
DURATION_UNITS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("years", 365.25 * 86400, ("years", "year", "yrs", "yr", "y")),
    ("weeks", 7 * 86400, ("weeks", "week", "wk", "w")),
    ("days", 86400, ("days", "day", "d")),
    ("hours", 3600, ("hours", "hour", "hrs", "hr", "h")),
    ("minutes", 60, ("minutes", "minute", "mins", "min", "m")),
    ("seconds", 1, ("seconds", "second", "secs", "sec", "s")),
)
_SECONDS = {spelling: (name, seconds) for name, seconds, spellings in DURATION_UNITS for spelling in spellings}
_SIZE = {name: seconds for name, seconds, _ in DURATION_UNITS}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)\.?,?\s*(?:and\s+)?", re.I)
# A duration is asked in the largest unit of which it makes at least this many (1.5 days: 36 hours).
_AT_LEAST_UNITS = 2
EXAMPLE = 'value = "8 days 3 h 18 min"'


def is_duration(text: object) -> bool:
    """Written as a duration: a number then a word ("75" alone is a number in quotes, refused as such)."""
    return isinstance(text, str) and text.strip()[:1].isdigit() and any(c.isalpha() for c in text)


def parse(text: str) -> tuple[float, str | None]:
    """Seconds in ``text``, and the unit it is written in when it has one part ("21 days" -> "days").

    Raises ValueError, naming the fix, for anything that is not numbers each followed by a unit.
    """
    rest = text.strip()
    total, units, at = 0.0, [], 0
    for match in _PART.finditer(rest):
        if match.start() != at:
            break
        spelling = match.group(2).casefold()
        if spelling not in _SECONDS:
            raise ValueError(f"{match.group(2)!r} is not a unit of time; write years, weeks, days, h, min or s, "
                             f"e.g. {EXAMPLE}")
        name, seconds = _SECONDS[spelling]
        if name in units:
            raise ValueError(f"{name} given twice in {text!r}; write each unit once, e.g. {EXAMPLE}")
        units.append(name)
        total += float(match.group(1)) * seconds
        at = match.end()
    if at != len(rest) or not units:
        raise ValueError(f"{text!r} is not a length of time; write numbers each followed by a unit, e.g. {EXAMPLE}")
    if not total > 0 or not math.isfinite(total):
        raise ValueError(f"{text!r} is no length of time; give the duration the source states, e.g. {EXAMPLE}")
    return total, units[0] if len(units) == 1 else None


def in_unit(seconds: float, unit: str | None = None) -> tuple[float, str, bool]:
    """``(figure, unit, rounded)``: the duration as asked. One-unit durations stay as written."""
    if unit is not None:
        figure = _tidy(seconds / _SIZE[unit])
        if figure >= _AT_LEAST_UNITS or unit == DURATION_UNITS[-1][0]:
            return figure, unit, False  # "1 day" is asked in hours: a measure reads in the plural
    name, size = DURATION_UNITS[-1][:2]
    for name, size, _ in DURATION_UNITS:
        if name == "weeks":
            continue  # "190 days 4 h" reads "about 190 days", not "about 27 weeks"
        if seconds / size >= _AT_LEAST_UNITS:
            break
    exact = seconds / size
    figure = rounded(exact)
    return figure, name, figure != _tidy(exact)


def rounded(x: float) -> float:
    """Below ten to the half ("2.5 hours"), above to two significant digits ("about 190 days")."""
    if x < 10:
        return _tidy(round(x * 2) / 2)
    digits = int(math.floor(math.log10(x))) - 1
    return _tidy(round(x / 10**digits) * 10**digits)


def _tidy(x: float) -> int | float:
    x = round(x, 3)
    return int(x) if float(x).is_integer() else x


def figure_in(text: str, unit: str) -> float:
    """A curated wrong duration in the unit the answer is asked in, rounded alike."""
    seconds, _ = parse(text)
    return rounded(seconds / _SIZE[unit])
