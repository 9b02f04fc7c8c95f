"""Server-rendered SVG bar charts a councillor can read: words above each bar, the figure
beside it, no colour-only meaning, and the same numbers in a table on the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 26
ROW_HEIGHT = 64
LABEL_GAP = 20
VALUE_SPACE = 150
BAR_COLOUR = "#1d5a8a"
TRACK_COLOUR = "#e4e8ec"
TEXT_COLOUR = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float | None  # None: nothing to count (shown as "no reviews")
    detail: str  # e.g. "3 of 4"


def bar_chart(title: str, bars: Sequence[Bar], chart_id: str = "chart") -> Markup:
    """A horizontal bar chart of percentages (0-100) as inline SVG."""
    height = ROW_HEIGHT * len(bars) + 10
    track = WIDTH - VALUE_SPACE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for i, bar in enumerate(bars):
        top = i * ROW_HEIGHT
        bar_top = top + LABEL_GAP + 6
        filled = 0.0 if bar.percent is None else track * max(0.0, min(bar.percent, 100.0)) / 100
        value = "no reviews" if bar.percent is None else f"{bar.percent:g}% ({bar.detail})"
        parts += [
            f'<text x="0" y="{top + LABEL_GAP}" font-size="16" fill="{TEXT_COLOUR}">'
            f"{escape(bar.label)}</text>",
            f'<rect x="0" y="{bar_top}" width="{track}" height="{BAR_HEIGHT}"'
            f' fill="{TRACK_COLOUR}"/>',
            f'<rect x="0" y="{bar_top}" width="{filled:.1f}" height="{BAR_HEIGHT}"'
            f' fill="{BAR_COLOUR}"/>',
            f'<text x="{track + 8}" y="{bar_top + BAR_HEIGHT - 7}" font-size="16"'
            f' font-weight="bold" fill="{TEXT_COLOUR}">{escape(value)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
