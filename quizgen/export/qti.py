"""Canvas QTI 1.2: the zip Canvas imports as a quiz (Classic Quizzes, and New Quizzes' QTI import).

The layout is the one Canvas exports and text2qti writes: ``imsmanifest.xml``,
``<id>/<id>.xml`` (the ``questestinterop`` assessment) and ``<id>/assessment_meta.xml``
(Canvas's quiz settings). Each question is a ``multiple_choice_question`` with its
options in the quiz's order, a feedback for every answer and the citation as the
general feedback. Text is HTML (``texttype="text/html"``), escaped here and again
by the XML writer.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile

from ..content import Library
from ..quiz import Quiz
from .feedback import answer_feedback, citation_html, html_text, item_id, question_name, xml_safe
from .rendered import Progress, Rendered

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CP_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd"
LOM_MANIFEST_NS = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
LOM_MANIFEST_SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_RESPONSE = "response1"


def _ident(*parts: str) -> str:
    # Canvas and the IMS schemas want xs:ID tokens: a letter first, no spaces.
    return "g" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _mattext(parent: ET.Element, html: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = xml_safe(html)


def _field(parent: ET.Element, label: str, entry: str) -> None:
    field = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = label
    ET.SubElement(field, "fieldentry").text = entry


def _feedback(item: ET.Element, ident: str, html: str) -> None:
    node = ET.SubElement(item, "itemfeedback", {"ident": ident})
    _mattext(ET.SubElement(node, "flow_mat"), html)


def _item(section: ET.Element, number: int, q, code: str) -> None:  # noqa: ANN001 - a Question
    ident = _ident(code, str(number), item_id(q))
    item = ET.SubElement(section, "item", {"ident": ident, "title": xml_safe(question_name(number, q))})
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    answer_ids = [f"{ident}_{i}" for i in range(len(q.options))]
    _field(meta, "question_type", "multiple_choice_question")
    _field(meta, "points_possible", "1.0")
    _field(meta, "original_answer_ids", ",".join(answer_ids))
    _field(meta, "assessment_question_identifierref", _ident("bank", code, str(number), item_id(q)))
    presentation = ET.SubElement(item, "presentation")
    _mattext(presentation, html_text(q.stem))
    response = ET.SubElement(presentation, "response_lid", {"ident": _RESPONSE, "rcardinality": "Single"})
    # shuffle="No": the options stay in the quiz's order.
    choices = ET.SubElement(response, "render_choice", {"shuffle": "No"})
    for answer_id, option in zip(answer_ids, q.options, strict=True):
        _mattext(ET.SubElement(choices, "response_label", {"ident": answer_id}), html_text(option))
    processing = ET.SubElement(item, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar",
                  {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    general = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
    ET.SubElement(ET.SubElement(general, "conditionvar"), "other")
    ET.SubElement(general, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
    for answer_id in answer_ids:
        each = ET.SubElement(processing, "respcondition", {"continue": "Yes"})
        ET.SubElement(ET.SubElement(each, "conditionvar"), "varequal", {"respident": _RESPONSE}).text = answer_id
        ET.SubElement(each, "displayfeedback", {"feedbacktype": "Response", "linkrefid": f"{answer_id}_fb"})
    right = ET.SubElement(processing, "respcondition", {"continue": "No"})
    ET.SubElement(ET.SubElement(right, "conditionvar"), "varequal",
                  {"respident": _RESPONSE}).text = answer_ids[q.answer_index]
    ET.SubElement(right, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    _feedback(item, "general_fb", citation_html(q.citation))
    for index, answer_id in enumerate(answer_ids):
        _feedback(item, f"{answer_id}_fb", html_text(answer_feedback(q, index)))


def assessment_xml(quiz: Quiz, assessment_id: str, progress: Progress | None = None) -> bytes:
    root = ET.Element("questestinterop", {
        "xmlns": QTI_NS, "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    assessment = ET.SubElement(root, "assessment", {"ident": assessment_id, "title": xml_safe(quiz.title)})
    _field(ET.SubElement(assessment, "qtimetadata"), "cc_maxattempts", "1")
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for number, q in enumerate(quiz.questions, start=1):
        _item(section, number, q, quiz.code)
        if progress is not None:
            progress(1)
    return _bytes(root)


def meta_xml(quiz: Quiz, assessment_id: str) -> bytes:
    root = ET.Element("quiz", {
        "identifier": assessment_id, "xmlns": CANVAS_NS, "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd"})
    description = f"Quiz {quiz.code} from quizgen: every question's feedback cites its source."
    for tag, value in (("title", xml_safe(quiz.title)), ("description", html_text(description)),
                       ("shuffle_answers", "false"), ("scoring_policy", "keep_highest"),
                       ("hide_results", ""), ("quiz_type", "assignment"),
                       ("points_possible", f"{float(len(quiz.questions))}"),
                       ("show_correct_answers", "true"), ("allowed_attempts", "1"),
                       ("one_question_at_a_time", "false"), ("cant_go_back", "false"),
                       ("available", "false")):
        ET.SubElement(root, tag).text = value
    return _bytes(root)


def manifest_xml(quiz: Quiz, assessment_id: str) -> bytes:
    """The package manifest, valid against the IMS CC 1.1 CP profile its ``schemaLocation`` names.

    That profile fixes ``schema`` to "IMS Common Cartridge" and ``schemaversion`` to "1.1.0", and wants the
    manifest's metadata as a LOM record in the CC 1.1 manifest-LOM namespace (``lomimscc``). Canvas reads the
    resources' types and files; tests/test_exports.py validates the manifest with the profile's XSD.
    """
    meta_id = _ident("meta", quiz.code)
    root = ET.Element("manifest", {
        "identifier": _ident("manifest", quiz.code), "xmlns": CP_NS, "xmlns:lomimscc": LOM_MANIFEST_NS,
        "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{CP_NS} {CP_SCHEMA} {LOM_MANIFEST_NS} {LOM_MANIFEST_SCHEMA}"})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Common Cartridge"
    ET.SubElement(metadata, "schemaversion").text = "1.1.0"
    lom = ET.SubElement(metadata, "lomimscc:lom")
    title = ET.SubElement(ET.SubElement(lom, "lomimscc:general"), "lomimscc:title")
    ET.SubElement(title, "lomimscc:string").text = xml_safe(quiz.title)
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    resource = ET.SubElement(resources, "resource", {
        "identifier": assessment_id, "type": "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"})
    ET.SubElement(resource, "file", {"href": f"{assessment_id}/{assessment_id}.xml"})
    ET.SubElement(resource, "dependency", {"identifierref": meta_id})
    meta = ET.SubElement(resources, "resource", {
        "identifier": meta_id, "type": "associatedcontent/imscc_xmlv1p1/learning-application-resource",
        "href": f"{assessment_id}/assessment_meta.xml"})
    ET.SubElement(meta, "file", {"href": f"{assessment_id}/assessment_meta.xml"})
    return _bytes(root)


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def render(quiz: Quiz, library: Library, progress: Progress | None = None) -> Rendered:
    assessment_id = _ident("assessment", quiz.code)
    entries = {
        "imsmanifest.xml": manifest_xml(quiz, assessment_id),
        f"{assessment_id}/{assessment_id}.xml": assessment_xml(quiz, assessment_id, progress),
        f"{assessment_id}/assessment_meta.xml": meta_xml(quiz, assessment_id),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)  # dated 1980-01-01, not now: the same quiz gives the same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data)
    return Rendered(buffer.getvalue(), written=len(quiz.questions))
