"""Per-client rate limits on creating assignments and submitting attempts, with a plain 429."""

from __future__ import annotations

import pytest
from classroom import form_post, sign_up
from sqlalchemy import func, select

from quizgen.content import bundled_root
from quizgen.limits import CREATE_ASSIGNMENT_RATE

DECK = "all-facts"


def _app(tmp_path, **config):
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(bundled_root()), "RATELIMIT_ENABLED": True,
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}", **config})


def _stored(app, table: str) -> int:
    from quizgen.storage import models

    store = app.extensions["quizgen.assignments"].store
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(getattr(models, table))).scalar_one()


def test_one_client_cannot_create_assignments_without_end_and_others_are_not_affected(tmp_path):
    app = _app(tmp_path)  # the shipped limits
    per_minute = int(CREATE_ASSIGNMENT_RATE.split()[0])
    client = app.test_client()
    sign_up(client)  # the deck page's form is a signed-in teacher's, with its CSRF token
    deck_page = f"/decks/{DECK}"
    for i in range(per_minute):
        via_api = i % 2 == 0  # the page and the API share one budget
        r = (client.post("/api/assignments", json={"deck": DECK, "count": 3}) if via_api
             else form_post(client, f"/decks/{DECK}/assignments", {"count": "3"}, page=deck_page))
        assert r.status_code in (201, 303), r.get_data(as_text=True)
    page = form_post(client, f"/decks/{DECK}/assignments", {"count": "3"}, page=deck_page)
    assert page.status_code == 429
    assert 0 < int(page.headers["Retry-After"]) <= 61  # the minute window, rounded up
    text = page.get_data(as_text=True)
    assert "Too many requests" in text and "nothing was stored" in text and "Traceback" not in text
    assert page.headers["X-Frame-Options"] == "DENY"  # the site's own error page and headers
    api = client.post("/api/assignments", json={"deck": DECK, "count": 3})
    assert api.status_code == 429 and "nothing was stored" in api.get_json()["error"]
    assert _stored(app, "Assignment") == per_minute
    other = app.test_client().post("/api/assignments", json={"deck": DECK, "count": 3},
                                   environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201
    assert client.get("/").status_code == 200  # reading is never limited


def test_attempts_are_limited_per_client_across_the_page_and_the_api(tmp_path):
    app = _app(tmp_path, SUBMIT_ATTEMPT_RATE="4 per minute")
    client = app.test_client()
    made = client.post("/api/assignments", json={"deck": DECK, "count": 3}).get_json()
    student_page = f"/a/{made['id']}"
    for i in range(4):
        if i % 2:
            r = form_post(client, student_page, {"name": f"Student {i}", "q0": "0"}, page=student_page)
            assert r.status_code == 303
        else:
            r = client.post(f"/api/assignments/{made['id']}/attempts", json={"name": f"S {i}", "answers": [0, None, None]})
            assert r.status_code == 201
    refused = form_post(client, student_page, {"name": "Flood", "q0": "0"}, page=student_page)
    assert refused.status_code == 429 and refused.headers["Retry-After"].isdigit()
    assert client.post(f"/api/assignments/{made['id']}/attempts",
                       json={"name": "Flood", "answers": [0, None, None]}).status_code == 429
    assert _stored(app, "Attempt") == 4
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.3"
    classmate = form_post(other, student_page, {"name": "Ada", "q0": "1"}, page=student_page)
    assert classmate.status_code == 303


def test_a_limit_on_an_endpoint_that_no_longer_exists_stops_the_app_from_starting(tmp_path, monkeypatch):
    from quizgen_web import ratelimit

    monkeypatch.setitem(ratelimit.RATE_LIMITS, "assignments.renamed", ("SUBMIT_ATTEMPT_RATE", "1 per minute", "x"))
    with pytest.raises(RuntimeError, match="assignments.renamed"):
        _app(tmp_path)


@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client_and_otherwise_it_is_ignored(
        monkeypatch, trusted):
    """`quizgen serve --trusted-proxy` as the README sets it up; without it a client cannot dodge
    its limit by sending X-Forwarded-For itself."""
    import json
    import urllib.error
    import urllib.request

    from test_serve import _serve

    monkeypatch.setenv("QUIZGEN_CREATE_ASSIGNMENT_RATE", "2 per minute")
    args = ["--workers", "1", *(["--trusted-proxy", "127.0.0.1"] if trusted else [])]

    def create(base: str, client: str) -> int:
        req = urllib.request.Request(base + "/api/assignments", data=json.dumps({"deck": DECK, "count": 3}).encode(),
                                     headers={"Content-Type": "application/json", "X-Forwarded-For": client})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with _serve(*args) as (proc, base):
        assert [create(base, "203.0.113.1") for _ in range(3)] == [201, 201, 429]
        assert create(base, "203.0.113.2") == (201 if trusted else 429)
