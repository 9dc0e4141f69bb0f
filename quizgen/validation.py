"""Turn pydantic's validation errors into short ``location: message`` lines.

Shared by the content loader (``quizgen check``) and the web app's JSON API,
so that a person sees the same wording wherever a model rejects input.
"""

from __future__ import annotations

from pydantic import ValidationError

from .models import CONTROL_PATTERNS, FACT_KINDS, FIELD_ERROR, LINE_PATTERN

LINE_CONTROL = CONTROL_PATTERNS[LINE_PATTERN]

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
        finder = CONTROL_PATTERNS.get(pattern, LINE_CONTROL if "https?" in pattern else None)
        bad = finder.search(err["input"]) if finder and isinstance(err["input"], str) else None
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
