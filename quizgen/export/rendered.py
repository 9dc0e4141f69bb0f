"""What an export produces: the file's bytes, and the questions a platform's limits kept out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Called with the number of questions just written; the CLI turns it into a progress bar.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class LeftOut:
    """A question that breaks a platform's limit: never cut short, left out and reported instead."""

    number: int  # 1-based, as in `quizgen quiz`
    fact_id: str
    reason: str

    def __str__(self) -> str:
        return f"question {self.number} (fact {self.fact_id}): {self.reason}"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    written: int  # questions in the file
    left_out: tuple[LeftOut, ...] = ()
