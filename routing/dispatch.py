"""From a completed report to alerts in the outbox, in the caller's transaction.

A report either joins an open incident nearby (clustering: responders get one short update) or opens
a new one, whose escalation chain is snapshotted and run until its first wait. Alerts say what,
where, how urgent, when, the report's words and how to take it, in each responder's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm.attributes import flag_modified

import locales
from locales import catalog
from routing.deployment import INCIDENT_TYPES, Deployment
from routing.escalation import Notify, advance, resolve_group, snapshot
from routing.rules import ReportFacts, RoutingDecision, decide
from storage.models import Incident, Report, Responder, utcnow
from storage.repository import Store

MAX_QUOTE = {"sms": 240, "whatsapp": 600, "telegram": 1200}  # keep SMS alerts to about two segments
URGENCY_ORDER = ("routine", "urgent", "emergency")
# Types that describe the same kind of scene: a report of one joins an open incident of another.
TYPE_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"physical_assault", "gun_violence", "threats_extortion", "robbery"}),
    frozenset({"sexual_harassment", "sexual_assault", "drink_spiking"}),
)


def _quote(text: str, channel: str) -> str:
    limit = MAX_QUOTE.get(channel, 600)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compatible(types_a: list[str], types_b: list[str]) -> bool:
    a, b = set(types_a) - {"other"}, set(types_b) - {"other"}
    if a & b:
        return True
    return any(a & family and b & family for family in TYPE_FAMILIES)


def format_alert(
    *, reference: str, facts: ReportFacts, text: str, place_text: str, at: datetime, timezone: str,
    language: str, channel: str, escalated: bool = False,
) -> str:
    t = locales.translate
    types = ", ".join(locales.type_name(language, label) for label in facts.types)
    where = facts.area or t(language, catalog.UNKNOWN_AREA)
    if facts.venue:
        where = f"{where} ({facts.venue})"
    if place_text:
        where = f"{where}: {_quote(place_text, 'sms')}"
    local = at.astimezone(ZoneInfo(timezone))
    lines = [
        t(language, catalog.ALERT_TITLE, urgency=locales.urgency_name(language, facts.urgency), ref=reference),
        t(language, catalog.ALERT_TYPE, types=types),
        t(language, catalog.ALERT_WHERE, area=where),
        t(language, catalog.ALERT_WHEN, time=local.strftime("%H:%M %d/%m")),
        f"\"{_quote(text, channel)}\"" if text else "",
        t(language, catalog.ALERT_ESCALATED) if escalated else "",
        t(language, catalog.ALERT_HOW_TO_ACK, ack=locales.keyword(language, "ACK"), ref=reference),
    ]
    return "\n".join(line for line in lines if line)


def alert_buttons(language: str, reference: str) -> list[list[list[str]]]:
    t = locales.translate
    return [
        [[t(language, catalog.BUTTON_ACK), f"ACK {reference}"], [t(language, catalog.BUTTON_ESCALATE), f"ESC {reference}"]],
        [[t(language, catalog.BUTTON_RESOLVE), f"DONE {reference}"],
         [t(language, catalog.BUTTON_WRONG_TYPE), f"TYPES {reference}"]],
    ]


def type_buttons(language: str, reference: str) -> list[list[list[str]]]:
    labels = [[locales.type_name(language, label), f"TYPE {reference} {label}"] for label in INCIDENT_TYPES]
    return [labels[i : i + 2] for i in range(0, len(labels), 2)]


class Dispatcher:
    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.nightlife_venues = {v.name for v in deployment.venues if v.nightlife}
        self.cluster_window = timedelta(minutes=deployment.cluster_window_minutes)

    def facts_of(self, report: Report) -> ReportFacts:
        return ReportFacts(types=tuple(report.types), urgency=report.urgency, area=report.area, venue=report.venue,
                           nightlife=report.venue in self.nightlife_venues)

    # --- a completed report ------------------------------------------------------------------------
    async def submit(self, store: Store, report: Report, now: datetime | None = None) -> RoutingDecision:
        now = now or utcnow()
        facts = self.facts_of(report)
        decision = decide(self.deployment, facts)
        report.alert_groups = list(decision.alert_groups)
        report.digest_groups = list(decision.digest_groups)
        report.status = "submitted"
        report.submitted_at = now
        incident = await self._joinable_incident(store, report, now)
        if incident is not None:
            await self._join(store, incident, report, now)
        else:
            await self._open(store, report, facts, decision, now)
        store.audit(
            "report_submitted", report, routes=list(decision.routes), alert_groups=list(decision.alert_groups),
            digest_groups=list(decision.digest_groups), withheld_groups=list(decision.withheld_groups),
            joined_incident=incident is not None,
        )
        return decision

    async def _joinable_incident(self, store: Store, report: Report, now: datetime) -> Incident | None:
        if report.area is None or not self.cluster_window:
            return None
        for incident in await store.open_incident_near(report.area, report.venue, now - self.cluster_window):
            if compatible(incident.types, report.types):
                return incident
        return None

    async def _open(
        self, store: Store, report: Report, facts: ReportFacts, decision: RoutingDecision, now: datetime
    ) -> Incident:
        incident = Incident(
            reference=report.reference, types=list(report.types), urgency=report.urgency, area=report.area,
            venue=report.venue, route=decision.routes[0] if decision.routes else None,
            chain=snapshot(decision.chain), opened_at=now, last_report_at=now,
        )
        store.session.add(incident)
        await store.session.flush()
        report.incident_id = incident.id
        notifications = [
            note for group in decision.also_groups
            for note in resolve_group(self.deployment, group, now, report.area, None, report.types, -1, False)
        ]
        chain_notes, incident.step, incident.next_step_at = advance(
            incident.chain, 0, now, self.deployment, report.area, report.types)
        flag_modified(incident, "chain")
        await self._alert(store, incident, report, notifications + chain_notes, now)
        if incident.next_step_at is None and not await store.alerts_of_incident(incident):
            incident.status = "digest"  # nobody to alert (an unsafe place for the digest): nothing to chase
        return incident

    async def _join(self, store: Store, incident: Incident, report: Report, now: datetime) -> None:
        report.incident_id = incident.id
        incident.report_count += 1
        incident.last_report_at = now
        new_types = [t for t in report.types if t not in incident.types]
        incident.types = list(dict.fromkeys(incident.types + report.types))
        raised = URGENCY_ORDER.index(report.urgency) > URGENCY_ORDER.index(incident.urgency)
        if raised:
            incident.urgency = report.urgency
        text = store.report_text(report)
        for responder in await self._responders_of(store, incident):
            language = responder.language
            news = [locales.type_name(language, t) for t in new_types]
            if raised:
                news.append(locales.urgency_name(language, report.urgency))
            summary = "; ".join(news + [f"\"{_quote(text, 'sms')[:140]}\""])
            body = locales.translate(language, catalog.ALERT_UPDATE, ref=incident.reference,
                                     count=str(incident.report_count), summary=summary)
            store.enqueue(responder.channel, store.responder_address(responder), body, "update", report)
        store.audit("incident_joined", report, incident=incident.id, reports=incident.report_count)

    async def _responders_of(self, store: Store, incident: Incident) -> list[Responder]:
        responders: dict[int, Responder] = {}
        for alert in await store.alerts_of_incident(incident):
            responder = await store.responder(alert.responder_id)
            if responder is not None:
                responders[responder.id] = responder
        return list(responders.values())

    async def _alert(
        self, store: Store, incident: Incident, report: Report, notifications: list[Notify], now: datetime
    ) -> int:
        facts = self.facts_of(report)
        text, place_text = store.report_text(report), store.place_text(report)
        sent = 0
        escalated = False
        for note in notifications:
            for member in note.members:
                responder = await store.responder_named(note.group, member.name)
                if responder is None:
                    continue
                body = format_alert(
                    reference=incident.reference, facts=facts, text=text, place_text=place_text,
                    at=report.created_at, timezone=self.deployment.timezone, language=responder.language,
                    channel=responder.channel, escalated=note.escalation,
                )
                buttons = alert_buttons(responder.language, incident.reference) if responder.channel == "telegram" else None
                await store.add_alert(report, incident, responder, note.step, body, buttons)
                sent += 1
            escalated = escalated or note.escalation
            if note.note:
                store.audit("escalation_backup", report, incident=incident.id, detail=note.note)
        if escalated:
            incident.escalations += 1
        if sent and incident.first_alert_at is None:
            incident.first_alert_at = now
        return sent

    # --- escalation --------------------------------------------------------------------------------
    async def run_due(self, store: Store, now: datetime | None = None) -> int:
        """Move every incident whose wait is over along its chain. Returns how many moved."""
        now = now or utcnow()
        due = await store.due_incidents(now)
        for incident in due:
            await self.step(store, incident, now)
        return len(due)

    async def step(self, store: Store, incident: Incident, now: datetime) -> int:
        """Run the incident's chain from where it stands (also used by a responder's Escalate)."""
        reports = await store.reports_of_incident(incident)
        if not reports or incident.step >= len(incident.chain.get("steps", [])):
            incident.next_step_at = None
            return 0
        notes, incident.step, incident.next_step_at = advance(
            incident.chain, incident.step, now, self.deployment, incident.area, incident.types)
        flag_modified(incident, "chain")
        sent = await self._alert(store, incident, reports[0], notes, now)
        store.audit("incident_escalated", reports[0], incident=incident.id, step=incident.step, alerts=sent)
        return sent

    async def send_update(self, store: Store, report: Report, note: str) -> None:
        """Tell everyone alerted on the report's incident about new information (e.g. the place)."""
        incident = await store.incident(report.incident_id) if report.incident_id else None
        if incident is None:
            return
        for responder in await self._responders_of(store, incident):
            store.enqueue(responder.channel, store.responder_address(responder), f"{incident.reference}: {note}",
                          "update", report)
        store.audit("report_updated", report)
