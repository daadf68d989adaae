"""Twilio's webhook form (SMS, MMS, WhatsApp) -> InboundMessage, and replies -> TwiML."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from handlers.base import InboundMessage
from locales.segments import for_sms

WHATSAPP_PREFIX = "whatsapp:"


class BadPayload(ValueError):
    """The webhook body is not a Twilio message."""


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
