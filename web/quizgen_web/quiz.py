"""Taking a quiz: start one, answer it (no JavaScript needed), see results with citations."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
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


class _Rendered:
    """What a quiz code renders to, kept for the most recent codes.

    A code pins deck, settings and content version, so its quiz page never changes, nor does
    one of its questions graded with a given answer: each is rendered once, not on every request
    of a class sharing one link. Keys hold the maker too, so apps over different content never
    share entries.
    """

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        key = (id(maker()), *key)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


# Whole pages are ~30 kB: a few hundred codes at once is plenty. Graded-question blocks are small.
_pages = _Rendered(256)
_results = _Rendered(4096)


@bp.get("/q/<code>")
def show(code: str) -> str:
    def page() -> str:
        quiz = maker().from_code(code)
        return render_template("quiz/show.html", quiz=quiz, kinds=kinds_label(quiz.spec.kinds),
                               kind_labels=KIND_LABELS)

    return _pages.get(("page", code), page)


@bp.post("/q/<code>")
def grade(code: str) -> str:
    quiz = maker().from_code(code)
    graded = maker().grade(code, answers_from_form(quiz, request.form))
    share = url_for("quiz.show", code=quiz.code, _external=True)
    items = [
        _results.get(("result", code, n, given), lambda q=q, n=n, given=given, ok=ok: Markup(render_template(
            "quiz/_result.html", q=q, number=n + 1, given=given, ok=ok)))
        for n, (q, given, ok) in enumerate(zip(quiz.questions, graded.answers, graded.correct, strict=True))
    ]
    return render_template("quiz/results.html", graded=graded, quiz=quiz, share=share, items=items)
