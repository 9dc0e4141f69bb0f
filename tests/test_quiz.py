"""Quiz assembly: reproducible from a code, no fact twice, stale codes refused, no per-question scans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from quizgen.content import load_library
from quizgen.errors import QuizCodeError, StaleQuizError, SubmissionError, UnknownDeckError
from quizgen.quiz import QuizMaker, QuizSpec

MINI = Path(__file__).parent / "data" / "mini"


def test_same_inputs_same_quiz_and_the_code_remakes_it(maker):
    spec = QuizSpec("all-facts", 10, 42)
    first, second = maker.make(spec), maker.make(spec)
    assert first == second
    assert maker.from_code(first.code) == first
    other = maker.make(QuizSpec("all-facts", 10, 43))
    assert [q.fact_id for q in other.questions] != [q.fact_id for q in first.questions]


def test_a_fresh_process_makes_the_same_quiz(library, maker):
    # Seeds come from hashes, not Python's randomised hash(): a new maker over a new load agrees.
    again = QuizMaker(load_library(library.root))
    spec = QuizSpec("link-up-1945", 8, 5)
    assert again.make(spec).to_dict() == maker.make(spec).to_dict()


def test_no_fact_twice_and_kinds_respected(maker, library):
    for seed in range(20):
        quiz = maker.make(QuizSpec("all-facts", 30, seed, ("forward", "true_false")))
        ids = [q.fact_id for q in quiz.questions]
        # Shorter than asked: one question per subject (36 facts, 12 of them trivia, tell about a dozen
        # occurrences), never a fact twice.
        assert len(ids) == len(set(ids)) and 8 <= len(ids) <= 30
        assert {q.template for q in quiz.questions} <= {"forward", "true_false"}


def test_count_larger_than_the_deck_gives_every_subject_once():
    # The date and the place of "the meeting on the Elbe" are one event: one is asked, never both.
    maker = QuizMaker(load_library(MINI))
    for seed in range(10):
        ids = sorted(q.fact_id for q in maker.make(QuizSpec("war", 50, seed)).questions)
        assert ids in (sorted(["meeting-date", "konev", "sixty-ninth", "bands"]),
                       sorted(["torgau", "konev", "sixty-ninth", "bands"])), ids


def test_related_facts_are_kept_apart(tmp_path):
    # "Which American division met the Red Army at Torgau?" answers "Where did the meeting take place?"
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace('action = "met the Red Army on the Elbe"',
                                               'action = "met the Red Army at Torgau"'))
    maker = QuizMaker(load_library(root))
    for seed in range(10):
        ids = [q.fact_id for q in maker.make(QuizSpec("war", 50, seed)).questions]
        assert len(ids) == len(set(ids)) and set(ids) <= {"meeting-date", "konev", "torgau", "sixty-ninth", "bands"}
        assert not {"torgau", "sixty-ninth"} <= set(ids), ids
        assert not {"torgau", "meeting-date"} <= set(ids), ids  # one event
        assert len(ids) == (3 if "torgau" in ids else 4), ids


def test_changed_content_makes_old_codes_stale(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    code = QuizMaker(load_library(root)).make(QuizSpec("war", 3, 1)).code
    facts = root / "content/facts/war.toml"
    facts.write_text(facts.read_text().replace("the meeting on the Elbe", "the link-up on the Elbe"))
    fresh = QuizMaker(load_library(root))
    with pytest.raises(StaleQuizError, match="content, which has changed since"):
        fresh.from_code(code)
    with pytest.raises(StaleQuizError):
        fresh.grade(code, [0, 0, 0])


@pytest.mark.parametrize("code", ["", "nonsense", "war.3.frt.1", "war.0.frt.1.abcdef12", "war.3.xyz.1.abcdef12",
                                  "../etc.3.frt.1.abcdef12", "war.3.frt.-1.abcdef12"])
def test_malformed_codes_are_refused_plainly(code):
    maker = QuizMaker(load_library(MINI))
    with pytest.raises(QuizCodeError):
        maker.from_code(code)


def test_unknown_deck_in_a_code():
    maker = QuizMaker(load_library(MINI))
    with pytest.raises(UnknownDeckError):
        maker.from_code("nope.3.frt.1." + maker.version[:8])


def test_grading(maker):
    quiz = maker.make(QuizSpec("relations-1933", 5, 9))
    right = [q.answer_index for q in quiz.questions]
    graded = maker.grade(quiz.code, right)
    assert graded.score == 5
    wrong = [(a + 1) % len(q.options) for a, q in zip(right, quiz.questions, strict=False)]
    assert maker.grade(quiz.code, wrong).score == 0
    assert maker.grade(quiz.code, [None] * 5).score == 0
    with pytest.raises(SubmissionError, match="has 5 questions but 4 answers"):
        maker.grade(quiz.code, right[:4])
    with pytest.raises(SubmissionError, match="answer to question 1"):
        maker.grade(quiz.code, [99] + right[1:])


class _NoScan(dict):
    """A facts table that fails the test if anything walks it."""

    def _scan(self, *args):
        raise AssertionError("the library was scanned while making a quiz")

    __iter__ = values = items = keys = _scan


def test_a_quiz_from_a_large_library_does_not_scan_it(synth_library):
    maker = QuizMaker(synth_library)  # indexes the library once
    synth_library.deck_facts("all-facts")  # deck selection is computed once and cached
    facts = synth_library.facts
    synth_library.facts = _NoScan(facts)
    try:
        quiz = maker.make(QuizSpec("all-facts", 20, 1))
        again = maker.from_code(quiz.code)
    finally:
        synth_library.facts = facts
    assert len(quiz.questions) == 20 and again == quiz


def test_graded_results_carry_the_given_answer_and_citation(maker):
    quiz = maker.make(QuizSpec("link-up-1945", 3, 2))
    data = maker.grade(quiz.code, [quiz.questions[0].answer_index, None, None]).to_dict()
    assert (data["score"], data["total"]) == (1, 3)
    first = data["results"][0]
    assert first["correct"] and first["given_index"] == first["answer_index"]
    assert first["citation"]["quote"] == quiz.questions[0].citation.quote
    assert data["results"][1]["given_index"] is None and not data["results"][1]["correct"]


def test_outputs_are_written_atomically_and_readable(tmp_path):
    import os
    import stat

    from quizgen.atomic import write_text

    target = tmp_path / "out.html"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        from quizgen.atomic import atomic_path

        with atomic_path(target) as tmp:
            tmp.write_text("half a fi")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.html"]
    write_text(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044  # group/others may read, as with any output


def _marked(tmp_path, edits: dict[str, str]) -> Path:
    """The mini content with lines added after a fact's id line."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    facts = root / "content/facts/war.toml"
    text = facts.read_text()
    for fact_id, line in edits.items():
        text = text.replace(f'id = "{fact_id}"\n', f'id = "{fact_id}"\n{line}\n')
    facts.write_text(text)
    return root


def test_trivia_is_left_out_unless_asked_for(tmp_path):
    library = load_library(_marked(tmp_path, {"bands": "trivia = true"}))
    plain, curious = QuizMaker(library), QuizMaker(library, include_trivia=True)
    for seed in range(15):
        assert "bands" not in {q.fact_id for q in plain.make(QuizSpec("war", 5, seed)).questions}
    assert any("bands" in {q.fact_id for q in curious.make(QuizSpec("war", 5, seed)).questions} for seed in range(15))
    assert plain.capacity("war").facts == 4 and curious.capacity("war").facts == 5


def test_important_facts_come_first_more_often(tmp_path):
    library = load_library(_marked(tmp_path, {"konev": "importance = 3", "bands": "importance = 1"}))
    maker = QuizMaker(library)
    picked = [maker.make(QuizSpec("war", 1, seed)).questions[0].fact_id for seed in range(300)]
    # Weights 4 : 2 : 2 : 2 : 1 for konev, the three others, bands.
    assert picked.count("konev") > 2 * picked.count("bands") and picked.count("konev") > 70, picked.count("konev")


def test_capacity_counts_the_questions_a_deck_can_give(maker, library):
    cap = maker.capacity("relations-1933")
    assert cap.facts == len([f for f in library.deck_facts("relations-1933") if not f.trivia]) and cap.complete
    assert cap.total <= cap.facts and set(cap.by_kind) == {"forward", "reverse", "true_false"}
    # No quiz of the deck under these kinds is longer than the capacity says.
    longest = max(len(maker.make(QuizSpec("relations-1933", 50, seed)).questions) for seed in range(20))
    assert 0 < longest <= cap.total
    only_tf = maker.capacity("relations-1933", ("true_false",))
    assert only_tf.total == only_tf.by_kind["true_false"] and set(only_tf.by_kind) == {"true_false"}
    assert max(len(maker.make(QuizSpec("relations-1933", 50, s, ("true_false",))).questions)
               for s in range(10)) <= only_tf.total


def test_capacity_of_a_large_deck_stops_counting_at_the_quiz_limit(synth_library):
    from quizgen.quiz import MAX_COUNT

    cap = QuizMaker(synth_library).capacity("all-facts")
    assert not cap.complete and cap.total >= MAX_COUNT and cap.facts == 1000


def test_a_code_from_an_older_engine_is_refused_not_remade_differently(library, monkeypatch):
    import quizgen.quiz as quiz_module

    old = QuizMaker(library)
    code = old.make(QuizSpec("link-up-1945", 5, 3)).code
    monkeypatch.setattr(quiz_module, "ENGINE_VERSION", quiz_module.ENGINE_VERSION + 1)
    with pytest.raises(StaleQuizError, match="earlier version"):
        QuizMaker(library).from_code(code)
    # Asking for trivia makes other quizzes from the same spec, so it pins its own codes too.
    with pytest.raises(StaleQuizError):
        QuizMaker(library, include_trivia=True).from_code(code)


def test_a_place_the_repair_leaves_empty_is_filled_from_the_rest_of_the_deck(maker):
    # Remaking a question whose options stood for a later one's subject can leave it out; the quiz then
    # walks on through the deck, so a 4-question quiz of a deck with a dozen subjects has 4 questions.
    assert {len(maker.make(QuizSpec("all-facts", 4, seed)).questions) for seed in range(300)} == {4}
