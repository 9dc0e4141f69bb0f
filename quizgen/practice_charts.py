"""The practice calendar: what comes due on each of the next weeks' days, as SVG drawn on the server.

Same conventions as ``quizgen.charts``: colours as attributes (the site's CSP allows no inline style),
a <title> and a <desc> for screen readers, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from .charts import FONT, GRID, INK, MUTED

CALENDAR_DAYS = 28  # four weeks ahead
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SHADES = ("#f4f2ec", "#d7e8dc", "#a9d0b5", "#6fae83", "#1e6b3a")  # none … most


def _text(x: float, y: float, content: str, anchor: str = "middle", size: int = 12, fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}" font-family="{escape(FONT)}">{escape(content)}</text>')


def calendar(counts: Sequence[int], first: date, title: str = "Cards coming due") -> str:
    """A month-like grid from the Monday of ``first``'s week: each day's number of cards due, shaded.

    No width or height attributes: the page's stylesheet fits it to the column (at most its natural width).

    ``counts[0]`` is ``first`` (today: overdue cards included); days before it are drawn empty.
    """
    cell, gap, top, left = 44, 4, 22, 2  # left: room for today's outline
    start = first - timedelta(days=first.weekday())
    offset = (first - start).days
    weeks = (offset + len(counts) + 6) // 7
    width = 7 * (cell + gap) - gap + 2 * left
    height = top + weeks * (cell + gap) + left
    peak = max(counts, default=0) or 1
    desc = "; ".join(f"{(first + timedelta(days=i)).isoformat()}: {n}" for i, n in enumerate(counts) if n)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart calendar" role="img" '
             f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
             f'<desc>{escape(desc or "Nothing comes due in the next four weeks.")}</desc>']
    for i, name in enumerate(_WEEKDAYS):
        parts.append(_text(left + i * (cell + gap) + cell / 2, 14, name, size=11, fill=MUTED))
    for k in range(weeks * 7):
        day = start + timedelta(days=k)
        x = left + (k % 7) * (cell + gap)
        y = top + (k // 7) * (cell + gap)
        i = k - offset
        if not 0 <= i < len(counts):
            parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="4" fill="none" stroke="{GRID}"/>')
            continue
        n = counts[i]
        shade = _SHADES[0] if n == 0 else _SHADES[min(len(_SHADES) - 1, 1 + (n * (len(_SHADES) - 2)) // peak)]
        stroke = f' stroke="{INK}" stroke-width="2"' if i == 0 else ""
        parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="4" fill="{shade}"{stroke}/>')
        label = "today" if i == 0 else (day.strftime("%b") + " 1" if day.day == 1 else str(day.day))
        dark = shade in _SHADES[3:]
        parts.append(_text(x + 4, y + 13, label, "start", 10, "#ffffff" if dark else MUTED))
        if n:
            parts.append(_text(x + cell / 2, y + cell - 9, str(n), size=15, fill="#ffffff" if dark else INK,
                               weight="bold"))
    parts.append("</svg>")
    return "".join(parts)
