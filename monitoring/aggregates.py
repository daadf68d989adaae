"""Aggregates for the violence-prevention office: counts and response measures, each with its baseline.

Everything is computed from coded fields (type, urgency, area, venue, channel, role, language,
times); no free text and no pseudonym is ever read. Reports and incidents are both counted: a report
without an incident counts as its own incident. Every count table is protected as a whole, linked to
the others (see suppression.py), for the period and for its baseline separately; a change is shown
only where both of its counts are.

The full set of tables is always computed and protected together, whatever one output shows, so the
dashboard, the export and `stats` hide the same counts and cannot be combined to undo each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitoring.periods import (
    HOURS,
    WEEKDAYS,
    Bucket,
    Period,
    bucket_of,
    hour_of_week,
    month_buckets,
    week_buckets,
)
from monitoring.suppression import CountTable, protect
from storage.db import Database
from storage.statistics import IncidentFact, ReportFact, incident_facts, report_facts

Fact = ReportFact | IncidentFact

UNKNOWN_AREA = "(unknown)"
NO_VENUE = "(none)"
UNCLASSIFIED = "(unclassified)"

MEASURES = ("reports", "incidents")
ONE_WAY = ("type", "urgency", "area", "venue", "channel", "role", "language", "week", "month")
TWO_WAY = {"type_area": ("type", "area"), "hour_of_week": ("weekday", "hour")}
TABLES = ONE_WAY + tuple(TWO_WAY)  # what `stats --by` and the export can name
RESPONSE = "response"
DIMENSION_TITLES = {
    "type": "type",
    "urgency": "urgency",
    "area": "area",
    "venue": "venue",
    "channel": "channel",
    "role": "reporter role",
    "language": "language",
    "week": "week starting",
    "month": "month",
    "weekday": "weekday",
    "hour": "hour",
    "type_area": "type × area",
    "hour_of_week": "hour of week",
}


# --- inputs ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    reports: list[ReportFact]
    incidents: list[IncidentFact]


async def load_facts(db: Database, period: Period) -> Facts:
    async with db.sessions() as session:
        return Facts(
            await report_facts(session, period.start, period.end),
            await incident_facts(session, period.start, period.end),
        )


@dataclass(frozen=True)
class Vocabulary:
    """Labels always shown, in this order, even at zero: the taxonomy and the deployment's places."""

    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_deployment(cls, deployment: object | None) -> Vocabulary:
        from taxonomy import INCIDENT_TYPES, URGENCIES

        labels: dict[str, tuple[str, ...]] = {
            "type": INCIDENT_TYPES,
            "urgency": URGENCIES,
            "role": ("resident", "champion"),
            "channel": ("sms", "whatsapp", "telegram"),
        }
        if deployment is not None:
            labels["area"] = tuple(a.name for a in deployment.areas) + (UNKNOWN_AREA,)  # type: ignore[attr-defined]
            labels["venue"] = tuple(v.name for v in deployment.venues) + (NO_VENUE,)  # type: ignore[attr-defined]
            labels["language"] = tuple(deployment.languages)  # type: ignore[attr-defined]
        return cls(labels)


# --- outputs --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A published number and its baseline; None where suppressed (or, for times, where too few)."""

    value: float | None
    baseline: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.baseline is None:
            return None
        return round(self.value - self.baseline, 1)

    @property
    def change_pct(self) -> float | None:
        change = self.change
        if change is None or not self.baseline:
            return None
        return round(100.0 * change / self.baseline, 1)


@dataclass(frozen=True)
class Table:
    name: str  # a TABLES name
    measure: str
    row_dim: str
    rows: list[str]
    cells: list[list[Figure]]  # [row][column]; one column for one-way tables
    total: Figure
    col_dim: str | None = None
    columns: list[str] = field(default_factory=list)
    row_totals: list[Figure] = field(default_factory=list)  # two-way tables only
    column_totals: list[Figure] = field(default_factory=list)

    def figure(self, row: str, column: str | None = None) -> Figure:
        r = self.rows.index(row)
        return self.cells[r][self.columns.index(column) if column is not None else 0]


@dataclass(frozen=True)
class Response:
    """Response to alerted incidents opened in the period: minutes and percentages."""

    label: str  # "all" or an urgency
    incidents: Figure  # incidents alerted
    first_alert_median: Figure
    first_alert_p90: Figure
    acknowledged_median: Figure
    acknowledged_p90: Figure
    escalated_pct: Figure
    never_acknowledged_pct: Figure

    MEASURES = (
        "incidents",
        "first_alert_median",
        "first_alert_p90",
        "acknowledged_median",
        "acknowledged_p90",
        "escalated_pct",
        "never_acknowledged_pct",
    )


@dataclass(frozen=True)
class Statistics:
    deployment: str
    timezone: str
    period: Period
    baseline: Period
    min_cell: int
    generated_at: datetime
    totals: dict[str, Figure]  # reports, incidents
    tables: list[Table]
    response: list[Response]  # "all" first, then by urgency

    def table(self, name: str, measure: str = "reports") -> Table:
        return next(t for t in self.tables if t.name == name and t.measure == measure)


# --- counting -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Frame:
    """What bucketing needs for one period: its week and month windows, and the shift onto them."""

    weeks: list[Bucket]
    months: list[Bucket]
    shift: timedelta
    zone: ZoneInfo


def _when(fact: Fact) -> datetime:
    return fact.created_at if isinstance(fact, ReportFact) else fact.opened_at


def _values(fact: Fact, dim: str, frame: _Frame) -> list[str]:
    if dim == "type":
        return list(dict.fromkeys(fact.types)) or [UNCLASSIFIED]
    if dim == "area":
        return [fact.area or UNKNOWN_AREA]
    if dim == "venue":
        return [fact.venue or NO_VENUE]
    if dim in ("urgency", "channel", "role", "language"):
        return [getattr(fact, dim)]
    if dim in ("week", "month"):
        label = bucket_of(_when(fact), frame.weeks if dim == "week" else frame.months, frame.shift)
        return [label] if label is not None else []
    if dim in ("weekday", "hour"):
        weekday, hour = hour_of_week(_when(fact), frame.zone)
        return [weekday if dim == "weekday" else hour]
    raise ValueError(f"unknown dimension {dim!r}")


def _labels(dim: str, vocabulary: Vocabulary, frames: Sequence[_Frame], facts: Iterable[Fact]) -> list[str]:
    if dim == "week":
        return [b.label for b in frames[0].weeks]
    if dim == "month":
        return [b.label for b in frames[0].months]
    if dim == "weekday":
        return list(WEEKDAYS)
    if dim == "hour":
        return list(HOURS)
    known = list(vocabulary.labels.get(dim, ()))
    seen = {value for frame in frames for fact in facts for value in _values(fact, dim, frame)}
    # Unexpected codes (a retired type, a language added later) are shown after the known ones.
    return known + sorted(seen - set(known))


def _count_table(
    measure: str,
    facts: Sequence[Fact],
    frame: _Frame,
    row_dim: str,
    rows: list[str],
    col_dim: str | None = None,
    columns: Sequence[str] = (),
) -> CountTable:
    counts: Counter[tuple[str, str | None]] = Counter()
    for fact in facts:
        for row in _values(fact, row_dim, frame):
            if col_dim is None:
                counts[(row, None)] += 1
            else:
                for column in _values(fact, col_dim, frame):
                    counts[(row, column)] += 1
    if col_dim is None:
        grid = [[counts[(row, None)]] for row in rows]
    else:
        grid = [[counts[(row, column)] for column in columns] for row in rows]
    return CountTable(
        measure=measure, row_dim=row_dim, rows=list(rows), counts=grid, col_dim=col_dim, columns=list(columns)
    )


@dataclass
class _Specs:
    """The full, fixed set of count tables of one output: (name, measure, row_dim, col_dim)."""

    items: list[tuple[str, str, str, str | None]]

    @classmethod
    def full(cls) -> _Specs:
        items: list[tuple[str, str, str, str | None]] = []
        for measure in MEASURES:
            items += [(dim, measure, dim, None) for dim in ONE_WAY]
            items += [(name, measure, rows, cols) for name, (rows, cols) in TWO_WAY.items()]
        items.append(("urgency", "alerted", "urgency", None))  # the response panel's incident counts
        return cls(items)


def _facts_for(measure: str, facts: Facts) -> Sequence[Fact]:
    if measure == "reports":
        return facts.reports
    if measure == "incidents":
        return facts.incidents
    return [f for f in facts.incidents if f.alerted]


def _protected_tables(facts: Facts, frame: _Frame, labels: dict[str, list[str]], k: int) -> list[CountTable]:
    tables = [
        _count_table(
            measure,
            _facts_for(measure, facts),
            frame,
            row_dim,
            labels[row_dim],
            col_dim,
            labels[col_dim] if col_dim else (),
        )
        for _name, measure, row_dim, col_dim in _Specs.full().items
    ]
    protect(tables, k)
    return tables


def _figure(current: CountTable, baseline: CountTable, index: int) -> Figure:
    value, base = current.published(index), baseline.published(index)
    return Figure(None if value is None else float(value), None if base is None else float(base))


def _table(name: str, current: CountTable, baseline: CountTable) -> Table:
    rows = range(len(current.rows))
    figure = lambda index: _figure(current, baseline, index)  # noqa: E731
    if not current.two_dimensional:
        return Table(
            name=name,
            measure=current.measure,
            row_dim=current.row_dim,
            rows=current.rows,
            cells=[[figure(current.cell_index(r))] for r in rows],
            total=figure(current.total_index),
        )
    columns = range(len(current.columns))
    return Table(
        name=name,
        measure=current.measure,
        row_dim=current.row_dim,
        rows=current.rows,
        col_dim=current.col_dim,
        columns=current.columns,
        cells=[[figure(current.cell_index(r, c)) for c in columns] for r in rows],
        row_totals=[figure(current.row_total_index(r)) for r in rows],
        column_totals=[figure(current.column_total_index(c)) for c in columns],
        total=figure(current.total_index),
    )


# --- response measures -----------------------------------------------------------------------------------
def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (the 'inclusive' method): no dependency, exact."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _minutes(incidents: Sequence[IncidentFact], attribute: str) -> list[float]:
    out = []
    for fact in incidents:
        moment = getattr(fact, attribute)
        if moment is not None:
            out.append(max(0.0, (moment - fact.opened_at).total_seconds() / 60.0))
    return out


def _time_measure(values: Sequence[float], q: float, k: int) -> float | None:
    # A median of fewer than k response times would describe a handful of identifiable incidents.
    return round(quantile(values, q), 1) if len(values) >= k else None


def _share(part: int, whole: int, k: int) -> float | None:
    if whole < k or 0 < part < k or 0 < whole - part < k:
        return None
    return round(100.0 * part / whole, 1)


def _response_values(incidents: Sequence[IncidentFact], published_count: int | None, k: int) -> dict[str, float | None]:
    if published_count is None:
        return {name: None for name in Response.MEASURES}
    first = _minutes(incidents, "first_alert_at")
    acknowledged = _minutes(incidents, "acknowledged_at")
    return {
        "incidents": float(published_count),
        "first_alert_median": _time_measure(first, 0.5, k),
        "first_alert_p90": _time_measure(first, 0.9, k),
        "acknowledged_median": _time_measure(acknowledged, 0.5, k),
        "acknowledged_p90": _time_measure(acknowledged, 0.9, k),
        "escalated_pct": _share(sum(1 for f in incidents if f.escalated), len(incidents), k),
        "never_acknowledged_pct": _share(sum(1 for f in incidents if f.acknowledged_at is None), len(incidents), k),
    }


def _urgency_is(urgency: str) -> Callable[[IncidentFact], bool]:
    return lambda fact: fact.urgency == urgency


def _responses(
    current: Facts, baseline: Facts, alerted_now: CountTable, alerted_before: CountTable, k: int
) -> list[Response]:
    groups: list[tuple[str, Callable[[IncidentFact], bool], int]] = [("all", lambda f: True, alerted_now.total_index)]
    for i, urgency in enumerate(alerted_now.rows):
        groups.append((urgency, _urgency_is(urgency), alerted_now.cell_index(i)))
    out = []
    for label, keep, index in groups:
        now = _response_values([f for f in current.incidents if f.alerted and keep(f)], alerted_now.published(index), k)
        before = _response_values(
            [f for f in baseline.incidents if f.alerted and keep(f)], alerted_before.published(index), k
        )
        out.append(Response(label, **{name: Figure(now[name], before[name]) for name in Response.MEASURES}))
    return out


# --- the whole ----------------------------------------------------------------------------------------------
def build_statistics(
    *,
    current: Facts,
    baseline: Facts,
    period: Period,
    timezone_name: str,
    k: int,
    vocabulary: Vocabulary | None = None,
    deployment: str = "",
    generated_at: datetime | None = None,
) -> Statistics:
    zone = ZoneInfo(timezone_name)
    vocabulary = vocabulary or Vocabulary()
    weeks, months = week_buckets(period, zone), month_buckets(period, zone)
    now_frame = _Frame(weeks, months, timedelta(0), zone)
    before_frame = _Frame(weeks, months, period.length, zone)  # baseline moments shifted onto the period
    all_facts: list[Fact] = [*current.reports, *current.incidents, *baseline.reports, *baseline.incidents]
    dims = {d for _n, _m, rows, cols in _Specs.full().items for d in (rows, cols) if d}
    labels = {dim: _labels(dim, vocabulary, [now_frame, before_frame], all_facts) for dim in dims}

    now_tables = _protected_tables(current, now_frame, labels, k)
    before_tables = _protected_tables(baseline, before_frame, labels, k)
    tables: list[Table] = []
    totals: dict[str, Figure] = {}
    alerted: tuple[CountTable, CountTable] | None = None
    for (name, measure, _rows, _cols), now_table, before_table in zip(_Specs.full().items, now_tables, before_tables):
        if measure == "alerted":
            alerted = (now_table, before_table)
            continue
        tables.append(_table(name, now_table, before_table))
        if name == "urgency":  # every report and incident has exactly one urgency: its total is the count
            totals[measure] = _figure(now_table, before_table, now_table.total_index)
    assert alerted is not None
    return Statistics(
        deployment=deployment,
        timezone=timezone_name,
        period=period,
        baseline=period.previous(),
        min_cell=k,
        generated_at=generated_at or datetime.now(UTC),
        totals=totals,
        tables=tables,
        response=_responses(current, baseline, alerted[0], alerted[1], k),
    )


async def compute_statistics(
    db: Database,
    period: Period,
    *,
    timezone_name: str,
    k: int,
    vocabulary: Vocabulary | None = None,
    deployment: str = "",
) -> Statistics:
    current = await load_facts(db, period)
    baseline = await load_facts(db, period.previous())
    return build_statistics(
        current=current,
        baseline=baseline,
        period=period,
        timezone_name=timezone_name,
        k=k,
        vocabulary=vocabulary,
        deployment=deployment,
    )
