"""Issue 20's smaller findings, each as a user or a log reader would meet it."""

from __future__ import annotations

import logging

import pytest
from classroom import form_post, sign_up

from quizgen.content import bundled_root

DECK = "link-up-1945"


@pytest.fixture
def tapp(tmp_path):
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"})


def _assignment(client) -> dict:
    made = client.post("/api/assignments", json={"deck": DECK, "count": 3})
    assert made.status_code == 201
    return made.get_json()


def test_error_pages_under_a_teachers_secret_url_are_neither_cached_nor_sent_on(tapp):
    client = tapp.test_client()
    made = _assignment(client)
    base = f"/a/{made['id']}/report/{made['teacher_secret']}"
    for url, status in [(f"/a/{made['id']}/report/wrong-secret", 404),
                        (f"{base}/export/no-such-format", 404),
                        (f"{base}/nothing-here", 404),
                        (f"{base}?x=%00", 400)]:
        r = client.get(url)
        assert r.status_code == status, url
        assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store", url
    r = client.post(f"{base}/delete", data={})  # refused: the box was not ticked
    assert r.status_code == 400 and r.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/api/assignments/{made['id']}/report").headers["Cache-Control"] == "no-store"  # 404 too
    public = client.get(f"/a/{made['id']}/results/zzz")
    assert public.headers["Referrer-Policy"] == "same-origin"  # only the secret URLs


def test_an_unhandled_error_on_a_teacher_url_never_logs_the_secret(tapp, caplog, monkeypatch):
    import quizgen_web.assignments as web_assignments

    tapp.config["PROPAGATE_EXCEPTIONS"] = False
    client = tapp.test_client()
    made = _assignment(client)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(web_assignments, "report_dict", broken)
    caplog.set_level(logging.ERROR)
    r = client.get(f"/a/{made['id']}/report/{made['teacher_secret']}")
    assert r.status_code == 500 and "Something went wrong" in r.get_data(as_text=True)
    assert r.headers["Cache-Control"] == "no-store"
    assert f"/a/{made['id']}/report/<secret>" in caplog.text
    assert made["teacher_secret"] not in caplog.text


@pytest.mark.parametrize("title", ["Week\u202e 3", "Week\x07 3", "Week\u200b3", "\u2066Week\u2069", "Week\u00ad3"])
def test_assignment_titles_refuse_control_bidi_and_invisible_characters(tapp, title):
    client = tapp.test_client()
    api = client.post("/api/assignments", json={"deck": DECK, "count": 3, "title": title})
    assert api.status_code == 400 and "the title contains" in api.get_json()["error"]
    sign_up(client)  # the deck page's form is a signed-in teacher's, with its CSRF token
    page = form_post(client, f"/decks/{DECK}/assignments", {"count": "3", "title": title}, page=f"/decks/{DECK}")
    assert page.status_code == 400 and "the title contains" in page.get_data(as_text=True)
    ok = client.post("/api/assignments", json={"deck": DECK, "count": 3, "title": "Неделя 3: Эльба"})
    assert ok.status_code == 201 and ok.get_json()["title"] == "Неделя 3: Эльба"


def test_serve_on_a_file_that_is_not_a_database_is_one_clean_line(runner, tmp_path):
    from quizgen.cli import cli

    bad = tmp_path / "notes.db"
    bad.write_text("my lesson notes, not a database\n" * 100)
    result = runner.invoke(cli, ["serve", "--db", str(bad), "--port", "1"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "cannot be used (file is not a database)" in result.output and "Traceback" not in result.output
    assert bad.read_text().startswith("my lesson notes")  # left as it was


@pytest.mark.parametrize("target", ["/dev/null", "file"])
def test_synth_into_something_that_is_not_a_folder_is_one_clean_line(runner, tmp_path, target):
    from quizgen.cli import cli

    out = target if target.startswith("/") else str(tmp_path / "a-file")
    if not target.startswith("/"):
        (tmp_path / "a-file").write_text("keep me")
    result = runner.invoke(cli, ["synth", "--facts", "10", "-o", out])
    assert result.exit_code == 2 and ("is not a folder" in result.output or "is a file" in result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
