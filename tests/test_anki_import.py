"""Exported packages imported into the real Anki (the official ``anki`` package).

Each test opens a fresh collection in tmp_path and imports with Anki's default
options (update notes and note types "if newer"), as the desktop app does.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
from test_anki import SCRIPT_NAME, copy_content, edit_fact, write_tricky_content

from quizgen.content import Library, load_library
from quizgen.export import notetypes
from quizgen.export.anki import write_apkg

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection


@pytest.fixture
def col(tmp_path):
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def import_apkg(col, path: Path):
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(path), options=anki_collection.ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def snapshot(col) -> dict:
    """What a learner could notice: every note's fields, tags and mod; every card's deck and schedule."""
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        notes[note.guid] = (tuple(note.fields), tuple(note.tags), note.mod, note.mid)
    cards = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        cards[cid] = (card.nid, card.did, card.ord, card.type, card.ivl, card.due, card.reps)
    return {"notes": notes, "cards": cards, "notetypes": sorted(m["name"] for m in col.models.all())}


def quizgen_notetypes(col) -> list[str]:
    return sorted(m["name"] for m in col.models.all() if m["name"].startswith("quizgen"))


def notes_by_guid(col) -> dict:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


@pytest.fixture
def tricky(tmp_path) -> Library:
    return load_library(write_tricky_content(tmp_path / "tricky"))


@pytest.mark.parametrize("deck_id", ["all-facts", "allies-1945", "elbe-1945", "relations-1933"])
def test_bundled_deck_imports_with_a_citation_on_every_card(library, col, tmp_path, deck_id):
    if deck_id not in library.decks:
        pytest.skip(f"bundled content has no deck {deck_id}")
    facts = library.deck_facts(deck_id)
    log = import_apkg(col, write_apkg(library, deck_id, tmp_path / "dist"))
    assert len(log.new) == 2 * len(facts)
    assert col.note_count() == 2 * len(facts)
    assert col.card_count() == 2 * len(facts)  # one Q/A card and one cloze card per fact
    quotes = {fact.id: fact.quote for fact in facts}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        fact_id = card.note()["Fact"]
        answer = card.answer()
        assert html.escape(quotes[fact_id], quote=True) in answer, f"card of {fact_id} lacks its quote"
        assert library.source_of(library.facts[fact_id]).publisher in html.unescape(answer)
    names = {d.name for d in col.decks.all_names_and_ids()}
    anki_name = library.deck(deck_id).anki_name
    assert {f"{anki_name}::{library.topics[f.id]}" for f in facts} <= names


def test_synthetic_deck_imports_completely(synth_library, col, tmp_path):
    n = len(synth_library.deck_facts("all-facts"))
    import_apkg(col, write_apkg(synth_library, "all-facts", tmp_path / "dist"))
    assert col.note_count() == 2 * n
    assert col.card_count() == 2 * n
    assert quizgen_notetypes(col) == [notetypes.CLOZE_NAME, notetypes.QA_NAME]


def test_html_in_a_fact_shows_as_text_not_markup(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        assert "<script" not in card.question() and "<script" not in card.answer()
    qa = notes_by_guid(col)["quizgen:qa:tricky-person"]
    answer = qa.cards()[0].answer()
    assert html.escape(SCRIPT_NAME) in answer  # the browser shows the literal text
    assert "The publisher's own claim" in html.unescape(answer)
    assert "Official government source" in answer


def test_cloze_card_hides_the_answer_on_the_front_and_shows_it_on_the_back(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    card = notes_by_guid(col)["quizgen:cloze:treaty-date"].cards()[0]
    front = card.question().split("</style>")[-1]
    assert "4 March 1921" not in front and "[...]" in front
    assert "on 4 March 1921" in card.answer()


def test_reimporting_unchanged_content_changes_nothing(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    before = snapshot(col)
    # A fresh export of the same content, not the same file.
    log = import_apkg(col, write_apkg(load_library(tricky.root), "everything", tmp_path / "dist2"))
    assert len(log.new) == 0 and len(log.updated) == 0
    assert snapshot(col) == before


def test_an_edited_fact_updates_the_learners_note_and_keeps_its_schedule(synth_root, col, tmp_path):
    root = copy_content(synth_root, tmp_path / "content-copy")
    library = load_library(root)
    import_apkg(col, write_apkg(library, "all-facts", tmp_path / "v1"))
    count = col.note_count()
    fact = next(f for f in library.deck_facts("all-facts") if f.kind == "date")
    guid = f"quizgen:cloze:{fact.id}"

    # The learner studies the card before the correction arrives.
    card = notes_by_guid(col)[guid].cards()[0]
    card.start_timer()
    col.sched.answerCard(card, 3)
    studied = col.get_card(card.id)
    assert studied.reps == 1

    edit_fact(library, fact.id, f'"{fact.event}"', f'"{fact.event} (corrected)"')
    log = import_apkg(col, write_apkg(load_library(root), "all-facts", tmp_path / "v2"))

    assert col.note_count() == count  # updated in place, no duplicate
    assert len(log.new) == 0
    notes = notes_by_guid(col)
    assert f"{fact.event[1:]} (corrected)" in html.unescape(notes[guid]["Text"])
    assert f"{fact.event} (corrected)" in html.unescape(notes[f"quizgen:qa:{fact.id}"]["Question"])
    after = col.get_card(card.id)
    assert (after.reps, after.ivl, after.due, after.type) == (studied.reps, studied.ivl, studied.due, studied.type)
    assert quizgen_notetypes(col) == [notetypes.CLOZE_NAME, notetypes.QA_NAME]  # no "copy" note types


def test_a_touched_but_unchanged_file_leaves_notes_and_schedule_as_they_were(tricky, col, tmp_path):
    # A fresh clone or `touch` gives newer mtimes to identical content: Anki may take the
    # "update" (and stamp the notes modified), but fields, decks and schedule must not change.
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "v1"))
    before = snapshot(col)
    for path in (tricky.root / "content").rglob("*.toml"):
        t = path.stat().st_mtime + 3600
        os.utime(path, (t, t))
    import_apkg(col, write_apkg(load_library(tricky.root), "everything", tmp_path / "v2"))
    after = snapshot(col)
    strip = lambda snap: {g: (f, t, m) for g, (f, t, _mod, m) in snap["notes"].items()}  # noqa: E731
    assert strip(after) == strip(before)
    assert after["cards"] == before["cards"]
    assert after["notetypes"] == before["notetypes"]


def test_all_decks_into_one_collection_keep_every_fact_once(synth_library, col, tmp_path):
    # all-facts overlaps every group deck: a fact is one Q/A note and one cloze note,
    # whichever and however many decks bring it.
    for deck_id in synth_library.decks:
        import_apkg(col, write_apkg(synth_library, deck_id, tmp_path / "dist"))
    guids = [col.get_note(nid).guid for nid in col.find_notes("")]
    assert len(guids) == len(set(guids)) == 2 * len(synth_library.facts)
    assert col.card_count() == 2 * len(synth_library.facts)
    assert quizgen_notetypes(col) == [notetypes.CLOZE_NAME, notetypes.QA_NAME]


def test_a_fact_stays_in_the_sub_deck_it_was_first_imported_into(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "treaties", tmp_path / "dist"))
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    notes = notes_by_guid(col)
    deck_of = lambda guid: col.decks.name(notes[guid].cards()[0].did)  # noqa: E731
    assert deck_of("quizgen:qa:treaty-date") == "Tests::Treaties::Treaties"
    assert deck_of("quizgen:qa:tricky-person") == "Tests::Everything::Odd <characters> & topics"
    assert col.note_count() == 4
