"""The teacher's report on an assignment: students (first and best attempt), item analysis, CSV.

The item analysis counts each student's first attempt only, as Moodle can: later attempts
follow the results page, which shows the right answers, so they say little about the questions.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from ..stats import Analysis, analyse
from .assignments import StoredAssignment, StoredAttempt

# Spreadsheets run a cell beginning with one of these as a formula (OWASP's list, with tab and CR).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: object) -> object:
    """A CSV cell a spreadsheet shows as text: a leading ' before anything that starts a formula."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


@dataclass(frozen=True)
class StudentRow:
    name: str
    attempts: int
    first: StoredAttempt
    best: StoredAttempt


def students(attempts: list[StoredAttempt]) -> list[StudentRow]:
    """One row per name (compared without case), in the order students first submitted."""
    by_name: dict[str, list[StoredAttempt]] = {}
    for attempt in attempts:
        by_name.setdefault(attempt.name.casefold(), []).append(attempt)
    rows = []
    for group in by_name.values():
        best = max(group, key=lambda a: (a.score, -a.id))  # the earliest of equal best scores
        rows.append(StudentRow(group[0].name, len(group), group[0], best))
    return rows


def analysis(assignment: StoredAssignment, rows: list[StudentRow]) -> Analysis:
    questions = assignment.quiz.questions
    return analyse([len(q.options) for q in questions], [q.answer_index for q in questions],
                   [row.first.answers for row in rows])


def report_dict(assignment: StoredAssignment, attempts: list[StoredAttempt]) -> dict:
    rows = students(attempts)
    stats = analysis(assignment, rows)
    total = len(assignment.quiz.questions)
    return {
        "id": assignment.id,
        "title": assignment.title,
        "deck": assignment.quiz.spec.deck_id,
        "created_at": iso(assignment.created_at),
        "closes_at": iso(assignment.closes_at),
        "closed": assignment.is_closed(),
        "attempts": len(attempts),
        "analysed_attempts": stats.attempts,
        "total": total,
        "alpha": stats.alpha,
        "score_distribution": list(stats.distribution),
        "students": [
            {"name": r.name, "score": r.best.score, "total": total, "attempts": r.attempts,
             "first_score": r.first.score, "first_submitted_at": iso(r.first.submitted_at),
             "best_score": r.best.score, "best_submitted_at": iso(r.best.submitted_at)}
            for r in rows
        ],
        "questions": [
            {"number": n, "stem": q.stem, "options": list(q.options), "answer_index": q.answer_index,
             "facility": item.facility, "discrimination": item.discrimination,
             "option_counts": list(item.option_counts), "unanswered": item.unanswered,
             "unchosen_distractors": list(item.unchosen_distractors), "citation": q.citation.to_dict()}
            for n, (q, item) in enumerate(zip(assignment.quiz.questions, stats.items, strict=True), start=1)
        ],
    }


def report_csv(assignment: StoredAssignment, attempts: list[StoredAttempt]) -> str:
    """A header row, then one row per attempt with the option chosen for each question."""
    questions = assignment.quiz.questions
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ["attempt", "name", "submitted_at", "score", "total"]
    header += [f"Q{n}: {q.stem}" for n, q in enumerate(questions, start=1)]
    writer.writerow([defuse(cell) for cell in header])
    for number, attempt in enumerate(attempts, start=1):
        chosen = [q.options[a] if a is not None else "" for q, a in zip(questions, attempt.answers, strict=True)]
        writer.writerow([defuse(cell) for cell in
                         [number, attempt.name, iso(attempt.submitted_at), attempt.score, attempt.total, *chosen]])
    return out.getvalue()
