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

import locales
from handlers.base import InboundMessage, Reply
from locales import catalog
from nlp.text import fold
from routing.channels import keyboard
from routing.escalation import ChainSnapshot
from routing.incidents import Incidents, type_buttons
from storage.models import utcnow
from storage.repository import Store
from storage.states import IncidentStatus
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
    def __init__(self, incidents: Incidents) -> None:
        self.incidents = incidents
        self.deployment = incidents.deployment

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
        acting, refusal = await self.incidents.actor(store, people, incident, action)
        if acting is None:
            return [self._say(language, refusal, ref=incident.reference, ack=locales.keyword(language, "ACK"))]
        language = acting.language
        reference = incident.reference
        if action == "ACK":
            holder = await self.incidents.acknowledge(store, acting, incident)
            if holder is not None:
                return [self._say(language, catalog.ACK_TAKEN_BY_OTHER, ref=reference, name=holder.name)]
            return [self._say(language, catalog.ACK_CONFIRMED, ref=reference)]
        if action == "DONE":
            await self.incidents.resolve(store, acting, incident)
            return [self._say(language, catalog.RESOLVED, ref=reference)]
        if action == "ESC":
            sent = 0
            if incident.status == IncidentStatus.OPEN and not ChainSnapshot.of(incident).done(incident.step):
                sent = await self.incidents.step(store, incident, utcnow())
            store.audit("escalated_by_responder", report, incident=incident.id, responder_id=acting.id)
            return [self._say(language, catalog.ESCALATED if sent else catalog.NOTHING_TO_ESCALATE, ref=reference)]
        if action == "SPLIT":
            if report.reference == incident.reference or incident.report_count <= 1:
                return [self._say(language, catalog.SPLIT_REFUSED, ref=report.reference)]
            await self.incidents.split(store, incident, report)
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
        await self.incidents.correct_type(store, incident, acting, label)
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
