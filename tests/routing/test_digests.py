"""Digests delivered: the safety unit's weekly list of unsafe places, exactly once, within SMS limits.

Real server with the keyword classifier, reports sent through the real Twilio webhook, digests
delivered by the real delivery worker to the fake Twilio API; on SQLite and on PostgreSQL. The runner
is called with a controlled clock: a Monday 08:00 in Africa/Nairobi, and just before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

import locales
from demo.harness import Harness, start_harness
from locales import catalog
from locales.segments import for_sms, sms_encoding, sms_segments
from nlp.keywords import KeywordClassifier
from routing.deployment import load_deployment
from routing.digests import DigestRunner, Entry, format_digest, latest_due
from routing.safeguard import ResponderGate
from storage.models import AuditEvent, DigestRun, Incident, OutboxMessage, Report, Responder
from storage.repository import Store
from tests.routing.cities import write_config

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "config" / "demo-city.yaml"
NAIROBI = ZoneInfo("Africa/Nairobi")
SAFETY_UNIT = "+15555550501"
POLICE_LIAISON = "+15555550701"

BUS_STATION = "The street lights near the Bus Station have been broken for weeks and it is very dark at night"
HILLSIDE = "abandoned building in Hillside where men hang around, unsafe to walk past"
MARKET = "No street light on the road behind the Central Market, very dark"
RIVERSIDE = "Abandoned house in Riverside is unsafe at night"


# --- helpers -----------------------------------------------------------------------------------------


def group_of(config: dict, name: str) -> dict:
    return next(g for g in config["groups"] if g["name"] == name)


def route_of(config: dict, digesting: str) -> dict:
    return next(r for r in config["routes"] if digesting in r.get("digest", []))


async def rows(harness: Harness, model: type, *where) -> list:  # type: ignore[no-untyped-def]
    async with harness.services.db.sessions() as session:
        return list((await session.scalars(select(model).where(*where).order_by(model.id))).all())


async def eventually(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.05)


async def report(harness: Harness, sender: str, text: str) -> Report:
    """Send one SMS report and wait until it is submitted (routed); returns the stored report."""
    before = {r.id for r in await rows(harness, Report)}
    response = await harness.sms(sender, text)
    assert response.status == 200
    found: list[Report] = []

    async def submitted() -> bool:
        found[:] = [r for r in await rows(harness, Report) if r.id not in before and r.submitted_at is not None]
        return bool(found)

    await eventually(submitted)
    return found[-1]


async def unsafe_report(harness: Harness, sender: str, text: str, area: str) -> Report:
    stored = await report(harness, sender, text)
    assert "unsafe_place" in stored.types and stored.area == area, (stored.types, stored.area)
    assert "safety_unit" in stored.digest_groups and "safety_unit" not in stored.alert_groups
    return stored


def next_monday_eight(after: datetime) -> datetime:
    """The first Monday 08:00 in Nairobi strictly after `after`, as aware UTC."""
    local = after.astimezone(NAIROBI)
    day = local.date()
    while True:
        due = datetime(day.year, day.month, day.day, 8, 0, tzinfo=NAIROBI)
        if due.weekday() == 0 and due > local:
            return due.astimezone(UTC)
        day += timedelta(days=1)


def runner_for(harness: Harness) -> DigestRunner:
    return DigestRunner(harness.services.deployment, ResponderGate(harness.services.deployment))


async def run_at(harness: Harness, runner: DigestRunner, now: datetime) -> int:
    async with harness.services.db.sessions() as session, session.begin():
        sent = await runner.run_due(Store(session, harness.services.vault), now)
    if sent and harness.services.worker is not None:
        harness.services.worker.wake()  # as the server's timer does after the commit (SQLite has no NOTIFY)
    return sent


async def digests_to(harness: Harness, address: str, count: int) -> list[str]:
    """Wait until `count` digest messages reached `address` by SMS; their texts, in order."""
    await harness.fakes.wait_for(lambda sent: len([m for m in sent if m.to == address]) >= count, timeout=15)
    await asyncio.sleep(0.2)  # nothing more is on its way
    return [m.text for m in harness.fakes.to(address)]


async def digest_outbox(harness: Harness) -> list[OutboxMessage]:
    return await rows(harness, OutboxMessage, OutboxMessage.kind == "digest")


async def _start(database_url: str, config: Path) -> Harness:
    return await start_harness(database_url, classifier=KeywordClassifier(), deployment_config=config, run_timers=False)


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    """The real server without its own timers: these tests run the digests on their own clock (the
    server's timer would otherwise record the real last Monday's digest alongside)."""
    running = await start_harness(database_url, classifier=KeywordClassifier(), run_timers=False)
    try:
        yield running
    finally:
        await running.stop()


# --- the safety unit's weekly digest, end to end ------------------------------------------------------


async def test_weekly_digest_goes_out_once_at_the_due_time(harness: Harness) -> None:
    bus = await unsafe_report(harness, "+15555551001", BUS_STATION, "Bus Station")
    hill = await unsafe_report(harness, "+15555551002", HILLSIDE, "Hillside")
    robbery = await report(harness, "+15555551003", "Someone stole my phone and hit me at the Harbour just now")
    assert "safety_unit" not in robbery.digest_groups
    runner = runner_for(harness)
    due = next_monday_eight(max(bus.submitted_at, hill.submitted_at))  # type: ignore[type-var]
    assert due.astimezone(NAIROBI).strftime("%a %H:%M") == "Mon 08:00"

    # Just before: nothing. (The previous Monday's run is recorded, empty: nothing was due then.)
    assert await run_at(harness, runner, due - timedelta(minutes=1)) == 0
    assert await run_at(harness, runner, due - timedelta(seconds=1)) == 0
    assert await digest_outbox(harness) == []
    [empty] = await rows(harness, DigestRun)
    assert empty.due_at == due - timedelta(days=7) and empty.references == [] and empty.messages == 0

    # At the due time: the safety unit gets both codes, by area, within two SMS segments.
    assert await run_at(harness, runner, due) == 1
    [text] = await digests_to(harness, SAFETY_UNIT, 1)
    assert bus.reference in text and hill.reference in text and robbery.reference not in text
    assert "Bus Station" in text and "Hillside" in text
    assert text.startswith(
        locales.translate(
            "en",
            catalog.DIGEST_TITLE,
            time=(due - timedelta(days=7)).astimezone(NAIROBI).strftime("%H:%M %d/%m"),
            count="2",
        )
    )
    assert "- unsafe place: " in text
    assert text.index("Bus Station") < text.index("Hillside")  # the deployment's order of areas
    assert sms_encoding(text) == "GSM-7" and sms_segments(text) <= 2
    run = (await rows(harness, DigestRun, DigestRun.due_at == due))[0]
    assert sorted(run.references) == sorted([bus.reference, hill.reference]) and run.messages == 1
    assert run.period_start == due - timedelta(days=7)
    [audit] = await rows(harness, AuditEvent, AuditEvent.kind == "digest_sent")
    assert audit.detail == {"group": "safety_unit", "reports": 2, "messages": 1, "withheld_from_police": 0}
    assert audit.report_id is None  # no personal data, no link to one reporter

    # Exactly once: again at the due time, later that day, by a second runner (another process).
    assert await run_at(harness, runner, due) == 0
    assert await run_at(harness, runner, due + timedelta(hours=5)) == 0
    assert await run_at(harness, runner_for(harness), due + timedelta(days=6, hours=23)) == 0
    assert len(await digest_outbox(harness)) == 1
    await asyncio.sleep(0.3)
    assert len(harness.fakes.to(SAFETY_UNIT)) == 1

    # The next week lists only what came since.
    market = await unsafe_report(harness, "+15555551004", MARKET, "Central Market")
    assert await run_at(harness, runner, due + timedelta(days=7)) == 1
    texts = await digests_to(harness, SAFETY_UNIT, 2)
    assert len(texts) == 2
    second = texts[1]
    assert market.reference in second and "Central Market" in second
    assert bus.reference not in second and hill.reference not in second
    assert "Reports: 1" in second


async def test_a_missed_week_is_caught_up_not_dropped(harness: Harness) -> None:
    bus = await unsafe_report(harness, "+15555551011", BUS_STATION, "Bus Station")
    runner = runner_for(harness)
    due = next_monday_eight(bus.submitted_at)  # type: ignore[arg-type]
    # The server was down on that Monday and the next: the first check afterwards sends one digest.
    assert await run_at(harness, runner, due + timedelta(days=8, hours=3)) == 1
    [text] = await digests_to(harness, SAFETY_UNIT, 1)
    assert bus.reference in text
    [run] = await rows(harness, DigestRun)
    assert run.due_at == due + timedelta(days=7) and run.period_start is None and run.references == [bus.reference]


async def test_many_reports_are_split_into_numbered_sms(harness: Harness) -> None:
    places = [
        ("Bus Station", "The street light number {i} at the Bus Station is broken, very dark at night"),
        ("Hillside", "Abandoned house number {i} in Hillside, unsafe to walk past"),
        ("Riverside", "No street light on path {i} at Riverside, very dark"),
    ]
    sent: list[Report] = []
    for i in range(48):
        area, text = places[i % 3]
        sent.append(await unsafe_report(harness, f"+1555555{2000 + i}", text.format(i=i), area))
    due = next_monday_eight(max(r.submitted_at for r in sent))  # type: ignore[type-var]
    runner = runner_for(harness)
    assert await run_at(harness, runner, due) == 1
    outbox = await digest_outbox(harness)
    count = len(outbox)
    assert count >= 2
    texts = await digests_to(harness, SAFETY_UNIT, count)
    assert len(texts) == count
    for number, text in enumerate(texts, 1):
        assert text.startswith(f"({number}/{count}) "), text
        assert sms_segments(text) <= 2, (len(text), text)
        assert "Reports: 48" in text.splitlines()[0]
    joined = "\n".join(texts)
    for stored in sent:
        assert joined.count(stored.reference) == 1, stored.reference  # each listed once, none lost
    [run] = await rows(harness, DigestRun, DigestRun.due_at == due)
    assert run.messages == count and len(run.references) == 48


async def test_two_processes_racing_send_the_digest_once(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bus = await unsafe_report(harness, "+15555551021", BUS_STATION, "Bus Station")
    due = next_monday_eight(bus.submitted_at)  # type: ignore[arg-type]
    first, second = runner_for(harness), runner_for(harness)

    async def run(runner: DigestRunner) -> int:
        async with harness.services.db.sessions() as session, session.begin():
            store = Store(session, harness.services.vault)
            sent = await runner.run_due(store, due)
            await asyncio.sleep(0.3)  # hold the transaction open: the other one must wait or skip
            return sent

    with caplog.at_level(logging.INFO, logger="salama.digests"):
        results = await asyncio.gather(run(first), run(second))
    assert not [r for r in caplog.records if r.name == "salama.digests"]  # the loser skipped quietly, no error
    harness.services.worker.wake()  # type: ignore[union-attr]
    assert sorted(results) == [0, 1]
    assert len(await digest_outbox(harness)) == 1
    assert len(await rows(harness, DigestRun, DigestRun.group == "safety_unit")) == 1
    assert len(await digests_to(harness, SAFETY_UNIT, 1)) == 1


# --- configurations a city could write ------------------------------------------------------------------


async def test_police_affiliated_digest_group_never_gets_misconduct(database_url: str, tmp_path: Path) -> None:
    def police_get_unsafe_places(config: dict) -> None:
        police = group_of(config, "city_police")
        police["members"] = [{"name": "Police liaison", "sms": POLICE_LIAISON, "languages": ["en"]}]
        police["digest"] = {"every": "mon 08:00"}
        route_of(config, "safety_unit")["digest"] = ["safety_unit", "city_police"]

    harness = await _start(database_url, write_config(tmp_path, police_get_unsafe_places))
    try:
        clean = await unsafe_report(harness, "+15555551031", BUS_STATION, "Bus Station")
        assert "city_police" in clean.digest_groups
        corrected = await unsafe_report(harness, "+15555551032", HILLSIDE, "Hillside")
        clustered = await unsafe_report(harness, "+15555551033", RIVERSIDE, "Riverside")
        complaint = await report(
            harness,
            "+15555551034",
            "The police beat me at the Hillside checkpoint and the road there is dark and unsafe",
        )
        assert "police_misconduct" in complaint.types and "city_police" not in complaint.digest_groups
        # What later paths can leave behind: a responder's correction to police_misconduct, a report on an
        # incident that carries it, and (an older config) a complaint that lists the police digest.
        async with harness.services.db.sessions() as session, session.begin():
            row = await session.get(Report, corrected.id)
            row.types = ["unsafe_place", "police_misconduct"]
            row = await session.get(Report, clustered.id)
            assert row.incident_id is not None
            incident = await session.get(Incident, row.incident_id)
            incident.police_sensitive = True
            row = await session.get(Report, complaint.id)
            row.digest_groups = ["safety_unit", "city_police"]
        runner = runner_for(harness)
        due = next_monday_eight(complaint.submitted_at)  # type: ignore[arg-type]
        assert await run_at(harness, runner, due) == 2
        [police] = await digests_to(harness, POLICE_LIAISON, 1)
        [safety] = await digests_to(harness, SAFETY_UNIT, 1)
        assert clean.reference in police and "Reports: 1" in police
        for withheld in (corrected, clustered, complaint):
            assert withheld.reference not in police
            assert withheld.reference in safety  # the safety unit is not the police: it gets them all
        assert not await rows(harness, AuditEvent, AuditEvent.kind == "withheld_from_police")  # left out, not needed
        [run] = await rows(harness, DigestRun, DigestRun.group == "city_police", DigestRun.due_at == due)
        assert run.references == [clean.reference]
        audits = {
            a.detail["group"]: a.detail for a in await rows(harness, AuditEvent, AuditEvent.kind == "digest_sent")
        }
        assert audits["city_police"] == {"group": "city_police", "reports": 1, "messages": 1, "withheld_from_police": 3}
        assert audits["safety_unit"]["reports"] == 4
        # Later weeks do not bring them back either.
        assert await run_at(harness, runner, due + timedelta(days=7)) == 0
        await asyncio.sleep(0.3)
        assert len(harness.fakes.to(POLICE_LIAISON)) == 1
    finally:
        await harness.stop()


async def test_a_group_with_nobody_records_the_digest_as_undeliverable(
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A config with no member in a digest group is refused at load; what is left is a group whose
    # members are all inactive in the database (e.g. a roster synced by hand while the server runs).
    harness = await _start(database_url, write_config(tmp_path, lambda config: None))
    try:
        async with harness.services.db.sessions() as session, session.begin():
            await session.execute(update(Responder).where(Responder.group == "safety_unit").values(active=False))
        bus = await unsafe_report(harness, "+15555551041", BUS_STATION, "Bus Station")
        due = next_monday_eight(bus.submitted_at)  # type: ignore[arg-type]
        with caplog.at_level(logging.INFO, logger="salama.digests"):
            assert await run_at(harness, runner_for(harness), due) == 0
        [run] = await rows(harness, DigestRun, DigestRun.due_at == due)
        assert run.messages == 0 and run.references == [bus.reference]
        [audit] = await rows(harness, AuditEvent, AuditEvent.kind == "digest_undeliverable")
        assert audit.detail == {"group": "safety_unit", "reports": 1, "messages": 0}
        lines = [r.getMessage() for r in caplog.records if r.name == "salama.digests"]
        assert len(lines) == 1 and "safety_unit" in lines[0]
        assert bus.reference not in lines[0] and "Bus Station" not in lines[0] and "+1555" not in lines[0]
        assert await digest_outbox(harness) == []
    finally:
        await harness.stop()


async def test_one_failing_digest_does_not_stop_the_others(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def two_digest_groups(config: dict) -> None:
        night = group_of(config, "night_team")
        night["digest"] = {"every": "mon 08:00"}
        route_of(config, "safety_unit")["digest"] = ["night_team", "safety_unit"]

    harness = await _start(database_url, write_config(tmp_path, two_digest_groups))
    try:
        bus = await unsafe_report(harness, "+15555551051", BUS_STATION, "Bus Station")
        due = next_monday_eight(bus.submitted_at)  # type: ignore[arg-type]
        real = Store.active_responders

        async def broken_for_the_night_team(self: Store, group: str):  # type: ignore[no-untyped-def]
            if group == "night_team":
                raise RuntimeError("a broken row")
            return await real(self, group)

        monkeypatch.setattr(Store, "active_responders", broken_for_the_night_team)
        runner = runner_for(harness)
        with caplog.at_level(logging.INFO, logger="salama.digests"):
            assert await run_at(harness, runner, due) == 1  # the safety unit's went out
        [text] = await digests_to(harness, SAFETY_UNIT, 1)
        assert bus.reference in text
        [line] = [r.getMessage() for r in caplog.records if r.name == "salama.digests"]
        assert "night_team" in line and "RuntimeError" in line and "broken row" not in line
        assert [r.group for r in await rows(harness, DigestRun)] == ["safety_unit"]  # the failed one rolled back
        assert await run_at(harness, runner, due + timedelta(minutes=1)) == 0  # not retried every tick
        monkeypatch.setattr(Store, "active_responders", real)
        assert await run_at(harness, runner, due + timedelta(minutes=6)) == 1  # retried, and sent
        assert {r.group for r in await rows(harness, DigestRun)} == {"safety_unit", "night_team"}
    finally:
        await harness.stop()


# --- formatting and schedule, without a server ---------------------------------------------------------------


def _entries(count: int) -> list[Entry]:
    areas = ["Bus Station", "Hillside", None, "Old Town"]
    return [
        Entry(f"R-{i:04d}", areas[i % 4], ("unsafe_place",) if i % 5 else ("unsafe_place", "robbery"))
        for i in range(count)
    ]


@pytest.mark.parametrize("lang", locales.SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("channel,limit", [("sms", None), ("whatsapp", 1600), ("telegram", 4096)])
def test_format_digest_fits_each_channel_and_loses_nothing(lang: str, channel: str, limit: int | None) -> None:
    deployment = load_deployment(DEMO)
    entries = _entries(800)
    since = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    messages = format_digest(
        entries,
        since=since,
        timezone_name=deployment.timezone,
        language=lang,
        channel=channel,
        area_order=[a.name for a in deployment.areas],
    )
    assert len(messages) >= 2
    for number, text in enumerate(messages, 1):
        assert text.startswith(f"({number}/{len(messages)}) ")
        if channel == "sms":
            assert sms_segments(for_sms(text)) <= 2, text
        else:
            assert len(text) <= limit  # type: ignore[operator]
    joined = "\n".join(messages)
    assert all(joined.count(e.reference) == 1 for e in entries)
    assert locales.translate(lang, catalog.UNKNOWN_AREA) in joined
    assert locales.type_name(lang, "unsafe_place") in joined
    # areas in the deployment's order, then "area not given"; a message that goes on with an area names it again
    headings = [text.splitlines()[1] for text in messages]
    areas = [line for text in messages for line in text.splitlines()[1:] if not line.startswith("- ")]
    assert list(dict.fromkeys(areas)) == [
        "Old Town",
        "Bus Station",
        "Hillside",
        locales.translate(lang, catalog.UNKNOWN_AREA),
    ]
    assert all(heading in areas for heading in headings)


def test_format_digest_short_is_one_unnumbered_message() -> None:
    since = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    [text] = format_digest(
        [Entry("R-7K3F", "Hillside", ("unsafe_place",)), Entry("R-8ABC", None, ("other",))],
        since=since,
        timezone_name="Africa/Nairobi",
        language="en",
        channel="sms",
    )
    assert text == (
        "SALAMA digest since 08:00 30/11. Reports: 2\nHillside\n- unsafe place: R-7K3F\narea not given\n- other: R-8ABC"
    )
    assert format_digest([], since=since, timezone_name="Africa/Nairobi", language="en", channel="sms") == []


def test_latest_due_in_the_deployment_time_zone() -> None:
    schedule = load_deployment(DEMO).group("safety_unit").digest
    assert schedule is not None
    monday_eight = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi (UTC+3)
    assert latest_due(schedule, NAIROBI, monday_eight) == monday_eight
    assert latest_due(schedule, NAIROBI, monday_eight - timedelta(seconds=1)) == monday_eight - timedelta(days=7)
    assert latest_due(schedule, NAIROBI, monday_eight + timedelta(days=6, hours=23)) == monday_eight
