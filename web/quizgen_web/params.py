"""Reading quiz settings and answers from requests, the same way for pages and the API."""

from __future__ import annotations

import hashlib
import random
import re
import secrets
from collections.abc import Sequence

from flask import current_app, url_for
from werkzeug.datastructures import MultiDict

from quizgen.errors import SubmissionError
from quizgen.quiz import DEFAULT_COUNT, LETTERS, MAX_COUNT, MAX_SEED, Quiz, QuizMaker, QuizSpec
from quizgen.templates import QUESTION_KINDS

_ANSWER_FIELD = re.compile(r"^q(\d{1,4})$")
BLANK, NOT_ASKED = "-", "."  # in a result URL, beside the option letters


def maker() -> QuizMaker:
    return current_app.extensions["quizgen.maker"]


def public_url(endpoint: str, **values: object) -> str:
    """A link for others to follow: under the configured PUBLIC_URL, else a path on this site.

    Never built from the request's Host header, which the client chooses.
    """
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL")
    return base.rstrip("/") + path if base else path


def whole_number(name: str, raw: str | None, default: int | None, high: int) -> int | None:
    """A whole number from 0 to ``high`` in ASCII digits (no sign, no Unicode digits)."""
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        raise SubmissionError(f"{name} must be a whole number from 0 to {high}, not {raw[:40]!r}")
    value = int(raw)
    if value > high:
        raise SubmissionError(f"{name} must be a whole number from 0 to {high}, not {raw[:40]!r}")
    return value


def random_seed() -> int:
    # Six digits keep share links short while making repeats between students unlikely.
    return secrets.randbelow(1_000_000)


def spec_from_args(deck_id: str, args: MultiDict[str, str]) -> QuizSpec:
    """The quiz asked for by ``count``, ``seed`` and ``kinds``; no seed draws one.

    ``kinds`` may repeat (checkboxes) or be comma-separated (the API); none means all kinds.
    """
    count = whole_number("count", args.get("count"), DEFAULT_COUNT, MAX_SEED)
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {count}")
    seed = whole_number("seed", args.get("seed"), None, MAX_SEED)
    kinds = [k.strip() for value in args.getlist("kinds") for k in value.split(",") if k.strip()]
    return QuizSpec(deck_id, count or 0, random_seed() if seed is None else seed,
                    tuple(dict.fromkeys(kinds)) or QUESTION_KINDS)


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


def asked_from_args(quiz: Quiz, raw: str | None) -> tuple[int, ...]:
    """The questions (0-based) a page shows: all, or ``only=2,5,7`` (1-based, ascending)."""
    n = len(quiz.questions)
    if raw is None or raw == "":
        return tuple(range(n))
    parts = raw.split(",")
    if len(parts) > n or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise SubmissionError(f"only must list question numbers from 1 to {n}, such as only=2,5")
    numbers = [int(p) for p in parts]
    if any(not 1 <= k <= n for k in numbers) or numbers != sorted(set(numbers)) or \
            any(p != str(k) for p, k in zip(parts, numbers, strict=True)):
        raise SubmissionError(
            f"only must list question numbers from 1 to {n}, each once and in ascending order, such as only=2,5"
        )
    return tuple(k - 1 for k in numbers)


def display_order(asked: Sequence[int], order: int | None) -> list[int]:
    """The asked questions in the order a page shows them: as made, or shuffled by ``order``."""
    shown = list(asked)
    if order is not None:
        random.Random(order).shuffle(shown)
    return shown


def next_order(code: str, given: str, order: int | None) -> int:
    """The order for "try again" from a result: new, yet fixed by the result's URL, so the
    result page is the same on every reload and for everyone who opens the link."""
    digest = hashlib.sha256(f"{code}/{given}/{order}".encode()).digest()
    new = int.from_bytes(digest[:8], "big") % 1_000_000
    return new + 1 if new == order else new


def encode_given(quiz: Quiz, answers: Sequence[int | None], asked: Sequence[int]) -> str:
    """The answers as a result URL holds them: a letter per answer, - for a blank, . if not asked."""
    chosen = set(asked)
    return "".join(
        (LETTERS[a] if a is not None else BLANK) if i in chosen else NOT_ASKED
        for i, a in enumerate(answers)
    )


def decode_given(quiz: Quiz, given: str) -> tuple[list[int | None], tuple[int, ...]]:
    """Answers (None for blank or not asked) and the asked questions from a result URL."""
    n = len(quiz.questions)
    if len(given) != n:
        raise SubmissionError(f"this result does not fit quiz {quiz.code}: it has {n} questions, "
                              f"the result {len(given)}")
    answers: list[int | None] = []
    asked: list[int] = []
    for i, (ch, q) in enumerate(zip(given, quiz.questions, strict=True)):
        if ch == NOT_ASKED:
            answers.append(None)
            continue
        asked.append(i)
        if ch == BLANK:
            answers.append(None)
            continue
        index = LETTERS.find(ch) if len(ch) == 1 else -1
        if not 0 <= index < len(q.options):
            raise SubmissionError(f"the answer to question {i + 1} in this result is not one of its options")
        answers.append(index)
    if not asked:
        raise SubmissionError("this result answers no question")
    return answers, tuple(asked)
