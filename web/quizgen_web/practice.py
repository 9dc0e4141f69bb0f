"""Practice in the browser with spaced repetition (FSRS): one question per page, no script.

A learner is a code (XXXX-XXXX-XXXX) kept in a cookie and shown on every page: typed on another
device it continues there. Every answer is a form POST that records the review and redirects to the
next card; after a wrong answer the right one is shown with its quote, source and curator's note first.

Config: ``PRACTICE_NOW`` (a function returning the current aware UTC time; the tests move it on by
days), ``PRACTICE_NEW_PER_DAY`` (new cards a deck a day), ``PRACTICE_TYPED_STABILITY`` (days of stability
after which a forward card is typed).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, current_app, make_response, redirect, render_template, request, url_for
from fsrs import Rating, State
from werkzeug.wrappers import Response

from quizgen import practice_charts
from quizgen.errors import SubmissionError
from quizgen.export.anki_progress import apkg_with_progress, progress_filename
from quizgen.practice import (
    MAX_NEW_PER_DAY,
    MAX_RETENTION,
    MAX_TYPED,
    MIN_RETENTION,
    NEW_PER_DAY,
    STATE_NAMES,
    TYPED_RECALL_STABILITY,
    CardRef,
    PracticeDeck,
    day_start,
    normalise_code,
)
from quizgen.practice_store import Answer, PracticeStore, due_calendar

from .params import maker

bp = Blueprint("practice", __name__, url_prefix="/practice")
STORE_KEY = "quizgen.practice"
DECKS_KEY = "quizgen.practice.decks"
COOKIE = "quizgen_learner"
COOKIE_DAYS = 400  # the longest lifetime browsers keep a cookie for
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_decks_lock = threading.Lock()


def init_app(app: Flask, store) -> None:
    """Practice shares the assignments' ``Store`` (one database, one engine per process)."""
    app.config.setdefault("PRACTICE_NOW", None)
    app.config.setdefault("PRACTICE_NEW_PER_DAY", NEW_PER_DAY)
    app.config.setdefault("PRACTICE_TYPED_STABILITY", TYPED_RECALL_STABILITY)
    app.extensions[STORE_KEY] = PracticeStore(store)
    app.extensions[DECKS_KEY] = {}
    app.register_blueprint(bp)


def _store() -> PracticeStore:
    return current_app.extensions[STORE_KEY]


def _now() -> datetime:
    clock: Callable[[], datetime] | None = current_app.config.get("PRACTICE_NOW")
    return (clock() if clock else datetime.now(UTC)).astimezone(UTC)


def _deck(deck_id: str) -> PracticeDeck:
    decks = current_app.extensions[DECKS_KEY]
    found = decks.get(deck_id)
    if found is None:
        found = PracticeDeck(maker(), deck_id)  # UnknownDeckError: a 404
        with _decks_lock:
            decks[deck_id] = found
    return found


def _learner() -> tuple[str, int] | None:
    code = request.cookies.get(COOKIE)
    learner_id = _store().learner_id(code) if code else None
    return (normalise_code(code or "") or "", learner_id) if learner_id is not None else None


def _with_cookie(response: Response, code: str) -> Response:
    response.set_cookie(COOKIE, code, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=request.is_secure, path="/practice")
    return response


def _private(body, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers.update(PRIVATE_HEADERS)
    return response


def _seed(learner_id: int, reps: int) -> tuple[int, int]:
    return (learner_id, reps)


def _int(name: str, raw: str | None, low: int, high: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        raise SubmissionError(f"{name} must be a whole number; reload the practice page") from None
    if not low <= value <= high:
        raise SubmissionError(f"{name} must be from {low} to {high}; reload the practice page")
    return value


# ---- learners ------------------------------------------------------------------------------------


@bp.post("/<deck_id>/start")
def start(deck_id: str) -> Response:
    _deck(deck_id)
    found = _learner()
    code = found[0] if found else _store().new_learner(_now())
    return _with_cookie(redirect(url_for(".session", deck_id=deck_id, welcome=1), 303), code)


@bp.post("/learner")
def resume() -> Response:
    """Continue on this device: the learner code from another one."""
    deck_id = request.form.get("deck", "")
    code = normalise_code(request.form.get("code", ""))
    if code is None or _store().learner_id(code) is None:
        raise SubmissionError("No learner has that code. Type the 12 letters and digits shown on your other "
                              "device (dashes optional), e.g. K7QD-M2XP-94HT.")
    target = url_for(".session", deck_id=deck_id) if deck_id and deck_id in maker().library.decks else url_for("decks.index")
    return _with_cookie(redirect(target, 303), code)


# ---- the session ---------------------------------------------------------------------------------


@bp.get("/<deck_id>")
def session(deck_id: str):
    deck = _deck(deck_id)
    found = _learner()
    if found is None:
        return _private(render_template("practice/start.html", deck=deck.deck, cards=len(deck.cards)))
    code, learner_id = found
    now = _now()
    store = _store()
    nxt = store.next_card(learner_id, deck, now, int(current_app.config["PRACTICE_NEW_PER_DAY"]))
    context = {"deck": deck.deck, "code": code, "welcome": request.args.get("welcome") == "1",
               "last": _last_right(learner_id, request.args.get("right"))}
    if nxt.card is None:
        return _private(render_template("practice/done.html", next_due=nxt.next_due, now=now, **context))
    reps = nxt.row.reps if nxt.row else 0
    mode = deck.mode(nxt.card, nxt.row.memory if nxt.row else None, float(current_app.config["PRACTICE_TYPED_STABILITY"]))
    prompt = deck.prompt(nxt.card, _seed(learner_id, reps), mode)
    state = "new" if nxt.row is None else STATE_NAMES[nxt.row.memory.state]
    return _private(render_template("practice/card.html", prompt=prompt, token=deck.token(nxt.card), reps=reps, state=state,
                                    shown=int(now.timestamp() * 1000), max_typed=MAX_TYPED, **context))


def _last_right(learner_id: int, raw: str | None) -> dict | None:
    """The review just answered right, for the "that was easy / hard" buttons on the next page."""
    if not raw or not raw.isdigit():
        return None
    entry = _store().review_entry(learner_id, int(raw))
    if entry is None or not entry.correct:
        return None
    return {"id": entry.id, "rating": entry.rating}


@bp.post("/<deck_id>/answer")
def answer(deck_id: str) -> Response:
    deck = _deck(deck_id)
    found = _learner()
    if found is None:
        return redirect(url_for(".session", deck_id=deck_id), 303)
    _, learner_id = found
    ref = deck.ref_of(request.form.get("card"))
    reps = _int("reps", request.form.get("reps"), 0, 10**6)
    now = _now()
    shown = _int("shown", request.form.get("shown"), 0, 10**15)
    response_ms = int(now.timestamp() * 1000) - shown
    store = _store()
    # How the card is asked is the server's decision (the recall ladder), never the form's.
    row = store.card(learner_id, ref)
    mode = deck.mode(ref, row.memory if row else None, float(current_app.config["PRACTICE_TYPED_STABILITY"]))
    prompt = deck.prompt(ref, _seed(learner_id, reps), mode)
    if prompt.mode == "typed":
        given = (request.form.get("typed") or "").strip()[:MAX_TYPED]
        chosen = None
        correct = deck.accepts(ref, given)
    else:
        chosen = _int("the answer", request.form.get("choice"), 0, len(prompt.options) - 1)
        given = prompt.options[chosen]
        correct = chosen == prompt.answer_index
    entry = Answer(ref, reps, Rating.Good if correct else Rating.Again, prompt.mode, correct, chosen, given, response_ms)
    review_id = store.record(learner_id, deck_id, entry, now, store.retention(learner_id))
    if review_id is None:  # sent twice, or answered on another device since: nothing recorded
        return redirect(url_for(".session", deck_id=deck_id), 303)
    if correct:
        return redirect(url_for(".session", deck_id=deck_id, right=review_id), 303)
    return redirect(url_for(".wrong", deck_id=deck_id, review_id=review_id), 303)


@bp.get("/<deck_id>/review/<int:review_id>")
def wrong(deck_id: str, review_id: int):
    deck = _deck(deck_id)
    found = _learner()
    if found is None:
        return _not_found()
    code, learner_id = found
    entry = _store().review_entry(learner_id, review_id)  # another learner's answer: not found, like none
    ref = CardRef(entry.fact_id, entry.direction) if entry else None
    if entry is None or ref not in deck.card_set:
        return _not_found()
    # The question as it was asked: the same seed as its page (the card's reps before this answer).
    asked = deck.prompt(ref, _seed(learner_id, _store().reps_before(entry)), entry.mode)
    return _private(render_template("practice/wrong.html", deck=deck.deck, code=code, entry=entry,
                                    answer=deck.answer_of(ref), asked=asked, citation=deck.citation(ref)))


@bp.post("/<deck_id>/rate/<int:review_id>")
def rate(deck_id: str, review_id: int) -> Response:
    """"That was easy / hard": the right answer's Good becomes Easy or Hard, and its card moves with it."""
    _deck(deck_id)
    found = _learner()
    if found is None:
        return redirect(url_for(".session", deck_id=deck_id), 303)
    choice = request.form.get("rating", "")
    ratings = {"hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
    if choice not in ratings:
        raise SubmissionError("rating must be hard, good or easy")
    store = _store()
    if not store.amend(found[1], review_id, ratings[choice], store.retention(found[1])):
        raise SubmissionError("that answer can no longer be marked easy or hard: the card has been answered since")
    return redirect(url_for(".session", deck_id=deck_id, right=review_id), 303)


def _not_found():
    from . import error_response

    return error_response(404, "Not found", "There is no such answer of yours in this deck. Go back to practice.")


# ---- progress ------------------------------------------------------------------------------------


@bp.get("/<deck_id>/progress")
def progress(deck_id: str):
    deck = _deck(deck_id)
    found = _learner()
    if found is None:
        return redirect(url_for(".session", deck_id=deck_id), 303)
    code, learner_id = found
    store = _store()
    now = _now()
    retention = store.retention(learner_id)
    cards = store.cards_of(learner_id, deck)
    reviews = store.reviews_of(learner_id, deck)
    today, tomorrow = day_start(now), day_start(now) + timedelta(days=1)
    due_today = sum(c.memory.due < tomorrow for c in cards)
    reviewed_today = sum(r.reviewed_at >= today for r in reviews)
    by_topic: dict[str, list[float]] = defaultdict(list)
    for c in cards:
        by_topic[deck.topic(c.ref)].append(c.memory.retrievability(now, retention))
    topics = []
    for topic in sorted({deck.topic(r) for r in deck.cards}):
        values = by_topic.get(topic, [])
        total = sum(1 for r in deck.cards if deck.topic(r) == topic)
        topics.append({"topic": topic, "seen": len(values), "cards": total,
                       "retention": round(100 * sum(values) / len(values)) if values else None})
    counts = due_calendar(cards, now, practice_charts.CALENDAR_DAYS)
    chart = practice_charts.calendar(counts, today.date())
    states = {name: sum(STATE_NAMES[c.memory.state] == name for c in cards) for name in STATE_NAMES.values()}
    return _private(render_template(
        "practice/progress.html", deck=deck.deck, code=code, due_today=due_today, reviewed_today=reviewed_today,
        reviews=len(reviews), seen=len(cards), total=len(deck.cards), new=len(deck.cards) - len(cards),
        states=states, topics=topics, chart=chart, retention=retention, min_retention=MIN_RETENTION,
        max_retention=MAX_RETENTION, typed=sum(1 for c in cards if deck.mode(
            c.ref, c.memory, float(current_app.config["PRACTICE_TYPED_STABILITY"])) == "typed"),
        new_per_day=min(MAX_NEW_PER_DAY, int(current_app.config["PRACTICE_NEW_PER_DAY"]))))


@bp.post("/<deck_id>/retention")
def retention(deck_id: str) -> Response:
    _deck(deck_id)
    found = _learner()
    if found is None:
        return redirect(url_for(".session", deck_id=deck_id), 303)
    raw = request.form.get("retention", "")
    try:
        value = int(raw) / 100
    except ValueError:
        raise SubmissionError(f"desired retention must be a whole percentage from {round(MIN_RETENTION * 100)} "
                              f"to {round(MAX_RETENTION * 100)}, e.g. 90") from None
    _store().set_retention(found[1], value)
    return redirect(url_for(".progress", deck_id=deck_id), 303)


@bp.get("/<deck_id>/anki.apkg")
def anki(deck_id: str) -> Response:
    """The deck as an Anki package with this learner's reviews and card state, for "Import any learning progress"."""
    deck = _deck(deck_id)
    found = _learner()
    if found is None:
        return redirect(url_for(".session", deck_id=deck_id), 303)
    store = _store()
    data = apkg_with_progress(maker().library, deck, store.cards_of(found[1], deck),
                              store.reviews_of(found[1], deck), _now(), store.retention(found[1]))
    response = make_response(data)
    response.headers.update(PRIVATE_HEADERS)
    response.headers["Content-Type"] = "application/octet-stream"
    response.headers["Content-Disposition"] = f'attachment; filename="{progress_filename(deck_id)}"'
    return response


# ---- teachers ------------------------------------------------------------------------------------


@bp.get("/<deck_id>/forgotten")
def forgotten(deck_id: str):
    """Per deck, the facts learners forget most: lapses per review, from every learner's stored reviews.

    Counts only: no learner, code or answer is shown.
    """
    deck = _deck(deck_id)
    rows = []
    for item in _store().forgotten(deck):
        fact = deck.facts[item.fact_id]
        ref = CardRef(item.fact_id, "forward")
        rows.append({"item": item, "question": deck.question_of(ref), "answer": deck.answer_of(ref), "topic": deck.topic(ref),
                     "citation": deck.citation(ref), "fact": fact})
    return render_template("practice/forgotten.html", deck=deck.deck, rows=rows, state_review=State.Review.value)
