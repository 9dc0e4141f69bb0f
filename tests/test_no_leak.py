"""No question of a quiz gives another away: on every bundled deck over many seeds, and on libraries
hypothesis makes up whose facts name each other's answers.

The checks here are written independently of the engine's own (a regex over plain lower-cased text),
so a mistake in the engine's normalisation shows up as a failure rather than agreeing with itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.content import Library, load_library
from quizgen.models import Deck, PersonFact, PlaceFact, Source, UnitFact
from quizgen.questions import statement
from quizgen.quiz import QuizMaker, QuizSpec


def _plain(text: str) -> str:
    text = re.sub(r"(?<=\w)['\u2019]s\b", "", text.casefold())  # "the Red Army's" names "the Red Army"
    # A decimal or grouped number is one word: "0.8 to 4 km" does not print "8".
    text = re.sub(r"(?<=\d)[.,](?=\d)", "", text)
    text = " ".join(re.sub(r"[^\w\s]", " ", text).split())
    return text[4:] if text.startswith("the ") else text


def _holds(text: str, phrase: str) -> bool:
    return bool(phrase) and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", _plain(text)) is not None


def _answer(library: Library, q) -> str:
    return _plain(library.facts[q.fact_id].answer_text() if q.template == "true_false" else q.answer)


def _leaks(library: Library, quiz) -> list[str]:
    found = []
    # The deck's id is printed in every quiz code, URL and worksheet header: it counts as the title.
    printed = f"{quiz.title} {quiz.spec.deck_id.replace('-', ' ')}".replace("\u2013", " ")
    for i, q in enumerate(quiz.questions, start=1):
        answer = _answer(library, q)
        if _holds(printed, answer):
            found.append(f"{quiz.code} Q{i}: the deck title or id names {answer!r}")
        for j, other in enumerate(quiz.questions, start=1):
            # A bare number among options is a number among numbers; in a stem it gives the answer away.
            bare = answer.replace(" ", "").isdigit()
            shown = [other.stem] if other.template == "true_false" or bare else [other.stem, *other.options]
            if i != j and any(_holds(text, answer) for text in shown):
                found.append(f"{quiz.code} Q{j} shows the answer of Q{i}, {answer!r}")
    return found


_DAY = re.compile(r"^\d{1,2} ([A-Z][a-z]+ \d{1,4})$")


def _month_leaks(quiz) -> list[str]:
    """A date question whose answer alone falls in a month that another question's stem prints."""
    found = []
    for i, q in enumerate(quiz.questions, start=1):
        day = _DAY.match(q.answer) if q.template == "forward" and q.fact_kind == "date" else None
        if not day:
            continue
        wrong_in_month = sum(o.endswith(" " + day[1]) for o in q.options) - 1
        if 2 * wrong_in_month >= len(q.options) - 1:
            continue
        for j, other in enumerate(quiz.questions, start=1):
            if i != j and _holds(other.stem, _plain(day[1])):
                found.append(f"{quiz.code} Q{j} prints {day[1]!r}, the month only Q{i}'s answer falls in")
    return found


def _self_substituted(library: Library, q) -> bool:
    """A false statement whose swapped-in value already stands elsewhere in the sentence."""
    if q.template != "true_false" or q.answer_index == 0:
        return False
    fact = library.facts[q.fact_id]
    true = "True or false? " + statement(fact, library.source_of(fact))
    false = q.stem
    start = 0
    while start < min(len(true), len(false)) and true[start] == false[start]:
        start += 1
    end = 0
    while end < min(len(true), len(false)) - start and true[-1 - end] == false[-1 - end]:
        end += 1
    # Widen the difference to whole words: "the 69th" against "the 104th" differ in digits only.
    # …and to whole numbers: "1.5" against "1.1" differ in the last digit only.
    def joined(at: int) -> bool:
        ch = false[at]
        return ch.isalnum() or (ch in ".," and 0 < at < len(false) - 1 and false[at - 1].isdigit()
                                and false[at + 1].isdigit())

    while start > 0 and joined(start - 1):
        start -= 1
    while end > 0 and joined(len(false) - end):
        end -= 1
    swapped = false[start:len(false) - end].strip()
    rest = false[:start] + " | " + false[len(false) - end:]
    return _holds(rest, _plain(swapped))


_COMMON = {"that", "with", "from", "which", "their", "there", "were", "this", "time", "when", "where", "what",
           "after", "before", "into", "about", "over"}


def _windows(text: str, size: int = 4) -> set[str]:
    """Runs of four words, three of them words that say something (four letters or more, not common)."""
    words = _plain(text).split()
    runs = (words[k:k + size] for k in range(len(words) - size + 1))
    return {" ".join(run) for run in runs if sum(len(w) >= 4 and w not in _COMMON for w in run) >= 3}


def _clues(quiz) -> list[str]:
    """An option of one question that is another question's stem, or tells it: "Who was Kalinin?"
    offering "the Soviet Commissar … who came to Washington in 1933", the next question's stem."""
    found = []
    for i, q in enumerate(quiz.questions, start=1):
        if q.template == "true_false":
            continue
        for option in q.options:
            if option == q.answer:
                continue
            plain = _plain(option)
            for j, other in enumerate(quiz.questions, start=1):
                if i == j:
                    continue
                if (len(plain.split()) >= 3 and _holds(other.stem, plain)) or _windows(option) & _windows(other.stem):
                    found.append(f"{quiz.code} Q{i} offers {option!r}, which Q{j}'s stem tells")
    return found


def _balance(quiz) -> list[str]:
    keys = [q.answer_index == 0 for q in quiz.questions if q.template == "true_false"]
    if abs(2 * sum(keys) - len(keys)) > 1:
        return [f"{quiz.code}: {sum(keys)} true and {len(keys) - sum(keys)} false statements"]
    return []


def _check(library: Library, quiz) -> list[str]:
    problems = _leaks(library, quiz) + _month_leaks(quiz) + _clues(quiz) + _balance(quiz)
    answers = [_plain(library.facts[q.fact_id].answer_text()) for q in quiz.questions]
    if len(answers) != len(set(answers)):
        problems.append(f"{quiz.code}: two questions about one answer (one person, date, place or unit)")
    for i, q in enumerate(quiz.questions, start=1):
        for j, other in enumerate(quiz.questions[i:], start=i + 1):
            # One quoted sentence asked for its event in other words ("the joint parade of September
            # 1945" and "the joint parade in occupied Germany"): no string check sees the repeat.
            if "reverse" in (q.template, other.template) and q.citation.quote == other.citation.quote:
                problems.append(f"{quiz.code} Q{i} and Q{j} ask one quoted sentence twice, one in reverse")
            # A reverse answer's opening words ("joint allied victory parade") in another stem name it.
            for a, b, n in ((q, other, i), (other, q, j)):
                opening = " ".join(_plain(a.answer).split()[:4])
                if a.template == "reverse" and len(opening.split()) == 4 and _holds(b.stem, opening):
                    problems.append(f"{quiz.code}: another stem names Q{n}'s answer, {opening!r}…")
    for n, q in enumerate(quiz.questions, start=1):
        texts = [q.stem, *q.options]
        if any(re.search(r"(?<![\d,])1 times", t) for t in texts):
            problems.append(f"{quiz.code} Q{n}: '1 times'")
        if _self_substituted(library, q):
            problems.append(f"{quiz.code} Q{n}: self-substituted statement: {q.stem}")
    return problems


@pytest.mark.parametrize("deck", ["link-up-1945", "allies-1945", "relations-1933", "all-facts"])
def test_no_question_gives_another_away_on_the_bundled_decks(library, maker, deck):
    whole = len(library.deck_facts(deck))
    problems = []
    for count, seeds in ((10, range(100)), (whole, range(20))):
        for seed in seeds:
            problems += _check(library, maker.make(QuizSpec(deck, count, seed)))
    assert not problems, "\n".join(problems[:20])


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("folder", sorted(p.name for p in EXAMPLES.iterdir()) if EXAMPLES.is_dir() else [])
def test_no_question_gives_another_away_on_content_nobody_tuned(folder):
    # Content on other subjects written as a busy teacher writes it: the engine has no case for it.
    library = load_library(EXAMPLES / folder)
    maker = QuizMaker(library)
    problems = []
    for deck in library.decks:
        whole = len(library.deck_facts(deck))
        for count, seeds in ((10, range(100)), (whole, range(20))):
            for seed in seeds:
                problems += _check(library, maker.make(QuizSpec(deck, count, seed)))
    assert not problems, "\n".join(problems[:20])


def test_the_checker_sees_a_leak_the_engine_avoids():
    # Made side by side without the quiz's check, the 69th's stem ("…met the First Ukrainian
    # Front…") answers "Which Soviet front met the 69th Infantry Division…?", and the other way round.
    import random

    from quizgen.questions import make_question
    from quizgen.quiz import Quiz

    front = UnitFact(kind="unit", id="front", source="s", quote="q", unit="the First Ukrainian Front",
                     echelon="front", side="Soviet", action="met the 69th Infantry Division on the Elbe",
                     distractors=("the Second Belorussian Front", "the Third Ukrainian Front",
                                  "the First Belorussian Front"))
    division = UnitFact(kind="unit", id="division", source="s", quote="q", unit="the 69th Infantry Division",
                        echelon="division", side="American", action="met the First Ukrainian Front on the Elbe",
                        distractors=("the 83rd Infantry Division", "the 30th Infantry Division",
                                     "the 2nd Armored Division"))
    other = PersonFact(kind="person", id="other", source="s", quote="q", name="Omar Bradley",
                       role="the general commanding the 12th Army Group", nationality="American",
                       distractors=("George Patton", "Courtney Hodges", "William Simpson"))
    facts = {f.id: f for f in (front, division, other)}
    deck = Deck(id="d", title="A chronicle of the war", description="d", anki_name="D", all=True)
    library = Library(root=None, sources={"s": _SOURCE}, facts=facts, decks={"d": deck},
                      topics={i: "The Elbe" for i in facts}, fact_files={i: "f.toml" for i in facts},
                      digest="0" * 64)
    maker = QuizMaker(library)
    made = [make_question(facts[i], "forward", _SOURCE, "t", maker.index, random.Random(1))
            for i in ("front", "division")]
    assert _leaks(library, Quiz(QuizSpec("d", 2, 1), "code", "Title", tuple(made)))
    for seed in range(50):
        ids = {q.fact_id for q in maker.make(QuizSpec("d", 3, seed)).questions}
        assert ids and not {"front", "division"} <= ids


# ---- made-up libraries whose facts name each other ------------------------------------------

_SOURCE = Source(id="s", title="A chronicle", publisher="Press", kind="book", published="1990", text="s.txt")
_PLACES = ["Torgau", "Strehla", "Riesa", "Meissen", "Dresden", "Leipzig"]
_NAMES = ["Ivan Petrov", "John Smith", "Pavel Orlov", "Mark Brown", "Oleg Sokolov", "Tom Green"]
_UNITS = ["the 69th Infantry Division", "the 104th Infantry Division", "the 83rd Infantry Division",
          "the 9th Armored Division"]


@st.composite
def libraries(draw):
    """Up to a dozen facts of one topic whose roles, events and actions mention other facts' answers."""
    n_people, n_places, n_units = (draw(st.integers(0, 4)) for _ in range(3))
    people = draw(st.permutations(_NAMES))[:n_people]
    places = draw(st.permutations(_PLACES))[:n_places]
    units = draw(st.permutations(_UNITS))[:n_units]
    mentions = [*people, *places, *units]
    facts = []

    def mention() -> str:
        return draw(st.sampled_from(mentions)) if mentions and draw(st.booleans()) else "the river"

    for i, name in enumerate(people):
        facts.append(PersonFact(kind="person", id=f"p{i}", source="s", quote=f"q p{i}", name=name,
                                role=f"the officer who met {mention()} in April", nationality="American",
                                distractors=("Bill Jones", "Carl White", "Dan Black")))
    for i, place in enumerate(places):
        facts.append(PlaceFact(kind="place", id=f"l{i}", source="s", quote=f"q l{i}", place=place, place_type="town",
                               event=f"the meeting number {i} with {mention()}",
                               distractors=("Halle", "Wittenberg", "Dessau"),
                               reverse_distractors=("the surrender of the garrison", "the crossing of the bridge")))
    for i, unit in enumerate(units):
        facts.append(UnitFact(kind="unit", id=f"u{i}", source="s", quote=f"q u{i}", unit=unit, echelon="division",
                              side="American", action=f"reached {mention()} on its march",
                              distractors=("the 1st Infantry Division", "the 3rd Infantry Division")))
    if not facts:
        facts.append(PersonFact(kind="person", id="p0", source="s", quote="q", name="John Smith",
                                role="the officer", nationality="American"))
    title = draw(st.sampled_from(["A chronicle of the war", f"The march to {mentions[0]}" if mentions else "War"]))
    deck = Deck(id="d", title=title, description="d", anki_name="D", all=True)
    return Library(root=None, sources={"s": _SOURCE}, facts={f.id: f for f in facts}, decks={"d": deck},
                   topics={f.id: "The Elbe" for f in facts}, fact_files={f.id: "f.toml" for f in facts},
                   digest="0" * 64)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(library=libraries(), seed=st.integers(0, 10**6), count=st.integers(1, 12))
def test_no_question_gives_another_away_on_made_up_libraries(library, seed, count):
    maker = QuizMaker(library)
    quiz = maker.make(QuizSpec("d", count, seed))
    assert not _check(library, quiz)
    ids = [q.fact_id for q in quiz.questions]
    assert len(ids) == len(set(ids)) and len(ids) <= count
