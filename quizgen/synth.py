"""A synthetic content folder of any size, made with faker, for tests and benchmarks.

Every fact is valid content: its quote stands word for word in its source's
stored text, so ``quizgen check`` and every output work on it like on real
content.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from faker import Faker

from .distractors import ordinal
from .errors import QuizgenError
from .translit import to_latin

FACTS_PER_FILE = 1000
FACTS_PER_SOURCE = 100
PROGRESS_EVERY = 100  # facts between progress updates: a few ms of work, so the bar moves smoothly
_KINDS = ("date", "person", "place", "unit", "quantity")
_NATIONS = (("Soviet", "ru_RU"), ("American", "en_US"), ("British", "en_GB"), ("French", "fr_FR"))
_ROLES = ("ambassador to {c}", "marshal of the {a} army", "general of the {a} army", "reporter for the {c} Herald",
          "secretary of the {c} delegation", "commissar of the {c} front", "chairman of the {c} committee")
_PLACE_TYPES = ("city", "town", "square", "river")
_ECHELONS = (("division", "{n} {arm} Division"), ("corps", "{n} {arm} Corps"),
             ("army", "{n} Army"), ("front", "{n} {region} Front"))
_ARMS = ("Infantry", "Rifle", "Armored", "Guards", "Airborne", "Mountain")
_COUNTS = ("delegates at the {c} conference", "soldiers in the {c} garrison", "days of the {c} talks",
           "ships in the {c} convoy", "pages of the {c} treaty")


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string


def _fact(kind: str, i: int, rng: random.Random, fakes: dict[str, Faker]) -> tuple[dict, str]:
    """The fact's fields and the sentence of the source that states it."""
    fake = fakes["en_US"]
    city = fake.city()
    if kind == "date":
        year = rng.randint(1900, 1990)
        precision = rng.choice(("day", "day", "month", "year"))
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        date = {"day": f"{year:04d}-{month:02d}-{day:02d}", "month": f"{year:04d}-{month:02d}",
                "year": f"{year:04d}"}[precision]
        event = f"the signing of the {city} accord number {i}"
        return {"event": event, "date": date}, f"The {event[4:]} took place in {date}."
    if kind == "person":
        nationality, locale = rng.choice(_NATIONS)
        f = fakes[locale]
        name = to_latin(f"{f.first_name_male()} {f.last_name_male()}")
        role = "the " + rng.choice(_ROLES).format(c=city, a=nationality) + f" in delegation {i}"
        return ({"name": name, "role": role, "nationality": nationality, "gender": "male"},
                f"{name} served as {role}.")
    if kind == "place":
        ptype = rng.choice(_PLACE_TYPES)
        place = {"city": city, "town": fake.city(), "square": f"{fake.last_name()} Square",
                 "river": f"the {fake.last_name()} River"}[ptype]
        event = f"the {fake.word()} conference number {i}"
        prep = {"city": "in", "town": "in", "square": "at", "river": "on"}[ptype]
        return ({"event": event, "place": place, "place_type": ptype, "preposition": prep},
                f"The {event[4:]} met {prep} {place}.")
    if kind == "unit":
        echelon, pattern = rng.choice(_ECHELONS)
        side = rng.choice(("Soviet", "American", "British"))
        unit = "the " + pattern.format(n=ordinal(rng.randint(1, 120)), arm=rng.choice(_ARMS),
                                       region=fake.last_name())
        action = f"reached {city} in operation {i}"
        return ({"unit": unit, "echelon": echelon, "side": side, "action": action},
                f"In operation {i}, {unit} reached {city}.")
    value = rng.choice((rng.randint(2, 60), rng.randint(2, 99) * 10, rng.randint(2, 99) * 1000))
    counts = rng.choice(_COUNTS).format(c=city) + f" of {i}"
    return {"value": value, "counts": counts}, f"There were {value} {counts}."


def write_library(facts: int, out: Path, seed: int = 0,
                  progress: Callable[[int], None] | None = None) -> Path:
    """Write a content folder of ``facts`` facts to ``out`` (which must not exist or be empty).

    ``progress(n)`` is told every ``PROGRESS_EVERY`` facts that ``n`` more are done.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise QuizgenError(f"{out} is not empty; choose a new folder so nothing is overwritten")
    if facts < 5:
        raise QuizgenError("--facts must be at least 5, one of each kind")
    rng = random.Random(seed)
    fakes = {locale: Faker(locale) for locale in {"en_US", *(loc for _, loc in _NATIONS)}}
    for i, fake in enumerate(fakes.values()):
        fake.seed_instance(seed * 100 + i)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=out.parent))
    try:
        (tmp / "content" / "sources").mkdir(parents=True)
        (tmp / "content" / "facts").mkdir()
        (tmp / "decks").mkdir()
        source_lines: dict[int, list[str]] = {}
        files: dict[int, list[str]] = {}
        for i in range(facts):
            kind = _KINDS[i % len(_KINDS)]
            slots, sentence = _fact(kind, i, rng, fakes)
            src = i // FACTS_PER_SOURCE
            source_lines.setdefault(src, []).append(sentence)
            lines = ["[[fact]]", f"id = \"{kind}-{i}\"", f"kind = \"{kind}\"",
                     f"source = \"synthetic-{src}\"", f"quote = {_s(sentence)}",
                     f"tags = [\"synthetic\", \"group-{(i // len(_KINDS)) % 10}\"]"]
            if rng.random() < 0.1:
                lines.append("attributed = true")
            lines += [f"{k} = {v if isinstance(v, int) else _s(v)}" for k, v in slots.items()]
            files.setdefault(i // FACTS_PER_FILE, []).append("\n".join(lines))
            if progress is not None and (i + 1) % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
        if progress is not None and facts % PROGRESS_EVERY:
            progress(facts % PROGRESS_EVERY)
        for src, sentences in source_lines.items():
            year = 1991 + src % 30  # after every synthetic date (1900–1990): no source reports a later event
            (tmp / "content" / "sources" / f"synthetic-{src}.txt").write_text("\n\n".join(sentences) + "\n")
            (tmp / "content" / "sources" / f"synthetic-{src}.toml").write_text(
                f"id = \"synthetic-{src}\"\ntitle = \"Synthetic chronicle, volume {src + 1}\"\n"
                f"publisher = \"Synthetic Press {src % 7}\"\nkind = \"book\"\npublished = \"{year}\"\n"
                f"text = \"synthetic-{src}.txt\"\n"
            )
        for n, blocks in files.items():
            (tmp / "content" / "facts" / f"part-{n:04d}.toml").write_text(
                f"topic = \"Synthetic part {n + 1}\"\n\n" + "\n\n".join(blocks) + "\n"
            )
        (tmp / "decks" / "all-facts.toml").write_text(
            "id = \"all-facts\"\ntitle = \"All synthetic facts\"\n"
            f"description = \"Every one of the {facts} synthetic facts.\"\n"
            "anki_name = \"Synthetic\"\nall = true\n"
        )
        for g in range(min(10, facts)):
            (tmp / "decks" / f"group-{g}.toml").write_text(
                f"id = \"group-{g}\"\ntitle = \"Synthetic group {g}\"\n"
                f"description = \"Synthetic facts tagged group-{g}.\"\n"
                f"anki_name = \"Synthetic::Group {g}\"\ntags = [\"group-{g}\"]\n"
            )
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
