"""Charts drawn at build time as inline SVG: no JavaScript, no external requests. Pure.

``bar_chart`` draws horizontal bars (one row per label), which suits Chinese labels of
any length and any number of categories. Colours come from CSS (``.gz-chart`` rules in
gazette.css) so the chart follows the site's palette.
"""

from __future__ import annotations

from html import escape

ROW = 24  # px per bar
LABEL_WIDTH = 86
BAR_WIDTH = 230
VALUE_WIDTH = 40
PAD = 6


def bar_chart(items: list[tuple[str, int]], title: str, href: dict[str, str] | None = None) -> str:
    """An accessible SVG of horizontal bars, one per ``(label, value)`` in the order given.

    ``href`` maps a label to a link for its row. Labels are escaped; the result is one line
    per element, safe to embed in Markdown inside a ``<div>``.
    """
    href = href or {}
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(len(items), 1) * ROW + PAD
    top = max((value for _, value in items), default=0) or 1
    # role="img" hides its children: a chart with links keeps the svg's own role (a graphics
    # document, which HTML allows to hold links), named by its aria-label
    role = "" if href else ' role="img"'
    lines = [
        f'<svg class="gz-chart"{role} viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (label, value) in enumerate(items):
        y = row * ROW + PAD
        bar = max(round(BAR_WIDTH * value / top), 2 if value else 0)
        shown = label if len(label) <= 6 else label[:5] + "…"
        parts = [
            f'<text class="gz-chart__label" x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 + 1:g}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(shown)}</text>',
            f'<rect class="gz-chart__bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{ROW - 10}" rx="2"/>',
            f'<text class="gz-chart__value" x="{LABEL_WIDTH + bar + 6}" y="{y + ROW / 2 + 1:g}" '
            f'dominant-baseline="middle">{value}</text>',
        ]
        tip = f"<title>{escape(label)}：{value}</title>"
        if label in href:
            lines.append(f'<a href="{escape(href[label])}">{tip}{"".join(parts)}</a>')
        else:
            lines.append(f"<g>{tip}{''.join(parts)}</g>")
    lines.append("</svg>")
    return "\n".join(lines)
