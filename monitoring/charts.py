"""Server-side SVG charts: the trend against its baseline and the hour-of-week heatmap.

Plain SVG strings (every label escaped), no script and no external file, so the dashboard works
offline and under a strict Content-Security-Policy. Suppressed values are drawn as hatching or a
gap, never as a number, and every mark carries a <title> for screen readers and hover.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from monitoring.aggregates import Figure

INK = "#1b1f24"
MUTED = "#5b6570"
GRID = "#e3e6ea"
CURRENT = "#1f5fa8"
BASELINE = "#8a6d00"
# Sequential scale (ColorBrewer Blues, 6 classes): light = few, dark = many.
BLUES = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\""


def hatch_pattern(pattern_id: str) -> str:
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f5f7"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#aab2bd" stroke-width="2"/></pattern>'
    )


def nice_step(value: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) at least `value`; counts get whole steps."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return max(1.0, step * magnitude)
    return 10 * magnitude


def number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def trend_chart(
    labels: Sequence[str], figures: Sequence[Figure], *, unit: str, title: str, width: int = 760, height: int = 280
) -> str:
    """Lines for this period and the baseline (the same windows one period earlier)."""
    left, right, top, bottom = 52, 18, 40, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for f in figures for v in (f.value, f.baseline) if v is not None]
    step = nice_step(max(values, default=1.0) / 4)
    ticks = max(1, math.ceil(max(values, default=1.0) / step))
    y_max = step * ticks
    n = len(labels)
    x = lambda i: left + (plot_w * (i + 0.5) / n if n else 0)  # noqa: E731
    y = lambda v: top + plot_h - plot_h * v / y_max  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="trend-chart" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="trend-title trend-desc" {FONT}>',
        f'<title id="trend-title">{escape(title)}</title>',
        '<desc id="trend-desc">Solid line: this period; dashed line: the previous period of equal length. '
        "Gaps and the letter s mark suppressed counts.</desc>",
    ]
    for tick in range(ticks + 1):
        value = step * tick
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{number(value)}</text>'
        )
    every = max(1, math.ceil(n / 13))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">{escape(label)}</text>'
            )
    for attribute, colour, dash, class_ in (
        ("baseline", BASELINE, ' stroke-dasharray="6 4"', "baseline"),
        ("value", CURRENT, "", "current"),
    ):
        segment: list[str] = []
        for i, figure in enumerate(list(figures) + [Figure(None, None)]):
            value = getattr(figure, attribute)
            if value is not None:
                segment.append(f"{x(i):.1f},{y(value):.1f}")
                continue
            if len(segment) > 1:
                parts.append(
                    f'<polyline class="series-{class_}" points="{" ".join(segment)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2.5"{dash} stroke-linejoin="round"/>'
                )
            segment = []
        for i, figure in enumerate(figures):
            value = getattr(figure, attribute)
            if value is None:
                continue
            which = "this period" if attribute == "value" else "previous period"
            tip = f"{labels[i]}: {number(value)} {unit} ({which})"
            shape = (
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
                if attribute == "value"
                else f'<rect x="{x(i) - 3:.1f}" y="{y(value) - 3:.1f}" width="6" height="6" fill="#fff" '
                f'stroke="{colour}" stroke-width="1.5">'
            )
            parts.append(shape + f"<title>{escape(tip)}</title>" + ("</circle>" if attribute == "value" else "</rect>"))
    for i, figure in enumerate(figures):
        if figure.value is None:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h - 4}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}">s<title>{escape(labels[i])}: suppressed</title></text>'
            )
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    # Legend
    parts.append(
        f'<g font-size="12" fill="{INK}"><line x1="{left}" x2="{left + 28}" y1="16" y2="16" '
        f'stroke="{CURRENT}" stroke-width="2.5"/><circle cx="{left + 14}" cy="16" r="3.5" fill="{CURRENT}"/>'
        f'<text x="{left + 36}" y="20">This period</text>'
        f'<line x1="{left + 140}" x2="{left + 168}" y1="16" y2="16" stroke="{BASELINE}" stroke-width="2.5" '
        f'stroke-dasharray="6 4"/><text x="{left + 176}" y="20">Previous period (baseline)</text></g>'
    )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}">week starting</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def scale_breaks(values: Sequence[float], classes: int) -> list[float]:
    """Upper bounds of equal-width classes from 0 to the largest published value."""
    top = max(values, default=0.0)
    if top <= 0:
        return [1.0] * classes
    return [top * (i + 1) / classes for i in range(classes)]


def colour_for(value: float, breaks: Sequence[float], palette: Sequence[str]) -> str:
    if value <= 0:
        return palette[0]
    for bound, colour in zip(breaks, palette[1:]):
        if value <= bound:
            return colour
    return palette[-1]


def text_colour(fill: str) -> str:
    red, green, blue = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if (0.299 * red + 0.587 * green + 0.114 * blue) < 140 else INK


def legend(
    x: float, y: float, breaks: Sequence[float], palette: Sequence[str], hatch_id: str, unit: str, width: float = 10_000
) -> str:
    """Swatches with their ranges, then 'suppressed'; wraps to a new line before `width`."""
    entries = [(palette[0], "0")]
    low = 0.0
    for bound, colour in zip(breaks, palette[1:]):
        entries.append((colour, f"{number(math.floor(low) + 1)}–{number(math.floor(bound))}"))
        low = bound
    entries.append((f"url(#{hatch_id})", "suppressed"))
    parts = [f'<g font-size="11" fill="{INK}" class="legend">']
    cx, cy = x, y
    for fill, label in entries:
        span = 30 + 7 * len(label) + 12
        if cx + span > width and cx > x:
            cx, cy = x, cy + 22
        parts.append(
            f'<rect x="{cx}" y="{cy}" width="22" height="14" fill="{fill}" stroke="#c9ced6"/>'
            f'<text x="{cx + 27}" y="{cy + 11}">{escape(label)}</text>'
        )
        cx += span
    parts.append(f'<text x="{cx}" y="{cy + 11}" fill="{MUTED}">{escape(unit)}</text></g>')
    return "".join(parts)


def heatmap(
    rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[Figure]], *, unit: str, title: str
) -> str:
    """Weekday x hour grid of counts; hatched where suppressed."""
    cell_w, cell_h, left, top = 30, 26, 44, 30
    width = left + cell_w * len(columns) + 10
    height = top + cell_h * len(rows) + 48
    published = [f.value for row in cells for f in row if f.value is not None]
    breaks = scale_breaks(published, len(BLUES) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="heatmap" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="heatmap-title heatmap-desc" {FONT}>',
        f'<title id="heatmap-title">{escape(title)}</title>',
        f'<desc id="heatmap-desc">Rows are weekdays, columns are hours of the day in local time; darker means '
        f"more {escape(unit)}. Hatched cells are suppressed.</desc>",
        f"<defs>{hatch_pattern('heatmap-hatch')}</defs>",
    ]
    for c, column in enumerate(columns):
        parts.append(
            f'<text x="{left + c * cell_w + cell_w / 2}" y="{top - 10}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{escape(column)}</text>'
        )
    for r, row in enumerate(rows):
        y = top + r * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2 + 4}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(row)}</text>'
        )
        for c, column in enumerate(columns):
            figure = cells[r][c]
            x = left + c * cell_w
            if figure.value is None:
                fill, label, tip = "url(#heatmap-hatch)", "", f"{row} {column}:00: suppressed"
            else:
                fill = colour_for(figure.value, breaks, BLUES)
                label, tip = number(figure.value), f"{row} {column}:00: {number(figure.value)} {unit}"
            parts.append(
                f'<g class="heat-cell"><rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'rx="2" fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
            if label:
                colour = text_colour(fill)
                parts.append(
                    f'<text x="{x + (cell_w - 2) / 2}" y="{y + cell_h / 2 + 3}" text-anchor="middle" '
                    f'font-size="10" fill="{colour}" aria-hidden="true">{label}</text>'
                )
            parts.append("</g>")
    parts.append(legend(left, top + cell_h * len(rows) + 18, breaks, BLUES, "heatmap-hatch", unit))
    parts.append("</svg>")
    return "".join(parts)
