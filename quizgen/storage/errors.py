"""Errors of stored assignments (the web turns them into 404 and 400)."""

from __future__ import annotations

from ..errors import QuizgenError, SubmissionError


class AssignmentNotFoundError(QuizgenError):
    """No such assignment, or a wrong teacher secret: the two look the same on purpose."""

    def __init__(self) -> None:
        super().__init__("There is no assignment at this address. Check the link you were given.")


class StorageError(QuizgenError):
    """The database cannot be opened or migrated; the message says which and how to fix it."""


class SignInError(SubmissionError):
    """A wrong email address or password (never which of the two)."""
