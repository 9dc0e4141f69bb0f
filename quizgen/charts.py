"""Small bar charts as inline SVG, drawn on the server: no script, no library, nothing fetched.

Colours and sizes are SVG attributes, not style attributes, so the site's Content-Security-Policy
(no inline styles) does not touch them. Every chart has a <title> and a <desc> for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

INK = "#1f2a2e"
MUTED = "#5b6770"
BAR = "#7d8b94"
RIGHT = "#1e6b3a"
FLAGGED = "#b8641a"
GRID = "#dedbd2"
FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str = BAR


def _text(x: float, y: float, content: str, anchor: str = "start", size: int = 13, fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}" font-family="{escape(FONT)}">{escape(content)}</text>')


def _open(width: int, height: int, title: str, desc: str, css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>')


def columns(bars: Sequence[Bar], title: str, axis_label: str, width: int = 560, height: int = 220) -> str:
    """Vertical bars over labelled columns (e.g. how many attempts scored 0, 1, … n)."""
    top, bottom, left, right = 24, 44, 36, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.value for b in bars), default=0) or 1
    slot = plot_w / max(len(bars), 1)
    desc = "; ".join(f"{b.label}: {b.value}" for b in bars)
    parts = [_open(width, height, title, desc, "chart columns")]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{GRID}"/>')
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / peak
        x = left + i * slot + slot * 0.15
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{bar.colour}" rx="2"/>')
        if bar.value:
            parts.append(_text(x + slot * 0.35, y - 5, str(bar.value), "middle", 12, INK))
        parts.append(_text(left + i * slot + slot / 2, top + plot_h + 16, bar.label, "middle", 12, MUTED))
    parts.append(_text(left + plot_w / 2, height - 6, axis_label, "middle", 12, MUTED))
    parts.append("</svg>")
    return "".join(parts)


def rows(bars: Sequence[Bar], title: str, width: int = 560, label_width: int = 240, row_height: int = 26) -> str:
    """Horizontal bars, one labelled row each (e.g. how often each option of a question was chosen)."""
    height = row_height * max(len(bars), 1) + 8
    plot_w = width - label_width - 48
    peak = max((b.value for b in bars), default=0) or 1
    desc = "; ".join(f"{b.label}: {b.value}" for b in bars)
    parts = [_open(width, height, title, desc, "chart rows")]
    max_chars = label_width // 7
    for i, bar in enumerate(bars):
        y = 4 + i * row_height
        label = bar.label if len(bar.label) <= max_chars else bar.label[: max_chars - 1] + "…"
        # A flagged bar is often empty (a distractor nobody chose): its label carries the colour too.
        label_colour = FLAGGED if bar.colour == FLAGGED else INK
        parts.append(_text(label_width - 8, y + row_height * 0.65, label, "end", 12, label_colour))
        w = plot_w * bar.value / peak
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_height - 10}" '
                     f'fill="{bar.colour}" rx="2"/>')
        parts.append(_text(label_width + max(w, 1) + 6, y + row_height * 0.65, str(bar.value), "start", 12, INK))
    parts.append("</svg>")
    return "".join(parts)
