"""Telegram: reporters, nightlife champions and responders (with buttons)."""

from handlers.telegram.channel import TelegramChannel
from handlers.telegram.parse import to_inbound

__all__ = ["TelegramChannel", "to_inbound"]
