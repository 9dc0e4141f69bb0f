"""Blackboard's tab-delimited upload file: one ``MC`` line per question.

``MC<TAB>question<TAB>answer<TAB>correct|incorrect…``, options in the quiz's order.
The format has no feedback field, so the citation is part of the question text,
after the question (students see the source while answering: it is a
document-based question). Blackboard shows the text as HTML, so it is
HTML-escaped, and a tab or line break, which would end a field or the line,
is written as ``&#9;`` or ``<br/>`` (XHTML, as Blackboard writes it). Every
character beyond ASCII is a numeric character reference (``&#1045;``): the file
is plain ASCII, which no upload can mistake for another encoding.
"""

from __future__ import annotations

from ..content import Library
from ..quiz import Quiz
from .feedback import citation_html, html_text
from .rendered import Progress, Rendered

CITATION_SEPARATOR = "<br/><br/>"


def field(value: str) -> str:
    """One field: HTML-escaped, with no tab or line break left to split it."""
    text = html_text(value.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\t", "&#9;").replace("\n", "<br/>")


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    lines = []
    for q in quiz.questions:
        # citation_html escapes the quote; its line breaks go too, and its markup has none.
        cite = citation_html(q.citation).replace("\r\n", "\n").replace("\t", "&#9;").replace("\n", "<br/>")
        parts = ["MC", field(q.stem) + CITATION_SEPARATOR + cite]
        for index, option in enumerate(q.options):
            parts += [field(option), "correct" if index == q.answer_index else "incorrect"]
        lines.append("\t".join(parts))
        if progress is not None:
            progress(1)
    return Rendered(("\n".join(lines) + "\n").encode("ascii", "xmlcharrefreplace"), written=len(quiz.questions))
