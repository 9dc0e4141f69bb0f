"""The content that ships with quizgen: valid, cited word for word, honest about whose claim it is,
and curated so that its questions can be handed to a class."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

from quizgen.cli import cli
from quizgen.content import bundled_root, normalise_text
from quizgen.dates import FuzzyDate
from quizgen.distractors import normalise_option
from quizgen.models import DateFact, PersonFact, QuantityFact
from quizgen.questions import stem_text

CONTENT = bundled_root()
FACT_FILES = sorted((CONTENT / "content" / "facts").glob("*.toml"))
NOTES = CONTENT / "content" / "NOTES.md"
VERDICTS = {"confirmed", "unverified", "disputed", "wrong", "not kept"}


def _raw(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _log() -> dict[str, str]:
    """Fact id -> verdict, from the table of content/NOTES.md."""
    rows: dict[str, str] = {}
    for line in NOTES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2] in VERDICTS and cells[0] != "—":
            assert cells[0] not in rows, f"{cells[0]} has two rows in the curator's log"
            rows[cells[0]] = cells[2]
    return rows


def _names(text: str, answer: str) -> bool:
    """Whether ``text`` holds ``answer`` as whole words, after normalising both."""
    needle = normalise_option(answer)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise_option(text)) is not None


def _answers(fact) -> list[str]:
    return [fact.answer_text(), *fact.also_true]


def test_bundled_content_passes_check(runner):
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_at_least_35_facts_of_all_five_kinds(library):
    kinds = Counter(f.kind for f in library.facts.values())
    assert sum(kinds.values()) >= 35
    assert set(kinds) == {"date", "person", "place", "unit", "quantity"}


def test_at_least_two_topic_decks_and_one_of_all(library):
    sizes = {d: len(library.deck_facts(d)) for d in library.decks}
    assert sizes["all-facts"] == len(library.facts)
    assert sum(1 for d, n in sizes.items() if d != "all-facts" and n < len(library.facts)) >= 2


def test_every_quote_stands_word_for_word_in_the_original_documents(library, seeds):
    originals = " ".join(normalise_text(p.read_text(encoding="utf-8")) for p in seeds.glob("*.txt"))
    missing = [f.id for f in library.facts.values() if normalise_text(f.quote) not in originals]
    assert not missing
    # Quotes keep their typography: the stored quote itself, not only its normalised form.
    raw = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in seeds.glob("*.txt"))
    assert [f.id for f in library.facts.values() if " ".join(f.quote.split()) not in raw] == []


def test_every_quote_stands_in_its_sources_stored_text(library):
    missing = []
    for fact in library.facts.values():
        source = library.sources[fact.source]
        stored = (CONTENT / "content" / "sources" / source.text).read_text(encoding="utf-8")
        if normalise_text(fact.quote) not in normalise_text(stored):
            missing.append(fact.id)
    assert missing == []


def test_no_invented_urls(library):
    assert all(s.url is None for s in library.sources.values())


# ---- what the curator marks on every file and fact --------------------------------------------


def test_every_facts_file_has_a_period():
    assert FACT_FILES
    assert [p.name for p in FACT_FILES if "period" not in _raw(p)] == []


def test_every_fact_has_an_importance_set_by_the_curator():
    # The model defaults to 2; the curator must have decided, so the key itself is required.
    unset = [f["id"] for p in FACT_FILES for f in _raw(p)["fact"] if "importance" not in f]
    assert unset == []


def test_each_deck_has_core_facts_and_trivia_is_never_core(library):
    for deck in library.decks:
        facts = library.deck_facts(deck)
        assert sum(f.importance == 3 for f in facts) >= 3, deck
    assert [f.id for f in library.facts.values() if f.trivia and f.importance > 1] == []


# ---- the government channel: attributed where it is only its claim, noted where disputed -------


def test_every_claim_of_the_government_channel_is_in_the_curators_log(library):
    official = {s.id for s in library.sources.values() if s.official}
    assert official, "the Russian Foreign Ministry's channel must be marked official"
    log = _log()
    assert sorted(f.id for f in library.facts.values() if f.source in official and f.id not in log) == []
    assert sorted(set(log) - set(library.facts)) == [], "the log names facts that no longer exist"


def test_disputed_claims_stay_attributed_and_carry_a_note_naming_a_reference(library):
    for fact_id, verdict in _log().items():
        if verdict in {"disputed", "wrong", "unverified"}:
            fact = library.facts[fact_id]
            assert fact.attributed, f"{fact_id}: a {verdict} claim is asked as fact"
            assert fact.note and len(fact.note.split()) >= 12, f"{fact_id}: no curator's note"


def test_only_confirmed_claims_of_the_government_channel_are_asked_plainly(library):
    official = {s.id for s in library.sources.values() if s.official}
    log = _log()
    plain = [f.id for f in library.facts.values() if f.source in official and not f.attributed]
    assert plain, "undisputed facts should not read as one government's claim"
    assert [i for i in plain if log.get(i) != "confirmed"] == []


def test_notes_say_where_they_come_from(library):
    # A note that tells a student what historians say must name where they say it.
    sources = re.compile(r"Office of the Historian|Last Offensive|Wikipedia|Britannica|memoirs|archive|Russiapedia")
    assert [f.id for f in library.facts.values() if f.note and not sources.search(f.note)] == []


# ---- questions that do not answer themselves or each other --------------------------------------


def test_no_deck_title_or_description_names_an_answer_of_its_own_facts(library):
    leaks = []
    for deck_id, deck in library.decks.items():
        for fact in library.deck_facts(deck_id):
            for answer in _answers(fact):
                for field in ("title", "description"):
                    if _names(getattr(deck, field), answer):
                        leaks.append((deck_id, field, fact.id, answer))
    assert leaks == []


def test_no_stem_names_its_own_answer(library):
    leaks = [f.id for f in library.facts.values()
             if any(_names(stem_text(f, "forward"), a) for a in _answers(f))]
    assert leaks == []


def test_no_stem_names_the_answer_of_another_fact_from_another_quote(library):
    # Facts that share a quote are related and the engine keeps them apart; a stem that prints the
    # answer of an unrelated fact of the same file is a content fault.
    leaks = []
    for path in FACT_FILES:
        ids = [f["id"] for f in _raw(path)["fact"]]
        facts = [library.facts[i] for i in ids]
        for fact in facts:
            stem = stem_text(fact, "forward")
            for other in facts:
                if other.quote != fact.quote and not other.trivia and not fact.trivia and any(
                    _names(stem, a) for a in _answers(other)
                ):
                    leaks.append((fact.id, other.id))
    assert leaks == []


# ---- curated options ---------------------------------------------------------------------------


def _same(fact, option) -> bool:
    if isinstance(fact, DateFact):
        wrong = option.iso() if isinstance(option, FuzzyDate) else FuzzyDate.parse(option).iso()
        right = {fact.date.iso()} | {FuzzyDate.parse(a).iso() for a in fact.also_true}
        return wrong in right
    if isinstance(fact, QuantityFact):
        right = {float(fact.value)} | {float(a.replace(",", "")) for a in fact.also_true}
        return float(option) in right
    return normalise_option(option) in {normalise_option(a) for a in _answers(fact)}


def test_curated_distractors_never_equal_the_answer_or_an_also_true_answer(library):
    bad = [(f.id, d) for f in library.facts.values() for d in f.distractors if _same(f, d)]
    assert bad == []


def test_curated_distractors_are_distinct_and_enough_for_a_question(library):
    for fact in library.facts.values():
        keys = [d.iso() if isinstance(d, FuzzyDate) else normalise_option(str(d)) for d in fact.distractors]
        assert len(keys) == len(set(keys)), fact.id
        assert len(keys) >= 3, f"{fact.id}: fewer than three curated wrong options"


def test_reverse_distractors_never_equal_the_reverse_answer(library):
    bad = []
    for fact in library.facts.values():
        own = fact.role if isinstance(fact, PersonFact) else getattr(fact, "event", None)
        bad += [(fact.id, r) for r in fact.reverse_distractors if own and normalise_option(r) == normalise_option(own)]
    assert bad == []


def test_facts_with_a_reverse_question_have_curated_reverse_options(library):
    # Dates and people are asked the other way round ("What happened on …?", "Who was …?"): their
    # wrong options must be real events and roles of the time, not whatever the library holds.
    missing = [f.id for f in library.facts.values()
               if isinstance(f, (DateFact, PersonFact)) and not f.trivia and len(f.reverse_distractors) < 3
               and f.importance >= 2]
    assert missing == []


def test_date_distractors_fall_in_the_facts_own_period(library):
    far = []
    for fact in library.facts.values():
        if isinstance(fact, DateFact):
            start, end = library.period_of(fact) or (fact.date.value.year, fact.date.value.year)
            far += [(fact.id, d.iso()) for d in fact.distractors if not start - 4 <= d.value.year <= end + 4]
    assert far == []
