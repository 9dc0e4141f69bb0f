"""Turn pydantic's validation errors into short ``location: message`` lines.

Shared by the content loader (``quizgen check``) and the web app's JSON API,
so that a person sees the same wording wherever a model rejects input.
"""

from __future__ import annotations

from pydantic import ValidationError

_KINDS = ("date", "person", "place", "unit", "quantity")


def _location(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # A tagged union puts the tag first ('date', 'event'): the kind is not part of the path.
    if parts and parts[0] in _KINDS and len(parts) > 1:
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_no_space_tag(), str]",):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: dict) -> str:
    kind = err["type"]
    msg = err["msg"]
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling"
    if kind == "missing":
        return "missing; this field is required"
    if kind == "union_tag_invalid":
        tag = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
        return f"unknown kind {tag!r}; use one of: {', '.join(_KINDS)}"
    if kind == "union_tag_not_found":
        return f"missing; give kind = one of: {', '.join(_KINDS)}"
    if kind == "string_too_short":
        return "empty; give a value"
    if kind == "string_pattern_mismatch":
        if "https?" in str(err.get("ctx", {}).get("pattern", "")):
            return "not a web address; give a full http(s):// URL or leave it out"
        return "use lowercase letters, digits and hyphens only (e.g. elbe-meeting-date)"
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
        lines.append((_location(tuple(loc)), _message(err)))
    return lines


def format_lines(exc: ValidationError) -> list[str]:
    return [f"{loc}: {msg}" if loc else msg for loc, msg in flatten(exc)]
