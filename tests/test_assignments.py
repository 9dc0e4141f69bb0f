"""Assignments through the site and the JSON API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from classroom import assign, form_post, sign_up

from quizgen.content import bundled_root
from quizgen.quiz import QuizSpec

DECK = "all-facts"
RESPONSE_KEYS = {"id", "student_url", "join_url", "join_code", "teacher_url", "teacher_secret", "quiz", "reveal"}


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
    assert made["reveal"] == "closed" and re.fullmatch(r"[ACEFHJKMNPRTWXY3479]{6}", made["join_code"])
    # What a student asks for holds no quiz code: the code rebuilds the quiz, and with it the key.
    shown = web.get(f"/api/assignments/{made['id']}").get_json()
    assert "code" not in shown["quiz"] and made["quiz"]["code"] not in str(shown)
    assert shown["quiz"]["questions"] == expected["questions"]


def test_an_attempt_is_graded_as_the_grading_api_grades_once_released(web, maker):
    made = create(web, reveal="submit")
    code = made["quiz"]["code"]
    answers = [0, None, 1, 0, 2][: made["quiz"]["count"]]
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": answers})
    assert r.status_code == 201
    expected = web.post(f"/api/quiz/{code}/grade", json={"answers": answers}).get_json()
    body = r.get_json()
    assert body["results"] == expected["results"] and body["score"] == expected["score"]
    assert all("quote" in item["citation"] for item in body["results"])
    page = web.get(path(body["result_url"])).get_data(as_text=True)
    assert page.count('class="card result') == len(answers) and "figure" in page


def test_before_release_an_attempt_gives_its_score_and_nothing_else(web):
    made = create(web)  # default: the right answers are shown once it has closed
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    body = r.get_json()
    assert r.status_code == 201 and set(body) == {"score", "total", "late", "result_url", "released"}
    assert body["released"] is False
    page = web.get(path(body["result_url"])).get_data(as_text=True)
    assert f"You scored {body['score']} out of 5" in page and 'class="card result' not in page
    assert "once the assignment has closed" in page and "Right answer" not in page


def test_the_report_has_students_and_item_analysis_with_its_evidence(web):
    made = create(web, reveal="submit")
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
    assert body["score_distribution"][0] == 1
    # Three first attempts are no evidence for correlations: none shown, and the report says why.
    assert body["alpha"] is None and body["enough_evidence"] is False and body["min_evidence"] == 10
    assert all(q["discrimination"] is None and q["efficiency"] is None for q in body["questions"])
    assert all(q["unchosen_distractors"] == [] for q in body["questions"])
    for i in range(8):  # ten students: now the figures mean something
        web.post(f"/api/assignments/{made['id']}/attempts",
                 json={"name": f"Student {i}", "answers": right[: i % n] + [None] * (n - i % n)})
    body = report(web, made)
    assert body["enough_evidence"] is True and body["alpha"] is not None
    assert any(q["discrimination"] is not None for q in body["questions"])


def test_the_report_as_csv_one_row_per_attempt_with_a_key_row_and_formulas_defused(web):
    made = create(web)
    n = made["quiz"]["count"]
    names = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ada, \"the\" first"]
    for i, name in enumerate(names):
        web.post(f"/api/assignments/{made['id']}/attempts", json={"name": name, "answers": [i % 2] * n})
    r = web.get(f"/api/assignments/{made['id']}/report",
                headers={**bearer(made["teacher_secret"]), "Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:6] == ["attempt", "name", "submitted_at", "late", "score", "total"]
    assert rows[0][6:] == [h for q in range(1, n + 1) for h in (f"Q{q}", f"Q{q} mark")]  # short headers
    key = rows[1]
    assert key[0] == "key" and key[7::2] == ["1"] * n and all(len(x) == 1 and x.isalpha() for x in key[6::2])
    assert [row[1] for row in rows[2:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)",
                                            "Ada, \"the\" first"]
    for row in rows[2:]:
        letters, marks = row[6::2], row[7::2]
        assert marks == ["1" if a == k else "0" for a, k in zip(letters, key[6::2], strict=True)]
        assert int(row[4]) == sum(map(int, marks))
    assert rows[2][6::2] == ["A"] * n and rows[3][6::2] == ["B"] * n
    page_csv = web.get(path(made["teacher_url"]) + "/attempts.csv")
    assert page_csv.get_data(as_text=True) == r.get_data(as_text=True)


def test_the_report_as_xlsx_has_the_attempts_and_the_questions(web):
    from python_calamine import CalamineWorkbook

    made = create(web)
    n = made["quiz"]["count"]
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "=1+1", "answers": [0] * n})
    r = web.get(path(made["teacher_url"]) + "/attempts.xlsx")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.data))
    assert book.sheet_names == ["Attempts", "Questions"]
    attempts = book.get_sheet_by_name("Attempts").to_python()
    assert attempts[0][6] == "Q1" and attempts[1][0] == "key" and attempts[2][1] == "=1+1"  # text, not a formula
    questions = book.get_sheet_by_name("Questions").to_python()
    assert [row[1] for row in questions[1:]] == [q["stem"] for q in made["quiz"]["questions"]]
    assert web.get(f"/a/{made['id']}/report/wrong/attempts.xlsx").status_code == 404
    rows = list(csv.reader(io.StringIO(web.get(path(made["teacher_url"]) + "/questions.csv").get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == [f"Q{i}" for i in range(1, n + 1)]
    assert [r[1] for r in rows[1:]] == [q["stem"] for q in made["quiz"]["questions"]]
    assert web.get(f"/a/{made['id']}/report/wrong/questions.csv").status_code == 404


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
    ({"answers": [0, 0, 0, 0, 0]}, "name must be text"),
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


def test_a_late_answer_is_kept_marked_late_and_the_closed_page_speaks_in_the_past(web, db_app):
    made = create(web, closes=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    form = web.get(f"/a/{made['id']}").get_data(as_text=True)  # a student opens it in time…
    store = db_app.extensions["quizgen.assignments"].store
    from sqlalchemy import update

    from quizgen.storage.models import Assignment

    with store.writing() as session:  # …and time passes: the closing time is now behind us
        session.execute(update(Assignment).where(Assignment.id == made["id"])
                        .values(closes_at=datetime.now(UTC) - timedelta(minutes=1)))
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    r = web.post(f"/a/{made['id']}", data={"csrf_token": token, "name": "Ada", "q0": "0"})
    assert r.status_code == 303  # never lost
    result = web.get(r.headers["Location"]).get_data(as_text=True)
    assert "marked late" in result
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Bob", "answers": [0] * 5})
    assert r.status_code == 201 and r.get_json()["late"] is True
    page = web.get(f"/a/{made['id']}").get_data(as_text=True)
    assert "This assignment closed" in page and "closes" not in page and 'name="name"' not in page
    body = report(web, made)
    assert body["attempts"] == 2 and body["late_attempts"] == 2 and body["closed"] is True
    assert all(s["first_late"] for s in body["students"]) and body["analysed_attempts"] == 0


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


@pytest.mark.parametrize("fields, fragment", [({"hours": "0"}, "from 1 to"), ({"hours": "9" * 5000}, "whole number"),
                                               ({"hours": "-3"}, "whole number"), ({"closes": "soon"}, "date and time"),
                                               ({"closes": "2001-01-01T10:00"}, "in the future"),
                                               ({"reveal": "sometimes"}, "answers shown must be one of"),
                                               ({"roster": "Ada\nADA"}, "read the same")])
def test_a_bad_assignment_form_is_a_plain_400(web, fields, fragment):
    sign_up(web)
    r = form_post(web, f"/decks/{DECK}/assignments", {"count": "3", **fields}, page=f"/decks/{DECK}")
    assert r.status_code == 400 and fragment in r.get_data(as_text=True)


def test_an_unknown_deck_is_a_404(web):
    assert web.post("/api/assignments", json={"deck": "nope"}).status_code == 404
    sign_up(web)
    assert form_post(web, "/decks/nope/assignments", {"count": "5"}).status_code == 404


def test_assigning_from_the_deck_page_needs_a_teacher_and_a_csrf_token(web):
    page = web.get(f"/decks/{DECK}").get_data(as_text=True)
    assert "Sign in to assign it" in page and "Create assignment" not in page
    r = form_post(web, f"/decks/{DECK}/assignments", {"count": "3"})
    assert r.status_code == 303 and "/signin" in r.headers["Location"] or "/signup" in r.headers["Location"]
    sign_up(web)
    assert web.post(f"/decks/{DECK}/assignments", data={"count": "3"}).status_code == 400  # no token
    r = web.post(f"/decks/{DECK}/assignments", data={"count": "3", "csrf_token": "forged"})
    assert r.status_code == 400 and "reload the page" in r.get_data(as_text=True)


def test_delete_removes_the_assignment_and_its_attempts(web):
    made = create(web)
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    assert web.delete(f"/api/assignments/{made['id']}", headers=bearer(made["teacher_secret"])).status_code == 204
    assert web.get(f"/a/{made['id']}").status_code == 404
    assert web.get(f"/api/assignments/{made['id']}/report", headers=bearer(made["teacher_secret"])).status_code == 404
    assert web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Bob", "answers": [0] * 5}).status_code == 404


def test_a_teacher_creates_it_from_the_deck_page_and_students_take_it(web):
    sign_up(web, timezone="America/New_York")
    deck_page = web.get(f"/decks/{DECK}").get_data(as_text=True)
    assert "Create assignment" in deck_page and 'type="datetime-local"' in deck_page and "America/New_York" in deck_page
    report_path = assign(web, title="Friday test", closes="2099-06-01T15:00", reveal="submit")
    assert re.fullmatch(r"/teacher/a/[^/?]+", report_path)  # no "?created=1" to bookmark for ever
    page = web.get(report_path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Friday test" in text
    assert "closes 2099-06-01 15:00 (America/New_York)" in text  # typed and shown in the teacher's zone
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    join_url = re.search(r'id="join-url" href="([^"]+)"', text)[1]
    code = re.search(r'id="join-code"[^>]*>([^<]+)<', text)[1]
    assert join_url == f"http://localhost/join/{code}"  # a whole address, from the one the teacher used
    student = web.get(path(join_url)).headers["Location"]
    student_client = web.application.test_client()  # a student: another browser, no account
    form = student_client.get(student).get_data(as_text=True)
    assert 'name="name"' in form and form.count('class="card question"') == 4
    assert "closes 2099-06-01 15:00 (America/New_York)" in form  # the class's time, as its teacher set it
    hostile = '<img src=x onerror=alert(1)>'
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    done = student_client.post(student, data={"csrf_token": token, "name": hostile, "q0": "0", "q1": "1"})
    assert done.status_code == 303  # the result has its own address: a reload does not submit again
    assert re.fullmatch(r"/a/[^/]+/r/[A-Za-z0-9_-]{22}", done.headers["Location"])
    result = student_client.get(done.headers["Location"])
    assert result.status_code == 200 and "You scored" in result.get_data(as_text=True)
    assert "figure" in result.get_data(as_text=True)  # released at once, as chosen: sources shown
    student_client.get(done.headers["Location"])  # reloading the result stores nothing more
    assert student_client.get(done.headers["Location"][:-1] + "x").status_code == 404
    assert student_client.get(report_path).status_code in (302, 303)  # a student's browser: sign in first
    text = web.get(report_path).get_data(as_text=True)
    assert hostile not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert 'id="attempt-count">1<' in text and "<svg" in text
    home = web.get("/teacher").get_data(as_text=True)
    assert "Friday test" in home and "1 attempt" in home and "Open" in home
    # A link for a colleague: the report without an account, times in the teacher's zone; a new link ends the old.
    shared = re.search(r'id="share-link" href="([^"]+)"', form_post(web, report_path + "/share", {}).get_data(
        as_text=True))[1]
    colleague = web.application.test_client()
    page = colleague.get(path(shared)).get_data(as_text=True)
    assert "Shared report" in page and "closes 2099-06-01 15:00 (America/New_York)" in page
    form_post(web, report_path + "/share", {})
    assert colleague.get(path(shared)).status_code == 404


def test_a_bad_form_shows_the_form_again_with_the_choices_kept(web):
    made = create(web)
    r = form_post(web, path(made["student_url"]), {"name": "", "q0": "1"})
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "type your name" in text and 'id="q0-1" name="q0" value="1" checked' in text
    assert report(web, made)["attempts"] == 0


def test_deleting_from_the_report_page_needs_the_box_ticked(web):
    made = create(web)
    teacher = path(made["teacher_url"])
    assert form_post(web, teacher + "/delete", {}).status_code == 400
    assert web.get(path(made["student_url"])).status_code == 200
    r = form_post(web, teacher + "/delete", {"confirm": "yes"})
    assert r.status_code == 200 and "Assignment deleted" in r.get_data(as_text=True)
    assert web.get(teacher).status_code == 404


def test_a_content_edit_changes_nothing_in_an_assignment(tmp_path, database_url):
    from quizgen.webapp import create_app

    content = tmp_path / "content-root"
    shutil.copytree(bundled_root() / "content", content / "content")
    shutil.copytree(bundled_root() / "decks", content / "decks")
    before = create_app({"TESTING": True, "CONTENT": str(content), "DATABASE_URL": database_url})
    made = create(before.test_client(), reveal="submit")
    before.extensions["quizgen.assignments"].store.dispose()

    (content / "decks" / f"{DECK}.toml").unlink()  # the deck is gone from the content altogether
    after = create_app({"TESTING": True, "CONTENT": str(content), "DATABASE_URL": database_url})
    web = after.test_client()
    assert web.get(f"/decks/{DECK}").status_code == 404
    assert web.get(f"/api/assignments/{made['id']}").get_json()["quiz"] == {
        k: v for k, v in made["quiz"].items() if k != "code"}
    r = web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Ada", "answers": [0] * 5})
    assert r.status_code == 201 and [x["stem"] for x in r.get_json()["results"]] == [
        q["stem"] for q in made["quiz"]["questions"]]
    assert report(web, made)["attempts"] == 1
    after.extensions["quizgen.assignments"].store.dispose()


def test_the_deck_page_form_chooses_question_kinds(web):
    sign_up(web)
    page = web.get(f"/decks/{DECK}").get_data(as_text=True)
    assert 'id="assign-kind-true_false" name="kinds" value="true_false" checked' in page
    assignment_id = assign(web, count="3", kinds="true_false").rsplit("/", 1)[1]
    quiz = web.get(f"/api/assignments/{assignment_id}").get_json()["quiz"]
    assert quiz["kinds"] == ["true_false"]
    assert {q["kind"] for q in quiz["questions"]} == {"true_false"}


def test_the_report_offers_the_stored_quiz_for_each_class_platform(web):
    from lxml import etree

    made = create(web)
    teacher = path(made["teacher_url"])
    page = web.get(teacher).get_data(as_text=True)
    assert f'href="{teacher}/export/moodle-xml"' in page and f'href="{teacher}/export/gift"' in page
    assert made["quiz"]["code"] not in web.get(path(made["student_url"])).get_data(as_text=True)
    r = web.get(f"{teacher}/export/moodle-xml")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert r.headers["Cache-Control"] == "no-store"  # a teacher's download holds the answers
    texts = [t.text for t in etree.fromstring(r.data).iterfind(".//question/questiontext/text")]
    stems = [q["stem"] for q in made["quiz"]["questions"]]
    assert len(texts) == len(stems) and all(any(s in t for t in texts) for s in stems)
    assert web.get(f"/a/{made['id']}/report/wrong-secret/export/moodle-xml").status_code == 404
    assert web.get(f"{teacher}/export/no-such-format").status_code == 404
