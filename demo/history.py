"""Synthetic history for the demo and the dashboard: plausible reports and incidents for the past N days.

Deterministic for a seed. The shape follows what offices see: more reports in the evening and at
night, weekend nights at nightlife venues (drink spiking, harassment, fights, flagged by champions),
some areas hotter than others, domestic violence at night at home, unsafe-place reports by day,
a rising trend, and a response that is slower at night and in some areas, sometimes escalated,
sometimes never acknowledged. The text is a short synthetic note: nobody's words.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from routing.deployment import Deployment
from routing.rules import ReportFacts, decide
from storage.crypto import Vault
from storage.db import Database
from storage.repository import Store
from storage.seeding import SyntheticAlert, SyntheticIncident, SyntheticReport, write_history

REPORTS_PER_DAY = 24.0
HOUR_SHAPE = (
    0.9,
    0.8,
    0.6,
    0.4,
    0.25,
    0.2,
    0.3,
    0.5,
    0.7,
    0.8,
    0.8,
    0.9,
    1.0,
    1.0,
    1.0,
    1.1,
    1.2,
    1.4,
    1.6,
    1.8,
    1.9,
    1.9,
    1.7,
    1.3,
)
WEEKDAY_SHAPE = (0.85, 0.85, 0.9, 1.0, 1.2, 1.35, 1.0)  # Monday first
TREND = 0.25  # the last day has 25% more reports than the first
STREET_TYPES = {
    "sexual_harassment": 22,
    "physical_assault": 15,
    "robbery": 13,
    "domestic_violence": 12,
    "threats_extortion": 8,
    "unsafe_place": 8,
    "other": 5,
    "police_misconduct": 5,
    "sexual_assault": 5,
    "drink_spiking": 1,
    "gun_violence": 2,
}
NIGHTLIFE_TYPES = {
    "sexual_harassment": 35,
    "drink_spiking": 25,
    "physical_assault": 25,
    "sexual_assault": 10,
    "robbery": 5,
}
EMERGENCY_SHARE = {
    "gun_violence": 0.9,
    "drink_spiking": 0.7,
    "sexual_assault": 0.45,
    "physical_assault": 0.4,
    "domestic_violence": 0.35,
    "robbery": 0.2,
    "threats_extortion": 0.15,
    "sexual_harassment": 0.12,
    "police_misconduct": 0.05,
    "other": 0.05,
    "unsafe_place": 0.0,
}
ROUTINE_SHARE = {
    "unsafe_place": 1.0,
    "police_misconduct": 0.6,
    "other": 0.5,
    "threats_extortion": 0.4,
    "sexual_harassment": 0.4,
    "robbery": 0.3,
}
LANGUAGES = {"en": 35, "sw": 25, "es": 12, "fr": 10, "ar": 10, "pt": 8}
CHANNELS = {"sms": 45, "whatsapp": 25, "telegram": 30}
ACK_MINUTES = {"emergency": 4.0, "urgent": 18.0, "routine": 120.0}
ESCALATE_AFTER = {"emergency": 5.0, "urgent": 30.0, "routine": 240.0}  # minutes without acknowledgement
NEVER_ACK = {"emergency": 0.03, "urgent": 0.06, "routine": 0.15}


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small hourly means here.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _is_weekend_night(local: datetime) -> bool:
    weekday, hour = local.weekday(), local.hour
    return (weekday in (3, 4, 5) and hour >= 21) or (weekday in (4, 5, 6) and hour < 4)


class _Generator:
    def __init__(self, deployment: Deployment, rng: random.Random) -> None:
        self.deployment = deployment
        self.rng = rng
        areas = [a.name for a in deployment.areas]
        rng.shuffle(areas)
        # Some areas hotter: geometric weights over a seeded order; a slower response in some.
        self.area_weights = {name: 3.0 * 0.78**i for i, name in enumerate(areas)}
        self.area_slowness = {name: rng.uniform(0.7, 1.9) for name in areas}
        self.nightlife = [v for v in deployment.venues if v.nightlife]
        self.nightlife_names = {v.name for v in self.nightlife}
        languages = [code for code in LANGUAGES if code in deployment.languages] or [deployment.default_language]
        self.languages = {code: LANGUAGES.get(code, 5) for code in languages}
        self.people = [self._person(i) for i in range(400)]  # repeat reporters, fictional addresses

    def _person(self, i: int) -> tuple[str, str, str]:
        channel = _pick(self.rng, CHANNELS)
        address = f"9{i:09d}" if channel == "telegram" else f"+1555010{i:04d}"  # exchange 010: not a real number
        return channel, address, _pick(self.rng, self.languages)

    def report(self, at: datetime, local: datetime) -> SyntheticReport:
        rng = self.rng
        venue = None
        area: str | None
        role = "resident"
        if self.nightlife and _is_weekend_night(local) and rng.random() < 0.45:
            place = rng.choice(self.nightlife)
            venue, area = place.name, place.area
            types = [_pick(rng, NIGHTLIFE_TYPES)]
            if rng.random() < 0.6:
                role = "champion"
        else:
            area = _pick(rng, self.area_weights) if rng.random() > 0.03 else None
            weights: dict[str, float] = dict(STREET_TYPES)
            if 6 <= local.hour < 18:
                weights["unsafe_place"] *= 3
                weights["domestic_violence"] *= 0.4
            elif local.hour >= 20 or local.hour < 3:
                weights["domestic_violence"] *= 1.8
            types = [_pick(rng, weights)]
        if rng.random() < 0.12:  # a second type: a robbery with threats, harassment turning physical
            extra = _pick(rng, STREET_TYPES)
            if extra not in types and "unsafe_place" not in (extra, types[0]):
                types.append(extra)
        urgency = self._urgency(types)
        channel, address, language = rng.choice(self.people)
        if role == "champion":
            channel, address, language = "telegram", f"8{self.rng.randint(0, 19):09d}", self.deployment.default_language
        decision = decide(
            self.deployment,
            ReportFacts(
                types=tuple(types), urgency=urgency, area=area, venue=venue, nightlife=venue in self.nightlife_names
            ),
        )
        return SyntheticReport(
            channel=channel,
            address=address,
            role=role,
            language=language,
            text=f"[synthetic history] {' + '.join(types)}",
            place_text=area if rng.random() < 0.3 else None,
            types=tuple(types),
            urgency=urgency,
            area=area,
            venue=venue,
            created_at=at,
            alert_groups=tuple(decision.alert_groups),
            digest_groups=tuple(decision.digest_groups),
        )

    def _urgency(self, types: list[str]) -> str:
        roll = self.rng.random()
        emergency = max(EMERGENCY_SHARE.get(t, 0.1) for t in types)
        if roll < emergency:
            return "emergency"
        routine = min(ROUTINE_SHARE.get(t, 0.2) for t in types)
        return "routine" if roll > 1 - routine * (1 - emergency) else "urgent"

    def respond(self, incident: SyntheticIncident, now: datetime, zone: ZoneInfo) -> None:
        rng, first = self.rng, incident.reports[0]
        if not first.alert_groups:
            return  # digest only (unsafe places): nobody is alerted live
        # An emergency is alerted at once; otherwise after the dialogue asks where and whether it is urgent.
        dialogue = timedelta(seconds=0 if first.urgency == "emergency" else rng.uniform(60, 300))
        sent = first.created_at + dialogue + timedelta(seconds=rng.lognormvariate(math.log(25), 0.6))
        delivered = rng.random() > 0.02
        if sent > now:
            return
        local_hour = first.created_at.astimezone(zone).hour
        night = 1.6 if local_hour < 6 else 1.0
        never = NEVER_ACK[first.urgency] + (0.05 if local_hour < 6 else 0.0)
        acknowledged = None
        if delivered and rng.random() > never:
            minutes = ACK_MINUTES[first.urgency] * self.area_slowness.get(first.area or "", 1.0) * night
            acknowledged = sent + timedelta(minutes=rng.lognormvariate(math.log(minutes), 0.7))
            if acknowledged > now:
                acknowledged = None
        waited = ((acknowledged or now) - sent).total_seconds() / 60.0
        threshold = ESCALATE_AFTER[first.urgency]
        incident.escalations = 0 if waited < threshold else (1 if waited < 3 * threshold else 2)
        incident.first_alert_at = sent if delivered else None
        incident.acknowledged_at = acknowledged
        for group in first.alert_groups:
            incident.alerts.append(
                SyntheticAlert(group, 0, first.created_at + dialogue, sent if delivered else None, acknowledged)
            )
        for step in range(1, incident.escalations + 1):
            at = sent + timedelta(minutes=threshold * step)
            if at < now:
                incident.alerts.append(SyntheticAlert(first.alert_groups[0], step, at, at, acknowledged))


def generate(deployment: Deployment, days: int, seed: int = 7, now: datetime | None = None) -> list[SyntheticIncident]:
    """Incidents (with their reports and alerts) over the `days` before `now`, oldest first."""
    if days < 1:
        raise ValueError("days must be at least 1")
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    zone = ZoneInfo(deployment.timezone)
    generator = _Generator(deployment, rng)
    start = (now - timedelta(days=days)).replace(minute=0, second=0)
    scale = REPORTS_PER_DAY / sum(HOUR_SHAPE) * len(HOUR_SHAPE) / 24.0 / (sum(WEEKDAY_SHAPE) / 7)
    incidents: list[SyntheticIncident] = []
    recent: dict[str | None, SyntheticIncident] = {}  # the last incident per area, to join close reports to
    hours = int((now - start).total_seconds() // 3600) + 1
    for offset in range(hours):
        slot = start + timedelta(hours=offset)
        local = slot.astimezone(zone)
        rate = scale * HOUR_SHAPE[local.hour] * WEEKDAY_SHAPE[local.weekday()] * (1 + TREND * offset / hours)
        for moment in sorted(slot + timedelta(seconds=rng.randrange(3600)) for _ in range(_poisson(rng, rate))):
            if moment >= now or moment < now - timedelta(days=days):
                continue
            report = generator.report(moment, moment.astimezone(zone))
            previous = recent.get(report.area)
            if (
                previous is not None
                and not previous.standalone
                and report.area is not None
                and moment - previous.reports[-1].created_at < timedelta(minutes=90)
                and set(report.types) & set(previous.reports[0].types)
                and rng.random() < 0.5
            ):
                previous.reports.append(report)  # a second witness of the same situation
                continue
            incident = SyntheticIncident(reports=[report], standalone=rng.random() < 0.05)
            incidents.append(incident)
            recent[report.area] = incident
    for incident in incidents:
        generator.respond(incident, now, zone)
    return incidents


async def fill_history(
    db: Database, vault: Vault, deployment: Deployment, days: int, seed: int = 7, now: datetime | None = None
) -> int:
    """Write synthetic history for the past `days` days; returns the number of reports written."""
    from routing.deployment import responder_specs  # the one mapping from config members to responder rows

    incidents = generate(deployment, days, seed, now)
    async with db.sessions() as session, session.begin():
        await Store(session, vault).sync_responders(responder_specs(deployment))
        return await write_history(session, vault, incidents)
