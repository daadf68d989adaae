"""The inbound half of the channel contract, and the Channel every provider implements.

A provider is one folder under handlers/ (sms/, telegram/, web/): its webhook routes, the parsing of
its payloads into `InboundMessage`, its `send`, the settings it needs and its `Capabilities`. It hands
each message to a `MessageSink` (the intake) and never knows more of it. The app factory (server/)
lists the providers, one line each. The outbound half (OutboundMessage, DeliveryError, Capabilities)
lives in routing/channels.py, so that the delivery worker depends on the contract alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from aiohttp import web

from routing.channels import PLAIN, Capabilities, DeliveryReceipt, Keyboard, OutboundMessage


@dataclass(frozen=True)
class InboundMessage:
    """One message from a reporter or responder, whatever the provider."""

    channel: str  # sms, whatsapp, telegram, web
    provider_message_id: str  # MessageSid, update_id: the redelivery key
    address: str  # phone number or chat id: personal data, never logged
    text: str = ""
    command: str | None = None  # a keyword the channel recognised itself (Telegram /help -> HELP)
    command_argument: str = ""
    location: tuple[float, float] | None = None  # latitude, longitude
    has_media: bool = False
    language_code: str | None = None  # Telegram's user.language_code, a web form's language choice
    display_name: str | None = None  # never stored for reporters


@dataclass(frozen=True)
class Reply:
    """An answer on the conversation the inbound message came from."""

    text: str
    buttons: Keyboard = ()


class MessageSink(Protocol):
    """Where a channel hands what arrives (the intake)."""

    @property
    def default_language(self) -> str: ...

    async def handle(self, message: InboundMessage) -> list[Reply] | None: ...


class Channel(ABC):
    """A messaging provider: its webhook routes, and how to send."""

    name: ClassVar[str]
    # Every channel name this provider carries (Twilio: SMS and WhatsApp), with what each can do.
    capabilities: ClassVar[dict[str, Capabilities]] = {}
    # Settings fields (settings.Settings) that must all be set for the channel to be on.
    required_settings: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: Any, sink: MessageSink) -> None:
        self.settings = settings
        self.sink = sink

    @classmethod
    def enabled(cls, settings: Any) -> bool:
        return all(getattr(settings, field, None) for field in cls.required_settings)

    @classmethod
    def serves(cls) -> tuple[str, ...]:
        return tuple(cls.capabilities) or (cls.name,)

    @classmethod
    def capabilities_of(cls, channel: str) -> Capabilities:
        return cls.capabilities.get(channel, PLAIN)

    @abstractmethod
    def routes(self) -> list[web.RouteDef]: ...

    @abstractmethod
    async def send(self, message: OutboundMessage) -> DeliveryReceipt: ...

    async def start(self) -> None:
        """Open clients; called once when the app starts."""

    async def stop(self) -> None:
        """Close clients; called once when the app stops."""
