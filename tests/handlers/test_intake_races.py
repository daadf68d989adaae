"""No report lost at the door (found by driving the server; issue 11 builds the rest of the intake on this).

- Two different first messages from one new reporter at the same instant: the second used to fail on the
  reporters' unique key and was answered "send again" (lost 22/30 times on SQLite, 30/30 on PostgreSQL).
- A failure after the dedupe claim: on SQLite the claim was a SAVEPOINT that committed on its own, so the
  provider's redelivery was ignored as a duplicate and the message was gone for good.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from demo.harness import Harness
from storage.models import InboundMessage, Report


async def reports_texts(harness: Harness) -> list[str]:
    """Every report's words, and its place answer (a message that came in while "where?" was asked)."""
    async with harness.services.db.sessions() as session:
        reports = (await session.scalars(select(Report).order_by(Report.id))).all()
    vault = harness.services.vault
    return [
        "\n".join(vault.decrypt(token) for token in (report.text_enc, report.place_text_enc) if token)
        for report in reports
    ]


async def test_two_first_messages_at_the_same_instant_are_both_kept(harness: Harness) -> None:
    for round_number in range(8):
        sender = f"+1555555{round_number:04d}"
        first = f"a man hit me at the bus station round {round_number}"
        second = f"he had a knife and he is still here round {round_number}"
        answers = await asyncio.gather(harness.sms(sender, first), harness.sms(sender, second))
        assert all(answer.status == 200 for answer in answers)
        texts = "\n".join(await reports_texts(harness))
        assert first in texts and second in texts, f"round {round_number}: a message was lost"


async def test_a_failure_after_the_claim_leaves_the_redelivery_to_be_processed(harness: Harness) -> None:
    dialogue = harness.services.intake.dialogue
    real_handle = dialogue.handle
    failures = []

    async def fail_once(store, message):  # type: ignore[no-untyped-def]
        if not failures:
            failures.append(message.provider_message_id)
            raise RuntimeError("the database went away mid-message")
        return await real_handle(store, message)

    dialogue.handle = fail_once  # type: ignore[method-assign]
    try:
        text = "Two men are punching a guy at Hillside right now"
        first = await harness.sms("+15555559001", text, message_sid="SM" + "7" * 32)
        assert first.status == 200 and failures
        async with harness.services.db.sessions() as session:
            assert (await session.scalars(select(InboundMessage))).all() == []  # the claim rolled back too
        again = await harness.sms("+15555559001", text, message_sid="SM" + "7" * 32)  # the provider redelivers
        assert again.status == 200
        assert text in "\n".join(await reports_texts(harness))
        duplicate = await harness.sms("+15555559001", text, message_sid="SM" + "7" * 32)
        assert duplicate.status == 200 and len(await reports_texts(harness)) == 1  # once, not twice
    finally:
        dialogue.handle = real_handle  # type: ignore[method-assign]


async def test_junk_at_the_twilio_webhook_gets_a_4xx_and_one_log_line(harness: Harness, caplog) -> None:  # type: ignore[no-untyped-def]
    url = harness.url + "/webhooks/twilio"
    junk = [
        (b"Body=\xff\xfe&From=%2B1555", {"Content-Type": "application/x-www-form-urlencoded"}),
        (b"--x\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--x--", {"Content-Type": "multipart/form-data"}),
        (b'{"Body": "hi"}', {"Content-Type": "application/json"}),
    ]
    for body, headers in junk:
        async with harness.http.post(url, data=body, headers=headers) as response:
            assert 400 <= response.status < 500, (body, response.status)
    assert not any(record.exc_info for record in caplog.records)
