"""Telegram updates -> InboundMessage (text, captions, commands, locations, button presses), and
buttons -> inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.base import InboundMessage
from routing.channels import Keyboard

COMMANDS = {
    "start": "START",
    "help": "HELP",
    "language": "LANGUAGE",
    "delete": "DELETE",
    "stop": "STOP",
    "quiet": "QUIET",
}


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons])


def to_inbound(update: Update, command: str | None = None, argument: str = "") -> InboundMessage | None:
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or update.edited_message is not None:
        return None
    if update.callback_query is not None:  # a button under an alert: its data is the command
        return InboundMessage(
            channel="telegram",
            provider_message_id=str(update.update_id),
            address=str(chat.id),
            text=update.callback_query.data or "",
        )
    location = (message.location.latitude, message.location.longitude) if message.location else None
    has_media = bool(
        message.photo
        or message.document
        or message.voice
        or message.video
        or message.audio
        or message.sticker
        or message.video_note
    )
    user = update.effective_user
    return InboundMessage(
        channel="telegram",
        provider_message_id=str(update.update_id),
        address=str(chat.id),
        text="" if command else (message.text or message.caption or ""),
        command=command,
        command_argument=argument,
        location=location,
        has_media=has_media,
        language_code=user.language_code if user else None,
    )
