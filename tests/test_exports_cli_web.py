"""The `export` command's behaviour (limits, progress, errors) and the download buttons on the site."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from exports_hostile import write_hostile_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exports import read_gift

from quizgen.cli import cli
from quizgen.content import load_library
from quizgen.export import gift, moodle
from quizgen.export.formats import FORMATS
from quizgen.export.short import fit
from quizgen.quiz import QuizMaker, QuizSpec

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    return write_hostile_library(tmp_path_factory.mktemp("hostile") / "lib")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def quiz_json(root: Path, deck: str, count: int, seed: int, kinds: str = "forward,reverse,true_false") -> dict:
    result = invoke("quiz", "--content", str(root), "--deck", deck, "--count", str(count), "--seed", str(seed),
                    "--kinds", kinds, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # Kahoot counts UTF-16 code units


def too_long_for_kahoot(q: dict) -> bool:
    """Over Kahoot's limits even in the short form (quizgen.export.short's table is the spec)."""
    stem = fit(q["stem"], 120, statement=q["kind"] == "true_false")
    return units(stem) > 120 or any(units(fit(o, 75)) > 75 for o in q["options"]) or len(q["options"]) > 4


# ---- limits: listed, never cut ----------------------------------------------------------------


def test_kahoot_lists_questions_over_the_limits_and_writes_nothing(hostile_root, tmp_path):
    expected = quiz_json(hostile_root, "hostile", 11, 1)
    over = [n for n, q in enumerate(expected["questions"], start=1) if too_long_for_kahoot(q)]
    assert 0 < len(over) < len(expected["questions"]), "the case needs questions on both sides of the limits"
    target = tmp_path / "k.xlsx"
    result = invoke("export", "--content", str(hostile_root), "--format", "kahoot", "--deck", "hostile",
                    "--count", "11", "--seed", "1", "-o", str(target))
    assert result.exit_code == 1
    listed = [int(n) for n in re.findall(r"^Left out question (\d+) \(fact ", result.stderr, re.M)]
    assert listed == over
    assert f"{len(over)} of {len(expected['questions'])} questions break Kahoot's limits" in result.stderr
    assert "--skip-too-long" in result.stderr
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either

    result = invoke("export", "--content", str(hostile_root), "--format", "kahoot", "--deck", "hostile",
                    "--count", "11", "--seed", "1", "-o", str(target), "--skip-too-long")
    assert result.exit_code == 0, result.output
    assert f"({len(expected['questions']) - len(over)} questions, Kahoot! spreadsheet)" in result.stdout
    assert target.exists()


def test_an_export_within_the_limits_needs_no_flag(tmp_path):
    target = tmp_path / "k.xlsx"
    result = invoke("export", "--content", str(MINI), "--format", "kahoot", "--deck", "war", "--count", "3",
                    "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "Left out" not in result.stderr and target.exists()


# ---- the command: deck or code, default name, errors -----------------------------------------


def test_deck_and_code_give_the_same_file(tmp_path):
    code = quiz_json(MINI, "all", 5, 3)["code"]
    by_deck, by_code = tmp_path / "a.xml", tmp_path / "b.xml"
    assert invoke("export", "--content", str(MINI), "--format", "moodle-xml", "--deck", "all", "--count", "5",
                  "--seed", "3", "-o", str(by_deck)).exit_code == 0
    assert invoke("export", "--content", str(MINI), "--format", "moodle-xml", "--code", code,
                  "-o", str(by_code)).exit_code == 0
    assert by_deck.read_bytes() == by_code.read_bytes()


def test_default_file_name_is_the_code_and_format(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = quiz_json(MINI, "all", 4, 2)["code"]
    result = invoke("export", "--content", str(MINI), "--format", "canvas-qti", "--code", code)
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{code}-canvas-qti.zip").is_file()


@pytest.mark.parametrize("args, message", [
    (["--format", "gift"], "give either --deck ID"),
    (["--format", "gift", "--deck", "all", "--code", "all.5.frt.1.00000000"], "give either --deck ID"),
    (["--format", "pdf", "--deck", "all"], "'pdf' is not one of"),
    (["--format", "gift", "--deck", "nope"], "No deck with id 'nope'"),
    (["--format", "gift", "--code", "all.5.frt.1.00000000"], "earlier version of the content"),
    (["--format", "gift", "--code", "garbage"], "is not a quiz code"),
    (["--format", "gift", "--code", "all.5.frt.1.00000000", "--seed", "2"], "--code already holds"),
])
def test_mistakes_are_one_line_errors(args, message, tmp_path):
    result = invoke("export", "--content", str(MINI), *args, "-o", str(tmp_path / "x"))
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_a_quiz_without_questions_is_refused_not_exported(tmp_path):
    # The mini "war" deck has no second date, person or place fact to make reverse questions from.
    result = invoke("export", "--content", str(MINI), "--format", "moodle-xml", "--deck", "war", "--kinds",
                    "reverse", "-o", str(tmp_path / "m.xml"))
    assert result.exit_code == 1
    assert "no questions of these kinds" in result.output
    assert not (tmp_path / "m.xml").exists()


# ---- progress: a bar on a terminal, silence otherwise -----------------------------------------


def test_no_progress_output_when_not_on_a_terminal(tmp_path):
    result = invoke("export", "--content", str(MINI), "--format", "gift", "--deck", "all", "--count", "5",
                    "-o", str(tmp_path / "g.txt"))
    assert result.exit_code == 0
    assert result.stderr == ""


def test_progress_bar_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "web")]), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizgen", "export", "--content", str(MINI), "--format", "moodle-xml",
         "--deck", "all", "--count", "5", "-o", str(tmp_path / "m.xml")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    screen = seen.decode("utf-8", "replace")
    assert "Moodle XML: all.5." in screen  # the label names the format and the quiz code
    assert "5/5" in screen  # counts: questions written of questions in the quiz
    assert b"Wrote" in out


# ---- GIFT and Moodle XML round trips of arbitrary text ----------------------------------------

_PIECES = [*"abcXYZ019 ~=#{}:\\<>&\"'%-/[]\t\néЖ", "->", "//", "&amp;", "]]>", "&&092;", "%50%"]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=25).map("".join).map(str.strip).filter(bool)


@pytest.fixture(scope="module")
def mini_quiz():
    library = load_library(MINI)
    return library, QuizMaker(library).make(QuizSpec("all", 5, 1))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(_TEXT, st.lists(_TEXT, min_size=4, max_size=4, unique=True)),
                      min_size=5, max_size=5))
def test_any_text_round_trips_through_gift_and_moodle_xml(texts, mini_quiz, tmp_path_factory):
    library, quiz = mini_quiz
    questions = tuple(dataclasses.replace(q, stem=stem, options=tuple(options[: len(q.options)]))
                      for q, (stem, options) in zip(quiz.questions, texts, strict=True))
    odd = dataclasses.replace(quiz, questions=questions)
    path = tmp_path_factory.mktemp("rt") / "q.gift"
    path.write_bytes(gift.render(odd, library).data)
    parsed = [p for p in read_gift(path) if p["type"] != "Category"]
    assert [html.unescape(p["stem"]["text"]) for p in parsed] == [q.stem for q in questions]
    assert [[html.unescape(c["text"]["text"]) for c in p["choices"]] for p in parsed] == [
        list(q.options) for q in questions]

    from moodle_xml_parser.parser import parse_bytes

    read = parse_bytes(moodle.render(odd, library).data)["multichoice"]
    assert [r.text_pre_parse for r in read] == [q.stem for q in questions]
    assert [[o.answer for o in r.options] for r in read] == [list(q.options) for q in questions]


# ---- the site: buttons on the deck page, downloads by code ------------------------------------


@pytest.fixture(scope="module")
def hostile_client(hostile_root):
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(hostile_root)}).test_client()


@pytest.fixture(scope="module")
def mini_client():
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(MINI)}).test_client()


def test_deck_page_offers_every_format(hostile_client):
    page = hostile_client.get("/decks/hostile").get_data(as_text=True)
    assert 'action="/decks/hostile/export"' in page
    for name, export_format in FORMATS.items():
        assert f'name="format" value="{name}"' in page
        assert html.escape(export_format.import_hint, quote=False) in page


def test_download_is_the_cli_file_for_the_same_code(hostile_client, hostile_root, tmp_path):
    response = hostile_client.get("/decks/hostile/export?format=gift&count=11&seed=1&kinds=forward&kinds=reverse"
                                  "&kinds=true_false")
    assert response.status_code == 303
    code = quiz_json(hostile_root, "hostile", 11, 1)["code"]
    assert response.headers["Location"] == f"/q/{code}/export/gift"
    for name, export_format in FORMATS.items():
        got = hostile_client.get(f"/q/{code}/export/{name}?skip_too_long=1")
        assert got.status_code == 200, name
        assert got.mimetype == export_format.mimetype
        assert got.headers["Content-Disposition"] == f'attachment; filename="{export_format.filename(code)}"'
        target = tmp_path / name
        assert invoke("export", "--content", str(hostile_root), "--format", name, "--code", code,
                      "-o", str(target), "--skip-too-long").exit_code == 0
        assert got.data == target.read_bytes(), name


def test_download_over_the_limits_lists_them_and_offers_the_rest(hostile_client, hostile_root):
    expected = quiz_json(hostile_root, "hostile", 11, 1)
    over = [n for n, q in enumerate(expected["questions"], start=1) if too_long_for_kahoot(q)]
    response = hostile_client.get(f"/q/{expected['code']}/export/kahoot")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.findall(r"<li>Question (\d+) \(", page) == [str(n) for n in over]
    link = f'/q/{expected["code"]}/export/kahoot?skip_too_long=1'
    assert f'href="{link}"' in page
    assert hostile_client.get(link).status_code == 200


@pytest.mark.parametrize("url, status", [
    ("/decks/hostile/export?count=3", 400),  # no format chosen
    ("/decks/hostile/export?format=docx&count=3", 400),
    ("/decks/hostile/export?format=gift&count=0", 400),
    ("/decks/hostile/export?format=gift&count=abc", 400),
    ("/decks/nope/export?format=gift", 404),
    ("/q/hostile.5.frt.1.00000000/export/gift", 400),  # made from other content
    ("/q/not-a-code/export/gift", 400),
    ("/decks/war/export?format=gift&kinds=reverse&seed=0", None),  # a quiz without questions: 303, then 400
    ("/q/hostile.5.frt.1.00000000/export/docx", 404),
])
def test_bad_requests_get_plain_messages(hostile_client, mini_client, url, status):
    client = mini_client if status is None else hostile_client
    response = client.get(url, follow_redirects=status is None)
    if status is None:
        assert "nothing to export" in response.get_data(as_text=True)
    status = status or 400
    assert response.status_code == status
    assert "Something went wrong" not in response.get_data(as_text=True)


def _left_out_numbers(page: str, anchor: str) -> list[int]:
    block = page.split(anchor, 1)[1].split("</ul>", 1)[0]
    return [int(n) for n in re.findall(r"<li>Question (\d+) \(", block)]


def test_deck_page_warns_before_the_click_what_kahoot_would_leave_out(hostile_client, hostile_root):
    """The form's own quiz (default count, quiz number 0): the warning lists what the download would list."""
    page = hostile_client.get("/decks/hostile").get_data(as_text=True)
    count = int(re.search(r'id="export-count"[^>]*value="(\d+)"', page).group(1))
    expected = quiz_json(hostile_root, "hostile", count, 0)
    over = [n for n, q in enumerate(expected["questions"], start=1) if too_long_for_kahoot(q)]
    assert over, "the hostile deck's default quiz has questions over Kahoot's limits"
    assert 'id="kahoot-warning"' in page
    assert page.index('id="kahoot-warning"') < page.index('name="format" value="kahoot"')  # before the button
    assert _left_out_numbers(page, 'id="kahoot-warning"') == over
    assert f"would leave out {len(over)} of {len(expected['questions'])} questions" in page
    download = hostile_client.get(f"/q/{expected['code']}/export/kahoot").get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<li>Question (\d+) \(", download)] == over


def test_bundled_deck_pages_have_no_kahoot_warning():
    from quizgen.webapp import create_app

    client = create_app({"TESTING": True}).test_client()
    for deck_id in load_library(None).decks:
        page = client.get(f"/decks/{deck_id}")
        assert page.status_code == 200
        assert 'id="kahoot-warning"' not in page.get_data(as_text=True), deck_id
