"""Teacher accounts, sessions and CSRF; join codes and QR codes; rosters with personal codes;
names compared as a reader sees them; the CLI's `teacher add` and `serve` options."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import segno
from classroom import PASSWORD, assign, csrf, form_post, sign_up
from sqlalchemy import select, text

from quizgen.cli import cli
from quizgen.content import bundled_root
from quizgen.errors import SubmissionError
from quizgen.storage import Store
from quizgen.storage.accounts import Accounts
from quizgen.storage.assignments import CODE_ALPHABET, normal_code
from quizgen.storage.models import LoginSession, Teacher
from quizgen.storage.names import fold_name, looks_disguised

DECK = "all-facts"


@pytest.fixture
def school(tmp_path):
    from quizgen.webapp import create_app

    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'school.db'}"})
    yield app
    app.extensions["quizgen.assignments"].store.dispose()


@pytest.fixture
def web(school):
    return school.test_client()


def store_of(app) -> Store:
    return app.extensions["quizgen.assignments"].store


# ---- accounts -------------------------------------------------------------------------------


def test_the_first_visit_asks_for_the_first_account_then_sign_in(web):
    first = web.get("/teacher")
    assert first.status_code == 303 and first.headers["Location"].startswith("/signup")
    assert "Create the first teacher account" in web.get("/signup").get_data(as_text=True)
    sign_up(web)
    assert web.get("/teacher").status_code == 200
    other = web.application.test_client()
    assert other.get("/teacher").headers["Location"].startswith("/signin")  # now an account exists
    assert "Create a teacher account" in other.get("/signup").get_data(as_text=True)


def test_passwords_are_kept_as_argon2id_and_checked(school, web):
    email = sign_up(web)
    with store_of(school).reading() as session:
        stored = session.scalar(select(Teacher.password_hash).where(Teacher.email == email))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored and "m=65536" in stored
    accounts = Accounts(store_of(school))
    assert accounts.authenticate(email.upper(), PASSWORD).email == email  # addresses compared case-folded
    for wrong in ("wrong password!", "", None, PASSWORD + "x"):
        with pytest.raises(SubmissionError, match="do not match an account"):
            accounts.authenticate(email, wrong)
    with pytest.raises(SubmissionError, match="do not match an account"):  # the same words for no account
        accounts.authenticate("nobody@school.example", PASSWORD)
    other = school.test_client()
    r = other.post("/signin", data={"csrf_token": csrf(other, "/signin"), "email": email, "password": "nope nope nope"})
    assert r.status_code == 400 and "do not match" in r.get_data(as_text=True)


@pytest.mark.parametrize("fields, fragment", [
    ({"email": "not an address"}, "email address"),
    ({"password": "short"}, "at least 10 characters"),
    ({"name": "   "}, "your name"),
    ({"timezone": "Mars/Olympus_Mons"}, "time zone must be a name"),
    ({"timezone": "../../etc/passwd"}, "time zone must be a name"),
])
def test_a_bad_sign_up_is_a_400_that_keeps_what_was_typed(web, fields, fragment):
    data = {"email": "ada@school.example", "name": "Ada", "password": PASSWORD, "timezone": "", **fields}
    r = web.post("/signup", data={"csrf_token": csrf(web, "/signup"), **data})
    text_ = r.get_data(as_text=True)
    assert r.status_code == 400 and fragment in text_ and PASSWORD not in text_
    if fields.get("email") is None:
        assert 'value="ada@school.example"' in text_


def test_one_address_one_account(web, school):
    email = sign_up(web)
    other = school.test_client()
    r = other.post("/signup", data={"csrf_token": csrf(other, "/signup"), "email": email.upper(), "name": "X",
                                    "password": PASSWORD})
    assert r.status_code == 400 and "already an account" in r.get_data(as_text=True)


def test_sessions_live_in_the_database_and_signing_out_ends_them(school, web):
    sign_up(web)
    cookie = web.get_cookie("quizgen_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    with store_of(school).reading() as session:
        rows = session.scalars(select(LoginSession)).all()
        assert len(rows) == 1 and cookie.value not in rows[0].id  # only its hash is kept
    # Another server process (another app on the same database) knows the session.
    from quizgen.webapp import create_app

    twin = create_app({"TESTING": True, "CONTENT": str(bundled_root()), "DATABASE_URL": store_of(school).url})
    other = twin.test_client()
    other.set_cookie("quizgen_session", cookie.value)
    assert other.get("/teacher").status_code == 200
    r = web.post("/signout", data={"csrf_token": csrf(web, "/teacher")})
    assert r.status_code == 303
    assert other.get("/teacher").status_code == 303  # ended everywhere
    with store_of(school).reading() as session:
        assert session.scalars(select(LoginSession)).all() == []
    twin.extensions["quizgen.assignments"].store.dispose()


def test_an_expired_session_is_signed_out(school, web):
    sign_up(web)
    with store_of(school).writing() as session:
        session.execute(text("UPDATE login_sessions SET expires_at = :t"),
                        {"t": (datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)})
    assert web.get("/teacher").status_code == 303


def test_every_form_needs_its_csrf_token(school, web):
    sign_up(web)
    report = assign(web)
    assignment_id = report.rsplit("/", 1)[1]
    attacker = {"csrf_token": "forged"}
    for path, data in [("/signout", {}), (f"/decks/{DECK}/assignments", {"count": "3"}),
                       (f"{report}/delete", {"confirm": "yes"}), (f"{report}/share", {}), (f"{report}/close", {}),
                       (f"/decks/{DECK}/worksheets", {"count": "3"}), ("/teacher/settings", {"timezone": "UTC"}),
                       (f"/a/{assignment_id}", {"name": "Victim", "q0": "0"}), ("/join", {"code": "AAAAAA"})]:
        for sent in ({}, attacker):
            r = web.post(path, data={**data, **sent})
            assert r.status_code == 400 and "reload the page" in r.get_data(as_text=True), path
    assert web.get(report).status_code == 200  # nothing was deleted or closed
    assert 'id="attempt-count">0<' in web.get(report).get_data(as_text=True)
    # A signed-in teacher's token is their session's; a visitor's comes with an HttpOnly cookie.
    visitor = school.test_client()
    token = csrf(visitor, "/join")
    assert visitor.get_cookie("quizgen_csrf").value == token and visitor.get_cookie("quizgen_csrf").http_only


def test_sign_in_goes_back_where_the_teacher_was_and_never_off_site(school, web):
    email = sign_up(web)
    web.post("/signout", data={"csrf_token": csrf(web, "/teacher")})
    for target, expected in [(f"/decks/{DECK}", f"/decks/{DECK}"), ("https://evil.example/", "/teacher"),
                             ("//evil.example", "/teacher"), ("/\\evil.example", "/teacher")]:
        r = web.post("/signin", data={"csrf_token": csrf(web, "/signin"), "email": email, "password": PASSWORD,
                                      "next": target})
        assert r.status_code == 303 and r.headers["Location"] == expected
        web.post("/signout", data={"csrf_token": csrf(web, "/teacher")})


def test_a_teacher_sees_only_their_own_assignments(school, web):
    sign_up(web)
    mine = assign(web, title="Mine")
    other = school.test_client()
    sign_up(other)
    assert other.get(mine).status_code == 404 and other.get(mine + "/attempts.csv").status_code == 404
    assert form_post(other, mine + "/delete", {"confirm": "yes"}).status_code == 404
    assert "Mine" not in other.get("/teacher").get_data(as_text=True)
    assert "Mine" in web.get("/teacher").get_data(as_text=True)


# ---- handing out ----------------------------------------------------------------------------


def test_join_codes_have_no_look_alikes_and_forgive_how_they_are_typed(school, web):
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S8BUVDQG6")
    sign_up(web)
    report = assign(web)
    page = web.get(report).get_data(as_text=True)
    code = re.search(r'id="join-code"[^>]*>([^<]+)<', page)[1]
    assignment_id = report.rsplit("/", 1)[1]
    student = school.test_client()
    for typed in (code, code.lower(), f" {code[:3]}-{code[3:]} ", f"{code[:3]} {code[3:]}"):
        r = student.post("/join", data={"csrf_token": csrf(student), "code": typed})
        assert r.status_code == 303 and r.headers["Location"] == f"/a/{assignment_id}", typed
    assert student.get(f"/join/{code}").headers["Location"] == f"/a/{assignment_id}"
    r = student.post("/join", data={"csrf_token": csrf(student), "code": "AAAAAA"})
    assert r.status_code == 404 and "No assignment has that code" in r.get_data(as_text=True)
    assert normal_code("0O1IL2", 6) is None and normal_code("x" * 100, 6) is None


def _teacher_at(school, host: str):
    """A teacher's browser that opened the site at ``host`` (say this laptop's address on the school network)."""
    import functools

    client = school.test_client()
    client.open = functools.partial(client.open, base_url=f"http://{host}")  # every request, cookies too
    sign_up(client)
    return client


def test_the_qr_code_holds_the_whole_student_address(school):
    web = _teacher_at(school, "192.168.1.20:8000")
    report = assign(web)
    page = web.get(report).get_data(as_text=True)
    join_url = re.search(r'id="join-url" href="([^"]+)"', page)[1]
    assert re.fullmatch(r"http://192\.168\.1\.20:8000/join/[ACEFHJKMNPRTWXY3479]{6}", join_url)
    assert "only works on this computer" not in page
    qr_path = re.search(r'<img class="qr" src="([^"]+)"', page)[1]
    r = web.get(qr_path)
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<script" not in r.data
    expected = io.BytesIO()
    segno.make(join_url, error="m").save(expected, kind="svg", scale=8, border=2, xmldecl=False,
                                          title="Student address")
    assert r.data == expected.getvalue()  # the same symbol segno draws for that address
    school.config["PUBLIC_URL"] = "https://quiz.school.example"
    public = web.get(report).get_data(as_text=True)
    assert re.search(r'id="join-url" href="https://quiz\.school\.example/join/', public)


def test_a_loopback_address_warns_the_teacher(school):
    web = _teacher_at(school, "127.0.0.1:8000")
    page = web.get(assign(web)).get_data(as_text=True)
    assert "only works on this computer" in page and "--host 0.0.0.0" in page


# ---- students -------------------------------------------------------------------------------


def test_names_are_compared_as_a_reader_sees_them():
    assert fold_name("Ada Lovelace") == fold_name("Аda Lovelace") == fold_name("Ａｄａ  Lovelace") \
        == fold_name("ADA LOVELACE")
    assert fold_name("Ada Lovelace") != fold_name("Ada Lovelock")
    assert looks_disguised("Аda Lovelace") and looks_disguised("Ａｄａ Lovelace")
    assert not looks_disguised("Ada Lovelace") and not looks_disguised("Анна Каренина")  # Russian is Russian


def test_look_alike_names_are_one_student_flagged_in_the_report(web):
    made = web.post("/api/assignments", json={"deck": DECK, "count": 3}).get_json()
    for name in ("Ada Lovelace", "Аda Lovelace", "Ａｄａ Lovelace", "Bob"):
        r = web.post(f"/api/assignments/{made['id']}/attempts",
                     json={"name": name, "answers": [0] * made["quiz"]["count"]})
        assert r.status_code == 201
    body = web.get(f"/api/assignments/{made['id']}/report",
                   headers={"Authorization": f"Bearer {made['teacher_secret']}"}).get_json()
    students = {s["name"]: s for s in body["students"]}
    assert set(students) == {"Ada Lovelace", "Bob"} and students["Ada Lovelace"]["attempts"] == 3
    assert students["Ada Lovelace"]["lookalike"] and not students["Bob"]["lookalike"]
    assert students["Ada Lovelace"]["spellings"] == ["Ada Lovelace", "Аda Lovelace", "Ａｄａ Lovelace"]
    page = web.get(made["teacher_url"].replace("http://localhost", "")).get_data(as_text=True)
    assert "look-alike name" in page and "counted as one student" in page


def test_with_a_roster_only_a_personal_code_answers_and_under_its_name(school, web):
    sign_up(web)
    report = assign(web, roster="Ada Lovelace\nBob Brown\n\n  Cy  Young ")
    page = web.get(report).get_data(as_text=True)
    codes = dict(re.findall(r'<span class="roster-name">([^<]+)</span> <code class="roster-code">([^<]+)</code>', page))
    assert list(codes) == ["Ada Lovelace", "Bob Brown", "Cy Young"]
    assert all(re.fullmatch(r"[ACEFHJKMNPRTWXY3479]{6}", c) for c in codes.values())
    assignment_id = report.rsplit("/", 1)[1]
    student = school.test_client()
    take = student.get(f"/a/{assignment_id}").get_data(as_text=True)
    assert "Your personal code" in take and 'name="name"' not in take
    token = re.search(r'name="csrf_token" value="([^"]+)"', take)[1]
    bad = student.post(f"/a/{assignment_id}", data={"csrf_token": token, "student_code": "AAAAAA", "name": "Bob"})
    assert bad.status_code == 400 and "not on this class" in bad.get_data(as_text=True)
    r = student.post(f"/a/{assignment_id}", data={"csrf_token": token, "student_code": codes["Bob Brown"].lower(),
                                                  "name": "Victim Student", "q0": "0"})
    assert r.status_code == 303
    assert "Bob Brown" in student.get(r.headers["Location"]).get_data(as_text=True)
    api = student.post(f"/api/assignments/{assignment_id}/attempts", json={"name": "Ada", "answers": [0] * 4})
    assert api.status_code == 400 and "personal code" in api.get_json()["error"]
    page = web.get(report).get_data(as_text=True)
    assert "Victim Student" not in page and page.count("answered</span>") == 1
    assert re.search(r'class="student-name">Bob Brown', page)


# ---- the CLI --------------------------------------------------------------------------------


def test_teacher_add_creates_an_account_that_signs_in(runner, tmp_path, school):
    db = str(tmp_path / "cli.db")
    r = runner.invoke(cli, ["teacher", "add", "--email", "ada@school.example", "--name", "Ada", "--db", db,
                            "--password", PASSWORD])
    assert r.exit_code == 0 and "Created the teacher account ada@school.example" in r.output
    store = Store(f"sqlite:///{db}")
    assert Accounts(store).authenticate("ada@school.example", PASSWORD).name == "Ada"
    r = runner.invoke(cli, ["teacher", "add", "--email", "ada@school.example", "--name", "Ada", "--db", db,
                            "--password", "short"])
    assert r.exit_code == 1 and "at least 10 characters" in r.output
    r = runner.invoke(cli, ["teacher", "add", "--email", "ADA@school.example", "--name", "Ada", "--db", db,
                            "--password", PASSWORD + "2"])
    assert r.exit_code == 0 and "new password" in r.output
    assert Accounts(store).authenticate("ada@school.example", PASSWORD + "2")
    store.dispose()


@pytest.mark.parametrize("args, message", [(["--public-url", "quiz.school.example"], "must start with http"),
                                           (["--timezone", "Nowhere/Else"], "time zone must be a name")])
def test_serve_refuses_a_bad_public_url_or_time_zone(runner, args, message):
    r = runner.invoke(cli, ["serve", *args])
    assert r.exit_code == 2 and message in r.output


def test_the_cli_worksheet_draws_a_seed_and_prints_it_only_to_the_teacher(runner, tmp_path):
    out = tmp_path / "w.html"
    r = runner.invoke(cli, ["worksheet", "--deck", DECK, "--count", "3", "-o", str(out)])
    assert r.exit_code == 0
    seed = re.search(r"Seed (\d+): keep it to yourself", r.output)[1]
    sheet = out.read_text(encoding="utf-8")
    students = sheet[:sheet.index('id="grid"')]
    assert seed not in students and "seed" not in students.split("</style>")[-1].lower()
    again = runner.invoke(cli, ["worksheet", "--deck", DECK, "--count", "3", "--seed", seed, "-o",
                                str(tmp_path / "w2.html")])
    assert again.exit_code == 0 and (tmp_path / "w2.html").read_text(encoding="utf-8") == sheet
