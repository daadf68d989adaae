"""What the dashboard template shows, as plain strings: figures formatted, changes worded.

Kept apart from the web handlers so the wording can be tested and reused without a server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitoring.aggregates import DIMENSION_TITLES, Figure, Response, Statistics, Table

SUPPRESSED = "s"
BREAKDOWNS = ("urgency", "channel", "role", "language", "venue")
LOWER_IS_BETTER = {
    "first_alert_median",
    "first_alert_p90",
    "acknowledged_median",
    "acknowledged_p90",
    "escalated_pct",
    "never_acknowledged_pct",
}


@dataclass(frozen=True)
class Shown:
    """A figure as the page shows it."""

    value: str
    baseline: str
    change: str
    trend: str  # up, down, same, none: for the arrow
    judgement: str = ""  # better / worse, only where lower is clearly better (response measures)

    @property
    def suppressed(self) -> bool:
        return self.value == SUPPRESSED


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return SUPPRESSED
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    return text + unit


def duration(minutes: float | None) -> str:
    if minutes is None:
        return SUPPRESSED
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 90:
        return f"{minutes:.1f} min" if minutes < 10 else f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def show(figure: Figure, kind: str = "count", lower_is_better: bool = False) -> Shown:
    formats: dict[str, Callable[[float | None], str]] = {
        "count": number,
        "minutes": duration,
        "percent": lambda v: number(v, "%"),
    }
    fmt = formats[kind]
    change = figure.change
    if change is None:
        return Shown(fmt(figure.value), fmt(figure.baseline), "–", "none")
    trend = "up" if change > 0 else "down" if change < 0 else "same"
    if kind == "percent":
        worded = f"{change:+.1f} points"
    elif figure.change_pct is not None:
        worded = f"{figure.change_pct:+.0f}%"
    else:
        worded = f"{change:+,.0f}"
    judgement = ""
    if lower_is_better and trend != "same":
        judgement = "better" if trend == "down" else "worse"
    return Shown(fmt(figure.value), fmt(figure.baseline), worded, trend, judgement)


def day_range(start_day: date, end_exclusive: date) -> str:
    last = end_exclusive - timedelta(days=1)
    if start_day.year == last.year:
        return f"{start_day.strftime('%-d %b')} – {last.strftime('%-d %b %Y')}"
    return f"{start_day.strftime('%-d %b %Y')} – {last.strftime('%-d %b %Y')}"


def label_of(dimension: str, code: str) -> str:
    """How a code reads on the page: 'sexual harassment', 'Kiswahili (sw)', 'WhatsApp'."""
    if dimension == "language":
        from locales import LANGUAGE_NAMES

        return f"{LANGUAGE_NAMES[code]} ({code})" if code in LANGUAGE_NAMES else code
    if dimension == "channel":
        return {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram"}.get(code, code)
    if dimension in ("type", "urgency", "role"):
        return code.replace("_", " ")
    return code


def one_way(table: Table) -> dict[str, Any]:
    return {
        "title": DIMENSION_TITLES.get(table.name, table.name).capitalize(),
        "dimension": DIMENSION_TITLES.get(table.row_dim, table.row_dim),
        "rows": [(label_of(table.row_dim, label), show(cells[0])) for label, cells in zip(table.rows, table.cells)],
        "total": show(table.total),
    }


def response_rows(responses: list[Response]) -> list[dict[str, Any]]:
    rows = []
    for item in responses:
        rows.append(
            {
                "label": "All alerted incidents" if item.label == "all" else item.label.capitalize(),
                "incidents": show(item.incidents),
                "first_alert_median": show(item.first_alert_median, "minutes", True),
                "first_alert_p90": show(item.first_alert_p90, "minutes", True),
                "acknowledged_median": show(item.acknowledged_median, "minutes", True),
                "acknowledged_p90": show(item.acknowledged_p90, "minutes", True),
                "escalated_pct": show(item.escalated_pct, "percent", True),
                "never_acknowledged_pct": show(item.never_acknowledged_pct, "percent", True),
            }
        )
    return rows


def dashboard_context(statistics: Statistics, zone: ZoneInfo) -> dict[str, Any]:
    period, baseline = statistics.period, statistics.baseline
    local = lambda moment: moment.astimezone(zone).date()  # noqa: E731
    overall = statistics.response[0]
    week = statistics.table("week")
    return {
        "period_label": day_range(local(period.start), local(period.end)),
        "baseline_label": day_range(local(baseline.start), local(baseline.end)),
        "timezone": statistics.timezone,
        "min_cell": statistics.min_cell,
        "generated_at": statistics.generated_at.astimezone(zone).strftime("%-d %b %Y %H:%M"),
        "headline": [
            ("Reports", show(statistics.totals["reports"]), "received in the period"),
            ("Incidents", show(statistics.totals["incidents"]), "situations, reports of one situation merged"),
            ("Time to first alert", show(overall.first_alert_median, "minutes", True), "median, report to responder"),
            ("Time to acknowledgement", show(overall.acknowledged_median, "minutes", True), "median"),
            ("Escalated", show(overall.escalated_pct, "percent", True), "of alerted incidents"),
            ("Never acknowledged", show(overall.never_acknowledged_pct, "percent", True), "of alerted incidents"),
        ],
        "week_labels": [date.fromisoformat(label).strftime("%-d %b") for label in week.rows],
        "areas": one_way(statistics.table("area")),
        "breakdowns": [one_way(statistics.table(name)) for name in BREAKDOWNS],
        "response": response_rows(statistics.response),
        "show": show,
        "label_of": label_of,
    }
