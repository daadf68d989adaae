"""Send provider webhooks the way Twilio and Telegram do: used by the demo and the tests."""

from __future__ import annotations

import itertools
import time

import aiohttp
from twilio.request_validator import RequestValidator

_message_ids = itertools.count(1)


def twilio_form(
    sender: str, body: str, message_sid: str | None = None, to: str = "+15555550000", **extra: str
) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS (or WhatsApp when sender starts with 'whatsapp:')."""
    sid = message_sid or f"SM{next(_message_ids):032x}"
    form = {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def telegram_message_update(
    update_id: int,
    chat_id: int,
    text: str | None = None,
    language_code: str | None = "en",
    location: tuple[float, float] | None = None,
) -> dict:
    message: dict = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Reporter"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Reporter", "language_code": language_code},
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if location is not None:
        message["location"] = {"latitude": location[0], "longitude": location[1]}
    return {"update_id": update_id, "message": message}


async def post_twilio(
    session: aiohttp.ClientSession,
    app_url: str,
    public_base_url: str,
    auth_token: str,
    form: dict[str, str],
    signature: str | None = None,
) -> aiohttp.ClientResponse:
    """POST a signed Twilio webhook (pass `signature` to send a wrong one)."""
    path = "/webhooks/twilio"
    if signature is None:
        signature = RequestValidator(auth_token).compute_signature(public_base_url + path, form)
    async with session.post(app_url + path, data=form, headers={"X-Twilio-Signature": signature}) as response:
        await response.read()
        return response


async def post_telegram(
    session: aiohttp.ClientSession, app_url: str, secret: str, update: dict | str
) -> aiohttp.ClientResponse:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    if isinstance(update, str):
        request = session.post(app_url + "/webhooks/telegram", data=update, headers=headers)
    else:
        request = session.post(app_url + "/webhooks/telegram", json=update, headers=headers)
    async with request as response:
        await response.read()
        return response
