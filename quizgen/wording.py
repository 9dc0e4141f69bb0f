"""How answers read: numbers with their measure, clock hours, capitals.

One place for the grammar of answers, so a quiz option, a true/false
statement, an Anki card and a worksheet key say "twice" and "11 a.m." alike.
"""

from __future__ import annotations

import math
from decimal import Decimal

from .limits import MAX_QUANTITY, MAX_SIGNIFICANT, SCIENTIFIC_EXPONENT

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


def is_scientific(value: float) -> bool:
    """A float read in scientific notation: within 10^±SCIENTIFIC_EXPONENT, few significant digits.

    Such a value is shown as '6.626 × 10⁻³⁴' and its wrong options change the power of ten, so work
    per question stays constant whatever the magnitude.
    """
    if value == 0 or not math.isfinite(value):
        return False
    magnitude = abs(value)
    if not (10.0 ** -SCIENTIFIC_EXPONENT <= magnitude <= 10.0 ** SCIENTIFIC_EXPONENT):
        return False
    if 1e-3 <= magnitude < MAX_QUANTITY:
        return False  # an ordinary measure: its decimals are checked as such
    return len(Decimal(repr(value)).normalize().as_tuple().digits) <= MAX_SIGNIFICANT



_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def scientific_text(value: float) -> str:
    """'6.62607015 × 10⁻³⁴': the digits as written, the power of ten in superscript."""
    mantissa, _, exponent = f"{value:.{SIGNIFICANT_SHOWN - 1}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


# Digits a value in scientific notation is shown with (the model allows no more).
SIGNIFICANT_SHOWN = MAX_SIGNIFICANT


def quantity_text(value: float | tuple[float, float], measure: str | None) -> str:
    """The number as it reads with its measure: 'once', 'twice', '3 times', '11 a.m.', '4,000 troops',
    '688 to 1,000 men', '6.022 × 10²³ per mole'."""
    if isinstance(value, tuple):
        low, high = (_number_only(v) for v in value)
        return f"{low} to {high} {measure}" if measure else f"{low} to {high}"
    if measure is not None:
        key = measure.casefold()
        whole = float(value).is_integer() and abs(value) < 10**9
        if key in TIMES_MEASURES and whole and int(value) in _SMALL_TIMES:
            return _SMALL_TIMES[int(value)]
        if key in CLOCK_MEASURES and whole and 0 <= value <= 24:
            return clock_hour(int(value))
    number = _number_only(value)
    return f"{number} {measure}" if measure else number


def _number_only(value: float) -> str:
    return scientific_text(value) if isinstance(value, float) and is_scientific(value) else number_text(value)
