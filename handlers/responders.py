"""Responders act on alerts: by SMS (`ACK R-7K3F`, `DONE R-7K3F`, `ESC R-7K3F`, `TYPE R-7K3F gun_violence`)
or with the buttons under a Telegram alert, which send the same commands.

Only a registered member of a group that got an alert for that incident may act on it; anyone else
gets a polite refusal and nothing changes. Taking a report stops the escalation, tells the other
recipients who took it (Telegram alerts are edited in place) and tells the reporter, unless they asked
for no follow-up messages.
"""

from __future__ import annotations

import re

import locales
from handlers.base import InboundMessage, Reply, keyboard
from locales import catalog
from routing.deployment import INCIDENT_TYPES
from routing.dispatch import Dispatcher, type_buttons
from storage.models import Incident, Report, Responder, utcnow
from storage.repository import Store

COMMAND = re.compile(r"^\s*/?(?P<word>\w+)\s+(?P<ref>R-?[2-9A-HJ-NP-Z]{4})(?:\s+(?P<arg>[a-z_]+))?\s*$", re.IGNORECASE)
ACTIONS = {"ESC": "ESC", "ESCALATE": "ESC", "TYPE": "TYPE", "TYPES": "TYPES"}  # besides the ACK/DONE keywords


def _reference(raw: str) -> str:
    return "R-" + raw.upper().replace("-", "")[1:]


class ResponderDesk:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.deployment = dispatcher.deployment

    async def handle(self, store: Store, message: InboundMessage) -> list[Reply] | None:
        """Replies if the message is a responder command; None lets the reporter dialogue take it."""
        match = COMMAND.match(message.text)
        if not match:
            return None
        word = match["word"].upper()
        action = ACTIONS.get(word) or (locales.match_keyword(word) if locales.match_keyword(word) in ("ACK", "DONE") else None)
        if action is None:
            return None
        reference = _reference(match["ref"])
        responder = await store.responder_for(message.channel, message.address)
        language = responder.language if responder else self.deployment.default_language
        report = await store.report_by_reference(reference)
        incident = await store.incident(report.incident_id) if report and report.incident_id else None
        if responder is None or report is None or incident is None or not await self._may_act(store, responder, incident):
            return [Reply(locales.translate(language, catalog.ACK_REFUSED, ref=reference))]
        reference = incident.reference
        if action == "ACK":
            return [await self._take(store, responder, incident, language)]
        if action == "DONE":
            await self._resolve(store, responder, incident)
            return [Reply(locales.translate(language, catalog.RESOLVED, ref=reference))]
        if action == "ESC":
            sent = await self.dispatcher.step(store, incident, utcnow()) if incident.status == "open" else 0
            store.audit("escalated_by_responder", report, incident=incident.id, responder_id=responder.id)
            text = catalog.ESCALATED if sent else catalog.NOTHING_TO_ESCALATE
            return [Reply(locales.translate(language, text, ref=reference))]
        if action == "TYPES":
            return [Reply(locales.translate(language, catalog.CHOOSE_TYPE, ref=reference),
                          keyboard(type_buttons(language, reference)))]
        label = (match["arg"] or "").lower()
        if label not in INCIDENT_TYPES:
            return [Reply(locales.translate(language, catalog.CHOOSE_TYPE, ref=reference),
                          keyboard(type_buttons(language, reference)))]
        await self._correct(store, responder, incident, report, label)
        return [Reply(locales.translate(language, catalog.TYPE_CORRECTED, ref=reference,
                                        type=locales.type_name(language, label)))]

    async def _may_act(self, store: Store, responder: Responder, incident: Incident) -> bool:
        return responder.group in {alert.group for alert in await store.alerts_of_incident(incident)}

    async def _take(self, store: Store, responder: Responder, incident: Incident, language: str) -> Reply:
        if incident.acknowledged_by is not None and incident.acknowledged_by != responder.id:
            other = await store.responder(incident.acknowledged_by)
            return Reply(locales.translate(language, catalog.ACK_TAKEN_BY_OTHER, ref=incident.reference,
                                           name=other.name if other else "?"))
        now = utcnow()
        first_time = incident.acknowledged_by is None
        incident.status = "acknowledged"
        incident.acknowledged_by = responder.id
        incident.acknowledged_at = incident.acknowledged_at or now
        incident.next_step_at = None  # the chain stops here
        for alert in await store.alerts_of_incident(incident):
            if alert.responder_id == responder.id:
                alert.status, alert.acknowledged_at = "acknowledged", alert.acknowledged_at or now
        reports = await store.reports_of_incident(incident)
        for report in reports:
            report.status = "acknowledged"
            report.acknowledged_at = report.acknowledged_at or now
        if first_time:
            await self._tell_other_responders(store, responder, incident)
            await self._tell_reporters(store, reports)
        store.audit("incident_acknowledged", reports[0] if reports else None, incident=incident.id,
                    group=responder.group, responder_id=responder.id)
        return Reply(locales.translate(language, catalog.ACK_CONFIRMED, ref=incident.reference))

    async def _tell_other_responders(self, store: Store, taker: Responder, incident: Incident) -> None:
        told: set[int] = set()
        for alert in await store.alerts_of_incident(incident):
            if alert.responder_id == taker.id or alert.responder_id in told:
                continue
            told.add(alert.responder_id)
            other = await store.responder(alert.responder_id)
            if other is None:
                continue
            note = locales.translate(other.language, catalog.ACK_TAKEN_BY_OTHER, ref=incident.reference, name=taker.name)
            message_id = await store.sent_message_id(alert) if other.channel == "telegram" else None
            if message_id is not None:
                original = await store.alert_body(alert)
                store.enqueue(other.channel, store.responder_address(other), f"{original}\n\n✔ {note}", "edit",
                              alert=alert, edit_of=message_id)
            else:
                store.enqueue(other.channel, store.responder_address(other), note, "update", alert=alert)

    async def _tell_reporters(self, store: Store, reports: list[Report] | tuple[Report, ...]) -> None:
        for report in reports:
            reporter = await store.reporter(report.reporter_id)
            address = store.reporter_address(reporter) if reporter and not reporter.opted_out else None
            if report.quiet or address is None:
                continue
            language = reporter.language or report.language
            store.enqueue(report.channel, address,
                          locales.translate(language, catalog.ACKNOWLEDGED_TO_REPORTER, ref=report.reference),
                          "status", report)

    async def _resolve(self, store: Store, responder: Responder, incident: Incident) -> None:
        now = utcnow()
        incident.status = "resolved"
        incident.resolved_at = now
        incident.next_step_at = None
        if incident.acknowledged_by is None:
            incident.acknowledged_by, incident.acknowledged_at = responder.id, now
        for report in await store.reports_of_incident(incident):
            report.status = "closed"
            report.acknowledged_at = report.acknowledged_at or now
        store.audit("incident_resolved", None, incident=incident.id, responder_id=responder.id)

    async def _correct(self, store: Store, responder: Responder, incident: Incident, report: Report, label: str) -> None:
        store.add_correction(report, responder, label)
        report.types = [label]
        incident.types = list(dict.fromkeys([label] + [t for t in incident.types if t != label]))
        store.audit("type_corrected", report, incident=incident.id, responder_id=responder.id, new_type=label)

