"""Short forms of questions and answers, for platforms that limit their length (Kahoot).

Kahoot takes a question of at most 120 characters and answers of at most 75, counted in
UTF-16 code units (an emoji or a character beyond the Basic Multilingual Plane counts two).
A text that fits is used as it is. One that does not is never cut: its short form is used,
written on purpose:

* a true/false statement drops "True or false? " (Kahoot's answers read True and False);
* then every phrase of ``PHRASES`` it holds is replaced by its short form, written by hand:
  the same fact in fewer words ("the Soviet Commissar of Foreign Affairs" → "the Soviet Foreign
  Commissar", "According to the Russian Foreign Ministry," → "Per Russia’s Foreign Ministry,");
* and where that is still too long, the tighter forms of ``TIGHTER`` ("Per Russia’s MFA,").

A phrase matches only word for word, so when the curated text changes, its old short form no
longer applies (a stale one would misstate the fact): the question is then left out of the file
and reported, never cut short, and tests/test_exports.py fails until this table follows.
The full question and answer stay on the Kahoot file's "Sources" sheet with the citation.
"""

from __future__ import annotations

# How the engine opens a true/false statement (quizgen/questions.py).
TRUE_OR_FALSE = "True or false? "

# (long, short), as the engine writes them; a phrase starting with a small letter also matches
# its capitalised form (an option: "The Soviet marshal who…"), and its short form is capitalised too.
PHRASES: tuple[tuple[str, str], ...] = (

    ("the American general who came to the Soviet command headquarters to meet the Soviet front "
     "commander after the link-up of 1945",
     "the US general who visited the Soviet front HQ after the 1945 link-up"),
    ("Commissar of Foreign Affairs’", "Foreign Commissar’s"),
    ("Commissar of Foreign Affairs", "Foreign Commissar"),
    ("the Soviet head of state to whom the US President wrote in 1933 proposing negotiations on recognition",
     "the Soviet head of state whom the US President wrote to in 1933"),
    ("the US President who wrote to the Soviet head of state in 1933 proposing negotiations on recognition",
     "the US President who wrote to Moscow in 1933 proposing recognition talks"),
    ("the US President’s letter to the Soviet head of state proposing negotiations on recognition",
     "the US President’s letter to Moscow proposing recognition talks"),
    ("the Soviet marshal who inspected the troops and delivered a speech at the joint Allied victory "
     "parade of September 1945",
     "the Soviet marshal who reviewed and addressed the 1945 Allied parade"),

    ("the US Secretary of State who took part in the 1933 talks on recognition in Washington",
     "the US Secretary of State in the 1933 recognition talks in Washington"),
    ("the establishment of diplomatic relations between the Soviet Union and the United States",
     "the establishment of US-Soviet diplomatic relations"),
    ("the special assistant to the US Secretary of State who became the first US Ambassador to the "
     "Soviet Union",
     "the State Department aide who became the first US Ambassador to the USSR"),
    ("the Soviet Commissar of Foreign Affairs who came to Washington in 1933 to negotiate recognition",
     "the Soviet Foreign Commissar who came to Washington in 1933 for recognition"),
    ("arrival in Washington for the talks on recognition", "arrival in Washington for recognition talks"),
    ("arrive in Washington for the talks on recognition", "arrive in Washington for recognition talks"),
    ("arrived in Washington for the talks on recognition", "arrived in Washington for recognition talks"),



    (", after which the United States refused to recognise the new Soviet state,", ""),
    (", after which the United States refused to recognise the new Soviet state", ""),
    ("the joint Allied victory parade of September 1945", "the Allied victory parade of September 1945"),
    ("the wartime unity of American and Soviet soldiers", "the wartime unity of US and Soviet soldiers"),
    ("the Soviet marshal whose troops first met US troops in Germany, in April 1945",
     "the Soviet marshal whose men first met US troops in Germany, in April 1945"),
)

# Shorter still, used only where the forms above are not short enough.
TIGHTER: tuple[tuple[str, str], ...] = ()


def utf16_units(text: str) -> int:
    """Length as Kahoot counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordered(phrases: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for long, short in phrases:
        pairs.append((long, short))
        if long[:1].islower():
            pairs.append((_capitalised(long), _capitalised(short)))
    # The longest first: a phrase holding a shorter one is replaced whole.
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


_TIERS = (_ordered(PHRASES), _ordered(TIGHTER))


def _replace(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for long, short in pairs:
        if long in text:
            text = text.replace(long, short)
    return text


def short_form(text: str, limit: int | None = None) -> str:
    """``text`` with every phrase of ``PHRASES`` in it written short; then, if still over ``limit``, ``TIGHTER``."""
    text = _replace(text, _TIERS[0])
    if limit is not None and utf16_units(text) > limit:
        text = _replace(text, _TIERS[1])
    return text


def fit(text: str, limit: int, *, statement: bool = False) -> str:
    """``text`` if it is at most ``limit`` UTF-16 units, else its short form (which may still be over)."""
    if utf16_units(text) <= limit:
        return text
    if statement and text.startswith(TRUE_OR_FALSE):
        text = text[len(TRUE_OR_FALSE):]
        if utf16_units(text) <= limit:
            return text
    return short_form(text, limit)
