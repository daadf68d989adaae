"""Twilio: SMS and WhatsApp in (signed webhook, TwiML reply) and out (REST API).

`POST /webhooks/twilio` checks `X-Twilio-Signature` against PUBLIC_BASE_URL (403 otherwise), turns
the form into an InboundMessage (400 if it is not a Twilio message) and answers with TwiML.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

import locales
from handlers.base import Channel, DeliveryError, DeliveryReceipt, InboundMessage, OutboundMessage, register_channel
from handlers.sms_segments import for_sms
from locales import catalog
from monitoring import metrics

log = logging.getLogger("salama.sms")

TWILIO_API = "https://api.twilio.com"
WHATSAPP_PREFIX = "whatsapp:"


class BadPayload(ValueError):
    """The webhook body is not a Twilio message."""


class RebasedTwilioHttpClient(AsyncTwilioHttpClient):
    """Twilio's async client, sending to another base URL (a test double or a regional edge)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    async def request(self, method: str, url: str, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if url.startswith(TWILIO_API) and self.base_url != TWILIO_API:
            url = self.base_url + url[len(TWILIO_API):]
        return await super().request(method, url, *args, **kwargs)


def parse_twilio(form: Mapping[str, str]) -> InboundMessage:
    """Twilio's webhook form -> InboundMessage (SMS, or WhatsApp when From starts with 'whatsapp:')."""
    sender = form.get("From", "").strip()
    message_id = form.get("MessageSid") or form.get("SmsSid") or ""
    if not sender or not message_id:
        raise BadPayload("missing From or MessageSid")
    channel = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
    location = None
    if form.get("Latitude") and form.get("Longitude"):  # WhatsApp location messages
        try:
            location = (float(form["Latitude"]), float(form["Longitude"]))
        except ValueError as exc:
            raise BadPayload("bad Latitude/Longitude") from exc
    try:
        media = int(form.get("NumMedia", "0") or 0)
    except ValueError as exc:
        raise BadPayload("bad NumMedia") from exc
    return InboundMessage(
        channel=channel,
        provider_message_id=message_id,
        address=sender.removeprefix(WHATSAPP_PREFIX),
        text=form.get("Body", ""),
        location=location,
        has_media=media > 0,
    )


def twiml(replies: list[str], channel: str) -> web.Response:
    response = MessagingResponse()
    for reply in replies:  # buttons have no SMS form: the texts say which words to send
        response.message(for_sms(reply) if channel == "sms" else reply)
    return web.Response(text=str(response), content_type="application/xml")


@register_channel("sms", enabled=lambda settings: settings.twilio_enabled)
class TwilioChannel(Channel):
    name = "sms"
    serves = ("sms", "whatsapp")

    def __init__(self, settings, intake) -> None:  # type: ignore[no-untyped-def]
        self.settings = settings
        self.intake = intake
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
        form = {key: str(value) for key, value in (await request.post()).items()}
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
            replies = await self.intake.handle(message)
        except Exception as exc:  # nothing was committed: the reporter may simply send again
            log.error("processing an %s message failed: %s", message.channel, type(exc).__name__, exc_info=False)
            language = self.intake.dialogue.deployment.default_language
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
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise DeliveryError(f"twilio unreachable: {type(exc).__name__}", retryable=True) from None
        return DeliveryReceipt(sent.sid)
