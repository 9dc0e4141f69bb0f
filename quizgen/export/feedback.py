"""The words every export shares: citations and answer feedback, as plain text and as HTML.

Each platform format only escapes these for its own syntax; what a student reads after
answering is written once, here.
"""

from __future__ import annotations

import html

from ..citations import Citation
from ..content import Library
from ..questions import Question


def html_text(value: str) -> str:
    """Text for an HTML field: ``<``, ``>`` and ``&`` escaped, nothing else changed."""
    return html.escape(value, quote=False)


def citation_text(citation: Citation) -> str:
    """The citation as one plain-text paragraph (for formats without HTML)."""
    return f"Source: {citation.line()}"


def citation_html(citation: Citation) -> str:
    """The citation as HTML: source line, the verbatim quote, the curator's note.

    The quote keeps its own line breaks (``white-space: pre-wrap``): it is verbatim.
    """
    claim = " (the publisher's own claim)" if citation.attributed else ""
    source = (f"Source: {html_text(citation.publisher)}, <cite>{html_text(citation.title)}</cite>, "
              f"{html_text(citation.published)}{claim}")
    if citation.url:
        source += f' (<a href="{html.escape(citation.url, quote=True)}">{html_text(citation.url)}</a>)'
    parts = [f"<p>{source}</p>",
             f'<blockquote style="white-space: pre-wrap">{html_text(citation.quote)}</blockquote>']
    if citation.note:
        parts.append(f"<p>Curator's note: {html_text(citation.note)}</p>")
    return "".join(parts)


def answer_feedback(question: Question, index: int) -> str:
    """What a student sees after choosing option ``index`` (plain text)."""
    if index == question.answer_index:
        return "Right."
    return f"Not this one. The answer is: {question.answer}"


def item_id(question: Question) -> str:
    """A question's stable id on the platform: the fact and the template it was asked with."""
    return f"{question.fact_id}.{question.template}"


def question_tags(library: Library, question: Question) -> list[str]:
    """The fact's own tags, then where the question came from: searchable in a question bank."""
    # A stored assignment's quiz may outlive its fact (content edited since): then no fact tags.
    fact = library.facts.get(question.fact_id)
    return list(dict.fromkeys([*(fact.tags if fact else ()), f"kind-{question.fact_kind}",
                               f"template-{question.template}", "quizgen"]))


def question_name(number: int, question: Question) -> str:
    """The question's name in a platform's question bank: its place in the quiz and its id."""
    return f"{number:03d} {item_id(question)}"


# `quizgen check` refuses control characters, but not the noncharacters U+FFFE and U+FFFF,
# which XML 1.0 cannot carry even as character references.
_XML_ILLEGAL = {0xFFFE: "\ufffd", 0xFFFF: "\ufffd"}


def xml_safe(value: str) -> str:
    return value.translate(_XML_ILLEGAL)


def category_path(*names: str) -> str:
    """A Moodle category path: '/' separates levels, so a '/' inside a name is written '//'."""
    return "/".join(" ".join(name.split()).replace("/", "//") for name in names)
