"""The content model and loader: good content loads, every kind of bad content is reported clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizgen.content import load_library, normalise_text
from quizgen.dates import FuzzyDate, Precision
from quizgen.errors import ContentError

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture
def mini(tmp_path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_library(root)
    return [str(p) for p in info.value.problems]


def test_mini_content_loads_with_topics_and_decks():
    lib = load_library(MINI)
    assert len(lib.facts) == 6
    assert lib.topics["konev"] == "The end of the war"
    assert [f.id for f in lib.deck_facts("war")] == ["meeting-date", "konev", "torgau", "sixty-ninth", "bands"]
    assert len(lib.deck_facts("all")) == 6
    assert lib.facts["relations-date"].attributed
    assert lib.sources["ministry"].speaker() == "the Ministry of Tests"


def test_content_folder_itself_is_accepted(mini):
    assert len(load_library(mini / "content").facts) == 6


@pytest.mark.parametrize(
    ("raw", "iso", "rendered", "precision"),
    [
        ("1945-04-25", "1945-04-25", "25 April 1945", Precision.DAY),
        ("1933-11", "1933-11", "November 1933", Precision.MONTH),
        ("1945", "1945", "1945", Precision.YEAR),
    ],
)
def test_dates_keep_their_precision(raw, iso, rendered, precision):
    d = FuzzyDate.parse(raw)
    assert (d.iso(), d.render(), d.precision) == (iso, rendered, precision)


def test_quotes_match_despite_typographic_quotes_and_spacing():
    assert normalise_text("the  “Spirit   of the Elbe’s”\n day") == "the \"Spirit of the Elbe's\" day"


def test_impossible_date(mini):
    edit(mini / "content/facts/war.toml", 'date = "1945-04-25"', 'date = "1945-02-30"')
    (line,) = problems(mini)
    assert line.startswith("In content/facts/war.toml, line ")
    assert "fact meeting-date, field date: impossible date 1945-02-30" in line


def test_unknown_kind(mini):
    edit(mini / "content/facts/war.toml", 'kind = "quantity"', 'kind = "number"')
    (line,) = problems(mini)
    assert "fact bands, field kind: unknown kind 'number'; use one of: date, person, place, unit, quantity" in line


def test_unknown_key_is_an_error_not_ignored(mini):
    edit(mini / "content/facts/war.toml", 'nationality = "Soviet"', 'nationality = "Soviet"\nrank = "marshal"')
    (line,) = problems(mini)
    assert "fact konev, field rank: unknown key; remove it or check its spelling" in line


def test_unknown_source(mini):
    edit(mini / "content/facts/war.toml", 'source = "chronicle"\nquote = "Ivan', 'source = "chronicel"\nquote = "Ivan')
    (line,) = problems(mini)
    assert "fact konev, field source: unknown source 'chronicel'; known sources: chronicle, ministry" in line


def test_duplicate_id_across_files(mini):
    edit(mini / "content/facts/diplomacy.toml", 'id = "relations-date"', 'id = "konev"')
    (line,) = problems(mini)
    assert "In content/facts/war.toml" in line and "field id: duplicate fact id, first used in content/facts/diplomacy.toml" in line


def test_empty_slot(mini):
    edit(mini / "content/facts/war.toml", 'place = "Torgau"', 'place = "  "')
    (line,) = problems(mini)
    assert "fact torgau, field place: empty; give a value" in line


def test_quote_not_in_source(mini):
    edit(mini / "content/facts/war.toml", "Ivan Konev commanded the First Ukrainian Front.",
         "Ivan Konev led the First Ukrainian Front.")
    (line,) = problems(mini)
    assert "fact konev, field quote: quote not found in the text of source 'chronicle'" in line


def test_malformed_toml_names_its_line(mini):
    edit(mini / "content/facts/diplomacy.toml", 'tags = ["diplomacy"]', 'tags = ["diplomacy"')
    (line,) = problems(mini)
    assert line.startswith("In content/facts/diplomacy.toml, line 9: malformed TOML")


def test_deck_selecting_no_facts(mini):
    (mini / "decks/empty.toml").write_text(
        'id = "empty"\ntitle = "Empty"\ndescription = "x"\nanki_name = "E"\ntags = ["nothing"]\n'
    )
    (line,) = problems(mini)
    assert line == "In decks/empty.toml, line 5, deck empty, field tags: this deck selects no facts; check its tags and files"


def test_every_problem_is_reported_at_once(mini):
    edit(mini / "content/facts/war.toml", 'date = "1945-04-25"', 'date = "1945-13-01"')
    edit(mini / "content/facts/war.toml", 'place = "Torgau"', 'place = ""')
    edit(mini / "content/sources/ministry.toml", 'kind = "channel-post"', 'kind = "tweet"')
    lines = problems(mini)
    assert len(lines) == 3
    assert any("source ministry, field kind" in x for x in lines)
    # The fact citing the refused source is not reported too: fixing the source fixes both.
    assert not any("relations-date" in x for x in lines)


def test_distractor_dates_need_the_same_precision(mini):
    edit(mini / "content/facts/war.toml", '"1945-04-12"', '"1945-04"')
    (line,) = problems(mini)
    assert "fact meeting-date" in line and "same precision" in line


def test_tags_with_spaces_are_refused(mini):
    edit(mini / "content/facts/war.toml", 'tags = ["parade"]', 'tags = ["the parade"]')
    (line,) = problems(mini)
    assert "fact bands, field tags[0]: tag 'the parade' contains a space" in line


def test_statement_override_must_say_where_the_answer_goes(mini):
    edit(mini / "content/facts/war.toml", 'value = 11', 'value = 11\nstems = { true_false = "There were many bands." }')
    (line,) = problems(mini)
    assert "fact bands, field stems: Value error" not in line
    assert "field stems.true_false: no {answer} in the stem; put {answer} where the answer goes" in line


def test_missing_stored_text(mini):
    (mini / "content/sources/ministry.txt").unlink()
    lines = problems(mini)
    assert "In content/sources/ministry.toml, line 6, source ministry, field text: stored text content/sources/ministry.txt not found" in lines[0]


def test_a_fact_that_is_not_a_table(mini):
    path = mini / "content/facts/diplomacy.toml"
    path.write_text('topic = "Diplomacy"\nfact = ["relations-date"]\n')
    (line,) = problems(mini)
    assert line == "In content/facts/diplomacy.toml, fact #1, field fact: not a table; write each fact as a [[fact]] table"


def test_duplicate_deck_id(mini):
    (mini / "decks/again.toml").write_text((mini / "decks/war.toml").read_text())
    (line,) = problems(mini)
    assert line == "In decks/war.toml, line 1, deck war, field id: duplicate deck id; each deck needs its own id"


def test_an_unreadable_file_is_a_problem_line(mini, monkeypatch):
    # Root reads any file, so the refusal is staged: os.open fails as it would for another user.
    import errno
    import os

    real_open = os.open
    unreadable = str(mini / "content/facts/war.toml")

    def deny(path, *args, **kwargs):
        if str(path) == unreadable:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    lines = problems(mini)
    assert lines == ["In content/facts/war.toml: cannot be read (permission denied); make it readable (chmod a+r)"]


def test_a_byte_order_mark_and_toml_1_1_escapes_are_read_as_written(mini):
    path = mini / "content/sources/chronicle.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"A Chronicle of", b"A Chronicle\\x2Fof"))
    assert load_library(mini).sources["chronicle"].title == "A Chronicle/of 1945"


def test_the_six_kinds_are_named_once():
    from quizgen.models import FACT_KINDS
    from quizgen.templates import TEMPLATES

    assert FACT_KINDS == ("date", "person", "place", "unit", "quantity", "unit_of_measurement")
    assert set(FACT_KINDS) == set(TEMPLATES)


def test_a_missing_facts_folder_says_so_and_nothing_else(mini):
    shutil.rmtree(mini / "content/facts")
    assert problems(mini) == [
        "In content/facts: the content/facts/ folder is missing; create it and put the facts files (*.toml) there"
    ]


def test_problem_lines_stay_one_line_and_short(mini):
    edit(mini / "content/facts/war.toml", 'id = "konev"', 'id = "' + "k\\n" * 500 + '"')
    (line,) = problems(mini)
    assert "\n" not in line and len(line) < 400


# ---- properties: what the models accept round-trips, and exactly the unprintable is refused ----

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pydantic import TypeAdapter, ValidationError  # noqa: E402

from quizgen.limits import MAX_LINE_CHARS, MAX_YEAR, MIN_YEAR  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=FuzzyDate.parse(f"{MIN_YEAR:04d}").value,
                max_value=FuzzyDate.parse(f"{MAX_YEAR:04d}-12-31").value),
       st.sampled_from(list(Precision)))
def test_every_date_in_range_round_trips_and_has_a_span(day, precision):
    d = FuzzyDate.parse(FuzzyDate(day, precision).iso())
    assert FuzzyDate.parse(d.iso()) == d
    first, last = d.span()  # the month or year end stays within Python's dates
    assert first <= last and d.render()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_a_line_is_refused_exactly_when_it_holds_a_control_character(text):
    import re
    import unicodedata

    from quizgen.limits import INVISIBLE
    from quizgen.models import Text

    unprintable = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}
    invisible = re.compile(f"[{INVISIBLE}]")  # Python's regex engine, against pydantic-core's

    def refused_char(s: str) -> bool:  # a control or invisible character, or a mark with no letter before it
        return any(c in unprintable for c in s) or bool(invisible.search(s)) or any(
            unicodedata.category(c).startswith("M") and (i == 0 or s[i - 1].isspace()) for i, c in enumerate(s))

    # Edges are trimmed of Unicode White_Space (pydantic-core's trim), which, unlike str.strip(),
    # leaves the separators \x1c-\x1f in place to be refused.
    white_space = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\x1c\x1d\x1e\x1f")
    stripped = text.strip(white_space)
    try:
        accepted = TypeAdapter(Text).validate_python(text)
    except ValidationError:
        assert not stripped or refused_char(stripped) or len(stripped) > MAX_LINE_CHARS
    else:
        assert accepted == stripped and not refused_char(accepted)
