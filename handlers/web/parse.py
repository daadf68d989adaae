"""The report form's POST body -> `ReportForm`, and a form -> the channel-neutral `InboundMessage`.

A browser posts `application/x-www-form-urlencoded` (UTF-8): the message, the chosen language, the
form token (CSRF) and a one-time nonce. The nonce makes the provider message id, so a form sent twice
(a double click, a reload) is one message; it is keyed with the reporter's address, so one reporter's
nonce can never block another's message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

import locales
from handlers.base import InboundMessage

CHANNEL = "web"
MAX_CHARS = 2000  # as a browser counts a textarea's maxlength: UTF-16 code units
MAX_BODY = 32 * 1024  # 2000 characters, each up to 12 bytes once percent-encoded, and the hidden fields
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
FORM_TYPE = "application/x-www-form-urlencoded"


class BadForm(ValueError):
    """The body is not our form."""


class TooLong(BadForm):
    """The message is longer than MAX_CHARS."""


@dataclass(frozen=True)
class ReportForm:
    text: str
    language: str | None  # a supported code, or None when the form did not say
    csrf: str
    nonce: str | None


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def supported_language(code: str | None) -> str | None:
    return code if code in locales.SUPPORTED_LANGUAGES else None


def parse_form(body: bytes, content_type: str) -> ReportForm:
    """The POST body of /report; BadForm (TooLong) when it is not our form (or the text is too long)."""
    if content_type != FORM_TYPE:
        raise BadForm("not a urlencoded form")
    if len(body) > MAX_BODY:
        raise TooLong("body too large")
    try:
        fields = parse_qs(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=8,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadForm("undecodable form") from exc
    if any(len(values) > 1 for values in fields.values()):
        raise BadForm("a field given twice")
    value = {name: values[0] for name, values in fields.items()}
    text = value.get("text", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if utf16_length(text) > MAX_CHARS:
        raise TooLong("text too long")
    nonce = value.get("nonce")
    return ReportForm(
        text=text,
        language=supported_language(value.get("lang")),
        csrf=value.get("csrf", ""),
        nonce=nonce if nonce and TOKEN.fullmatch(nonce) else None,
    )


def message_id(key: bytes, address: str, nonce: str) -> str:
    """The provider message id of one form post (at most 64 characters, as the inbound journal keeps)."""
    digest = hmac.new(key, f"message\x00{address}\x00{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"web-{digest[:40]}"


def to_inbound(key: bytes, address: str, nonce: str, form: ReportForm, language: str) -> InboundMessage:
    return InboundMessage(
        channel=CHANNEL,
        provider_message_id=message_id(key, address, nonce),
        address=address,
        text=form.text,
        language_code=language,
    )
