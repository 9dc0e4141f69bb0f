"""Every route of the site, fed what a hostile client sends: never a 5xx, on SQLite and PostgreSQL.

NUL bytes and other odd values in every path part, query parameter and body; the query
parameter names url_for reads itself; Host headers no URL can be built from.
"""

from __future__ import annotations

import itertools
import logging
import re

import pytest

from quizgen.content import bundled_root

HOSTILE = ["%00", "a%00b", "%ff%fe", "..%2f..", "x" * 2000, "%E2%80%AE", "%C3%A9", "-", "0"]
# url_for reads these names itself; a redirect that passed them on failed (500) or followed the client's Host.
RESERVED = ["_anchor", "_method", "_scheme", "_external", "code", "given", "deck_id", "assignment_id",
            "secret", "fmt"]
QUERIES = [""] + [f"{name}=1" for name in RESERVED] + [
    "count=%00", "seed=%00&count=3", "kinds=%00", "only=%00", "order=%00", "paper=%00", "variants=%00",
    "key=%00", "format=%00", "skip_too_long=%00", "created=%00", "%00=%00", "count=3&seed=1&variants=2&key=0",
]
HOSTS = ["localhost", "evil.example", "a b", "[::1]:80", "x" * 300, "localhost:0", "ex ample\x00.org", ""]
BODIES = [
    ("form", {"q0": "0", "name": "Ada", "title": "T", "count": "3", "confirm": "yes"}),
    ("form", {"q0": "\x00", "name": "A\x00da", "title": "a\x00b", "count": "3\x00"}),
    ("json", {"deck": "link-up-1945", "count": 3, "title": "a\u0000b"}),
    ("json", {"name": "A\u0000", "answers": [0, None, 1]}),
    ("json", {"answers": [0, 1, 2, 3]}),
    ("raw", b"\x00\xff{"),
    ("raw", b'{"deck": "link-up-1945\\u0000"}'),
]


@pytest.fixture
def fuzz_app(database_url):
    from quizgen.webapp import create_app

    app = create_app({"TESTING": False, "CONTENT": str(bundled_root()), "DATABASE_URL": database_url,
                      "RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": False})
    yield app
    app.extensions["quizgen.assignments"].store.dispose()


def _samples(client) -> dict[str, list[str]]:
    """Real values for each route variable (so deeper code runs), then hostile ones."""
    code = client.get("/decks/link-up-1945/quiz?count=3&seed=1").headers["Location"].rsplit("/q/", 1)[1]
    made = client.post("/api/assignments", json={"deck": "link-up-1945", "count": 3}).get_json()
    loose = code.replace(".3.", ".03.", 1)  # a loosely written code: the canonical redirect
    return {
        "deck_id": ["link-up-1945"] + HOSTILE,
        "code": [code, loose] + HOSTILE,
        "given": ["ABC", "-.-"] + HOSTILE,
        "assignment_id": [made["id"]] + HOSTILE,
        "secret": [made["teacher_secret"]] + HOSTILE,
        "fmt": ["gift", "moodle"] + HOSTILE,
        "filename": ["style.css"] + HOSTILE,
    }


def test_no_route_answers_a_server_error_whatever_the_client_sends(fuzz_app, caplog):
    client = fuzz_app.test_client(use_cookies=False)  # the test client's cookie jar cannot parse every Host
    samples = _samples(client)
    rules = [r for r in fuzz_app.url_map.iter_rules()]
    assert len(rules) > 20
    failures: list[str] = []
    count = 0
    queries, hosts, bodies = itertools.cycle(QUERIES), itertools.cycle(HOSTS), itertools.cycle(BODIES)
    caplog.set_level(logging.ERROR)
    for rule in rules:
        names = sorted(rule.arguments)
        combos = itertools.product(*(samples.get(n, HOSTILE) for n in names)) if names else [()]
        for values in itertools.islice(combos, 40):
            path = rule.rule
            for name, value in zip(names, values, strict=True):
                path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                for _ in range(2 if method == "GET" else len(BODIES)):
                    query, host = next(queries), next(hosts)
                    url = f"{path}?{query}" if query else path
                    kwargs: dict = {"headers": {"Host": host}}
                    if method != "GET":
                        kind, body = next(bodies)
                        kwargs |= {"data": body} if kind in ("form", "raw") else {"json": body}
                        kwargs["headers"]["Authorization"] = "Bearer x\x00y" if count % 3 == 0 else "Bearer abc"
                    response = client.open(url, method=method, **kwargs)
                    count += 1
                    if response.status_code >= 500 and response.status_code != 503:
                        failures.append(f"{method} {url[:120]} Host={host[:20]!r} -> {response.status_code}")
                    if response.status_code == 503:  # only the honest "busy" answers of the builds
                        assert response.headers.get("Retry-After"), url
                    location = response.headers.get("Location", "")
                    assert "evil.example" not in location, (url, location)
    assert count > 500
    assert not failures, f"{len(failures)} server errors, first: " + "; ".join(failures[:8])
    assert "unhandled error" not in caplog.text
