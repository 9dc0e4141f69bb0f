"""Printable worksheets: variants A, B, C… of one quiz, with answer keys, as HTML or PDF.

One Jinja template gives both outputs: the HTML is what a browser shows and
prints, and the PDF is that same HTML laid out by WeasyPrint.  For the PDF the
worksheet is cut into parts (each variant's sheets, the marking grid, each
variant's detailed key), each laid out as its own document, so every part
numbers its own pages ("Variant B · page 2 of 3") and the parts can be laid
out in parallel processes before pypdf joins them.

Worksheets draw from their own seed space: the questions, their order and the
options' order all come from seeds hashed with a "worksheet" namespace, so the
public worksheet for (deck, count, seed) never prints the key of the web quiz
with that same code.
"""

from __future__ import annotations

import base64
import hashlib
import math
import multiprocessing
import os
import random
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from io import BytesIO
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .atomic import write_bytes
from .errors import QuizgenError, RenderError, SubmissionError
from .limits import MAX_SHEET_QUESTIONS
from .questions import Question
from .quiz import LETTERS, MAX_SEED, Quiz, QuizMaker, QuizSpec

MAX_VARIANTS = 26
DEFAULT_COUNT = 20  # questions on a worksheet unless asked otherwise (CLI and web)
TEMPLATES = Path(__file__).resolve().parent / "worksheet_templates"
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}
# CSS page sizes by the --paper name.
PAPERS = {"a4": "A4", "letter": "letter"}
DEFAULT_PAPER = "a4"
# Regions whose printers hold US Letter (glibc's LC_PAPER for these locales); everywhere else A4.
LETTER_REGIONS = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "CR", "GT", "PA", "PR", "SV", "VE", "DO", "NI"})
PANGO_HELP = (
    "WeasyPrint cannot find the Pango library it needs to make PDFs. Install it with "
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0` (or run `bash scripts/system-deps.sh`), "
    "or write an .html worksheet instead and print it from a browser."
)


@dataclass(frozen=True)
class VariantQuestion:
    """A question as printed on one variant: its number there and its options in that variant's order."""

    number: int
    question: Question
    options: tuple[str, ...]
    answer_index: int

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.options)]

    @property
    def answer_letter(self) -> str:
        return LETTERS[self.answer_index]

    @property
    def answer(self) -> str:
        return self.options[self.answer_index]


@dataclass(frozen=True)
class Variant:
    letter: str
    questions: tuple[VariantQuestion, ...]


@dataclass(frozen=True)
class Part:
    """One separately laid-out piece of the PDF: its sections and the label its pages carry."""

    label: str  # the running footer before "· page N of M", e.g. "Variant B"
    page_prefix: str  # the PDF page label prefix, e.g. "B-"
    sheets: tuple[Variant, ...]
    grid: tuple[Variant, ...]  # the variants in the marking grid
    keys: tuple[Variant, ...]  # the variants whose detailed keys follow


def paper_for_locale(locale_name: str | None) -> str:
    """``letter`` for a locale such as ``en_US.UTF-8`` or ``fr-CA`` in a Letter region, else ``a4``."""
    if not locale_name:
        return DEFAULT_PAPER
    m = re.match(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})\b", locale_name)
    return "letter" if m and m[1].upper() in LETTER_REGIONS else DEFAULT_PAPER


def default_paper(environ: Mapping[str, str] | None = None) -> str:
    """The paper the user's locale prints on, by the POSIX precedence LC_ALL, LC_PAPER, LANG."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        if env.get(name):
            return paper_for_locale(env[name])
    return DEFAULT_PAPER


def _check_paper(paper: str) -> str:
    if paper not in PAPERS:
        raise SubmissionError(f"paper must be one of {', '.join(PAPERS)}, not {str(paper)[:40]!r}")
    return paper


def _rng(*parts: object) -> random.Random:
    # Seeded from a hash, not Python's hash(), so variants are the same in every process.
    key = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(key[:8], "big"))


def question_spec(spec: QuizSpec) -> QuizSpec:
    """The quiz whose questions the worksheet for ``spec`` prints: same deck, count and kinds, but a
    seed hashed in the worksheet's namespace, so it is not the web quiz with ``spec``'s code."""
    seed = _rng("worksheet-questions", spec.deck_id, spec.count, spec.seed, *spec.kinds).randrange(MAX_SEED + 1)
    return QuizSpec(spec.deck_id, spec.count, seed, spec.kinds)


def _fresh_permutation(rng: random.Random, n: int, used: set[tuple[int, ...]]) -> tuple[int, ...]:
    """A seeded permutation of range(n), unlike those already ``used`` whenever one is left."""
    order = tuple(rng.sample(range(n), n))
    if len(used) >= math.factorial(min(n, 10)):
        return order  # every order is taken (tiny quizzes): repeating one is unavoidable
    for _ in range(50):
        if order not in used:
            break
        order = tuple(rng.sample(range(n), n))
    return order


def check_variants(variants: int) -> int:
    if isinstance(variants, bool) or not isinstance(variants, int) or not 1 <= variants <= MAX_VARIANTS:
        raise SubmissionError(f"variants must be a whole number from 1 to {MAX_VARIANTS}, not {variants!r}")
    return variants


def check_sheet_size(count: int, variants: int) -> None:
    """Refuse a worksheet of more than ``MAX_SHEET_QUESTIONS`` printed questions (count × variants)."""
    if count * variants > MAX_SHEET_QUESTIONS:
        raise SubmissionError(
            f"{count} questions × {variants} variants is {count * variants:,} printed questions; a worksheet "
            f"holds at most {MAX_SHEET_QUESTIONS} (about {MAX_SHEET_QUESTIONS // 4} pages): "
            "ask for fewer questions or fewer variants")


def _build(maker: QuizMaker, spec: QuizSpec, variants: int) -> tuple[Quiz, list[Variant]]:
    check_variants(variants)
    check_sheet_size(spec.count, variants)
    quiz = maker.make(question_spec(spec))
    n = len(quiz.questions)
    used_orders: set[tuple[int, ...]] = set()
    used_options: list[set[tuple[int, ...]]] = [set() for _ in quiz.questions]
    out: list[Variant] = []
    for k in range(variants):
        letter = LETTERS[k]
        rng = _rng("worksheet", spec.deck_id, spec.count, spec.seed, letter)
        order = _fresh_permutation(rng, n, used_orders)
        used_orders.add(order)
        printed: list[VariantQuestion] = []
        for number, i in enumerate(order, start=1):
            q = quiz.questions[i]
            perm = tuple(range(len(q.options)))
            # "True" stays before "False": swapping them invites misreading, and the
            # question order already differs between variants.
            if q.template != "true_false":
                orng = _rng("worksheet-options", spec.deck_id, spec.seed, letter, q.fact_id)
                perm = _fresh_permutation(orng, len(q.options), used_options[i])
                used_options[i].add(perm)
            printed.append(VariantQuestion(number, q, tuple(q.options[j] for j in perm),
                                           perm.index(q.answer_index)))
        out.append(Variant(letter, tuple(printed)))
    return quiz, out


def build_variants(maker: QuizMaker, spec: QuizSpec, variants: int) -> list[Variant]:
    """Variants A, B, C… of the worksheet for ``spec``: same questions, different question and option orders."""
    return _build(maker, spec, variants)[1]


_KEYCAP = re.compile("([0-9#*])\ufe0f?\u20e3")


def keycaps(text: str) -> Markup:
    """Escape ``text``, drawing keycap emoji such as 7️⃣ as a boxed digit.

    Quotes are verbatim and some official posts write numbers as keycaps; no
    installed font has U+20E3, so they would print as empty boxes.
    """
    return Markup(_KEYCAP.sub(r'<span class="keycap">\1</span>', str(escape(text))))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["keycaps"] = keycaps
    return env


@lru_cache(maxsize=len(PAPERS))
def stylesheet(paper: str = DEFAULT_PAPER) -> str:
    """The worksheet CSS for ``paper``, inlined so a saved .html file prints the same on its own."""
    css = (TEMPLATES / "worksheet.css").read_text(encoding="utf-8")
    return f"@page {{ size: {PAPERS[_check_paper(paper)]}; }}\n{css}"


def style_csp_source(paper: str = DEFAULT_PAPER) -> str:
    """The CSP source allowing exactly the inline stylesheet, e.g. ``'sha256-…'``."""
    digest = hashlib.sha256(stylesheet(paper).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# Each part of the PDF numbers its own pages; WeasyPrint's page counters are per document.
_PART_PAGE_CSS = '@page {{ @bottom-right {{ content: "{label} · page " counter(page) " of " counter(pages); }} }}'


def _render(quiz: Quiz, spec: QuizSpec, paper: str, sheets: tuple[Variant, ...], grid: tuple[Variant, ...],
            keys: tuple[Variant, ...], *, page_css: str = "", **extra: Any) -> str:
    context: dict[str, Any] = {
        "title": quiz.title,
        "spec": spec,
        "count": len(quiz.questions),
        "sheets": sheets,
        "grid": grid,
        "keys": keys,
        "css": stylesheet(paper),
        "page_css": page_css,
        "pdf_url": None,
        "back_url": None,
        "form": None,
        **extra,
    }
    return _environment().get_template("worksheet.html").render(context)


def render_html(maker: QuizMaker, spec: QuizSpec, variants: int = 1, with_key: bool = True,
                paper: str = DEFAULT_PAPER, *, pdf_url: str | None = None, back_url: str | None = None,
                form: dict[str, Any] | None = None) -> str:
    """The worksheet as one standalone HTML page (print stylesheet inlined).

    ``pdf_url``, ``back_url`` and ``form`` (the current settings and their limits) add a
    screen-only bar with links and a settings form, for the web view; print hides it.
    """
    _check_paper(paper)
    quiz, built = _build(maker, spec, variants)
    keys = tuple(built) if with_key else ()
    return _render(quiz, spec, paper, tuple(built), keys, keys,
                   pdf_url=pdf_url, back_url=back_url, form=form)


def parts(built: list[Variant], with_key: bool) -> list[Part]:
    """The pieces the PDF is laid out in: every variant's sheets, then the grid, then every detailed key."""
    out = [Part(f"Variant {v.letter}", f"{v.letter}-", (v,), (), ()) for v in built]
    if with_key:
        out.append(Part("Marking grid", "Grid-", (), tuple(built), ()))
        out += [Part(f"Answer key · Variant {v.letter}", f"Key {v.letter}-", (), (), (v,))
                for v in built]
    return out


def part_documents(maker: QuizMaker, spec: QuizSpec, variants: int = 1, with_key: bool = True,
                   paper: str = DEFAULT_PAPER) -> list[tuple[Part, str]]:
    """Each part of the PDF as its own HTML document, in print order."""
    _check_paper(paper)
    quiz, built = _build(maker, spec, variants)
    docs = []
    for part in parts(built, with_key):
        css = _PART_PAGE_CSS.format(label=part.label)
        docs.append((part, _render(quiz, spec, paper, part.sheets, part.grid, part.keys, page_css=css)))
    return docs


def _weasyprint() -> Any:
    try:
        return import_module("weasyprint")
    except OSError as exc:  # cffi could not dlopen Pango (or one of its libraries)
        raise RenderError(f"{PANGO_HELP} ({exc})") from None
    except ImportError:
        raise RenderError("WeasyPrint is not installed: run `pip install weasyprint`, "
                          "or write an .html worksheet instead.") from None


def layout(htmls: list[str], progress: Callable[[int], None] | None = None) -> tuple[bytes, list[int]]:
    """One PDF of the documents ``htmls`` laid out one after the other, and each one's page count.

    Each is laid out on its own (its page counters are its own), then all pages are written
    at once with shared fonts: one font subset per PDF instead of one per document.
    """
    weasyprint = _weasyprint()
    try:
        fonts = import_module("weasyprint.text.fonts").FontConfiguration()
        docs = []
        for html in htmls:
            docs.append(weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render(font_config=fonts))
            if progress:
                progress(1)
        return docs[0].copy([page for doc in docs for page in doc.pages]).write_pdf(), [len(d.pages) for d in docs]
    except OSError as exc:
        if "pango" in str(exc).lower() or "cannot load library" in str(exc).lower():
            raise RenderError(f"{PANGO_HELP} ({exc})") from None
        raise


def _join(groups: list[tuple[bytes, list[int]]], all_parts: list[Part]) -> bytes:
    """One PDF of the groups in order, each page labelled with its part ("B-2", "Key A-1")."""
    return _join_labelled(groups, [part.page_prefix for part in all_parts])


def layout_joined(htmls: list[str], prefixes: list[str]) -> bytes:
    """``layout`` and ``_join`` in one call with plain arguments, for another process to run."""
    return _join_labelled([layout(htmls)], prefixes)


def _join_labelled(groups: list[tuple[bytes, list[int]]], prefixes: list[str]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    labels = iter(prefixes)
    for data, counts in groups:
        start = len(writer.pages)
        writer.append(PdfReader(BytesIO(data)))
        for count in counts:
            writer.set_page_label(start, start + count - 1, style="/D", prefix=next(labels), start=1)
            start += count
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def default_workers() -> int:
    """Processes for laying out parts: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _can_fork() -> bool:
    # Forking a process whose other threads hold locks (a web server's) can deadlock the child.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _groups(docs: list[tuple[Part, str]], n: int) -> list[list[int]]:
    """The parts' indexes cut into ``n`` runs of about equal work (questions laid out)."""
    weights = [sum(len(v.questions) for v in (*part.sheets, *part.keys)) + len(part.grid) for part, _ in docs]
    target = sum(weights) / n
    groups: list[list[int]] = [[]]
    done = 0.0
    for i, w in enumerate(weights):
        if groups[-1] and done + w / 2 > target * len(groups) and len(groups) < n:
            groups.append([])
        groups[-1].append(i)
        done += w
    return groups


_forked_groups: list[list[str]] = []


def _layout_forked(index: int) -> tuple[bytes, list[int]]:
    return layout(_forked_groups[index])


def render_pdf(maker: QuizMaker, spec: QuizSpec, variants: int = 1, with_key: bool = True,
               paper: str = DEFAULT_PAPER, *, workers: int | None = None,
               progress: Callable[[int], None] | None = None, executor: Executor | None = None) -> bytes:
    """The worksheet as PDF, laid out by WeasyPrint from the same template as ``render_html``.

    The parts are cut into runs laid out in up to ``workers`` forked processes (default: one per
    core) when this process has no other threads; otherwise here. ``progress(n)`` is called as
    ``n`` more parts are done. With ``executor`` (a web server's pool of processes) the whole
    layout runs there, as one job: the server's own threads only make the HTML.
    """
    _weasyprint()  # fail before building anything when Pango is missing
    docs = part_documents(maker, spec, variants, with_key, paper)
    parts = [part for part, _ in docs]
    if executor is not None:
        return executor.submit(layout_joined, [html for _, html in docs], [p.page_prefix for p in parts]).result()
    workers = min(default_workers() if workers is None else workers, len(docs))
    if workers <= 1 or not _can_fork():
        return _join([layout([html for _, html in docs], progress)], parts)
    global _forked_groups
    groups = _groups(docs, workers)
    _forked_groups = [[docs[i][1] for i in group] for group in groups]  # inherited by the fork: no pickling
    try:
        results: list[tuple[bytes, list[int]] | None] = [None] * len(groups)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_layout_forked, g): g for g in range(len(groups))}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress:
                    progress(len(groups[futures[future]]))
    finally:
        _forked_groups = []
    return _join([r for r in results if r is not None], parts)


def write_worksheet(maker: QuizMaker, spec: QuizSpec, variants: int, with_key: bool, out: Path,
                    paper: str = DEFAULT_PAPER, *, progress: Callable[[int], None] | None = None) -> Path:
    """Write the worksheet to ``out`` as PDF or HTML by its suffix; never leaves half a file."""
    out = Path(out)
    kind = SUFFIXES.get(out.suffix.lower())
    if kind is None:
        raise QuizgenError(f"{out.name}: a worksheet is written as .pdf or .html, not "
                           f"{out.suffix or 'a name without a suffix'}; name the output e.g. worksheet.pdf")
    if kind == "pdf":
        return write_bytes(out, render_pdf(maker, spec, variants, with_key, paper, progress=progress))
    return write_bytes(out, render_html(maker, spec, variants, with_key, paper).encode("utf-8"))


def part_count(variants: int, with_key: bool) -> int:
    """How many parts ``render_pdf`` lays out (and reports to ``progress``)."""
    return variants * 2 + 1 if with_key else variants
