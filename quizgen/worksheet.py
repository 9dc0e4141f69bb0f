"""Printable worksheets: variants A, B, C… of one quiz, with answer keys, as HTML or PDF.

One Jinja template gives both outputs: the HTML is what a browser shows and
prints, and the PDF is that same HTML laid out by WeasyPrint (CSS paged media
puts the variant letter and page number on every page).  Every variant holds
the same questions in a different question order and option order, derived
from the quiz seed, so the same command always prints the same sheets and
neighbours holding different variants cannot copy letters from each other.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .atomic import write_bytes
from .errors import RenderError, SubmissionError
from .questions import Question
from .quiz import Quiz, QuizMaker, QuizSpec

MAX_VARIANTS = 26
LETTERS = string.ascii_uppercase
TEMPLATES = Path(__file__).resolve().parent / "worksheet_templates"
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}
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


def _rng(*parts: object) -> random.Random:
    # Seeded from a hash, not Python's hash(), so variants are the same in every process.
    key = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(key[:8], "big"))


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


def _build(maker: QuizMaker, spec: QuizSpec, variants: int) -> tuple[Quiz, list[Variant]]:
    if isinstance(variants, bool) or not isinstance(variants, int) or not 1 <= variants <= MAX_VARIANTS:
        raise SubmissionError(f"variants must be a whole number from 1 to {MAX_VARIANTS}, not {variants!r}")
    quiz = maker.make(spec)
    n = len(quiz.questions)
    # Variant A keeps the quiz's own order, so `quizgen quiz` with the same seed lists it.
    used_orders: set[tuple[int, ...]] = {tuple(range(n))}
    used_options: list[set[tuple[int, ...]]] = [{tuple(range(len(q.options)))} for q in quiz.questions]
    out: list[Variant] = []
    for k in range(variants):
        letter = LETTERS[k]
        if k == 0:
            order: tuple[int, ...] = tuple(range(n))
        else:
            rng = _rng("worksheet", spec.deck_id, spec.count, spec.seed, letter)
            order = _fresh_permutation(rng, n, used_orders)
            used_orders.add(order)
        printed: list[VariantQuestion] = []
        for number, i in enumerate(order, start=1):
            q = quiz.questions[i]
            perm = tuple(range(len(q.options)))
            # "True" stays before "False": swapping them invites misreading, and the
            # question order already differs between variants.
            if k > 0 and q.template != "true_false":
                orng = _rng("worksheet-options", spec.deck_id, spec.seed, letter, q.fact_id)
                perm = _fresh_permutation(orng, len(q.options), used_options[i])
                used_options[i].add(perm)
            printed.append(VariantQuestion(number, q, tuple(q.options[j] for j in perm),
                                           perm.index(q.answer_index)))
        out.append(Variant(letter, tuple(printed)))
    return quiz, out


def build_variants(maker: QuizMaker, spec: QuizSpec, variants: int) -> list[Variant]:
    """Variants A, B, C… of the quiz for ``spec``: same questions, different question and option orders."""
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


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The worksheet CSS, inlined so a saved .html file prints the same on its own."""
    return (TEMPLATES / "worksheet.css").read_text(encoding="utf-8")


def style_csp_source() -> str:
    """The CSP source allowing exactly the inline stylesheet, e.g. ``'sha256-…'``."""
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def render_html(maker: QuizMaker, spec: QuizSpec, variants: int = 1, with_key: bool = True, *,
                pdf_url: str | None = None, back_url: str | None = None,
                form: dict[str, Any] | None = None) -> str:
    """The worksheet as one standalone HTML page (print stylesheet inlined).

    ``pdf_url``, ``back_url`` and ``form`` (the current settings and their limits) add a
    screen-only bar with links and a settings form, for the web view; print hides it.
    """
    quiz, built = _build(maker, spec, variants)
    deck = maker.library.deck(spec.deck_id)
    context: dict[str, Any] = {
        "quiz": quiz,
        "deck": deck,
        "variants": built,
        "with_key": with_key,
        "css": stylesheet(),
        "pdf_url": pdf_url,
        "back_url": back_url,
        "form": form,
    }
    return _environment().get_template("worksheet.html").render(context)


def _weasyprint() -> Any:
    try:
        return import_module("weasyprint")
    except OSError as exc:  # cffi could not dlopen Pango (or one of its libraries)
        raise RenderError(f"{PANGO_HELP} ({exc})") from None
    except ImportError:
        raise RenderError("WeasyPrint is not installed: run `pip install weasyprint`, "
                          "or write an .html worksheet instead.") from None


def html_to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    try:
        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    except OSError as exc:
        if "pango" in str(exc).lower() or "cannot load library" in str(exc).lower():
            raise RenderError(f"{PANGO_HELP} ({exc})") from None
        raise


def render_pdf(maker: QuizMaker, spec: QuizSpec, variants: int = 1, with_key: bool = True) -> bytes:
    """The worksheet as PDF, laid out by WeasyPrint from the same HTML as ``render_html``."""
    _weasyprint()  # fail before building anything when Pango is missing
    return html_to_pdf(render_html(maker, spec, variants, with_key))


def write_worksheet(maker: QuizMaker, spec: QuizSpec, variants: int, with_key: bool, out: Path) -> Path:
    """Write the worksheet to ``out`` as PDF or HTML by its suffix; never leaves half a file."""
    out = Path(out)
    kind = SUFFIXES.get(out.suffix.lower())
    if kind is None:
        raise RenderError(f"{out.name}: a worksheet is written as .pdf or .html, not {out.suffix or 'no suffix'}")
    if kind == "pdf":
        return write_bytes(out, render_pdf(maker, spec, variants, with_key))
    return write_bytes(out, render_html(maker, spec, variants, with_key).encode("utf-8"))
