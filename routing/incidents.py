"""The incident lifecycle, in one place: every transition, in the caller's transaction.

open and join (a report is routed), route again (a follow-up, a late place, a correction), split,
acknowledge, escalate and remind, resolve, reopen, and the escalation a delivery failure brings forward;
and who may do each. Handlers parse commands and call these; the repository only stores.

A report either joins an open incident about the same event (same area or venue, compatible type,
event times within the window) or opens a new one, whose escalation chain is snapshotted and run until
its first wait. Either way the report is routed on its own merits: every group its routes call for
that the incident has not reached yet gets a full alert; those already on it get a short update.
Every message to a responder goes through `ResponderGate` (routing/safeguard.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import locales
from locales import catalog
from routing.channels import capabilities
from routing.deployment import Deployment
from routing.escalation import ChainSnapshot, Notify, advance, resolve_group
from routing.rules import ReportFacts, RoutingDecision, Target, decide
from routing.safeguard import ResponderGate, touched_by_misconduct
from storage.models import Incident, Report, Responder, utcnow
from storage.repository import Store
from storage.states import AlertStatus, IncidentStatus, Priority, ReportStatus
from taxonomy import INCIDENT_TYPES, POLICE_MISCONDUCT, more_urgent

log = logging.getLogger("salama.routing")

# Types that describe the same kind of scene: a report of one joins an open incident of another.
TYPE_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"physical_assault", "gun_violence", "threats_extortion", "robbery"}),
    frozenset({"sexual_harassment", "sexual_assault", "drink_spiking"}),
)


def _quote(text: str, channel: str) -> str:
    limit = capabilities(channel).quote_chars
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compatible(types_a: Sequence[str], types_b: Sequence[str]) -> bool:
    a, b = set(types_a) - {"other"}, set(types_b) - {"other"}
    if a & b:
        return True
    return any(a & family and b & family for family in TYPE_FAMILIES)


def format_alert(
    *,
    reference: str,
    facts: ReportFacts,
    text: str,
    place_text: str,
    at: datetime,
    timezone: str,
    language: str,
    channel: str,
    escalated: bool = False,
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
        f'"{_quote(text, channel)}"' if text else "",
        t(language, catalog.ALERT_ESCALATED) if escalated else "",
        t(language, catalog.ALERT_HOW_TO_ACK, ack=locales.keyword(language, "ACK"), ref=reference),
    ]
    return "\n".join(line for line in lines if line)


def alert_buttons(language: str, reference: str) -> list[list[list[str]]]:
    t = locales.translate
    return [
        [
            [t(language, catalog.BUTTON_ACK), f"ACK {reference}"],
            [t(language, catalog.BUTTON_ESCALATE), f"ESC {reference}"],
        ],
        [
            [t(language, catalog.BUTTON_RESOLVE), f"DONE {reference}"],
            [t(language, catalog.BUTTON_WRONG_TYPE), f"TYPES {reference}"],
        ],
    ]


def split_button(language: str, reference: str) -> list[list[list[str]]]:
    """Under an update about a report that joined an incident: take it out if it is another event."""
    return [[[locales.translate(language, catalog.BUTTON_SPLIT, ref=reference), f"SPLIT {reference}"]]]


def type_buttons(language: str, reference: str) -> list[list[list[str]]]:
    labels = [[locales.type_name(language, label), f"TYPE {reference} {label}"] for label in INCIDENT_TYPES]
    return [labels[i : i + 2] for i in range(0, len(labels), 2)]


UpdateText = Callable[[Responder], str]  # the short update for someone already on the incident


class Incidents:
    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.gate = ResponderGate(deployment)
        self.nightlife_venues = {v.name for v in deployment.venues if v.nightlife}
        self.cluster_window = timedelta(minutes=deployment.cluster_window_minutes)

    def facts_of(self, report: Report) -> ReportFacts:
        return self._facts(report.types, report.urgency, report.area, report.venue)

    def incident_facts(self, incident: Incident) -> ReportFacts:
        return self._facts(incident.types, incident.urgency, incident.area, incident.venue)

    def _facts(self, types: Sequence[str], urgency: str, area: str | None, venue: str | None) -> ReportFacts:
        return ReportFacts(tuple(types), urgency, area, venue, nightlife=venue in self.nightlife_venues)

    # --- a completed report ------------------------------------------------------------------------
    async def submit(
        self,
        store: Store,
        report: Report,
        now: datetime | None = None,
        *,
        cluster: bool = True,
    ) -> RoutingDecision:
        """Route a report that is complete enough to act on. `cluster=False`: open its own incident."""
        now = now or utcnow()
        report.police_sensitive = report.police_sensitive or POLICE_MISCONDUCT in report.types
        decision = decide(self.deployment, self.facts_of(report))
        report.alert_groups = list(decision.alert_groups)
        report.digest_groups = list(decision.digest_groups)
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now
        report.event_at = report.event_at or report.created_at or now
        if cluster and report.area is not None:
            await store.lock_area(report.area)  # two reports at the same instant: one clusters after the other
        incident = await self._joinable_incident(store, report, decision, now) if cluster else None
        if incident is not None:
            await self._join(store, incident, report, decision, now)
        else:
            await self._open(store, report, decision, now)
        store.audit(
            "report_submitted",
            report,
            routes=list(decision.routes),
            alert_groups=list(decision.alert_groups),
            digest_groups=list(decision.digest_groups),
            withheld_groups=list(decision.withheld_groups),
            joined_incident=incident is not None,
        )
        return decision

    def _same_event(self, incident: Incident, report: Report) -> bool:
        """Event times within the window: a stated "yesterday" is not now, a live emergency is not yesterday."""
        event = report.event_at or report.created_at
        other = incident.last_event_at or incident.last_report_at
        return event is not None and other is not None and abs(event - other) <= self.cluster_window

    async def _joinable_incident(
        self,
        store: Store,
        report: Report,
        decision: RoutingDecision,
        now: datetime,
    ) -> Incident | None:
        if report.area is None or not self.cluster_window:
            return None
        misconduct = report.police_sensitive
        wants_police = bool(set(decision.alert_groups) & self.deployment.police_affiliated_groups)
        for incident in await store.open_incident_near(report.area, report.venue, now - self.cluster_window):
            if not compatible(incident.types, report.types) or not self._same_event(incident, report):
                continue
            if misconduct and await self._police_may_hear(store, incident):
                continue  # a complaint never joins what the police were, or will be, told about
            if wants_police and touched_by_misconduct(incident, []):
                continue  # nor does a report the police should get join a complaint: it keeps its own route
            return incident
        return None

    async def police_could_hear(self, store: Store, report: Report) -> bool:
        """Whether anyone police-affiliated was alerted on the report's incident, or could be by the rest of
        its chain (a later step, a backup): then words naming the police must not ride along as an update."""
        incident = await store.incident(report.incident_id) if report.incident_id else None
        return incident is not None and await self._police_may_hear(store, incident)

    async def _police_may_hear(self, store: Store, incident: Incident) -> bool:
        if await self._police_alerted(store, incident):
            return True
        chain_groups = {step.group for step in ChainSnapshot.of(incident).steps if step.group}
        return bool(self.deployment.reachable_groups(chain_groups) & self.deployment.police_affiliated_groups)

    async def _police_alerted(self, store: Store, incident: Incident) -> bool:
        for alert in await store.alerts_of_incident(incident):
            responder = await store.responder(alert.responder_id)
            if responder is not None and self.gate.is_police(store, responder):
                return True
        return False

    async def _open(self, store: Store, report: Report, decision: RoutingDecision, now: datetime) -> Incident:
        incident = Incident(
            reference=report.reference,
            types=list(report.types),
            urgency=report.urgency,
            area=report.area,
            venue=report.venue,
            route=decision.routes[0] if decision.routes else None,
            chain=ChainSnapshot.taken(decision.chain, decision.reminders).to_json(),
            opened_at=now,
            last_report_at=now,
            last_event_at=report.event_at,
            police_sensitive=report.police_sensitive,
        )
        store.session.add(incident)
        await store.session.flush()
        report.incident_id = incident.id
        notes = self._resolve_targets(incident, decision.extra, now)
        chain = ChainSnapshot.of(incident)
        chain_notes, incident.step, incident.next_step_at = advance(
            chain, 0, now, self.deployment, report.area, report.types
        )
        chain.save(incident)
        await self._alert(store, incident, report, notes + chain_notes, now)
        alerted = await store.alerts_of_incident(incident)
        if incident.next_step_at is None and alerted:
            self._schedule_reminder(incident, now)
        if incident.next_step_at is None and not alerted:
            incident.status = (
                IncidentStatus.DIGEST
            )  # nobody to alert (an unsafe place for the digest): nothing to chase
        return incident

    async def _join(
        self,
        store: Store,
        incident: Incident,
        report: Report,
        decision: RoutingDecision,
        now: datetime,
    ) -> None:
        report.incident_id = incident.id
        incident.report_count += 1
        incident.last_report_at = now
        if report.event_at and (incident.last_event_at is None or report.event_at > incident.last_event_at):
            incident.last_event_at = report.event_at
        new_types = [t for t in report.types if t not in incident.types]
        incident.types = list(dict.fromkeys(incident.types + report.types))
        incident.police_sensitive = incident.police_sensitive or report.police_sensitive
        raised = more_urgent(report.urgency, incident.urgency)
        if raised:
            incident.urgency = report.urgency
        if incident.venue is None and report.venue is not None:
            incident.venue = report.venue
        text = store.report_text(report)

        def update(responder: Responder) -> str:
            language = responder.language
            news = [locales.type_name(language, t) for t in new_types]
            if raised:
                news.append(locales.urgency_name(language, report.urgency))
            summary = "; ".join(news + [f'"{_quote(text, "sms")[:140]}"'])
            return locales.translate(
                language,
                catalog.ALERT_UPDATE,
                ref=incident.reference,
                count=str(incident.report_count),
                summary=summary,
            )

        await self.reroute(store, incident, report, decision, now, restart=raised, update=update, split=True)
        store.audit("incident_joined", report, incident=incident.id, reports=incident.report_count)

    # --- routing again: a joined report, a follow-up, a correction, a late place ---------------------
    async def reroute(
        self,
        store: Store,
        incident: Incident,
        report: Report,
        decision: RoutingDecision,
        now: datetime,
        *,
        restart: bool,
        update: UpdateText,
        split: bool = False,
    ) -> None:
        """Alert every group the decision names that the incident has not reached; update the rest.

        `restart`: the report is more urgent (or its type changed), so an incident still waiting for
        someone runs the new route's chain from its start.
        """
        notes = self._resolve_targets(incident, decision.extra, now)
        if restart and incident.status == IncidentStatus.OPEN:
            chain = ChainSnapshot.taken(decision.chain, decision.reminders)
            incident.route = decision.routes[0] if decision.routes else incident.route
            chain_notes, incident.step, incident.next_step_at = advance(
                chain, 0, now, self.deployment, incident.area, incident.types
            )
            chain.save(incident)
            notes += chain_notes
            if incident.next_step_at is None:
                self._schedule_reminder(incident, now)
        else:
            notes += self._resolve_targets(incident, decision.first_wave, now)
        already = await self._responders_of(store, incident)
        await self._alert(store, incident, report, notes, now, skip={r.address_key for r in already})
        buttons = split and report.reference != incident.reference
        for responder in already:
            await self.gate.send(
                store,
                responder,
                update(responder),
                "update",
                incident=incident,
                reports=[report],
                buttons=split_button(responder.language, report.reference)
                if buttons and capabilities(responder.channel).buttons
                else None,
            )

    async def report_changed(self, store: Store, report: Report, note: str, now: datetime | None = None) -> None:
        """New information on a report already routed (a place, more words): update the incident,
        tell everyone on it, and alert whoever the report's routes now call for that it has not reached."""
        now = now or utcnow()
        incident = await store.incident(report.incident_id) if report.incident_id else None
        if incident is None:
            return
        if report.area and incident.area is None:  # a place given after an early emergency alert
            incident.area = report.area
        if report.venue and incident.venue is None:
            incident.venue = report.venue
        incident.types = list(dict.fromkeys(incident.types + report.types))
        report.police_sensitive = report.police_sensitive or POLICE_MISCONDUCT in report.types
        incident.police_sensitive = incident.police_sensitive or report.police_sensitive
        raised = more_urgent(report.urgency, incident.urgency)
        if raised:
            incident.urgency = report.urgency
        decision = decide(self.deployment, self.facts_of(report))
        report.alert_groups = list(dict.fromkeys(report.alert_groups + list(decision.alert_groups)))
        await self.reroute(
            store, incident, report, decision, now, restart=raised, update=lambda _: f"{incident.reference}: {note}"
        )
        store.audit("report_updated", report, incident=incident.id, raised=raised)

    async def correct_type(
        self,
        store: Store,
        incident: Incident,
        responder: Responder,
        label: str,
        now: datetime | None = None,
    ) -> None:
        """A responder's type correction: every report relabelled (for training), the incident retyped,
        and routing run again for the new type (new groups alerted; the police rule applies)."""
        now = now or utcnow()
        reports = list(await store.reports_of_incident(incident))
        for report in reports:
            store.add_correction(report, responder, label)
            # the label is for training; a complaint about the police stays one (sticky)
            report.police_sensitive = report.police_sensitive or POLICE_MISCONDUCT in report.types
            report.types = [label]
        incident.types = [label]
        incident.police_sensitive = incident.police_sensitive or label == POLICE_MISCONDUCT
        decision = decide(self.deployment, self.incident_facts(incident))
        first = next((r for r in reports if r.reference == incident.reference), reports[0] if reports else None)
        if first is None:
            return
        for report in reports:
            report.alert_groups = list(dict.fromkeys(report.alert_groups + list(decision.alert_groups)))

        def update(other: Responder) -> str:
            return locales.translate(
                other.language,
                catalog.TYPE_CORRECTED,
                ref=incident.reference,
                type=locales.type_name(other.language, label),
            )

        await self.reroute(store, incident, first, decision, now, restart=True, update=update)
        store.audit(
            "type_corrected",
            first,
            incident=incident.id,
            responder_id=responder.id,
            new_type=label,
            routes=list(decision.routes),
        )

    async def split(self, store: Store, incident: Incident, report: Report, now: datetime | None = None) -> Incident:
        """Take a report out of an incident it was wrongly joined to; it is routed afresh, on its own."""
        now = now or utcnow()
        report.incident_id = None
        incident.report_count = max(1, incident.report_count - 1)
        remaining = [r for r in await store.reports_of_incident(incident) if r.id != report.id]
        incident.types = list(dict.fromkeys(t for r in remaining for t in r.types)) or incident.types
        await self.submit(store, report, now, cluster=False)
        store.audit("report_split", report, incident=incident.id, new_incident=report.incident_id)
        return await store.incident(report.incident_id)  # type: ignore[arg-type, return-value]

    # --- helpers -------------------------------------------------------------------------------------
    def _resolve_targets(self, incident: Incident, targets: Sequence[Target], now: datetime) -> list[Notify]:
        fallback = ChainSnapshot.of(incident).backup
        return [
            note
            for target in dict.fromkeys(targets)
            for note in resolve_group(
                self.deployment,
                target.group,
                now,
                incident.area,
                target.tier,
                list(incident.types),
                -1,
                False,
                fallback=fallback,
            )
        ]

    async def _responders_of(self, store: Store, incident: Incident) -> list[Responder]:
        responders: dict[int, Responder] = {}
        for alert in await store.alerts_of_incident(incident):
            responder = await store.responder(alert.responder_id)
            if responder is not None and responder.active:
                responders[responder.id] = responder
        return list(responders.values())

    async def _alert(
        self,
        store: Store,
        incident: Incident,
        report: Report,
        notifications: list[Notify],
        now: datetime,
        skip: set[str] | None = None,
    ) -> int:
        """Full alerts, one per person and round; `skip`: people (address keys) who get the update instead."""
        facts = self.incident_facts(incident)
        text, place_text = store.report_text(report), store.place_text(report)
        addressed: set[str] = set(skip or ())
        sent = 0
        escalated = False
        for note in notifications:
            if note.unknown_group:
                store.audit(
                    "escalation_unknown_group",
                    report,
                    incident=incident.id,
                    group=note.unknown_group,
                    sent_to=note.group if note.members else None,
                )
                log.warning(
                    "incident %s: step names unknown group %s; %s",
                    incident.id,
                    note.unknown_group,
                    f"sent to {note.group}" if note.members else "nobody to send it to",
                )
            for member in note.members:
                responder = await store.responder_named(note.group, member.name)
                if responder is None or responder.address_key in addressed:
                    continue
                addressed.add(responder.address_key)
                body = format_alert(
                    reference=incident.reference,
                    facts=facts,
                    text=text,
                    place_text=place_text,
                    at=report.created_at,
                    timezone=self.deployment.timezone,
                    language=responder.language,
                    channel=responder.channel,
                    escalated=note.escalation,
                )
                buttons = (
                    alert_buttons(responder.language, incident.reference)
                    if capabilities(responder.channel).buttons
                    else None
                )
                if await self.gate.alert(store, incident, report, responder, note.step, body, buttons) is not None:
                    sent += 1
            escalated = escalated or note.escalation
            if note.note and not note.unknown_group:
                store.audit("escalation_backup", report, incident=incident.id, detail=note.note)
        if escalated:
            incident.escalations += 1
        if sent and incident.first_alert_at is None:
            incident.first_alert_at = now
        return sent

    def _schedule_reminder(self, incident: Incident, now: datetime) -> None:
        """After the last step: remind every N minutes until someone acknowledges (if the route says)."""
        every = ChainSnapshot.of(incident).reminders.remind_every
        incident.next_step_at = now + timedelta(minutes=float(every)) if every else None

    def schedule_unresolved_reminder(self, incident: Incident, now: datetime) -> None:
        """Once acknowledged: remind the holder after M hours if nobody resolved it (if the route says)."""
        hours = ChainSnapshot.of(incident).reminders.remind_unresolved_after
        incident.next_step_at = now + timedelta(hours=float(hours)) if hours else None

    # --- escalation --------------------------------------------------------------------------------
    async def step(self, store: Store, incident: Incident, now: datetime) -> int:
        """Run the incident's chain from where it stands (also used by a responder's Escalate); after
        the last step, or once acknowledged, send the route's reminders. Returns messages written."""
        reports = await store.reports_of_incident(incident)
        if not reports:
            incident.next_step_at = None
            return 0
        first = next((r for r in reports if r.reference == incident.reference), reports[0])
        if incident.status == IncidentStatus.ACKNOWLEDGED:
            return await self._remind_holder(store, incident, first, now)
        chain = ChainSnapshot.of(incident)
        if chain.done(incident.step):
            return await self._remind_unacknowledged(store, incident, first, now)
        notes, incident.step, incident.next_step_at = advance(
            chain, incident.step, now, self.deployment, incident.area, incident.types
        )
        chain.save(incident)
        sent = await self._alert(store, incident, first, notes, now)
        if incident.next_step_at is None:
            self._schedule_reminder(incident, now)
        store.audit("incident_escalated", first, incident=incident.id, step=incident.step, alerts=sent)
        return sent

    async def _remind_unacknowledged(self, store: Store, incident: Incident, report: Report, now: datetime) -> int:
        sent = 0
        for responder in await self._responders_of(store, incident):
            body = locales.translate(
                responder.language,
                catalog.REMINDER_UNACKNOWLEDGED,
                ref=incident.reference,
                urgency=locales.urgency_name(responder.language, incident.urgency),
                area=incident.area or locales.translate(responder.language, catalog.UNKNOWN_AREA),
                ack=locales.keyword(responder.language, "ACK"),
            )
            buttons = (
                alert_buttons(responder.language, incident.reference)
                if capabilities(responder.channel).buttons
                else None
            )
            sent += await self.gate.send(
                store, responder, body, "reminder", incident=incident, reports=[report], buttons=buttons
            )
        incident.reminders += 1
        self._schedule_reminder(incident, now)
        store.audit("incident_reminder", report, incident=incident.id, reminders=incident.reminders, sent=sent)
        return sent

    async def _remind_holder(self, store: Store, incident: Incident, report: Report, now: datetime) -> int:
        holder = await store.responder(incident.acknowledged_by) if incident.acknowledged_by else None
        sent = 0
        if holder is not None and holder.active:
            body = locales.translate(
                holder.language,
                catalog.REMINDER_UNRESOLVED,
                ref=incident.reference,
                done=locales.keyword(holder.language, "DONE"),
            )
            sent = int(await self.gate.send(store, holder, body, "reminder", incident=incident, reports=[report]))
        incident.reminders += 1
        self.schedule_unresolved_reminder(incident, now)
        store.audit("incident_unresolved_reminder", report, incident=incident.id, sent=sent)
        return sent

    # --- who may act -----------------------------------------------------------------------------------
    async def actor(
        self, store: Store, people: Sequence[Responder], incident: Incident, action: str
    ) -> tuple[Responder | None, str]:
        """The row (group membership) a person acts as for `action`, or None and the refusal to give.

        ACK, ESC, SPLIT: anyone the incident's chain has reached. DONE, TYPE(S): the holder, or the holder's
        group once someone has taken it. Nobody police-affiliated on an incident touched by misconduct.
        """
        reports = list(await store.reports_of_incident(incident))
        if touched_by_misconduct(incident, reports) and any(self.gate.is_police(store, p) for p in people):
            return None, catalog.ACK_REFUSED
        rows = {p.id: p for p in people}
        reached = [rows[a.responder_id] for a in await store.alerts_of_incident(incident) if a.responder_id in rows]
        if action in ("ACK", "ESC", "SPLIT"):
            return (reached[0], "") if reached else (None, catalog.ACK_REFUSED)
        if incident.acknowledged_by is None:
            return (None, catalog.TAKE_FIRST) if reached else (None, catalog.ACK_REFUSED)
        if incident.acknowledged_by in rows:
            return rows[incident.acknowledged_by], ""
        holder = await store.responder(incident.acknowledged_by)
        same_group = [p for p in people if holder is not None and p.group == holder.group]
        return (same_group[0], "") if same_group else (None, catalog.HOLDER_ONLY)

    # --- acknowledge, resolve, reopen ------------------------------------------------------------------
    async def acknowledge(self, store: Store, responder: Responder, incident: Incident) -> Responder | None:
        """Take the incident. Returns who holds it already when that is someone else (nothing changes)."""
        if incident.acknowledged_by is not None and incident.acknowledged_by != responder.id:
            return await store.responder(incident.acknowledged_by)
        now = utcnow()
        first_time = incident.acknowledged_by is None
        incident.status = IncidentStatus.ACKNOWLEDGED
        incident.acknowledged_by = responder.id
        incident.acknowledged_at = incident.acknowledged_at or now
        self.schedule_unresolved_reminder(incident, now)  # the chain stops here
        for alert in await store.alerts_of_incident(incident):
            if alert.responder_id == responder.id:
                alert.status, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, alert.acknowledged_at or now
        reports = await store.reports_of_incident(incident)
        for report in reports:
            report.status = ReportStatus.ACKNOWLEDGED
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
        return None

    async def resolve(self, store: Store, responder: Responder, incident: Incident) -> None:
        now = utcnow()
        incident.status = IncidentStatus.RESOLVED
        incident.resolved_at = now
        incident.next_step_at = None
        if incident.acknowledged_by is None:
            incident.acknowledged_by, incident.acknowledged_at = responder.id, now
        for report in await store.reports_of_incident(incident):
            report.status = ReportStatus.CLOSED
            report.acknowledged_at = report.acknowledged_at or now
        store.audit("incident_resolved", None, incident=incident.id, responder_id=responder.id)

    async def reopen(self, store: Store, incident: Incident, now: datetime | None = None) -> None:
        """A resolved incident back to its holder (or, with no holder, back into its chain)."""
        now = now or utcnow()
        incident.resolved_at = None
        if incident.acknowledged_by is not None:
            incident.status = IncidentStatus.ACKNOWLEDGED
            self.schedule_unresolved_reminder(incident, now)
            status = ReportStatus.ACKNOWLEDGED
        else:
            incident.status = IncidentStatus.OPEN
            incident.next_step_at = now
            status = ReportStatus.SUBMITTED
        for report in await store.reports_of_incident(incident):
            report.status = status
        store.audit("incident_reopened", None, incident=incident.id)

    async def expedite_if_unreached(self, store: Store, alert_id: int) -> None:
        """A final delivery failure: when nobody on the incident can be reached, run its next step now."""
        alert = await store.alert(alert_id)
        incident = await store.incident(alert.incident_id) if alert and alert.incident_id else None
        if alert is None or incident is None or incident.status != IncidentStatus.OPEN or incident.next_step_at is None:
            return
        statuses = {a.status for a in await store.alerts_of_incident(incident)}
        if not statuses & {AlertStatus.PENDING, AlertStatus.SENT, AlertStatus.ACKNOWLEDGED}:
            incident.next_step_at = utcnow()
            store.audit("escalated_after_delivery_failure", alert=alert, incident=incident.id)

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
            if message_id is not None:
                original = await store.alert_body(alert)
                await self.gate.send(
                    store, other, f"{original}\n\n✔ {note}", "edit", incident=incident, alert=alert, edit_of=message_id
                )
            else:
                await self.gate.send(store, other, note, "update", incident=incident, alert=alert)

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
                priority=Priority.URGENT,  # a person is waiting to hear
            )
