"""Taking a quiz: start one, answer it (no JavaScript needed), see results with citations.

A submission is graded and redirected (303) to the result's own address,
``/q/<code>/results/<given>``, where ``given`` spells the student's answers (A, B, …; - for
a blank; . for a question not asked). The result page is a pure function of its URL: it can
be reloaded, bookmarked and shared, and shows nobody's answers but those in the link.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from quizgen.errors import QuizCodeError, SubmissionError
from quizgen.quiz import KIND_LABELS, LETTERS, MAX_SEED, Graded, Quiz, canonical_code

from .cache import app_cache
from .decks import render_deck
from .params import (
    answers_from_form,
    asked_from_args,
    decode_given,
    display_order,
    encode_given,
    maker,
    next_order,
    public_url,
    spec_from_args,
    whole_number,
)

bp = Blueprint("quiz", __name__)


@bp.get("/decks/<deck_id>/quiz")
def start(deck_id: str) -> Response | tuple[str, int]:
    maker().library.deck(deck_id)  # an unknown deck is a 404, whatever the settings
    try:
        spec = spec_from_args(deck_id, request.args)
    except SubmissionError as exc:
        # A form mistake (say, 0 questions): show the form again with the reason.
        form = {"count": request.args.get("count", ""), "kinds": request.args.getlist("kinds")}
        return render_deck(deck_id, error=str(exc), form=form), 400
    # The code URL is the quiz: it can be bookmarked, shared and graded from.
    return redirect(url_for("quiz.show", code=maker().code(spec)), code=303)


def _quiz(code: str) -> Quiz:
    """The quiz of a canonical code; a loosely written code is sent to its canonical address."""
    try:
        return maker().from_code(code)
    except QuizCodeError:
        canonical = canonical_code(code)
        if canonical is None or request.method != "GET":
            raise
        raise _Redirect(canonical) from None


class _Redirect(Exception):
    def __init__(self, code: str):
        self.code = code


@bp.errorhandler(_Redirect)
def _to_canonical(exc: _Redirect) -> Response:
    # The path from the route's own values; the query string copied as it came, never passed
    # to url_for, which reads some names itself (_external, _scheme, _anchor, _method, and the
    # route's own code and given) and would fail or build a link to the client's Host.
    values = dict(request.view_args or {}, code=exc.code)
    path = url_for(request.endpoint or "quiz.show", **values)
    # Anything but URL characters (a raw control byte a lax client sent) is percent-encoded again.
    query = quote(request.query_string.decode("latin-1"), safe="=&%+;/?:@,$!*'()~-._")
    return redirect(f"{path}?{query}" if query else path, code=301)


def _order(raw: str | None) -> int | None:
    return whole_number("order", raw, None, MAX_SEED)


def _short_note(quiz: Quiz) -> str | None:
    if not quiz.short:
        return None
    n = len(quiz.questions)
    return (f"This deck gave {n} question{'' if n == 1 else 's'} of the chosen kinds, not the "
            f"{quiz.spec.count} asked for: that is as many as it can ask in one quiz.")


def _kinds_label(quiz: Quiz) -> str:
    return ", ".join(KIND_LABELS[k].lower() if i else KIND_LABELS[k] for i, k in enumerate(quiz.spec.kinds))


@bp.get("/q/<code>")
def show(code: str) -> str:
    quiz = _quiz(code)
    only, order = request.args.get("only"), _order(request.args.get("order"))
    asked = asked_from_args(quiz, only)

    def page() -> str:
        return render_template(
            "quiz/show.html", quiz=quiz, kinds=_kinds_label(quiz), short=_short_note(quiz),
            shown=display_order(asked, order), only=only or "", order=order,
            retry=len(asked) < len(quiz.questions),
        )

    if only is None and order is None:
        # The page every student of a shared link opens: rendered once per code.
        return app_cache().get_or_make(("quiz-page", quiz.code), page)
    return page()


@bp.post("/q/<code>")
def grade(code: str) -> Response:
    quiz = _quiz(code)
    answers = answers_from_form(quiz, request.form)
    asked = asked_from_args(quiz, request.form.get("only"))
    order = _order(request.form.get("order"))
    quiz.grade(answers)  # refuses an answer that is not one of its question's options
    given = encode_given(quiz, answers, asked)
    query = {"order": order} if order is not None else {}
    return redirect(url_for("quiz.results", code=quiz.code, given=given, **query), code=303)


def result_items(graded: Graded, shown: list[int]) -> list[Markup]:
    """One rendered block per shown question, numbered as the student saw them.

    Blocks are cached on the app: a block depends only on the quiz, the question, the answer
    given and its number. Other blueprints (class assignments) list results with these too.
    """
    quiz = graded.quiz

    def block(i: int, number: int) -> Markup:
        q, given, ok = quiz.questions[i], graded.answers[i], graded.correct[i]
        return Markup(render_template("quiz/_result.html", q=q, number=number, given=given, ok=ok,
                                      letters=LETTERS))

    return [
        app_cache().get_or_make(("result-block", quiz.code, i, graded.answers[i], number),
                                lambda i=i, number=number: block(i, number))
        for number, i in enumerate(shown, start=1)
    ]


@bp.get("/q/<code>/results/<given>")
def results(code: str, given: str) -> str:
    quiz = _quiz(code)
    answers, asked = decode_given(quiz, given)
    order = _order(request.args.get("order"))

    def page() -> str:
        graded = quiz.grade(answers)
        shown = display_order(asked, order)
        score = sum(graded.correct[i] for i in asked)
        wrong = [i for i in asked if not graded.correct[i]]
        new_order = next_order(quiz.code, given, order)
        return render_template(
            "quiz/results.html", quiz=quiz, graded=graded, score=score, total=len(asked),
            items=result_items(graded, shown), short=_short_note(quiz),
            share=public_url("quiz.show", code=quiz.code),
            again=url_for("quiz.show", code=quiz.code, order=new_order),
            retry=url_for("quiz.show", code=quiz.code, only=",".join(str(i + 1) for i in wrong),
                          order=new_order) if wrong else None,
            wrong=len(wrong),
        )

    # A pure function of its URL (the code, the answers given, the order): rendered once, then kept
    # in the app's byte-bounded cache like the quiz page, since a class shares one quiz.
    return app_cache().get_or_make(("results-page", quiz.code, given, order), page)
