"""The delivery worker: drains the outbox through the channel modules, with retries and backoff.

Runs inside `serve` by default (woken at once by `wake()` after a commit) or alone as `bot.py worker`.
Provider errors are classed by the channel as retryable (429, 5xx, timeouts) or final (blocked bot,
invalid number); every attempt is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

import asyncpg

import metrics
from routing.channels import DeliveryError, OutboundMessage, Sender, keyboard
from storage.crypto import Vault
from storage.db import NOTIFY_CHANNEL, Database, asyncpg_dsn
from storage.models import utcnow
from storage.repository import PendingDelivery, Store

log = logging.getLogger("salama.delivery")

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0
STALE_CLAIM = timedelta(minutes=2)
IDLE_POLL_SECONDS = 5.0


def backoff(attempts: int, base_seconds: float = BACKOFF_BASE_SECONDS) -> timedelta:
    """Exponential backoff with jitter: ~2 s, 4 s, 8 s ... capped at 10 minutes."""
    delay = min(BACKOFF_CAP_SECONDS, base_seconds * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        channels: Mapping[str, Sender],
        clock: Callable[[], datetime] = utcnow,
        on_alert_failed: Callable[[Store, int], Awaitable[None]] | None = None,
        batch_size: int = 20,
        backoff_base_seconds: float = BACKOFF_BASE_SECONDS,
    ) -> None:
        self.db = db
        self.vault = vault
        self.channels = channels
        self.clock = clock
        self.on_alert_failed = on_alert_failed  # the lifecycle: escalate now if nobody can be reached
        self.batch_size = batch_size
        self.backoff_base_seconds = backoff_base_seconds
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def _listen(self) -> asyncpg.Connection | None:
        """On PostgreSQL, LISTEN so that a commit anywhere wakes this worker at once."""
        if self.db.is_sqlite:
            return None  # one process: intake wakes the worker in-process
        try:
            connection = await asyncpg.connect(asyncpg_dsn(self.db.url))
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self.wake())
            return connection
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("LISTEN unavailable (%s): polling every %.0f s", type(exc).__name__, IDLE_POLL_SECONDS)
            return None

    async def run(self) -> None:
        listener = await self._listen()
        log.info("delivery worker started")
        try:
            await self._loop()
        finally:
            if listener is not None:
                await listener.close()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                handled = await self.drain_once()
            except Exception:  # a database hiccup must not kill the worker; the rows stay in the outbox
                log.exception("delivery round failed; retrying shortly")
                handled = 0
            if handled:
                continue
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=IDLE_POLL_SECONDS)
            except TimeoutError:
                pass

    async def drain_once(self) -> int:
        """Claim a batch, send it concurrently, record every outcome. Returns how many were handled."""
        async with self.db.sessions() as session, session.begin():
            claimed = await Store(session, self.vault).claim_due(self.clock(), self.batch_size, STALE_CLAIM)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._send(item) for item in claimed))
        async with self.db.sessions() as session, session.begin():
            store = Store(session, self.vault)
            for item, (outcome, error, provider_id, wait) in zip(claimed, outcomes):
                retry_at = None
                if outcome == "retry":  # never sooner than the provider asked
                    delay = max(backoff(item.attempts + 1, self.backoff_base_seconds), timedelta(seconds=wait or 0))
                    retry_at = self.clock() + delay
                failed_alert = await store.record_attempt(item.outbox_id, outcome, error, provider_id, retry_at)
                if failed_alert is not None and self.on_alert_failed is not None:
                    await self.on_alert_failed(store, failed_alert)
                if outcome != "sent":
                    metrics.delivery_failed(item.channel, final=outcome == "final")
                    log.warning("delivery %s for outbox %s (%s): %s", outcome, item.outbox_id, item.channel, error)
        return len(claimed)

    async def _send(self, item: PendingDelivery) -> tuple[str, str | None, str | None, float | None]:
        """(outcome, error, provider message id, seconds the provider asked to wait)."""
        channel = self.channels.get(item.channel)
        if channel is None:
            return "final", f"channel {item.channel} is not configured", None, None
        try:
            receipt = await channel.send(
                OutboundMessage(
                    channel=item.channel,
                    address=item.address,
                    text=item.text,
                    buttons=keyboard(item.buttons),
                    edit_of=item.edit_of,
                )
            )
        except DeliveryError as exc:
            if exc.retryable and item.attempts + 1 < MAX_ATTEMPTS:
                return "retry", exc.reason, None, exc.retry_after
            return "final", exc.reason, None, None
        except Exception as exc:  # unknown failure: retry, it may be transient
            reason = f"{type(exc).__name__}"
            return ("retry" if item.attempts + 1 < MAX_ATTEMPTS else "final"), reason, None, None
        return "sent", None, receipt.provider_message_id, None
