"""GIFT, Moodle's text format for questions.

Each question: a ``// [id:…] [tag:…]`` line (Moodle 4 reads idnumber and tags
from it), ``::title::``, the stem, then ``{=right ~wrong …}`` with ``#`` feedback
after every answer and ``####`` general feedback holding the citation. A
``$CATEGORY:`` line (deck / topic) comes before each run of questions on one
topic, so the quiz's order is kept.

All text is marked ``[html]`` and HTML-escaped first, then GIFT-escaped: each of
``~ = # { } :`` and the backslash gets a backslash, and a line break (``\\r\\n``,
``\\n`` or a lone ``\\r``) becomes ``\\n``, so no text can end a question, start a
comment or pass for a weight.

Moodle reads the other parts its own way (qformat_gift, Moodle 4.5):

* the ``$CATEGORY:`` line is taken to its end after only the first step of
  unescaping (``escapedchar_pre``): ``\\\\`` becomes ``\\``, and ``\\:``, ``\\#``, ``\\=``,
  ``\\{``, ``\\}``, ``\\~``, ``\\n`` become placeholders (``&&058;``…) that are never turned
  back. So there every backslash is doubled and nothing else is escaped;
* ``[id:…]`` and ``[tag:…]`` in the comment line end at the first ``]`` not written
  ``\\]``: a ``]`` in a tag is written ``\\]``.

Moodle imports every GIFT multiple-choice question with "Shuffle the choices" on: the
format has no way to say otherwise (Moodle XML and the other formats keep the order).
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

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\~=#{}:"} | {"\n": "\\n", "\r": "\\n"})


def escape(value: str) -> str:
    """GIFT-escape text: a backslash before every special character, ``\\n`` for a line break."""
    # "\r\n" is one break; a lone "\r" (old Mac files) is one too, never deleted (it would glue two words).
    return value.replace("\r\n", "\n").translate(_SPECIAL)


def category_line(path: str) -> str:
    """The ``$CATEGORY:`` line as Moodle reads it back: every backslash doubled, nothing else escaped."""
    return "$CATEGORY: " + " ".join(path.split()).replace("\\", "\\\\")


def _tag(value: str) -> str:
    return value.replace("]", "\\]")


def _html(value: str) -> str:
    # Every piece says [html]: a text starting with "%50%" can then never be read as a weight.
    return "[html]" + escape(value)


def _id_comment(library: Library, q) -> str:  # noqa: ANN001 - a Question
    # Moodle reads "[id:…]" and "[tag:…]" up to the first "]" not written "\\]" (ids are slugs). A tag
    # holding "[" or ending in a backslash cannot be written so; the rare one is left out (Moodle XML has it).
    tags = [t for t in question_tags(library, q) if "[" not in t and not t.endswith("\\")]
    return f"// [id:{item_id(q)}] " + " ".join(f"[tag:{_tag(t)}]" for t in tags)


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    title = " ".join(quiz.title.split())  # a comment ends at the line's end
    lines = [f"// quizgen quiz {quiz.code}: {title}, {len(quiz.questions)} questions", ""]
    topic = None
    for number, q in enumerate(quiz.questions, start=1):
        if q.topic != topic:
            topic = q.topic
            lines += [category_line(category_path(*CATEGORY_ROOT, quiz.title, topic)), ""]
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
