"""The JSON API: the same quizzes as the pages, answers only after grading."""

from __future__ import annotations

from typing import Annotated

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError
from werkzeug.wrappers import Response

from quizgen.errors import SubmissionError
from quizgen.quiz import MAX_COUNT, Quiz
from quizgen.validation import format_lines

from .decks import deck_summaries
from .params import maker, public_url, spec_from_args

bp = Blueprint("api", __name__, url_prefix="/api")


class GradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: Annotated[list[StrictInt | None], Field(max_length=MAX_COUNT)]


def _quiz_json(quiz: Quiz) -> Response:
    body = quiz.to_dict(with_answers=False)
    body["url"] = public_url("quiz.show", code=quiz.code)
    body["grade_url"] = public_url("api.grade", code=quiz.code)
    return jsonify(body)


@bp.get("/decks")
def decks() -> Response:
    return jsonify({"decks": [
        {**d, "url": public_url("decks.show", deck_id=d["id"])} for d in deck_summaries()
    ]})


@bp.get("/decks/<deck_id>/quiz")
def new_quiz(deck_id: str) -> Response:
    maker().library.deck(deck_id)
    spec = spec_from_args(deck_id, request.args)
    return _quiz_json(maker().make(spec))


@bp.get("/quiz/<code>")
def quiz(code: str) -> Response:
    return _quiz_json(maker().from_code(code))


@bp.post("/quiz/<code>/grade")
def grade(code: str) -> Response:
    quiz = maker().from_code(code)  # a bad code is reported as such (400/404) whatever the body holds
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise SubmissionError('send a JSON object such as {"answers": [0, 2, null]}')
    try:
        body = GradeRequest.model_validate(data)
    except ValidationError as exc:
        raise SubmissionError("; ".join(format_lines(exc))) from None
    return jsonify(quiz.grade(body.answers).to_dict())
