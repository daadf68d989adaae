"""The outbound half of the channel contract: what routing and the delivery worker know of a channel.

A message to send, its buttons, the receipt, the error a provider's refusal becomes, and what a channel
can do (`Capabilities`: buttons, editing in place, how long a message may be, SMS segments, locations,
media). Code that writes for a channel asks `capabilities(name)` instead of comparing channel names;
each provider declares its own (handlers/<provider>/) and the app factory registers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from locales.segments import for_sms, sms_segments


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # what comes back when pressed: a command such as "ACK R-7K3F" (64 bytes at most)


Keyboard = tuple[tuple[Button, ...], ...]  # rows of buttons; channels without buttons ignore them
StoredButtons = list[list[list[str]]]  # the same, as kept in the outbox's JSON: [[label, data], ...] per row


def keyboard(rows: StoredButtons | None) -> Keyboard:
    """Buttons as stored in JSON ([[label, data], ...] per row) -> a Keyboard."""
    return tuple(tuple(Button(label, data) for label, data in row) for row in rows or [])


@dataclass(frozen=True)
class OutboundMessage:
    channel: str
    address: str
    text: str
    buttons: Keyboard = ()
    edit_of: str | None = None  # provider id of a message to edit in place (when the channel can), else send anew


@dataclass(frozen=True)
class DeliveryReceipt:
    provider_message_id: str | None


class DeliveryError(Exception):
    """A send that failed; `retryable` says whether trying again later can help."""

    def __init__(self, reason: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the provider asked us to wait (Telegram's 429), if it said


class Sender(Protocol):
    """What the delivery worker needs of a channel."""

    async def send(self, message: OutboundMessage) -> DeliveryReceipt: ...


@dataclass(frozen=True)
class Capabilities:
    buttons: bool = False  # inline buttons under a message (they send back their data as a command)
    edit_in_place: bool = False  # a sent message can be edited later ("taken by Lucia")
    max_chars: int = 1600  # one message, at most
    sms_segments: int | None = None  # when set, a message must fit this many SMS segments (after for_sms)
    quote_chars: int = 600  # how much of a reporter's words an alert quotes
    location: bool = False  # the reporter can share a map location
    media: bool = False  # photos and files arrive (Salama keeps only text)
    phone_numbers: bool = False  # addresses are phone numbers (their country hints at the language)

    def fits(self, text: str) -> bool:
        """Whether one message of this channel can carry `text`."""
        if self.sms_segments is not None:
            return sms_segments(for_sms(text)) <= self.sms_segments
        return len(text.encode("utf-16-le")) // 2 <= self.max_chars


PLAIN = Capabilities()  # a channel nobody registered: plain text, no buttons
_REGISTERED: dict[str, Capabilities] = {}


def register_capabilities(channel: str, capabilities: Capabilities) -> None:
    _REGISTERED[channel] = capabilities


def capabilities(channel: str) -> Capabilities:
    return _REGISTERED.get(channel, PLAIN)
