"""Routing closes the loop: delivery with retries, acknowledgement, escalation, clustering, restarts.

Real server, real python-telegram-bot and twilio clients against the fake provider APIs, on SQLite and
on PostgreSQL (the `harness` fixture runs each test on both).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

import locales
from demo.harness import Harness, start_harness
from demo.webhooks import telegram_message_update
from locales import catalog
from routing.deployment import load_deployment
from routing.escalation import on_call_members
from storage.models import Alert, DeliveryAttempt, Incident, OutboxMessage, Report, utcnow
from storage.repository import Store

ROOT = Path(__file__).resolve().parents[2]
AMANI, KOFI = "700000101", "700000102"  # crisis responders, tier 1 and tier 2, Telegram
LUCIA = "+15555550101"  # crisis responder, tier 1, SMS
NADIA, GRACE = "700000201", "+15555550201"  # GBV specialists
TOMAS = "700000301"  # night team, always on call
DUTY_DESK = "700000601"  # the backup of every group
OVERSIGHT = "700000401"


async def one(harness: Harness, model: type):  # type: ignore[no-untyped-def]
    async with harness.services.db.sessions() as session:
        return (await session.scalars(select(model).order_by(model.id))).all()


async def report_by_sms(harness: Harness, sender: str, text: str) -> Report:
    response = await harness.sms(sender, text)
    assert response.status == 200
    reports = [r for r in await one(harness, Report)]
    return reports[-1]


def button_press(update_id: int, chat_id: int, data: str, message_id: int = 1) -> dict:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "chat_instance": "ci",
            "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Responder", "language_code": "en"},
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "text": "alert",
                "chat": {"id": chat_id, "type": "private"},
            },
        },
    }


async def eventually(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until an async condition on the database holds (the worker records after it sends)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.05)


def texts_to(harness: Harness, address: str) -> list[str]:
    return [m.text for m in harness.fakes.to(address)]


async def test_retry_then_success_after_two_5xx(harness: Harness) -> None:
    harness.services.worker.backoff_base_seconds = 0.05
    harness.fakes.fail_next("telegram", 502, 503)
    report = await report_by_sms(
        harness, "+15555550601", "My boyfriend locked me in the house and will not let me leave, right now in Hillside"
    )
    await harness.fakes.wait_for(lambda sent: any(m.to == NADIA for m in sent), timeout=15)

    async def nadia_delivered() -> bool:
        async with harness.services.db.sessions() as session:
            row = (await session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram"))).one()
            return row.status == "sent"

    await eventually(nadia_delivered)
    async with harness.services.db.sessions() as session:
        nadia_row = (await session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram"))).one()
        attempts = (
            await session.scalars(
                select(DeliveryAttempt.outcome)
                .where(DeliveryAttempt.outbox_id == nadia_row.id)
                .order_by(DeliveryAttempt.id)
            )
        ).all()
    assert attempts == ["retry", "retry", "sent"]
    assert nadia_row.status == "sent" and nadia_row.attempts == 3
    assert len([t for t in texts_to(harness, NADIA) if report.reference in t]) == 1


async def test_final_failure_is_recorded_and_escalated_to_the_backup(harness: Harness) -> None:
    harness.fakes.blocked |= {NADIA, GRACE}  # both GBV specialists unreachable for good
    report = await report_by_sms(harness, "+15555550602", "A man groped me at the Central Market just now")
    await harness.fakes.wait_for(lambda sent: any(m.to == DUTY_DESK for m in sent), timeout=15)
    escalated = texts_to(harness, DUTY_DESK)[0]
    assert report.reference in escalated and locales.translate("en", catalog.ALERT_ESCALATED) in escalated
    async with harness.services.db.sessions() as session:
        finals = (await session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.outcome == "final"))).all()
        incident = (await session.scalars(select(Incident))).one()
    assert len(finals) == 2 and all(f.error for f in finals)
    assert incident.escalations == 1


async def test_acknowledge_by_inline_button_stops_escalation_and_tells_everyone(harness: Harness) -> None:
    report = await report_by_sms(
        harness, "+15555550603", "Two men fighting at the Blue Lagoon Bar, one has a knife, now"
    )
    await harness.fakes.wait_for(lambda sent: {AMANI, LUCIA, TOMAS} <= {m.to for m in sent})

    async def alerts_recorded_as_sent() -> bool:  # the worker records a delivery just after the provider answers
        return all(row.status == "sent" for row in await one(harness, OutboxMessage))

    await eventually(alerts_recorded_as_sent)
    alert = harness.fakes.to(AMANI)[0]
    assert alert.reply_markup and any(
        b["callback_data"] == f"ACK {report.reference}" for row in alert.reply_markup["inline_keyboard"] for b in row
    )
    response = await harness.telegram(button_press(7001, int(AMANI), f"ACK {report.reference}"))
    assert response.status == 200
    assert "answerCallbackQuery" in harness.fakes.calls

    await harness.fakes.wait_for(lambda sent: any(m.to == LUCIA and "Amani" in m.text for m in sent))
    await harness.fakes.wait_for(lambda sent: len(harness.fakes.edits) >= 1)
    assert str(harness.fakes.edits[0]["chat_id"]) == TOMAS and "Amani" in harness.fakes.edits[0]["text"]
    assert any(
        locales.translate("sw", catalog.ACK_CONFIRMED, ref=report.reference) == t for t in texts_to(harness, AMANI)
    )
    # The reporter hears that someone is on it (by SMS, through the REST API).
    await harness.fakes.wait_for(lambda sent: any(m.to == "+15555550603" for m in sent))
    [incident] = await one(harness, Incident)
    # The chain stops; the route's unresolved reminder (12 h in the demo city) is all that is left.
    assert incident.status == "acknowledged"
    assert incident.next_step_at == incident.acknowledged_at + timedelta(hours=12)
    assert await harness.services.intake.run_escalations(utcnow() + timedelta(hours=2)) == 0


async def test_acknowledge_by_sms_and_refuse_strangers(harness: Harness) -> None:
    report = await report_by_sms(harness, "+15555550604", "I was robbed at the Bus Station an hour ago")
    stranger = await harness.sms("+15555550999", f"ACK {report.reference}")
    assert locales.translate("en", catalog.ACK_REFUSED, ref=report.reference) in await stranger.text()
    not_alerted = await harness.telegram(telegram_message_update(7101, int(OVERSIGHT), f"ACK {report.reference}"))
    assert not_alerted.status == 200
    [incident] = await one(harness, Incident)
    assert incident.status == "open"  # nothing changed
    taken = await harness.sms(LUCIA, f"ack {report.reference.lower()}")
    assert report.reference in await taken.text()
    [incident] = await one(harness, Incident)
    assert incident.status == "acknowledged"
    # Amani's Telegram alert is edited in place to say who took it.
    await harness.fakes.wait_for(
        lambda _: any(str(e["chat_id"]) == AMANI and "Lucia" in e["text"] for e in harness.fakes.edits)
    )


async def test_wrong_type_becomes_a_correction(harness: Harness) -> None:
    report = await report_by_sms(
        harness, "+15555550605", "Men with knives are robbing cars on the Harbour road right now"
    )
    assert "gun_violence" not in report.types
    await harness.sms(LUCIA, f"ACK {report.reference}")  # only the holder corrects
    response = await harness.sms(LUCIA, f"TYPE {report.reference} gun_violence")
    assert (
        locales.translate(
            "es",
            catalog.TYPE_CORRECTED,
            ref=report.reference,  # Lucia reads Spanish
            type=locales.type_name("es", "gun_violence"),
        )
        in await response.text()
    )
    from storage.models import Correction

    [correction] = await one(harness, Correction)
    assert correction.new_type == "gun_violence" and correction.text_enc is not None
    assert correction.old_types == report.types
    [stored] = await one(harness, Report)
    assert stored.types == ["gun_violence"]


async def test_escalation_on_time_under_a_controlled_clock(harness: Harness) -> None:
    report = await report_by_sms(
        harness, "+15555550606", "A gang is threatening the shop owners at the Harbour, they just left"
    )
    [incident] = await one(harness, Incident)
    opened = incident.opened_at

    async def tick(minutes: float) -> int:
        return await harness.services.intake.run_escalations(opened + timedelta(minutes=minutes))

    async def alerted() -> Counter:
        return Counter((a.group, a.step) for a in await one(harness, Alert))

    assert await alerted() == Counter({("crisis_responders", 0): 2})  # tier 1: Amani and Lucia
    assert await tick(4.9) == 0
    assert await tick(5.01) == 1  # wait over: the repeat sends tier 1 again
    assert (await alerted())[("crisis_responders", 0)] == 4
    assert await tick(9.9) == 0
    assert await tick(10.02) == 1  # second wait over: tier 2 (Kofi)
    assert (await alerted())[("crisis_responders", 3)] == 1
    assert await tick(20.03) == 1  # no one took it: the duty desk
    assert (await alerted())[("duty_desk", 5)] == 1
    # The chain is done; the route reminds everyone alerted every 15 minutes until someone takes it.
    assert await tick(35.0) == 0
    assert await tick(35.1) == 1
    [incident] = await one(harness, Incident)
    assert incident.escalations == 2 and incident.reminders == 1  # tier 2, duty desk (a repeat is not one)
    assert incident.next_step_at == opened + timedelta(minutes=50.1)
    await harness.fakes.wait_for(lambda sent: any(m.to == DUTY_DESK for m in sent))
    assert report.reference in texts_to(harness, DUTY_DESK)[0]


async def test_three_reports_of_one_fight_make_one_incident(harness: Harness) -> None:
    first = await report_by_sms(harness, "+15555550607", "Fight at the door of Club Neon, two men punching")
    await report_by_sms(harness, "+15555550608", "big fight outside club neon old town")
    await report_by_sms(harness, "+15555550609", "Club Neon fight, one of them has a gun now")
    [incident] = await one(harness, Incident)
    assert incident.report_count == 3 and incident.reference == first.reference
    assert "gun_violence" in incident.types
    recipients = {alert.responder_id for alert in await one(harness, Alert)}
    assert len(await one(harness, Alert)) == len(recipients)  # one alert each
    await harness.fakes.wait_for(lambda sent: len([m for m in sent if m.to == AMANI]) >= 3)
    amani = texts_to(harness, AMANI)
    assert len([t for t in amani if t.startswith("SALAMA")]) == 1
    updates = [t for t in amani if t.startswith(f"{first.reference}:")]
    assert len(updates) == 2 and "3" in updates[-1]


async def test_restart_between_report_and_delivery_delivers_exactly_once(database_url: str) -> None:
    key = secrets.token_urlsafe(48)
    first = await start_harness(database_url, run_worker=False, secret_key=key)
    try:
        await first.sms("+15555550610", "Someone stole my bag and hit me at the Central Market, just now")
        outbox = len(await one(first, OutboxMessage))
        assert outbox > 0 and first.fakes.sent == []
    finally:
        await first.stop()  # the process "dies" before anything is delivered
    second = await start_harness(database_url, secret_key=key)
    try:
        await second.fakes.wait_for_count(outbox)
        await asyncio.sleep(0.5)
        assert len(second.fakes.sent) == outbox
    finally:
        await second.stop()
    third = await start_harness(database_url, secret_key=key)
    try:
        await asyncio.sleep(1.0)
        assert third.fakes.sent == []  # nothing goes out twice
    finally:
        await third.stop()


async def test_off_duty_members_are_skipped(tmp_path: Path, sqlite_url: str) -> None:
    deployment = load_deployment(ROOT / "config" / "demo-city.yaml")
    saturday_night = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)  # 02:00 Sunday in Nairobi
    tuesday_noon = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert [m.name for m in on_call_members(deployment, "night_team", saturday_night, None)] == ["Tomas", "Ines"]
    assert [m.name for m in on_call_members(deployment, "night_team", tuesday_noon, None)] == ["Tomas"]

    # Nobody on call at all: the group escalates straight to its backup.
    config = yaml.safe_load((ROOT / "config" / "demo-city.yaml").read_text())
    today = datetime.now().astimezone().weekday()
    other_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(today + 3) % 7]
    for group in config["groups"]:
        if group["name"] == "gbv_specialists":
            for member in group["members"]:
                member["on_call"] = [f"{other_day} 00:00-00:01"]
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    (tmp_path / "demo-city.geojson").write_text((ROOT / "config" / "demo-city.geojson").read_text())
    harness = await start_harness(sqlite_url, deployment_config=path)
    try:
        report = await report_by_sms(
            harness, "+15555550611", "A man keeps following me and touching me at the University"
        )
        await harness.fakes.wait_for(lambda sent: any(m.to == DUTY_DESK for m in sent))
        assert report.reference in texts_to(harness, DUTY_DESK)[0]
        assert texts_to(harness, NADIA) == [] and texts_to(harness, GRACE) == []
    finally:
        await harness.stop()


async def test_three_workers_deliver_500_alerts_without_duplicates(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers on several machines share work through PostgreSQL only")
    from demo.fakes import FakeProviders
    from demo.harness import demo_settings
    from handlers.telegram import TelegramChannel
    from routing.delivery import DeliveryWorker
    from storage.crypto import Vault
    from storage.db import Database

    fakes = FakeProviders()
    await fakes.start()
    settings = demo_settings(database_url, fakes)
    vault = Vault(settings.secret_key or "")
    setup = Database(database_url)
    async with setup.sessions() as session, session.begin():
        store = Store(session, vault)
        for number in range(500):
            store.enqueue("telegram", str(700100000 + number % 7), f"alert {number}", "alert")
    await setup.dispose()

    workers, channels, databases = [], [], []
    for _ in range(3):  # three "machines": each its own engine, channel client and worker
        database = Database(database_url)
        channel = TelegramChannel(settings, sink=None)
        await channel.start()
        databases.append(database)
        channels.append(channel)
        workers.append(DeliveryWorker(database, vault, {"telegram": channel}, batch_size=25))
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    try:
        await fakes.wait_for_count(500, timeout=60)
        await asyncio.sleep(1.0)  # let any duplicate show up
    finally:
        for worker in workers:
            worker.stop()
        await asyncio.gather(*tasks)
        for channel in channels:
            await channel.stop()
        for database in databases:
            await database.dispose()
        await fakes.stop()
    texts = Counter(m.text for m in fakes.sent)
    assert len(fakes.sent) == 500 and len(texts) == 500 and max(texts.values()) == 1
    verify = Database(database_url)
    async with verify.sessions() as session:
        statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
    await verify.dispose()
    assert statuses == Counter({"sent": 500})


async def test_telegram_429_is_retried_no_sooner_than_it_asked(harness: Harness) -> None:
    harness.services.worker.backoff_base_seconds = 0.05  # our own backoff would retry at once
    harness.fakes.retry_after_seconds = 2
    harness.fakes.fail_next("telegram", 429)
    started = time.monotonic()
    report = await report_by_sms(
        harness, "+15555550620", "My boyfriend locked me in the house and will not let me leave, right now in Hillside"
    )
    await harness.fakes.wait_for(
        lambda sent: any(m.to == NADIA and report.reference in m.text for m in sent), timeout=15
    )
    assert time.monotonic() - started >= 2.0  # Telegram's retry_after, not our 0.05 s backoff
    async with harness.services.db.sessions() as session:
        outcomes = (await session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id))).all()
    assert outcomes[0] == "retry" and "sent" in outcomes


async def test_an_emergency_goes_out_before_a_routine_backlog(database_url: str) -> None:
    harness = await start_harness(database_url, run_worker=False)
    try:
        async with harness.services.db.sessions() as session, session.begin():
            store = Store(session, harness.services.vault)
            for number in range(60):  # a backlog of routine updates, all due
                store.enqueue("telegram", TOMAS, f"routine {number}", "update")
        await report_by_sms(harness, "+15555550621", "Someone is shooting a gun at the Harbour now")
        worker = harness.services.worker
        worker.batch_size = 5
        assert await worker.drain_once() == 5
        first = [m.text for m in harness.fakes.sent]
        assert all("routine" not in text for text in first) and any("EMERGENCY" in text for text in first)
    finally:
        await harness.stop()
