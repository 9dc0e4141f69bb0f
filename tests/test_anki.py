"""The .apkg files themselves: identity, modification times, escaping, determinism, CLI.

Importing into the real Anki is in ``test_anki_import.py``; the helpers here
(``write_tricky_content``, ``apkg_notes``, ``edit_fact``) are shared with it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from quizgen.cli import cli
from quizgen.content import Library, load_library
from quizgen.export import notetypes
from quizgen.export.anki import FORMAT_EPOCH, apkg_bytes, write_apkg

# --- shared helpers ------------------------------------------------------------------------------

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
    return root


def apkg_notes(data: bytes) -> dict[str, dict]:
    """The notes inside an .apkg, by GUID: mod, fields, tags, and the names of their cards' decks."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        db = z.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    decks = {int(k): v["name"] for k, v in json.loads(conn.execute("SELECT decks FROM col").fetchone()[0]).items()}
    out = {}
    for nid, guid, mid, mod, tags, flds in conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes"):
        cards = [decks[did] for (did,) in conn.execute("SELECT did FROM cards WHERE nid = ?", (nid,))]
        out[guid] = {"mid": mid, "mod": mod, "tags": tags.split(), "fields": flds.split("\x1f"), "decks": cards}
    conn.close()
    return out


def copy_content(src: Path, dst: Path) -> Path:
    """A copy with the original modification times, as a checkout that nobody touched."""
    shutil.copytree(src / "content", dst / "content")
    shutil.copytree(src / "decks", dst / "decks")
    return dst


def edit_fact(library: Library, fact_id: str, old: str, new: str, later: int = 60) -> Path:
    """Replace ``old`` by ``new`` in the fact's file and date the file ``later`` seconds on.

    An editor saves a file well after the last export; a test cannot wait, so it sets the time.
    """
    path = library.root / "content" / "facts" / library.fact_files[fact_id]
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} should be unique in {path}"
    before = path.stat().st_mtime
    path.write_text(text.replace(old, new), "utf-8")
    os.utime(path, (before + later, before + later))
    return path


@pytest.fixture
def tricky_root(tmp_path) -> Path:
    return write_tricky_content(tmp_path / "tricky")


@pytest.fixture
def tricky(tricky_root) -> Library:
    return load_library(tricky_root)


# --- note types ----------------------------------------------------------------------------------

# If this fails you changed what Anki compares when it re-imports our note types.
# Deliberate template/CSS change: bump notetypes.NOTETYPE_MTIME, then update this hash.
# Field change: do not; add a "v2" note type with a new stable_id instead, or every
# learner gets a copy of the note type and duplicate notes.
DESIGN_DIGEST = "4cfd6fbdd594515ee5182693c8bf54708a7a8537205938effbe26bcc03e975fc"


def test_note_type_design_is_pinned():
    assert notetypes.design_digest() == DESIGN_DIGEST


def test_note_type_ids_are_fixed_and_in_genanki_range():
    # Changing these orphans every learner's existing notes.
    assert (notetypes.QA_ID, notetypes.CLOZE_ID) == (PIN_QA_ID, PIN_CLOZE_ID)
    for ident in (notetypes.QA_ID, notetypes.CLOZE_ID):
        assert 1 << 30 <= ident < 1 << 31


PIN_QA_ID = 2076423757
PIN_CLOZE_ID = 1193751398


def test_every_card_template_shows_the_citation_on_the_back():
    for template in (*notetypes.QA_TEMPLATES, *notetypes.CLOZE_TEMPLATES):
        assert "{{Citation}}" in template["afmt"]
        assert "{{Citation}}" not in template["qfmt"]


def test_css_styles_both_dark_mode_classes_and_phones():
    for selector in (".nightMode", ".night_mode", ".mobile", "@media (max-width"):
        assert selector in notetypes.CSS


# --- identity and modification times -------------------------------------------------------------

def test_export_is_byte_identical_and_the_file_matches_apkg_bytes(tricky, tmp_path):
    first = apkg_bytes(tricky, "everything")
    assert apkg_bytes(load_library(tricky.root), "everything") == first
    path = write_apkg(tricky, "everything", tmp_path / "out")
    assert path.name == "everything.apkg"
    assert path.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["everything.apkg"]  # no temp file left
    assert path.stat().st_mode & 0o044 == 0o044  # others can read the package they are given


def test_each_fact_is_a_qa_note_and_a_cloze_note_with_guids_from_the_fact_id(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert set(notes) == {f"quizgen:{style}:{fid}" for fid in ("tricky-person", "treaty-date")
                          for style in ("qa", "cloze")}
    assert notes["quizgen:qa:treaty-date"]["mid"] == notetypes.QA_ID
    assert notes["quizgen:cloze:treaty-date"]["mid"] == notetypes.CLOZE_ID


def test_editing_a_fact_keeps_its_guid_and_raises_only_its_files_notes_mod(tricky_root):
    library = load_library(tricky_root)
    before = apkg_notes(apkg_bytes(library, "everything"))
    edit_fact(library, "treaty-date", "the signing of the treaty", "the solemn signing of the treaty")
    after = apkg_notes(apkg_bytes(load_library(tricky_root), "everything"))
    assert set(after) == set(before)
    assert "solemn signing" in after["quizgen:cloze:treaty-date"]["fields"][0]
    assert after["quizgen:cloze:treaty-date"]["mod"] > before["quizgen:cloze:treaty-date"]["mod"]
    # The other file was not touched: its notes look unchanged to Anki.
    assert after["quizgen:qa:tricky-person"] == before["quizgen:qa:tricky-person"]


def test_mod_is_the_newest_mtime_of_the_facts_file_and_its_source(tricky_root):
    t0 = FORMAT_EPOCH + 1_000_000
    facts = tricky_root / "content" / "facts"
    source = tricky_root / "content" / "sources" / "ministry-release.toml"
    os.utime(facts / "plain.toml", (t0, t0))
    os.utime(facts / "tricky.toml", (t0 + 10, t0 + 10))
    os.utime(source, (t0 + 5, t0 + 5))
    notes = apkg_notes(apkg_bytes(load_library(tricky_root), "everything"))
    assert notes["quizgen:qa:treaty-date"]["mod"] == t0 + 5  # the source is newer than plain.toml
    assert notes["quizgen:qa:tricky-person"]["mod"] == t0 + 10


def test_mod_never_goes_below_the_format_epoch(tricky_root):
    # Old files still get the current wording's epoch, so a wording change reaches learners.
    for path in (tricky_root / "content").rglob("*.toml"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    notes = apkg_notes(apkg_bytes(load_library(tricky_root), "everything"))
    assert {n["mod"] for n in notes.values()} == {FORMAT_EPOCH}


# --- fields, tags, decks -------------------------------------------------------------------------

def test_html_in_content_is_escaped_in_every_field(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    for note in notes.values():
        for field in note["fields"]:
            assert "<script" not in field
    qa = notes["quizgen:qa:tricky-person"]["fields"]
    assert qa[1] == "Bob &lt;script&gt;alert(1)&lt;/script&gt; Smith"
    assert "Release on &lt;testing&gt; &amp; other things" in qa[2]
    assert 'href="https://example.org/release?a=1&amp;b=2"' in qa[2]


def test_cloze_field_has_exactly_one_gap_holding_the_answer(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    text = notes["quizgen:cloze:treaty-date"]["fields"][0]
    assert text == "The signing of the treaty of Examplestadt took place {{c1::on 4 March 1921}}."
    person = notes["quizgen:cloze:tricky-person"]["fields"][0]
    assert person.count("{{c1::") == 1 and person.count("}}") == 1


def test_attributed_and_official_facts_are_marked_in_the_citation(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    cite = notes["quizgen:qa:tricky-person"]["fields"][2]
    assert "The publisher's own claim" in cite
    assert "Official government source" in cite
    assert notes["quizgen:qa:tricky-person"]["fields"][0].startswith("According to the Ministry of Tests, who")
    assert "own claim" not in notes["quizgen:qa:treaty-date"]["fields"][2]


def test_tags_come_from_the_fact_and_its_kind_without_spaces(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert notes["quizgen:qa:tricky-person"]["tags"] == ["testing", "odd-tag", "kind::person"]
    assert notes["quizgen:cloze:treaty-date"]["tags"] == ["treaty", "kind::date"]


def test_topics_become_sub_decks_of_the_decks_anki_name(tricky):
    notes = apkg_notes(apkg_bytes(tricky, "everything"))
    assert notes["quizgen:qa:treaty-date"]["decks"] == ["Tests::Everything::Treaties"]
    assert notes["quizgen:cloze:tricky-person"]["decks"] == ["Tests::Everything::Odd <characters> & topics"]


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
    assert set(apkg_notes((out / "treaties.apkg").read_bytes())) == {
        "quizgen:qa:treaty-date", "quizgen:cloze:treaty-date"}


def test_cli_exports_all_decks(runner, tricky_root, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(cli, ["anki", "--content", str(tricky_root), "--all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["everything.apkg", "treaties.apkg"]


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


def test_cloze_syntax_in_content_cannot_break_or_add_gaps(tricky):
    from quizgen.export.anki import cloze_html

    source = tricky.sources["ministry-release"]
    fact = tricky.facts["tricky-person"].model_copy(
        update={"name": "Ann::Hint}} {{c2::Lee", "role": "the {{c3::odd}} tester"})
    text = cloze_html(fact, source)
    assert text.count("{{") == 1 and text.count("}}") == 1  # only our gap opens and closes
    assert text.startswith("According to the Ministry of Tests, {{c1::Ann&#58;&#58;Hint&#125;&#125;")
