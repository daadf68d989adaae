"""The plug-in claim: a channel is a folder's worth of code and one registration line.

`CarrierPigeon` below is a whole provider written inside this test (its webhook, its parse, its send,
its capabilities). Given to the app factory beside the real providers, and changing no other module, it
receives a raw payload, the report is triaged and routed, a responder is alerted through the fake
Telegram API, the responder's ACK goes back to the reporter through this channel's `send`.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from aiohttp import web

from demo.harness import start_harness
from demo.webhooks import telegram_message_update
from handlers.base import Channel, InboundMessage, MessageSink
from nlp.keywords import KeywordClassifier
from routing.channels import Capabilities, DeliveryReceipt, OutboundMessage, capabilities
from server import PROVIDERS

AMANI = "700000101"  # a crisis responder on Telegram in config/demo-city.yaml


class CarrierPigeon(Channel):
    """A provider that posts JSON {"id", "from", "text"} and is answered with JSON replies."""

    name = "pigeon"
    capabilities = {"pigeon": Capabilities(max_chars=140, quote_chars=100)}
    required_settings = ("secret_key",)
    delivered: list[OutboundMessage] = []

    def __init__(self, settings: Any, sink: MessageSink) -> None:
        super().__init__(settings, sink)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/pigeon", self.webhook)]

    async def webhook(self, request: web.Request) -> web.Response:
        payload = await request.json()
        if not isinstance(payload, dict) or not {"id", "from", "text"} <= payload.keys():
            return web.json_response({"error": "not a pigeon"}, status=400)
        message = InboundMessage(
            channel="pigeon",
            provider_message_id=str(payload["id"]),
            address=str(payload["from"]),
            text=str(payload["text"]),
        )
        replies = await self.sink.handle(message) or []
        return web.json_response({"replies": [reply.text for reply in replies]})

    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        type(self).delivered.append(message)
        return DeliveryReceipt(f"pigeon-{len(type(self).delivered)}")


async def test_a_channel_defined_here_plugs_in_and_carries_a_report(database_url: str) -> None:
    CarrierPigeon.delivered = []
    harness = await start_harness(database_url, classifier=KeywordClassifier(), providers=(*PROVIDERS, CarrierPigeon))
    try:
        assert capabilities("pigeon").max_chars == 140  # registered by the factory, asked by routing
        async with harness.http.post(
            harness.url + "/webhooks/pigeon",
            json={"id": "p1", "from": "coop-7", "text": "Two men are punching a guy at Hillside right now"},
        ) as response:
            assert response.status == 200
            replies = (await response.json())["replies"]  # the first-contact notice, then the confirmation
        match = re.search(r"R-[2-9A-HJ-NP-Z]{4}", replies[-1])
        assert match, replies
        reference = match.group(0)
        await harness.fakes.wait_for(lambda sent: any(m.to == AMANI and reference in m.text for m in sent))
        async with harness.http.post(harness.url + "/webhooks/pigeon", json={"nope": 1}) as bad:
            assert bad.status == 400
        await harness.telegram(telegram_message_update(9901, int(AMANI), f"ACK {reference}"))
        deadline = time.monotonic() + 10
        while not any(m.address == "coop-7" and reference in m.text for m in CarrierPigeon.delivered):
            assert time.monotonic() < deadline, "the reporter was never told through the pigeon channel"
            await asyncio.sleep(0.05)
    finally:
        await harness.stop()
