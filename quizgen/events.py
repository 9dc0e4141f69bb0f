"""What kind of happening an event is: a battle, a meeting, a journey, a seat of power.

Place options are judged by it: a capital offered for "Where was the battle …?" is struck out by
anyone who knows it was a capital, and "What took place in Turin?" answered "the seat of government"
asks about something that did not take place at all. The kind is read from the words a teacher
already writes ("defeat", "sittings of the Parliament", "landing"), so no field is needed.
"""

from __future__ import annotations

from functools import lru_cache

# kind -> word stems that tell it (the first letters of a word, so "defeat" covers "defeated").
# Order matters: the first kind whose stem a text holds wins ("the battle after the meeting" is a battle).
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "battle": ("battle", "defeat", "victory", "siege", "besieg", "fought", "fight", "storm", "breach", "assault",
               "attack", "clash", "skirmish", "massacre", "uprising", "revolt", "insurrection", "bombard",
               "invasion", "capture"),
    "seat": ("seat of", "capital", "sittings", "parliament", "residence", "court of", "headquarters"),
    "refuge": ("refuge", "shelter", "fled to", "hid ", "hiding"),
    "meeting": ("meeting", "met ", "agreement", "treaty", "peace", "conference", "congress", "summit", "talks",
                "armistice", "signing", "signed", "negotiat", "handshake", "link-up", "linked up", "link up", "interview",
                "entrevue"),
    # Where a journey began and where it ended are told apart: a landing place in Sicily is no option
    # for where the volunteers left for Sicily.
    "departure": ("departure", "left ", "set out", "sailed from", "embark", "expedition", "retreat", "escape"),
    "journey": ("landing", "landed", "crossing", "crossed", "arrival", "arrived", "voyage", "sailed",
                "marched", "march on", "march to", "flight", "disembark", "journey"),
    "science": ("discover", "isolat", "experiment", "laborator", "research", "observ", "measur", "invent",
                "lectur", "studied", "taught", "professor", "universit"),
    "life": ("birth", "born", "death", "died", "buried", "grave", "retire", "childhood", "grew up", "married"),
    "ceremony": ("parade", "coronation", "crowned", "proclamation", "proclaimed", "celebrat", "funeral",
                 "inaugurat", "plebiscite", "election", "vote"),
}

# Kinds that are not happenings: nothing "took place" there; "What took place in Turin?" has no answer.
STATES = frozenset({"seat", "refuge"})


@lru_cache(maxsize=1 << 14)
def event_kind(text: str) -> str:
    """The kind of happening a text tells, or '' when its words name none."""
    lowered = " " + " ".join(text.casefold().split()) + " "
    for kind, stems in EVENT_KINDS.items():
        if any(" " + stem in lowered for stem in stems):
            return kind
    return ""


def took_place(text: str) -> bool:
    """Whether the event is something that happened at a place (not a seat, a capital, a refuge)."""
    return event_kind(text) not in STATES
