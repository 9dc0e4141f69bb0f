"""The JSON API: decks, quizzes without answers, grading with citations, errors as JSON."""

from __future__ import annotations

import json

import pytest

from quizgen.quiz import QuizSpec


@pytest.fixture
def api(sclient):
    return sclient


def assert_json_error(r, status: int, fragment: str) -> None:
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert set(body) == {"error"}
    assert fragment in body["error"]


def test_decks_lists_every_deck_with_its_fact_count(api, smaker):
    r = api.get("/api/decks")
    assert r.status_code == 200
    decks = {d["id"]: d for d in r.get_json()["decks"]}
    assert set(decks) == set(smaker.library.decks)
    assert decks["all-facts"]["facts"] == 1000
    assert decks["group-3"]["title"] == "Synthetic group 3"
    assert decks["group-3"]["description"] == "Synthetic facts tagged group-3."
    assert decks["group-3"]["url"].endswith("/decks/group-3")


def test_bundled_decks_are_listed(client, library):
    ids = [d["id"] for d in client.get("/api/decks").get_json()["decks"]]
    assert sorted(ids) == sorted(library.decks)


def test_new_quiz_has_questions_and_a_code_but_no_answers_or_citations(api, smaker):
    r = api.get("/api/decks/group-3/quiz?count=7&seed=12")
    assert r.status_code == 200
    quiz = r.get_json()
    assert quiz["code"].startswith("group-3.7.frt.12.")
    assert quiz["deck"] == "group-3" and quiz["count"] == 7 and len(quiz["questions"]) == 7
    expected = smaker.make(QuizSpec("group-3", 7, 12))
    for q, want in zip(quiz["questions"], expected.questions, strict=True):
        assert q["stem"] == want.stem and q["options"] == list(want.options)
        assert not {"answer_index", "answer", "citation"} & set(q)
    raw = r.get_data(as_text=True)
    assert "answer_index" not in raw and "citation" not in raw and "quote" not in raw
    assert quiz["url"].endswith(f"/q/{quiz['code']}")
    assert quiz["grade_url"].endswith(f"/api/quiz/{quiz['code']}/grade")


def test_new_quiz_without_a_seed_is_random(api):
    codes = {api.get("/api/decks/group-3/quiz?count=3").get_json()["code"] for _ in range(5)}
    assert len(codes) > 1


def test_kinds_can_be_comma_separated_or_repeated(api):
    a = api.get("/api/decks/group-3/quiz?count=4&seed=1&kinds=true_false,forward").get_json()
    b = api.get("/api/decks/group-3/quiz?count=4&seed=1&kinds=forward&kinds=true_false").get_json()
    assert a["kinds"] == b["kinds"] == ["forward", "true_false"]
    assert a == b
    tf = api.get("/api/decks/group-3/quiz?count=4&seed=1&kinds=true_false").get_json()
    assert all(q["options"] == ["True", "False"] for q in tf["questions"])


def test_quiz_by_code_is_the_same_quiz(api):
    made = api.get("/api/decks/group-4/quiz?count=5&seed=99").get_json()
    again = api.get(f"/api/quiz/{made['code']}").get_json()
    assert again == made


def test_grading_scores_and_returns_answers_with_citations(api, smaker):
    quiz = smaker.make(QuizSpec("all-facts", 6, 21))
    answers = [q.answer_index for q in quiz.questions]
    answers[1] = (answers[1] + 1) % len(quiz.questions[1].options)
    answers[2] = None
    r = api.post(f"/api/quiz/{quiz.code}/grade", json={"answers": answers})
    assert r.status_code == 200
    graded = r.get_json()
    assert graded["code"] == quiz.code
    assert graded["score"] == 4 and graded["total"] == 6
    results = graded["results"]
    assert [x["correct"] for x in results] == [True, False, False, True, True, True]
    assert results[2]["given_index"] is None
    for res, q in zip(results, quiz.questions, strict=True):
        assert res["answer_index"] == q.answer_index and res["answer"] == q.answer
        assert res["citation"]["quote"] == q.citation.quote
        assert res["citation"]["publisher"] == q.citation.publisher
        assert res["citation"]["published"] == q.citation.published
        assert "attributed" in res["citation"]


def test_grading_accepts_a_body_without_a_json_content_type(api, smaker):
    # `curl -d '{"answers": …}'` sends form encoding; a student's script should still work.
    quiz = smaker.make(QuizSpec("group-3", 2, 1))
    r = api.post(f"/api/quiz/{quiz.code}/grade", data=json.dumps({"answers": [None, None]}),
                 content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and r.get_json()["score"] == 0


def test_unknown_deck_is_a_json_404(api):
    assert_json_error(api.get("/api/decks/no-such/quiz"), 404, "No deck with id 'no-such'")


def test_unknown_api_route_is_a_json_404(api):
    assert_json_error(api.get("/api/nothing-here"), 404, "no page at this address")


def test_wrong_method_is_a_json_405(api, smaker):
    quiz = smaker.make(QuizSpec("group-3", 2, 1))
    assert_json_error(api.get(f"/api/quiz/{quiz.code}/grade"), 405, "does not accept")


@pytest.mark.parametrize("query, fragment", [
    ("count=0", "count must be between 1 and 200"),
    ("count=1000", "count must be between 1 and 200"),
    ("count=ten", "count must be a whole number"),
    ("seed=abc", "seed must be a whole number"),
    ("kinds=essay", "question kinds must be some of"),
])
def test_bad_quiz_settings_are_json_400s(api, query, fragment):
    assert_json_error(api.get(f"/api/decks/group-3/quiz?{query}"), 400, fragment)


def test_malformed_stale_and_unknown_codes(api, smaker):
    assert_json_error(api.get("/api/quiz/garbage"), 400, "is not a quiz code")
    assert_json_error(api.post("/api/quiz/garbage/grade", json={"answers": []}), 400, "is not a quiz code")
    digest = smaker.version[:8]
    assert_json_error(api.get(f"/api/quiz/nope.3.frt.1.{digest}"), 404, "No deck with id")
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    other = "00000000" if digest != "00000000" else "11111111"
    stale = quiz.code[:-8] + other
    assert_json_error(api.get(f"/api/quiz/{stale}"), 400, "earlier version of the content")
    assert_json_error(api.post(f"/api/quiz/{stale}/grade", json={"answers": [0, 0, 0]}), 400,
                      "earlier version of the content")


@pytest.mark.parametrize("body, fragment", [
    ({"answers": [0, 0]}, "has 3 questions but 2 answers were sent"),
    ({"answers": [0, 0, 0, 0]}, "has 3 questions but 4 answers were sent"),
    ({"answers": [0, 99, 0]}, "answer to question 2 must be an option number"),
    ({"answers": [0, -1, 0]}, "answer to question 2 must be an option number"),
    ({"answers": [0, "1", 0]}, "answers[1]"),
    ({"answers": [0, 1.5, 0]}, "answers[1]"),
    ({"answers": [True, 0, 0]}, "answers[0]"),
    ({"answers": "0,1,2"}, "answers"),
    ({}, "answers: missing"),
    ({"answers": [0, 0, 0], "score": 3}, "score: unknown key"),
    ([0, 0, 0], "send a JSON object"),
])
def test_tampered_grade_requests_are_json_400s(api, smaker, body, fragment):
    quiz = smaker.make(QuizSpec("group-3", 3, 1, ("forward",)))
    assert_json_error(api.post(f"/api/quiz/{quiz.code}/grade", json=body), 400, fragment)


def test_grade_request_that_is_not_json_is_a_400(api, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    r = api.post(f"/api/quiz/{quiz.code}/grade", data="answers=1,2,3",
                 content_type="application/json")
    assert_json_error(r, 400, "send a JSON object")


def test_huge_grade_request_is_refused(api, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    body = json.dumps({"answers": [0] * 100_000})
    assert_json_error(api.post(f"/api/quiz/{quiz.code}/grade", data=body, content_type="application/json"),
                      413, "far too large")


def test_api_responses_carry_the_security_headers(api):
    for r in (api.get("/api/decks"), api.get("/api/quiz/garbage")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
