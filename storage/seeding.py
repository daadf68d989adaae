"""Writes synthetic history (demo/history.py makes it up) the way the live path stores it.

Free text and addresses are encrypted with the vault like real ones, so the retention purge and the
privacy checks see the same kind of rows as in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Vault
from storage.models import Alert, Incident, OutboxMessage, Report, Reporter, Responder
from storage.repository import new_reference


@dataclass(frozen=True)
class SyntheticReport:
    channel: str
    address: str  # fictional
    role: str
    language: str
    text: str
    place_text: str | None
    types: tuple[str, ...]
    urgency: str
    area: str | None
    venue: str | None
    created_at: datetime
    alert_groups: tuple[str, ...]
    digest_groups: tuple[str, ...]


@dataclass(frozen=True)
class SyntheticAlert:
    group: str
    step: int
    created_at: datetime
    sent_at: datetime | None  # None: delivery failed
    acknowledged_at: datetime | None


@dataclass
class SyntheticIncident:
    reports: list[SyntheticReport]
    alerts: list[SyntheticAlert] = field(default_factory=list)
    first_alert_at: datetime | None = None
    acknowledged_at: datetime | None = None
    escalations: int = 0
    standalone: bool = False  # stored as a report without an incident row (older data)


async def write_history(session: AsyncSession, vault: Vault, incidents: Sequence[SyntheticIncident]) -> int:
    """Insert everything in the caller's transaction, in a few batches; returns the number of reports."""
    responders: dict[str, list[Responder]] = {}
    for responder in (await session.scalars(select(Responder).where(Responder.active.is_(True)))).all():
        responders.setdefault(responder.group, []).append(responder)
    used = set((await session.scalars(select(Report.reference))).all())

    keys = {(r.channel, r.address) for item in incidents for r in item.reports}
    pseudonyms = {vault.pseudonym(*key): key for key in keys}
    # A second run (or the scripted demo before it) may have met the same fictional people already.
    reporters: dict[tuple[str, str], Reporter] = {
        pseudonyms[row.pseudonym]: row
        for row in (await session.scalars(select(Reporter).where(Reporter.pseudonym.in_(list(pseudonyms))))).all()
    }
    for item in incidents:
        for synthetic in item.reports:
            key = (synthetic.channel, synthetic.address)
            reporter = reporters.get(key)
            if reporter is None:
                reporter = reporters[key] = Reporter(
                    pseudonym=vault.pseudonym(*key),
                    channel=synthetic.channel,
                    language=synthetic.language,
                    address_enc=vault.encrypt(synthetic.address),
                    created_at=synthetic.created_at,
                    last_seen_at=synthetic.created_at,
                )
            reporter.last_seen_at = max(reporter.last_seen_at, synthetic.created_at)
    session.add_all(reporters.values())

    rows: list[tuple[SyntheticIncident, Incident | None]] = []
    for item in incidents:
        first = item.reports[0]
        incident = None
        if not item.standalone:
            incident = Incident(
                reference="",
                status="acknowledged" if item.acknowledged_at else "open",
                types=list(first.types),
                urgency=first.urgency,
                area=first.area,
                venue=first.venue,
                chain=[],
                step=0,
                escalations=item.escalations,
                report_count=len(item.reports),
                opened_at=first.created_at,
                last_report_at=item.reports[-1].created_at,
                first_alert_at=item.first_alert_at,
                acknowledged_at=item.acknowledged_at,
            )
            session.add(incident)
        rows.append((item, incident))
    await session.flush()

    reports: list[list[Report]] = []
    for item, incident in rows:
        group = []
        for synthetic in item.reports:
            reference = new_reference()
            while reference in used:
                reference = new_reference()
            used.add(reference)
            if incident is not None and not incident.reference:
                incident.reference = reference
            group.append(
                Report(
                    reference=reference,
                    reporter_id=reporters[(synthetic.channel, synthetic.address)].id,
                    channel=synthetic.channel,
                    language=synthetic.language,
                    role=synthetic.role,
                    text_enc=vault.encrypt(synthetic.text),
                    place_text_enc=vault.encrypt_optional(synthetic.place_text),
                    types=list(synthetic.types),
                    type_scores={t: 0.9 for t in synthetic.types},
                    urgency=synthetic.urgency,
                    urgency_scores={synthetic.urgency: 0.9},
                    area=synthetic.area,
                    venue=synthetic.venue,
                    location_given=False,
                    incident_id=incident.id if incident is not None else None,
                    alert_groups=list(synthetic.alert_groups),
                    digest_groups=list(synthetic.digest_groups),
                    status="acknowledged" if item.acknowledged_at else "submitted",
                    created_at=synthetic.created_at,
                    submitted_at=synthetic.created_at,
                    acknowledged_at=item.acknowledged_at if synthetic is item.reports[0] else None,
                )
            )
        session.add_all(group)
        reports.append(group)
    await session.flush()

    alerts: list[tuple[Alert, Responder, SyntheticAlert, Report]] = []
    for (item, incident), group in zip(rows, reports):
        for synthetic_alert in item.alerts:
            for responder in responders.get(synthetic_alert.group, []):
                status = (
                    "acknowledged"
                    if synthetic_alert.acknowledged_at
                    else ("sent" if synthetic_alert.sent_at else "failed")
                )
                alert = Alert(
                    report_id=group[0].id,
                    incident_id=incident.id if incident else None,
                    group=synthetic_alert.group,
                    responder_id=responder.id,
                    step=synthetic_alert.step,
                    status=status,
                    created_at=synthetic_alert.created_at,
                    acknowledged_at=synthetic_alert.acknowledged_at,
                )
                alerts.append((alert, responder, synthetic_alert, group[0]))
    session.add_all([alert for alert, *_ in alerts])
    await session.flush()
    session.add_all(
        [
            OutboxMessage(
                alert_id=alert.id,
                report_id=report.id,
                kind="alert",
                channel=responder.channel,
                address_enc=responder.address_enc,
                body_enc=vault.encrypt(f"SALAMA synthetic alert {report.reference}"),
                status="sent" if synthetic.sent_at else "failed",
                attempts=1,
                next_attempt_at=synthetic.created_at,
                created_at=synthetic.created_at,
                sent_at=synthetic.sent_at,
            )
            for alert, responder, synthetic, report in alerts
        ]
    )
    await session.flush()
    return sum(len(group) for group in reports)
