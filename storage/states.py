"""The states a row can be in: one definition each (StrEnum, so the database keeps plain strings)."""

from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    OPEN = "open"  # waiting for someone to take it; the chain runs
    ACKNOWLEDGED = "acknowledged"  # someone holds it; only the unresolved reminder runs
    RESOLVED = "resolved"
    DIGEST = "digest"  # nobody to alert live (digest-only): nothing to chase


class ReportStatus(StrEnum):
    COLLECTING = "collecting"  # the dialogue is still asking
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class AlertStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Stage(StrEnum):
    """Where a reporter's conversation stands."""

    AWAITING_WHAT = "awaiting_what"
    AWAITING_WHERE = "awaiting_where"
    AWAITING_DANGER = "awaiting_danger"
    DONE = "done"
