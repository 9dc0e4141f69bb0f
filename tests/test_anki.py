"""The .apkg files themselves: identity, the ledger's modification times, fields, escaping, decks, CLI.

Importing into the real Anki is in ``test_anki_import.py``; the helpers here
(``write_tricky_content``, ``apkg_notes``, ``edit_fact``, ``fresh_clone``) are shared with it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import io
import json
import os
import shutil
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.cli import cli
from quizgen.content import Library, load_library
from quizgen.export import ledger, notetypes
from quizgen.export.anki import apkg_bytes, deck_name, guid, root_name, write_apkg
from quizgen.export.ledger import update_ledger

# --- shared helpers ------------------------------------------------------------------------------

LEDGER_T0 = 1_795_310_000  # the test content's ledger: after ledger.FLOOR, before any learner's edit
SCRIPT_NAME = "Bob <script>alert(1)</script> Smith"

_SOURCE = """\
id = "ministry-release"
title = "Release on <testing> & other things"
publisher = "Ministry of Tests"
kind = "press-release"
published = "2021-03-04"
url = "https://example.org/release?a=1&b=2"
text = "ministry-release.txt"
official = true
attribute_as = "the Ministry of Tests"
"""

_TEXT = """\
The ministry said that Bob <script>alert(1)</script> Smith was the chief tester of the ministry.
The treaty of Examplestadt was signed on 4 March 1921, the release recalled.
"""

_TRICKY = """\
topic = "Odd <characters> & topics"

[[fact]]
id = "tricky-person"
kind = "person"
source = "ministry-release"
quote = "Bob <script>alert(1)</script> Smith was the chief tester of the ministry."
tags = ["testing", "odd-tag"]
attributed = true
note = "Historians <em>dispute</em> the title; the ministry's own records call him its deputy tester."
name = "Bob <script>alert(1)</script> Smith"
role = "the chief tester of the ministry"
nationality = "American"
"""

_PLAIN = """\
topic = "Treaties"

[[fact]]
id = "treaty-date"
kind = "date"
source = "ministry-release"
quote = "The treaty of Examplestadt was signed on 4 March 1921"
tags = ["treaty"]
event = "the signing of the treaty of Examplestadt"
date = "1921-03-04"
"""

_DECKS = {
    "everything.toml": 'id = "everything"\ntitle = "Everything"\ndescription = "All <facts>."\n'
                       'anki_name = "Tests::Everything"\nall = true\n',
    "treaties.toml": 'id = "treaties"\ntitle = "Treaties"\ndescription = "Only treaties."\n'
                     'anki_name = "Tests::Treaties"\nfiles = ["plain.toml"]\n',
}


def write_tricky_content(root: Path) -> Path:
    """A two-fact content folder with HTML in the fact, an attributed claim and an official source."""
    (root / "content" / "sources").mkdir(parents=True)
    (root / "content" / "facts").mkdir()
    (root / "decks").mkdir()
    (root / "content" / "sources" / "ministry-release.toml").write_text(_SOURCE, "utf-8")
    (root / "content" / "sources" / "ministry-release.txt").write_text(_TEXT, "utf-8")
    (root / "content" / "facts" / "tricky.toml").write_text(_TRICKY, "utf-8")
    (root / "content" / "facts" / "plain.toml").write_text(_PLAIN, "utf-8")
    for name, text in _DECKS.items():
        (root / "decks" / name).write_text(text, "utf-8")
    # As in a repository: the ledger is committed with the content.
    update_ledger(load_library(root), now=LEDGER_T0)
    return root


def apkg_notes(data: bytes) -> dict[str, dict]:
    """The notes inside an .apkg, by GUID: note type, mod, fields by name, tags, and their cards' (ord, deck)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        db = z.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    decks = {int(k): v["name"] for k, v in json.loads(conn.execute("SELECT decks FROM col").fetchone()[0]).items()}
    out = {}
    for nid, note_guid, mid, mod, tags, flds in conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes"):
        cards = [(o, decks[did]) for o, did in conn.execute("SELECT ord, did FROM cards WHERE nid = ? ORDER BY ord",
                                                            (nid,))]
        values = flds.split("\x1f")
        out[note_guid] = {"mid": mid, "mod": mod, "tags": tags.split(), "cards": cards, "raw": values,
                          "fields": dict(zip(notetypes.FIELDS, values, strict=False))}
    conn.close()
    return out


def fresh_clone(src: Path, dst: Path) -> Path:
    """The content as a fresh clone has it: the same bytes, every file time new."""
    for folder in ("content", "decks"):
        shutil.copytree(src / folder, dst / folder, copy_function=shutil.copyfile)
    later = time.time() + 86_400
    for path in dst.rglob("*"):
        os.utime(path, (later, later))
    return dst


def edit_fact(library: Library, fact_id: str, old: str, new: str, when: int = LEDGER_T0 + 3600) -> Path:
    """Replace ``old`` by ``new`` in the fact's file, then record it in the ledger as the curator would."""
    path = library.root / "content" / "facts" / library.fact_files[fact_id]
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} should be unique in {path}"
    path.write_text(text.replace(old, new), "utf-8")
    change = update_ledger(load_library(library.root), now=when)
    assert change.changed == (fact_id,), change
    return path


@pytest.fixture
def tricky_root(tmp_path) -> Path:
    return write_tricky_content(tmp_path / "tricky")


@pytest.fixture
def tricky(tricky_root) -> Library:
    return load_library(tricky_root)


# --- note type -----------------------------------------------------------------------------------

# If this fails you changed what Anki compares when it re-imports our note type.
# Deliberate template/CSS change: bump notetypes.NOTETYPE_MTIME, then update this hash.
# Field or card change: do not; add a "v3" note type with a new stable_id and a migration
# note instead, or every learner gets a copy of the note type and notes that never update.
DESIGN_DIGEST = "7a0e87df371d03683d1864747c40c242356e234ede50833cf15afca0436a2b63"


def test_note_type_design_is_pinned():
    assert notetypes.design_digest() == DESIGN_DIGEST


def test_note_type_id_is_fixed_and_in_genanki_range():
    # Changing it orphans every learner's existing notes.
    assert notetypes.ID == 1489971249
    assert 1 << 30 <= notetypes.ID < 1 << 31
    assert notetypes.ID not in (notetypes.V1_QA_ID, notetypes.V1_CLOZE_ID)
    assert notetypes.NAME.endswith("v2")


def test_both_cards_show_the_whole_citation_on_the_back_only():
    for template in notetypes.TEMPLATES:
        for field in ("Quote", "Publisher", "Title", "Published", "URL", "Note", "Attributed", "Official"):
            assert "{{" + field + "}}" in template["afmt"], (template["name"], field)
            assert field not in template["qfmt"]
    assert [t["name"] for t in notetypes.TEMPLATES] == ["Question", "Fill in"]


def test_css_styles_both_dark_mode_classes_and_phones():
    for selector in (".nightMode", ".night_mode", ".mobile", "@media (max-width"):
        assert selector in notetypes.CSS


# --- one note per fact ---------------------------------------------------------------------------

def test_each_fact_is_one_note_with_a_question_card_and_a_fill_in_card(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert set(notes) == {"quizgen:fact:tricky-person", "quizgen:fact:treaty-date"}
    for note in notes.values():
        assert note["mid"] == notetypes.ID
        assert [o for o, _ in note["cards"]] == [0, 1]
        assert len(note["raw"]) == len(notetypes.FIELDS)


def test_every_field_holds_its_part_of_the_fact_escaped(tricky):
    person = apkg_notes(apkg_bytes(tricky, "everything"))["quizgen:fact:tricky-person"]["fields"]
    assert person["Question"].startswith("According to the Ministry of Tests, who was the chief tester")
    assert person["Answer"] == "Bob &lt;script&gt;alert(1)&lt;/script&gt; Smith"
    assert person["Quote"] == "Bob &lt;script&gt;alert(1)&lt;/script&gt; Smith was the chief tester of the ministry."
    assert person["Publisher"] == "Ministry of Tests"
    assert person["Title"] == "Release on &lt;testing&gt; &amp; other things"
    assert person["Published"] == "4 March 2021"
    assert person["URL"] == "https://example.org/release?a=1&amp;b=2"
    assert person["Attributed"] == "The publisher's own claim"
    assert person["Official"] == "Official government source"
    assert person["Note"].startswith("Historians &lt;em&gt;dispute&lt;/em&gt; the title")
    assert person["Kind"] == "person" and person["Fact"] == "tricky-person"
    assert person["Topic"] == "Odd &lt;characters&gt; &amp; topics"
    for value in person.values():
        assert "<script" not in value and "<em>" not in value


def test_a_fact_without_a_claim_or_a_note_leaves_those_fields_empty(tricky):
    treaty = apkg_notes(apkg_bytes(tricky, "everything"))["quizgen:fact:treaty-date"]["fields"]
    assert treaty["Attributed"] == "" and treaty["Note"] == ""
    assert treaty["Official"] == "Official government source"  # the source is official, the fact not a claim


def test_the_fill_in_gap_hides_only_the_answer_and_names_what_is_wanted(tricky):
    treaty = apkg_notes(apkg_bytes(tricky, "everything"))["quizgen:fact:treaty-date"]["fields"]
    assert treaty["FillIn"] == ('The treaty of Examplestadt was signed on '
                                '<span class="qz-gap">[date]</span>.')
    assert treaty["Statement"] == ('The treaty of Examplestadt was signed on '
                                   '<span class="qz-gap">4 March 1921</span>.')
    person = apkg_notes(apkg_bytes(tricky, "everything"))["quizgen:fact:tricky-person"]["fields"]
    assert person["FillIn"] == ('According to the Ministry of Tests, <span class="qz-gap">[name]</span> '
                                'was the chief tester of the ministry.')


def test_cloze_puts_the_preposition_outside_the_gap_and_a_hint_inside(tricky, library):
    from quizgen.questions import cloze

    fact = tricky.facts["treaty-date"]
    assert cloze(fact, tricky.source_of(fact)) == (
        "The treaty of Examplestadt was signed on {{c1::4 March 1921::date}}.")
    month = fact.model_copy(update={"date": fact.date.parse("1921-03")})
    assert cloze(month, tricky.source_of(fact)).endswith("was signed in {{c1::March 1921::month}}.")
    wanted = {"person": ("name",), "quantity": ("number", "time"), "date": ("date", "month", "year")}
    for f in library.facts.values():
        text = cloze(f, library.source_of(f))
        assert text.count("{{c1::") == 1, text
        hint = text.split("{{c1::")[1].split("}}")[0].rsplit("::", 1)[1]
        assert hint in wanted.get(f.kind, (getattr(f, "place_type", None), getattr(f, "echelon", None))), text


def test_control_characters_in_content_never_reach_a_field_or_tag(tricky):
    from quizgen.export import notes

    fact = tricky.facts["tricky-person"].model_copy(
        update={"quote": "Bob\x1fSmith\x00 was\x07 here", "name": "Ann\x1fLee", "tags": ("a\x1fb",)})
    values = notes.fields(fact, tricky.sources["ministry-release"], "Topic\x1f")
    assert len(values) == len(notetypes.FIELDS)
    for value in values:
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value), value
    assert values[notetypes.FIELD_INDEX["Quote"]] == "Bob Smith  was  here"
    assert notes.tags(fact) == ["a_b", "kind::person"]


def test_tags_are_safe_names_and_the_kind(tricky):
    from quizgen.export import notes

    notes_ = apkg_notes(apkg_bytes(tricky, "everything"))
    assert notes_["quizgen:fact:tricky-person"]["tags"] == ["testing", "odd-tag", "kind::person"]
    odd = tricky.facts["treaty-date"].model_copy(update={"tags": ("a::b::c", "<b>bold</b>", "::", "ok")})
    assert notes.tags(odd) == ["a_b_c", "b_bold_b", "ok", "kind::date"]


# --- decks ---------------------------------------------------------------------------------------

def test_every_package_puts_a_fact_in_its_topics_deck_under_the_shared_root(tricky):
    assert root_name(tricky) == "Tests"
    for deck_id in ("everything", "treaties"):
        notes = apkg_notes(apkg_bytes(tricky, deck_id))
        assert notes["quizgen:fact:treaty-date"]["cards"] == [(0, "Tests::Treaties"), (1, "Tests::Treaties")]
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert {d for _, d in notes["quizgen:fact:tricky-person"]["cards"]} == {"Tests::Odd <characters> & topics"}


def test_bundled_decks_share_one_root(library):
    assert root_name(library) == "US–Soviet History"


def test_colons_in_a_topic_or_anki_name_add_no_deck_level(tricky):
    assert deck_name("Tests", "Part A::Part B:::C") == "Tests::Part A:Part B:C"
    assert deck_name("Tests", " :: ") == "Tests::Other"
    odd = tricky.decks["everything"].model_copy(update={"anki_name": "Tests:: ::Odd\x1f name"})
    library = dataclasses.replace(tricky, decks={"everything": odd})
    assert root_name(library) == "Tests"


# --- modification times: the ledger --------------------------------------------------------------

def test_export_is_byte_identical_and_the_file_matches_apkg_bytes(tricky, tmp_path):
    first = apkg_bytes(tricky, "everything")
    assert apkg_bytes(load_library(tricky.root), "everything") == first
    path = write_apkg(tricky, "everything", tmp_path / "out")
    assert path.name == "everything.apkg"
    assert path.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["everything.apkg"]  # no temp file left
    assert path.stat().st_mode & 0o044 == 0o044  # others can read the package they are given


def test_a_fresh_clone_exports_the_same_bytes(tricky, tmp_path):
    clone = load_library(fresh_clone(tricky.root, tmp_path / "clone"))
    for deck_id in tricky.decks:
        assert apkg_bytes(clone, deck_id) == apkg_bytes(tricky, deck_id)


def test_note_times_come_from_the_ledger(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert {n["mod"] for n in notes.values()} == {LEDGER_T0}
    assert "tricky-person\t" in ledger.ledger_path(tricky.root).read_text("utf-8")


def test_editing_one_fact_raises_only_its_notes_time(tricky_root):
    library = load_library(tricky_root)
    before = apkg_notes(apkg_bytes(library, "everything"))
    edit_fact(library, "treaty-date", "the signing of the treaty", "the solemn signing of the treaty")
    after = apkg_notes(apkg_bytes(load_library(tricky_root), "everything"))
    assert "solemn signing" in after["quizgen:fact:treaty-date"]["fields"]["FillIn"]
    assert after["quizgen:fact:treaty-date"]["mod"] == LEDGER_T0 + 3600
    assert after["quizgen:fact:tricky-person"] == before["quizgen:fact:tricky-person"]


def test_a_change_of_source_counts_for_each_of_its_facts(tricky_root):
    source = tricky_root / "content" / "sources" / "ministry-release.toml"
    source.write_text(source.read_text("utf-8").replace("Ministry of Tests\"", "Ministry of Testing\""), "utf-8")
    change = update_ledger(load_library(tricky_root), now=LEDGER_T0 + 10)
    assert change.changed == ("treaty-date", "tricky-person") and not change.added


def test_updating_an_up_to_date_ledger_changes_nothing(tricky_root):
    path = ledger.ledger_path(tricky_root)
    before = path.read_bytes(), path.stat().st_mtime_ns
    assert not update_ledger(load_library(tricky_root), now=LEDGER_T0 + 99)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_a_stale_ledger_still_gives_an_update_and_check_names_the_fact(tricky_root):
    library = load_library(tricky_root)
    plain = tricky_root / "content" / "facts" / "plain.toml"
    plain.write_text(plain.read_text("utf-8").replace("the signing", "the formal signing"), "utf-8")
    library = load_library(tricky_root)
    notes = apkg_notes(apkg_bytes(library, "everything"))
    assert notes["quizgen:fact:treaty-date"]["mod"] == LEDGER_T0 + 1  # newer than what learners have
    assert notes["quizgen:fact:tricky-person"]["mod"] == LEDGER_T0
    assert ledger.stale_facts(library) == ["treaty-date"]
    (problem,) = ledger.ledger_problems(library)
    assert "treaty-date" in str(problem) and "quizgen anki-ledger" in str(problem)
    assert str(problem).startswith("In content/anki-ledger.tsv")


def test_a_fact_the_ledger_has_never_seen_gets_the_floor_and_removed_facts_leave(tricky_root):
    path = ledger.ledger_path(tricky_root)
    path.write_text(path.read_text("utf-8").replace("treaty-date", "gone-fact"), "utf-8")
    library = load_library(tricky_root)
    notes = apkg_notes(apkg_bytes(library, "everything"))
    assert notes["quizgen:fact:treaty-date"]["mod"] == ledger.FLOOR
    change = update_ledger(library, now=LEDGER_T0 + 50)
    assert change.added == ("treaty-date",) and change.removed == ("gone-fact",)
    assert "gone-fact" not in path.read_text("utf-8")


def test_an_unreadable_ledger_line_is_a_problem_not_a_crash(tricky_root):
    path = ledger.ledger_path(tricky_root)
    path.write_text(path.read_text("utf-8") + "<<<<<<< HEAD\n", "utf-8")
    library = load_library(tricky_root)
    assert apkg_notes(apkg_bytes(library, "everything"))  # exports regardless
    (problem,) = ledger.ledger_problems(library)
    assert problem.line is not None and "merge conflict" in problem.message
    update_ledger(library, now=LEDGER_T0 + 5)
    assert ledger.ledger_problems(load_library(tricky_root)) == []


def test_a_source_file_with_a_bom_exports(tricky_root):
    # Sources are not re-read with a second TOML parser: what the loader accepts, the export takes.
    source = tricky_root / "content" / "sources" / "ministry-release.toml"
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert len(apkg_notes(apkg_bytes(load_library(tricky_root), "everything"))) == 2


def test_progress_reports_every_fact_once(synth_library):
    calls: list[int] = []
    apkg_bytes(synth_library, "all-facts", progress=calls.append)
    assert sum(calls) == len(synth_library.deck_facts("all-facts"))
    assert len(calls) > 1  # a bar that moves, not one jump at the end


# --- command line --------------------------------------------------------------------------------

def test_cli_exports_one_deck(runner, tricky_root, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(cli, ["anki", "--content", str(tricky_root), "--deck", "treaties", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["treaties.apkg"]
    assert set(apkg_notes((out / "treaties.apkg").read_bytes())) == {guid("treaty-date")}
    assert result.output == f"Wrote {out / 'treaties.apkg'}\n"  # no bar, no warning: not a terminal


def test_cli_exports_all_decks_of_a_large_library_without_a_bar_off_a_terminal(runner, synth_root, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(cli, ["anki", "--content", str(synth_root), "--all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{d}.apkg" for d in load_library(synth_root).decks)
    assert "\r" not in result.output and "%" not in result.output
    assert "anki-ledger" in result.output  # the synthetic library has no ledger: the command says so


def test_cli_unknown_deck_fails_cleanly_and_writes_nothing(runner, tricky_root, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(cli, ["anki", "--content", str(tricky_root), "--deck", "nope", "-o", str(out)])
    assert result.exit_code == 1
    assert "No deck with id 'nope'" in result.output and "everything" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_cli_needs_deck_or_all(runner, tricky_root, tmp_path):
    result = runner.invoke(cli, ["anki", "--content", str(tricky_root), "-o", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "--deck ID or --all" in result.output


def test_cli_anki_ledger_updates_and_checks(runner, tricky_root):
    check = ["anki-ledger", "--content", str(tricky_root), "--check"]
    assert runner.invoke(cli, check).exit_code == 0
    plain = tricky_root / "content" / "facts" / "plain.toml"
    plain.write_text(plain.read_text("utf-8").replace("the signing", "the formal signing"), "utf-8")
    result = runner.invoke(cli, check)
    assert result.exit_code == 1 and "treaty-date" in result.output
    export = runner.invoke(cli, ["anki", "--content", str(tricky_root), "--all", "-o", str(tricky_root / "dist")])
    assert export.exit_code == 0  # exports, and says what to do
    assert "1 new or changed facts, first treaty-date); run `quizgen anki-ledger`" in export.output
    result = runner.invoke(cli, ["anki-ledger", "--content", str(tricky_root)])
    assert result.exit_code == 0 and "0 new, 1 changed, 0 removed, 1 unchanged" in result.output
    assert runner.invoke(cli, check).exit_code == 0


def test_bundled_ledger_is_up_to_date(library):
    # Editing bundled facts or quizgen's wording needs `quizgen anki-ledger` and a commit of the file.
    assert ledger.ledger_problems(library) == []


@pytest.mark.parametrize("folder", ["chemistry", "italy", "astronomy"])
def test_the_example_folders_ledgers_are_up_to_date(folder):
    # The teacher folders update cleanly in Anki too: their ledgers follow every edit and wording change.
    from pathlib import Path

    from quizgen.content import load_library

    root = Path(__file__).resolve().parent.parent / "examples" / folder
    assert ledger.ledger_problems(load_library(root)) == []


def test_an_answer_that_ends_the_sentence_with_a_full_stop_gives_one_full_stop(tricky):
    from quizgen.export import notes
    from quizgen.models import QuantityFact
    from quizgen.questions import cloze

    source = tricky.sources["ministry-release"]
    hour = QuantityFact(kind="quantity", id="parade-hour", source=source.id, quote="The parade began at 11 am.",
                        value=11, counts="the hour the parade began", measure="o'clock",
                        stems={"cloze": "The parade began at {answer}."})
    assert cloze(hour, source) == "The parade began at {{c1::11 a.m.::time}}"
    front, back = notes.fill_in(hour, source)
    assert front == 'The parade began at <span class="qz-gap">[time]</span>.'
    assert back == 'The parade began at <span class="qz-gap">11 a.m.</span>'


def test_cli_shows_a_progress_bar_on_a_terminal(synth_root, tmp_path):
    import pty
    import subprocess
    import sys
    import threading

    main, follower = pty.openpty()  # stderr is a terminal, as in an interactive shell
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                         os.environ.get("PYTHONPATH", "")])}
    chunks: list[bytes] = []

    def drain() -> None:  # read as it comes: a full terminal buffer would block the command
        with contextlib.suppress(OSError):
            while chunk := os.read(main, 65536):
                chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.run([sys.executable, "-m", "quizgen", "anki", "--content", str(synth_root), "--deck",
                           "all-facts", "-o", str(tmp_path)], stdout=subprocess.PIPE, stderr=follower,
                          env=env, timeout=300)
    os.close(follower)
    reader.join(timeout=10)
    os.close(main)
    shown = b"".join(chunks)
    assert proc.returncode == 0, shown
    n = len(load_library(synth_root).deck_facts("all-facts"))
    assert f"all-facts ({n:,} facts)".encode() in shown and f"{n}/{n}".encode() in shown
    assert b"\r" in shown  # a bar redrawn in place
    assert proc.stdout.decode().startswith("Wrote ")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_becomes_a_field_that_shows_it_and_never_breaks_a_note(value):
    from quizgen.export import notes

    field = notes.text(value)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in field)  # \x1f would split the note
    assert "<" not in field and ">" not in field  # no markup of the content's own
    shown = "".join(" " if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 else ch for ch in value)
    assert html.unescape(field) == shown  # what the learner reads is the text, controls as spaces


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_tag_or_deck_level_stays_one_level_and_one_tag(value):
    from quizgen.export import notes

    tag = notes.tag_name(value)
    assert all(ch.isalnum() or ch in "_.-" for ch in tag) and "::" not in tag
    level = notes.deck_component(value)
    assert "::" not in level and level == level.strip(" :")
    assert deck_name("Root", value).count("::") == 1
