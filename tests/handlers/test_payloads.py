"""Table-driven: raw provider payloads (tests/fixtures) -> channel-neutral InboundMessage.

Twilio forms go through `parse_twilio`; Telegram updates go through the real python-telegram-bot
Application and its handlers (initialised against the fake Bot API), so commands are routed as PTB
routes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from telegram import Update

from demo.fakes import FakeProviders
from demo.harness import demo_settings
from handlers.base import InboundMessage
from handlers.sms import BadPayload, parse_twilio
from handlers.telegram import TelegramChannel

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"  # each provider keeps its raw payloads

TWILIO_CASES = [
    # fixture, channel, address, text, location, has_media
    ("sms_text", "sms", "+15555550177", "Fight at the door of Blue Lagoon, one man bleeding", None, False),
    ("whatsapp_text", "whatsapp", "+15555550178", "Me robaron en el Puerto", None, False),
    ("whatsapp_location", "whatsapp", "+15555550179", "", (-4.99, 10.0225), False),
    ("mms_photo", "sms", "+15555550180", "", None, True),
]


def twilio_fixture(name: str) -> dict[str, str]:
    raw = (HANDLERS / "sms" / "fixtures" / f"{name}.txt").read_text()
    return dict(parse_qsl(raw, keep_blank_values=True))


@pytest.mark.parametrize("fixture, channel, address, text, location, has_media", TWILIO_CASES)
def test_twilio_payloads(fixture: str, channel: str, address: str, text: str, location, has_media: bool) -> None:
    form = twilio_fixture(fixture)
    message = parse_twilio(form)
    assert message == InboundMessage(
        channel=channel,
        provider_message_id=form["MessageSid"],
        address=address,
        text=text,
        location=location,
        has_media=has_media,
    )


@pytest.mark.parametrize("fixture", ["missing_from", "bad_location"])
def test_twilio_payloads_refused(fixture: str) -> None:
    with pytest.raises(BadPayload):
        parse_twilio(twilio_fixture(fixture))


class RecordingIntake:
    """Stands in for the intake here only: this test is about what the channel hands over."""

    def __init__(self) -> None:
        self.messages: list[InboundMessage] = []

    async def handle(self, message: InboundMessage) -> list[str]:
        self.messages.append(message)
        return []


TELEGRAM_CASES = [
    # fixture, expected InboundMessage fields (None: the update is not handed over)
    ("text", {"address": "800000501", "text": "Un homme me suit depuis la gare routière", "language_code": "fr"}),
    ("location", {"address": "800000502", "text": "", "location": (-4.99, 10.0225), "language_code": "sw"}),
    ("command_language", {"address": "800000503", "text": "", "command": "LANGUAGE", "command_argument": "pt"}),
    ("photo_caption", {"address": "800000504", "text": "Esta calle no tiene luz", "has_media": True}),
    ("edited", None),
]


@pytest.mark.parametrize("fixture, expected", TELEGRAM_CASES)
async def test_telegram_updates_through_ptb(fixture: str, expected: dict | None, tmp_path: Path) -> None:
    fakes = FakeProviders()
    await fakes.start()
    intake = RecordingIntake()
    channel = TelegramChannel(demo_settings(f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", fakes), intake)
    await channel.start()
    try:
        payload = json.loads((HANDLERS / "telegram" / "fixtures" / f"{fixture}.json").read_text())
        await channel.application.process_update(Update.de_json(payload, channel.application.bot))
    finally:
        await channel.stop()
        await fakes.stop()
    if expected is None:
        assert intake.messages == []
        return
    [message] = intake.messages
    assert message.channel == "telegram"
    assert message.provider_message_id == str(payload["update_id"])
    for field, value in expected.items():
        assert getattr(message, field) == value, field


# --- the same raw payloads posted to the real routes of the running server (courier's style) ----------

ROUTE_CASES = [
    # provider, fixture, expected fields of the InboundMessage the intake receives (None: refused)
    ("sms", "sms_text", {"channel": "sms", "address": "+15555550177", "text": TWILIO_CASES[0][3]}),
    ("sms", "whatsapp_location", {"channel": "whatsapp", "address": "+15555550179", "location": (-4.99, 10.0225)}),
    ("sms", "mms_photo", {"channel": "sms", "has_media": True}),
    ("sms", "missing_from", None),
    ("telegram", "text", TELEGRAM_CASES[0][1]),
    ("telegram", "command_language", TELEGRAM_CASES[2][1]),
    ("telegram", "edited", None),
]


@pytest.mark.parametrize("provider, fixture, expected", ROUTE_CASES)
async def test_raw_payloads_through_the_real_routes(
    provider: str, fixture: str, expected: dict | None, sqlite_harness
) -> None:  # type: ignore[no-untyped-def]
    from demo.webhooks import post_twilio

    harness = sqlite_harness
    seen: list[InboundMessage] = []
    real = harness.services.intake.handle

    async def recording(message: InboundMessage):  # type: ignore[no-untyped-def]
        seen.append(message)
        return await real(message)

    harness.services.intake.handle = recording  # type: ignore[method-assign]
    if provider == "sms":
        response = await post_twilio(
            harness.http, harness.url, harness.url, harness.settings.twilio_auth_token or "", twilio_fixture(fixture)
        )
    else:
        payload = json.loads((HANDLERS / "telegram" / "fixtures" / f"{fixture}.json").read_text())
        response = await harness.telegram(payload)
    if expected is None:
        assert seen == [] and response.status in (200, 400)  # refused (Twilio) or ignored (an edit)
        return
    assert response.status == 200
    [message] = seen
    for field, value in expected.items():
        assert getattr(message, field) == value, field
