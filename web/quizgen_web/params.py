"""Reading quiz settings and answers from requests, the same way for pages and the API."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from flask import current_app
from werkzeug.datastructures import MultiDict

from quizgen.errors import SubmissionError
from quizgen.quiz import MAX_COUNT, Quiz, QuizMaker, QuizSpec
from quizgen.templates import QUESTION_KINDS

DEFAULT_COUNT = 10
KIND_LABELS = {
    "forward": "Ask for the answer (“When did … take place?”)",
    "reverse": "Ask the other way round (“What happened on …?”)",
    "true_false": "True or false statements",
}
_ANSWER_FIELD = re.compile(r"^q(\d{1,4})$")


def maker() -> QuizMaker:
    return current_app.extensions["quizgen.maker"]


def _whole_number(name: str, raw: str | None, default: int | None) -> int | None:
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise SubmissionError(f"{name} must be a whole number, not {raw[:40]!r}")
    return int(raw)


def random_seed() -> int:
    # Six digits keep share links short while making repeats between students unlikely.
    return secrets.randbelow(1_000_000)


def spec_from_args(deck_id: str, args: MultiDict[str, str]) -> tuple[QuizSpec, bool]:
    """The quiz asked for by ``count``, ``seed`` and ``kinds``; True if the seed was drawn here.

    ``kinds`` may repeat (checkboxes) or be comma-separated (the API); none means all kinds.
    """
    count = _whole_number("count", args.get("count"), DEFAULT_COUNT)
    if count is not None and count > MAX_COUNT:
        raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {count}")
    seed = _whole_number("seed", args.get("seed"), None)
    kinds = [k.strip() for value in args.getlist("kinds") for k in value.split(",") if k.strip()]
    drawn = seed is None
    spec = QuizSpec(deck_id, count or 0, random_seed() if seed is None else seed,
                    tuple(dict.fromkeys(kinds)) or QUESTION_KINDS)
    return spec, drawn


def answers_from_form(quiz: Quiz, form: MultiDict[str, str]) -> list[int | None]:
    """One answer per question from radio fields q0, q1, …; a question left blank is None.

    A field for a question the quiz does not have, a repeated field, or a value that
    is not an option number means the form was not the one we sent: refuse it.
    """
    n = len(quiz.questions)
    answers: list[int | None] = [None] * n
    for key in form:
        m = _ANSWER_FIELD.match(key)
        if not m:
            continue
        index = int(m[1])
        if index >= n:
            raise SubmissionError(f"this quiz has {n} questions; there is no question {index + 1}")
        values = form.getlist(key)
        if len(values) != 1:
            raise SubmissionError(f"question {index + 1} was answered more than once")
        raw = values[0].strip()
        if raw == "":
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
            raise SubmissionError(f"the answer to question {index + 1} must be an option number")
        answers[index] = int(raw)
    return answers


def kinds_label(kinds: Iterable[str]) -> str:
    names = {"forward": "direct", "reverse": "reverse", "true_false": "true or false"}
    return "kinds: " + ", ".join(names[k] for k in kinds)
