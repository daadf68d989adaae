"""Purge of free text and contact data past the retention period; coded fields stay for statistics.

Rows are never deleted here: counts, times and codes (what the aggregates read) are left as they are,
only the `*_enc` columns holding what people wrote and where to reach them are emptied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Correction, OutboxMessage, Report, Reporter, WebMessage

FINISHED_OUTBOX = ("sent", "failed")  # delivered, or given up on: the worker will not read them again


@dataclass(frozen=True)
class PurgeCounts:
    reports: int
    corrections: int
    reporters: int
    outbox: int
    web_messages: int = 0  # the web channel's status pages

    @property
    def total(self) -> int:
        return self.reports + self.corrections + self.reporters + self.outbox + self.web_messages


async def purge_before(session: AsyncSession, cutoff: datetime) -> PurgeCounts:
    """Empty free text and contact columns of rows older than `cutoff`, in the caller's transaction."""
    reports = await session.execute(
        update(Report)
        .where(Report.created_at < cutoff, (Report.text_enc.is_not(None)) | (Report.place_text_enc.is_not(None)))
        .values(text_enc=None, place_text_enc=None)
        .execution_options(synchronize_session=False)
    )
    corrections = await session.execute(
        update(Correction)
        .where(Correction.at < cutoff, Correction.text_enc.is_not(None))
        .values(text_enc=None)
        .execution_options(synchronize_session=False)
    )
    # A reporter seen recently keeps the address: a follow-up conversation may still need it.
    reporters = await session.execute(
        update(Reporter)
        .where(Reporter.last_seen_at < cutoff, Reporter.address_enc.is_not(None))
        .values(address_enc=None)
        .execution_options(synchronize_session=False)
    )
    outbox = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.created_at < cutoff,
            OutboxMessage.status.in_(FINISHED_OUTBOX),
            (OutboxMessage.address_enc.is_not(None)) | (OutboxMessage.body_enc.is_not(None)),
        )
        .values(address_enc=None, body_enc=None)
        .execution_options(synchronize_session=False)
    )
    web = await session.execute(delete(WebMessage).where(WebMessage.created_at < cutoff))
    return PurgeCounts(
        reports=_count(reports),
        corrections=_count(corrections),
        reporters=_count(reporters),
        outbox=_count(outbox),
        web_messages=_count(web),
    )


def _count(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (a CursorResult's rowcount)."""
    return int(result.rowcount)
