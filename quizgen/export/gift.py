"""GIFT, Moodle's text format for questions.

Each question: a ``// [id:…] [tag:…]`` line (Moodle 4 reads idnumber and tags
from it), ``::title::``, the stem, then ``{=right ~wrong …}`` with ``#`` feedback
after every answer and ``####`` general feedback holding the citation. A
``$CATEGORY:`` line (deck / topic) comes before each run of questions on one
topic, so the quiz's order is kept.

All text is marked ``[html]`` and HTML-escaped first, then GIFT-escaped: each of
``~ = # { } :`` and the backslash gets a backslash, and a line break becomes
``\\n``, so no text can end a question, start a comment or pass for a weight.
"""

from __future__ import annotations

from ..content import Library
from ..quiz import Quiz
from .feedback import (
    answer_feedback,
    category_path,
    citation_html,
    html_text,
    item_id,
    question_name,
    question_tags,
)
from .moodle import CATEGORY_ROOT
from .rendered import Progress, Rendered

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\~=#{}:"} | {"\n": "\\n", "\r": ""})


def escape(value: str) -> str:
    """GIFT-escape text: a backslash before every special character, ``\\n`` for a line break."""
    return value.replace("\r\n", "\n").translate(_SPECIAL)


def _html(value: str) -> str:
    # Every piece says [html]: a text starting with "%50%" can then never be read as a weight.
    return "[html]" + escape(value)


def _id_comment(library: Library, q) -> str:  # noqa: ANN001 - a Question
    # Moodle reads "[id:…]" and "[tag:…]" up to the first "]", with no escape: ids are slugs, and the
    # rare tag holding "]" is left out here (Moodle XML carries it).
    tags = [t for t in question_tags(library, q) if "]" not in t]
    return f"// [id:{item_id(q)}] " + " ".join(f"[tag:{t}]" for t in tags)


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    title = " ".join(quiz.title.split())  # a comment ends at the line's end
    lines = [f"// quizgen quiz {quiz.code}: {title}, {len(quiz.questions)} questions", ""]
    topic = None
    for number, q in enumerate(quiz.questions, start=1):
        if q.topic != topic:
            topic = q.topic
            # A category line is read raw to the end of the line: only its line breaks matter.
            lines += ["$CATEGORY: " + category_path(*CATEGORY_ROOT, quiz.title, topic), ""]
        lines.append(_id_comment(library, q))
        lines.append(f"::{escape(question_name(number, q))}::{_html(html_text(q.stem))} {{")
        for index, option in enumerate(q.options):
            mark = "=" if index == q.answer_index else "~"
            lines.append(f"\t{mark}{_html(html_text(option))}#{_html(html_text(answer_feedback(q, index)))}")
        lines.append(f"\t####{_html(citation_html(q.citation))}")
        lines += ["}", ""]
        if progress is not None:
            progress(1)
    return Rendered("\n".join(lines).encode("utf-8"), written=len(quiz.questions))
