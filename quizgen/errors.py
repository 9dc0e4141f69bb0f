"""Exception classes for quizgen.

The library raises these; only ``cli.py`` turns them into ``click.ClickException``
and only the web app turns them into 400/404 pages, so the messages are written
for a person: they say what is wrong and, where possible, how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        where = f"In {self.file}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.fact_id is not None:
            where += f", {self.kind} {self.fact_id}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


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
