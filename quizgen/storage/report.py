"""The teacher's report on an assignment: students (first and best attempt), item analysis, CSV.

The item analysis counts each student's first attempt only, as Moodle can: later attempts
follow the results page, which shows the right answers, so they say little about the questions.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from ..quiz import LETTERS
from ..stats import MIN_EVIDENCE, Analysis, analyse
from .assignments import RosterEntry, StoredAssignment, StoredAttempt
from .names import looks_disguised

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
    spellings: tuple[str, ...] = ()  # the different ways the name was written, when more than one
    disguised: bool = False  # written with look-alike letters (Cyrillic А in a Latin name, full-width…)
    late: int = 0  # attempts that arrived after closing


def students(attempts: list[StoredAttempt]) -> list[StudentRow]:
    """One row per student (a roster code, else the name folded: NFKC, look-alikes, case), in the
    order students first submitted. The first attempt is the first sent on time, if any was."""
    by_key: dict[object, list[StoredAttempt]] = {}
    for attempt in attempts:
        key = ("roster", attempt.student_id) if attempt.student_id is not None else attempt.name_key
        by_key.setdefault(key, []).append(attempt)
    rows = []
    for group in by_key.values():
        on_time = [a for a in group if not a.late]
        first = (on_time or group)[0]
        best = max(group, key=lambda a: (a.score, -a.id))  # the earliest of equal best scores
        spellings = tuple(dict.fromkeys(" ".join(a.name.split()).casefold() for a in group))
        shown = tuple(dict.fromkeys(a.name for a in group)) if len(spellings) > 1 else ()
        rows.append(StudentRow(first.name, len(group), first, best, shown,
                               any(looks_disguised(a.name) for a in group), sum(a.late for a in group)))
    return rows


def analysis(assignment: StoredAssignment, rows: list[StudentRow]) -> Analysis:
    questions = assignment.quiz.questions
    return analyse([len(q.options) for q in questions], [q.answer_index for q in questions],
                   [row.first.answers for row in rows if not row.first.late], min_evidence=MIN_EVIDENCE)


def report_dict(assignment: StoredAssignment, attempts: list[StoredAttempt],
                roster: list[RosterEntry] | None = None) -> dict:
    rows = students(attempts)
    stats = analysis(assignment, rows)
    total = len(assignment.quiz.questions)
    seen = {a.student_id for a in attempts if a.student_id is not None}
    return {
        "id": assignment.id,
        "title": assignment.title,
        "deck": assignment.quiz.spec.deck_id,
        "created_at": iso(assignment.created_at),
        "closes_at": iso(assignment.closes_at),
        "closed": assignment.is_closed(),
        "reveal": assignment.reveal,
        "join_code": assignment.join_code,
        "attempts": len(attempts),
        "late_attempts": sum(a.late for a in attempts),
        "analysed_attempts": stats.attempts,
        "min_evidence": MIN_EVIDENCE,
        "enough_evidence": stats.enough,
        "total": total,
        "alpha": stats.alpha,
        "roster": [{"name": r.name, "code": r.code, "submitted": r.id in seen} for r in roster or []],
        "score_distribution": list(stats.distribution),
        "students": [
            {"name": r.name, "score": r.best.score, "total": total, "attempts": r.attempts,
             "first_score": r.first.score, "first_submitted_at": iso(r.first.submitted_at),
             "best_score": r.best.score, "best_submitted_at": iso(r.best.submitted_at),
             "late_attempts": r.late, "first_late": r.first.late,
             "spellings": list(r.spellings), "lookalike": r.disguised or bool(r.spellings)}
            for r in rows
        ],
        "questions": [
            {"number": n, "stem": q.stem, "options": list(q.options), "answer_index": q.answer_index,
             "two_options": len(q.options) == 2,
             "facility": item.facility, "discrimination": item.discrimination, "efficiency": item.efficiency,
             "option_counts": list(item.option_counts), "unanswered": item.unanswered,
             "unchosen_distractors": list(item.unchosen_distractors), "citation": q.citation.to_dict()}
            for n, (q, item) in enumerate(zip(assignment.quiz.questions, stats.items, strict=True), start=1)
        ],
    }


def _table(assignment: StoredAssignment, attempts: list[StoredAttempt]) -> tuple[list, list[list]]:
    """Header and rows shared by the CSV and the .xlsx: a key row first, then one row per attempt
    with the score and, per question, the letter chosen and 1 or 0."""
    questions = assignment.quiz.questions
    header = ["attempt", "name", "submitted_at", "late", "score", "total"]
    for n in range(1, len(questions) + 1):
        header += [f"Q{n}", f"Q{n} mark"]
    key = ["key", "", "", "", len(questions), len(questions)]
    for q in questions:
        key += [LETTERS[q.answer_index], 1]
    rows = [key]
    for number, attempt in enumerate(attempts, start=1):
        row: list = [number, attempt.name, iso(attempt.submitted_at), "late" if attempt.late else "",
                     attempt.score, attempt.total]
        for q, a in zip(questions, attempt.answers, strict=True):
            row += ["" if a is None else LETTERS[a], 1 if a == q.answer_index else 0]
        rows.append(row)
    return header, rows


def _questions_table(assignment: StoredAssignment) -> tuple[list, list[list]]:
    header = ["question", "stem", "right answer", *[f"option {letter}" for letter in LETTERS[:max(
        (len(q.options) for q in assignment.quiz.questions), default=0)]], "source", "quote"]
    rows = []
    for n, q in enumerate(assignment.quiz.questions, start=1):
        options = list(q.options) + [""] * (len(header) - 5 - len(q.options))
        rows.append([f"Q{n}", q.stem, LETTERS[q.answer_index], *options,
                     f"{q.citation.publisher}: {q.citation.title}", q.citation.quote])
    return header, rows


def report_csv(assignment: StoredAssignment, attempts: list[StoredAttempt]) -> str:
    """A header row (Q1, Q1 mark, …), the key row, then one row per attempt."""
    header, rows = _table(assignment, attempts)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


def questions_csv(assignment: StoredAssignment) -> str:
    """The questions the short headers (Q1, …) stand for, with their right answers and sources."""
    header, rows = _questions_table(assignment)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


def report_xlsx(assignment: StoredAssignment, attempts: list[StoredAttempt]) -> bytes:
    """The attempts sheet (as the CSV) and a Questions sheet; every text cell written as text."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    for title, (header, rows) in (("Attempts", _table(assignment, attempts)),
                                  ("Questions", _questions_table(assignment))):
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    sheet.write_string(r, c, cell)
                else:
                    sheet.write_number(r, c, cell)
        sheet.freeze_panes(1, 2 if title == "Attempts" else 1)
    book.close()
    return out.getvalue()
