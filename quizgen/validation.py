"""Turn pydantic's validation errors into short ``location: message`` lines, and the rules
``quizgen check`` applies beyond one field (options that read alike).

Shared by the content loader (``quizgen check``) and the web app (JSON API, assignment titles),
so that a person sees the same wording wherever a text is refused.

One rule for one-line texts everywhere (content fields, assignment titles): no control
character, nothing invisible (``limits.INVISIBLE``), no combining mark without a letter before
it. Refused, never silently folded, so what the curator wrote is what every output shows. Options
are then compared after :func:`fold` (Unicode compatibility form, case, spacing), so two that a
reader cannot tell apart are refused too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from pydantic import ValidationError

from .errors import SubmissionError
from .models import (
    CONTROL_PATTERNS,
    FACT_KINDS,
    FIELD_ERROR,
    LINE_PATTERN,
    DateFact,
    FactBase,
    QuantityFact,
    format_quantity,
)

LINE_CONTROL = CONTROL_PATTERNS[LINE_PATTERN]


def bad_character(text: str) -> str | None:
    """Why a one-line text is refused (the first offending character and where), or None."""
    found = LINE_CONTROL.search(text)
    if found:
        ch = found[0]
        kind = "control" if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" else "invisible"
        name = unicodedata.name(ch, "")
        return (f"contains the {kind} character U+{ord(ch):04X}{f' ({name.lower()})' if name else ''} at "
                f"position {found.start() + 1}; remove it (retype the text around it)")
    for i, ch in enumerate(text):
        if unicodedata.category(ch).startswith("M") and (i == 0 or text[i - 1].isspace()):
            return (f"has the combining mark U+{ord(ch):04X} with no letter before it at position {i + 1}; "
                    "remove it, or write the letter it belongs to before it")
    return None


def check_line(text: str, what: str) -> str:
    """``text`` if it passes the one-line rule, else ``SubmissionError`` (for web forms and the API)."""
    problem = bad_character(text)
    if problem:
        raise SubmissionError(f"the {what} {problem}")
    return text


_SPACES = re.compile(r"\s+")
_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def fold(text: str) -> str:
    """A text as a reader compares it: compatibility form (é = e + ◌́, ﬁ = fi), case, spacing and
    variation selectors ignored."""
    if not text.isascii():
        text = _SELECTORS.sub("", unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", text.casefold()).strip()


def _alike(labels: list[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """(field, its option, the earlier field it reads like) for each option that folds like an earlier one."""
    seen: dict[str, str] = {}
    for field, option in labels:
        key = fold(option)
        if key in seen:
            yield field, option, seen[key]
        else:
            seen[key] = field


def fact_problems(fact: FactBase) -> list[tuple[str, str]]:
    """``(field, message)`` for options of ``fact`` that would read alike in a question.

    Quantities are compared as worded ("midnight" for 0 and 24 hours, "twice" for 2 times),
    dates as rendered, texts after :func:`fold`.
    """
    if isinstance(fact, QuantityFact):
        shown = [("value", format_quantity(fact.value, fact.measure))] + [
            (f"distractors[{i}]", format_quantity(d, fact.measure)) for i, d in enumerate(fact.distractors)]
    elif isinstance(fact, DateFact):
        shown = [("date", fact.date.render())] + [
            (f"distractors[{i}]", d.render()) for i, d in enumerate(fact.distractors)]
    else:
        answer_field = {"person": "name", "place": "place", "unit": "unit", "unit_of_measurement": "unit"}.get(
            fact.kind, "answer")  # type: ignore[attr-defined]
        shown = [(answer_field, fact.answer_text())] + [
            (f"also_true[{i}]", t) for i, t in enumerate(fact.also_true)] + [
            (f"distractors[{i}]", t) for i, t in enumerate(fact.distractors)]
    problems = [
        (field, f"{option!r} reads the same as {earlier} in a question (case, spacing and Unicode forms "
                "aside); give an option a reader can tell apart, or remove it")
        for field, option, earlier in _alike(shown)
    ]
    problems += [
        (field, f"{option!r} reads the same as {earlier}; remove one")
        for field, option, earlier in _alike([(f"reverse_distractors[{i}]", t)
                                              for i, t in enumerate(fact.reverse_distractors)])
    ]
    return problems

# The wording a person reads for pydantic's type errors: what to write instead.
_TYPE_FIXES = {
    "bool_type": "not true or false; write true or false without quotes",
    "string_type": "not text; write it in double quotes",
    "int_type": "not a whole number; write it without quotes",
    "float_type": "not a number; write it without quotes",
    "tuple_type": "not a list; write it as [\"…\", \"…\"]",
    "list_type": "not a list; write it as [\"…\", \"…\"]",
    "dict_type": "not a table; write it as { name = \"…\" }",
    "model_type": "not a table",
    "model_attributes_type": "not a table",
}


def _location(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # A tagged union puts the tag first ('date', 'event'): the kind is not part of the path.
    if parts and parts[0] in FACT_KINDS:
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part in ("str", "int", "float", "none"):
            continue  # a union member's or a validator's name, not a field
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    kind = err["type"]
    msg = err["msg"]
    ctx = err.get("ctx") or {}
    if kind == FIELD_ERROR:
        return str(ctx["message"])
    if kind in _TYPE_FIXES:
        return _TYPE_FIXES[kind]
    if kind == "string_too_long":
        return (f"too long ({len(err['input'])} characters); the limit is {ctx['max_length']:,}: "
                "shorten it")
    if kind == "too_long":
        return f"too many entries; the limit is {ctx['max_length']:,}: keep the best ones"
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling"
    if kind == "missing":
        return "missing; this field is required"
    if kind == "union_tag_invalid":
        tag = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
        return f"unknown kind {tag!r}; use one of: {', '.join(FACT_KINDS)}"
    if kind == "union_tag_not_found":
        return f"missing; give kind = one of: {', '.join(FACT_KINDS)}"
    if kind == "string_too_short":
        return "empty; give a value"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        text = err["input"] if isinstance(err["input"], str) else ""
        if pattern == LINE_PATTERN or "https?" in pattern:
            problem = bad_character(text)
            if problem:
                return problem
        else:
            finder = CONTROL_PATTERNS.get(pattern)
            bad = finder.search(text) if finder else None
            if bad:
                return (f"contains the control character U+{ord(bad[0]):04X} at position {bad.start() + 1}; "
                        "remove it (retype the text around it)")
        if "https?" in pattern:
            return "not a web address; give a full http(s):// URL or leave it out"
        return "not an id; use lowercase letters, digits and hyphens only (e.g. elbe-meeting-date)"
    if kind == "literal_error":
        return f"{err.get('input')!r} is not allowed; use {ctx.get('expected', 'one of the listed values')}"
    if kind == "too_short":
        return "empty; give at least one entry"
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    return msg[0].lower() + msg[1:] if msg else kind


def flatten(exc: ValidationError) -> list[tuple[str, str]]:
    """``[(location, message), …]`` for every error; location is '' for the whole object."""
    lines: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if err["type"] == "union_tag_invalid" or err["type"] == "union_tag_not_found":
            loc = ("kind",)
        location = _location(tuple(loc))
        if err["type"] == FIELD_ERROR:
            field = str(err["ctx"]["field"])
            location = f"{location}.{field}" if location else field
        lines.append((location, _message(err)))
    return lines


def format_lines(exc: ValidationError) -> list[str]:
    return [f"{loc}: {msg}" if loc else msg for loc, msg in flatten(exc)]
