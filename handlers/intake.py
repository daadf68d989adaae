"""One inbound message, one transaction: dedupe, responder commands or the reporter's dialogue, outbox.

Everything a message causes (report, alerts, audit) commits together or not at all, so a crash
never leaves half a record; the provider message id recorded in the same transaction makes a
redelivery harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from handlers.base import InboundMessage, Reply
from handlers.conversation import Dialogue
from handlers.responders import ResponderDesk
from storage.crypto import Vault
from storage.db import Database
from storage.models import utcnow
from storage.repository import Store

log = logging.getLogger("salama.intake")


class Intake:
    def __init__(
        self, db: Database, vault: Vault, dialogue: Dialogue, responders: ResponderDesk,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.vault = vault
        self.dialogue = dialogue
        self.responders = responders
        self.on_commit = on_commit  # wakes the delivery worker

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

    async def run_escalations(self) -> int:
        """Move incidents whose wait is over along their chains."""
        async with self.db.sessions() as session, session.begin():
            moved = await self.responders.dispatcher.run_due(Store(session, self.vault))
        if moved:
            self.on_commit()
        return moved

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
