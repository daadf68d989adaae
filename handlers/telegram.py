"""Telegram: a python-telegram-bot Application with no updater, fed by the aiohttp webhook.

`POST /webhooks/telegram` checks `X-Telegram-Bot-Api-Secret-Token`; the update goes through the
Application's handlers, which turn it into an InboundMessage for the intake. A repeated update_id is
ignored by the intake's dedupe. If processing fails, the webhook answers 500 so Telegram redelivers.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from monitoring import metrics
from handlers.base import (
    Channel, DeliveryError, DeliveryReceipt, InboundMessage, Keyboard, OutboundMessage, register_channel,
)

log = logging.getLogger("salama.telegram")

COMMANDS = {"start": "START", "help": "HELP", "language": "LANGUAGE", "delete": "DELETE", "stop": "STOP",
            "quiet": "QUIET"}


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
        return InboundMessage(channel="telegram", provider_message_id=str(update.update_id), address=str(chat.id),
                              text=update.callback_query.data or "")
    location = (message.location.latitude, message.location.longitude) if message.location else None
    has_media = bool(message.photo or message.document or message.voice or message.video or message.audio
                     or message.sticker or message.video_note)
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


@register_channel("telegram", enabled=lambda settings: settings.telegram_enabled)
class TelegramChannel(Channel):
    name = "telegram"
    serves = ("telegram",)

    def __init__(self, settings, intake) -> None:  # type: ignore[no-untyped-def]
        self.settings = settings
        self.intake = intake
        api = settings.telegram_api_base_url
        self.application = (
            Application.builder()
            .token(settings.telegram_bot_token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .updater(None)
            .build()
        )
        self.application.add_handler(CommandHandler(list(COMMANDS), self._on_command))
        self.application.add_handler(MessageHandler(filters.ALL, self._on_message))
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self._failed_updates: set[int] = set()

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/telegram", self.webhook)]

    async def start(self) -> None:
        await self.application.initialize()

    async def stop(self) -> None:
        await self.application.shutdown()

    async def register_webhook(self, public_base_url: str) -> None:
        await self.application.bot.set_webhook(
            url=f"{public_base_url}/webhooks/telegram", secret_token=self.settings.telegram_webhook_secret,
            allowed_updates=["message", "callback_query"],
        )
        log.info("telegram webhook registered")

    async def poll_forever(self) -> None:
        """Development without a public URL: long-poll getUpdates and feed the same handlers."""
        bot = self.application.bot
        await bot.delete_webhook()
        offset = 0
        log.info("telegram polling started")
        while True:
            try:
                updates = await bot.get_updates(offset=offset, timeout=25, allowed_updates=["message", "callback_query"])
            except TelegramError as exc:
                log.warning("telegram polling failed: %s; retrying", type(exc).__name__)
                await asyncio.sleep(3)
                continue
            for update in updates:
                offset = update.update_id + 1
                await self.application.process_update(update)

    async def webhook(self, request: web.Request) -> web.Response:
        token = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(token.encode(), (self.settings.telegram_webhook_secret or "").encode()):
            metrics.webhook_rejected("telegram", "bad_secret")
            log.warning("telegram webhook rejected: bad or missing secret token")
            return web.Response(status=403, text="invalid secret token")
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except Exception:  # not JSON, or not an Update
            update = None
        if update is None:
            metrics.webhook_rejected("telegram", "malformed")
            log.warning("telegram webhook rejected: malformed update")
            return web.Response(status=400, text="malformed update")
        await self.application.process_update(update)
        if update.update_id in self._failed_updates:
            self._failed_updates.discard(update.update_id)
            metrics.webhook_rejected("telegram", "error")
            return web.Response(status=500, text="processing failed; please redeliver")
        return web.Response(text="ok")

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = (update.effective_message.text or "") if update.effective_message else ""
        name = text.split()[0].lstrip("/").split("@")[0].lower() if text else ""
        await self._dispatch(update, to_inbound(update, COMMANDS.get(name), " ".join(context.args or [])))

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._dispatch(update, to_inbound(update))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        try:
            await update.callback_query.answer()  # stops the spinner on the responder's button
        except TelegramError as exc:
            log.warning("callback not answered: %s", type(exc).__name__)
        await self._dispatch(update, to_inbound(update))

    async def _dispatch(self, update: Update, message: InboundMessage | None) -> None:
        if message is None:
            return
        try:
            replies = await self.intake.handle(message)
        except Exception as exc:  # rolled back: answer 500 so Telegram redelivers the update
            log.error("processing a telegram update failed: %s", type(exc).__name__)
            self._failed_updates.add(update.update_id)
            return
        for reply in replies or []:
            try:
                await self.application.bot.send_message(chat_id=int(message.address), text=reply.text,
                                                        reply_markup=markup(reply.buttons))
            except TelegramError as exc:
                log.warning("telegram reply not sent: %s", type(exc).__name__)

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        bot = self.application.bot
        try:
            if message.edit_of is not None:
                await bot.edit_message_text(chat_id=int(message.address), message_id=int(message.edit_of),
                                            text=message.text, reply_markup=markup(message.buttons))
                return DeliveryReceipt(message.edit_of)
            sent = await bot.send_message(chat_id=int(message.address), text=message.text,
                                          reply_markup=markup(message.buttons))
        except (Forbidden, BadRequest) as exc:  # blocked the bot, chat gone: trying again will not help
            raise DeliveryError(f"telegram {type(exc).__name__}", retryable=False) from None
        except (RetryAfter, TimedOut, NetworkError) as exc:
            raise DeliveryError(f"telegram {type(exc).__name__}", retryable=True) from None
        return DeliveryReceipt(str(sent.message_id))
