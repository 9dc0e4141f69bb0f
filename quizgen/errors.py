"""Exception classes for quizgen.

The library raises these; only ``cli.py`` turns them into ``click.ClickException``
and only the web app turns them into 400/404 pages, so the messages are written
for a person: they say what is wrong and, where possible, how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A problem is one line whatever the content holds: control characters (a newline in a file
# name, a stray byte in an id) are shown escaped, and an overlong value is cut.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SHOWN_CHARS = 120


def _one_line(text: str, limit: int | None = None) -> str:
    text = _UNPRINTABLE.sub(lambda m: ascii(m[0])[1:-1], text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


class QuizgenError(Exception):
    """Base class for every error quizgen reports to a user."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the content, pointing at its place in the source files."""

    file: str
    message: str
    fact_id: str | None = None
    field: str | None = None
    line: int | None = None
    kind: str = "fact"  # what fact_id names: "fact", "source" or "deck"

    def __str__(self) -> str:
        where = f"In {_one_line(self.file, _SHOWN_CHARS)}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.fact_id is not None:
            where += f", {self.kind} {_one_line(self.fact_id, _SHOWN_CHARS)}"
        if self.field:
            where += f", field {_one_line(self.field, _SHOWN_CHARS)}"
        return f"{where}: {_one_line(self.message)}"


class ContentError(QuizgenError):
    """The content folder has one or more problems; all of them are listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownDeckError(QuizgenError):
    def __init__(self, deck_id: str, known: list[str]):
        self.deck_id = deck_id
        choices = ", ".join(known) or "none"
        super().__init__(f"No deck with id {deck_id!r}. Known decks: {choices}.")


class QuizCodeError(QuizgenError):
    """A quiz code that cannot be read (typo, truncation, tampering)."""


class StaleQuizError(QuizgenError):
    """A quiz code made from content that has changed since."""


class SubmissionError(QuizgenError):
    """Answers that do not fit the quiz they claim to answer."""


class QuestionError(QuizgenError):
    """A question that cannot be made, e.g. too few plausible distractors."""


class RenderError(QuizgenError):
    """An output (PDF, .apkg) that cannot be produced on this machine."""
