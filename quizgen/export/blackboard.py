"""Blackboard's tab-delimited upload file: one ``MC`` line per question.

``MC<TAB>question<TAB>answer<TAB>correct|incorrect…``, options in the quiz's order.
The format has no feedback field: whatever the file says about a question, students
read while answering it. So the question carries only its source's publisher and
date ("Source: RFE/RL, April 2020"), never the title, quote or curator's note: those
often name the right option word for word (a quote saying "Konev's troops", a title
naming the Elbe), and masking the answer in them cannot be done reliably (a quote
names it in other forms: "the Elbe", "April 25", a possessive). Even the publisher
or the date is left out when it names the answer (a date question answered by the
source's own date). The full citations are in every other format and in the
worksheet's key.

Blackboard shows the text as HTML, so it is HTML-escaped, and a tab or line break,
which would end a field or the line, is written as ``&#9;`` or ``<br/>`` (XHTML, as
Blackboard writes it). Every character beyond ASCII is a numeric character reference
(``&#1045;``): the file is plain ASCII, which no upload can mistake for another encoding.
"""

from __future__ import annotations

from ..content import Library
from ..distractors import names, normalise_option
from ..questions import Question
from ..quiz import Quiz
from .feedback import html_text
from .rendered import Progress, Rendered

SOURCE_SEPARATOR = "<br/><br/>"


def field(value: str) -> str:
    """One field: HTML-escaped, with no tab or line break left to split it."""
    text = html_text(value.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\t", "&#9;").replace("\n", "<br/>")


def names_answer(question: Question, text: str) -> bool:
    """Whether ``text`` names the question's right option (or any form the engine knows of it)."""
    shown = normalise_option(text)
    keys = {normalise_option(question.answer), *question.keys}
    return any(names(shown, key) for key in keys if key)


def source_line(question: Question) -> str:
    """What students may see of the citation: the publisher and the date, unless one names the answer."""
    citation = question.citation
    parts = [p for p in (citation.publisher, citation.published) if not names_answer(question, p)]
    if not parts:
        return ""
    claim = " (the publisher's own claim)" if citation.attributed else ""
    return f"Source: {', '.join(parts)}{claim}"


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    lines = []
    for q in quiz.questions:
        source = source_line(q)
        parts = ["MC", field(q.stem) + (SOURCE_SEPARATOR + field(source) if source else "")]
        for index, option in enumerate(q.options):
            parts += [field(option), "correct" if index == q.answer_index else "incorrect"]
        lines.append("\t".join(parts))
        if progress is not None:
            progress(1)
    return Rendered(("\n".join(lines) + "\n").encode("ascii", "xmlcharrefreplace"), written=len(quiz.questions))
