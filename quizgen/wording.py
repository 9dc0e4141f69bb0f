"""How answers read: numbers with their measure, clock hours, capitals.

One place for the grammar of answers, so a quiz option, a true/false
statement, an Anki card and a worksheet key say "twice" and "11 a.m." alike.
"""

from __future__ import annotations

import math
import re
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


# ---- events told as clauses --------------------------------------------------------------
# "When was Garibaldi's retirement after handing over his conquests?" is a template seam; "When did
# Garibaldi retire after handing over his conquests?" is what a teacher writes. An event named by a
# noun made from a verb ("retirement", "discovery") is turned back into its clause when the noun is
# known here and the pattern is plain; anything else keeps the noun phrase ("When was …?").

# Nouns of things a subject does: noun -> (base form, past tense, a preposition the verb drops).
ACTIVE_NOUNS: dict[str, tuple[str, str, str]] = {
    "death": ("die", "died", ""), "retirement": ("retire", "retired", ""), "entry": ("enter", "entered", "into"),
    "arrival": ("arrive", "arrived", ""), "departure": ("leave", "left", ""), "crossing": ("cross", "crossed", ""),
    "move": ("move", "moved", ""), "return": ("return", "returned", ""), "march": ("march", "marched", ""),
    "visit": ("visit", "visited", ""), "meeting": ("meet", "met", ""), "landing": ("land", "landed", ""),
    "flight": ("fly", "flew", ""), "voyage": ("sail", "sailed", ""), "escape": ("escape", "escaped", ""),
    "surrender": ("surrender", "surrendered", ""), "withdrawal": ("withdraw", "withdrew", ""),
    "resignation": ("resign", "resigned", ""), "abdication": ("abdicate", "abdicated", ""),
    "exile": ("go into exile", "went into exile", ""), "invasion": ("invade", "invaded", "of"),
    "expedition": ("set out", "set out", ""), "birth": ("be born", "was born", ""),
    "graduation": ("graduate", "graduated", ""),
    "entry into force": ("enter into force", "entered into force", ""),
}
# Nouns of things done to the possessor: "Italy's defeat by Austria" -> Italy was defeated by Austria.
POSSESSIVE_PASSIVE: dict[str, str] = {"defeat": "defeated", "capture": "captured", "arrest": "arrested",
                                      "execution": "executed", "election": "elected", "coronation": "crowned"}
# Nouns of things done to a subject: noun -> past participle ("the discovery of oxygen": oxygen was discovered).
PASSIVE_NOUNS: dict[str, str] = {
    "discovery": "discovered", "founding": "founded", "foundation": "founded", "signing": "signed",
    "proclamation": "proclaimed", "capture": "captured", "storming": "stormed", "establishment": "established",
    "annexation": "annexed", "invention": "invented", "publication": "published", "assassination": "assassinated",
    "coronation": "crowned", "liberation": "liberated", "unification": "unified", "description": "described",
    "statement": "stated", "isolation": "isolated", "identification": "identified", "naming": "named",
    "finding": "found", "construction": "built", "opening": "opened", "election": "elected",
    "adoption": "adopted", "ratification": "ratified", "creation": "created", "formation": "formed",
    "definition": "defined", "introduction": "introduced", "abolition": "abolished", "conquest": "conquered",
}
# Where a subject told after "of" ends and the rest of the clause begins.
_CLAUSE_BREAKS = (" to ", " into ", " from ", " in ", " at ", " on ", " after ", " before ", " by ", " for ",
                  " with ", " near ", " during ")
# Words that take their own "to" ("close to its present form"): the phrase stays with the subject.
_TAKES_TO = ("close", "next", "similar", "due", "prior", "equal", "related", "opposite", "according")
_TIMES = ("first ", "last ", "final ", "second ")


def _split_subject(text: str) -> tuple[str, str]:
    """The subject told after "of", and the rest: a relative clause ("that led to …") stays with the
    subject, which it describes."""
    relative = min((i for i in (text.find(r) for r in (" that ", " which ", " who ", ", ")) if i > 0),
                   default=len(text))
    cut = min((i for i in (text.find(b) for b in _CLAUSE_BREAKS) if 0 < i < relative), default=len(text))
    if text[:cut].rsplit(" ", 1)[-1].casefold() in _TAKES_TO:
        cut = len(text)
    return text[:cut], text[cut:]


def plural_subject(subject: str) -> bool:
    """Whether a noun phrase takes "were": "the sittings of the Parliament", "U.S. and Soviet troops"."""
    return _plural(subject[4:] if subject.casefold().startswith("the ") else subject)


_HEAD_ENDS = re.compile(r" (?:of|at|in|on|that|which|who|whose|where|after|before|by|for|with|between|near|"
                        r"from|to|during|under|against|over) ")


def _plural(subject: str) -> bool:
    """Whether the head of a noun phrase is plural: what comes before its first preposition or relative."""
    head = _HEAD_ENDS.split(subject, maxsplit=1)[0]
    words = head.split()
    last = words[-1] if words else ""
    return " and " in head or (last.endswith("s") and not last.endswith(("ss", "us", "is", "'s", "\u2019s")))


def event_clause(event: str) -> tuple[str, str, str, str] | None:
    """An event noun phrase as a clause: (question verb, subject and verb, the statement's clause).

    Returns ``(kind, question, statement, tail)`` where ``kind`` is "did" or "was"/"were": "When did
    Garibaldi retire …?" / "Garibaldi retired …"; "When was oxygen discovered?" / "Oxygen was
    discovered"; ``tail`` is what follows the verb ("after handing over his conquests"), so a place can
    stand next to the verb. None when the phrase is not one this knows how to turn.
    """
    text = event.strip()
    if not text or "{" in text or "}" in text:
        return None
    # "Garibaldi's retirement after …", "the Soviet Commissar of Foreign Affairs’ arrival in …"
    for mark in ("'s ", "\u2019s ", "s' ", "s\u2019 "):
        at = text.find(mark)
        if at > 0:
            subject = text[:at + (1 if mark[0] == "s" else 0)]
            rest = text[at + len(mark):]
            when, _, noun_rest = rest.partition(" ") if rest.split(" ", 1)[0] + " " in _TIMES else ("", "", rest)
            noun, _, tail = noun_rest.partition(" ")
            if noun in POSSESSIVE_PASSIVE and not subject.casefold().startswith(("a ", "an ")):
                be = "were" if _plural(subject) else "was"
                adverb = f"{when.strip()} " if when else ""
                tail = f" {tail}" if tail else ""
                return be, f"{subject} {adverb}{POSSESSIVE_PASSIVE[noun]}{tail}", \
                    f"{subject} {be} {adverb}{POSSESSIVE_PASSIVE[noun]}{tail}", tail
            if noun in ACTIVE_NOUNS and not subject.casefold().startswith(("a ", "an ")):
                base, past, drop = ACTIVE_NOUNS[noun]
                if drop and tail.startswith(drop + " "):
                    tail = tail[len(drop) + 1:]
                adverb = f"{when.strip()} " if when else ""
                tail = f" {tail}" if tail else ""
                return "did", f"{subject} {adverb}{base}{tail}", f"{subject} {adverb}{past}{tail}", tail
            break
    # "the discovery of oxygen", "the first description of triads of elements", "the move of the Parliament to Rome"
    lowered = text[4:] if text.casefold().startswith("the ") else None
    if lowered is None:
        return None
    when = ""
    for t in _TIMES:
        if lowered.startswith(t):
            when, lowered = t.strip(), lowered[len(t):]
            break
    noun, sep, after = lowered.partition(" of ")
    if not sep or (" " in noun and noun not in ACTIVE_NOUNS and noun not in PASSIVE_NOUNS):
        return None
    subject, tail = _split_subject(after)
    if not subject or subject.casefold().startswith(("a ", "an ")):
        return None
    adverb = f"{when} " if when else ""
    if noun in PASSIVE_NOUNS:
        be = "were" if _plural(subject) else "was"
        return (be, f"{subject} {adverb}{PASSIVE_NOUNS[noun]}{tail}",
                f"{subject} {be} {adverb}{PASSIVE_NOUNS[noun]}{tail}", tail)
    if noun in ACTIVE_NOUNS:
        base, past, drop = ACTIVE_NOUNS[noun]
        if drop and tail.startswith(" " + drop + " "):
            tail = tail[len(drop) + 1:]
        return "did", f"{subject} {adverb}{base}{tail}", f"{subject} {adverb}{past}{tail}", tail
    return None


_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,])")


def numbers_in(text: str | None) -> frozenset[float]:
    """The numbers a text names ("other accounts give 4,200 men"): arguably true as well."""
    return frozenset(float(raw.replace(",", "")) for raw in _NUMBER_IN_TEXT.findall(text or ""))
