"""How answers read: numbers with their measure, clock hours, capitals.

One place for the grammar of answers, so a quiz option, a true/false
statement, an Anki card and a worksheet key say "twice" and "11 a.m." alike.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from .durations import DURATION_UNITS
from .limits import MAX_QUANTITY, MAX_SIGNIFICANT, SCIENTIFIC_EXPONENT

# A quantity whose measure is one of these is a count of occasions: 1 reads "once", 2 "twice".
TIMES_MEASURES = frozenset({"times"})
# A quantity whose measure is one of these is an hour of the day (0-23), read "11 a.m." / "1 p.m.".
CLOCK_MEASURES = frozenset({"hour", "o'clock"})
_SMALL_TIMES = {1: "once", 2: "twice"}
# Units a duration is asked in: read in the singular for one ("1 hour").
TIME_UNITS = frozenset(name for name, _, _ in DURATION_UNITS)


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
    if measure is not None and value == 1:
        measure = singular(measure)  # "1 moon", "about 1 hour"
    return f"{number} {measure}" if measure else number


_SINGULAR = {"men": "man", "women": "woman", "people": "person", "children": "child", "feet": "foot"}


def singular(measure: str) -> str:
    """A counted noun for one: "moons" -> "moon", "men" -> "man"; a unit symbol ("km", "%") as it is."""
    words = measure.split()
    if not words:
        return measure
    last = words[-1]
    if last in _SINGULAR:
        one = _SINGULAR[last]
    elif len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is")) and last.isalpha() \
            and last.islower():
        one = last[:-3] + "y" if last.endswith("ies") else last[:-1]
    else:
        return measure
    return " ".join([*words[:-1], one])


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
# Nouns of leaving: the place is where it started, asked "From where …?" and told "… from Quarto".
DEPARTURE_NOUNS = frozenset({"departure", "escape", "withdrawal", "expedition", "retreat"})


def departs(event: str) -> bool:
    """Whether an event is a leaving ("the departure of Garibaldi's volunteers for Sicily")."""
    words = event.casefold().replace("\u2019", "'").split()
    for i, word in enumerate(words):
        if word in DEPARTURE_NOUNS and i > 0 and (words[i - 1] == "the" or words[i - 1].endswith(("'s", "s'"))):
            return True
    return False


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
    if subject.casefold().startswith("the "):
        rest = subject[4:]
        if rest[:1].isupper() and " " not in rest.strip() and rest.endswith("s"):
            return True  # "the Alps", "the Netherlands": a name with "the" and a final s is plural
        return _plural(rest)
    return _plural(subject)


_HEAD_ENDS = re.compile(r" (?:of|at|in|on|that|which|who|whose|where|after|before|by|for|with|between|near|"
                        r"from|to|during|under|against|over) ")


def _plural(subject: str) -> bool:
    """Whether the head of a noun phrase is plural: what comes before its first preposition or relative.

    A name is singular ("Ceres", "Mars", "Athens"); with "the" it may be plural ("the Alps")."""
    head = _HEAD_ENDS.split(subject, maxsplit=1)[0].split(",")[0]
    words = head.split()
    last = words[-1] if words else ""
    if " and " in head:
        return True
    if last[:1].isupper() and len(words) == 1:
        return False
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "'s", "\u2019s"))


# Agreements are signed or made, not "were on 10 November 1859": head noun -> its verb.
CONCLUDED: dict[str, str] = {"treaty": "signed", "pact": "signed", "armistice": "signed", "convention": "signed",
                             "accord": "signed", "concordat": "signed", "agreement": "made"}


def _concluded(text: str) -> str:
    """The verb an agreement is told with ("signed"), when the phrase is one: "the Treaty of Zurich …",
    "the Plombières Agreement between …", "the agreement with France on …"; '' otherwise."""
    words = text.split()
    if not words or words[0].casefold() != "the" or len(words) < 2:
        return ""
    at = 1 if words[1].casefold() in CONCLUDED else 2 if (
        len(words) > 2 and words[1][:1].isupper() and words[2].casefold() in CONCLUDED) else 0  # "the Plombières Agreement"
    if not at:
        return ""
    after = words[at + 1].casefold() if at + 1 < len(words) else ""
    # The agreement itself, not a compound ("the treaty ports", "the peace movement").
    if after and after not in _AFTER_AGREEMENT and not after.endswith("ing"):
        return ""
    return CONCLUDED[words[at].casefold()]


_AFTER_AGREEMENT = frozenset({"of", "between", "with", "on", "that", "which", "by", "at", "in", "to", "for", "among",
                              "and"})


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
    concluded = _concluded(text)
    if concluded:  # "When was the Treaty of Zurich … signed?" — "The Treaty of Zurich … was signed on …"
        be = "were" if _plural(text[4:] if text.casefold().startswith("the ") else text) else "was"
        return be, f"{text} {concluded}", f"{text} {be} {concluded}", ""
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
    if ", " in subject and not tail:
        subject += ","  # "When was Titan, Saturn's largest moon, discovered?": the apposition closes
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


# ---- counts told as questions ----------------------------------------------------------------
# "What was the number of troops Garibaldi had on the mainland …?" is a template seam; "How many troops
# did Garibaldi have on the mainland …?" is what a teacher writes. Turned only where the pattern is plain.

# Past tenses a counted thing is told with, and their base forms ("troops Garibaldi had": have).
PAST_BASE: dict[str, str] = {
    "had": "have", "took": "take", "lost": "lose", "sent": "send", "brought": "bring", "led": "lead",
    "held": "hold", "made": "make", "gave": "give", "found": "find", "saw": "see", "won": "win",
    "fought": "fight", "built": "build", "kept": "keep", "left": "leave", "met": "meet", "wrote": "write",
    "killed": "kill", "captured": "capture", "landed": "land", "carried": "carry", "wounded": "wound",
    "counted": "count", "raised": "raise", "used": "use", "owned": "own", "employed": "employ",
    "recorded": "record", "described": "describe", "discovered": "discover", "named": "name",
    "listed": "list", "identified": "identify", "published": "publish", "signed": "sign",
    "commanded": "command", "deployed": "deploy", "mobilised": "mobilise", "mobilized": "mobilize",
    "received": "receive", "elected": "elect", "freed": "free",
}
# Words that open what is said of a counted thing: "Austrian troops present at Solferino".
_PREDICATE_STARTS = frozenset({
    "present", "killed", "wounded", "taken", "captured", "involved", "aboard", "alive", "living", "working",
    "serving", "imprisoned", "held", "missing", "born", "in", "on", "at", "inside", "within", "under",
    "among", "on board", "employed", "enrolled", "registered", "known", "described", "listed", "named"})
# Words that open a subject inside a counted phrase: "people the ship carried", "troops Garibaldi had".
_SUBJECT_STARTS = frozenset({"the", "his", "her", "their", "its", "he", "she", "they", "it", "we", "this", "that"})
# What may follow a verb whose object is the count: "had {answer} on the mainland once …".
_AFTER_OBJECT = frozenset({"on", "in", "at", "to", "from", "by", "for", "into", "during", "when", "once", "after",
                           "before", "while", "until", "between", "across", "against", "near", "under", "over"})
_COUNT_PREPOSITIONS = frozenset({"of", "in", "on", "at", "to", "from", "by", "for", "with", "which", "who", "that",
                                 "whom", "whose", "when", "where"})


def count_question(counts: str, past: bool) -> tuple[str, str] | None:
    """A counted noun phrase as ``(question, statement)`` patterns, ``{answer}`` in the statement.

    "troops Garibaldi had on the mainland" -> "How many troops did Garibaldi have on the mainland?" /
    "Garibaldi had {answer} on the mainland."; "Austrian troops present at Solferino" -> "How many
    Austrian troops were present at Solferino?" / "The Austrian troops present at Solferino numbered
    {answer}.". None when the phrase is not one this knows how to turn.
    """
    words = counts.split()
    if len(words) < 2 or "{" in counts or "}" in counts:
        return None
    be = "were" if past else "are"
    for i, word in enumerate(words[1:], 1):
        lowered, before = word.casefold(), words[i - 1].casefold()
        after = words[i + 1].casefold() if i + 1 < len(words) else ""
        if before == "of":
            continue  # "members of Congress": still the counted noun
        if lowered in _COUNT_PREPOSITIONS - {"in", "on", "at", "of"} or after in {"which", "whom", "whose"}:
            return None  # "languages in which RFE/RL reports": a relative clause this does not turn
        if lowered in _PREDICATE_STARTS:
            noun, rest = " ".join(words[:i]), " ".join(words[i:])
            numbered = "numbered" if past else "number"
            return f"How many {noun} {be} {rest}?", f"The {noun} {rest} {numbered} {{answer}}."
        if past and (word[:1].isupper() or lowered in _SUBJECT_STARTS):
            for j in range(i + 1, min(i + 4, len(words))):
                verb = words[j].casefold()
                if verb in PAST_BASE:
                    follows = words[j + 1].casefold() if j + 1 < len(words) else ""
                    if follows and follows not in _AFTER_OBJECT:
                        return None  # "countries the USSR had relations with": the count is not the object
                    noun, subject, rest = " ".join(words[:i]), " ".join(words[i:j]), " ".join(words[j + 1:])
                    tail = f" {rest}" if rest else ""
                    return (f"How many {noun} did {subject} {PAST_BASE[verb]}{tail}?",
                            f"{sentence_case(subject)} {words[j]} {{answer}}{tail}.")
            return None
    return None


_NUMBER_IN_TEXT = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,])")


def numbers_in(text: str | None) -> frozenset[float]:
    """The numbers a text names ("other accounts give 4,200 men"): arguably true as well."""
    return frozenset(float(raw.replace(",", "")) for raw in _NUMBER_IN_TEXT.findall(text or ""))
