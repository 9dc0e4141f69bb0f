"""Printable worksheets: variants, the HTML and PDF a teacher prints, the CLI and the web routes."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from io import BytesIO
from itertools import combinations
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizgen import worksheet
from quizgen.cli import cli
from quizgen.content import load_library
from quizgen.errors import QuizgenError, RenderError, SubmissionError
from quizgen.limits import MAX_LINE_CHARS, MAX_PASSAGE_CHARS, MAX_SHEET_QUESTIONS
from quizgen.quiz import MAX_COUNT, QuizMaker, QuizSpec
from quizgen.worksheet import MAX_VARIANTS, build_variants, render_html, render_pdf, write_worksheet

DECK = "group-3"
CYRILLIC_DECK_TITLE = "Встреча на Эльбе, группа 3"
CYRILLIC_PUBLISHER = "Издательство «Правда»"
ROOT = Path(__file__).resolve().parent.parent
KEYCAP_PREFIX = "There were 7\ufe0f\u20e38\ufe0f\u20e3 times "


def norm(text: str) -> str:
    """Whitespace folded (long text wraps across lines) and typographic apostrophes made straight."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


@pytest.fixture(scope="module")
def wmaker(synth_library) -> QuizMaker:
    return QuizMaker(synth_library)


@pytest.fixture(scope="module")
def spec() -> QuizSpec:
    return QuizSpec(DECK, 20, 6)  # a seed whose quiz has attributed facts: their key says so


@pytest.fixture(scope="module")
def variants(wmaker, spec) -> list[worksheet.Variant]:
    return build_variants(wmaker, spec, 3)


@pytest.fixture(scope="module")
def pdf_bytes(wmaker, spec) -> bytes:
    data = render_pdf(wmaker, spec, variants=3, with_key=True)
    assert data.startswith(b"%PDF")
    return data


@pytest.fixture(scope="module")
def pdf_pages(pdf_bytes) -> list[str]:
    return [norm(page.extract_text()) for page in PdfReader(BytesIO(pdf_bytes)).pages]


def pages_by_part(pages: list[str]) -> dict[tuple[str, str], str]:
    """PDF text of each variant's sheets ("sheet", "A"), keys ("key", "A") and the grid ("grid", ""),
    told apart by the running footer each part numbers its own pages with."""
    parts: dict[tuple[str, str], str] = {}
    for text in pages:
        footers = re.findall(r"(Answer key · Variant ([A-Z])|Variant ([A-Z])|Marking grid) · page \d+ of \d+", text)
        assert len(footers) == 1, f"a page without exactly one footer: {text[-160:]!r}"
        whole, key_letter, sheet_letter = footers[0]
        part = ("key", key_letter) if key_letter else ("sheet", sheet_letter) if sheet_letter else ("grid", "")
        parts[part] = parts.get(part, "") + " " + text
    return parts


def question_text(item: worksheet.VariantQuestion) -> str:
    options = " ".join(f"{letter} {option}" for letter, option in zip(item.letters, item.options, strict=True))
    return norm(f"{item.number}. {item.question.stem} {options}")


def key_text(item: worksheet.VariantQuestion) -> str:
    c = item.question.citation
    claim = " The publisher's own claim." if c.attributed else ""
    return norm(f"{item.number} {item.answer_letter} {item.answer} {c.publisher}, “{c.title}”, "
                f"{c.published}.{claim} “{c.quote}”")


# --- variants -------------------------------------------------------------------------------------


def test_variants_hold_the_same_questions_in_different_orders(variants):
    assert [v.letter for v in variants] == ["A", "B", "C"]
    ids = [[item.question.fact_id for item in v.questions] for v in variants]
    assert all(sorted(i) == sorted(ids[0]) for i in ids) and len(ids[0]) == 20
    for a, b in combinations(ids, 2):
        assert a != b, "two variants list the questions in the same order: neighbours could copy"
    for v in variants:
        assert [item.number for item in v.questions] == list(range(1, 21))


def test_variants_shuffle_options_but_keep_the_right_answer(variants):
    by_fact = {}
    for v in variants:
        for item in v.questions:
            by_fact.setdefault(item.question.fact_id, []).append(item)
    shuffled = 0
    for items in by_fact.values():
        q = items[0].question
        for item in items:
            assert sorted(item.options) == sorted(q.options)
            assert item.answer == q.answer
            assert item.options[LETTER_INDEX[item.answer_letter]] == q.answer
        if len({item.options for item in items}) > 1:
            shuffled += 1
        if q.template == "true_false":
            # True stays before False in every variant: a swapped pair invites misreading.
            assert all(item.options == ("True", "False") for item in items)
    choice_questions = sum(1 for items in by_fact.values() if items[0].question.template != "true_false")
    assert shuffled == choice_questions > 0


LETTER_INDEX = {letter: i for i, letter in enumerate("ABCDEFGH")}


def test_variants_are_reproducible_from_the_seed(wmaker, spec, variants):
    assert build_variants(wmaker, spec, 3) == variants
    other = build_variants(wmaker, QuizSpec(DECK, 20, 7), 3)
    assert [i.question.fact_id for i in other[1].questions] != [i.question.fact_id for i in variants[1].questions]


def test_worksheet_draws_from_its_own_seed_space_not_the_quiz_with_the_same_code(wmaker, spec, variants):
    """A worksheet for (deck, count, seed) must not print the questions of the web quiz with those settings."""
    quiz = wmaker.make(spec)
    printed = [item.question.fact_id for item in variants[0].questions]
    assert printed != [q.fact_id for q in quiz.questions]
    assert len(set(printed) & {q.fact_id for q in quiz.questions}) < len(printed) // 2


@pytest.mark.parametrize("bad", [0, 27, -1, True, "2"])
def test_variant_count_out_of_bounds_is_refused(wmaker, spec, bad):
    with pytest.raises(SubmissionError, match="variants must be"):
        build_variants(wmaker, spec, bad)


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_holds_every_question_option_and_key_entry_of_each_variant(pdf_pages, variants):
    parts = pages_by_part(pdf_pages)
    assert set(parts) == {(kind, v.letter) for v in variants for kind in ("sheet", "key")} | {("grid", "")}
    for v in variants:
        sheet, key = parts[("sheet", v.letter)], parts[("key", v.letter)]
        position = -1
        for item in v.questions:
            found = sheet.find(question_text(item))
            assert found > position, f"variant {v.letter}: question {item.number} missing or out of order"
            position = found
            assert key_text(item) in key, f"variant {v.letter}: key entry {item.number} missing"
        assert any(i.question.citation.attributed for i in v.questions), "no attributed fact to check"


def test_every_pdf_page_names_its_variant_and_the_sheet_header_has_name_class_date(pdf_pages):
    assert len(pdf_pages) >= 6  # three sheets and three keys, each from a new page
    sheet_starts = [p for p in pdf_pages if "Name Class Date" in p]
    assert len(sheet_starts) == 3
    for letter, page in zip("ABC", sheet_starts, strict=True):
        assert f"Variant {letter}" in page and "Synthetic group 3" in page


def test_pdf_without_key_has_no_answers(wmaker):
    data = render_pdf(wmaker, QuizSpec(DECK, 5, 1), variants=2, with_key=False)
    text = norm(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages))
    assert "Variant B" in text and "Answer key" not in text and "Synthetic chronicle" not in text


@pytest.fixture(scope="module")
def cyrillic_maker(synth_root, tmp_path_factory) -> QuizMaker:
    """The synthetic content with a Russian deck title and publisher (names in the citation and stems),
    and quotes with keycap emoji as official posts write numbers ("7️⃣8️⃣ years ago")."""
    root = tmp_path_factory.mktemp("cyrillic") / "lib"
    shutil.copytree(synth_root, root)
    deck = root / "decks" / f"{DECK}.toml"
    deck.write_text(deck.read_text().replace("Synthetic group 3", CYRILLIC_DECK_TITLE), encoding="utf-8")
    for source in (root / "content" / "sources").glob("*.toml"):
        source.write_text(source.read_text().replace("Synthetic Press", CYRILLIC_PUBLISHER), encoding="utf-8")
    # Quotes must stand in the source text, so the keycaps go into both.
    for path in [*(root / "content" / "sources").glob("*.txt"), *(root / "content" / "facts").glob("*.toml")]:
        path.write_text(path.read_text(encoding="utf-8").replace("There were ", KEYCAP_PREFIX), encoding="utf-8")
    return QuizMaker(load_library(root))


def test_cyrillic_names_render_in_the_pdf(cyrillic_maker):
    data = render_pdf(cyrillic_maker, QuizSpec(DECK, 10, 2), variants=1, with_key=True)
    reader = PdfReader(BytesIO(data))
    text = norm(" ".join(p.extract_text() for p in reader.pages))
    assert CYRILLIC_DECK_TITLE in text
    assert f"{CYRILLIC_PUBLISHER} 0" in text or re.search(rf"{CYRILLIC_PUBLISHER} \d", text)
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVu" in f for f in fonts), fonts


def test_keycap_emoji_in_quotes_print_as_boxed_digits_not_empty_boxes(cyrillic_maker):
    spec = QuizSpec(DECK, 20, 2)
    assert any(KEYCAP_PREFIX in q.citation.quote for q in cyrillic_maker.make(spec).questions)
    data = render_pdf(cyrillic_maker, spec, variants=1, with_key=True)
    text = norm(" ".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages))
    assert re.search("“There were 7 ?8 times", text) and "\u20e3" not in text
    assert '<span class="keycap">7</span><span class="keycap">8</span>' in render_html(cyrillic_maker, spec)


def test_missing_pango_is_a_render_error_with_the_fix(wmaker, spec, tmp_path, monkeypatch):
    def no_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(worksheet, "import_module", no_pango)
    with pytest.raises(RenderError, match=r"apt-get install libpango-1.0-0 libpangoft2-1.0-0"):
        render_pdf(wmaker, spec, variants=1)
    with pytest.raises(RenderError, match="scripts/system-deps.sh"):
        write_worksheet(wmaker, spec, 1, True, tmp_path / "w.pdf")
    assert list(tmp_path.iterdir()) == []
    # HTML needs no Pango: teachers can still print from the browser.
    assert write_worksheet(wmaker, spec, 1, True, tmp_path / "w.html").read_text().startswith("<!DOCTYPE html>")


# --- HTML -----------------------------------------------------------------------------------------


class Outline(HTMLParser):
    """The parts of the worksheet a reader sees: sections, numbered questions, options and key rows
    (each row's cells: number, right letter and answer, source with quote and note)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict] = []
        self.styles: list[str] = []
        self.external: list[str] = []
        self._stack: list[tuple[str, str]] = []
        self._capture: tuple[str, str, int] | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("link", "script", "img", "iframe") or "src" in a:
            self.external.append(tag)
        if tag == "section":
            self.sections.append({"class": cls, "variant": a.get("data-variant"), "questions": [], "rows": []})
        elif tag == "li" and cls == "question":
            self.sections[-1]["questions"].append({"number": None, "marks": []})
        elif tag == "p" and cls == "key-row":
            self.sections[-1]["rows"].append({"cells": []})
        wanted = tag == "style" or (tag == "span" and cls in ("num", "mark")) or cls in ("kn", "ka", "ks")
        if tag != "br":  # a void element: no end tag comes
            self._stack.append((tag, cls))
        if wanted and self._capture is None:
            self._capture, self._text = (tag, cls, len(self._stack) - 1), ""

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if self._capture and len(self._stack) == self._capture[2]:
            kind, cls, _ = self._capture
            text = self._text if kind == "style" else norm(self._text)
            if kind == "style":
                self.styles.append(text)
            elif cls in ("kn", "ka", "ks"):
                self.sections[-1]["rows"][-1]["cells"].append(text)
            elif cls == "num":
                self.sections[-1]["questions"][-1]["number"] = text
            elif cls == "mark":
                self.sections[-1]["questions"][-1]["marks"].append(text)
            self._capture = None

    def handle_data(self, data):
        if self._capture:
            self._text += data


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    parser.close()
    return parser


def test_html_has_a_section_per_variant_with_numbered_questions_lettered_options_and_keys(
        wmaker, spec, variants):
    page = outline(render_html(wmaker, spec, variants=3, with_key=True))
    sheets = [s for s in page.sections if s["class"] == "sheet"]
    keys = [s for s in page.sections if s["class"] == "key"]
    assert [s["variant"] for s in sheets] == [s["variant"] for s in keys] == ["A", "B", "C"]
    for sheet, key, v in zip(sheets, keys, variants, strict=True):
        assert [q["number"] for q in sheet["questions"]] == [f"{n}." for n in range(1, 21)]
        assert [q["marks"] for q in sheet["questions"]] == [list(item.letters) for item in v.questions]
        assert [row["cells"][0] for row in key["rows"]] == [str(n) for n in range(1, 21)]
        for row, item in zip(key["rows"], v.questions, strict=True):
            assert row["cells"][1] == norm(f"{item.answer_letter} {item.answer}")
            assert item.question.citation.quote in row["cells"][2].replace("’", "'")
            assert ("own claim" in row["cells"][2]) == item.question.citation.attributed


def test_html_is_standalone_with_a_print_stylesheet(wmaker, spec):
    page = outline(render_html(wmaker, spec, variants=2, with_key=False))
    assert page.external == [], "a worksheet must not load anything: it is printed and saved as a file"
    (css,) = page.styles
    assert "@page" in css and "break-inside: avoid" in css and "DejaVu Sans" in css and "DejaVu Serif" in css
    assert "url(" not in css and "@import" not in css
    assert [s["class"] for s in page.sections] == ["sheet", "sheet"]


# --- CLI ------------------------------------------------------------------------------------------


def _cli(runner, synth_root, out: Path, *extra: str):
    return runner.invoke(cli, ["worksheet", "--content", str(synth_root), "--deck", DECK, "--count", "6",
                               "--seed", "3", *extra, "-o", str(out)])


def test_cli_writes_pdf_and_html(runner, synth_root, tmp_path):
    result = _cli(runner, synth_root, tmp_path / "w.pdf", "--variants", "2")
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "w.pdf")
    text = norm(" ".join(p.extract_text() for p in reader.pages))
    assert "Variant B" in text and "Answer key — Variant B" in text
    result = _cli(runner, synth_root, tmp_path / "w.html", "--no-key")
    assert result.exit_code == 0, result.output
    page = outline((tmp_path / "w.html").read_text(encoding="utf-8"))
    assert [s["class"] for s in page.sections] == ["sheet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.html", "w.pdf"]


def test_cli_refuses_other_suffixes(runner, synth_root, tmp_path):
    result = _cli(runner, synth_root, tmp_path / "w.docx")
    assert result.exit_code != 0 and ".pdf or .html" in result.output
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(QuizgenError, match=".pdf or .html") as raised:
        write_worksheet(QuizMaker(load_library(synth_root)), QuizSpec(DECK, 2), 1, True, tmp_path / "w.txt")
    # A wrong name is the user's to fix, not "cannot be produced on this machine" (a 503 on the web).
    assert not isinstance(raised.value, RenderError)


def test_cli_failure_leaves_the_old_file_and_no_partial_one(runner, synth_root, tmp_path, monkeypatch):
    out = tmp_path / "w.pdf"
    out.write_bytes(b"last week's worksheet")

    def broken(htmls, progress=None):
        raise RenderError("the renderer broke half way")

    monkeypatch.setattr(worksheet, "layout", broken)
    result = _cli(runner, synth_root, out)
    assert result.exit_code == 1
    assert "the renderer broke half way" in result.output and "Traceback" not in result.output
    assert out.read_bytes() == b"last week's worksheet"
    assert [p.name for p in tmp_path.iterdir()] == ["w.pdf"]


# --- web ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wclient(synth_root):
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(synth_root)}).test_client()


def test_web_worksheet_page_prints_the_chosen_variants_under_its_own_csp(wclient):
    from classroom import form_post, sign_up

    # Keys only on the teacher's side: a public address refuses them, a signed-in teacher's saved worksheet has them.
    assert wclient.get(f"/decks/{DECK}/worksheet?count=8&seed=4&variants=3&key=1").status_code == 403
    sign_up(wclient)
    made = form_post(wclient, f"/decks/{DECK}/worksheets", {"count": "8", "variants": "3"}, page=f"/decks/{DECK}")
    assert made.status_code == 303
    response = wclient.get(made.headers["Location"])
    assert response.status_code == 200 and response.mimetype == "text/html"
    page_html = response.get_data(as_text=True)
    page = outline(page_html)
    assert [s["class"] + (s["variant"] or "") for s in page.sections] == [
        "sheetA", "sheetB", "sheetC", "grid", "keyA", "keyB", "keyC"]
    assert all(len(s["questions"]) == 8 for s in page.sections if s["class"] == "sheet")
    csp = response.headers["Content-Security-Policy"]
    (css,) = page.styles
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    # The PDF link makes the very same sheets; nothing on the page holds the seed.
    assert f"{made.headers['Location']}.pdf?key=1&amp;paper=a4" in page_html
    sheets = page_html[:page_html.index('id="grid"')]  # the students' pages come first
    assert "seed" not in sheets.split("</form>")[-1].lower() and page_html.count("id=\"grid-") == 3
    wclient.post("/signout", data={"csrf_token": __import__("classroom").csrf(wclient, "/teacher")})


def test_web_pdf_is_a_download_of_the_same_sheets(wclient, synth_library):
    response = wclient.get(f"/decks/{DECK}/worksheet.pdf?count=4&seed=4&variants=2&key=0")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="worksheet-{DECK}' in disposition
    text = norm(" ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages))
    for item in build_variants(QuizMaker(synth_library), QuizSpec(DECK, 4, 4), 2)[1].questions:
        assert question_text(item) in text
    assert "Answer key" not in text


@pytest.mark.parametrize("query, message", [
    ("count=0", f"count must be between 1 and {MAX_COUNT}"),
    (f"count={MAX_COUNT + 1}", f"count must be a whole number from 0 to {MAX_COUNT}"),
    ("count=ten", "count must be a whole number"),
    ("seed=-1", "seed must be a whole number"),
    ("seed=1000000000000", "seed must be a whole number"),
    (f"variants={MAX_VARIANTS + 1}", f"variants must be a whole number from 0 to {MAX_VARIANTS}"),
    ("variants=0", f"variants must be a whole number from 1 to {MAX_VARIANTS}"),
    ("key=yes", "key must be 1"),
    ("paper=a3", "paper must be one of a4, letter"),
])
def test_web_bad_settings_are_a_400_with_a_plain_message(wclient, query, message):
    for suffix in ("worksheet", "worksheet.pdf"):
        response = wclient.get(f"/decks/{DECK}/{suffix}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_web_unknown_deck_is_a_404(wclient):
    for suffix in ("worksheet", "worksheet.pdf"):
        response = wclient.get(f"/decks/no-such-deck/{suffix}")
        assert response.status_code == 404
        assert "no-such-deck" in response.get_data(as_text=True)


def test_web_deck_page_links_to_the_worksheet(wclient):
    page = wclient.get(f"/decks/{DECK}").get_data(as_text=True)
    assert f'href="/decks/{DECK}/worksheet"' in page and f'href="/decks/{DECK}/worksheet.pdf"' in page


def test_web_pdf_without_pango_says_how_to_install_it(wclient, monkeypatch):
    def no_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(worksheet, "import_module", no_pango)
    response = wclient.get(f"/decks/{DECK}/worksheet.pdf?count=3&seed=99")
    assert response.status_code == 503
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in response.get_data(as_text=True)
    # The printable HTML view still works.
    assert wclient.get(f"/decks/{DECK}/worksheet?count=3&seed=99").status_code == 200


# --- answer keys stay secret ----------------------------------------------------------------------


def test_the_public_worksheet_key_scores_chance_on_the_web_quiz_with_the_same_settings(wclient, synth_library):
    """The attack of issue 16: take the web quiz deck.N.frt.SEED, open the public worksheet for count=N and
    seed=SEED (key on by default), copy variant A's letters into the quiz. It must score like guessing."""
    score = total = 0
    chance = variance = 0.0
    for seed in range(1, 13):
        quiz = wclient.get(f"/api/decks/{DECK}/quiz?count=10&seed={seed}").get_json()
        # The key a teacher prints for those settings (no public address prints keys any more).
        page = outline(worksheet.render_html(QuizMaker(synth_library), QuizSpec(DECK, 10, seed)))
        (key_a,) = [s for s in page.sections if s["class"] == "key" and s["variant"] == "A"]
        letters = [row["cells"][1][0] for row in key_a["rows"]]
        answers = [min("ABCDEFGH".index(letter), len(q["options"]) - 1)
                   for letter, q in zip(letters, quiz["questions"], strict=True)]
        graded = wclient.post(f"/api/quiz/{quiz['code']}/grade", json={"answers": answers}).get_json()
        assert graded["score"] < graded["total"] == 10
        score += graded["score"]
        total += graded["total"]
        for q in quiz["questions"]:
            p = 1 / len(q["options"])
            chance, variance = chance + p, variance + p * (1 - p)
    # Three standard deviations above guessing; copying a matching key would score all 120.
    assert score <= chance + 3 * variance ** 0.5, (score, total, chance)


# --- paper, page numbers, grid, notes ------------------------------------------------------------


@pytest.mark.parametrize("name, paper", [
    ("en_US.UTF-8", "letter"), ("fr_CA.utf8", "letter"), ("es-MX", "letter"), ("en_GB.UTF-8", "a4"),
    ("de_DE", "a4"), ("C", "a4"), ("POSIX", "a4"), ("", "a4"), (None, "a4"),
])
def test_paper_follows_the_locale(name, paper):
    assert worksheet.paper_for_locale(name) == paper


def test_lc_paper_outranks_lang_and_lc_all_outranks_both():
    assert worksheet.default_paper({"LANG": "de_DE.UTF-8", "LC_PAPER": "en_US.UTF-8"}) == "letter"
    assert worksheet.default_paper({"LC_ALL": "en_GB.UTF-8", "LC_PAPER": "en_US.UTF-8"}) == "a4"
    assert worksheet.default_paper({}) == "a4"


def _page_sizes_mm(path: Path) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4))
            for p in PdfReader(path).pages}


def test_cli_paper_option_and_locale_default_set_the_page_size(runner, synth_root, tmp_path):
    for extra, env, size in [(["--paper", "letter"], {"LC_ALL": "", "LC_PAPER": "", "LANG": "de_DE.UTF-8"}, (216, 279)),
                             ([], {"LC_ALL": "", "LC_PAPER": "", "LANG": "en_US.UTF-8"}, (216, 279)),
                             ([], {"LC_ALL": "", "LC_PAPER": "", "LANG": "de_DE.UTF-8"}, (210, 297))]:
        out = tmp_path / f"w-{len(list(tmp_path.iterdir()))}.pdf"
        result = runner.invoke(cli, ["worksheet", "--content", str(synth_root), "--deck", DECK, "--count", "4",
                                     "--seed", "3", *extra, "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        assert _page_sizes_mm(out) == {size}, (extra, env)
    result = _cli(runner, synth_root, tmp_path / "x.pdf", "--paper", "a3")
    assert result.exit_code == 2 and "a3" in result.output


def test_each_variant_numbers_its_own_pages_and_the_pdf_labels_them(pdf_pages, pdf_bytes):
    footers = [re.findall(r"(Answer key · Variant [A-Z]|Variant [A-Z]|Marking grid) · page (\d+) of (\d+)$", page) for page in pdf_pages]
    assert all(len(f) == 1 for f in footers), [p[-80:] for p in pdf_pages]
    by_part: dict[str, list[tuple[int, int]]] = {}
    for ((label, n, of),) in footers:
        by_part.setdefault(label, []).append((int(n), int(of)))
    assert list(by_part) == ["Variant A", "Variant B", "Variant C", "Marking grid",
                             "Answer key · Variant A", "Answer key · Variant B", "Answer key · Variant C"]
    for label, numbers in by_part.items():
        assert numbers == [(k, len(numbers)) for k in range(1, len(numbers) + 1)], label
    assert max(len(n) for n in by_part.values()) > 1, "no part spans two pages: numbering is untested"
    labels = PdfReader(BytesIO(pdf_bytes)).page_labels
    assert labels[0] == "A-1" and "B-1" in labels and "Grid-1" in labels and "Key C-1" in labels
    assert labels.index("B-1") == len(by_part["Variant A"])


def test_marking_grid_is_the_first_key_page_with_every_variants_letters(pdf_pages, variants):
    first_key = next(i for i, p in enumerate(pdf_pages) if "Marking grid · page 1 of" in p)
    assert all("Answer key" not in p for p in pdf_pages[:first_key])
    grid = pdf_pages[first_key]
    assert "Answer key" not in grid.split("Marking grid · page")[0]
    for v in variants:
        block = grid.split(f"Variant {v.letter}")[1]
        expected = " ".join(f"{item.number} {item.answer_letter}" for item in v.questions)
        assert norm(block).startswith(expected), v.letter


@pytest.fixture(scope="module")
def long_root(synth_root, tmp_path_factory) -> Path:
    """The synthetic content with every text long: a deck title and source titles with a 200-letter word,
    quotes close to check's limit holding a 440-letter word, and a long curator's note on every fact."""
    root = tmp_path_factory.mktemp("long") / "lib"
    shutil.copytree(synth_root, root)
    deck = root / "decks" / f"{DECK}.toml"
    deck.write_text(deck.read_text().replace('title = "Synthetic group 3"', f'title = "{LONG_DECK_TITLE}"'))
    for source in (root / "content" / "sources").glob("*.toml"):
        text = source.read_text()
        title = re.search(r'^title = "(.*)"$', text, re.M)[1]
        longer = f"{LONG_WORD[:150]} {'Synthetic chronicle ' * 10}"[: MAX_LINE_CHARS - len(title) - 1].rstrip()
        source.write_text(text.replace(f'title = "{title}"', f'title = "{longer} {title}"'))
    for path in [*(root / "content" / "sources").glob("*.txt"), *(root / "content" / "facts").glob("*.toml")]:
        path.write_text(path.read_text(encoding="utf-8").replace("There were ", LONG_QUOTE_PREFIX), encoding="utf-8")
    for facts in (root / "content" / "facts").glob("*.toml"):
        facts.write_text(re.sub(r"^(quote = .*)$", lambda m: f'{m[1]}\nnote = "{LONG_NOTE}"', facts.read_text(),
                                flags=re.M))
    return root


LONG_WORD = "Ubersetzungsworterbuch" * 20
# Titles as long as check accepts, with a 200-letter word that can only wrap inside itself.
LONG_DECK_TITLE = f"Synthetic group 3 {LONG_WORD[:200]} {'and more ' * 20}"[:MAX_LINE_CHARS].rstrip()
LONG_QUOTE_PREFIX = "There were " + "and after long deliberation, " * 50 + LONG_WORD + " "
LONG_NOTE = "Historians dispute this figure; mainstream accounts give a range. " + LONG_WORD[:200]


def test_curators_note_is_in_every_key_entry_of_pdf_and_html(long_root):
    lmaker = QuizMaker(load_library(long_root))
    spec = QuizSpec(DECK, 4, 2)
    page = outline(render_html(lmaker, spec, variants=1))
    (key,) = [s for s in page.sections if s["class"] == "key"]
    assert len(key["rows"]) == 4
    assert all(f"Curator's note: {LONG_NOTE}" in row["cells"][2].replace("’", "'") for row in key["rows"])
    parts = pages_by_part([norm(p.extract_text()) for p in
                           PdfReader(BytesIO(render_pdf(lmaker, spec, variants=1))).pages])
    assert parts[("key", "A")].count("Curator's note: Historians dispute this figure") == 4


def _ink_in_side_margins(pdf: bytes, tmp_path: Path) -> list[str]:
    """Pages with anything printed in the outer 12 mm of either side (the worksheet's margins are 16 mm)."""
    from PIL import Image

    (tmp_path / "w.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(tmp_path / "w.pdf"), str(tmp_path / "p")], check=True)
    inked = []
    for png in sorted(tmp_path.glob("p-*.png")):
        image = Image.open(png).convert("L")
        strip = round(12 / 25.4 * 40)
        for box in ((0, 0, strip, image.height), (image.width - strip, 0, image.width, image.height)):
            if image.crop(box).getextrema()[0] < 200:
                inked.append(png.name)
    return inked


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_titles_quotes_and_words_wrap_inside_the_page(long_root, tmp_path, paper):
    lmaker = QuizMaker(load_library(long_root))
    spec = QuizSpec(DECK, 12, 2)
    quotes = [q.citation.quote for q in lmaker.make(worksheet.question_spec(spec)).questions]
    assert sum(LONG_WORD in q for q in quotes) >= 2
    assert MAX_PASSAGE_CHARS - 100 < max(map(len, quotes)) <= MAX_PASSAGE_CHARS
    pdf = render_pdf(lmaker, spec, variants=1, with_key=True, paper=paper)
    reader = PdfReader(BytesIO(pdf))
    # About a page per three key entries: the long texts wrap, they do not multiply the pages.
    assert len(reader.pages) <= 12
    assert _ink_in_side_margins(pdf, tmp_path) == []
    text = norm(" ".join(p.extract_text() for p in reader.pages))
    assert "Variant A · page 1 of" in text
    assert re.sub(r"\s", "", LONG_DECK_TITLE) in re.sub(r"\s", "", text)  # whole, wrapped across lines


# --- web: bounded renders, cache, paper, phone ----------------------------------------------------


def test_web_pdf_renders_are_bounded_busy_is_a_503_with_retry_after_and_cached_pdfs_still_serve(
        synth_root, monkeypatch):
    import threading

    from quizgen.webapp import create_app

    app = create_app({"TESTING": True, "CONTENT": str(synth_root), "BUILDS": 1})
    client = app.test_client()
    cached = client.get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=1&key=0")
    assert cached.status_code == 200
    started, release = threading.Event(), threading.Event()
    real = worksheet.layout
    calls = []

    def slow(htmls, progress=None):
        calls.append(1)
        started.set()
        release.wait(30)
        return real(htmls, progress)

    import quizgen_web.worksheets as web_worksheets

    monkeypatch.setattr(worksheet, "layout", slow)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(
        r=app.test_client().get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=2&key=0")))
    thread.start()
    try:
        assert started.wait(30)
        busy = client.get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=3&key=0")
        assert busy.status_code == 503 and busy.headers["Retry-After"].isdigit()
        assert "try again" in busy.get_data(as_text=True)
        # Sheets made before are served from the cache while the one slot is busy, without a render.
        again = client.get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=1&key=0")
        assert again.status_code == 200 and again.data == cached.data
        assert web_worksheets.build is not None
    finally:
        release.set()
        thread.join(60)
    assert first["r"].status_code == 200 and len(calls) == 1
    after = client.get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=3&key=0")
    assert after.status_code == 200


def test_web_paper_comes_from_the_form_or_the_browsers_language(wclient, tmp_path):
    def size(query: str, language: str | None = None) -> set[tuple[int, int]]:
        headers = {"Accept-Language": language} if language else {}
        response = wclient.get(f"/decks/{DECK}/worksheet.pdf?count=2&seed=5&key=0{query}", headers=headers)
        assert response.status_code == 200
        (tmp_path / "w.pdf").write_bytes(response.data)
        return _page_sizes_mm(tmp_path / "w.pdf")

    assert size("&paper=letter") == {(216, 279)}
    assert size("", "en-US,en;q=0.8") == {(216, 279)}
    assert size("", "de-DE,de;q=0.9") == {(210, 297)}
    assert size("&paper=a4", "en-US") == {(210, 297)}
    page = wclient.get(f"/decks/{DECK}/worksheet?count=2&seed=5", headers={"Accept-Language": "en-CA"})
    assert '<option value="letter" selected>' in page.get_data(as_text=True)
    assert "size: letter" in outline(page.get_data(as_text=True)).styles[0]


def test_web_form_offers_the_clis_limits(wclient):
    page = wclient.get(f"/decks/{DECK}/worksheet").get_data(as_text=True)
    assert f'name="count" min="1" max="{MAX_COUNT}"' in page
    assert f'name="variants" min="1" max="{MAX_VARIANTS}"' in page
    assert f"At most {MAX_SHEET_QUESTIONS} printed questions" in page
    count = MAX_SHEET_QUESTIONS // MAX_VARIANTS  # the most questions every variant can have
    response = wclient.get(f"/decks/{DECK}/worksheet?count={count}&variants={MAX_VARIANTS}&key=0")
    assert response.status_code == 200
    assert len(outline(response.get_data(as_text=True)).sections) == MAX_VARIANTS
    # Beyond the bound: refused at once, with the product and the way out, for HTML and PDF alike.
    for view in ("worksheet", "worksheet.pdf"):
        too_big = wclient.get(f"/decks/{DECK}/{view}?count={MAX_COUNT}&variants={MAX_VARIANTS}&key=0")
        assert too_big.status_code == 400
        assert f"at most {MAX_SHEET_QUESTIONS}" in too_big.get_data(as_text=True)


@pytest.mark.browser
def test_html_view_on_a_phone_keeps_every_blank_usable_and_nothing_wider_than_the_screen(wclient, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Chromium is not installed; install it with `bash scripts/system-deps.sh`")
    html = wclient.get(f"/decks/{DECK}/worksheet?count=6&seed=5&variants=2").get_data(as_text=True)
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            for width in (360, 1280):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.set_content(html)
                lines = page.eval_on_selector_all(
                    "#variant-A .field", "els => els.map(e => [e.querySelector('.label').textContent,"
                    " e.querySelector('.line').getBoundingClientRect().width])")
                assert [label for label, _ in lines] == ["Name", "Class", "Date"]
                # Room to write a name or a date by hand: at least about 2.5 cm of line each.
                assert all(w >= 95 for _, w in lines), (width, lines)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(tmp_path / f"worksheet-{width}.png"), full_page=False)
                page.close()
        finally:
            browser.close()


def test_cli_shows_progress_on_a_terminal_and_nothing_in_a_pipe(synth_root, tmp_path):
    import os
    import pty

    from click.testing import CliRunner

    args = ["worksheet", "--content", str(synth_root), "--deck", DECK, "--count", "2", "--variants", "2", "--seed", "1"]
    piped = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "a.pdf")])
    assert piped.exit_code == 0 and piped.stderr == "" and piped.stdout == f"Wrote {tmp_path / 'a.pdf'}\n"
    argv = [sys.executable, "-m", "quizgen", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "web"), os.environ.get("PYTHONPATH", "")])}
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([*argv, "-o", str(tmp_path / "b.pdf")], stdout=subprocess.PIPE, stderr=follower,
                              text=True, env=env, timeout=300)
        os.close(follower)
        follower = -1
        shown = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 4096):
                shown += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert proc.returncode == 0
    assert b"Laying out" in shown and b"5/5" in shown, shown[-300:]
