"""Retention: free text and contact data past RETENTION_DAYS are erased, and no aggregate changes."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from demo.history import fill_history
from monitoring.aggregates import Vocabulary, compute_statistics
from monitoring.export import to_json
from monitoring.periods import Period
from monitoring.retention import purge
from routing.deployment import load_deployment
from storage.crypto import Vault
from storage.db import Database
from storage.models import OutboxMessage, Report, Reporter

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)


async def every_figure(db: Database) -> list[str]:
    deployment = load_deployment(ROOT / "config" / "demo-city.yaml")
    out = []
    for days in (7, 14, 28):  # periods before, across and after the cutoff
        period = Period(NOW - timedelta(days=days), NOW)
        statistics = await compute_statistics(
            db,
            period,
            timezone_name=deployment.timezone,
            k=5,
            vocabulary=Vocabulary.from_deployment(deployment),
            deployment=deployment.name,
        )
        document = json.loads(to_json(statistics))
        document.pop("generated_at")
        out.append(json.dumps(document, sort_keys=True))
    return out


async def test_purge_erases_text_and_contacts_and_keeps_every_aggregate(database_url: str) -> None:
    db = Database(database_url)
    vault = Vault(secrets.token_urlsafe(40))
    deployment = load_deployment(ROOT / "config" / "demo-city.yaml")
    try:
        written = await fill_history(db, vault, deployment, days=40, now=NOW)
        assert written > 500
        before = await every_figure(db)
        cutoff = NOW - timedelta(days=20)

        counts = await purge(db, days=20, now=NOW)
        assert counts.reports > 100 and counts.outbox > 100 and counts.reporters > 0

        async with db.sessions() as session:
            old_text = await session.scalar(
                select(func.count())
                .select_from(Report)
                .where(
                    Report.created_at < cutoff, (Report.text_enc.is_not(None)) | (Report.place_text_enc.is_not(None))
                )
            )
            new_text = await session.scalar(
                select(func.count())
                .select_from(Report)
                .where(Report.created_at >= cutoff, Report.text_enc.is_not(None))
            )
            old_coded = await session.scalar(
                select(func.count()).select_from(Report).where(Report.created_at < cutoff, Report.urgency.is_not(None))
            )
            old_outbox = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.created_at < cutoff, OutboxMessage.address_enc.is_not(None))
            )
            kept_times = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.created_at < cutoff, OutboxMessage.sent_at.is_not(None))
            )
            stale = await session.scalar(
                select(func.count())
                .select_from(Reporter)
                .where(Reporter.last_seen_at < cutoff, Reporter.address_enc.is_not(None))
            )
        assert old_text == 0 and old_outbox == 0 and stale == 0
        assert new_text and new_text > 100  # recent reports keep their text
        assert old_coded == counts.reports  # the purged rows are all still there
        assert kept_times and kept_times > 0  # alert times stay for the response measures

        assert await every_figure(db) == before
        again = await purge(db, days=20, now=NOW)
        assert again.total == 0  # idempotent
    finally:
        await db.dispose()
