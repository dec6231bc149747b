"""SVG charts: small, dependency-free, sized by viewBox so they scale with the page.

Labels are never cut: a chart makes room for its longest label (wider margins, or a label
wrapped over lines), and every label also carries its full text as a tooltip.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from typing import Any

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CHAR_W = 6.5  # about the width of a character of the 11 px labels, in px


def escape(x: Any) -> str:
    return html.escape(str(x), quote=True)


def text_width(text: str) -> float:
    return CHAR_W * len(text)


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """0, step, 2·step, ... up to the first tick at or above `hi` (step 1, 2, 2.5 or 5 × 10^k)."""
    if not hi > 0:
        hi = 1.0
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-12))
    count = math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def tick_text(v: float) -> str:
    return f"{v:.6g}"


def svg_open(width: float, height: float, title: str, cls: str) -> str:
    return (f'<svg class="chart {cls}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')


def wrapped_text(x: float, y: float, text: str, width_chars: int, cls: str, anchor: str = "middle",
                 line_h: float = 13) -> tuple[str, int]:
    """A <text> whose lines (tspans) hold at most ``width_chars`` characters, words kept
    whole where they fit; returns the element and how many lines it took."""
    lines = textwrap.wrap(text, max(4, width_chars), break_long_words=True) or [""]
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else line_h}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}">{spans}'
            f'<title>{escape(text)}</title></text>', len(lines))


def grouped_bar_chart(groups: Sequence[str], series: Sequence[str], values: Sequence[Sequence[float]],
                      errors: dict[int, Sequence[Sequence[float] | None]] | None = None,
                      y_max: float | None = None, title: str = "", y_label: str = "") -> str:
    """Bars for series s in group g at values[s][g]; errors[s][g] = (low, high) draws an error bar.
    Group names wrap under their bars over as many lines as they need."""
    errors = errors or {}
    bar_w, gap, left, top, plot_h = 30, 36, 56, 40, 240
    group_w = bar_w * len(series) + gap
    width_chars = int((group_w - 6) / CHAR_W)
    lines = max((len(textwrap.wrap(g, max(4, width_chars), break_long_words=True) or [""]) for g in groups),
                default=1)
    bottom = 28 + 13 * lines
    legend_x = [left]
    for name in series:
        legend_x.append(legend_x[-1] + 28 + math.ceil(text_width(name)))
    width = max(left + group_w * max(1, len(groups)), legend_x[-1]) + 20
    height = top + plot_h + bottom
    tops = [v for row in values for v in row] + [hi for row in errors.values() for ci in row if ci for hi in ci[1:]]
    ticks = nice_ticks(y_max if y_max is not None else max(tops, default=1.0))
    y_top = ticks[-1]

    def y(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, y_top)) / y_top

    out = [svg_open(width, height, title, "grouped-bars")]
    for s, name in enumerate(series):
        out.append(f'<rect x="{legend_x[s]}" y="10" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                   f'<text x="{legend_x[s] + 16}" y="20" class="legend">{escape(name)}</text>')
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y(t) + 4:.1f}" class="tick" text-anchor="end">{tick_text(t)}</text>')
    if y_label:
        out.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
                   f'class="axis-label" text-anchor="middle">{escape(y_label)}</text>')
    for g, name in enumerate(groups):
        x0 = left + gap / 2 + g * group_w
        for s in range(len(series)):
            v = values[s][g]
            x = x0 + s * bar_w
            colour = PALETTE[s % len(PALETTE)]
            out.append(f'<rect x="{x + 2:.1f}" y="{y(v):.1f}" width="{bar_w - 4}" '
                       f'height="{y(0) - y(v):.1f}" fill="{colour}">'
                       f'<title>{escape(name)}: {escape(series[s])} {v:.3f}</title></rect>')
            ci = errors.get(s, [None] * len(groups))[g]
            label_y = y(v) - 4
            if ci and None not in ci:
                cx = x + bar_w / 2
                out.append(f'<path d="M{cx - 6:.1f} {y(ci[0]):.1f}h12M{cx:.1f} {y(ci[0]):.1f}'
                           f'V{y(ci[1]):.1f}M{cx - 6:.1f} {y(ci[1]):.1f}h12" class="errbar"/>')
                label_y = min(label_y, y(ci[1]) - 4)
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" class="value" '
                       f'text-anchor="middle">{v:.3f}</text>')
        label, _ = wrapped_text(x0 + bar_w * len(series) / 2, top + plot_h + 20, name, width_chars, "category")
        out.append(label)
    out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="axis"/></svg>')
    return "".join(out)


def hbar_chart(labels: Sequence[str], values: Sequence[float | None], title: str = "",
               value_format: str = "{:.3f}", colour: str = PALETTE[0], unknown: str = "unknown") -> str:
    """One horizontal bar per label, its value written at the bar's end; the label column is
    as wide as the longest label. A value of None is drawn as no bar, marked ``unknown``."""
    row_h, bar_area, top = 22, 280, 30
    left = max(60, math.ceil(text_width(max(labels, key=len, default="")) + 16))
    right = max(90, math.ceil(text_width(unknown) + 16))
    width = left + bar_area + right
    height = top + row_h * max(1, len(labels)) + 10
    hi = max((v for v in values if v is not None), default=0.0)
    scale = bar_area / hi if hi > 0 else 0.0
    out = [svg_open(width, height, title, "hbars"),
           f'<text x="0" y="18" class="chart-title">{escape(title)}</text>']
    if not labels:
        out.append(f'<text x="{left}" y="{top + 14}" class="tick">nothing recorded</text>')
    for i, (label, v) in enumerate(zip(labels, values)):
        y = top + i * row_h
        w = max(0.0, (v or 0.0) * scale)
        shown = unknown if v is None else value_format.format(v)
        out.append(f'<text x="{left - 8}" y="{y + 15}" class="category" text-anchor="end">'
                   f'{escape(label)}<title>{escape(label)}</title></text>'
                   f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}"/>'
                   f'<text x="{left + w + 6:.1f}" y="{y + 15}" class="value">{escape(shown)}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - 10}" class="axis"/></svg>')
    return "".join(out)


def scatter_chart(points: Sequence[tuple[float, float, str]],
                  intervals: Sequence[Sequence[float] | None] | None = None,
                  x_label: str = "", y_label: str = "", y_max: float | None = 1.0,
                  title: str = "") -> str:
    """Labelled points (x, y, label); intervals[i] = (low, high) draws a vertical bar. The
    right margin fits the longest point label."""
    labels = [f"{label} ({y:.3f})" for _, y, label in points]
    left, top, bottom, plot_w, plot_h = 60, 20, 50, 480, 260
    right = max(60, math.ceil(text_width(max(labels, key=len, default="")) + 20))
    width, height = left + plot_w + right, top + plot_h + bottom
    xt = nice_ticks(max((p[0] for p in points), default=0.0) * 1.1)
    yt = nice_ticks(y_max if y_max is not None else max((p[1] for p in points), default=1.0))

    def px(v: float) -> float:
        return left + plot_w * v / xt[-1]

    def py(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, yt[-1])) / yt[-1]

    out = [svg_open(width, height, title, "scatter")]
    for t in yt:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{py(t) + 4:.1f}" class="tick" text-anchor="end">{tick_text(t)}</text>')
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{top + plot_h}" class="grid"/>'
                   f'<text x="{px(t):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{tick_text(t)}</text>')
    out.append(f'<path d="M{left} {top}V{top + plot_h}H{left + plot_w}" class="axis"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" class="axis-label" text-anchor="middle">{escape(x_label)}</text>'
               f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" class="axis-label" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    intervals = intervals or [None] * len(points)
    for i, ((x, y, label), ci, text) in enumerate(zip(points, intervals, labels)):
        colour = PALETTE[i % len(PALETTE)]
        if ci and None not in ci:
            out.append(f'<path d="M{px(x):.1f} {py(ci[0]):.1f}V{py(ci[1]):.1f}" stroke="{colour}" class="errbar"/>')
        # Alternate label sides so runs at similar cost do not write over each other.
        dy = -8 if i % 2 == 0 else 16
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" fill="{colour}">'
                   f'<title>{escape(label)}: Pass@1 {y:.3f}, ${x:.4f}</title></circle>'
                   f'<text x="{px(x) + 9:.1f}" y="{py(y) + dy:.1f}" class="point-label">{escape(text)}</text>')
    out.append("</svg>")
    return "".join(out)
