"""The synthetic history has the shape the dashboard is meant to reveal, and the same seed gives the same data."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from demo.history import generate
from routing.deployment import load_deployment

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


def test_history_is_plausible_and_reproducible() -> None:
    deployment = load_deployment(ROOT / "config" / "demo-city.yaml")
    zone = ZoneInfo(deployment.timezone)
    incidents = generate(deployment, 90, seed=7, now=NOW)
    again = generate(deployment, 90, seed=7, now=NOW)
    assert [[r.created_at for r in i.reports] for i in incidents] == [[r.created_at for r in i.reports] for i in again]
    reports = [r for i in incidents for r in i.reports]
    assert 1500 < len(reports) < 3500
    assert all(r.created_at < NOW for r in reports)
    local = [r.created_at.astimezone(zone) for r in reports]
    evening = sum(1 for t in local if 18 <= t.hour <= 23)
    early = sum(1 for t in local if 3 <= t.hour <= 8)
    assert evening > 3 * early  # a nightly rhythm
    venues = [r for r in reports if r.venue]
    assert venues and all(t.weekday() in (3, 4, 5, 6) for t in (r.created_at.astimezone(zone) for r in venues))
    assert any(r.role == "champion" for r in venues) and any("drink_spiking" in r.types for r in venues)
    areas = Counter(r.area for r in reports)
    assert areas.most_common(1)[0][1] > 2 * min(n for a, n in areas.items() if a)  # some areas hotter
    alerted = [i for i in incidents if i.reports[0].alert_groups]
    assert any(i.escalations for i in alerted) and any(i.acknowledged_at is None for i in alerted)
    assert any(len(i.reports) > 1 for i in incidents) and any(i.standalone for i in incidents)
    assert not [i for i in incidents if not i.reports[0].alert_groups and i.alerts]  # digests alert nobody
    assert all(r.address.startswith(("+1555010", "9", "8")) for r in reports)  # fictional addresses only
