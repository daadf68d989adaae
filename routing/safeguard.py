"""The police safeguard, and the one door every message to a responder passes through.

Alerts, updates, follow-ups, reminders, "taken by" notes and digests are all written to the outbox by
`ResponderGate`, never by calling the store directly. Before writing, the gate asks whether the
incident (or, for a digest, any listed report) has ever carried `police_misconduct`; if so, nobody who
belongs to a police-affiliated group receives anything: not by route, backup, tier, cluster, correction
or digest, and not a person who is also listed in another group (matched by their address).

Sensitivity is sticky (`Incident.police_sensitive`): a correction that later removes the label does not
reopen the door, because what the police member would receive was written by someone complaining
about the police.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from routing.deployment import Deployment
from storage.models import Alert, Incident, Report, Responder
from storage.repository import Store
from storage.states import Priority
from taxonomy import POLICE_MISCONDUCT

log = logging.getLogger("salama.safeguard")


def touched_by_misconduct(incident: Incident | None, reports: Sequence[Report]) -> bool:
    """Whether the incident or any of these reports carries (or ever carried) police_misconduct."""
    if incident is not None and (incident.police_sensitive or POLICE_MISCONDUCT in (incident.types or [])):
        return True
    return any(report.police_sensitive or POLICE_MISCONDUCT in (report.types or []) for report in reports)


class ResponderGate:
    """Writes messages for responders to the outbox, after the police safeguard."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self._police_keys: dict[int, frozenset[str]] = {}

    def _police_addresses(self, store: Store) -> frozenset[str]:
        """Keyed pseudonyms of everyone listed in a police-affiliated group (one set per vault)."""
        cached = self._police_keys.get(id(store.vault))
        if cached is None:
            cached = frozenset(
                store.vault.pseudonym(member.channel, member.address)
                for group in self.deployment.groups
                if group.police_affiliated
                for member in group.members
            )
            self._police_keys = {id(store.vault): cached}
        return cached

    def is_police(self, store: Store, responder: Responder) -> bool:
        return (
            responder.group in self.deployment.police_affiliated_groups
            or responder.address_key in self._police_addresses(store)
        )

    async def permits(
        self,
        store: Store,
        responder: Responder,
        incident: Incident | None,
        reports: Sequence[Report] = (),
    ) -> bool:
        """The rule itself. Marks the incident sensitive as soon as misconduct is seen on it."""
        known = list(reports)
        if incident is not None and incident.id is not None:
            known += [r for r in await store.reports_of_incident(incident) if r not in known]
        if not touched_by_misconduct(incident, known):
            return True
        if incident is not None:
            incident.police_sensitive = True
        for report in known:
            if POLICE_MISCONDUCT in (report.types or []):
                report.police_sensitive = True
        return not self.is_police(store, responder)

    async def _check(
        self,
        store: Store,
        responder: Responder,
        incident: Incident | None,
        reports: Sequence[Report],
        kind: str,
    ) -> bool:
        if await self.permits(store, responder, incident, reports):
            return True
        store.audit(
            "withheld_from_police",
            reports[0] if reports else None,
            incident=incident.id if incident is not None else None,
            group=responder.group,
            message=kind,
        )
        log.warning("safeguard: %s for a police-misconduct incident withheld from group %s", kind, responder.group)
        return False

    async def alert(
        self,
        store: Store,
        incident: Incident,
        report: Report,
        responder: Responder,
        step: int,
        body: str,
        buttons: list[list[list[str]]] | None = None,
    ) -> Alert | None:
        """A full alert (recorded as an Alert the responder can acknowledge); None if withheld."""
        if not await self._check(store, responder, incident, [report], "alert"):
            return None
        return await store.add_alert(report, incident, responder, step, body, buttons)

    async def send(
        self,
        store: Store,
        responder: Responder,
        body: str,
        kind: str,
        *,
        incident: Incident | None = None,
        reports: Sequence[Report] = (),
        alert: Alert | None = None,
        buttons: list[list[list[str]]] | None = None,
        edit_of: str | None = None,
    ) -> bool:
        """Any other message to a responder (update, reminder, edit, digest); False if withheld."""
        if not await self._check(store, responder, incident, reports, kind):
            return False
        priority = Priority.DIGEST if kind == "digest" else Priority.of(incident.urgency if incident else None)
        store.enqueue(
            responder.channel,
            store.responder_address(responder),
            body,
            kind,
            reports[0] if reports else None,
            alert,
            buttons=buttons,
            edit_of=edit_of,
            priority=priority,
        )
        return True
