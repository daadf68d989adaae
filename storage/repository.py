"""The only place that queries the database: one `Store` per unit of work (one transaction).

Callers pass and get typed values and model rows; encryption of personal data happens here, so no
other module handles ciphertext or keys.
"""

from __future__ import annotations

import logging
import secrets
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

from storage.crypto import Vault
from storage.db import NOTIFY_FLAG
from storage.models import (
    Alert,
    AuditEvent,
    Conversation,
    Correction,
    DeliveryAttempt,
    DigestRun,
    InboundMessage,
    Incident,
    OutboxMessage,
    Report,
    Reporter,
    Responder,
    WebMessage,
    utcnow,
)
from storage.states import AlertStatus, IncidentStatus, OutboxStatus, Priority, Stage

log = logging.getLogger("salama.storage")

LIVE_INCIDENT = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED)  # can still be joined, escalated, reminded
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on keypads


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))


@dataclass(frozen=True)
class ResponderSpec:
    group: str
    name: str
    channel: str
    address: str
    language: str


@dataclass(frozen=True)
class PendingDelivery:
    """A claimed outbox row, decrypted for sending."""

    outbox_id: int
    channel: str
    address: str
    text: str
    attempts: int
    alert_id: int | None
    buttons: list[Any] | None = None
    edit_of: str | None = None


class Store:
    def __init__(self, session: AsyncSession, vault: Vault) -> None:
        self.session = session
        self.vault = vault

    # --- inbound -----------------------------------------------------------------------------
    def _insert_or_skip(self, model: type[Any], **values: Any) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING, in this transaction (no SAVEPOINT: on SQLite a savepoint
        as the first statement commits on RELEASE, which made the dedupe claim outlive a failure)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        return insert(model).values(**values).on_conflict_do_nothing()

    async def claim_inbound(self, channel: str, provider_message_id: str) -> bool:
        """Record a provider message id in this transaction; False if it was seen before (a redelivery).

        The claim commits or rolls back with everything the message causes, so a failure after it
        leaves the redelivery to be processed; two deliveries at once: the second waits, then skips."""
        result: Any = await self.session.execute(  # a CursorResult: rowcount says whether it was inserted
            self._insert_or_skip(
                InboundMessage, channel=channel, provider_message_id=provider_message_id, received_at=utcnow()
            )
        )
        return bool(result.rowcount)

    async def reporter_for(self, channel: str, address: str) -> Reporter:
        """The reporter behind an address, created on first contact; two first messages at the same
        instant find the same row (insert-or-skip, then read) instead of one failing on the unique key."""
        pseudonym = self.vault.pseudonym(channel, address)
        now = utcnow()
        await self.session.execute(
            self._insert_or_skip(
                Reporter, pseudonym=pseudonym, channel=channel, opted_out=False, created_at=now, last_seen_at=now
            )
        )
        reporter = (
            await self.session.scalars(
                select(Reporter).where(Reporter.pseudonym == pseudonym).execution_options(populate_existing=True)
            )
        ).one()
        reporter.address_enc = self.vault.encrypt(address)
        reporter.last_seen_at = now
        reporter.opted_out = False
        await self.session.flush()
        return reporter

    async def responders_for(self, channel: str, address: str) -> Sequence[Responder]:
        """Every active row of the person behind an address: one per group they are listed in."""
        key = self.vault.pseudonym(channel, address)
        return (
            await self.session.scalars(
                select(Responder).where(Responder.address_key == key, Responder.active.is_(True)).order_by(Responder.id)
            )
        ).all()

    # --- conversations -----------------------------------------------------------------------
    async def open_conversation(self, reporter: Reporter) -> Conversation | None:
        return await self.session.scalar(
            select(Conversation)
            .where(Conversation.reporter_id == reporter.id, Conversation.closed.is_(False))
            .order_by(Conversation.id.desc())
            .limit(1)
        )

    async def start_conversation(self, reporter: Reporter, language: str, idle: timedelta) -> Conversation:
        now = utcnow()
        conversation = Conversation(
            reporter_id=reporter.id,
            stage=Stage.AWAITING_WHAT,
            language=language,
            started_at=now,
            updated_at=now,
            expires_at=now + idle,
        )
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def expired_conversations(self, now: datetime, limit: int = 100) -> Sequence[Conversation]:
        result = await self.session.scalars(
            select(Conversation)
            .where(Conversation.closed.is_(False), Conversation.expires_at <= now)
            .order_by(Conversation.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.all()

    # --- reports -------------------------------------------------------------------------------
    async def create_report(self, reporter: Reporter, channel: str, language: str, text: str, role: str) -> Report:
        for _ in range(20):
            reference = new_reference()
            exists = await self.session.scalar(select(func.count()).where(Report.reference == reference))
            if not exists:
                break
        else:  # 31^4 codes: only a nearly full space gets here
            raise RuntimeError("could not find a free reference code")
        report = Report(
            reference=reference,
            reporter_id=reporter.id,
            channel=channel,
            language=language,
            role=role,
            text_enc=self.vault.encrypt(text),
            urgency="routine",
        )
        self.session.add(report)
        await self.session.flush()
        return report

    async def report(self, report_id: int) -> Report | None:
        return await self.session.get(Report, report_id)

    async def report_by_reference(self, reference: str) -> Report | None:
        return await self.session.scalar(select(Report).where(Report.reference == reference.upper()))

    def _readable(self, token: bytes | None, what: str, row_id: int | None) -> str | None:
        """Decrypted text for showing to a responder; None (and one log line, ids only) when it was
        written under another key: an alert without the words still says what, where and how urgent."""
        try:
            return self.vault.decrypt_optional(token)
        except ValueError:
            log.warning("%s %s cannot be decrypted (another SALAMA_SECRET_KEY?); sent without it", what, row_id)
            return None

    def report_text(self, report: Report) -> str:
        return self._readable(report.text_enc, "text of report", report.id) or ""

    def place_text(self, report: Report) -> str:
        return self._readable(report.place_text_enc, "place of report", report.id) or ""

    def append_report_text(self, report: Report, extra: str) -> None:
        # strict: never replace words written under another key with only the new ones
        old = self.vault.decrypt_optional(report.text_enc) or ""
        report.text_enc = self.vault.encrypt((old + "\n" + extra).strip())

    def set_place_text(self, report: Report, place_text: str) -> None:
        report.place_text_enc = self.vault.encrypt(place_text)

    # --- responders and alerts ------------------------------------------------------------------
    async def sync_responders(self, specs: Sequence[ResponderSpec]) -> None:
        """Make the responders table mirror the deployment config (members removed become inactive)."""
        existing = {(r.group, r.name): r for r in (await self.session.scalars(select(Responder))).all()}
        seen = set()
        for spec in specs:
            key = (spec.group, spec.name)
            seen.add(key)
            row = existing.get(key) or Responder(group=spec.group, name=spec.name)
            row.channel = spec.channel
            row.address_enc = self.vault.encrypt(spec.address)
            row.address_key = self.vault.pseudonym(spec.channel, spec.address)
            row.language = spec.language
            row.active = True
            self.session.add(row)
        for key, row in existing.items():
            if key not in seen:
                row.active = False
        await self.session.flush()

    async def add_alert(
        self,
        report: Report,
        incident: Incident,
        responder: Responder,
        step: int,
        text: str,
        buttons: list[list[list[str]]] | None = None,
    ) -> Alert:
        alert = Alert(
            report_id=report.id, incident_id=incident.id, group=responder.group, responder_id=responder.id, step=step
        )
        self.session.add(alert)
        await self.session.flush()
        self.enqueue(
            responder.channel,
            self.vault.decrypt(responder.address_enc),
            text,
            "alert",
            report,
            alert,
            buttons=buttons,
            priority=Priority.of(incident.urgency),
        )
        return alert

    async def responder_named(self, group: str, name: str) -> Responder | None:
        return await self.session.scalar(
            select(Responder).where(Responder.group == group, Responder.name == name, Responder.active.is_(True))
        )

    async def open_incident_near(self, area: str, venue: str | None, since: datetime) -> Sequence[Incident]:
        query = select(Incident).where(
            Incident.status.in_(LIVE_INCIDENT), Incident.area == area, Incident.last_report_at >= since
        )
        if venue is not None:
            query = query.where(or_(Incident.venue == venue, Incident.venue.is_(None)))
        return (await self.session.scalars(query.order_by(Incident.last_report_at.desc()))).all()

    async def lock_area(self, area: str) -> None:
        """Serialise clustering in one area until this transaction ends (PostgreSQL advisory lock; SQLite
        already lets one writer at a time). Without it two reports of one fight at the same instant
        each see no incident and each open one."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"salama-area:{area}".encode())
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    async def incident(self, incident_id: int) -> Incident | None:
        return await self.session.get(Incident, incident_id)

    async def alerts_of_incident(self, incident: Incident) -> Sequence[Alert]:
        return (
            await self.session.scalars(select(Alert).where(Alert.incident_id == incident.id).order_by(Alert.id))
        ).all()

    async def reports_of_incident(self, incident: Incident) -> Sequence[Report]:
        return (
            await self.session.scalars(select(Report).where(Report.incident_id == incident.id).order_by(Report.id))
        ).all()

    @staticmethod
    def _due(now: datetime):  # type: ignore[no-untyped-def]
        return (
            Incident.status.in_(LIVE_INCIDENT),
            Incident.fault.is_(None),
            Incident.next_step_at.is_not(None),
            Incident.next_step_at <= now,
        )

    async def due_incident_ids(self, now: datetime, limit: int = 200) -> list[int]:
        """Incidents whose wait (or reminder) is over, most overdue first; each is then run on its own."""
        return list(
            (
                await self.session.scalars(
                    select(Incident.id).where(*self._due(now)).order_by(Incident.next_step_at).limit(limit)
                )
            ).all()
        )

    async def lock_due_incident(self, incident_id: int, now: datetime) -> Incident | None:
        """The incident, locked for this transaction, if it is still due (another worker may have run it)."""
        return await self.session.scalar(
            select(Incident).where(Incident.id == incident_id, *self._due(now)).with_for_update(skip_locked=True)
        )

    async def mark_incident_fault(self, incident_id: int, reason: str) -> None:
        """Set an incident aside: the escalation runner skips it until an operator clears `fault`."""
        incident = await self.session.get(Incident, incident_id)
        if incident is not None:
            incident.fault = reason[:200]
            self.audit("escalation_fault", None, incident=incident_id, reason=reason[:200])

    async def sent_message_id(self, alert: Alert) -> str | None:
        """The provider's id of the alert message a responder received (to edit it later)."""
        return await self.session.scalar(
            select(OutboxMessage.provider_message_id).where(
                OutboxMessage.alert_id == alert.id, OutboxMessage.kind == "alert", OutboxMessage.status == "sent"
            )
        )

    async def alert_body(self, alert: Alert) -> str:
        body = await self.session.scalar(
            select(OutboxMessage.body_enc).where(OutboxMessage.alert_id == alert.id, OutboxMessage.kind == "alert")
        )
        return self._readable(body, "alert of", alert.id) or ""

    def reporter_address(self, reporter: Reporter) -> str | None:
        return self._readable(reporter.address_enc, "contact of reporter", reporter.id)

    async def reporter(self, reporter_id: int | None) -> Reporter | None:
        return None if reporter_id is None else await self.session.get(Reporter, reporter_id)

    def add_correction(self, report: Report, responder: Responder, new_type: str) -> None:
        self.session.add(
            Correction(
                report_id=report.id,
                responder_id=responder.id,
                language=report.language,
                old_types=list(report.types),
                new_type=new_type,
                text_enc=report.text_enc,
            )
        )

    async def alert(self, alert_id: int) -> Alert | None:
        return await self.session.get(Alert, alert_id)

    async def responder(self, responder_id: int) -> Responder | None:
        return await self.session.get(Responder, responder_id)

    def responder_address(self, responder: Responder) -> str:
        return self.vault.decrypt(responder.address_enc)

    def enqueue(
        self,
        channel: str,
        address: str,
        text: str,
        kind: str,
        report: Report | None = None,
        alert: Alert | None = None,
        buttons: list[list[list[str]]] | None = None,
        edit_of: str | None = None,
        priority: int = Priority.ROUTINE,
    ) -> None:
        self.session.add(
            OutboxMessage(
                kind=kind,
                priority=int(priority),
                channel=channel,
                address_enc=self.vault.encrypt(address),
                body_enc=self.vault.encrypt(text),
                report_id=report.id if report else None,
                alert_id=alert.id if alert else None,
                buttons=buttons,
                edit_of=edit_of,
            )
        )
        self._notify_workers()

    def _notify_workers(self) -> None:
        """Ask for a NOTIFY at commit (PostgreSQL): every listening worker, on any machine, wakes."""
        self.session.info[NOTIFY_FLAG] = True

    def audit(self, kind: str, report: Report | None = None, alert: Alert | None = None, **detail: object) -> None:
        self.session.add(
            AuditEvent(
                kind=kind, report_id=report.id if report else None, alert_id=alert.id if alert else None, detail=detail
            )
        )

    # --- privacy ------------------------------------------------------------------------------
    async def forget_reporter(self, reporter: Reporter) -> int:
        """DELETE: erase contact and free text; coded fields stay for statistics. Returns reports touched."""
        reports = (await self.session.scalars(select(Report).where(Report.reporter_id == reporter.id))).all()
        address = self.reporter_address(reporter)
        if reporter.channel == "web" and address:  # their private status page goes too
            await self.delete_web_messages(address)
        for report in reports:
            report.text_enc = None
            report.place_text_enc = None
            report.reporter_id = None
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.report_id.in_([r.id for r in reports]), OutboxMessage.kind == "reply")
            .values(
                address_enc=None, body_enc=None, status=OutboxStatus.FAILED, last_error="reporter deleted their data"
            )
        )
        await self.session.execute(delete(Conversation).where(Conversation.reporter_id == reporter.id))
        await self.session.delete(reporter)
        await self.session.flush()
        return len(reports)

    # --- delivery -----------------------------------------------------------------------------
    async def claim_due(self, now: datetime, limit: int, stale_after: timedelta) -> list[PendingDelivery]:
        """Take due outbox rows for sending. On PostgreSQL, SKIP LOCKED lets several workers share."""
        rows = (
            await self.session.scalars(
                select(OutboxMessage)
                .where(
                    or_(
                        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
                        # a worker that died mid-send leaves 'sending' rows behind: take them back
                        (OutboxMessage.status == OutboxStatus.SENDING)
                        & (OutboxMessage.claimed_at <= now - stale_after),
                    )
                )
                .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        claimed = []
        for row in rows:
            if row.address_enc is None or row.body_enc is None:
                row.status = OutboxStatus.FAILED
                continue
            row.status = OutboxStatus.SENDING
            row.claimed_at = now
            claimed.append(
                PendingDelivery(
                    outbox_id=row.id,
                    channel=row.channel,
                    address=self.vault.decrypt(row.address_enc),
                    text=self.vault.decrypt(row.body_enc),
                    attempts=row.attempts,
                    alert_id=row.alert_id,
                    buttons=row.buttons,
                    edit_of=row.edit_of,
                )
            )
        return claimed

    async def record_attempt(
        self,
        outbox_id: int,
        outcome: str,
        error: str | None = None,
        provider_message_id: str | None = None,
        retry_at: datetime | None = None,
    ) -> int | None:
        """Record one send; returns the alert id when an alert has finally failed (the lifecycle decides)."""
        row = await self.session.get(OutboxMessage, outbox_id)
        if row is None:
            return None
        row.attempts += 1
        row.last_error = error
        if outcome == "sent":
            row.status, row.sent_at, row.provider_message_id = OutboxStatus.SENT, utcnow(), provider_message_id
        elif outcome == "retry" and retry_at is not None:
            row.status, row.next_attempt_at = OutboxStatus.PENDING, retry_at
        else:
            row.status = OutboxStatus.FAILED
        if row.alert_id is not None and row.kind == "alert" and outcome in ("sent", "final"):
            # One conditional UPDATE, not read-then-write: an acknowledgement committed meanwhile stays.
            await self.session.execute(
                update(Alert)
                .where(Alert.id == row.alert_id, Alert.status == AlertStatus.PENDING)
                .values(status=AlertStatus.SENT if outcome == "sent" else AlertStatus.FAILED)
                .execution_options(synchronize_session=False)
            )
        self.session.add(DeliveryAttempt(outbox_id=outbox_id, outcome=outcome, error=error))
        return row.alert_id if row.kind == "alert" and outcome == "final" else None

    # --- digests ------------------------------------------------------------------------------
    def savepoint(self) -> AsyncSessionTransaction:
        """A SAVEPOINT: what fails inside it is rolled back alone, the rest of the transaction stays."""
        return self.session.begin_nested()

    async def last_digest_run(self, group: str, before: datetime | None = None) -> DigestRun | None:
        """The group's latest recorded digest (due before `before`, when given)."""
        query = select(DigestRun).where(DigestRun.group == group)
        if before is not None:
            query = query.where(DigestRun.due_at < before)
        return await self.session.scalar(query.order_by(DigestRun.due_at.desc()).limit(1))

    async def digest_run(self, group: str, due_at: datetime) -> DigestRun | None:
        return await self.session.scalar(select(DigestRun).where(DigestRun.group == group, DigestRun.due_at == due_at))

    async def claim_digest_run(self, group: str, due_at: datetime, period_start: datetime | None) -> DigestRun | None:
        """Record a digest as being sent, before anything is sent; None if another process has it."""
        run = DigestRun(group=group, due_at=due_at, period_start=period_start, references=[], messages=0)
        try:
            async with self.session.begin_nested():
                self.session.add(run)
        except IntegrityError:
            return None
        return run

    async def digest_reports(self, group: str, since: datetime | None, until: datetime) -> list[Report]:
        """Submitted reports digested to the group, submitted in [since, until), oldest first."""
        query = select(Report).where(
            Report.submitted_at.is_not(None),
            Report.submitted_at < until,
            # a cheap pre-filter on the JSON list's text; the exact test is below
            cast(Report.digest_groups, String).contains(f'"{group}"', autoescape=True),
        )
        if since is not None:
            query = query.where(Report.submitted_at >= since)
        rows = (await self.session.scalars(query.order_by(Report.submitted_at, Report.id))).all()
        return [report for report in rows if group in (report.digest_groups or [])]

    async def police_sensitive_incident_ids(self, incident_ids: set[int]) -> set[int]:
        """Of these incidents, those that carry (or ever carried) police_misconduct."""
        if not incident_ids:
            return set()
        rows = await self.session.execute(
            select(Incident.id, Incident.police_sensitive, Incident.types).where(Incident.id.in_(sorted(incident_ids)))
        )
        return {row.id for row in rows if row.police_sensitive or "police_misconduct" in (row.types or [])}

    async def active_responders(self, group: str) -> Sequence[Responder]:
        return (
            await self.session.scalars(
                select(Responder).where(Responder.group == group, Responder.active.is_(True)).order_by(Responder.id)
            )
        ).all()

    # --- web channel (handlers/web) ---------------------------------------------------------------
    def _web_key(self, address: str) -> str:
        return self.vault.pseudonym("web", address)

    async def add_web_message(self, address: str, text: str) -> WebMessage:
        """Keep a message Salama sent to a web reporter, for their status page."""
        message = WebMessage(address_key=self._web_key(address), body_enc=self.vault.encrypt(text))
        self.session.add(message)
        await self.session.flush()
        return message

    async def web_messages(self, address: str, limit: int = 200) -> list[tuple[datetime, str]]:
        """(sent at, text) of what Salama sent to this web reporter, oldest first (the newest `limit`)."""
        rows = (
            await self.session.scalars(
                select(WebMessage)
                .where(WebMessage.address_key == self._web_key(address))
                .order_by(WebMessage.id.desc())
                .limit(limit)
            )
        ).all()
        return [(row.created_at, self.vault.decrypt(row.body_enc)) for row in reversed(rows)]

    async def delete_web_messages(self, address: str) -> int:
        """DELETE from a web reporter: their status page is erased."""
        result = await self.session.execute(delete(WebMessage).where(WebMessage.address_key == self._web_key(address)))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
