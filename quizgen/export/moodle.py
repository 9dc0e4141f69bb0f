"""Moodle XML: the question bank format Moodle imports and exports itself.

One ``multichoice`` question per quiz question (one right answer, fraction 100/0,
answers in the quiz's order), preceded by a category per deck and topic whenever
the topic changes, so the quiz's order is kept. The citation is the general
feedback; every answer has its own feedback; ``idnumber`` is the fact id and
template; the fact's tags become Moodle tags. All text is HTML, escaped here and
then again by the XML writer, so ``<`` in a quote arrives as ``<`` on the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

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
    xml_safe,
)
from .rendered import Progress, Rendered

# The category tree a quiz lands in, below the course's top category.
CATEGORY_ROOT = ("$course$", "top", "quizgen")
# Moodle's own default for a 4-option question: a wrong try costs a third of the mark.
PENALTY = "0.3333333"


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": "html"})
    ET.SubElement(node, "text").text = xml_safe(value)
    return node


def _category(quiz_el: ET.Element, deck_title: str, topic: str, code: str) -> None:
    question = ET.SubElement(quiz_el, "question", {"type": "category"})
    category = ET.SubElement(question, "category")
    ET.SubElement(category, "text").text = xml_safe(category_path(*CATEGORY_ROOT, deck_title, topic))
    _text(question, "info", html_text(f"{deck_title}: {topic} (quizgen quiz {code})"))


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    root = ET.Element("quiz")
    topic = None
    for number, q in enumerate(quiz.questions, start=1):
        if q.topic != topic:
            topic = q.topic
            _category(root, quiz.title, topic, quiz.code)
        question = ET.SubElement(root, "question", {"type": "multichoice"})
        name = ET.SubElement(question, "name")
        ET.SubElement(name, "text").text = xml_safe(question_name(number, q))
        _text(question, "questiontext", html_text(q.stem))
        _text(question, "generalfeedback", citation_html(q.citation))
        ET.SubElement(question, "defaultgrade").text = "1"
        ET.SubElement(question, "penalty").text = PENALTY
        ET.SubElement(question, "hidden").text = "0"
        ET.SubElement(question, "idnumber").text = item_id(q)
        ET.SubElement(question, "single").text = "true"
        # The quiz's order is the point of a quiz code: Moodle must not reshuffle the options.
        ET.SubElement(question, "shuffleanswers").text = "false"
        ET.SubElement(question, "answernumbering").text = "abc"
        ET.SubElement(question, "showstandardinstruction").text = "0"
        _text(question, "correctfeedback", "Right.")
        _text(question, "partiallycorrectfeedback", "")
        _text(question, "incorrectfeedback", html_text(f"The answer is: {q.answer}"))
        for index, option in enumerate(q.options):
            answer = ET.SubElement(question, "answer",
                                   {"fraction": "100" if index == q.answer_index else "0", "format": "html"})
            ET.SubElement(answer, "text").text = xml_safe(html_text(option))
            _text(answer, "feedback", html_text(answer_feedback(q, index)))
        tags = ET.SubElement(question, "tags")
        for tag in question_tags(library, q):
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = xml_safe(tag)
        if progress is not None:
            progress(1)
    ET.indent(root)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return Rendered(data + b"\n", written=len(quiz.questions))
