"""`quizgen review`: the item-quality report, its errors and its stable JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from quizgen.cli import cli
from quizgen.templates import TEMPLATES

MINI = Path(__file__).parent / "data" / "mini"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def test_clean_content_reviews_without_errors_and_lists_every_fact_and_template(runner, tmp_path):
    root = _copy(tmp_path)
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace('action = "met the Red Army on the Elbe"',
                                               'action = "met the Red Army at Torgau"'))
    result = runner.invoke(cli, ["review", "--content", str(root), "--deck", "war", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == 0
    [deck] = data["decks"]
    assert deck["deck"] == "war" and deck["summary"]["facts"] == 5
    pairs = {(i["fact_id"], i["template"]) for i in deck["items"] if i["template"] != "fact"}
    kinds = {"meeting-date": "date", "konev": "person", "torgau": "place", "sixty-ninth": "unit", "bands": "quantity"}
    assert pairs == {(f, t) for f, k in kinds.items() for t in TEMPLATES[k] if t != "cloze"}
    # "Which American division met the Red Army at Torgau?" answers "Where did the meeting take place?"
    sixty_ninth = next(i for i in deck["items"] if (i["fact_id"], i["template"]) == ("sixty-ninth", "forward"))
    assert any(f["code"] == "gives-away" and "torgau" in f["message"] for f in sixty_ninth["findings"])
    again = runner.invoke(cli, ["review", "--content", str(root), "--deck", "war", "--json"])
    assert again.output == result.output  # stable: a teacher can diff two runs


def test_a_stem_naming_its_answer_and_a_title_naming_an_answer_are_errors(runner, tmp_path):
    root = _copy(tmp_path)
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace('action = "met the Red Army on the Elbe"',
                                               'action = "met the Red Army with the 69th Infantry Division"'))
    deck = root / "decks/war.toml"
    deck.write_text(deck.read_text().replace('title = "The end of the war"', 'title = "Konev and the end of the war"'))
    result = runner.invoke(cli, ["review", "--content", str(root), "--deck", "war", "--questions"])
    assert result.exit_code == 1
    assert "sixty-ninth [forward] (not offered)" in result.output
    assert "the forward stem names its own answer" in result.output and "[stem-names-answer]" in result.output
    assert "names the answer 'Ivan Konev'" in result.output and "[title-gives-answer]" in result.output
    # Grouped, the report says each kind once with the one edit that mends it, and each error's fact.
    grouped = runner.invoke(cli, ["review", "--content", str(root), "--deck", "war"]).output
    assert "error stem-names-answer (" in grouped and "reword the fact's event, role or action" in grouped
    assert "sixty-ninth [forward]: the forward stem names its own answer" in grouped
    assert "error title-gives-answer (" in grouped and "rename the deck" in grouped
    assert "sixty-ninth [forward] (not offered)" not in grouped  # questions only on request
    assert grouped.rstrip().endswith("lists every question with its options.)")
    assert "error" in grouped.splitlines()[-1]


def test_the_deck_id_is_checked_like_the_title(runner, tmp_path):
    # "link-up-1945" is printed in every quiz code and worksheet header: it names the Elbe.
    root = _copy(tmp_path)
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace('place = "Torgau"', 'place = "Riesa"').replace(
        'distractors = ["Strehla", "Riesa", "Meissen"]', 'distractors = ["Strehla", "Torgau", "Meissen"]'))
    (root / "decks/war.toml").write_text((root / "decks/war.toml").read_text().replace('id = "war"', 'id = "riesa-1945"'))
    result = runner.invoke(cli, ["review", "--content", str(root), "--deck", "riesa-1945"])
    assert result.exit_code == 1 and "names the answer 'Riesa'" in result.output, result.output


def test_too_few_coherent_options_is_reported_not_asked(runner, tmp_path):
    root = _copy(tmp_path)
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace('distractors = ["Strehla", "Riesa", "Meissen"]\n', ""))
    data = json.loads(runner.invoke(cli, ["review", "--content", str(root), "--deck", "war", "--json"]).output)
    torgau = {i["template"]: i for i in data["decks"][0]["items"] if i["fact_id"] == "torgau"}
    assert torgau["forward"]["stem"] is None
    assert [f["code"] for f in torgau["forward"]["findings"]] == ["not-offered"]


def test_the_bundled_decks_have_no_stem_naming_its_own_answer(runner):
    result = runner.invoke(cli, ["review", "--json"])
    data = json.loads(result.output)
    assert result.exit_code == (1 if data["errors"] else 0)
    codes = {f["code"] for d in data["decks"] for i in d["items"] for f in i["findings"]}
    assert "stem-names-answer" not in codes
    assert {d["deck"] for d in data["decks"]} == {"link-up-1945", "allies-1945", "relations-1933", "all-facts"}
