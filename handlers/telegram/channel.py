"""Telegram: a python-telegram-bot Application with no updater, fed by the aiohttp webhook (secret token
checked), sending alerts with inline buttons and editing them in place.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import warnings
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

import metrics
from handlers.base import Channel, InboundMessage, MessageSink
from handlers.telegram.parse import COMMANDS, markup, to_inbound
from routing.channels import Capabilities, DeliveryError, DeliveryReceipt, OutboundMessage

log = logging.getLogger("salama.telegram")


class TelegramChannel(Channel):
    name = "telegram"
    capabilities = {
        "telegram": Capabilities(
            buttons=True, edit_in_place=True, max_chars=4096, quote_chars=1200, location=True, media=True
        )
    }
    required_settings = ("telegram_bot_token", "telegram_webhook_secret")

    def __init__(self, settings: Any, sink: MessageSink | None) -> None:
        super().__init__(settings, sink)  # type: ignore[arg-type]  # a send-only worker has no sink
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
            url=f"{public_base_url}/webhooks/telegram",
            secret_token=self.settings.telegram_webhook_secret,
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
                updates = await bot.get_updates(
                    offset=offset, timeout=25, allowed_updates=["message", "callback_query"]
                )
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
            assert self.sink is not None, "a send-only channel received an update"
            replies = await self.sink.handle(message)
        except Exception as exc:  # rolled back: answer 500 so Telegram redelivers the update
            log.error("processing a telegram update failed: %s", type(exc).__name__)
            self._failed_updates.add(update.update_id)
            return
        for reply in replies or []:
            try:
                await self.application.bot.send_message(
                    chat_id=int(message.address), text=reply.text, reply_markup=markup(reply.buttons)
                )
            except TelegramError as exc:
                log.warning("telegram reply not sent: %s", type(exc).__name__)

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        bot = self.application.bot
        try:
            if message.edit_of is not None:
                await bot.edit_message_text(
                    chat_id=int(message.address),
                    message_id=int(message.edit_of),
                    text=message.text,
                    reply_markup=markup(message.buttons),
                )
                return DeliveryReceipt(message.edit_of)
            sent = await bot.send_message(
                chat_id=int(message.address), text=message.text, reply_markup=markup(message.buttons)
            )
        except (Forbidden, BadRequest) as exc:  # blocked the bot, chat gone: trying again will not help
            raise DeliveryError(f"telegram {type(exc).__name__}", retryable=False) from None
        except RetryAfter as exc:  # 429: Telegram says how long to wait
            with warnings.catch_warnings():  # PTB 22 warns that retry_after becomes a timedelta: both are read
                warnings.simplefilter("ignore")
                wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            raise DeliveryError("telegram RetryAfter", retryable=True, retry_after=seconds) from None
        except (TimedOut, NetworkError) as exc:
            raise DeliveryError(f"telegram {type(exc).__name__}", retryable=True) from None
        return DeliveryReceipt(str(sent.message_id))
