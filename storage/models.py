"""Database tables (SQLAlchemy 2, typed).

Personal data appears only in `*_enc` columns (Fernet ciphertext) and as keyed pseudonyms. Coded fields
(types, urgency, area, times) stay in clear: they feed routing and the aggregate statistics.
Times are stored as naive UTC and read back as aware UTC (see UTCDateTime).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from storage.states import AlertStatus, IncidentStatus, OutboxStatus, ReportStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Naive UTC in the database (SQLite has no time zones), aware UTC in Python."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class Reporter(Base):
    __tablename__ = "reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    # Kept only while a conversation or follow-up needs it; purged on STOP/DELETE and by retention.
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_open", "reporter_id", "closed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("reporters.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    asked_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_what: Mapped[bool] = mapped_column(Boolean, default=False)  # "what happened?" is asked once only
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("reporters.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20), default="resident")
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    place_text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    types: Mapped[list[str]] = mapped_column(default=list)
    type_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    urgency: Mapped[str] = mapped_column(String(12))
    urgency_scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    area: Mapped[str | None] = mapped_column(String(80), index=True)
    venue: Mapped[str | None] = mapped_column(String(80))
    location_given: Mapped[bool] = mapped_column(Boolean, default=False)
    danger_now: Mapped[bool | None] = mapped_column(Boolean)
    # When it happened, as far as the words tell ("yesterday" is not now); clustering compares these.
    event_at: Mapped[datetime | None] = mapped_column()
    # Sticky, like Incident.police_sensitive: the report was ever typed police_misconduct (a later
    # correction relabels it for training, but it stays a complaint about the police).
    police_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    alert_groups: Mapped[list[str]] = mapped_column(default=list)
    digest_groups: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.COLLECTING, index=True)
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()

    alerts: Mapped[list[Alert]] = relationship(back_populates="report")


class Incident(Base):
    """One situation on the ground: the first report opens it, compatible reports nearby join it.

    Alerts belong to the incident; its escalation chain is a snapshot of the config taken when it
    opened, so editing the config does not change running incidents.
    """

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_open", "status", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12))  # the first report's code
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.OPEN)  # storage/states.py
    # Sticky: once any report or correction put police_misconduct on the incident, no police-affiliated
    # responder gets anything about it again, whatever later corrections say (routing/safeguard.py).
    police_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    types: Mapped[list[str]] = mapped_column(default=list)
    urgency: Mapped[str] = mapped_column(String(12))
    area: Mapped[str | None] = mapped_column(String(80))
    venue: Mapped[str | None] = mapped_column(String(80))
    route: Mapped[str | None] = mapped_column(String(120))
    chain: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"steps": [...], "repeats": {...}} snapshot
    step: Mapped[int] = mapped_column(Integer, default=0)  # index of the next chain step to run
    next_step_at: Mapped[datetime | None] = mapped_column(index=True)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_report_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_event_at: Mapped[datetime | None] = mapped_column()  # the latest event time of its reports
    first_alert_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("responders.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the escalation runner could not process this incident (e.g. undecryptable text): it is
    # skipped, alone, until an operator looks; never blocks the others.
    fault: Mapped[str | None] = mapped_column(String(200))


class Correction(Base):
    """A responder's "wrong type": a labelled example for `bot.py train --include-corrections`."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    responder_id: Mapped[int | None] = mapped_column(ForeignKey("responders.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    old_types: Mapped[list[str]] = mapped_column(default=list)
    new_type: Mapped[str] = mapped_column(String(40))
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # purged with the report's text
    at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundMessage(Base):
    """One row per provider message accepted: the key that makes redelivery harmless. No content."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "provider_message_id", name="uq_inbound_provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    provider_message_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Responder(Base):
    """A member of a responder group, synced from the deployment config."""

    __tablename__ = "responders"
    __table_args__ = (UniqueConstraint("group", "name", name="uq_responder_group_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # Keyed pseudonym of the address: finds the responder behind an inbound ACK without decrypting.
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    tier: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Alert(Base):
    """A routed request to one responder to act on one report."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(String(40))
    responder_id: Mapped[int] = mapped_column(ForeignKey("responders.id"))
    step: Mapped[int] = mapped_column(Integer, default=0)  # the escalation step that sent it
    status: Mapped[str] = mapped_column(String(20), default=AlertStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column()

    report: Mapped[Report] = relationship(back_populates="alerts")


class OutboxMessage(Base):
    """A message waiting to be delivered (or delivered): the durable outbox the worker drains."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # alert, update, reminder, edit, digest, status, reply
    # Lower goes first: emergencies before routine traffic when a backlog builds (storage.states.Priority).
    priority: Mapped[int] = mapped_column(Integer, default=2)
    channel: Mapped[str] = mapped_column(String(20))
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)  # [[label, data], ...] rows; Telegram only
    edit_of: Mapped[str | None] = mapped_column(String(64))  # provider message id to edit instead of sending
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(12))  # sent, retry, final
    error: Mapped[str | None] = mapped_column(String(200))


class AuditEvent(Base):
    """What happened to a report or alert, for accountability. Never personal data in `detail`."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DigestRun(Base):
    """One scheduled digest of a group: which reports it listed. Unique per (group, due_at), so two
    processes never send the same digest twice; the next one starts where this one ended."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("group", "due_at", name="uq_digest_group_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column()
    period_start: Mapped[datetime | None] = mapped_column()
    references: Mapped[list[str]] = mapped_column(default=list)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DashboardUser(Base):
    """A staff account for the monitoring dashboard (`bot.py user add NAME`). Argon2 hash, never the password."""

    __tablename__ = "dashboard_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()


class DashboardSession(Base):
    """A logged-in browser. Only a hash of the cookie's token is stored, so a database copy opens nothing."""

    __tablename__ = "dashboard_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("dashboard_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class WebMessage(Base):
    """What Salama sent to a reporter on the web channel (handlers/web), for their private status page.
    The address (the page's token) is kept only as a keyed pseudonym; the text is encrypted."""

    __tablename__ = "web_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64), index=True)
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
