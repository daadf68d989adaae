"""Retention: free text and contact data older than RETENTION_DAYS are erased; coded fields stay.

What a reporter wrote, where they said it happened in their own words, and the addresses used to
reach reporters and responders are kept only as long as a case may still need them. The counts,
codes and times behind every aggregate are left untouched, so statistics do not change.
Run it daily (`bot.py purge` from cron, or `purge_forever` in the server).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.retention import PurgeCounts, purge_before

log = logging.getLogger("salama.retention")
PURGE_INTERVAL_SECONDS = 6 * 3600


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    if days < 1:
        raise ValueError("retention must be at least one day")
    return (now or datetime.now(UTC)) - timedelta(days=days)


async def purge(db: Database, days: int, now: datetime | None = None) -> PurgeCounts:
    async with db.sessions() as session, session.begin():
        counts = await purge_before(session, cutoff_for(days, now))
    # Counts only: which rows were touched says nothing about anyone.
    log.info(
        "retention purge (%d days): %d reports, %d corrections, %d reporters, %d outbox messages",
        days,
        counts.reports,
        counts.corrections,
        counts.reporters,
        counts.outbox,
    )
    return counts


async def purge_forever(db: Database, days: int, interval: float = PURGE_INTERVAL_SECONDS) -> None:
    """A background task for `serve`: purge now, then every few hours."""
    while True:
        try:
            await purge(db, days)
        except Exception:
            log.exception("retention purge failed; will try again")
        await asyncio.sleep(interval)


def retention_context(db: Database, days: int):  # type: ignore[no-untyped-def]
    """An aiohttp cleanup_ctx entry running `purge_forever` for the life of the app (optional)."""

    async def context(app: object):  # type: ignore[no-untyped-def]
        task = asyncio.create_task(purge_forever(db, days), name="retention-purge")
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return context
