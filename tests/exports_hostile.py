"""A content folder whose every text is hostile to some export format: < & { } ~ = # : \\ tabs, line breaks.

Tabs and line breaks are in quotes and notes only: `quizgen check` refuses them in the other fields.

Laid out as tests/data/mini. Each quote is verbatim (up to folded whitespace) in its source's text.
"""

from __future__ import annotations

from pathlib import Path

SOURCE = r'''id = "hostile"
title = "The <b>Bold</b> & {Braces} Review: ~50% = #1 -> \\ end"
publisher = "Press & Sons <Ltd> {#1} \\ Co."
kind = "book"
published = "1990-05"
text = "hostile.txt"
'''

QUOTES = {
    "summit": "The Big Three met at <Livadia> & {Yalta}\ton 4 February 1945:\nterms = ~agreed #1 \\ final.",
    "konev": 'Marshal "Ivan" Konev <commander> & {front} ~ = # : led the First\tUkrainian Front.',
    "torgau": "They met near Torgau {on the Elbe} & <Strehla>: ~=# -> %50%",
    "sixty-ninth": "The 69th <Infantry> Division & {friends}\nmet the Red Army.",
    "bands": 'The parade had 11 bands {"four" nations} ~ = # :',
}

def _toml(value: str) -> str:
    """A TOML basic string: backslash, quote, tab, newline and carriage return escaped."""
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'


TOPIC = "War: {1945} & <after> / ~ = # \\ end \\: \\# \\n \\\\"
NL, TAB = "\n", "\t"
FACTS = [
    {"id": "summit", "kind": "date", "source": "hostile", "quote": QUOTES["summit"],
     "tags": ["yalta", "c++&<b>", "x]y"], "attributed": True,
     "note": 'Dates <disputed> & {contested}: ~ = # \\ see "Smith".' + NL + "Second line" + TAB + "after a tab."
             + "\r" + "Third line, after a lone carriage return.",
     # Long enough that its questions break Kahoot's 120-character limit.
     "event": 'the "Summit" at <Livadia> & {Yalta}: ~talks = #1 \\ end, where the three leaders settled '
              "the order of post-war Europe", "date": "1945-02-04",
     "distractors": ["1945-02-11", "1945-07-17", "1945-05-08"],
     "reverse_distractors": ["the <Potsdam> & {Berlin} conference: ~ = #", "the {Tehran} talks: round = #2",
                             "the Malta <meeting> & ~prelude~"]},
    {"id": "konev", "kind": "person", "source": "hostile", "quote": QUOTES["konev"], "tags": ["elbe"],
     "name": 'Ivan "The Marshal" Konev <K> & {K}',
     "role": "the marshal who led the First Ukrainian Front {1st} & <UF>: ~ = #",
     "nationality": "Soviet",
     "distractors": ["Konstantin <Rokossovsky> & {R}", "Rodion ~Malinovsky~ = #1", "Georgy Zhukov: \\ {Z}"],
     "reverse_distractors": ["the commander of the <Second> & {Belorussian} Front",
                             "the chief of the ~General~ Staff = #", "the commander of the Third: Front \\"]},
    {"id": "torgau", "kind": "place", "source": "hostile", "quote": QUOTES["torgau"], "tags": ["elbe"],
     "note": "Plain note, no specials.",
     "event": "the meeting on the Elbe {#1} & <Elbe> -> east", "place": "Torgau {on the Elbe} & <Strehla>",
     "place_type": "town", "preposition": "near",
     "distractors": ["%50% Strehla <S>", "Riesa & {R}: ~ = #", "Meissen -> west \\"],
     "reverse_distractors": ["the crossing at <Strehla> & {Kreinitz}", "the link-up at ~Riesa~ = #",
                             "the parade in Berlin: \\ {1945}"]},
    {"id": "sixty-ninth", "kind": "unit", "source": "hostile", "quote": QUOTES["sixty-ninth"], "tags": ["elbe"],
     "unit": "the 69th <Infantry> Division & {friends}", "echelon": "division", "side": "American",
     "action": "met the Red Army {at Torgau} & <Strehla>: ~ = #",
     "distractors": ["the 60th <Infantry> Division", "the 83rd & {Armored} Division", "the 2nd ~Cavalry~ = # Division"]},
    {"id": "bands", "kind": "quantity", "source": "hostile", "quote": QUOTES["bands"], "tags": ["parade"],
     "value": 11, "counts": 'bands in the parade {"four" nations} & <Berlin>: ~ = #', "distractors": [7, 9, 13]},
]
# Two more facts of each kind with a reverse template: reverse questions draw their wrong options
# from other facts of the kind.
for n, year in ((2, 1943), (3, 1944)):
    QUOTES[f"date-{n}"] = f"Extra {n}: the <{year}> & {{talks}} ~ = # : held."
    QUOTES[f"person-{n}"] = f"Person {n} <aide> & {{staff}} ~ = # : served."
    QUOTES[f"place-{n}"] = f"Place {n} <town> & {{river}} ~ = # : chosen."
    FACTS += [
        {"id": f"date-{n}", "kind": "date", "source": "hostile", "quote": QUOTES[f"date-{n}"],
         "event": f"the <{year}> & {{talks}} ~ = # round {n}", "date": f"{year}-0{n}-1{n}",
         "distractors": [f"{year}-0{n + 3}-1{n}", f"{year}-0{n + 4}-0{n}", f"{year}-0{n + 5}-2{n}"]},
        {"id": f"person-{n}", "kind": "person", "source": "hostile", "quote": QUOTES[f"person-{n}"],
         "name": f"Aide {n} <A> & {{B}}", "role": f"the aide {n} of the <staff> & {{front}}: ~ = #",
         "nationality": "Soviet", "distractors": [f"Aide {n}{m} ~{m}~ = #" for m in range(3)]},
        {"id": f"place-{n}", "kind": "place", "source": "hostile", "quote": QUOTES[f"place-{n}"],
         "event": f"the crossing {n} <of> & {{the river}}: ~ = #", "place": f"Town {n} <T> & {{R}}",
         "place_type": "town", "distractors": [f"Town {n}{m} ~{m}~ = #" for m in range(3)]},
    ]

DECK = {"id": "hostile", "title": "Hostile <Deck> & {Co}: ~ = # / slash",
        "description": "Every special character <&{}~=#:> in one deck.", "anki_name": "Tests::Hostile", "all": True}


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return _toml(str(value))


def _table(fields: dict) -> str:
    return "".join(f"{key} = {_value(value)}\n" for key, value in fields.items())


def write_hostile_library(root: Path) -> Path:
    (root / "content" / "sources").mkdir(parents=True)
    (root / "content" / "facts").mkdir(parents=True)
    (root / "decks").mkdir(parents=True)
    (root / "content" / "sources" / "hostile.toml").write_text(SOURCE, "utf-8")
    (root / "content" / "sources" / "hostile.txt").write_text("\n\n".join(QUOTES.values()) + "\n", "utf-8")
    facts = f"topic = {_toml(TOPIC)}\n" + "".join(f"\n[[fact]]\n{_table(fact)}" for fact in FACTS)
    (root / "content" / "facts" / "hostile.toml").write_text(facts, "utf-8")
    (root / "decks" / "hostile.toml").write_text(_table(DECK), "utf-8")
    return root
