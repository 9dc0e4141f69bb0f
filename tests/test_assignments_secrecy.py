"""No right answer of an assignment reaches a student before the teacher releases it, by any route.

The test plays a student who wants the key: it knows what a student is given (the join code and
address, the assignment's page, its own result's address) and everything those pages print, and
it tries every route of the app (each rule of the app's url_map, every method) with every value it
knows in every URL part, following every link it finds, then signs up as a "teacher" of its own
and tries again. No response may hold a trace of the key: the quiz code (it rebuilds the quiz and
its answers), a citation's quote or curator's note (they state the answer), graded-answer markup,
answer fields in JSON, or a worksheet's marking grid. A positive control shows that the same
checks do find the key on the student's own result page once the answers are released.
"""

from __future__ import annotations

import html
import itertools
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from classroom import form_post, sign_up
from sqlalchemy import update

from quizgen.content import bundled_root
from quizgen.export.formats import FORMATS
from quizgen.storage.models import Assignment

DECK = "link-up-1945"
_LINK = re.compile(r'(?:href|src|action)="([^"#]+)"')
# What could be an id, a token, a secret or a code in what a student sees: URL-safe runs of 6 to 64.
_WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{6,64}(?![A-Za-z0-9_-])")
_SEGMENT = re.compile(r"/([A-Za-z0-9_.-]{4,64})")


@pytest.fixture
def school(tmp_path):
    from quizgen.webapp import create_app

    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'school.db'}"})
    yield app
    app.extensions["quizgen.assignments"].store.dispose()


def _secrets_of(app, assignment_id: str) -> tuple[list[str], str]:
    """Strings that would give the key away, and the quiz code."""
    quiz = app.extensions["quizgen.assignments"].get(assignment_id).quiz
    markers = [quiz.code]  # first: checked on every route
    for q in quiz.questions:
        markers.append(html.escape(q.citation.quote[:60], quote=True))
        markers.append(q.citation.quote[:60])
        if q.citation.note:
            markers.append(html.escape(q.citation.note[:60], quote=True))
    return [m for m in markers if m], quiz.code


# Markup and fields only a graded answer or a key has.
_STRUCTURAL = ['class="card result', 'class="right-answer"', "Right answer", '"answer_index"', '"correct"',
               '"results"', 'id="grid"', 'class="key"', 'class="key-row"']


def _leaks(body: str, markers: list[str], structural: bool = True) -> list[str]:
    return [m for m in markers + (_STRUCTURAL if structural else []) if m in body]


class Student:
    """A browser without an account: what it fetched, and every value it has seen."""

    def __init__(self, client, markers: list[str]):
        self.client = client
        self.markers = markers
        self.known: set[str] = set()
        self.seen_urls: set[tuple[str, str]] = set()
        self.fetched = 0
        self.found: list[tuple[str, str, list[str]]] = []

    def learn(self, text: str) -> None:
        # Every URL part a student was shown, and every word that could be an id, token or code.
        for url in _LINK.findall(text) + re.findall(r'https?://[^\s"<>]+', text):
            self.known.update(_SEGMENT.findall(urlsplit(html.unescape(url)).path))
        self.known.update(w for w in _WORD.findall(text) if any(ch.isdigit() for ch in w) or len(w) >= 16)

    def fetch(self, method: str, url: str, **kwargs):
        # A public worksheet's PDF is its HTML view laid out (seconds each): the HTML is what is checked.
        if (method, url) in self.seen_urls or urlsplit(url).path.endswith((".pdf", ".apkg")) and \
                url.startswith("/decks/"):
            return None
        self.seen_urls.add((method, url))
        r = self.client.open(url, method=method, **kwargs)
        self.fetched += 1
        # Every body is searched, binary ones (an .apkg, a PDF, an export) as bytes read leniently.
        body = r.data.decode("utf-8", "replace")
        # A deck's quotes are public study material on its public quizzes; on the class's own pages
        # (the assignment, its results, joining, the teachers' pages) they would name this quiz's answers.
        scoped = url.startswith(("/a/", "/join", "/api/assignments", "/teacher"))
        # A public quiz of the deck (another seed, other questions) shows its own right answers once
        # answered: that is the student's own practice, not this class's key; its code would be.
        leaks = _leaks(body, self.markers if scoped else self.markers[:1],
                       structural=scoped or self.markers[0] in url)
        if leaks:
            self.found.append((method, url, leaks))
        self.learn(body)
        self.learn(r.headers.get("Location", ""))
        return r

    def crawl(self, start: list[str], limit: int = 400) -> None:
        queue = list(start)
        while queue and self.fetched < limit:
            url = queue.pop(0)
            r = self.fetch("GET", url)
            if r is None:
                continue
            if r.status_code in (301, 302, 303) and r.headers.get("Location"):
                queue.append(urlsplit(r.headers["Location"])._replace(scheme="", netloc="").geturl())
            if r.mimetype == "text/html":
                for link in _LINK.findall(r.data.decode("utf-8", "replace")):
                    link = html.unescape(link)
                    parts = urlsplit(link)
                    # The class's own pages and its deck; other decks' pages are public study material.
                    if parts.netloc in ("", "localhost") and parts.path.startswith(("/a/", "/join", "/api/a",
                                                                                    f"/decks/{DECK}")):
                        queue.append(parts._replace(scheme="", netloc="").geturl())

    def every_route(self, app, n_questions: int, csrf: str) -> None:
        """Each rule of the url_map, each method, each known value in each of its parts."""
        values = sorted(self.known)
        # Which known values are assignments (their page opens): the other part of a two-part URL
        # (a secret, a token) is then tried with every known value.
        ids = [v for v in values if self.client.get(f"/a/{v}").status_code == 200]
        assert ids, "the student should know its assignment"
        generic = {
            "fmt": list(FORMATS), "given": ["-" * n_questions, "A" * n_questions, "." * (n_questions - 1) + "-"],
            "deck_id": [DECK], "filename": ["style.css"], "assignment_id": ids,
        }
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            names = sorted(rule.arguments)
            choices = [generic.get(arg, values) for arg in names]
            for combo in itertools.product(*choices):
                try:
                    url = rule.build(dict(zip(names, combo, strict=True)), append_unknown=False)[1]
                except Exception:  # noqa: BLE001 - a value that cannot be in this URL part
                    continue
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    if method == "GET":
                        self.fetch("GET", url)
                    elif url.startswith("/api/"):
                        self.fetch(method, url, json={"answers": [0] * n_questions, "name": "Probe"})
                    else:
                        self.fetch(method, url, data={"csrf_token": csrf, "name": "Probe", "q0": "0",
                                                      "code": "", "confirm": "yes"})


@pytest.mark.parametrize("reveal", ["closed", "never"])
def test_no_route_gives_a_student_the_key_before_release(school, reveal):
    teacher = school.test_client()
    sign_up(teacher)
    r = form_post(teacher, f"/decks/{DECK}/assignments",
                  {"count": "6", "title": "Secret test", "reveal": reveal, "closes": "2099-01-01T10:00"},
                  page=f"/decks/{DECK}")
    assignment_id = r.headers["Location"].rsplit("/", 1)[1]
    report = teacher.get(r.headers["Location"]).get_data(as_text=True)
    join_url = re.search(r'id="join-url" href="([^"]+)"', report)[1]
    markers, code = _secrets_of(school, assignment_id)
    quiz = school.extensions["quizgen.assignments"].get(assignment_id).quiz
    n = len(quiz.questions)
    # A saved worksheet with keys exists on the teacher's side too.
    form_post(teacher, f"/decks/{DECK}/worksheets", {"count": "5", "variants": "2"}, page=f"/decks/{DECK}")

    student = Student(school.test_client(), markers)
    student.crawl([urlsplit(join_url).path, "/join", "/"])
    take_page = student.client.get(f"/a/{assignment_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', take_page)[1]
    # The student answers every question wrong, so nothing it was given can name a right answer.
    wrong = {f"q{i}": str((q.answer_index + 1) % len(q.options)) for i, q in enumerate(quiz.questions)}
    done = student.client.post(f"/a/{assignment_id}", data={"csrf_token": token, "name": "Eve", **wrong})
    assert done.status_code == 303
    student.crawl([done.headers["Location"]])
    assert "You scored 0 out of" in student.client.get(done.headers["Location"]).get_data(as_text=True)
    student.every_route(school, n, token)
    # A student may make an account of their own: it opens nothing of this teacher's.
    sign_up(student.client, name="Eve Student")
    student.seen_urls.clear()
    student.every_route(school, n, token)
    assert student.fetched > 500
    assert student.found == [], student.found[:5]
    assert code not in "".join(student.known)
    # The old result addresses that graded anything typed into them are gone.
    assert student.client.get(f"/a/{assignment_id}/results/{'-' * n}").status_code == 404

    # Positive control: once released, the same checks find the key on the student's result page.
    if reveal == "closed":
        with school.extensions["quizgen.assignments"].store.writing() as session:
            session.execute(update(Assignment).where(Assignment.id == assignment_id)
                            .values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
        released = student.client.get(done.headers["Location"]).get_data(as_text=True)
        assert _leaks(released, markers), "the checks would not have noticed a key"
        assert released.count('class="card result wrong"') == n


def test_public_worksheets_print_no_key_and_no_seed(school):
    client = school.test_client()
    sheet = client.get(f"/decks/{DECK}/worksheet?count=5&seed=424242&variants=2").get_data(as_text=True)
    body = sheet.split("</form>")[-1]  # below the screen-only settings form: what is printed
    assert "424242" not in body and "seed" not in body.lower() and 'id="grid"' not in sheet
    for path in (f"/decks/{DECK}/worksheet?count=5&seed=424242&key=1", f"/decks/{DECK}/worksheet.pdf?key=1"):
        r = client.get(path)
        assert r.status_code == 403 and "Sign in" in r.get_data(as_text=True)
    # The teacher's saved worksheet has keys, for its teacher only.
    teacher = school.test_client()
    sign_up(teacher)
    made = form_post(teacher, f"/decks/{DECK}/worksheets", {"count": "5", "variants": "2"}, page=f"/decks/{DECK}")
    saved = made.headers["Location"]
    assert 'id="grid"' in teacher.get(saved).get_data(as_text=True)
    assert 'id="grid"' not in teacher.get(saved + "?key=0").get_data(as_text=True)
    assert client.get(saved).status_code in (302, 303)  # no account: sign in first
    sign_up(client)
    assert client.get(saved).status_code == 404 and client.get(saved + ".pdf").status_code == 404
    assert "Worksheets" in teacher.get("/teacher").get_data(as_text=True) and saved in teacher.get(
        "/teacher").get_data(as_text=True)
