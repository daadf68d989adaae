"""The channel interface: provider payloads in, channel-neutral messages out, and back.

One module per channel (sms.py, telegram.py) implements `Channel` and registers itself by name.
The rest of Salama sees only `InboundMessage` and `OutboundMessage`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, ClassVar

from aiohttp import web

if TYPE_CHECKING:
    from handlers.intake import Intake
    from settings import Settings


@dataclass(frozen=True)
class InboundMessage:
    """One message from a reporter or responder, whatever the provider."""

    channel: str  # sms, whatsapp, telegram
    provider_message_id: str  # MessageSid, update_id: the redelivery key
    address: str  # phone number or chat id: personal data, never logged
    text: str = ""
    command: str | None = None  # a keyword the channel recognised itself (Telegram /help -> HELP)
    command_argument: str = ""
    location: tuple[float, float] | None = None  # latitude, longitude
    has_media: bool = False
    language_code: str | None = None  # Telegram's user.language_code
    display_name: str | None = None  # never stored for reporters


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # what comes back when pressed: a command such as "ACK R-7K3F" (64 bytes at most)


Keyboard = tuple[tuple[Button, ...], ...]  # rows of buttons; channels without buttons ignore them


def keyboard(rows: list[list[list[str]]] | None) -> Keyboard:
    """Buttons as stored in JSON ([[label, data], ...] per row) -> a Keyboard."""
    return tuple(tuple(Button(label, data) for label, data in row) for row in rows or [])


@dataclass(frozen=True)
class Reply:
    """An answer on the conversation the inbound message came from."""

    text: str
    buttons: Keyboard = ()


@dataclass(frozen=True)
class OutboundMessage:
    channel: str
    address: str
    text: str
    buttons: Keyboard = ()
    edit_of: str | None = None  # provider id of a message to edit in place (Telegram), else send anew


@dataclass(frozen=True)
class DeliveryReceipt:
    provider_message_id: str | None


class DeliveryError(Exception):
    """A send that failed; `retryable` says whether trying again later can help."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason[:200]
        self.retryable = retryable


class Channel(ABC):
    """A messaging provider: its webhook routes, and how to send."""

    name: ClassVar[str]
    # Addresses of other channel names this module also sends to (Twilio carries SMS and WhatsApp).
    serves: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def routes(self) -> list[web.RouteDef]: ...

    @abstractmethod
    async def send(self, message: OutboundMessage) -> DeliveryReceipt: ...

    async def start(self) -> None:
        """Open clients; called once when the app starts."""

    async def stop(self) -> None:
        """Close clients; called once when the app stops."""


ChannelFactory = Callable[["Settings", "Intake"], Channel]
_REGISTRY: dict[str, tuple[ChannelFactory, Callable[["Settings"], bool]]] = {}


def register_channel(name: str, enabled: Callable[["Settings"], bool]) -> Callable[[ChannelFactory], ChannelFactory]:
    """Class decorator: make a channel available by name, on when `enabled(settings)` holds."""

    def wrap(factory: ChannelFactory) -> ChannelFactory:
        _REGISTRY[name] = (factory, enabled)
        return factory

    return wrap


def available_channels() -> dict[str, tuple[ChannelFactory, Callable[["Settings"], bool]]]:
    # Importing the modules registers them; kept here so callers need not know the list.
    import handlers.sms  # noqa: F401
    import handlers.telegram  # noqa: F401

    return dict(_REGISTRY)
