"""One inbound message, one transaction: dedupe, responder commands or the reporter's dialogue, outbox.

Everything a message causes (report, alerts, audit) commits together or not at all, so a crash
never leaves half a record; the provider message id recorded in the same transaction makes a
redelivery harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError

from handlers.base import InboundMessage, Reply
from handlers.conversation import Dialogue
from handlers.responders import ResponderDesk
from routing.digests import DigestRunner
from storage.crypto import Vault
from storage.db import Database
from storage.models import utcnow
from storage.repository import Store

log = logging.getLogger("salama.intake")


class Intake:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        dialogue: Dialogue,
        responders: ResponderDesk,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.vault = vault
        self.dialogue = dialogue
        self.responders = responders
        self.on_commit = on_commit  # wakes the delivery worker
        self.digests = DigestRunner(responders.deployment, responders.incidents.gate)

    @property
    def default_language(self) -> str:
        """For a channel's apology when processing failed before a language was known."""
        return self.dialogue.deployment.default_language

    async def handle(self, message: InboundMessage) -> list[Reply] | None:
        """Process one message; the replies to send back, or None for a redelivered message."""
        async with self.db.sessions() as session, session.begin():
            store = Store(session, self.vault)
            if not await store.claim_inbound(message.channel, message.provider_message_id):
                log.info("duplicate %s message ignored", message.channel)
                return None
            replies = await self.responders.handle(store, message)
            if replies is None:
                replies = [Reply(text) for text in await self.dialogue.handle(store, message)]
        self.on_commit()
        log.info("%s message processed, %d repl%s", message.channel, len(replies), "y" if len(replies) == 1 else "ies")
        return replies

    async def run_escalations(self, now: datetime | None = None) -> int:
        """Move incidents whose wait is over along their chains, each in its own transaction.

        One broken incident (a chain naming something unreadable, text under another key...) is marked
        with `fault`, logged in one line and skipped; it never delays or stops the others.
        """
        now = now or utcnow()
        async with self.db.sessions() as session:
            due = await Store(session, self.vault).due_incident_ids(now)
        moved = 0
        for incident_id in due:
            try:
                async with self.db.sessions() as session, session.begin():
                    store = Store(session, self.vault)
                    incident = await store.lock_due_incident(incident_id, now)
                    if incident is None:
                        continue  # taken by another process, or no longer due
                    await self.responders.incidents.step(store, incident, now)
                    moved += 1
            except (OperationalError, InterfaceError, OSError, TimeoutError) as exc:
                # the database (not this incident) is failing: nothing to set aside, try next round
                log.warning("escalation round interrupted (%s); retrying shortly", type(exc).__name__)
                break
            except Exception as exc:  # noqa: BLE001 - isolate any failure to this one incident
                reason = f"{type(exc).__name__} during escalation"
                log.warning("escalation: incident %s set aside (%s)", incident_id, type(exc).__name__)
                try:
                    async with self.db.sessions() as session, session.begin():
                        await Store(session, self.vault).mark_incident_fault(incident_id, reason)
                except Exception as mark_exc:  # noqa: BLE001 - the database itself is failing: next round
                    log.warning("escalation: could not mark incident %s (%s)", incident_id, type(mark_exc).__name__)
        if moved:
            self.on_commit()
        return moved

    async def send_digests(self, now: datetime | None = None) -> int:
        """Send the scheduled digests that are due (each in a fresh transaction of its own)."""
        async with self.db.sessions() as session, session.begin():
            sent = await self.digests.run_due(Store(session, self.vault), now or utcnow())
        if sent:
            self.on_commit()
        return sent

    async def expire_idle_conversations(self) -> int:
        """Close conversations idle past the timeout, submitting what they collected."""
        async with self.db.sessions() as session, session.begin():
            store = Store(session, self.vault)
            expired = await store.expired_conversations(utcnow())
            for conversation in expired:
                await self.dialogue.finish(store, conversation)
        if expired:
            self.on_commit()
        return len(expired)
