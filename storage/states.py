"""The states a row can be in: one definition each (StrEnum, so the database keeps plain strings)."""

from __future__ import annotations

from enum import IntEnum, StrEnum


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


class Priority(IntEnum):
    """The outbox's lanes: a backlog never keeps an emergency behind routine traffic."""

    EMERGENCY = 0
    URGENT = 1  # also what a reporter is waiting to hear
    ROUTINE = 2
    DIGEST = 3

    @classmethod
    def of(cls, urgency: str | None) -> Priority:
        return {"emergency": cls.EMERGENCY, "urgent": cls.URGENT}.get(urgency or "", cls.ROUTINE)


class Stage(StrEnum):
    """Where a reporter's conversation stands."""

    AWAITING_WHAT = "awaiting_what"
    AWAITING_WHERE = "awaiting_where"
    AWAITING_DANGER = "awaiting_danger"
    DONE = "done"
