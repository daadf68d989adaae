"""Read-only queries for the monitoring aggregates: coded fields and times, never text or pseudonyms.

Rows come back as small frozen records and are counted in monitoring/ in Python: bucketing by local
week or hour and unnesting the JSON type lists would need different SQL on SQLite and PostgreSQL,
and counting the same records in the same code gives the same figures on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, Incident, OutboxMessage, Report


@dataclass(frozen=True)
class ReportFact:
    incident_key: str  # "i<id>", or "r<id>" for a report without an incident (it is its own incident)
    created_at: datetime
    channel: str
    role: str
    language: str
    types: tuple[str, ...]
    urgency: str
    area: str | None
    venue: str | None


@dataclass(frozen=True)
class IncidentFact:
    """One situation on the ground, with the response to it. Channel, role and language: of its first report."""

    opened_at: datetime
    types: tuple[str, ...]
    urgency: str
    area: str | None
    venue: str | None
    channel: str
    role: str
    language: str
    alerted: bool  # someone was (to be) alerted live; digest-only reports are not
    first_alert_at: datetime | None
    acknowledged_at: datetime | None
    escalated: bool


@dataclass(frozen=True)
class PendingAlerts:
    count: int
    oldest_created_at: datetime | None


COUNTED = Report.status != "collecting"  # a report still being collected is counted once submitted


async def report_facts(session: AsyncSession, start: datetime, end: datetime) -> list[ReportFact]:
    """Reports created in [start, end)."""
    rows = await session.execute(
        select(
            Report.id,
            Report.incident_id,
            Report.created_at,
            Report.channel,
            Report.role,
            Report.language,
            Report.types,
            Report.urgency,
            Report.area,
            Report.venue,
        )
        .where(Report.created_at >= start, Report.created_at < end, COUNTED)
        .order_by(Report.id)
    )
    return [
        ReportFact(
            incident_key=f"i{incident_id}" if incident_id is not None else f"r{report_id}",
            created_at=created_at,
            channel=channel,
            role=role,
            language=language,
            types=tuple(types or ()),
            urgency=urgency,
            area=area,
            venue=venue,
        )
        for report_id, incident_id, created_at, channel, role, language, types, urgency, area, venue in rows
    ]


async def incident_facts(session: AsyncSession, start: datetime, end: datetime) -> list[IncidentFact]:
    """Incidents opened in [start, end), and reports of that time without an incident, each as one."""
    return await _incidents(session, start, end) + await _standalone_reports(session, start, end)


async def _incidents(session: AsyncSession, start: datetime, end: datetime) -> list[IncidentFact]:
    window = (Incident.opened_at >= start) & (Incident.opened_at < end)
    in_window = select(Incident.id).where(window).scalar_subquery()
    first_report = (
        select(Report.incident_id.label("incident_id"), func.min(Report.id).label("report_id"))
        .where(Report.incident_id.in_(in_window))
        .group_by(Report.incident_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(
                Incident.id,
                Incident.opened_at,
                Incident.types,
                Incident.urgency,
                Incident.area,
                Incident.venue,
                Incident.first_alert_at,
                Incident.acknowledged_at,
                Incident.escalations,
                Report.channel,
                Report.role,
                Report.language,
            )
            .where(window)
            .outerjoin(first_report, first_report.c.incident_id == Incident.id)
            .outerjoin(Report, Report.id == first_report.c.report_id)
            .order_by(Incident.id)
        )
    ).all()
    # Fallbacks while incidents are being wired in: the reports' own sent alerts and acknowledgements.
    sent = dict(
        (
            await session.execute(
                select(Report.incident_id, func.min(OutboxMessage.sent_at))
                .join(OutboxMessage, OutboxMessage.report_id == Report.id)
                .where(
                    Report.incident_id.in_(in_window), OutboxMessage.kind == "alert", OutboxMessage.sent_at.is_not(None)
                )
                .group_by(Report.incident_id)
            )
        ).all()
    )
    acked = dict(
        (
            await session.execute(
                select(Report.incident_id, func.min(Report.acknowledged_at))
                .where(Report.incident_id.in_(in_window))
                .group_by(Report.incident_id)
            )
        ).all()
    )
    alert_counts = dict(
        (
            await session.execute(
                select(Report.incident_id, func.count(Alert.id))
                .join(Alert, Alert.report_id == Report.id)
                .where(Report.incident_id.in_(in_window))
                .group_by(Report.incident_id)
            )
        ).all()
    )
    direct_alerts = dict(
        (
            await session.execute(
                select(Alert.incident_id, func.count(Alert.id))
                .where(Alert.incident_id.in_(in_window))
                .group_by(Alert.incident_id)
            )
        ).all()
    )
    facts = []
    for (
        incident_id,
        opened_at,
        types,
        urgency,
        area,
        venue,
        first_alert_at,
        acknowledged_at,
        escalations,
        channel,
        role,
        language,
    ) in rows:
        first_alert = first_alert_at or sent.get(incident_id)
        facts.append(
            IncidentFact(
                opened_at=opened_at,
                types=tuple(types or ()),
                urgency=urgency,
                area=area,
                venue=venue,
                channel=channel or "unknown",
                role=role or "unknown",
                language=language or "unknown",
                alerted=bool(first_alert or alert_counts.get(incident_id) or direct_alerts.get(incident_id)),
                first_alert_at=first_alert,
                acknowledged_at=acknowledged_at or acked.get(incident_id),
                escalated=(escalations or 0) > 0,
            )
        )
    return facts


async def _standalone_reports(session: AsyncSession, start: datetime, end: datetime) -> list[IncidentFact]:
    window = (Report.created_at >= start) & (Report.created_at < end) & Report.incident_id.is_(None) & COUNTED
    in_window = select(Report.id).where(window).scalar_subquery()
    rows = (
        await session.execute(
            select(
                Report.id,
                Report.created_at,
                Report.types,
                Report.urgency,
                Report.area,
                Report.venue,
                Report.channel,
                Report.role,
                Report.language,
                Report.alert_groups,
                Report.acknowledged_at,
            )
            .where(window)
            .order_by(Report.id)
        )
    ).all()
    sent = dict(
        (
            await session.execute(
                select(OutboxMessage.report_id, func.min(OutboxMessage.sent_at))
                .where(
                    OutboxMessage.report_id.in_(in_window),
                    OutboxMessage.kind == "alert",
                    OutboxMessage.sent_at.is_not(None),
                )
                .group_by(OutboxMessage.report_id)
            )
        ).all()
    )
    alerts = {
        report_id: (count, max_step)
        for report_id, count, max_step in (
            await session.execute(
                select(Alert.report_id, func.count(Alert.id), func.max(Alert.step))
                .where(Alert.report_id.in_(in_window))
                .group_by(Alert.report_id)
            )
        ).all()
    }
    facts = []
    for (
        report_id,
        created_at,
        types,
        urgency,
        area,
        venue,
        channel,
        role,
        language,
        alert_groups,
        acknowledged_at,
    ) in rows:
        count, max_step = alerts.get(report_id, (0, 0))
        facts.append(
            IncidentFact(
                opened_at=created_at,
                types=tuple(types or ()),
                urgency=urgency,
                area=area,
                venue=venue,
                channel=channel,
                role=role,
                language=language,
                alerted=bool(alert_groups or count or sent.get(report_id)),
                first_alert_at=sent.get(report_id),
                acknowledged_at=acknowledged_at,
                escalated=(max_step or 0) > 0,  # an alert sent by a later escalation step
            )
        )
    return facts


async def pending_alerts(session: AsyncSession) -> PendingAlerts:
    """Alerts waiting in the outbox (pending or being sent), for the operators' gauge."""
    count, oldest = (
        await session.execute(
            select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.kind == "alert", OutboxMessage.status.in_(("pending", "sending"))
            )
        )
    ).one()
    return PendingAlerts(count=int(count or 0), oldest_created_at=oldest)
