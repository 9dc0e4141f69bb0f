"""The deck list, a deck's page (start a quiz, download, print) and its Anki download."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, render_template

from quizgen.quiz import DEFAULT_COUNT, KIND_EXAMPLES, KIND_LABELS, MAX_COUNT

from .cache import app_cache
from .params import maker

bp = Blueprint("decks", __name__)

# Packages built at the same time per worker process (config APKG_BUILDS): a 100,000-fact
# deck takes seconds of CPU and hundreds of MB, so more at once would only queue for the same
# cores and multiply the memory. Cached decks are served whatever the builds in progress.
DEFAULT_APKG_BUILDS = 2
APKG_RETRY_AFTER = 10  # seconds a client is told to wait when every build slot is taken
_SLOTS_KEY = "quizgen.apkg_slots"


def deck_summaries() -> list[dict]:
    library = maker().library
    return [
        {"id": deck.id, "title": deck.title, "description": deck.description,
         "facts": len(library.deck_facts(deck.id))}
        for deck in sorted(library.decks.values(), key=lambda d: d.title.casefold())
    ]


@bp.get("/")
def index() -> str:
    return render_template("decks/index.html", decks=deck_summaries())


def render_deck(deck_id: str, error: str | None = None, form: dict | None = None) -> str:
    library = maker().library
    deck = library.deck(deck_id)
    facts = len(library.deck_facts(deck_id))
    questions = maker().capacity(deck_id).total
    topics = sorted({library.topics[f.id] for f in library.deck_facts(deck_id)})
    return render_template(
        "decks/show.html", deck=deck, facts=facts, questions=questions, topics=topics, error=error,
        kind_labels=KIND_LABELS, kind_examples=KIND_EXAMPLES, max_count=MAX_COUNT,
        form=form or {"count": min(DEFAULT_COUNT, questions) or 1, "kinds": list(KIND_LABELS)},
    )


@bp.get("/decks/<deck_id>")
def show(deck_id: str) -> str:
    return render_deck(deck_id)


@bp.get("/decks/<deck_id>/deck.apkg")
def apkg(deck_id: str) -> Response | tuple[str, int, dict[str, str]]:
    from quizgen.export.anki import apkg_bytes

    library = maker().library
    deck = library.deck(deck_id)  # 404 before doing any work for an unknown deck
    cache, key = app_cache(), ("apkg", deck_id)
    data = cache.get(key)
    if data is None:
        slots = _build_slots()
        if not slots.acquire(blocking=False):  # refuse at once: waiting requests would pile up
            return _busy()
        try:
            # Built once per deck, even when a class clicks at once: a build takes seconds.
            data = cache.get_or_make(key, lambda: apkg_bytes(library, deck_id))
        finally:
            slots.release()
    return Response(
        data,
        mimetype="application/apkg",
        headers={"Content-Disposition": f'attachment; filename="{deck.id}.apkg"'},
    )


def _build_slots() -> threading.BoundedSemaphore:
    # State on the app, made on first use; dict.setdefault is atomic, so every thread of
    # this process gets the same semaphore.
    n = int(current_app.config.get("APKG_BUILDS", DEFAULT_APKG_BUILDS))
    return current_app.extensions.setdefault(_SLOTS_KEY, threading.BoundedSemaphore(n))


def _busy() -> tuple[str, int, dict[str, str]]:
    from . import error_response

    body, status = error_response(
        503, "Busy building decks",
        "The server is building other Anki decks right now. Please try again in a few seconds.")
    return body, status, {"Retry-After": str(APKG_RETRY_AFTER)}
