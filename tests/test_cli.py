"""The command line: help everywhere, clear errors, stable JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quizgen.cli import cli
from quizgen.content import load_library
from quizgen.quiz import KIND_LABELS, LETTERS, QuizMaker, QuizSpec

MINI = Path(__file__).parent / "data" / "mini"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner, name):
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"quizgen {name}" in result.output


def test_group_help_has_an_example(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_check_passes_on_mini(runner):
    result = runner.invoke(cli, ["check", "--content", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "OK: 6 facts from 2 sources in 2 decks." in result.output


def test_check_reports_problems_one_per_line_without_traceback(tmp_path):
    root = tmp_path / "bad"
    shutil.copytree(MINI, root)
    war = root / "content/facts/war.toml"
    war.write_text(war.read_text().replace('date = "1945-04-25"', 'date = "1945-02-30"')
                   .replace('place = "Torgau"', 'place = ""'))
    proc = subprocess.run([sys.executable, "-m", "quizgen", "check", "--content", str(root)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-1] == "2 problems found."
    assert any("fact meeting-date, field date: impossible date 1945-02-30" in x for x in lines)
    assert any("fact torgau, field place: empty" in x for x in lines)


def test_missing_content_folder_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(cli, ["check", "--content", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no content/ folder here" in result.output


def test_decks_json(runner):
    result = runner.invoke(cli, ["decks", "--content", str(MINI), "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {(r["id"], r["facts"]) for r in rows} == {("war", 5), ("all", 6)}


def test_facts_json_is_stable_and_cites_quotes(runner):
    first = runner.invoke(cli, ["facts", "--content", str(MINI), "--deck", "war", "--json"])
    second = runner.invoke(cli, ["facts", "--content", str(MINI), "--deck", "war", "--json"])
    assert first.exit_code == 0 and first.output == second.output
    rows = json.loads(first.output)
    konev = next(r for r in rows if r["id"] == "konev")
    assert konev["kind"] == "person"
    assert konev["slots"] == {"name": "Ivan Konev", "role": "the marshal who commanded the First Ukrainian Front",
                              "nationality": "Soviet", "gender": None, "living": False}
    assert konev["citation"]["quote"] == "Ivan Konev commanded the First Ukrainian Front."
    assert konev["citation"]["publisher"] == "Test Press"


def test_unknown_deck_is_a_clear_error(runner):
    result = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "nope"])
    assert result.exit_code == 1
    assert "No deck with id 'nope'. Known decks: all, war." in result.output


def test_quiz_prints_questions_then_key_with_citations(runner):
    result = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "all", "--count", "4", "--seed", "3"])
    assert result.exit_code == 0, result.output
    made = QuizMaker(load_library(MINI)).make(QuizSpec("all", 4, 3))
    body, key = result.output.split("Answer key")
    for n, q in enumerate(made.questions, start=1):
        assert f"{n}. {q.stem}" in body
        assert f"{n}. {LETTERS[q.answer_index]}) {q.answer}\n   Source: {q.citation.line()}" in key
    assert "A) " in body and "B) " in body
    assert key.count("Source: ") == len(made.questions) == 4
    assert key.count("(the publisher's own claim)") == sum(q.citation.attributed for q in made.questions)


def test_quiz_json_keys_answers_and_citations_agree_with_the_facts(runner):
    result = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "war", "--count", "5", "--seed", "1",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["code"].startswith("war.5.frt.1.")
    facts = {r["id"]: r for r in json.loads(runner.invoke(
        cli, ["facts", "--content", str(MINI), "--deck", "war", "--json"]).output)}
    asked = [q["fact_id"] for q in data["questions"]]
    # Each fact at most once; the quality gate may leave a fact out rather than ask it weakly.
    assert len(asked) == len(set(asked)) == data["count"] >= 4 and set(asked) <= set(facts)
    for q in data["questions"]:
        fact = facts[q["fact_id"]]
        assert q["kind"] in KIND_LABELS and q["fact_kind"] == fact["kind"]
        assert q["citation"] == fact["citation"]
        if q["kind"] == "forward":
            assert q["answer"].casefold() == fact["answer"].casefold()  # capitalised as an option


def test_quiz_by_code_alone_remakes_the_same_quiz(runner):
    args = ["quiz", "--content", str(MINI), "--deck", "war", "--count", "3", "--seed", "4", "--kinds", "forward,true-false"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    code = first.output.split(" — quiz ", 1)[1].split()[0]
    assert code.startswith("war.3.ft.4.")
    again = runner.invoke(cli, ["quiz", "--content", str(MINI), "--code", code])
    assert again.exit_code == 0, again.output
    assert again.output == first.output
    same_deck = runner.invoke(cli, ["quiz", "--content", str(MINI), "--code", code, "--deck", "war"])
    assert same_deck.output == first.output


@pytest.mark.parametrize("extra, message", [
    (["--deck", "all"], "--deck all disagrees with quiz code war.3.ft.4."),
    (["--seed", "5"], "drop --seed"),
    (["--count", "3"], "drop --count"),
])
def test_quiz_code_refuses_options_that_contradict_it(runner, extra, message):
    first = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "war", "--count", "3", "--seed", "4",
                                "--kinds", "forward,true_false"])
    code = first.output.split(" — quiz ", 1)[1].split()[0]
    result = runner.invoke(cli, ["quiz", "--content", str(MINI), "--code", code, *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_quiz_needs_a_deck_or_a_code(runner):
    result = runner.invoke(cli, ["quiz", "--content", str(MINI)])
    assert result.exit_code == 2 and "give --deck ID" in result.output


def test_quiz_says_when_the_deck_gives_fewer_questions_than_asked(runner):
    result = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "war", "--count", "50"])
    assert result.exit_code == 0
    n = len(QuizMaker(load_library(MINI)).make(QuizSpec("war", 50, 0)).questions)
    assert n < 50
    assert f"This deck gave {n} questions of these kinds, not the 50 asked for." in result.output
    assert result.output.split("Answer key")[1].count("Source: ") == n
    full = runner.invoke(cli, ["quiz", "--content", str(MINI), "--deck", "war", "--count", str(n)])
    assert "This deck gave" not in full.output


def test_quiz_help_names_each_kind_with_its_label(runner):
    out = " ".join(runner.invoke(cli, ["quiz", "--help"]).output.split())
    for kind, label in KIND_LABELS.items():
        assert f"{kind} ({label.lower()})" in out


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "quizgen", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and "quizgen" in proc.stdout


def test_decks_say_how_many_questions_one_quiz_can_ask(runner):
    rows = json.loads(runner.invoke(cli, ["decks", "--json"]).output)
    for row in rows:
        longest = json.loads(runner.invoke(cli, ["quiz", "--deck", row["id"], "--count", "200", "--seed", "5",
                                                 "--json"]).output)
        # Trivia is not asked and related facts are kept apart: a whole-deck quiz may be shorter still.
        assert 0 < len(longest["questions"]) <= row["questions"] <= row["facts"]
    table = runner.invoke(cli, ["decks"]).output
    assert all(f"up to {row['questions']:>3} questions" in table for row in rows)
