"""The model's reading of what a fact is about, on content nobody tuned: kinds of happening, leaving and
counting told as a teacher would, and real holders of a rank or profession as wrong options."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from quizgen import reference
from quizgen.content import load_library
from quizgen.events import event_kind, took_place
from quizgen.questions import make_question
from quizgen.quiz import QuizMaker, QuizSpec
from quizgen.wording import count_question

ITALY = Path(__file__).resolve().parent.parent / "examples" / "italy"


@pytest.fixture(scope="module")
def italy():
    library = load_library(ITALY)
    return library, QuizMaker(library)


def _questions(maker, library, fact_id, template, seeds=range(12)):
    fact = library.facts[fact_id]
    source = library.sources[fact.source]
    out = []
    for seed in seeds:
        out.append(make_question(fact, template, source, "t", maker.index, random.Random(seed),
                                 knowledge=maker.knowledge))
    return out


@pytest.mark.parametrize("event, kind", [
    ("Italy's defeat by Austria in the war of 1866", "battle"),
    ("the sittings of the Italian Parliament from 1865", "seat"),
    ("the secret meeting at which Cavour and Napoleon III agreed on a war against Austria", "meeting"),
    ("the departure of Garibaldi's volunteers for Sicily", "departure"),
    ("the landing of Garibaldi's Thousand in Sicily", "journey"),
    ("the refuge of the Bourbon king and queen after they left Naples", "refuge"),
    ("Garibaldi's retirement after handing over his conquests", "life"),
    ("the crossing in March 1945", "journey"),
])
def test_the_kind_of_happening_is_read_from_the_words_a_teacher_writes(event, kind):
    assert event_kind(event) == kind


def test_a_battle_is_asked_among_battlefields_and_a_seat_of_government_among_cities(italy):
    library, maker = italy
    battlefields = {"Custozza", "Mentana", "Sedan", "Solferino", "Aspromonte", "Velletri", "Viterbo",
                    "Castelfidardo", "Calatafimi", "Magenta", "Novara", "Lissa", "the Volturno"}
    for q in _questions(maker, library, "solferino-place", "forward"):
        assert set(q.options) <= battlefields, q.options  # never Turin or Florence, the capitals
    for q in _questions(maker, library, "florence-parliament", "forward"):
        assert not set(q.options) & battlefields, q.options


def test_nothing_is_asked_to_have_taken_place_at_a_seat_of_government(italy):
    library, maker = italy
    assert not took_place(library.facts["turin-capital"].event)
    for deck in library.decks:
        for seed in range(30):
            for q in maker.make(QuizSpec(deck, 10, seed)).questions:
                assert not (q.template == "reverse" and q.fact_id in {"turin-capital", "florence-parliament",
                                                                       "gaeta"}), q.stem


def test_a_departure_is_asked_from_where(italy):
    library, maker = italy
    (forward,) = _questions(maker, library, "quarto", "forward", [1])
    assert forward.stem == "From where did Garibaldi's volunteers leave for Sicily?"
    statement = _questions(maker, library, "quarto", "true_false", [1])[0].stem
    assert re.fullmatch(r"True or false\? Garibaldi's volunteers left for Sicily from [A-Z][\w ]+\.", statement)


@pytest.mark.parametrize("counts, question, statement", [
    ("troops Garibaldi had on the mainland once the rest of his men had joined him",
     "How many troops did Garibaldi have on the mainland once the rest of his men had joined him?",
     "Garibaldi had {answer} on the mainland once the rest of his men had joined him."),
    ("Austrian troops present at Solferino", "How many Austrian troops were present at Solferino?",
     "The Austrian troops present at Solferino numbered {answer}."),
    ("inmates in the Bastille when it was stormed", "How many inmates were in the Bastille when it was stormed?",
     "The inmates in the Bastille when it was stormed numbered {answer}."),
    ("members of Congress in the stands", "How many members of Congress were in the stands?",
     "The members of Congress in the stands numbered {answer}."),
])
def test_a_count_is_asked_how_many(counts, question, statement):
    assert count_question(counts, past=True) == (question, statement)


@pytest.mark.parametrize("counts", ["languages in which RFE/RL reports",
                                    "countries the USSR had diplomatic relations with"])
def test_a_count_the_model_cannot_turn_keeps_the_plain_template(counts):
    assert count_question(counts, past=True) is None


def test_the_only_pope_of_a_folder_is_asked_among_real_popes_out_of_office_then(italy):
    library, maker = italy
    popes = {h.name: h.span for h in reference.holders()["pope"]}
    for q in _questions(maker, library, "pius-ix", "forward"):
        assert q.answer == "Pius IX"
        for option in q.options:
            assert option in popes
            start, end = popes[option]
            assert option == "Pius IX" or end < 1861 or start > 1871  # provably not the pope of 1861-1871


def test_a_role_naming_its_realm_keeps_to_that_realm_and_a_regnal_number_is_no_surname(italy):
    library, maker = italy
    sardinia = {h.name for h in reference.holders()["king"] if "sardinia" in h.realm}
    for q in _questions(maker, library, "victor-emmanuel", "forward"):
        assert set(q.options) <= sardinia | {"Victor Emmanuel II"}, q.options
    austrian = {h.name for h in reference.holders()["emperor"] if "austrian" in h.realm}
    for q in _questions(maker, library, "franz-joseph", "forward"):
        assert set(q.options) <= austrian | {"Franz Joseph I"}, q.options
        # Francis II of the Holy Roman Empire is Francis I of Austria: one person is one option.
        assert not {"Francis I", "Francis II"} <= set(q.options)


def test_the_reference_list_is_well_formed():
    seen = set()
    for klass, people in reference.holders().items():
        for h in people:
            assert h.span[0] <= h.span[1] and h.life[0] <= h.span[0], h
            assert (h.name, klass, h.realm) not in seen
            seen.add((h.name, klass, h.realm))
    assert len(seen) > 1000


def test_only_the_roles_head_names_its_class_and_a_profession_needs_a_narrow_period():
    # "the Soviet head of state to whom the US President wrote" is no president: no US presidents.
    assert reference.candidates("the Soviet head of state to whom the US President wrote in 1933",
                                "president", (1933, 1933), True) == []
    # "Not alive in 1829-1915" says nothing a student could know: Feynman is no option for Rutherford.
    assert reference.candidates("the physicist under whom Henry Moseley began his research", "physicist",
                                (1829, 1915), False) == []
    popes = [h.name for h in reference.candidates("the Pope who refused", "pope", (1861, 1871), False)]
    # Predecessors only, nearest first: Leo XIII also refused to give up Rome after 1870.
    assert popes[:2] == ["Gregory XVI", "Pius VIII"] and "Leo XIII" not in popes


def test_no_two_options_share_a_surname():
    # Karl and Adolf von Auersperg both led Austrian governments before 1900: one of them at most.
    from quizgen.distractors import DistractorIndex
    from quizgen.models import PersonFact

    fact = PersonFact(kind="person", id="koerber", source="s", quote="q", name="Ernest von Koerber",
                      role="the Austrian prime minister who took office in 1900", nationality="Austrian",
                      period=(1900, 1900))
    index = DistractorIndex([fact])
    seen = set()
    for seed in range(40):
        options = [p.text for p in index.pick(fact, random.Random(seed), want=6)]
        surnames = [o.split()[-1] for o in options]
        assert len(set(surnames)) == len(surnames), options
        seen.update(options)
    assert {"Karl von Auersperg", "Adolf von Auersperg"} & seen  # the rule had a pair to keep apart


CHEMISTRY = ITALY.parent / "chemistry"


def test_a_share_is_never_offered_at_100_percent_or_more():
    library = load_library(CHEMISTRY)
    maker = QuizMaker(library)
    for q in _questions(maker, library, "crust-oxygen", "forward", range(40)):
        assert all(0 < float(re.search(r"[\d.]+", o).group()) < 100 for o in q.options), q.options


def test_a_key_that_echoes_the_stem_is_not_asked():
    # "Which Garibaldian army grew out of the Thousand with southern volunteers …?" — "the Southern Army".
    from quizgen.errors import QuestionError

    library, maker = load_library(ITALY), None
    maker = QuizMaker(library)
    fact = library.facts["southern-army"].model_copy(
        update={"action": "grew out of the Thousand with southern volunteers and reinforcements in 1860"})
    for template in ("forward", "true_false"):
        with pytest.raises(QuestionError, match="echoes"):
            make_question(fact, template, library.sources[fact.source], "t", maker.index, random.Random(1),
                          knowledge=maker.knowledge)


def test_a_person_the_note_names_is_never_a_wrong_option():
    # The note says Scheele, Cavendish and Priestley also isolated nitrogen: none is offered as wrong.
    library = load_library(CHEMISTRY)
    maker = QuizMaker(library)
    for q in _questions(maker, library, "daniel-rutherford", "forward", range(40)):
        assert not {"Carl Wilhelm Scheele", "Henry Cavendish", "Joseph Priestley"} & set(q.options), q.options


def test_a_figure_other_accounts_give_otherwise_is_left_out_of_quizzes():
    from quizgen.questions import disputed_figure

    library = load_library(ITALY)
    assert disputed_figure(library.facts["crossing-men"])  # "other accounts give 4,200 men"
    assert not disputed_figure(library.facts["garibaldi-troops-mainland"])


def test_wrong_dates_keep_to_the_years_of_the_topic(italy):
    library, maker = italy
    # "Garibaldi's expedition to Sicily and Naples, 1860": no day of 1861 among the options.
    for fact_id in ("naples-entry", "crossing-date", "teano-date"):
        for q in _questions(maker, library, fact_id, "forward"):
            assert all(o.endswith("1860") for o in q.options), q.options


def test_a_reverse_key_alone_telling_the_decks_kind_of_happening_is_not_asked(maker, library):
    # "Who was Ivan Konev?" in the link-up deck: the only option about meeting US troops is the key.
    for seed in range(100):
        for q in maker.make(QuizSpec("link-up-1945", 10, seed)).questions:
            assert not (q.template == "reverse" and q.fact_id == "elbe-konev"), q.options


@pytest.mark.parametrize("event, question, statement", [
    ("the Treaty of Zurich ceding Lombardy but not Venice",
     "the Treaty of Zurich ceding Lombardy but not Venice signed",
     "the Treaty of Zurich ceding Lombardy but not Venice was signed"),
    ("the Plombières Agreement between Cavour and Napoleon III",
     "the Plombières Agreement between Cavour and Napoleon III made",
     "the Plombières Agreement between Cavour and Napoleon III was made"),
])
def test_an_agreement_is_signed_or_made_not_on_a_date(event, question, statement):
    from quizgen.wording import event_clause

    assert event_clause(event) == ("was", question, statement, "")


@pytest.mark.parametrize("event", ["the treaty ports", "the peace movement in Europe", "the Battle of Solferino"])
def test_a_compound_or_another_noun_is_no_agreement(event):
    from quizgen.wording import event_clause

    assert event_clause(event) is None


ASTRONOMY = ITALY.parent / "astronomy"


def test_a_statement_that_compares_its_answer_is_never_made_false():
    # "Mars spins once on its axis in about 18 hours, a little longer than the Earth" contradicts itself.
    from quizgen.errors import QuestionError

    library = load_library(ASTRONOMY)
    maker = QuizMaker(library)
    fact = library.facts["mars-day"]
    with pytest.raises(QuestionError, match="compares"):
        make_question(fact, "true_false", library.sources[fact.source], "t", maker.index, random.Random(1),
                      knowledge=maker.knowledge)


@pytest.mark.parametrize("event, question", [
    ("the discovery of Ceres", "Ceres discovered"),
    ("the discovery of Titan, Saturn's largest moon", "Titan, Saturn's largest moon, discovered"),
])
def test_a_name_ending_in_s_is_one_thing_and_an_apposition_closes(event, question):
    from quizgen.wording import event_clause

    assert event_clause(event)[:2] == ("was", question)


def test_one_of_a_counted_thing_reads_in_the_singular():
    from quizgen.wording import quantity_text

    assert [quantity_text(1, m) for m in ("moons", "men", "countries", "km", "%")] == \
        ["1 moon", "1 man", "1 country", "1 km", "1 %"]


def test_people_are_asked_among_people_of_their_own_time():
    # The discoverer of Uranus (1781) is not asked beside Percival Lowell (1905) or Tombaugh (1930).
    library = load_library(ASTRONOMY)
    maker = QuizMaker(library)
    assert maker.knowledge.era(library.facts["urbain-le-verrier"]) == (1846, 1846)  # through Galle
    for q in _questions(maker, library, "william-herschel", "forward", range(30)):
        assert not {"Percival Lowell", "Clyde Tombaugh", "Urbain Le Verrier", "John Couch Adams"} & set(q.options)


def test_a_measurement_gets_options_a_clear_step_apart():
    library = load_library(ASTRONOMY)
    maker = QuizMaker(library)
    for q in _questions(maker, library, "mars-temperature", "forward", range(30)):
        values = sorted(abs(float(re.search(r"-?[\d.]+", o).group())) for o in q.options)
        assert all(a / b <= 0.85 for a, b in zip(values, values[1:], strict=False)), q.options


def test_a_place_whose_type_names_its_land_keeps_to_it(italy):
    library, maker = italy
    for q in _questions(maker, library, "mentana", "forward", range(30)):
        assert not {"Sedan", "Reims", "Nancy", "Lyon"} & set(q.options), q.options


def test_a_peace_that_ended_a_war_is_dated_after_its_start(italy):
    import datetime as dt

    library, maker = italy
    assert maker.knowledge.date_bounds(library.facts["villafranca"])[0] == dt.date(1859, 4, 24)


def test_a_note_about_the_true_person_is_never_printed_under_a_false_statement(italy):
    # "Kaunitz was the Austrian chancellor who reportedly dismissed Italy …" above a note on Metternich.
    from quizgen.errors import QuestionError

    library, maker = italy
    fact = library.facts["metternich"]
    with pytest.raises(QuestionError, match="note tells the true answer"):
        make_question(fact, "true_false", library.sources[fact.source], "t", maker.index, random.Random(1),
                      knowledge=maker.knowledge, truth=False)
    true = make_question(fact, "true_false", library.sources[fact.source], "t", maker.index, random.Random(1),
                         knowledge=maker.knowledge, truth=True)
    assert true.stem.startswith("True or false? Klemens von Metternich was")


def test_a_units_symbol_printed_elsewhere_keeps_its_question_out_of_that_quiz():
    # "About 1.5 AU" among Mars's distance options names the astronomical unit.
    library = load_library(ASTRONOMY)
    maker = QuizMaker(library)
    for deck in library.decks:
        for seed in range(40):
            quiz = maker.make(QuizSpec(deck, 200 if seed % 2 else 10, seed))
            if any(q.fact_id == "astronomical-unit" for q in quiz.questions):
                others = [q for q in quiz.questions if q.fact_id != "astronomical-unit"]
                assert not any(re.search(r"\bAU\b", " ".join((q.stem, *q.options))) for q in others)


def test_a_quiz_never_strikes_out_a_date_by_the_years_another_question_shows_for_its_story(italy):
    # "When did the Italian army enter Rome …?" offering 1870 and 1871 puts Parliament's move to Rome no
    # earlier: 1864 among its options is struck out by common sense.
    from quizgen.distractors import Avoid
    from quizgen.errors import QuestionError

    library, maker = italy
    entry_fact, move_fact = library.facts["porta-pia-date"], library.facts["parliament-to-rome"]

    def make(fact, seed, avoid=None):
        avoid = avoid or Avoid()
        return make_question(fact, "forward", library.sources[fact.source], "t", maker.index, random.Random(seed),
                             knowledge=maker.knowledge, avoid=avoid)

    struck_before = 0
    for seed in range(30):
        entry = make(entry_fact, seed)
        low = min(int(y) for o in entry.options for y in re.findall(r"\b1[89]\d\d\b", o))
        try:
            unaware = make(move_fact, seed)
        except QuestionError:
            continue
        if any(int(o) < low for o in unaware.options):
            struck_before += 1
            assert unaware.clues(entry)  # the quiz remakes or drops the earlier question
        try:
            aware = make(move_fact, seed, Avoid(timeline=entry.timeline))
        except QuestionError:
            continue  # no wrong year is left after 1870 within the topic's years: not asked beside it
        assert all(int(o) >= low for o in aware.options), (entry.options, aware.options)
    assert struck_before  # without the story's years, some options fell before the capture of Rome


def test_a_year_alone_is_never_asked_what_happened():
    from quizgen.questions import supported_templates

    library = load_library(ITALY)
    assert "reverse" not in supported_templates(library.facts["garibaldi-1862"])  # "What happened in 1862?"
    assert "reverse" in supported_templates(library.facts["solferino-date"])  # "… on 24 June 1859?"


def test_a_false_statement_never_puts_in_a_person_its_own_sentence_names():
    # "Urbain Le Verrier was the astronomer who found Neptune …, working from Le Verrier's calculations."
    library = load_library(ASTRONOMY)
    maker = QuizMaker(library)
    fact = library.facts["johann-galle"]
    for seed in range(60):
        q = make_question(fact, "true_false", library.sources[fact.source], "t", maker.index, random.Random(seed),
                          knowledge=maker.knowledge, truth=False)
        assert "Le Verrier was" not in q.stem, q.stem


def test_who_was_is_asked_only_among_roles_of_the_topics_own_people(maker, library):
    # "Who was Maxim Litvinov?" among roles from elsewhere: his is the one about the quiz's topic.
    from quizgen.distractors import SAME_TOPIC

    for deck in library.decks:
        for seed in range(40):
            for q in maker.make(QuizSpec(deck, 10, seed)).questions:
                if q.template == "reverse" and q.fact_kind == "person":
                    assert sum(o == SAME_TOPIC for o in q.origins) >= 2, q.stem
