"""Exported packages imported into the real Anki (the official ``anki`` package), as a learner would.

Each test opens a fresh collection in tmp_path and imports with Anki's default
options (update notes and note types "if newer"), as the desktop app does;
the sibling tests also take the package's deck preset, as the README asks.
"""

from __future__ import annotations

import html
from pathlib import Path

import genanki
import pytest
from test_anki import LEDGER_T0, SCRIPT_NAME, edit_fact, fresh_clone, write_tricky_content

from quizgen.content import Library, load_library
from quizgen.export import notetypes
from quizgen.export.anki import PRESET_NAME, guid, root_name, write_apkg

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
QUEUE_SIBLING_BURIED = -2  # anki.consts.QUEUE_TYPE_SIBLING_BURIED


@pytest.fixture
def col(tmp_path):
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


def import_apkg(col, path: Path, with_deck_configs: bool = False):
    options = anki_collection.ImportAnkiPackageOptions(with_deck_configs=with_deck_configs)
    request = anki_collection.ImportAnkiPackageRequest(package_path=str(path), options=options)
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
        cards[cid] = (card.nid, card.did, card.ord, card.type, card.queue, card.ivl, card.due, card.reps)
    return {"notes": notes, "cards": cards, "notetypes": sorted(m["name"] for m in col.models.all()),
            "decks": sorted(d.name for d in col.decks.all_names_and_ids())}


def quizgen_notetypes(col) -> list[str]:
    return sorted(m["name"] for m in col.models.all() if m["name"].startswith("quizgen"))


def notes_by_guid(col) -> dict:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def empty_decks(col) -> list[str]:
    """Decks holding no card, themselves or below (Anki's Default deck aside)."""
    out = []
    for deck in col.decks.all_names_and_ids():
        if deck.name != "Default" and not col.find_cards(f'"deck:{deck.name}"'):
            out.append(deck.name)
    return out


def study(col, card_id: int) -> None:
    card = col.get_card(card_id)
    card.start_timer()
    col.sched.answerCard(card, 3)


@pytest.fixture
def tricky(tmp_path) -> Library:
    return load_library(write_tricky_content(tmp_path / "tricky"))


@pytest.mark.parametrize("deck_id", ["all-facts", "allies-1945", "link-up-1945", "relations-1933"])
def test_bundled_deck_imports_with_a_citation_on_every_card(library, col, tmp_path, deck_id):
    if deck_id not in library.decks:
        pytest.skip(f"bundled content has no deck {deck_id}")
    facts = library.deck_facts(deck_id)
    log = import_apkg(col, write_apkg(library, deck_id, tmp_path / "dist"))
    assert len(log.new) == col.note_count() == len(facts)  # one note per fact
    assert col.card_count() == 2 * len(facts)  # a question card and a fill-in card each
    by_id = {fact.id: fact for fact in facts}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        fact = by_id[card.note()["Fact"]]
        answer = html.unescape(card.answer())
        assert fact.quote in answer, f"card of {fact.id} lacks its quote"
        assert library.source_of(fact).publisher in answer
        if fact.note:
            assert fact.note in answer  # the curator's note, wherever the quote is
    root = root_name(library)
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {f"{root}::{library.topics[f.id]}" for f in facts} <= names
    assert empty_decks(col) == []


def test_synthetic_deck_imports_completely(synth_library, col, tmp_path):
    n = len(synth_library.deck_facts("all-facts"))
    import_apkg(col, write_apkg(synth_library, "all-facts", tmp_path / "dist"))
    assert col.note_count() == n
    assert col.card_count() == 2 * n
    assert quizgen_notetypes(col) == [notetypes.NAME]


def test_html_in_a_fact_shows_as_text_not_markup(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        assert "<script" not in card.question() and "<script" not in card.answer()
    question_card = notes_by_guid(col)[guid("tricky-person")].cards()[0]
    answer = question_card.answer()
    assert html.escape(SCRIPT_NAME) in answer  # the browser shows the literal text
    assert "The publisher's own claim" in html.unescape(answer)
    assert "Official government source" in answer
    assert "Curator's note:" in html.unescape(answer) and "&lt;em&gt;dispute&lt;/em&gt;" in answer


def test_fill_in_card_hides_only_the_answer_and_says_what_is_wanted(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    question, fill_in = notes_by_guid(col)[guid("treaty-date")].cards()
    front = fill_in.question().split("</style>")[-1]
    assert "4 March 1921" not in front and "was signed on" in front and "[date]" in front
    assert "was signed on" in fill_in.answer() and "4 March 1921" in fill_in.answer()
    assert "When" in question.question() and "4 March 1921" not in question.question().split("</style>")[-1]


def test_a_control_character_in_content_still_gives_an_importable_package(tricky, col, tmp_path):
    # `check` refuses control characters; the exporter is safe on its own too (\x1f separates
    # fields in Anki's database: one inside a field made the whole package unimportable).
    fact = tricky.facts["treaty-date"]
    tricky.facts["treaty-date"] = fact.model_copy(update={"note": "a\x1fb", "quote": fact.quote + "\x1f"})
    log = import_apkg(col, write_apkg(tricky, "everything", tmp_path / "dist"))
    assert len(log.new) == 2 and col.card_count() == 4
    assert notes_by_guid(col)[guid("treaty-date")]["Note"] == "a b"


def test_reimporting_a_fresh_clones_export_updates_nothing(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "everything", tmp_path / "v1"))
    before = snapshot(col)
    clone = load_library(fresh_clone(tricky.root, tmp_path / "clone"))  # same content, every file time new
    log = import_apkg(col, write_apkg(clone, "everything", tmp_path / "v2"))
    assert len(log.new) == 0 and len(log.updated) == 0
    assert snapshot(col) == before


def test_editing_one_fact_updates_exactly_its_note_keeps_its_history_and_the_learners_edits(
        synth_root, col, tmp_path):
    root = fresh_clone(synth_root, tmp_path / "content")
    library = load_library(root)
    from quizgen.export.ledger import update_ledger

    update_ledger(library, now=LEDGER_T0)  # the committed ledger
    import_apkg(col, write_apkg(library, "all-facts", tmp_path / "v1"))
    count = col.note_count()
    facts = [f for f in library.deck_facts("all-facts") if f.kind == "date"]
    edited, other = facts[0], facts[1]

    # The learner studies the card that will be corrected, and adds a mnemonic to another note.
    target = notes_by_guid(col)[guid(edited.id)]
    study(col, target.cards()[0].id)
    studied = col.get_card(target.cards()[0].id)
    mine = notes_by_guid(col)[guid(other.id)]
    mine["Answer"] += " (mnemonic: my own words)"
    col.update_note(mine)
    before = snapshot(col)

    edit_fact(library, edited.id, f'"{edited.event}"', f'"{edited.event} (corrected)"')
    log = import_apkg(col, write_apkg(load_library(root), "all-facts", tmp_path / "v2"))

    assert [u.fields[notetypes.FIELD_INDEX["Fact"]] for u in log.updated] == [edited.id]
    assert len(log.new) == 0 and col.note_count() == count  # updated in place, no duplicate
    notes = notes_by_guid(col)
    # The event is told as a clause where the model knows its noun ("… accord number 0 (corrected) was signed").
    assert "(corrected)" in html.unescape(notes[guid(edited.id)]["FillIn"])
    assert "(corrected)" in html.unescape(notes[guid(edited.id)]["Question"])
    after = col.get_card(studied.id)
    assert (after.reps, after.ivl, after.due, after.type) == (studied.reps, studied.ivl, studied.due, studied.type)
    assert notes[guid(other.id)]["Answer"].endswith("(mnemonic: my own words)")
    now = snapshot(col)
    changed = {g for g in now["notes"] if now["notes"][g] != before["notes"][g]}
    assert changed == {guid(edited.id)}
    assert now["cards"] == before["cards"]
    assert quizgen_notetypes(col) == [notetypes.NAME]  # no "copy" note type


def test_siblings_are_buried_after_one_card_is_answered(tricky, col, tmp_path):
    import_apkg(col, write_apkg(tricky, "treaties", tmp_path / "dist"), with_deck_configs=True)
    did = col.decks.id_for_name("Tests::Treaties")
    assert col.decks.config_dict_for_deck_id(did)["name"] == PRESET_NAME
    col.decks.select(did)
    first = col.sched.get_queued_cards(fetch_limit=10).cards[0].card
    study(col, first.id)
    (sibling,) = [c for c in col.find_cards(f"nid:{first.note_id}") if c != first.id]
    assert col.get_card(sibling).queue == QUEUE_SIBLING_BURIED
    queued = [q.card.id for q in col.sched.get_queued_cards(fetch_limit=10).cards]
    assert sibling not in queued  # not shown again today


def test_all_packages_in_any_order_keep_every_fact_once_in_its_topic_and_leave_no_empty_deck(
        synth_library, col, tmp_path):
    for deck_id in reversed(list(synth_library.decks)):  # the group decks first, all-facts last
        import_apkg(col, write_apkg(synth_library, deck_id, tmp_path / "dist"))
    guids = [col.get_note(nid).guid for nid in col.find_notes("")]
    assert len(guids) == len(set(guids)) == len(synth_library.facts)
    assert col.card_count() == 2 * len(synth_library.facts)
    assert empty_decks(col) == []
    root = root_name(synth_library)
    for fact in list(synth_library.facts.values())[::97]:
        for card in notes_by_guid(col)[guid(fact.id)].cards():
            assert col.decks.name(card.did) == f"{root}::{synth_library.topics[fact.id]}"


# --- migration from the version 1 packages (two notes per fact) ------------------------------------

def write_v1_package(library: Library, deck_id: str, path: Path) -> Path:
    """A package as quizgen wrote them before note type v2: a Q/A note and a cloze note per fact,
    with v1's note type IDs, names and fields, GUIDs and ``<anki_name>::<topic>`` sub-decks."""
    fields = lambda names: [{"name": n} for n in names]  # noqa: E731
    qa = genanki.Model(notetypes.V1_QA_ID, notetypes.V1_QA_NAME, fields=fields(("Question", "Answer", "Citation",
                                                                                  "Fact")),
                       templates=[{"name": "Question", "qfmt": "{{Question}}", "afmt": "{{Answer}}"}])
    cz = genanki.Model(notetypes.V1_CLOZE_ID, notetypes.V1_CLOZE_NAME, fields=fields(("Text", "Citation", "Fact")),
                       templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
                       model_type=genanki.Model.CLOZE)
    anki_name = library.deck(deck_id).anki_name
    decks: dict[str, genanki.Deck] = {}
    for fact in library.deck_facts(deck_id):
        name = f"{anki_name}::{library.topics[fact.id]}"
        deck = decks.setdefault(name, genanki.Deck(notetypes.stable_id(f"quizgen deck {name}"), name))
        deck.add_note(genanki.Note(qa, [fact.id + "?", fact.answer_text(), fact.quote, fact.id],
                                   guid=f"quizgen:qa:{fact.id}"))
        deck.add_note(genanki.Note(cz, ["{{c1::" + fact.answer_text() + "}}", fact.quote, fact.id],
                                   guid=f"quizgen:cloze:{fact.id}"))
    genanki.Package(list(decks.values())).write_to_file(str(path), timestamp=LEDGER_T0 - 86_400)
    return path


def test_migration_from_v1_packages_as_the_readme_tells_it(tricky, col, tmp_path):
    import_apkg(col, write_v1_package(tricky, "everything", tmp_path / "v1.apkg"))
    assert col.note_count() == 4 and col.card_count() == 4

    # What the learner sees: the new notes arrive beside the old ones, which stay as they were.
    old = {g: n.fields for g, n in notes_by_guid(col).items()}
    log = import_apkg(col, write_apkg(tricky, "everything", tmp_path / "v2"))
    assert len(log.new) == 2 and len(log.updated) == 0
    now = notes_by_guid(col)
    assert all(now[g].fields == fields for g, fields in old.items())
    assert quizgen_notetypes(col) == sorted([notetypes.NAME, notetypes.V1_QA_NAME, notetypes.V1_CLOZE_NAME])

    # What to do: delete the notes the README's search finds, then the decks left empty.
    old_notes = col.find_notes(notetypes.V1_SEARCH)
    assert sorted(col.get_note(n).guid for n in old_notes) == sorted(old)
    col.remove_notes(old_notes)
    assert sorted(empty_decks(col)) == ["Tests::Everything", "Tests::Everything::Odd <characters> & topics",
                                        "Tests::Everything::Treaties"]
    assert sorted(notes_by_guid(col)) == [guid("treaty-date"), guid("tricky-person")]
    assert col.card_count() == 4  # one note per fact, two cards each
