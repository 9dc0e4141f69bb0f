"""The quiz site as a student uses it: pages, grading on the server, errors and headers."""

from __future__ import annotations

import json
import re
import shutil
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from quizgen_web.cache import AppCache

from quizgen.content import load_library
from quizgen.quiz import KIND_LABELS, LETTERS, QuizSpec
from quizgen.webapp import create_app

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def text(response) -> str:
    return response.get_data(as_text=True)


def code_of(location: str) -> str:
    path = urlsplit(location).path
    assert path.startswith("/q/"), path
    return path[len("/q/"):]


def answers_form(quiz, picks: dict[int, int]) -> dict[str, str]:
    return {f"q{i}": str(a) for i, a in picks.items()}


def submit(client, code: str, data: dict, query: str = ""):
    """Post answers as the form does, check the redirect to the result's own URL, open it."""
    r = client.post(f"/q/{code}{query}", data=data)
    assert r.status_code == 303, text(r)
    assert urlsplit(r.location).path.startswith(f"/q/{code}/results/")
    page = client.get(r.location)
    assert page.status_code == 200
    page.result_url = r.location
    return page


# --- Pages ---------------------------------------------------------------------------------------


def test_deck_list_shows_every_bundled_deck_with_title_description_and_fact_count(client, library):
    page = text(client.get("/"))
    for deck_id, deck in library.decks.items():
        assert unescape(deck.title) in unescape(page)
        assert unescape(deck.description) in unescape(page)
        assert f'href="/decks/{deck_id}"' in page
        assert f"{len(library.deck_facts(deck_id))} facts" in page


def test_deck_list_over_synthetic_content(sclient, smaker):
    page = text(sclient.get("/"))
    assert "All synthetic facts" in page and "1000 facts" in page
    assert page.count('class="card deck-card"') == len(smaker.library.decks)


def test_deck_page_offers_a_quiz_form_the_anki_download_and_worksheets(sclient):
    page = text(sclient.get("/decks/group-3"))
    assert "Synthetic group 3" in page
    assert 'action="/decks/group-3/quiz"' in page
    assert re.search(r'<label class="field-label" for="count">Number of questions</label>', page)
    assert 'id="count" name="count" type="number"' in page
    for kind, label in KIND_LABELS.items():
        assert f'<input type="checkbox" id="kind-{kind}" name="kinds" value="{kind}" checked>' in page
        assert f'<label class="check" for="kind-{kind}">' in page
        assert f"<span>{label} " in page
    assert 'href="/decks/group-3/deck.apkg"' in page
    assert 'href="/decks/group-3/worksheet"' in page and 'href="/decks/group-3/worksheet.pdf"' in page


def test_unknown_deck_is_a_404_page_naming_the_known_decks(sclient):
    for url in ("/decks/no-such-deck", "/decks/no-such-deck/quiz", "/decks/no-such-deck/deck.apkg"):
        r = sclient.get(url)
        assert r.status_code == 404, url
        page = text(r)
        assert "No deck with id" in unescape(page) and "group-3" in page
        assert '<a class="brand"' in page  # in the site's layout, not a bare error


def test_unknown_page_is_a_plain_404_page(sclient):
    r = sclient.get("/no/such/page")
    assert r.status_code == 404
    assert "There is no page at this address" in text(r)
    assert "Traceback" not in text(r)


def test_wrong_method_is_a_plain_405_page(sclient):
    r = sclient.post("/")
    assert r.status_code == 405
    assert "does not accept" in text(r)


def test_starting_without_a_seed_draws_one_and_redirects_to_the_code_url(sclient):
    codes = set()
    for _ in range(5):
        r = sclient.get("/decks/group-3/quiz?count=5&kinds=forward&kinds=true_false")
        assert r.status_code == 303
        code = code_of(r.location)
        assert code.startswith("group-3.5.ft.")
        codes.add(code)
    assert len(codes) > 1  # seeds are random, so students do not all get the same quiz


def test_starting_with_a_seed_is_reproducible(sclient):
    a = sclient.get("/decks/group-3/quiz?count=4&seed=42")
    b = sclient.get("/decks/group-3/quiz?count=4&seed=42")
    assert a.location == b.location
    assert code_of(a.location).startswith("group-3.4.frt.42.")


@pytest.mark.parametrize("query, message", [
    ("count=0", "count must be between 1 and 200"),
    ("count=500", "count must be between 1 and 200"),
    ("count=abc", "count must be a whole number"),
    ("count=5&seed=-1", "seed must be a whole number"),
    ("count=5&kinds=essay", "question kinds must be some of"),
])
def test_bad_quiz_settings_show_the_form_again_with_the_reason(sclient, query, message):
    r = sclient.get(f"/decks/group-3/quiz?{query}")
    assert r.status_code == 400
    page = unescape(text(r))
    assert message in page
    assert 'role="alert"' in page and "Start quiz" in page


def test_quiz_page_has_a_fieldset_with_legend_and_labelled_radios_per_question(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 6, 11))
    r = sclient.get(f"/q/{quiz.code}")
    assert r.status_code == 200
    page = text(r)
    assert page.count('<fieldset class="card question">') == len(quiz.questions) == 6
    assert page.count("<legend>") == 6
    for i, q in enumerate(quiz.questions):
        assert unescape(q.stem) in unescape(page)
        for j, option in enumerate(q.options):
            radio = f'<input type="radio" id="q{i}-{j}" name="q{i}" value="{j}">'
            assert radio in page
            assert f'<label class="option" for="q{i}-{j}">' in page
            assert unescape(option) in unescape(page)
    assert f'action="/q/{quiz.code}"' in page and 'method="post"' in page


def test_quiz_page_holds_no_answers_and_no_citations(sclient, smaker):
    quiz = smaker.make(QuizSpec("all-facts", 30, 5))
    page = text(sclient.get(f"/q/{quiz.code}"))
    for q in quiz.questions:
        assert q.citation.quote not in unescape(page)
        assert q.citation.title not in unescape(page)
    # Every radio looks the same: nothing marks the right one.
    radios = re.findall(r"<input type=\"radio\"[^>]*>", page)
    assert len(radios) == sum(len(q.options) for q in quiz.questions)
    assert all(re.fullmatch(r'<input type="radio" id="q\d+-\d+" name="q\d+" value="\d+">', r) for r in radios)
    for word in ("answer_index", "citation", "data-", "right-answer"):
        assert word not in page


def test_pages_have_no_inline_scripts_or_styles(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    pages = [sclient.get(u) for u in ("/", "/decks/group-3", f"/q/{quiz.code}", "/nope")]
    pages.append(submit(sclient, quiz.code, {"q0": "0"}))
    for r in pages:
        page = text(r)
        # Scripts only from the site's own files (the CSP allows nothing else to run).
        scripts = re.findall(r"<script[^>]*>.*?</script>", page, re.S)
        assert all(re.fullmatch(r'<script src="/static/[a-z]+\.js" defer></script>', s) for s in scripts)
        assert page.count("<script") == len(scripts)
        assert "<style" not in page and "style=" not in page
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)  # no onclick= and the like


def test_submitting_all_right_answers_scores_full_marks_with_citations(sclient, smaker):
    quiz = smaker.make(QuizSpec("all-facts", 8, 3))
    data = answers_form(quiz, {i: q.answer_index for i, q in enumerate(quiz.questions)})
    page = unescape(text(submit(sclient, quiz.code, data)))
    assert "You scored 8 out of 8" in page
    assert page.count('<span class="badge right">Correct</span>') == 8 and "Right answer" not in page
    for q in quiz.questions:
        c = q.citation
        assert c.quote in page and c.publisher in page and c.title in page and c.published in page


def test_results_show_the_students_answer_the_right_one_and_blank_questions_as_unanswered(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 5, 8, ("forward",)))
    q0, q1 = quiz.questions[0], quiz.questions[1]
    wrong = (q1.answer_index + 1) % len(q1.options)
    r = submit(sclient, quiz.code, {"q0": str(q0.answer_index), "q1": str(wrong), "q2": ""})
    assert r.result_url.endswith(f"/results/{LETTERS[q0.answer_index]}{LETTERS[wrong]}---")
    page = unescape(text(r))
    assert "You scored 1 out of 5" in page
    items = page.split('<li class="card result')[1:]
    assert len(items) == 5
    assert "Correct" in items[0] and q0.answer in items[0]
    assert "Wrong" in items[1]
    assert f"<dd>{q1.options[wrong]}</dd>" in items[1]
    assert f'<dd class="right-answer">{q1.answer}</dd>' in items[1]
    for item in items[2:]:
        assert "Not answered" in item and "(no answer)" in item


def test_attributed_facts_are_marked_as_the_publishers_own_claim(sclient, smaker):
    quiz = smaker.make(QuizSpec("all-facts", 60, 9))
    attributed = [q for q in quiz.questions if q.citation.attributed]
    assert attributed, "synthetic content marks about one fact in ten as attributed"
    page = unescape(text(submit(sclient, quiz.code, {})))
    assert page.count("the publisher's own claim") == len(attributed)


def test_results_share_link_reopens_the_very_same_quiz(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-5", 5, 77))
    page = text(submit(sclient, quiz.code, {"q0": "0"}))
    link = re.search(r'<a class="share-link" href="([^"]+)">', page)[1]
    assert urlsplit(link).path == f"/q/{quiz.code}"
    again = unescape(text(sclient.get(urlsplit(link).path)))
    for q in quiz.questions:
        assert q.stem in again


def test_quiz_of_true_false_only_asks_true_or_false(sclient):
    r = sclient.get("/decks/group-3/quiz?count=5&seed=3&kinds=true_false")
    page = text(sclient.get(r.location))
    assert page.count("True or false?") == 5


# --- Tampered and malformed submissions -----------------------------------------------------------


def stale(code: str) -> str:
    digest = code.rsplit(".", 1)[1]
    return code[:-8] + ("00000000" if digest != "00000000" else "11111111")


@pytest.mark.parametrize("method", ["get", "post"])
def test_malformed_quiz_codes_are_400_pages(sclient, method):
    for code in ("nonsense", "group-3.5.frt.1", "group-3.5.xyz.1.abcdef12", "group-3.999.frt.1.abcdef12"):
        r = getattr(sclient, method)(f"/q/{code}")
        assert r.status_code == 400, code
        assert "is not a" in unescape(text(r)) and "quiz code" in text(r)


def test_quiz_code_for_an_unknown_deck_is_404(sclient, smaker):
    r = sclient.get(f"/q/no-deck.5.frt.1.{smaker.version[:8]}")
    assert r.status_code == 404


def test_stale_quiz_code_is_refused_with_a_plain_message(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    for r in (sclient.get(f"/q/{stale(quiz.code)}"), sclient.post(f"/q/{stale(quiz.code)}", data={"q0": "0"})):
        assert r.status_code == 400
        assert "earlier version of the content" in text(r)


@pytest.mark.parametrize("data, message", [
    ({"q0": "9"}, "must be an option number from 0 to"),
    ({"q0": "-1"}, "must be an option number"),
    ({"q0": "abc"}, "must be an option number"),
    ({"q0": "1.5"}, "must be an option number"),
    ({"q7": "0"}, "there is no question 8"),
    ({"q0": ["0", "1"]}, "answered more than once"),
])
def test_tampered_answers_are_400_pages(sclient, smaker, data, message):
    quiz = smaker.make(QuizSpec("group-3", 3, 1, ("forward",)))
    r = sclient.post(f"/q/{quiz.code}", data=data)
    assert r.status_code == 400
    page = text(r)
    assert message in unescape(page)
    assert "Back to all decks" in page


def test_huge_submissions_are_refused_before_reading_them(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    r = sclient.post(f"/q/{quiz.code}", data={"q0": "0", "padding": "x" * 200_000})
    assert r.status_code == 413
    assert "far too large" in text(r)


def test_unexpected_errors_show_a_plain_500_page(synth_root):
    app = create_app({"TESTING": True, "CONTENT": str(synth_root)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    r = app.test_client().get("/boom")
    assert r.status_code == 500
    page = text(r)
    assert "Something went wrong" in page and "secret internals" not in page
    assert r.headers["X-Frame-Options"] == "DENY"


# --- Escaping -----------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """A content folder whose every visible string tries to inject markup."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "content" / "sources").mkdir(parents=True)
    (root / "content" / "facts").mkdir()
    (root / "decks").mkdir()
    quote = f"The {SCRIPT} accord was signed in 1950."
    (root / "content" / "sources" / "evil.txt").write_text(quote + "\n")
    (root / "content" / "sources" / "evil.toml").write_text(
        'id = "evil"\ntitle = "Chronicle <img src=x onerror=alert(1)>"\npublisher = "Press <b>bold</b>"\n'
        'kind = "book"\npublished = "1954"\ntext = "evil.txt"\n'
    )
    facts = []
    for i, year in enumerate((1950, 1951, 1952, 1953)):
        facts.append(
            f'[[fact]]\nid = "accord-{i}"\nkind = "date"\nsource = "evil"\nquote = {json.dumps(quote)}\n'
            f'attributed = true\nevent = {json.dumps(f"the signing of the {SCRIPT} accord {i}")}\ndate = "{year}"\n'
            'distractors = ["1940", "1941", "1942"]\n'
        )
    (root / "content" / "facts" / "evil.toml").write_text(
        f"topic = {json.dumps('Topic ' + SCRIPT)}\n\n" + "\n".join(facts)
    )
    (root / "decks" / "evil.toml").write_text(
        f'id = "evil"\ntitle = {json.dumps("Deck " + SCRIPT)}\ndescription = {json.dumps("About " + SCRIPT)}\n'
        'anki_name = "Evil"\nall = true\n'
    )
    load_library(root)  # the fixture itself must be valid content
    return root


def test_content_is_escaped_on_every_page(hostile_root):
    client = create_app({"TESTING": True, "CONTENT": str(hostile_root)}).test_client()
    r = client.get("/decks/evil/quiz?count=4&seed=1")
    code = code_of(r.location)
    pages = {
        "list": client.get("/"),
        "deck": client.get("/decks/evil"),
        "quiz": client.get(f"/q/{code}"),
        "results": submit(client, code, {"q0": "0"}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = text(response)
        assert "<script>" not in page, name
        assert "&lt;script&gt;" in page, name
    results = text(pages["results"])
    assert "<img" not in results and "&lt;img src=x" in results
    assert "<b>bold</b>" not in results and "Press &lt;b&gt;bold&lt;/b&gt;" in results


# --- Headers -------------------------------------------------------------------------------------


def test_security_headers_on_every_kind_of_response(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    responses = [
        sclient.get("/"), sclient.get("/decks/group-3"), sclient.get(f"/q/{quiz.code}"),
        sclient.post(f"/q/{quiz.code}", data={}), submit(sclient, quiz.code, {}), sclient.get("/nope"),
        sclient.get("/q/bad"), sclient.get("/", headers={"Host": "a" * 64 + ".example"}),
        sclient.get(f"/q/{quiz.code}/results/zz"), sclient.get("/api/quiz/bad"),
        sclient.get("/static/style.css"), sclient.get("/api/decks"),
    ]
    for r in responses:
        for name, value in HEADERS.items():
            assert r.headers[name] == value, (r.request.path, name)
        assert r.headers["Referrer-Policy"]
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "http" not in csp


def test_a_view_with_its_own_content_security_policy_keeps_it(synth_root):
    app = create_app({"TESTING": True, "CONTENT": str(synth_root)})

    @app.get("/own-policy")
    def own_policy():
        return "ok", 200, {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}

    r = app.test_client().get("/own-policy")
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_stylesheet_is_served_locally_and_pages_load_nothing_from_elsewhere(sclient):
    page = text(sclient.get("/"))
    assert 'href="/static/style.css"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    css = sclient.get("/static/style.css")
    assert css.status_code == 200 and b"--accent" in css.data and b"@import" not in css.data


# --- Anki download -----------------------------------------------------------------------------


def test_apkg_download_is_built_once_per_deck_and_cached(synth_root, monkeypatch):
    calls: list[str] = []
    fake = types.ModuleType("quizgen.export.anki")

    def apkg_bytes(library, deck_id):
        calls.append(deck_id)
        return b"PK\x03\x04 fake deck " + deck_id.encode()

    fake.apkg_bytes = apkg_bytes
    monkeypatch.setitem(sys.modules, "quizgen.export.anki", fake)
    client = create_app({"TESTING": True, "CONTENT": str(synth_root)}).test_client()
    for _ in range(3):
        r = client.get("/decks/group-2/deck.apkg")
        assert r.status_code == 200
        assert r.data == b"PK\x03\x04 fake deck group-2"
        assert r.headers["Content-Disposition"] == 'attachment; filename="group-2.apkg"'
    client.get("/decks/group-4/deck.apkg")
    assert calls == ["group-2", "group-4"]


def test_real_apkg_download_is_an_anki_package(client, library):
    pytest.importorskip("genanki")
    deck_id = sorted(library.decks)[0]
    r = client.get(f"/decks/{deck_id}/deck.apkg")
    assert r.status_code == 200
    assert r.data[:4] == b"PK\x03\x04"  # an .apkg is a zip archive
    assert r.headers["Content-Disposition"] == f'attachment; filename="{deck_id}.apkg"'


# --- Results at their own URL, retry, try again -------------------------------------------------


def test_results_have_their_own_url_that_reloads_to_the_same_page_without_resubmitting(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 4, 31, ("forward",)))
    picks = {0: quiz.questions[0].answer_index, 1: (quiz.questions[1].answer_index + 1) % 4}
    first = submit(sclient, quiz.code, answers_form(quiz, picks))
    again = sclient.get(first.result_url)  # a reload or a bookmark: a GET, no form resent
    assert again.status_code == 200 and text(again) == text(first)
    page = unescape(text(first))
    assert "You scored 1 out of 4" in page
    assert "<form" not in page  # nothing to resubmit
    # Other answers are other URLs: a result shows only the answers its own link spells.
    other = submit(sclient, quiz.code, answers_form(quiz, {0: (picks[0] + 1) % 4}))
    assert other.result_url != first.result_url and "You scored 0 out of 4" in text(other)


@pytest.mark.parametrize("given, message", [
    ("AB", "it has 4 questions, the result 2"),
    ("ABCDE", "it has 4 questions, the result 5"),
    ("AZ--", "answer to question 2 in this result is not one of its options"),
    ("a---", "answer to question 1 in this result is not one of its options"),
    ("....", "this result answers no question"),
])
def test_tampered_result_urls_are_400_pages(sclient, smaker, given, message):
    quiz = smaker.make(QuizSpec("group-3", 4, 31, ("forward",)))
    r = sclient.get(f"/q/{quiz.code}/results/{given}")
    assert r.status_code == 400
    assert message in unescape(text(r)) and "Back to all decks" in text(r)


def test_short_quiz_says_how_many_questions_the_deck_gave(client, library):
    facts = len(library.deck_facts("relations-1933"))
    r = client.get("/decks/relations-1933/quiz?count=50&seed=2")
    code = code_of(r.location)
    assert code.startswith("relations-1933.50.")  # the code keeps what was asked …
    page = unescape(text(client.get(r.location)))
    n = len(re.findall(r'<fieldset class="card question">', page))
    assert n <= facts < 50
    note = f"This deck gave {n} questions of the chosen kinds, not the 50 asked for"
    assert note in page  # … and the page says what it gave
    assert note in unescape(text(submit(client, code, {})))
    body = client.get(f"/api/quiz/{code}").get_json()
    assert body["asked"] == 50 and body["count"] == n == len(body["questions"])
    full = unescape(text(client.get(client.get("/decks/relations-1933/quiz?count=5&seed=2").location)))
    assert "This deck gave" not in full


def test_try_again_shows_the_same_questions_in_a_new_order(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 8, 5))
    page = text(submit(sclient, quiz.code, {}))
    links = re.findall(r'<a class="button[^"]*" href="([^"]+)">Try again in a new order</a>', page)
    assert len(links) == 1
    again = unescape(text(sclient.get(unescape(links[0]))))
    stems = [unescape(q.stem) for q in quiz.questions]
    shown = [unescape(s) for s in re.findall(r'<span class="stem">(.*?)</span></legend>', again)]
    assert sorted(shown) == sorted(stems) and shown != stems
    # Radios keep each question's own name, so the answers grade against the right questions.
    first_shown = stems.index(shown[0])
    assert re.search(rf'<span class="stem">[^<]*</span></legend>\s*<div class="options">\s*'
                     rf'<label class="option" for="q{first_shown}-0">', again)
    order = re.search(r'<input type="hidden" name="order" value="(\d+)">', again)[1]
    q = quiz.questions[first_shown]
    result = submit(sclient, quiz.code, {f"q{first_shown}": str(q.answer_index), "order": order})
    assert "?order=" + order in result.result_url
    items = unescape(text(result)).split('<li class="card result')[1:]
    assert "Question 1</span>" in items[0] and "Correct" in items[0] and q.stem in items[0]


def test_retry_the_ones_i_got_wrong_asks_only_those(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 6, 9, ("forward",)))
    right = {i: q.answer_index for i, q in enumerate(quiz.questions) if i in (0, 2, 3)}
    page = text(submit(sclient, quiz.code, answers_form(quiz, right)))
    link = re.search(r'<a class="button" href="([^"]+)">Retry the 3 I got wrong</a>', page)
    assert link, page
    retry_url = unescape(link[1])
    assert "only=2,5,6" in retry_url
    retry = unescape(text(sclient.get(retry_url)))
    assert retry.count('<fieldset class="card question">') == 3
    assert "3 questions of 6: the ones to try again" in retry
    for i, q in enumerate(quiz.questions):
        assert (q.stem in retry) == (i in (1, 4, 5))
    assert '<input type="hidden" name="only" value="2,5,6">' in retry
    order = re.search(r'name="order" value="(\d+)"', retry)[1]
    result = submit(sclient, quiz.code, {"q1": str(quiz.questions[1].answer_index), "only": "2,5,6",
                                         "order": order})
    assert urlsplit(result.result_url).path.endswith("/results/.-..--".replace("-", "X", 1).replace(
        "X", LETTERS[quiz.questions[1].answer_index]))
    page = unescape(text(result))
    assert "You scored 1 out of 3" in page and page.count('<li class="card result') == 3
    assert "Retry the 2 I got wrong" in page
    everything_right = submit(sclient, quiz.code, answers_form(quiz, {i: q.answer_index for i, q in
                                                                      enumerate(quiz.questions)}))
    assert "Retry the" not in text(everything_right) and "Try again in a new order" in text(everything_right)


@pytest.mark.parametrize("query", ["only=0", "only=7", "only=3,2", "only=2,2", "only=02", "only=x",
                                   "order=-1", "order=abc", "order=" + "9" * 13])
def test_bad_retry_and_order_settings_are_400_pages(sclient, smaker, query):
    quiz = smaker.make(QuizSpec("group-3", 6, 9, ("forward",)))
    r = sclient.get(f"/q/{quiz.code}?{query}")
    assert r.status_code == 400 and "Back to all decks" in text(r)


def test_quiz_page_loads_the_blank_answer_warning_script_and_works_without_it(sclient, smaker):
    quiz = smaker.make(QuizSpec("group-3", 3, 1))
    page = text(sclient.get(f"/q/{quiz.code}"))
    assert '<script src="/static/quiz.js" defer></script>' in page
    assert re.search(r'<p class="notice blank-warning" id="blank-warning" role="alert" hidden></p>', page)
    js = sclient.get("/static/quiz.js")
    assert js.status_code == 200 and b"blank-warning" in js.data and b"preventDefault" in js.data
    # Without JavaScript the form still submits, blanks and all.
    assert "You scored 0 out of 3" in text(submit(sclient, quiz.code, {}))


# --- Quotes as written: keycaps and the curator's note ------------------------------------------


def test_keycap_emoji_in_a_quote_show_as_boxed_digits(client, library):
    fact = next(f for f in library.facts.values() if "\u20e3" in f.quote)
    maker = client.application.extensions["quizgen.maker"]
    # A quiz asks one fact of each subject: the first seed whose quiz asks this one.
    quiz = next(q for q in (maker.make(QuizSpec("all-facts", 40, seed)) for seed in range(200))
                if fact.id in {x.fact_id for x in q.questions})
    page = text(submit(client, quiz.code, {}))
    assert '<span class="keycap">7</span><span class="keycap">8</span>' in page
    assert "\u20e3" not in page  # no combining keycap left to fall back to tofu


@pytest.fixture(scope="module")
def noted_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("noted") / "lib"
    shutil.copytree(Path(__file__).parent / "data" / "mini", root)
    war = root / "content" / "facts" / "war.toml"
    war.write_text(war.read_text().replace(
        'id = "konev"\n', 'id = "konev"\nnote = "Some accounts credit <Zhukov> instead."\n'))
    return root


def test_curator_note_is_shown_beside_the_quote_and_in_the_api(noted_root):
    client = create_app({"TESTING": True, "CONTENT": str(noted_root)}).test_client()
    maker = client.application.extensions["quizgen.maker"]
    quiz = maker.make(QuizSpec("war", 5, 1))
    konev = next(i for i, q in enumerate(quiz.questions) if q.fact_id == "konev")
    page = text(submit(client, quiz.code, {}))
    items = page.split('<li class="card result')[1:]
    assert "Curator’s note:</span> Some accounts credit &lt;Zhukov&gt; instead." in items[konev]
    assert sum("Curator’s note" in item for item in items) == 1
    graded = client.post(f"/api/quiz/{quiz.code}/grade", json={"answers": [None] * len(quiz.questions)}).get_json()
    assert graded["results"][konev]["citation"]["note"] == "Some accounts credit <Zhukov> instead."


# --- Canonical codes, the Host header, public links ------------------------------------------------


def loose_forms(code: str) -> list[str]:
    deck, count, kinds, seed, digest = code.split(".")
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in seed)
    return [f"{deck}.0{count}.{kinds}.{seed}.{digest}", f"{deck}.{count}.{kinds[::-1]}.{seed}.{digest}",
            f"{deck}.{count}.{kinds}.00{seed}.{digest}", f"{deck}.{count}.{kinds}.{arabic_indic}.{digest}",
            f"{code} ", f"%20{code}"]


def test_loosely_written_codes_redirect_to_the_canonical_code_and_take_no_cache_slot(synth_root):
    app = create_app({"TESTING": True, "CONTENT": str(synth_root)})
    client = app.test_client()
    code = app.extensions["quizgen.maker"].make(QuizSpec("group-3", 5, 42)).code
    assert client.get(f"/q/{code}").status_code == 200
    cache = app.extensions["quizgen.cache"]
    slots = len(cache)
    for loose in loose_forms(code):
        r = client.get(f"/q/{loose}")
        assert r.status_code == 301, loose
        assert r.location == f"/q/{code}"
        api = client.get(f"/api/quiz/{loose}")
        assert api.status_code == 400 and f"did you mean {code}?" in api.get_json()["error"]
        assert client.post(f"/q/{loose}", data={}).status_code == 400
    assert len(cache) == slots


def test_result_url_with_a_loose_code_redirects_keeping_answers_and_order(sclient, smaker):
    code = smaker.make(QuizSpec("group-3", 2, 42)).code
    r = sclient.get(f"/q/{loose_forms(code)[0]}/results/A-?order=3")
    assert r.status_code == 301 and r.location == f"/q/{code}/results/A-?order=3"


def test_host_header_is_never_reflected_in_links(sclient, smaker):
    evil = {"Host": "evil.example"}
    quiz = sclient.get("/api/decks/group-3/quiz?count=3&seed=1", headers=evil).get_json()
    assert quiz["url"] == f"/q/{quiz['code']}" and quiz["grade_url"] == f"/api/quiz/{quiz['code']}/grade"
    decks = sclient.get("/api/decks", headers=evil).get_data(as_text=True)
    assert "evil" not in decks
    r = sclient.post(f"/q/{quiz['code']}", data={}, headers=evil)
    assert "evil" not in r.location
    page = text(sclient.get(r.location, headers=evil))
    assert "evil" not in page
    assert re.search(r'<a class="share-link" href="/q/[^"]+">', page)


def test_public_url_makes_links_absolute(synth_root):
    client = create_app({"TESTING": True, "CONTENT": str(synth_root),
                         "PUBLIC_URL": "https://quiz.example.org/"}).test_client()
    quiz = client.get("/api/decks/group-3/quiz?count=3&seed=1", headers={"Host": "evil.example"}).get_json()
    assert quiz["url"] == f"https://quiz.example.org/q/{quiz['code']}"
    page = text(submit(client, quiz["code"], {}))
    assert f'<a class="share-link" href="https://quiz.example.org/q/{quiz["code"]}">' in page


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a" * 64, "exa mple.org", "example.org:http",
                                  "ex\u00e4mple.org", "." * 5, "x" * 300])
def test_a_host_no_url_can_be_built_from_is_a_400_with_the_apps_headers(sclient, host):
    for path in ("/", "/decks/group-3", "/api/decks", "/static/style.css", "/nope"):
        r = sclient.get(path, headers={"Host": host})
        assert r.status_code == 400, (host, path)
        assert "Host header is not a valid host name" in text(r)
        for name, value in HEADERS.items():
            assert r.headers[name] == value
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                                  "quiz.example.org", "a" * 63 + ".example"])
def test_ordinary_hosts_are_served(sclient, host):
    assert sclient.get("/", headers={"Host": host}).status_code == 200


# --- The app's cache ------------------------------------------------------------------------------


def test_each_app_has_its_own_cache_and_pages_are_rendered_once(synth_root, hostile_root):
    a = create_app({"TESTING": True, "CONTENT": str(synth_root)})
    b = create_app({"TESTING": True, "CONTENT": str(hostile_root)})
    assert a.extensions["quizgen.cache"] is not b.extensions["quizgen.cache"]
    code = a.extensions["quizgen.maker"].make(QuizSpec("group-3", 3, 1)).code
    client = a.test_client()
    first = text(client.get(f"/q/{code}"))
    assert a.extensions["quizgen.cache"].get(("quiz-page", code)) == first
    assert len(b.extensions["quizgen.cache"]) == 0


def test_the_cache_stays_within_its_byte_budget_under_many_codes(synth_root):
    app = create_app({"TESTING": True, "CONTENT": str(synth_root), "CACHE_BYTES": 200_000})
    client = app.test_client()
    maker = app.extensions["quizgen.maker"]
    for seed in range(40):
        code = maker.make(QuizSpec("group-3", 10, seed)).code
        assert client.get(f"/q/{code}").status_code == 200
        submit(client, code, {"q0": "0"})
    cache = app.extensions["quizgen.cache"]
    assert 0 < cache.bytes <= 200_000
    assert ("quiz-page", maker.make(QuizSpec("group-3", 10, 39)).code) in cache  # the newest stay
    assert ("quiz-page", maker.make(QuizSpec("group-3", 10, 0)).code) not in cache  # the oldest went


def test_quiz_json_for_students_names_no_fact_and_says_which_kind_each_question_is(sclient, smaker):
    body = sclient.get("/api/decks/all-facts/quiz?count=20&seed=3").get_json()
    quiz = smaker.make(QuizSpec("all-facts", 20, 3))
    raw = json.dumps(body)
    for q, want in zip(body["questions"], quiz.questions, strict=True):
        assert "fact_id" not in q and want.fact_id not in raw
        assert q["kind"] == want.template and q["kind"] in body["kinds"]
        assert q["fact_kind"] == want.fact_kind


def test_grading_and_result_pages_look_the_quiz_up_once_per_request(synth_root, monkeypatch):
    app = create_app({"TESTING": True, "CONTENT": str(synth_root)})
    maker = app.extensions["quizgen.maker"]
    code = maker.make(QuizSpec("group-3", 3, 1)).code
    calls: list[str] = []
    real = maker.from_code
    monkeypatch.setattr(maker, "from_code", lambda c: calls.append(c) or real(c))
    client = app.test_client()
    r = client.post(f"/q/{code}", data={"q0": "1"})
    assert r.status_code == 303 and calls == [code]
    calls.clear()
    assert client.get(r.location).status_code == 200 and calls == [code]
    calls.clear()
    assert client.post(f"/api/quiz/{code}/grade", json={"answers": [0, None, 1]}).status_code == 200
    assert calls == [code]


def test_app_cache_keeps_within_its_bytes_and_drops_the_least_recently_used():
    from quizgen_web.cache import size_of

    a, b, c = size_of(b"1234"), size_of("5678"), size_of(b"xyz")
    cache = AppCache(max_bytes=a + max(b, c) + 1)  # room for two of them
    cache.put("a", b"1234")
    cache.put("b", "5678")
    assert cache.get("a") == b"1234"  # a is now the most recent
    cache.put("c", b"xyz")
    assert "b" not in cache and cache.get("a") == b"1234" and cache.get("c") == b"xyz"
    assert cache.bytes == a + c
    cache.put("a", b"12")  # replacing a value counts its new size only
    assert cache.bytes == size_of(b"12") + c
    huge = b"x" * (a + max(b, c) + 1)
    assert cache.put("huge", huge) == huge and "huge" not in cache  # bigger than the budget
    with pytest.raises(TypeError):
        cache.put("obj", object())
    assert cache.put("obj", object(), size=1) is not None and cache.bytes == size_of(b"12") + c + 1


def test_app_cache_builds_a_missing_value_once_for_concurrent_callers():
    cache = AppCache()
    started, calls = threading.Event(), []

    def make() -> bytes:
        calls.append(1)
        started.wait(2)
        return b"deck"

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(cache.get_or_make, "apkg", make) for _ in range(8)]
        time.sleep(0.2)
        started.set()
        assert [f.result() for f in futures] == [b"deck"] * 8
    assert calls == [1]


def test_deck_page_says_how_many_questions_one_quiz_can_ask_and_defaults_to_no_more(client, library):
    from quizgen.quiz import QuizMaker

    capacity = QuizMaker(library).capacity("relations-1933").total
    page = text(client.get("/decks/relations-1933"))
    assert f"up to {capacity} questions in one quiz" in page
    assert f'value="{min(capacity, 10)}"' in page or f'value="{capacity}"' in page


def test_a_shared_result_page_is_rendered_once_and_served_the_same(synth_root, monkeypatch):
    import quizgen_web.quiz as quiz_views

    app = create_app({"TESTING": True, "CONTENT": str(synth_root)})
    client = app.test_client()
    code = app.extensions["quizgen.maker"].make(QuizSpec("group-3", 3, 1)).code
    posted = client.post(f"/q/{code}", data={"q0": "0", "q1": "1"})
    assert posted.status_code == 303
    url = posted.headers["Location"]
    renders = []
    real = quiz_views.render_template
    monkeypatch.setattr(quiz_views, "render_template",
                        lambda name, **kw: renders.append(name) or real(name, **kw))
    first, again = text(client.get(url)), text(client.get(url))
    assert first == again and "You scored" in first
    assert renders.count("quiz/results.html") == 1
