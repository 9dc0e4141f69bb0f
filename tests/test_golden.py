"""Golden files of the phrasing on the bundled content, readable in review.

If a phrasing or the content changes on purpose, regenerate them with
``QUIZGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import cli
from quizgen.questions import attribute, cloze, statement, stem_text
from quizgen.templates import TEMPLATES

GOLDEN = Path(__file__).parent / "golden"


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("QUIZGEN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with QUIZGEN_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the diff, regenerate if intended"


def test_phrasing_of_every_bundled_fact(library):
    out = []
    for fact in library.facts.values():
        source = library.source_of(fact)
        out.append(f"## {fact.id} ({fact.kind})")
        out.append(f"forward:   {attribute(stem_text(fact, 'forward'), fact, source)}")
        if "reverse" in TEMPLATES[fact.kind]:
            out.append(f"reverse:   {attribute(stem_text(fact, 'reverse'), fact, source)}")
        out.append(f"statement: {statement(fact, source)}")
        out.append(f"cloze:     {cloze(fact, source)}")
        out.append("")
    _compare("phrasing.txt", "\n".join(out))


@pytest.mark.parametrize("deck", ["link-up-1945", "allies-1945", "relations-1933", "all-facts"])
def test_quiz_of_each_bundled_deck(deck):
    result = CliRunner().invoke(cli, ["quiz", "--deck", deck, "--count", "10", "--seed", "1"])
    assert result.exit_code == 0, result.output
    # The code ends in the content digest, which any content edit changes; the questions are what matter.
    text = result.output.replace(result.output.split("quiz ", 1)[1].split("\n", 1)[0], "<code>", 1)
    body, key = text.split("Answer key")
    asked = len(re.findall(r"^\d+\. ", body, re.M))
    # Ten, or fewer with the note saying so (the quality gate asks fewer rather than weaker questions).
    assert asked == key.count("Source: ") and (asked == 10 or f"gave {asked} questions" in body)
    _compare(f"quiz-{deck}.txt", text)
