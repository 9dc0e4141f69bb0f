"""The deck list, a deck's page (start a quiz, download, print) and its Anki download."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, render_template

from quizgen.errors import RenderError
from quizgen.quiz import MAX_COUNT

from .params import DEFAULT_COUNT, KIND_LABELS, maker

bp = Blueprint("decks", __name__)
_apkg_lock = threading.Lock()


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
    topics = sorted({library.topics[f.id] for f in library.deck_facts(deck_id)})
    return render_template(
        "decks/show.html", deck=deck, facts=facts, topics=topics, error=error,
        kind_labels=KIND_LABELS, max_count=MAX_COUNT,
        form=form or {"count": min(DEFAULT_COUNT, facts), "kinds": list(KIND_LABELS)},
    )


@bp.get("/decks/<deck_id>")
def show(deck_id: str) -> str:
    return render_deck(deck_id)


@bp.get("/decks/<deck_id>/deck.apkg")
def apkg(deck_id: str) -> Response:
    library = maker().library
    deck = library.deck(deck_id)  # 404 before doing any work for an unknown deck
    cache: dict[str, bytes] = current_app.extensions["quizgen.apkg_cache"]
    data = cache.get(deck_id)
    if data is None:
        # One build per deck even when several students click at once: building is slow.
        with _apkg_lock:
            data = cache.get(deck_id)
            if data is None:
                try:
                    from quizgen.export.anki import apkg_bytes  # imports genanki: only when asked
                except ModuleNotFoundError as exc:
                    raise RenderError(
                        f"Anki decks cannot be made on this server ({exc.name} is not installed)."
                    ) from exc
                data = cache[deck_id] = apkg_bytes(library, deck_id)
    return Response(
        data,
        mimetype="application/apkg",
        headers={"Content-Disposition": f'attachment; filename="{deck.id}.apkg"'},
    )
