"""The content that ships with quizgen: valid, cited word for word, and honest about whose claim it is."""

from __future__ import annotations

from collections import Counter

from quizgen.cli import cli
from quizgen.content import normalise_text


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


def test_the_government_channel_is_marked_and_its_claims_attributed(library):
    official = {s.id for s in library.sources.values() if s.official}
    assert official, "the Russian Foreign Ministry's channel must be marked official"
    for fact in library.facts.values():
        if fact.source in official:
            assert fact.attributed, f"{fact.id} rests only on a government's own channel"


def test_no_invented_urls(library):
    assert all(s.url is None for s in library.sources.values())
