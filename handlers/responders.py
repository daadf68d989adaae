"""Responders act on alerts: by SMS (`ACK R-7K3F`, `DONE R-7K3F`, `ESC R-7K3F`, `TYPE R-7K3F gun_violence`)
or with the buttons under a Telegram alert, which send the same commands.

Who may act: ACK, ESC and SPLIT by someone the incident's chain has reached (they got an alert on it);
DONE and TYPE by the holder, or by anyone in the holder's group once it has taken it. A person listed
in several groups acts as each. Nobody in a police-affiliated group acts on an incident touched by
police misconduct. Anyone else gets a polite refusal in their language and nothing changes.
Taking a report stops the escalation, tells the other
recipients who took it (Telegram alerts are edited in place) and tells the reporter, unless they asked
for no follow-up messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import locales
from handlers.base import InboundMessage, Reply
from locales import catalog
from nlp.text import fold
from routing.channels import capabilities, keyboard
from routing.dispatch import Dispatcher, type_buttons
from routing.safeguard import touched_by_misconduct
from storage.models import Incident, Report, Responder, utcnow
from storage.repository import Store
from taxonomy import INCIDENT_TYPES

COMMAND = re.compile(r"^\s*/?(?P<word>\w+)\s+(?P<ref>R-?[2-9A-HJ-NP-Z]{4})(?:\s+(?P<arg>[a-z_]+))?\s*$", re.IGNORECASE)
# Besides the ACK/DONE keywords (translated in the catalogues): the other commands, with the words
# responders of the six languages reach for first (folded: capitals, no accents).
ACTIONS = {
    "ESC": "ESC",
    "ESCALATE": "ESC",
    "ESCALAR": "ESC",
    "ESCALADER": "ESC",
    "PANDISHA": "ESC",
    "TYPE": "TYPE",
    "TIPO": "TYPE",
    "AINA": "TYPE",
    "TYPES": "TYPES",
    "TIPOS": "TYPES",
    "SPLIT": "SPLIT",
    "SEPARAR": "SPLIT",
    "DIVIDIR": "SPLIT",
    "SEPARER": "SPLIT",
    "TENGANISHA": "SPLIT",
}
ANY_REFERENCE = re.compile(r"(?<![\w-])R-?[2-9A-HJ-NP-Z]{4}", re.IGNORECASE)


def _reference(raw: str) -> str:
    return "R-" + raw.upper().replace("-", "")[1:]


class ResponderDesk:
    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.deployment = dispatcher.deployment

    async def handle(self, store: Store, message: InboundMessage) -> list[Reply] | None:
        """Replies if the message is a responder command; None lets the reporter dialogue take it.

        A registered responder whose message looks like a command but is not one ("SPLIT", "TIPO R-7K3F
        robo x", a code with a typo) gets the list of commands: it must never start a reporter dialogue
        that would, on expiry, become an anonymous report."""
        match = COMMAND.match(message.text)
        action = self._action(match["word"]) if match else None
        if match is None or action is None:
            return await self._command_help(store, message)
        reference = _reference(match["ref"])
        people = list(await store.responders_for(message.channel, message.address))
        language = people[0].language if people else self.deployment.default_language
        report = await store.report_by_reference(reference)
        incident = await store.incident(report.incident_id) if report and report.incident_id else None
        if not people or report is None or incident is None:
            return [self._say(language, catalog.ACK_REFUSED, ref=reference)]
        acting, refusal = await self._who_acts(store, people, incident, report, action)
        if acting is None:
            return [self._say(language, refusal, ref=incident.reference, ack=locales.keyword(language, "ACK"))]
        language = acting.language
        reference = incident.reference
        if action == "ACK":
            return [await self._take(store, acting, incident, language)]
        if action == "DONE":
            await self._resolve(store, acting, incident)
            return [self._say(language, catalog.RESOLVED, ref=reference)]
        if action == "ESC":
            chain_left = incident.step < len((incident.chain or {}).get("steps", []))
            sent = (
                await self.dispatcher.step(store, incident, utcnow()) if incident.status == "open" and chain_left else 0
            )
            store.audit("escalated_by_responder", report, incident=incident.id, responder_id=acting.id)
            return [self._say(language, catalog.ESCALATED if sent else catalog.NOTHING_TO_ESCALATE, ref=reference)]
        if action == "SPLIT":
            if report.reference == incident.reference or incident.report_count <= 1:
                return [self._say(language, catalog.SPLIT_REFUSED, ref=report.reference)]
            await self.dispatcher.split(store, incident, report)
            store.audit("split_by_responder", report, incident=incident.id, responder_id=acting.id)
            return [self._say(language, catalog.SPLIT_DONE, ref=report.reference)]
        label = (match["arg"] or "").lower()
        if action == "TYPES" or label not in INCIDENT_TYPES:
            return [
                Reply(
                    locales.translate(language, catalog.CHOOSE_TYPE, ref=reference),
                    keyboard(type_buttons(language, reference)),
                )
            ]
        await self.dispatcher.correct_type(store, incident, acting, label)
        return [self._say(language, catalog.TYPE_CORRECTED, ref=reference, type=locales.type_name(language, label))]

    @staticmethod
    def _action(word: str) -> str | None:
        folded = fold(word).upper()
        keyword = locales.match_keyword(word)
        return ACTIONS.get(folded) or (keyword if keyword in ("ACK", "DONE") else None)

    async def _command_help(self, store: Store, message: InboundMessage) -> list[Reply] | None:
        first = message.text.strip().split(maxsplit=1)[0] if message.text.strip() else ""
        looks_like_a_command = bool(first) and (
            self._action(first.lstrip("/")) is not None or ANY_REFERENCE.search(message.text) is not None
        )
        if not looks_like_a_command:
            return None
        people = await store.responders_for(message.channel, message.address)
        if not people:
            return None  # a reporter asking about their code, or words that merely look like one
        language = people[0].language
        return [
            self._say(
                language,
                catalog.RESPONDER_COMMANDS,
                ref="R-7K3F",
                ack=locales.keyword(language, "ACK"),
                done=locales.keyword(language, "DONE"),
            )
        ]

    @staticmethod
    def _say(language: str, msgid: str, **params: str) -> Reply:
        return Reply(locales.translate(language, msgid, **params))

    async def _who_acts(
        self,
        store: Store,
        people: list[Responder],
        incident: Incident,
        report: Report,
        action: str,
    ) -> tuple[Responder | None, str]:
        """The row (group membership) the person acts as, or None and the refusal to give."""
        reports = list(await store.reports_of_incident(incident))
        if touched_by_misconduct(incident, reports) and any(self.dispatcher.gate.is_police(store, p) for p in people):
            return None, catalog.ACK_REFUSED
        row_ids = {p.id: p for p in people}
        reached = [
            row_ids[a.responder_id] for a in await store.alerts_of_incident(incident) if a.responder_id in row_ids
        ]
        if action in ("ACK", "ESC", "SPLIT"):
            return (reached[0], "") if reached else (None, catalog.ACK_REFUSED)
        # DONE, TYPE, TYPES: the holder, or the holder's group, once someone has taken it
        if incident.acknowledged_by is None:
            return (None, catalog.TAKE_FIRST) if reached else (None, catalog.ACK_REFUSED)
        if incident.acknowledged_by in row_ids:
            return row_ids[incident.acknowledged_by], ""
        holder = await store.responder(incident.acknowledged_by)
        same_group = [p for p in people if holder is not None and p.group == holder.group]
        return (same_group[0], "") if same_group else (None, catalog.HOLDER_ONLY)

    async def _take(self, store: Store, responder: Responder, incident: Incident, language: str) -> Reply:
        if incident.acknowledged_by is not None and incident.acknowledged_by != responder.id:
            other = await store.responder(incident.acknowledged_by)
            return Reply(
                locales.translate(
                    language, catalog.ACK_TAKEN_BY_OTHER, ref=incident.reference, name=other.name if other else "?"
                )
            )
        now = utcnow()
        first_time = incident.acknowledged_by is None
        incident.status = "acknowledged"
        incident.acknowledged_by = responder.id
        incident.acknowledged_at = incident.acknowledged_at or now
        self.dispatcher.schedule_unresolved_reminder(incident, now)  # the chain stops here
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
        store.audit(
            "incident_acknowledged",
            reports[0] if reports else None,
            incident=incident.id,
            group=responder.group,
            responder_id=responder.id,
        )
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
            note = locales.translate(
                other.language, catalog.ACK_TAKEN_BY_OTHER, ref=incident.reference, name=taker.name
            )
            message_id = await store.sent_message_id(alert) if capabilities(other.channel).edit_in_place else None
            gate = self.dispatcher.gate
            if message_id is not None:
                original = await store.alert_body(alert)
                await gate.send(
                    store, other, f"{original}\n\n✔ {note}", "edit", incident=incident, alert=alert, edit_of=message_id
                )
            else:
                await gate.send(store, other, note, "update", incident=incident, alert=alert)

    async def _tell_reporters(self, store: Store, reports: Sequence[Report]) -> None:
        for report in reports:
            reporter = await store.reporter(report.reporter_id)
            address = store.reporter_address(reporter) if reporter and not reporter.opted_out else None
            if report.quiet or address is None:
                continue
            language = (reporter.language if reporter else None) or report.language
            store.enqueue(
                report.channel,
                address,
                locales.translate(language, catalog.ACKNOWLEDGED_TO_REPORTER, ref=report.reference),
                "status",
                report,
            )

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
