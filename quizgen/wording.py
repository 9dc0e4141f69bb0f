"""How answers read: numbers with their measure, clock hours, capitals.

One place for the grammar of answers, so a quiz option, a true/false
statement, an Anki card and a worksheet key say "twice" and "11 a.m." alike.
"""

from __future__ import annotations

import math

# A quantity whose measure is one of these is a count of occasions: 1 reads "once", 2 "twice".
TIMES_MEASURES = frozenset({"times"})
# A quantity whose measure is one of these is an hour of the day (0-23), read "11 a.m." / "1 p.m.".
CLOCK_MEASURES = frozenset({"hour", "o'clock"})
_SMALL_TIMES = {1: "once", 2: "twice"}


def sentence_case(text: str) -> str:
    """The first letter capitalised, the rest as written ('the Elbe' -> 'The Elbe')."""
    return text[:1].upper() + text[1:]


def is_clock(measure: str | None) -> bool:
    return measure is not None and measure.casefold() in CLOCK_MEASURES


def clock_hour(hour: int) -> str:
    """'11 a.m.', '1 p.m.', 'noon', 'midnight' for an hour of the 24-hour clock."""
    hour %= 24
    if hour == 0:
        return "midnight"
    if hour == 12:
        return "noon"
    return f"{hour} a.m." if hour < 12 else f"{hour - 12} p.m."


# Whole numbers below this print every digit ("2,147,483,647"); larger and tiny ones in the short
# scientific form Python round-trips ("1.3e+308", "1e-07"), so distinct values never print alike.
EXACT_DIGITS_BELOW = 10**21


def number_text(value: float) -> str:
    """Digits grouped by thousands, whole floats without '.0'; a short string for any finite value."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < EXACT_DIGITS_BELOW:
            return f"{int(value):,}"
        if not math.isfinite(value) or abs(value) >= EXACT_DIGITS_BELOW or abs(value) < 1e-4:
            return repr(value)
        return f"{value:,}"
    if abs(value) >= EXACT_DIGITS_BELOW:
        return repr(float(value))
    return f"{value:,}"


def quantity_text(value: float, measure: str | None) -> str:
    """The number as it reads with its measure: 'once', 'twice', '3 times', '11 a.m.', '4,000 troops'."""
    if measure is not None:
        key = measure.casefold()
        whole = float(value).is_integer() and abs(value) < 10**9
        if key in TIMES_MEASURES and whole and int(value) in _SMALL_TIMES:
            return _SMALL_TIMES[int(value)]
        if key in CLOCK_MEASURES and whole and 0 <= value <= 24:
            return clock_hour(int(value))
    number = number_text(value)
    return f"{number} {measure}" if measure else number
