"""Fake Telegram Bot API and Twilio REST API on loopback, for the demo and the tests.

One aiohttp server answers both: Telegram under `/telegram/bot<token>/<method>`, Twilio under
`/twilio/2010-04-01/Accounts/<sid>/Messages.json`. It records what was sent and can be told to fail
(`fail_next`) or to refuse an address for good (`blocked`), like the real providers do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class SentMessage:
    provider: str  # telegram or twilio
    to: str  # chat id or number (whatsapp: prefix kept)
    text: str
    message_id: str
    reply_markup: dict | None = None
    at: float = field(default_factory=time.monotonic)


class FakeProviders:
    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self.edits: list[dict] = []
        self.calls: list[str] = []  # method names, in order
        self.webhook: dict | None = None
        self.blocked: set[str] = set()
        self._failures: dict[str, list[int]] = {"telegram": [], "twilio": []}
        self.retry_after_seconds = 3  # what a faked Telegram 429 asks for
        self._ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- control ------------------------------------------------------------------------------
    def fail_next(self, provider: str, *statuses: int) -> None:
        """The next sends to `provider` answer these HTTP statuses, in order, then succeed again."""
        self._failures[provider].extend(statuses)

    @property
    def telegram_base_url(self) -> str:
        return f"{self.base_url}/telegram"

    @property
    def twilio_base_url(self) -> str:
        return f"{self.base_url}/twilio"

    def to(self, address: str) -> list[SentMessage]:
        return [m for m in self.sent if m.to == address or m.to == f"whatsapp:{address}"]

    async def wait_for(self, predicate: Callable[[list[SentMessage]], bool], timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self.sent)), timeout)

    async def wait_for_count(self, count: int, timeout: float = 10.0) -> None:
        await self.wait_for(lambda sent: len(sent) >= count, timeout)

    # --- server -------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", r"/telegram/bot{token}/{method}", self._telegram)
        app.router.add_post(r"/twilio/2010-04-01/Accounts/{sid}/Messages.json", self._twilio)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{bound[0]}:{bound[1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, message: SentMessage) -> None:
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()

    # --- Telegram -----------------------------------------------------------------------------
    async def _telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        params = await _params(request)
        if method == "getMe":
            return _ok(
                {
                    "id": 4242,
                    "is_bot": True,
                    "first_name": "Salama",
                    "username": "salama_demo_bot",
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if method in ("setWebhook", "deleteWebhook"):
            self.webhook = params if method == "setWebhook" else None
            return _ok(True)
        if method == "getUpdates":
            return _ok([])
        if method == "answerCallbackQuery":
            return _ok(True)
        if method == "sendMessage":
            chat_id = str(params.get("chat_id"))
            if self._failures["telegram"]:
                status = self._failures["telegram"].pop(0)
                failure: dict[str, Any] = {"ok": False, "error_code": status, "description": "Fake failure"}
                if status == 429:  # Telegram's flood control says how long to wait
                    failure["parameters"] = {"retry_after": self.retry_after_seconds}
                return web.json_response(failure, status=status)
            if chat_id in self.blocked:
                return web.json_response(
                    {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
                    status=403,
                )
            message_id = next(self._ids)
            markup = params.get("reply_markup")
            markup = json.loads(markup) if isinstance(markup, str) else markup
            await self._record(SentMessage("telegram", chat_id, str(params.get("text", "")), str(message_id), markup))
            return _ok(
                {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": int(chat_id), "type": "private"},
                    "text": params.get("text", ""),
                }
            )
        if method == "editMessageText":
            async with self._changed:
                self.edits.append(params)
                self._changed.notify_all()
            return _ok(
                {
                    "message_id": int(params.get("message_id", 0)),
                    "date": int(time.time()),
                    "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                    "text": params.get("text", ""),
                }
            )
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # --- Twilio -------------------------------------------------------------------------------
    async def _twilio(self, request: web.Request) -> web.Response:
        self.calls.append("Messages.create")
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        if self._failures["twilio"]:
            status = self._failures["twilio"].pop(0)
            return web.json_response({"code": 20500, "message": "Fake failure", "status": status}, status=status)
        if to.removeprefix("whatsapp:") in self.blocked:
            return web.json_response(
                {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}, status=400
            )
        sid = f"SM{next(self._ids):032d}"
        await self._record(SentMessage("twilio", to, body, sid))
        return web.json_response(
            {
                "sid": sid,
                "status": "queued",
                "to": to,
                "from": str(form.get("From", "")),
                "body": body,
                "account_sid": request.match_info["sid"],
                "num_segments": "1",
                "direction": "outbound-api",
            },
            status=201,
        )


async def _params(request: web.Request) -> dict:
    if request.content_type == "application/json":
        return await request.json()
    return dict(await request.post()) if request.can_read_body else dict(request.query)


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})
