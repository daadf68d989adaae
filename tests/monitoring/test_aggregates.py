"""Aggregates from coded fields: reports and incidents, baselines, buckets, response measures.

The queries run on SQLite and PostgreSQL (the `database_url` fixture); the counting is checked on
hand-made facts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitoring.aggregates import Facts, Figure, build_statistics
from monitoring.periods import Period, hour_of_week, last_days, month_buckets, week_buckets
from storage.db import Database
from storage.models import Alert, Incident, OutboxMessage, Report, Responder
from storage.statistics import IncidentFact, ReportFact, incident_facts, report_facts

UTC = UTC
NAIROBI = ZoneInfo("Africa/Nairobi")
T0 = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)  # Monday 2 March, midnight in Nairobi


def report(
    at: datetime,
    key: str,
    area: str = "Harbour",
    types: tuple[str, ...] = ("robbery",),
    urgency: str = "urgent",
    channel: str = "sms",
) -> ReportFact:
    return ReportFact(
        incident_key=key,
        created_at=at,
        channel=channel,
        role="resident",
        language="en",
        types=types,
        urgency=urgency,
        area=area,
        venue=None,
    )


def incident(
    at: datetime,
    urgency: str = "urgent",
    alert_after: float | None = 2.0,
    ack_after: float | None = 10.0,
    escalated: bool = False,
    area: str = "Harbour",
) -> IncidentFact:
    return IncidentFact(
        opened_at=at,
        types=("robbery",),
        urgency=urgency,
        area=area,
        venue=None,
        channel="sms",
        role="resident",
        language="en",
        alerted=True,
        first_alert_at=at + timedelta(minutes=alert_after) if alert_after is not None else None,
        acknowledged_at=at + timedelta(minutes=ack_after) if ack_after is not None else None,
        escalated=escalated,
    )


def test_figures_carry_baseline_and_change() -> None:
    figure = Figure(12.0, 8.0)
    assert figure.change == 4.0 and figure.change_pct == 50.0
    assert Figure(12.0, None).change is None and Figure(None, 3.0).change_pct is None
    assert Figure(5.0, 0.0).change_pct is None  # no percentage of nothing


def test_periods_baselines_and_buckets() -> None:
    period = Period(datetime(2026, 3, 1, 21, tzinfo=UTC), datetime(2026, 3, 29, 21, tzinfo=UTC))  # 2-30 Mar local
    assert period.previous() == Period(datetime(2026, 2, 1, 21, tzinfo=UTC), period.start)
    weeks = week_buckets(period, NAIROBI)
    assert [b.label for b in weeks] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    assert all(b.end - b.start == timedelta(days=7) for b in weeks)
    months = month_buckets(Period(datetime(2026, 1, 20, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)), NAIROBI)
    assert [b.label for b in months] == ["2026-01", "2026-02", "2026-03"]
    assert hour_of_week(datetime(2026, 3, 6, 20, 30, tzinfo=UTC), NAIROBI) == ("Fri", "23")  # local time
    recent = last_days(28, NAIROBI, now=datetime(2026, 3, 30, 5, tzinfo=UTC))
    assert recent.end == datetime(2026, 3, 29, 21, tzinfo=UTC)  # midnight of the 30th, Nairobi


def test_reports_incidents_baseline_and_suppression() -> None:
    period = Period(T0, T0 + timedelta(days=14))
    before = period.previous()
    current = Facts(
        reports=[report(T0 + timedelta(hours=i), f"i{i // 2}") for i in range(12)]  # 12 reports, 6 incidents
        + [report(T0 + timedelta(hours=i), f"r{i}", area="Old Town") for i in range(6)]
        + [report(T0 + timedelta(days=8), "r99", area="Hillside", types=("gun_violence",), urgency="emergency")],
        incidents=[incident(T0 + timedelta(hours=2 * i)) for i in range(6)]
        + [incident(T0 + timedelta(hours=i), area="Old Town") for i in range(6)]
        + [incident(T0 + timedelta(days=8), urgency="emergency", area="Hillside")],
    )
    baseline = Facts(
        reports=[report(before.start + timedelta(hours=i), f"r{i}") for i in range(8)],
        incidents=[incident(before.start + timedelta(hours=i)) for i in range(8)],
    )
    stats = build_statistics(current=current, baseline=baseline, period=period, timezone_name="Africa/Nairobi", k=5)
    assert stats.totals["reports"] == Figure(19.0, 8.0)
    assert stats.totals["incidents"] == Figure(13.0, 8.0)
    area = stats.table("area")
    assert area.figure("Harbour") == Figure(12.0, 8.0)
    assert area.figure("Hillside").value is None  # one report: suppressed
    assert area.figure("Old Town").value is None  # ... and the smallest other area, or 19 - 12 - 6 gives it away
    assert area.figure("Old Town").baseline == 0.0
    assert stats.table("type").figure("gun_violence").value is None
    # The weekly buckets compare each week with the same week one period earlier.
    weeks = stats.table("week")
    assert weeks.rows == ["2026-03-02", "2026-03-09"]
    assert weeks.figure("2026-03-02").baseline == 8.0
    assert weeks.figure("2026-03-09").value is None and weeks.figure("2026-03-02").value is None  # 18 + 1 = 19
    assert weeks.total.value == 19.0
    # Every published count is 0 or at least k.
    for table in stats.tables:
        for figure in [c for row in table.cells for c in row] + table.row_totals + table.column_totals + [table.total]:
            for value in (figure.value, figure.baseline):
                assert value is None or value == 0 or value >= 5, table.name


def test_response_measures() -> None:
    period = Period(T0, T0 + timedelta(days=7))
    incidents = [
        incident(T0 + timedelta(hours=i), alert_after=1.0 + i, ack_after=10.0 * (i + 1), escalated=i >= 5)
        for i in range(10)
    ]
    incidents += [incident(T0 + timedelta(hours=20 + i), ack_after=None) for i in range(5)]  # never acknowledged
    stats = build_statistics(
        current=Facts([], incidents), baseline=Facts([], []), period=period, timezone_name="UTC", k=5
    )
    overall = stats.response[0]
    assert overall.label == "all" and overall.incidents.value == 15.0
    first_alerts = sorted([1.0 + i for i in range(10)] + [2.0] * 5)
    assert overall.first_alert_median.value == first_alerts[7]
    assert overall.acknowledged_median.value == 55.0  # median of 10, 20 ... 100
    assert overall.escalated_pct.value == round(100 * 5 / 15, 1)
    assert overall.never_acknowledged_pct.value == round(100 * 5 / 15, 1)
    assert overall.first_alert_median.baseline is None  # nothing before: no baseline, no change
    # Shares that would reveal a count below k are withheld.
    few = incidents[:10] + [incident(T0 + timedelta(hours=30), ack_after=None)]
    stats = build_statistics(current=Facts([], few), baseline=Facts([], []), period=period, timezone_name="UTC", k=5)
    assert stats.response[0].never_acknowledged_pct.value is None


async def test_queries_read_coded_fields_and_fall_back_for_reports_without_incident(database_url: str) -> None:
    db = Database(database_url)
    start = datetime(2026, 5, 4, 8, tzinfo=UTC)
    try:
        async with db.sessions() as session, session.begin():
            responder = Responder(
                group="crisis_responders", name="A", channel="sms", address_enc=b"x", address_key="k", language="en"
            )
            opened = Incident(
                reference="R-AAAA",
                types=["robbery"],
                urgency="urgent",
                area="Harbour",
                opened_at=start,
                first_alert_at=start + timedelta(minutes=3),
                escalations=1,
            )
            session.add_all([responder, opened])
            await session.flush()
            first = Report(
                reference="R-AAAA",
                channel="sms",
                language="sw",
                role="resident",
                types=["robbery"],
                urgency="urgent",
                area="Harbour",
                status="submitted",
                incident_id=opened.id,
                created_at=start,
                acknowledged_at=start + timedelta(minutes=9),
                text_enc=b"secret",
            )
            second = Report(
                reference="R-BBBB",
                channel="telegram",
                language="en",
                role="champion",
                types=["robbery"],
                urgency="urgent",
                area="Harbour",
                status="submitted",
                incident_id=opened.id,
                created_at=start + timedelta(minutes=5),
            )
            alone = Report(
                reference="R-CCCC",
                channel="whatsapp",
                language="pt",
                role="resident",
                types=["physical_assault", "threats_extortion"],
                urgency="emergency",
                area=None,
                status="submitted",
                created_at=start + timedelta(hours=1),
                alert_groups=["crisis_responders"],
            )
            collecting = Report(
                reference="R-DDDD",
                channel="sms",
                language="en",
                role="resident",
                types=[],
                urgency="routine",
                status="collecting",
                created_at=start + timedelta(hours=2),
            )
            session.add_all([first, second, alone, collecting])
            await session.flush()
            for step in (0, 1):
                alert = Alert(report_id=alone.id, group="crisis_responders", responder_id=responder.id, step=step)
                session.add(alert)
                await session.flush()
                session.add(
                    OutboxMessage(
                        alert_id=alert.id,
                        report_id=alone.id,
                        kind="alert",
                        channel="sms",
                        status="sent",
                        created_at=start + timedelta(hours=1),
                        sent_at=start + timedelta(hours=1, minutes=2 + step),
                    )
                )
        async with db.sessions() as session:
            reports = await report_facts(session, start, start + timedelta(days=1))
            incidents = await incident_facts(session, start, start + timedelta(days=1))
    finally:
        await db.dispose()
    assert [r.incident_key for r in reports] == [f"i{opened.id}", f"i{opened.id}", f"r{alone.id}"]  # not collecting
    assert reports[2].types == ("physical_assault", "threats_extortion") and reports[2].area is None
    assert len(incidents) == 2
    grouped, own = incidents
    assert (grouped.channel, grouped.role, grouped.language) == ("sms", "resident", "sw")  # of its first report
    assert grouped.first_alert_at == start + timedelta(minutes=3)
    assert grouped.acknowledged_at == start + timedelta(minutes=9)  # from the report while incidents lack it
    assert grouped.escalated and grouped.alerted
    assert own.alerted and own.escalated  # an alert sent by escalation step 1
    assert own.first_alert_at == start + timedelta(hours=1, minutes=2)  # the first alert sent, from the outbox
    assert own.acknowledged_at is None
