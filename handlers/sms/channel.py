"""Twilio: SMS and WhatsApp in (signed webhook, answered with TwiML) and out (REST API, async client).

The webhook checks X-Twilio-Signature against PUBLIC_BASE_URL + path before reading anything else.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

import locales
import metrics
from handlers.base import Channel, MessageSink
from handlers.sms.parse import WHATSAPP_PREFIX, BadPayload, parse_twilio, twiml
from locales import catalog
from locales.segments import for_sms
from routing.channels import Capabilities, DeliveryError, DeliveryReceipt, OutboundMessage

log = logging.getLogger("salama.sms")

TWILIO_API = "https://api.twilio.com"


class RebasedTwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """Twilio's async client, sending to another base URL (a test double or a regional edge)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API) and self.base_url != TWILIO_API:
            url = self.base_url + url[len(TWILIO_API) :]
        return await super().request(method, url, *args, **kwargs)


class TwilioChannel(Channel):
    name = "sms"
    capabilities = {
        "sms": Capabilities(max_chars=306, sms_segments=2, quote_chars=240, phone_numbers=True),
        "whatsapp": Capabilities(max_chars=1600, quote_chars=600, location=True, media=True, phone_numbers=True),
    }
    required_settings = ("twilio_account_sid", "twilio_auth_token", "twilio_from_number")

    def __init__(self, settings: Any, sink: MessageSink) -> None:
        super().__init__(settings, sink)
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.http: RebasedTwilioHttpClient | None = None
        self.client: Client | None = None

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/twilio", self.webhook)]

    async def start(self) -> None:
        self.http = RebasedTwilioHttpClient(self.settings.twilio_api_base_url)
        self.client = Client(self.settings.twilio_account_sid, self.settings.twilio_auth_token, http_client=self.http)

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()

    async def webhook(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            metrics.webhook_rejected("sms", "unsupported")
            log.warning("twilio webhook rejected: content type is not a form")
            return web.Response(status=415, text="expected application/x-www-form-urlencoded")
        try:
            form = {key: str(value) for key, value in (await request.post()).items()}
        except (UnicodeDecodeError, ValueError) as exc:  # not UTF-8, broken encoding: not Twilio
            metrics.webhook_rejected("sms", "malformed")
            log.warning("twilio webhook rejected: unreadable form (%s)", type(exc).__name__)
            return web.Response(status=400, text="unreadable form")
        url = (self.settings.public_base_url or "") + request.path_qs
        if not self.validator.validate(url, form, request.headers.get("X-Twilio-Signature", "")):
            metrics.webhook_rejected("sms", "bad_signature")
            log.warning("twilio webhook rejected: bad or missing signature")
            return web.Response(status=403, text="invalid signature")
        try:
            message = parse_twilio(form)
        except BadPayload as exc:
            metrics.webhook_rejected("sms", "malformed")
            log.warning("twilio webhook rejected: %s", exc)
            return web.Response(status=400, text=str(exc))
        try:
            replies = await self.sink.handle(message)
        except Exception as exc:  # nothing was committed: the reporter may simply send again
            log.error("processing an %s message failed: %s", message.channel, type(exc).__name__, exc_info=False)
            language = self.sink.default_language
            return twiml([locales.translate(language, catalog.TRY_AGAIN)], message.channel)
        return twiml([reply.text for reply in replies or []], message.channel)

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        assert self.client is not None, "channel not started"
        sender = self.settings.twilio_from_number
        to = message.address
        body = message.text
        if message.channel == "whatsapp":
            to, sender = WHATSAPP_PREFIX + to, WHATSAPP_PREFIX + sender.removeprefix(WHATSAPP_PREFIX)
        else:
            body = for_sms(body)
        try:
            sent = await self.client.messages.create_async(to=to, from_=sender, body=body)
        except TwilioRestException as exc:
            retryable = exc.status == 429 or exc.status >= 500
            raise DeliveryError(f"twilio {exc.status} code {exc.code}", retryable) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryError(f"twilio unreachable: {type(exc).__name__}", retryable=True) from None
        return DeliveryReceipt(sent.sid)
