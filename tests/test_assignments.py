"""Assignments through the site and the JSON API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from quizgen.content import bundled_root
from quizgen.quiz import QuizSpec

DECK = "all-facts"
RESPONSE_KEYS = {"id", "student_url", "teacher_url", "teacher_secret", "quiz"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_app(request, tmp_path_factory):
    """One app and database per backend for the module: every test makes its own assignment."""
    from quizgen.webapp import create_app

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'quizgen.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").create_database()
    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()), "DATABASE_URL": url})
    yield app
    app.extensions["quizgen.assignments"].store.dispose()


@pytest.fixture
def web(db_app):
    return db_app.test_client()


def create(web, **fields) -> dict:
    r = web.post("/api/assignments", json={"deck": DECK, "count": 5, "seed": 7, "title": "Week 3", **fields})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def report(web, made: dict, **headers) -> dict:
    r = web.get(f"/api/assignments/{made['id']}/report", headers={**bearer(made["teacher_secret"]), **headers})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_create_returns_links_secret_and_the_quiz_without_answers(web, maker):
    made = create(web)
    assert set(made) >= RESPONSE_KEYS
    assert path(made["student_url"]) == f"/a/{made['id']}"
    assert made["teacher_secret"] in made["teacher_url"] and len(made["teacher_secret"]) >= 22
    expected = maker.make(QuizSpec(DECK, 5, 7)).to_dict(with_answers=False)
    assert made["quiz"]["questions"] == expected["questions"]
    assert "answer_index" not in str(made["quiz"]) and "citation" not in made["quiz"]["questions"][0]


def test_an_attempt_is_graded_as_the_grading_api_grades(web, maker):
    made = create(web)
    code = made["quiz"]["code"]
    answers = [0, None, 1, 0, 2][: made["quiz"]["count"]]
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": answers})
    assert r.status_code == 201
    expected = web.post(f"/api/quiz/{code}/grade", json={"answers": answers}).get_json()
    assert r.get_json() == expected  # score, total, results with citations, exactly as /grade
    assert all("quote" in item["citation"] for item in r.get_json()["results"])


def test_the_report_has_students_alpha_and_item_analysis(web):
    made = create(web)
    n = made["quiz"]["count"]
    right = [q["answer_index"] for q in web.post(f"/api/assignments/{made['id']}/attempts",
                                                   json={"name": "Probe", "answers": [None] * n}).get_json()["results"]]
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": right})
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Bob", "answers": right[:-1] + [None]})
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Probe", "answers": right})  # a retake
    body = report(web, made)
    assert body["attempts"] == 4 and body["analysed_attempts"] == 3
    students = {s["name"]: s for s in body["students"]}
    assert students["Probe"]["first_score"] == 0 and students["Probe"]["best_score"] == n
    assert students["Probe"]["score"] == n and students["Probe"]["attempts"] == 2
    assert students["Ada"]["score"] == n and students["Bob"]["score"] == n - 1
    first = body["questions"][0]
    assert {"stem", "facility", "discrimination", "option_counts", "unchosen_distractors"} <= set(first)
    assert first["facility"] == pytest.approx(2 / 3)  # first attempts: Probe blank, Ada and Bob right
    assert sum(first["option_counts"]) + first["unanswered"] == 3
    assert body["questions"][-1]["facility"] == pytest.approx(1 / 3)
    assert body["alpha"] is not None and body["score_distribution"][0] == 1


def test_the_report_as_csv_one_row_per_attempt_with_formulas_defused(web):
    made = create(web)
    n = made["quiz"]["count"]
    names = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ada, \"the\" first"]
    for i, name in enumerate(names):
        web.post(f"/api/assignments/{made['id']}/attempts", json={"name": name, "answers": [i % 2] * n})
    r = web.get(f"/api/assignments/{made['id']}/report",
                headers={**bearer(made["teacher_secret"]), "Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:5] == ["attempt", "name", "submitted_at", "score", "total"] and len(rows[0]) == 5 + n
    assert rows[0][5].startswith("Q1: ")
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)",
                                            "Ada, \"the\" first"]
    options = made["quiz"]["questions"][0]["options"]
    assert rows[1][5] == options[0].lstrip() or rows[1][5] == "'" + options[0]
    page_csv = web.get(path(made["teacher_url"]) + "/attempts.csv")
    assert page_csv.get_data(as_text=True) == r.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_without_the_secret_a_report_does_not_exist(web, headers):
    made = create(web)
    r = web.get(f"/api/assignments/{made['id']}/report", headers=headers)
    unknown = web.get("/api/assignments/nope/report", headers=bearer(made["teacher_secret"]))
    assert r.status_code == unknown.status_code == 404
    assert r.get_json() == unknown.get_json()
    assert web.get(f"/a/{made['id']}/report/wrong-secret").status_code == 404
    assert web.delete(f"/api/assignments/{made['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize("body, fragment", [
    ({"name": "Ada", "answers": [0]}, "answers were sent"),
    ({"name": "Ada", "answers": [9, 0, 0, 0, 0]}, "option number"),
    ({"name": "Ada", "answers": [-1, 0, 0, 0, 0]}, "option number"),
    ({"name": "Ada", "answers": [True, 0, 0, 0, 0]}, "answers"),
    ({"name": "A" * 101, "answers": [0, 0, 0, 0, 0]}, "at most 100 characters"),
    ({"name": "", "answers": [0, 0, 0, 0, 0]}, "type your name"),
    ({"answers": [0, 0, 0, 0, 0]}, "name"),
    ({"name": "Ada", "answers": [0, 0, 0, 0, 0], "extra": 1}, "extra"),
    ([0, 0], "JSON object"),
])
def test_a_bad_attempt_is_a_plain_400_and_stores_nothing(web, body, fragment):
    made = create(web)
    assert made["quiz"]["count"] == 5
    r = web.post(f"/api/assignments/{made['id']}/attempts", json=body)
    assert r.status_code == 400 and set(r.get_json()) == {"error"}
    assert fragment in r.get_json()["error"]
    assert report(web, made)["attempts"] == 0


def test_a_closed_assignment_refuses_attempts_and_its_page_says_so(web, db_app):
    made = create(web, closes=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    store = db_app.extensions["quizgen.assignments"].store
    from sqlalchemy import update

    from quizgen.storage.models import Assignment

    with store.writing() as session:  # time passes: the closing time is now behind us
        session.execute(update(Assignment).where(Assignment.id == made["id"])
                        .values(closes_at=datetime.now(UTC) - timedelta(minutes=1)))
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    assert r.status_code == 400 and "closed" in r.get_json()["error"]
    page = web.get(f"/a/{made['id']}").get_data(as_text=True)
    assert "This assignment is closed" in page and 'name="name"' not in page
    assert web.post(f"/a/{made['id']}", data={"name": "Ada"}).status_code == 400
    assert report(web, made)["attempts"] == 0 and report(web, made)["closed"] is True


@pytest.mark.parametrize("fields, fragment", [
    ({"closes": "tomorrow"}, "date and time"),
    ({"closes": "2030-01-01T10:00:00"}, "time zone"),
    ({"closes": "2001-01-01T10:00:00Z"}, "in the future"),
    ({"count": 0}, "count"),
    ({"count": True}, "count"),
    ({"kinds": ["essay"]}, "question kinds"),
    ({"title": "x" * 201}, "title"),
    ({"closes": "9999-12-31T23:59:59-01:00"}, "date and time"),
])
def test_a_bad_assignment_is_a_plain_400(web, fields, fragment):
    r = web.post("/api/assignments", json={"deck": DECK, **fields})
    assert r.status_code == 400, r.get_data(as_text=True)
    assert fragment in r.get_json()["error"]


@pytest.mark.parametrize("hours, fragment", [("0", "from 1 to"), ("9" * 5000, "whole number"), ("-3", "whole number"),
                                              ("99999", "whole number")])
def test_a_bad_closing_time_on_the_deck_page_is_a_plain_400(web, hours, fragment):
    r = web.post(f"/decks/{DECK}/assignments", data={"count": "3", "hours": hours})
    assert r.status_code == 400 and fragment in r.get_data(as_text=True)


def test_an_unknown_deck_is_a_404(web):
    assert web.post("/api/assignments", json={"deck": "nope"}).status_code == 404
    assert web.post("/decks/nope/assignments", data={"count": "5"}).status_code == 404


def test_delete_removes_the_assignment_and_its_attempts(web):
    made = create(web)
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    assert web.delete(f"/api/assignments/{made['id']}", headers=bearer(made["teacher_secret"])).status_code == 204
    assert web.get(f"/a/{made['id']}").status_code == 404
    assert web.get(f"/api/assignments/{made['id']}/report", headers=bearer(made["teacher_secret"])).status_code == 404
    assert web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Bob", "answers": [0] * 5}).status_code == 404


def test_a_teacher_creates_it_from_the_deck_page_and_students_take_it(web):
    deck_page = web.get(f"/decks/{DECK}").get_data(as_text=True)
    assert "Create assignment" in deck_page and f"/decks/{DECK}/assignments" in deck_page
    r = web.post(f"/decks/{DECK}/assignments", data={"title": "Friday test", "count": "4", "hours": "48"})
    assert r.status_code == 303
    teacher = r.headers["Location"]
    page = web.get(teacher)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Friday test" in text
    assert "if you lose it, you lose access" in text
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    student = path(re.search(r'id="student-link" href="([^"]+)"', text)[1])
    form = web.get(student).get_data(as_text=True)
    assert 'name="name"' in form and form.count('class="card question"') == 4
    hostile = '<img src=x onerror=alert(1)>'
    done = web.post(student, data={"name": hostile, "q0": "0", "q1": "1"})
    assert done.status_code == 303  # the result has its own address: a reload does not submit again
    result = web.get(done.headers["Location"])
    assert result.status_code == 200 and re.search(r"/a/[^/]+/results/A[A-Z]--$", done.headers["Location"])
    assert "You scored" in result.get_data(as_text=True) and "figure" in result.get_data(as_text=True)
    web.get(done.headers["Location"])  # reloading the result stores nothing more
    assert web.get(student + "/results/ZZZZ").status_code == 400  # not answers to this quiz
    assert web.get("/a/nope/results/AAAA").status_code == 404
    text = web.get(path(teacher.split("?")[0])).get_data(as_text=True)
    assert hostile not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert 'id="attempt-count">1<' in text and "<svg" in text


def test_a_bad_form_shows_the_form_again_with_the_choices_kept(web):
    made = create(web)
    r = web.post(path(made["student_url"]), data={"name": "", "q0": "1"})
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "type your name" in text and 'id="q0-1" name="q0" value="1" checked' in text
    assert report(web, made)["attempts"] == 0


def test_deleting_from_the_report_page_needs_the_box_ticked(web):
    made = create(web)
    teacher = path(made["teacher_url"])
    assert web.post(teacher + "/delete", data={}).status_code == 400
    assert web.get(path(made["student_url"])).status_code == 200
    r = web.post(teacher + "/delete", data={"confirm": "yes"})
    assert r.status_code == 200 and "Assignment deleted" in r.get_data(as_text=True)
    assert web.get(teacher).status_code == 404


def test_a_content_edit_changes_nothing_in_an_assignment(tmp_path, database_url):
    from quizgen.webapp import create_app

    content = tmp_path / "content-root"
    shutil.copytree(bundled_root() / "content", content / "content")
    shutil.copytree(bundled_root() / "decks", content / "decks")
    before = create_app({"TESTING": True, "CONTENT": str(content), "DATABASE_URL": database_url})
    made = create(before.test_client())
    before.extensions["quizgen.assignments"].store.dispose()

    (content / "decks" / f"{DECK}.toml").unlink()  # the deck is gone from the content altogether
    after = create_app({"TESTING": True, "CONTENT": str(content), "DATABASE_URL": database_url})
    web = after.test_client()
    assert web.get(f"/decks/{DECK}").status_code == 404
    assert web.get(f"/api/assignments/{made['id']}").get_json()["quiz"] == made["quiz"]
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    assert r.status_code == 201 and [x["stem"] for x in r.get_json()["results"]] == [
        q["stem"] for q in made["quiz"]["questions"]]
    assert report(web, made)["attempts"] == 1
    after.extensions["quizgen.assignments"].store.dispose()


def test_the_deck_page_form_chooses_question_kinds(web):
    page = web.get(f"/decks/{DECK}").get_data(as_text=True)
    assert 'id="assign-kind-true_false" name="kinds" value="true_false" checked' in page
    r = web.post(f"/decks/{DECK}/assignments", data={"count": "3", "kinds": "true_false"})
    assignment_id = re.search(r"/a/([^/]+)/report/", r.headers["Location"])[1]
    quiz = web.get(f"/api/assignments/{assignment_id}").get_json()["quiz"]
    assert quiz["kinds"] == ["true_false"]
    assert {q["kind"] for q in quiz["questions"]} == {"true_false"}


def test_the_report_offers_the_stored_quiz_for_each_class_platform(web):
    from lxml import etree

    made = create(web)
    teacher = path(made["teacher_url"])
    page = web.get(teacher).get_data(as_text=True)
    assert f'href="{teacher}/export/moodle-xml"' in page and f'href="{teacher}/export/gift"' in page
    r = web.get(f"{teacher}/export/moodle-xml")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"  # a teacher's download holds the answers
    texts = [t.text for t in etree.fromstring(r.data).iterfind(".//question/questiontext/text")]
    stems = [q["stem"] for q in made["quiz"]["questions"]]
    assert len(texts) == len(stems) and all(any(s in t for t in texts) for s in stems)
    assert web.get(f"/a/{made['id']}/report/wrong-secret/export/moodle-xml").status_code == 404
    assert web.get(f"{teacher}/export/no-such-format").status_code == 404
