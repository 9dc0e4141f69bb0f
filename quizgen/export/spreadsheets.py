"""Quizizz and Kahoot quiz spreadsheets (.xlsx), laid out as each platform's own template.

* Quizizz: the template's header row, its instruction row (row 2, which Quizizz's importer skips
  as it skips the header), then a question per row from row 3; the citation is the "Answer
  explanation" students see after answering.
* Kahoot: the template's layout (notes above, the header on row 8, questions from row 9:
  number, question, answers 1-4, time limit, correct answer number). Kahoot has no field for an
  explanation, so the citations are on a second sheet, "Sources", by question number, for the
  teacher to show or print, with each question and answer in full.

Kahoot limits a question to 120 characters and an answer to 75, counted in UTF-16 code units.
A text over a limit is never cut: its short form, written on purpose, is used (``short.py``).
A question whose short form still breaks a limit (or that has more than 4 answers) is left out
and reported in ``Rendered.left_out``.

Cells are written with ``write_string``, so a text starting with ``=`` stays
text and never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime

import xlsxwriter

from ..content import Library
from ..distractors import normalise_option
from ..questions import Question
from ..quiz import Quiz
from .feedback import citation_text
from .rendered import LeftOut, Progress, Rendered
from .short import fit, utf16_units

# No cell can reach Excel's 32,767 characters: quizgen.limits keeps every text far shorter.

QUIZIZZ_HEADER = ("Question Text", "Question Type", "Option 1", "Option 2", "Option 3", "Option 4",
                  "Option 5", "Correct Answer", "Time in seconds", "Image Link", "Answer explanation")
# Row 2 of Quizizz's template: what each column takes. The importer skips it like the header and reads
# questions from row 3 (exporters that fill the official template keep its first two rows). The texts are the
# template's as other tools reproduce it; the last column's, absent from those copies, is ours.
QUIZIZZ_INSTRUCTIONS = ("Text of the question (required)", "Multiple Choice", "Text for option 1 (required)",
                        "Text for option 2 (required)", "Text for option 3 (optional)",
                        "Text for option 4 (optional)", "Text for option 5 (optional)",
                        "Integer (1-5 for the correct option)", "Time in seconds (optional, default value is 30)",
                        "Link of the image (optional)", "Text shown after answering (optional)")
QUIZIZZ_FIRST_ROW = 2  # 0-based: row 3, the first question
QUIZIZZ_MAX_OPTIONS = 5
QUIZIZZ_TIME = 30  # seconds; Quizizz's default

KAHOOT_MAX_QUESTION = 120
KAHOOT_MAX_ANSWER = 75
KAHOOT_MAX_ANSWERS = 4
KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)  # the only limits Kahoot accepts
KAHOOT_TIME = 20  # seconds; Kahoot's default
KAHOOT_HEADER_ROW = 7  # 0-based: row 8 of the template, questions below it
# Row 8 of Kahoot's template, word for word.
KAHOOT_HEADER = ("#", f"Question - max {KAHOOT_MAX_QUESTION} characters",
                 *(f"Answer {n} - max {KAHOOT_MAX_ANSWER} characters" for n in range(1, KAHOOT_MAX_ANSWERS + 1)),
                 "Time limit (sec) – " + ", ".join(map(str, KAHOOT_TIME_LIMITS[:-1]))
                 + f", or {KAHOOT_TIME_LIMITS[-1]} secs",
                 "Correct answer(s) - choose at least one")
SOURCES_HEADER = ("#", "Question", "Answer", "Source")
# A fixed creation date: the same quiz gives the same file.
_CREATED = datetime(2000, 1, 1)


def _row(sheet, row: int, values: Sequence[str | int], fmt=None) -> None:  # noqa: ANN001 - xlsxwriter types
    for col, value in enumerate(values):
        if isinstance(value, int):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, value, fmt)


Kept = list[tuple[int, Question]]  # (number in the quiz, question) of the questions that fit
Fill = Callable[[xlsxwriter.Workbook, Quiz, Kept, Progress | None], None]


def _render(quiz: Quiz, problem: Callable[[Question], str | None], fill: Fill,
            progress: Progress | None) -> Rendered:
    """The workbook of the questions that fit; the others are listed, never cut."""
    kept: Kept = []
    left_out: list[LeftOut] = []
    for number, q in enumerate(quiz.questions, start=1):
        reason = problem(q)
        if reason is None:
            kept.append((number, q))
        else:
            left_out.append(LeftOut(number, q.fact_id, reason))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"title": quiz.title, "subject": f"quizgen quiz {quiz.code}", "created": _CREATED})
    fill(book, quiz, kept, progress)
    book.close()
    if progress is not None and left_out:
        progress(len(left_out))
    return Rendered(buffer.getvalue(), written=len(kept), left_out=tuple(left_out))


def _tick(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)


def _quizizz_problem(q: Question) -> str | None:
    if len(q.options) > QUIZIZZ_MAX_OPTIONS:
        return f"it has {len(q.options)} options; Quizizz takes at most {QUIZIZZ_MAX_OPTIONS}"
    return None


def _fill_quizizz(book: xlsxwriter.Workbook, quiz: Quiz, kept: Kept, progress: Progress | None) -> None:
    sheet = book.add_worksheet("Quiz")
    _row(sheet, 0, QUIZIZZ_HEADER, book.add_format({"bold": True}))
    _row(sheet, 1, QUIZIZZ_INSTRUCTIONS, book.add_format({"italic": True}))
    for row, (_, q) in enumerate(kept, start=QUIZIZZ_FIRST_ROW):
        options = [*q.options, *[""] * (QUIZIZZ_MAX_OPTIONS - len(q.options))]
        _row(sheet, row, [q.stem, "Multiple Choice", *options, q.answer_index + 1, QUIZIZZ_TIME, "",
                          citation_text(q.citation)])
        _tick(progress)
    sheet.set_column(0, 0, 60)
    sheet.set_column(2, 6, 25)
    sheet.set_column(10, 10, 80)


def render_quizizz(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    return _render(quiz, _quizizz_problem, _fill_quizizz, progress)


def kahoot_texts(q: Question) -> tuple[str, tuple[str, ...]]:
    """The question and answers as the Kahoot file has them: each as written, or its short form."""
    statement = q.template == "true_false"
    return (fit(q.stem, KAHOOT_MAX_QUESTION, statement=statement),
            tuple(fit(option, KAHOOT_MAX_ANSWER) for option in q.options))


def _kahoot_problem(q: Question) -> str | None:
    if len(q.options) > KAHOOT_MAX_ANSWERS:
        return f"it has {len(q.options)} answers; Kahoot takes at most {KAHOOT_MAX_ANSWERS}"
    stem, options = kahoot_texts(q)
    if utf16_units(stem) > KAHOOT_MAX_QUESTION:
        return (f"the question has {utf16_units(stem)} characters even in short form; Kahoot takes at most "
                f"{KAHOOT_MAX_QUESTION}")
    for n, option in enumerate(options, start=1):
        if utf16_units(option) > KAHOOT_MAX_ANSWER:
            return (f"answer {n} has {utf16_units(option)} characters even in short form; Kahoot takes at most "
                    f"{KAHOOT_MAX_ANSWER}")
    if len({normalise_option(o) for o in options}) < len(options):
        return "two answers have the same short form"
    return None


def kahoot_left_out(quiz: Quiz) -> tuple[LeftOut, ...]:
    """The questions of ``quiz`` a Kahoot file would leave out, without writing the file."""
    return tuple(LeftOut(number, q.fact_id, reason) for number, q in enumerate(quiz.questions, start=1)
                 if (reason := _kahoot_problem(q)) is not None)


def _fill_kahoot(book: xlsxwriter.Workbook, quiz: Quiz, kept: Kept, progress: Progress | None) -> None:
    sheet = book.add_worksheet("Quiz")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 1, quiz.title, bold)
    sheet.write_string(1, 1, f"quizgen quiz {quiz.code}. Import this file into Kahoot! as a spreadsheet.")
    sheet.write_string(2, 1, f"Questions: at most {KAHOOT_MAX_QUESTION} characters; answers: at most "
                             f"{KAHOOT_MAX_ANSWER}. A longer one is given in its short form, written on purpose; "
                             "the correct answer is given by its number.")
    sheet.write_string(3, 1, "Kahoot! has no field for sources: every question's citation, with the question "
                             "and answer in full, is on the sheet \"Sources\".")
    _row(sheet, KAHOOT_HEADER_ROW, KAHOOT_HEADER, bold)
    sources = book.add_worksheet("Sources")
    _row(sources, 0, SOURCES_HEADER, bold)
    for offset, (number, q) in enumerate(kept, start=1):
        stem, options = kahoot_texts(q)
        answers = [*options, *[""] * (KAHOOT_MAX_ANSWERS - len(options))]
        _row(sheet, KAHOOT_HEADER_ROW + offset, [number, stem, *answers, KAHOOT_TIME, q.answer_index + 1])
        _row(sources, offset, [number, q.stem, q.answer, citation_text(q.citation)])
        _tick(progress)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 5, 25)
    sources.set_column(1, 3, 60)


def render_kahoot(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    return _render(quiz, _kahoot_problem, _fill_kahoot, progress)
