"""Every export format, read back by a parser nobody here wrote, against `quizgen quiz --json` for the same code.

Outside readers: gift-pegjs (npm, GIFT), moodle-xml-parser (PyPI, Moodle XML) plus lxml for categories,
tags and idnumbers, qti-package-maker (Canvas package-integrity check; Blackboard text reader) plus lxml
for the QTI items, python-calamine (the .xlsx files; written with XlsxWriter).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from exports_hostile import write_hostile_library

from quizgen.cli import cli
from quizgen.content import bundled_root
from quizgen.distractors import names, normalise_option
from quizgen.export import short, spreadsheets

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "data" / "mini"
GIFT_READER = TESTS / "js" / "parse_gift.js"

# (content, deck, count, seed, kinds): the hostile deck in every question kind, and a plain deck.
CASES = {
    "hostile-mixed": ("hostile", "hostile", 11, 1, "forward,reverse,true_false"),
    "hostile-forward": ("hostile", "hostile", 11, 2, "forward"),
    "hostile-reverse": ("hostile", "hostile", 11, 3, "reverse"),
    "hostile-true-false": ("hostile", "hostile", 11, 4, "true_false"),
    "mini": ("mini", "all", 5, 1, "forward,reverse,true_false"),
    "bundled": ("bundled", "all-facts", 40, 1, "forward,reverse,true_false"),
}


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    return write_hostile_library(tmp_path_factory.mktemp("hostile") / "lib")


@pytest.fixture(scope="module")
def roots(hostile_root) -> dict[str, Path]:
    _ROOTS.update({"hostile": hostile_root, "mini": MINI, "bundled": bundled_root()})
    return dict(_ROOTS)


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module", params=list(CASES))
def case(request, roots, tmp_path_factory):
    """The quiz as `quizgen quiz --json` prints it, and a function exporting it by its code."""
    content, deck, count, seed, kinds = CASES[request.param]
    root = roots[content]
    expected = json.loads(run("quiz", "--content", str(root), "--deck", deck, "--count", str(count),
                              "--seed", str(seed), "--kinds", kinds, "--json"))
    assert expected["questions"], "a case must have questions to compare"
    out_dir = tmp_path_factory.mktemp(f"export-{request.param}")

    def export(fmt: str, *extra: str) -> Path:
        target = out_dir / f"quiz-{fmt}.out"
        run("export", "--content", str(root), "--format", fmt, "--code", expected["code"], "-o", str(target),
            *extra)
        return target

    return expected, export


_ROOTS: dict[str, Path] = {}


def content_of(expected: dict) -> Path:
    """The content folder a case's quiz came from."""
    return _ROOTS[next(c for c, deck, *_ in CASES.values() if expected["code"].startswith(deck + "."))]


def moodle_category(deck_title: str, topic: str) -> str:
    # In a Moodle category path "/" separates levels; a "/" inside a name is doubled.
    return "/".join(["$course$", "top", "quizgen", deck_title.replace("/", "//"), topic.replace("/", "//")])


def _breaks(text: str) -> str:
    # A line break is one, however written: XML readers turn "\r\n" and a lone "\r" into "\n" (XML 1.0, 2.11).
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_cites(text: str, citation: dict) -> None:
    """The citation, every part of it, in a feedback text as a reader gets it (every line break kept)."""
    text = _breaks(text)
    for key in ("publisher", "title", "published", "quote"):
        assert _breaks(citation[key]) in text, f"{key} {citation[key]!r} missing from {text!r}"
    if citation["note"]:
        assert _breaks(citation["note"]) in text, f"note {citation['note']!r} missing from {text!r}"


def test_hostile_cases_carry_every_special_character(roots):
    """Stems, options and quotes of the hostile deck hold each character some format treats specially."""
    texts = ""
    for content, deck, count, seed, kinds in CASES.values():
        if content == "hostile":
            quiz = json.loads(run("quiz", "--content", str(roots[content]), "--deck", deck, "--count", str(count),
                                  "--seed", str(seed), "--kinds", kinds, "--json"))
            texts += "".join(q["stem"] + "".join(q["options"]) + q["citation"]["quote"] for q in quiz["questions"])
    for special in "<&{}~=#:\\\t\n":
        assert special in texts, repr(special)


# ---- GIFT: gift-pegjs -------------------------------------------------------------------------


def read_gift(path: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    if not (TESTS / "js" / "node_modules" / "gift-pegjs").is_dir():
        pytest.fail("gift-pegjs is not installed: run `bash scripts/system-deps.sh` (npm ci in tests/js)")
    done = subprocess.run([node, str(GIFT_READER), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# Moodle 4.5's qformat_gift, ported line for line where gift-pegjs reads differently from Moodle:
# escapedchar_pre() is all the unescaping a $CATEGORY: line gets (gift-pegjs keeps the line raw), and
# extract_idnumber_and_tags_from_comment() reads "[tag:…]" up to the first "]" not written "\]"
# (gift-pegjs stops at the first "]").
_MOODLE_ESCAPED = ("\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n")
_MOODLE_PLACEHOLDERS = ("&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010")
_MOODLE_TAG = re.compile(r"\[(tag|id):((?:\\\]|[^\]\[])+)\]")


def moodle_escapedchar_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in zip(_MOODLE_ESCAPED, _MOODLE_PLACEHOLDERS, strict=True):
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def moodle_tags(comment_line: str) -> list[str]:
    return [m.group(2).strip().replace("\\]", "]") for m in _MOODLE_TAG.finditer(comment_line)
            if m.group(1) == "tag"]


def test_gift_read_by_gift_pegjs(case):
    expected, export = case
    path = export("gift")
    parsed = read_gift(path)
    questions = [p for p in parsed if p["type"] != "Category"]
    assert [p["type"] for p in questions] == ["MC"] * len(expected["questions"])
    categories = []
    for p in parsed:
        if p["type"] == "Category":
            categories.append(moodle_escapedchar_pre(p["title"]))
    comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("// [id:")]
    for n, (got, want) in enumerate(zip(questions, expected["questions"], strict=True), start=1):
        assert got["stem"]["format"] == "html"
        assert html.unescape(got["stem"]["text"]) == want["stem"]
        assert [html.unescape(c["text"]["text"]) for c in got["choices"]] == want["options"]
        assert [c["isCorrect"] for c in got["choices"]].index(True) == want["answer_index"]
        assert sum(c["isCorrect"] for c in got["choices"]) == 1
        assert html.unescape(got["choices"][want["answer_index"]]["feedback"]["text"]) == "Right."
        wrong = [c for i, c in enumerate(got["choices"]) if i != want["answer_index"]]
        assert all(html.unescape(c["feedback"]["text"]).endswith(want["answer"]) for c in wrong)
        assert_cites(html.unescape(got["globalFeedback"]["text"]), want["citation"])
        assert got["id"] == f"{want['fact_id']}.{want['kind']}"
        assert got["title"] == f"{n:03d} {want['fact_id']}.{want['kind']}"
        assert f"template-{want['kind']}" in got["tags"]
    facts = {f["id"]: f for f in json.loads(run("facts", "--content", str(content_of(expected)), "--json"))}
    for comment, want in zip(comments, expected["questions"], strict=True):
        tags = moodle_tags(comment)
        assert tags[: len(facts[want["fact_id"]]["tags"])] == facts[want["fact_id"]]["tags"]  # "x]y" too
        assert tags[-3:] == [f"kind-{want['fact_kind']}", f"template-{want['kind']}", "quizgen"]
    topics = list(dict.fromkeys(q["topic"] for q in expected["questions"]))
    assert set(categories) == {moodle_category(expected["title"], t) for t in topics}


# ---- Moodle XML: moodle-xml-parser and lxml ---------------------------------------------------


def test_moodle_xml_read_by_moodle_xml_parser(case):
    from moodle_xml_parser.parser import parse_file

    expected, export = case
    path = export("moodle-xml")
    parsed = parse_file(str(path))["multichoice"]
    assert len(parsed) == len(expected["questions"])
    for got, want in zip(parsed, expected["questions"], strict=True):
        assert got.single is True and got.shuffle_answers is False
        assert got.text_pre_parse == want["stem"]
        assert [o.answer for o in got.options] == want["options"]
        assert [o.score_fraction for o in got.options] == [
            100.0 if i == want["answer_index"] else 0.0 for i in range(len(want["options"]))]
        assert got.options[want["answer_index"]].feedback == "Right."
        assert_cites(got.general_feedback, want["citation"])


def test_moodle_xml_categories_tags_and_idnumbers(case, roots):
    from lxml import etree

    expected, export = case
    root = etree.parse(str(export("moodle-xml"))).getroot()
    seen_categories = []
    current = None
    questions = []
    for node in root.iter("question"):
        if node.get("type") == "category":
            current = node.findtext("category/text")
            seen_categories.append(current)
        else:
            questions.append((current, node))
    assert len(questions) == len(expected["questions"])
    content = next(c for c, deck, *_ in CASES.values() if expected["code"].startswith(deck + "."))
    facts = {f["id"]: f for f in json.loads(run("facts", "--content", str(roots[content]), "--json"))}
    for (category, node), want in zip(questions, expected["questions"], strict=True):
        assert category == moodle_category(expected["title"], want["topic"])
        assert node.findtext("idnumber") == f"{want['fact_id']}.{want['kind']}"
        tags = [t.text for t in node.findall("tags/tag/text")]
        assert tags[: len(facts[want["fact_id"]]["tags"])] == facts[want["fact_id"]]["tags"]
        assert f"kind-{want['fact_kind']}" in tags and f"template-{want['kind']}" in tags
    # A new category only where the topic changes: no run of one topic is split.
    runs = [t for i, t in enumerate(q["topic"] for q in expected["questions"])
            if i == 0 or expected["questions"][i - 1]["topic"] != t]
    assert len(seen_categories) == len(runs)


# ---- Canvas QTI 1.2: qti-package-maker's integrity check and lxml ------------------------------


def _qti_items(path: Path) -> list:
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "imsmanifest.xml" in names
        assessment = [n for n in names if n.endswith(".xml") and "/" in n and not n.endswith("assessment_meta.xml")]
        assert len(assessment) == 1
        root = etree.fromstring(z.read(assessment[0]))
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    return root.findall(".//q:item", ns), ns


def test_canvas_qti_passes_the_package_integrity_check(case):
    from qti_package_maker.common.package_integrity import check_package

    _, export = case
    assert check_package(str(export("canvas-qti"))) == []


def test_canvas_qti_integrity_check_catches_a_dangling_answer(case, tmp_path):
    """The check above can fail: point one right answer at a choice that does not exist."""
    from qti_package_maker.common.package_integrity import check_package

    _, export = case
    good = export("canvas-qti")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith(".xml") and b"<setvar" in data:
                data = re.sub(rb'(<varequal respident="response1">)(\w+)(</varequal>\s*</conditionvar>\s*<setvar)',
                              rb"\1gnothere\3", data, count=1)
            dst.writestr(name, data)
    assert any("gnothere" in v for v in check_package(str(broken)))


IMSCC11 = TESTS / "data" / "imscc11"  # the CC 1.1 schemas, unchanged, without the network (see its README)


@pytest.fixture(scope="module")
def cc_profile():
    """The schema the manifest's schemaLocation names (CC 1.1 profile of IMS CP 1.2) and its Schematron rules."""
    from lxml import etree, isoschematron

    document = etree.parse(str(IMSCC11 / "ccv1p1_imscp_v1p2_v1p0.xsd"))
    # The embedded rules predate ISO Schematron's grammar (a title after ns): lxml runs them unchecked.
    return etree.XMLSchema(document), isoschematron.Schematron(document, validate_schema=False)


def _manifest(path: Path):
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("imsmanifest.xml"))


def test_canvas_manifest_is_valid_against_the_schema_it_names(case, cc_profile):
    _, export = case
    schema, rules = cc_profile
    manifest = _manifest(export("canvas-qti"))
    location = manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    names = dict(zip(location[::2], location[1::2], strict=True))
    assert names[manifest.nsmap[None]].endswith("/" + "ccv1p1_imscp_v1p2_v1p0.xsd")
    assert schema.validate(manifest), schema.error_log
    assert rules.validate(manifest), rules.error_log


def test_the_cc_profile_schema_refuses_what_it_should(case, cc_profile):
    """The check above can fail: the manifest of before (IMS Content 1.1.3), a wrong type, a misfiled resource."""
    from lxml import etree

    _, export = case
    schema, rules = cc_profile
    manifest = _manifest(export("canvas-qti"))
    cp = {"cp": manifest.nsmap[None]}
    old = etree.fromstring(etree.tostring(manifest))
    old.find("cp:metadata/cp:schema", cp).text = "IMS Content"
    assert not schema.validate(old) and "IMS Common Cartridge" in str(schema.error_log)
    old = etree.fromstring(etree.tostring(manifest))
    old.find("cp:metadata/cp:schemaversion", cp).text = "1.1.3"
    assert not schema.validate(old) and "1.1.0" in str(schema.error_log)
    typed = etree.fromstring(etree.tostring(manifest))
    typed.find("cp:resources/cp:resource", cp).set("type", "imsqti_xmlv1p2")  # not a CC 1.1 resource type
    assert not schema.validate(typed)
    misfiled = etree.fromstring(etree.tostring(manifest))
    misfiled.findall("cp:resources/cp:resource", cp)[1].set("href", "elsewhere.xml")
    assert schema.validate(misfiled) and not rules.validate(misfiled)  # RULE 10b: href without its file


def test_canvas_qti_items_match_the_quiz(case):
    expected, export = case
    items, ns = _qti_items(export("canvas-qti"))
    assert len(items) == len(expected["questions"])
    for item, want in zip(items, expected["questions"], strict=True):
        fields = {f.findtext("q:fieldlabel", namespaces=ns): f.findtext("q:fieldentry", namespaces=ns)
                  for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", ns)}
        assert fields["question_type"] == "multiple_choice_question"
        stem = item.find("q:presentation/q:material/q:mattext", ns)
        assert stem.get("texttype") == "text/html"
        assert html.unescape(stem.text) == want["stem"]
        labels = item.findall("q:presentation/q:response_lid/q:render_choice/q:response_label", ns)
        assert [html.unescape(lab.findtext("q:material/q:mattext", namespaces=ns)) for lab in labels] == want["options"]
        scored = [c for c in item.iterfind("q:resprocessing/q:respcondition", ns)
                  if c.find("q:setvar", ns) is not None]
        assert len(scored) == 1 and scored[0].findtext("q:setvar", namespaces=ns) == "100"
        right = scored[0].findtext("q:conditionvar/q:varequal", namespaces=ns)
        assert [lab.get("ident") for lab in labels].index(right) == want["answer_index"]
        feedback = {fb.get("ident"): html.unescape(fb.findtext("q:flow_mat/q:material/q:mattext", namespaces=ns))
                    for fb in item.iterfind("q:itemfeedback", ns)}
        assert_cites(feedback["general_fb"], want["citation"])
        assert feedback[f"{right}_fb"] == "Right."
        assert all(feedback[f"{lab.get('ident')}_fb"].endswith(want["answer"])
                   for lab in labels if lab.get("ident") != right)


# ---- Blackboard: qti-package-maker's Blackboard text reader ------------------------------------


def _bb_text(value: str) -> str:
    # What Blackboard shows for an HTML field: line breaks for <br/>, entities decoded.
    return html.unescape(value.replace("<br/>", "\n"))


def test_blackboard_read_by_qti_package_maker(case):
    from qti_package_maker.engines.bbq_text_upload.read_package import read_items_from_file

    expected, export = case
    path = export("blackboard")
    assert path.read_bytes().isascii()
    bank = read_items_from_file(str(path))
    items = [bank.items_dict[key] for key in bank.items_dict_key_list]
    assert len(items) == len(expected["questions"])
    for item, want in zip(items, expected["questions"], strict=True):
        assert item.item_type == "MC"
        stem, _, source = item.question_text.partition("<br/><br/>")
        assert _bb_text(stem) == want["stem"]
        assert [_bb_text(c) for c in item.choices_list] == want["options"]
        assert item.choices_list.index(item.answer_text) == want["answer_index"]
        # No feedback field: students read the source line while answering. Only the publisher and date,
        # never the title, quote or note, and nothing there names the right option.
        citation = want["citation"]
        source = _bb_text(source)
        assert source.startswith("Source: ")
        assert citation["quote"] not in source and citation["title"] not in source
        assert not names(normalise_option(source), normalise_option(want["answer"]))
        shown = [p for p in (citation["publisher"], citation["published"])
                 if not names(normalise_option(p), normalise_option(want["answer"]))]
        assert source.removeprefix("Source: ").startswith(", ".join(shown))


def test_blackboard_never_shows_a_right_option_its_citation_names(case, roots):
    """The bundled quotes name the answers of most questions: none of that reaches the question text."""
    expected, export = case
    lines = export("blackboard").read_text(encoding="ascii").splitlines()
    named_in_citation = 0
    for line, want in zip(lines, expected["questions"], strict=True):
        question = _bb_text(line.split("\t")[1])
        answer = normalise_option(want["answer"])
        if names(normalise_option(want["citation"]["quote"] + " " + want["citation"]["title"]), answer):
            named_in_citation += 1
        assert not names(normalise_option(question.removeprefix(want["stem"])), answer), question
    if expected["code"].startswith("all-facts."):
        assert named_in_citation >= 3  # the check above has leaks to catch


# ---- Quizizz and Kahoot spreadsheets: python-calamine -----------------------------------------


def _sheet(path: Path, name: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_quizizz_read_by_calamine(case):
    expected, export = case
    rows = _sheet(export("quizizz"), "Quiz")
    # Quizizz's template: the header, the instruction row (skipped by Quizizz's importer), questions from row 3.
    assert tuple(rows[0]) == spreadsheets.QUIZIZZ_HEADER
    assert tuple(rows[1]) == spreadsheets.QUIZIZZ_INSTRUCTIONS
    assert rows[1][0] == "Text of the question (required)" and rows[1][7] == "Integer (1-5 for the correct option)"
    body = rows[2:]
    assert len(body) == len(expected["questions"])
    for row, want in zip(body, expected["questions"], strict=True):
        record = dict(zip(spreadsheets.QUIZIZZ_HEADER, row, strict=True))
        assert record["Question Text"] == want["stem"]
        assert record["Question Type"] == "Multiple Choice"
        options = [record[f"Option {n}"] for n in range(1, 6)]
        assert options[: len(want["options"])] == want["options"]
        assert all(o == "" for o in options[len(want["options"]):])
        assert record["Correct Answer"] == want["answer_index"] + 1
        assert record["Time in seconds"] == spreadsheets.QUIZIZZ_TIME
        assert_cites(record["Answer explanation"], want["citation"])


def units(text: str) -> int:
    """Length as Kahoot counts it: UTF-16 code units (a character beyond the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


# Row 8 of Kahoot's own template (KahootQuizTemplate.xlsx), word for word.
KAHOOT_TEMPLATE_HEADER = ("#", "Question - max 120 characters", "Answer 1 - max 75 characters",
                          "Answer 2 - max 75 characters", "Answer 3 - max 75 characters",
                          "Answer 4 - max 75 characters", "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
                          "Correct answer(s) - choose at least one")


def _kahoot_form(text: str, limit: int, statement: bool = False) -> str:
    """What the file may hold for ``text``: the text itself when it fits, else its short form."""
    return text if units(text) <= limit else short.fit(text, limit, statement=statement)


def test_kahoot_read_by_calamine(case):
    expected, export = case
    path = export("kahoot", "--skip-too-long")
    rows = _sheet(path, "Quiz")
    assert tuple(rows[7]) == KAHOOT_TEMPLATE_HEADER
    body = [r for r in rows[8:] if any(v != "" for v in r)]
    sources = _sheet(path, "Sources")
    assert tuple(sources[0]) == spreadsheets.SOURCES_HEADER
    numbers = [int(row[0]) for row in body]
    assert numbers == sorted(numbers) and len(numbers) == len(set(numbers))
    left_out = set(range(1, len(expected["questions"]) + 1)) - set(numbers)
    for number in left_out:  # only what breaks a limit even in short form
        want = expected["questions"][number - 1]
        stem = _kahoot_form(want["stem"], 120, want["kind"] == "true_false")
        assert units(stem) > 120 or any(units(_kahoot_form(o, 75)) > 75 for o in want["options"])
    for row, source_row in zip(body, sources[1:], strict=True):
        number = int(row[0])
        want = expected["questions"][number - 1]
        assert row[1] == _kahoot_form(want["stem"], 120, want["kind"] == "true_false")
        assert units(row[1]) <= 120
        answers = row[2:6]
        assert answers[: len(want["options"])] == [_kahoot_form(o, 75) for o in want["options"]]
        assert all(units(a) <= 75 for a in answers)
        assert row[6] in (5, 10, 20, 30, 60, 90, 120, 240)
        assert row[7] == want["answer_index"] + 1
        # The teacher's sheet holds the question and answer in full, with the citation.
        assert source_row[:3] == [number, want["stem"], want["answer"]]
        assert_cites(source_row[3], want["citation"])


# ---- every bundled deck, whole, in every format -----------------------------------------------


@pytest.fixture(scope="module")
def bundled_quizzes():
    from quizgen.content import load_library
    from quizgen.quiz import QuizMaker, QuizSpec

    library = load_library(None)
    maker = QuizMaker(library)
    quizzes = [maker.make(QuizSpec(deck_id, count=20, seed=seed))
               for deck_id in library.decks for seed in range(8)]
    # And quizzes of one kind each, so every fact is asked in every kind.
    one_kind = [maker.make(QuizSpec(deck_id, count=20, seed=seed, kinds=(kind,)))
                for deck_id in library.decks for kind in ("forward", "reverse", "true_false") for seed in range(12)]
    return library, quizzes, one_kind


def test_a_20_question_quiz_of_every_bundled_deck_exports_whole_to_every_format(bundled_quizzes, tmp_path):
    from python_calamine import CalamineWorkbook

    from quizgen.export.formats import FORMATS

    library, quizzes, one_kind = bundled_quizzes
    assert {q.spec.deck_id for q in quizzes} == set(library.decks)
    for quiz in quizzes + one_kind[::6]:
        for name, export_format in FORMATS.items():
            rendered = export_format.render(quiz, library)
            assert rendered.left_out == (), (quiz.code, name, [str(x) for x in rendered.left_out])
            assert rendered.written == len(quiz.questions), (quiz.code, name)
        # Kahoot's file read back: every question, each text within Kahoot's limits in UTF-16 units.
        path = tmp_path / f"{quiz.code}.xlsx"
        path.write_bytes(FORMATS["kahoot"].render(quiz, library).data)
        rows = [r for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Quiz").to_python()[8:]
                if any(v != "" for v in r)]
        assert [r[0] for r in rows] == list(range(1, len(quiz.questions) + 1))
        assert all(units(r[1]) <= 120 and all(units(a) <= 75 for a in r[2:6]) for r in rows), quiz.code


def test_kahoot_short_forms_are_written_not_cut_and_all_in_use(bundled_quizzes):
    library, quizzes, one_kind = bundled_quizzes
    quizzes = quizzes + one_kind
    texts = "\n".join(t for quiz in quizzes for q in quiz.questions for t in (q.stem, *q.options))
    for long, short_text in short.PHRASES:
        assert units(short_text) < units(long), long
        # Written, not truncated: the short form is no prefix of the long one, and it keeps its last word.
        assert not (short_text and long.startswith(short_text)), long
        # Every entry is used by the bundled content: a stale one (the curated text changed) shows here.
        assert long in texts or long[:1].upper() + long[1:] in texts, f"no bundled text holds {long!r}"
    shortened_texts = {short.short_form(t) for t in texts.splitlines()}
    for long, short_text in short.TIGHTER:  # applied to the short forms above, where they are still too long
        assert units(short_text) < units(long) and not long.startswith(short_text), long
        assert any(long in t for t in shortened_texts), f"no short form holds {long!r}"
    shortened = [q for quiz in quizzes for q in quiz.questions
                 if units(q.stem) > 120 or any(units(o) > 75 for o in q.options)]
    assert len(shortened) >= 20  # the bundled content needs the short forms: the check above has work to do


def test_kahoot_counts_utf16_code_units():
    assert units("😀") == 2 == short.utf16_units("😀")
    assert short.utf16_units("é" * 120) == 120
    assert short.fit("😀" * 60, 120) == "😀" * 60  # exactly 120 units
    assert short.utf16_units(short.fit("😀" * 61, 120)) == 122  # no phrase to shorten: still over, never cut
    # A true/false statement first drops "True or false? " (Kahoot's answers say True and False).
    statement = "True or false? " + "x" * 110
    assert short.fit(statement, 120, statement=True) == "x" * 110
