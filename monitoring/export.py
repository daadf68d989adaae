"""Open-data export and text rendering of protected statistics: CSV, JSON and plain tables.

Only what `Statistics` holds is written, and it holds only protected figures: a suppressed count is
an empty CSV cell / JSON null, the same mark for every hidden cell (which ones were small and which
were hidden to protect them is not told).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from monitoring.aggregates import DIMENSION_TITLES, Figure, Response, Statistics, Table

TOTAL = "(total)"
ALL = "(all)"
SUPPRESSED_MARK = "s"
FIELDS = (
    "table",
    "measure",
    "row_dimension",
    "row",
    "column_dimension",
    "column",
    "value",
    "baseline",
    "change",
    "change_pct",
)
SUPPRESSION_NOTE = (
    "Counts from 1 to {k_minus_1} are suppressed (empty / null), and so are further counts where "
    "they could be worked out from totals. Response times need at least {k} incidents."
)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _record(
    table: str, measure: str, row_dim: str, row: str, col_dim: str | None, column: str | None, figure: Figure
) -> dict[str, Any]:
    return {
        "table": table,
        "measure": measure,
        "row_dimension": row_dim,
        "row": row,
        "column_dimension": col_dim or "",
        "column": column or "",
        "value": _number(figure.value),
        "baseline": _number(figure.baseline),
        "change": _number(figure.change),
        "change_pct": figure.change_pct,
    }


def table_records(table: Table) -> list[dict[str, Any]]:
    records = []
    for r, row in enumerate(table.rows):
        if table.col_dim is None:
            records.append(_record(table.name, table.measure, table.row_dim, row, None, None, table.cells[r][0]))
            continue
        for c, column in enumerate(table.columns):
            records.append(
                _record(table.name, table.measure, table.row_dim, row, table.col_dim, column, table.cells[r][c])
            )
        records.append(
            _record(table.name, table.measure, table.row_dim, row, table.col_dim, TOTAL, table.row_totals[r])
        )
    if table.col_dim is not None:
        for c, column in enumerate(table.columns):
            records.append(
                _record(table.name, table.measure, table.row_dim, TOTAL, table.col_dim, column, table.column_totals[c])
            )
    records.append(
        _record(
            table.name,
            table.measure,
            table.row_dim,
            TOTAL,
            table.col_dim,
            TOTAL if table.col_dim else None,
            table.total,
        )
    )
    return records


def response_records(responses: Sequence[Response]) -> list[dict[str, Any]]:
    return [
        _record(
            "response",
            measure,
            "urgency",
            ALL if item.label == "all" else item.label,
            None,
            None,
            getattr(item, measure),
        )
        for item in responses
        for measure in Response.MEASURES
    ]


def selected_tables(statistics: Statistics, names: Iterable[str] | None) -> list[Table]:
    wanted = None if names is None else set(names)
    return [t for t in statistics.tables if wanted is None or t.name in wanted]


def records(statistics: Statistics, names: Iterable[str] | None = None, response: bool = True) -> list[dict[str, Any]]:
    out = [_record("totals", measure, "", TOTAL, None, None, figure) for measure, figure in statistics.totals.items()]
    for table in selected_tables(statistics, names):
        out += table_records(table)
    if response:
        out += response_records(statistics.response)
    return out


def metadata(statistics: Statistics) -> dict[str, Any]:
    return {
        "deployment": statistics.deployment,
        "timezone": statistics.timezone,
        "period": {"start": statistics.period.start.isoformat(), "end": statistics.period.end.isoformat()},
        "baseline": {"start": statistics.baseline.start.isoformat(), "end": statistics.baseline.end.isoformat()},
        "min_cell": statistics.min_cell,
        "suppression": SUPPRESSION_NOTE.format(k=statistics.min_cell, k_minus_1=statistics.min_cell - 1),
        "units": {
            "first_alert_*": "minutes from the report to the first alert delivered",
            "acknowledged_*": "minutes from the report to a responder's acknowledgement",
            "*_pct": "percent of alerted incidents",
            "change_pct": "percent change from the baseline",
        },
        "generated_at": statistics.generated_at.isoformat(timespec="seconds"),
    }


def to_json(statistics: Statistics, names: Iterable[str] | None = None, response: bool = True) -> str:
    document = metadata(statistics)
    document["records"] = records(statistics, names, response)
    return json.dumps(document, ensure_ascii=False, indent=1)


def to_csv(statistics: Statistics, names: Iterable[str] | None = None, response: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records(statistics, names, response):
        writer.writerow({key: "" if record[key] is None else record[key] for key in FIELDS})
    return buffer.getvalue()


# --- plain text, for `bot.py stats` -------------------------------------------------------------------------
def shown(value: float | None, suffix: str = "") -> str:
    if value is None:
        return SUPPRESSED_MARK
    number = _number(value)
    return f"{number:,}{suffix}" if isinstance(number, int) else f"{number:,.1f}{suffix}"


def shown_change(figure: Figure) -> str:
    if figure.change is None:
        return "-"
    sign = "+" if figure.change > 0 else ""
    pct = f" ({sign}{figure.change_pct:.0f}%)" if figure.change_pct is not None else ""
    return f"{sign}{shown(figure.change)}{pct}"


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def text_table(table: Table) -> str:
    title = f"{table.measure} by {DIMENSION_TITLES.get(table.name, table.name)}"
    if table.col_dim is None:
        rows = [
            [row, shown(cells[0].value), shown(cells[0].baseline), shown_change(cells[0])]
            for row, cells in zip(table.rows, table.cells)
        ]
        rows.append([TOTAL, shown(table.total.value), shown(table.total.baseline), shown_change(table.total)])
        return (
            title
            + "\n"
            + _grid([DIMENSION_TITLES.get(table.row_dim, table.row_dim), "count", "baseline", "change"], rows)
        )
    blocks = []
    for which in ("value", "baseline"):
        rows = [
            [row] + [shown(getattr(f, which)) for f in cells] + [shown(getattr(table.row_totals[r], which))]
            for r, (row, cells) in enumerate(zip(table.rows, table.cells))
        ]
        rows.append(
            [TOTAL] + [shown(getattr(f, which)) for f in table.column_totals] + [shown(getattr(table.total, which))]
        )
        heading = f"{title} ({'this period' if which == 'value' else 'baseline'})"
        blocks.append(heading + "\n" + _grid([f"{table.row_dim} \\ {table.col_dim}", *table.columns, TOTAL], rows))
    return "\n\n".join(blocks)


RESPONSE_TITLES = {
    "incidents": "incidents alerted",
    "first_alert_median": "first alert, median (min)",
    "first_alert_p90": "first alert, 90th pct (min)",
    "acknowledged_median": "acknowledged, median (min)",
    "acknowledged_p90": "acknowledged, 90th pct (min)",
    "escalated_pct": "escalated (%)",
    "never_acknowledged_pct": "never acknowledged (%)",
}


def text_response(responses: Sequence[Response]) -> str:
    rows = []
    for measure in Response.MEASURES:
        row = [RESPONSE_TITLES[measure]]
        for item in responses:
            figure = getattr(item, measure)
            row.append(f"{shown(figure.value)} (was {shown(figure.baseline)})")
        rows.append(row)
    return "response to alerted incidents\n" + _grid(["measure", *[r.label for r in responses]], rows)


def to_text(statistics: Statistics, names: Iterable[str] | None = None, response: bool = True) -> str:
    meta = metadata(statistics)
    zone = ZoneInfo(statistics.timezone)
    local = lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    lines = [
        f"{statistics.deployment}: {local(statistics.period.start)} to {local(statistics.period.end)} "
        f"({statistics.timezone}, end excluded); baseline {local(statistics.baseline.start)} to "
        f"{local(statistics.baseline.end)}",
        f"{SUPPRESSED_MARK} = suppressed. " + meta["suppression"],
        "",
        _grid(
            ["total", "count", "baseline", "change"],
            [[m, shown(f.value), shown(f.baseline), shown_change(f)] for m, f in statistics.totals.items()],
        ),
    ]
    for table in selected_tables(statistics, names):
        lines += ["", text_table(table)]
    if response:
        lines += ["", text_response(statistics.response)]
    return "\n".join(lines) + "\n"
