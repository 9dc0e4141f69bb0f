"""Taking a quiz: start one, answer it (no JavaScript needed), see results with citations."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from quizgen.errors import SubmissionError

from .decks import render_deck
from .params import KIND_LABELS, answers_from_form, kinds_label, maker, spec_from_args

bp = Blueprint("quiz", __name__)


@bp.get("/decks/<deck_id>/quiz")
def start(deck_id: str) -> Response | tuple[str, int]:
    maker().library.deck(deck_id)  # an unknown deck is a 404, whatever the settings
    try:
        spec, _ = spec_from_args(deck_id, request.args)
    except SubmissionError as exc:
        # A form mistake (say, 0 questions): show the form again with the reason.
        form = {"count": request.args.get("count", ""), "kinds": request.args.getlist("kinds")}
        return render_deck(deck_id, error=str(exc), form=form), 400
    # The code URL is the quiz: it can be bookmarked, shared and graded from.
    return redirect(url_for("quiz.show", code=spec.code(maker().library.digest)), code=303)


_PAGES: OrderedDict[tuple[int, str], str] = OrderedDict()
_PAGES_LOCK = threading.Lock()
PAGE_CACHE_SIZE = 256


@bp.get("/q/<code>")
def show(code: str) -> str:
    # A code pins deck, settings and content version, so its page never changes: render it once.
    # (Keyed by the maker too, so apps over different content never share pages.)
    key = (id(maker()), code)
    with _PAGES_LOCK:
        if key in _PAGES:
            _PAGES.move_to_end(key)
            return _PAGES[key]
    quiz = maker().from_code(code)
    page = render_template("quiz/show.html", quiz=quiz, kinds=kinds_label(quiz.spec.kinds),
                           kind_labels=KIND_LABELS)
    with _PAGES_LOCK:
        _PAGES[key] = page
        while len(_PAGES) > PAGE_CACHE_SIZE:
            _PAGES.popitem(last=False)
    return page


@bp.post("/q/<code>")
def grade(code: str) -> str:
    quiz = maker().from_code(code)
    graded = maker().grade(code, answers_from_form(quiz, request.form))
    share = url_for("quiz.show", code=quiz.code, _external=True)
    return render_template("quiz/results.html", graded=graded, quiz=quiz, share=share)
