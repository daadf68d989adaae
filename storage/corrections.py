"""Responders' type corrections as labelled examples, for `bot.py train --include-corrections`."""

from __future__ import annotations

from sqlalchemy import select

from storage.crypto import Vault
from storage.db import Database
from storage.models import Correction, Report


async def correction_examples(db: Database, vault: Vault) -> list[dict[str, object]]:
    """One corpus line per correction whose text is still kept (retention may have purged it)."""
    async with db.sessions() as session:
        rows = (
            await session.execute(
                select(Correction, Report.urgency)
                .join(Report, Report.id == Correction.report_id, isouter=True)
                .where(Correction.text_enc.is_not(None))
                .order_by(Correction.id)
            )
        ).all()
    return [
        {
            "text": vault.decrypt_optional(correction.text_enc) or "",
            "lang": correction.language,
            "types": [correction.new_type],
            "urgency": urgency or "routine",
        }
        for correction, urgency in rows
    ]
