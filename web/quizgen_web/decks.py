"""The deck list, a deck's page (start a quiz, download, print) and its Anki download."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from quizgen.quiz import DEFAULT_COUNT, KIND_EXAMPLES, KIND_LABELS, MAX_COUNT

from .cache import Busy, build, busy_response
from .params import maker

bp = Blueprint("decks", __name__)

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
    try:
        # Built once per deck through the build slots (a build takes seconds); cached decks are
        # served whatever builds are in progress. The digest keeps a reload from serving old content.
        data = build(("apkg", library.digest, deck_id), lambda: apkg_bytes(library, deck_id))
    except Busy:
        return busy_response("Busy building decks", "The server is building Anki decks right now.")
    return Response(
        data,
        mimetype="application/apkg",
        headers={"Content-Disposition": f'attachment; filename="{deck.id}.apkg"'},
    )
