"""Durations ("8 days 3 h 18 min") as a teacher writes them: checked, asked "How long …?", options apart."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import cli
from quizgen.content import load_library
from quizgen.durations import in_unit, parse
from quizgen.quiz import QuizMaker, QuizSpec

APOLLO = Path(__file__).parent / "data" / "apollo"


@pytest.mark.parametrize("text, asked", [
    ("8 days 3 h 18 min", (8, "days", True)),
    ("2 h 31 min", (2.5, "hours", True)),
    ("2 hours and 31 minutes", (2.5, "hours", True)),
    ("21 days", (21, "days", False)),
    ("1 day", (24, "hours", False)),
    ("90 min", (90, "minutes", False)),
    ("190 days 4 h", (190, "days", True)),
])
def test_a_duration_is_asked_in_its_largest_unit(text, asked):
    assert in_unit(*parse(text)) == asked


def test_questions_ask_how_long_with_options_a_clear_step_apart():
    maker = QuizMaker(load_library(APOLLO))
    seen = set()
    for seed in range(40):
        for q in maker.make(QuizSpec("apollo", 10, seed)).questions:
            seen.add(q.stem if q.template == "forward" else "statement")
            assert not re.search(r"\b1 (hours|days)\b", " ".join((q.stem, *q.options)))
            if q.template == "forward" and q.fact_id == "moonwalk":
                assert q.stem == "About how long did Armstrong and Aldrin's moonwalk last?"
                figures = sorted(float(re.search(r"[\d.]+", o).group()) for o in q.options)
                assert q.answer == "About 2.5 hours"
                # No wrong option within a quarter of 2.5 hours: "about 3 hours" is arguably 2 h 31 min.
                assert all(f == 2.5 or not 1.875 < f < 3.34 for f in figures)
                assert all(re.fullmatch(r"About \d+(\.5)? hours?", o) for o in q.options)
            if q.template == "true_false" and q.fact_id == "mission-length":
                assert re.fullmatch(r"True or false\? The Apollo 11 mission lasted about \d+ days\.", q.stem)
    assert "How long did the crew's quarantine last?" in seen
    assert "About how long did the Apollo 11 mission last?" in seen


@pytest.mark.parametrize("old, new, message", [
    ('value = "2 h 31 min"', 'value = "2 hrz 31 min"',
     "fact moonwalk, field value: 'hrz' is not a unit of time; write years, weeks, days, h, min or s"),
    ('value = "2 h 31 min"', 'value = "2 h 31 min"\nmeasure = "hours"',
     "fact moonwalk, field measure: a duration carries its own units; drop measure"),
    ('value = "2 h 31 min"', 'value = "2 h 31 min"\ndistractors = [3]',
     "fact moonwalk, field distractors[0]: give wrong durations as the value is given"),
])
def test_check_refuses_a_bad_duration_in_one_line(tmp_path, old, new, message):
    root = tmp_path / "apollo"
    shutil.copytree(APOLLO, root)
    facts = root / "content" / "facts" / "apollo.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--content", str(root)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "moonwalk" in line]
    assert len(lines) == 1 and message in lines[0] and "content/facts/apollo.toml" in lines[0]


def test_a_date_the_stem_puts_after_another_event_gets_no_wrong_date_before_it():
    # "the splashdown … after the launch": a wrong date before the launch of 16 July 1969 is struck out.
    import datetime as dt
    import random

    from quizgen.dates import FuzzyDate
    from quizgen.questions import make_question

    library = load_library(APOLLO)
    maker = QuizMaker(library)
    fact = library.facts["splashdown-date"]
    assert maker.knowledge.date_bounds(fact)[0] == dt.date(1969, 7, 17)
    before = 0
    for seed in range(60):
        for template in ("forward", "true_false"):
            q = make_question(fact, template, library.sources["nasa"], "t", maker.index, random.Random(seed),
                              knowledge=maker.knowledge)
            shown = q.options if template == "forward" else [q.stem.removesuffix(".").rsplit(" on ", 1)[1]]
            for text in shown:
                if text in ("True", "False"):
                    continue
                assert FuzzyDate.parse(dt.datetime.strptime(text, "%d %B %Y").date().isoformat()).value > \
                    dt.date(1969, 7, 16), q.stem
        unbounded = make_question(fact, "forward", library.sources["nasa"], "t", maker.index, random.Random(seed))
        before += any(dt.datetime.strptime(o, "%d %B %Y").date() <= dt.datetime(1969, 7, 16).date()
                      for o in unbounded.options)
    assert before > 0  # without the model's order, some wrong dates fall before the launch
