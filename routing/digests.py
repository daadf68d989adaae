"""Scheduled digests: the reports routed to a group's digest (unsafe places...) listed for its members.

A group with `digest: {every: mon 08:00}` gets, at each scheduled time (the deployment's time zone), one
list of the reports digested to it since its previous digest: by area (the deployment's order, then
"area not given"), then type, with their reference codes; no words of the reporter, no contact. It goes
through the outbox to every active member, split into numbered messages ("(1/3)") within the channel's
length rules: 2 SMS segments, 1600 characters on WhatsApp, 4096 on Telegram.

Exactly once, also with several processes: the `DigestRun` row is inserted (in a SAVEPOINT) before
anything is written, so a second process racing on the same digest hits the unique key and skips it.
Nothing is silently dropped: the first digest lists everything since the beginning, each next one
starts where the previous ended (and also lists what the previous one missed in its own period: a
report whose transaction committed just after it read), a server that was down catches up with one
digest at its next check, and a digest nobody can receive is recorded, audited and logged.

Police safeguard: a police-affiliated member never gets a report typed police_misconduct, nor one on
an incident that carries it; those are left out of their list (the gate would withhold it whole).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import locales
from locales import catalog
from routing.channels import capabilities
from routing.deployment import Deployment, DigestSchedule, Group, Member
from routing.safeguard import ResponderGate
from storage.models import Report
from storage.repository import Store
from taxonomy import INCIDENT_TYPES, POLICE_MISCONDUCT

log = logging.getLogger("salama.digests")

TIME_FORMAT = "%H:%M %d/%m"  # as in alerts
RETRY_AFTER_FAILURE = timedelta(minutes=5)  # one log line per try, not one per timer tick


def latest_due(schedule: DigestSchedule, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The latest scheduled time at or before `now` (aware UTC), or None for a schedule with no days."""
    local = now.astimezone(tz)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        if day.weekday() not in schedule.days:
            continue
        due = datetime.combine(day, schedule.at, tzinfo=tz).astimezone(UTC)
        if due <= now:
            return due
    return None


def _fits(channel: str) -> Callable[[str], bool]:
    return capabilities(channel).fits


@dataclass(frozen=True)
class Entry:
    """One listed report, as the digest shows it: no text, no contact."""

    reference: str
    area: str | None
    types: tuple[str, ...]


def _type_key(types: Sequence[str]) -> tuple[str, ...]:
    order = {label: i for i, label in enumerate(INCIDENT_TYPES)}
    labels = tuple(dict.fromkeys(types)) or ("other",)
    return tuple(sorted(labels, key=lambda label: (order.get(label, len(order)), label)))


def format_digest(
    entries: Sequence[Entry],
    *,
    since: datetime,
    timezone_name: str,
    language: str,
    channel: str,
    area_order: Sequence[str] = (),
) -> list[str]:
    """The digest's messages for one reader: area lines, then "- type: R-..., R-..." lines."""
    if not entries:
        return []
    t = locales.translate
    title = t(
        language,
        catalog.DIGEST_TITLE,
        time=since.astimezone(ZoneInfo(timezone_name)).strftime(TIME_FORMAT),
        count=str(len(entries)),
    )
    unknown = t(language, catalog.UNKNOWN_AREA)
    rank = {name: i for i, name in enumerate(area_order)}

    def area_rank(area: str | None) -> tuple[int, str]:
        if area is None:
            return (2, "")
        return (0, f"{rank[area]:06d}") if area in rank else (1, area)

    by_area: dict[str | None, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        by_area[entry.area][_type_key(entry.types)].append(entry.reference)
    order = {label: i for i, label in enumerate(INCIDENT_TYPES)}
    items: list[tuple[str, str, str]] = []  # (area line, type name, reference), in reading order
    for area in sorted(by_area, key=area_rank):
        for key in sorted(by_area[area], key=lambda k: ([order.get(label, len(order)) for label in k], k)):
            name = ", ".join(locales.type_name(language, label) for label in key)
            items += [(area if area is not None else unknown, name, ref) for ref in by_area[area][key]]

    fits = _fits(channel)
    digits = len(str(len(items)))
    widest = f"({'9' * digits}/{'9' * digits}) "  # room for the numbering, whatever the count ends up

    def render(lines: list[str], prefix: str = "") -> str:
        return "\n".join([prefix + title, *lines])

    messages: list[list[str]] = []
    lines: list[str] = []
    last: tuple[str, str] | None = None
    for area, name, ref in items:
        if last == (area, name):
            candidate = lines[:-1] + [f"{lines[-1]}, {ref}"]
        elif last is not None and last[0] == area:
            candidate = lines + [f"- {name}: {ref}"]
        else:
            candidate = lines + [area, f"- {name}: {ref}"]
        if not lines or fits(render(candidate, widest)):
            lines = candidate
        else:  # a new message; it names its area again
            messages.append(lines)
            lines = [area, f"- {name}: {ref}"]
        last = (area, name)
    messages.append(lines)
    if len(messages) == 1:
        return [render(messages[0])]
    return [render(part, f"({i}/{len(messages)}) ") for i, part in enumerate(messages, 1)]


def _police_sensitive(report: Report, sensitive_incidents: set[int]) -> bool:
    return POLICE_MISCONDUCT in (report.types or []) or report.incident_id in sensitive_incidents


class DigestRunner:
    """Sends each group's due digest; `run_due` is called from the server's timers (any process)."""

    def __init__(self, deployment: Deployment, gate: ResponderGate) -> None:
        self.deployment = deployment
        self.gate = gate
        self.tz = ZoneInfo(deployment.timezone)
        self.area_order = [area.name for area in deployment.areas]
        # group -> the latest due time known to be committed (seen by a failed claim): no query until the next
        self._recorded: dict[str, datetime] = {}
        self._retry_at: dict[str, datetime] = {}  # group -> when to try a digest that failed again

    def scheduled_groups(self) -> list[Group]:
        return [group for group in self.deployment.groups if group.digest is not None]

    async def run_due(self, store: Store, now: datetime) -> int:
        """Send every digest that is due at `now`, in the caller's transaction; returns digests sent.

        Call it in a transaction of its own: its first statement is a write (the DigestRun row), so on
        SQLite it never has to upgrade a stale read snapshot. Each group's digest runs in its own
        SAVEPOINT: one that fails is logged in one line, rolled back and tried again a few minutes later,
        and never stops the others.
        """
        sent = 0
        for group in self.scheduled_groups():
            assert group.digest is not None
            due = latest_due(group.digest, self.tz, now)
            if due is None or self._recorded.get(group.name) == due or now < self._retry_at.get(group.name, due):
                continue
            try:
                async with store.savepoint():
                    outcome = await self._run(store, group, due)
            except Exception as exc:  # noqa: BLE001 - isolate one group's failure from the others
                self._retry_at[group.name] = now + RETRY_AFTER_FAILURE
                log.error(
                    "digest for group %s due %s failed (%s); trying again in %d minutes",
                    group.name,
                    due.isoformat(),
                    type(exc).__name__,
                    RETRY_AFTER_FAILURE.total_seconds() // 60,
                )
                continue
            if outcome is None:  # recorded already (by us or another process): nothing to do until the next
                self._recorded[group.name] = due
            elif outcome:
                sent += 1
        return sent

    async def _run(self, store: Store, group: Group, due: datetime) -> int | None:
        """One group's digest: None if it is recorded already, else the number of messages written."""
        run = await store.claim_digest_run(group.name, due, None)
        if run is None:
            return None
        previous = await store.last_digest_run(group.name, before=due)
        period_start = run.period_start = previous.due_at if previous is not None else None
        if previous is not None:
            # This period, and the previous one again for what the previous digest did not list: a report
            # whose transaction committed after that digest read its period, or submitted by a process
            # whose clock was behind.
            already = set(previous.references or [])
            reports = [
                r
                for r in await store.digest_reports(group.name, previous.period_start, due)
                if r.reference not in already
            ]
        else:
            reports = await store.digest_reports(group.name, None, due)
        if not reports:
            return 0
        earliest = min(r.submitted_at for r in reports if r.submitted_at is not None)
        since = min(period_start, earliest) if period_start is not None else earliest
        sensitive = await store.police_sensitive_incident_ids({r.incident_id for r in reports if r.incident_id})
        clean = [r for r in reports if not _police_sensitive(r, sensitive)]
        responders = await store.active_responders(group.name)
        if not responders:
            run.references = [r.reference for r in (clean if group.police_affiliated else reports)]
            store.audit("digest_undeliverable", group=group.name, reports=len(run.references), messages=0)
            log.warning(
                "digest for group %s: no active member; %d reports recorded, not delivered",
                group.name,
                len(run.references),
            )
            return 0

        members = {member.name: member for member in group.members}
        listed: dict[str, None] = {}
        withheld: set[str] = set()
        messages = 0
        cache: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
        for responder in responders:
            police = self.gate.is_police(store, responder)
            chosen = self._for_member(clean if police else reports, members.get(responder.name))
            if police:
                withheld |= {r.reference for r in reports if r not in clean}
            if not chosen:
                continue
            key = (responder.language, responder.channel, tuple(r.reference for r in chosen))
            if key not in cache:
                cache[key] = format_digest(
                    [Entry(r.reference, r.area, tuple(r.types or ())) for r in chosen],
                    since=since,
                    timezone_name=self.deployment.timezone,
                    language=responder.language,
                    channel=responder.channel,
                    area_order=self.area_order,
                )
            for body in cache[key]:
                if await self.gate.send(store, responder, body, "digest", reports=chosen):
                    messages += 1
            listed.update((r.reference, None) for r in chosen)
        run.references = list(listed)
        run.messages = messages
        store.audit(
            "digest_sent", group=group.name, reports=len(listed), messages=messages, withheld_from_police=len(withheld)
        )
        return messages

    @staticmethod
    def _for_member(reports: list[Report], member: Member | None) -> list[Report]:
        """A member who serves some areas only gets those (and the reports with no area)."""
        if member is None or not member.areas:
            return reports
        return [r for r in reports if member.serves(r.area)]
