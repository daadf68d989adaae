"""The reporter's dialogue over SMS, through the real webhook, on SQLite.

Replies are read from the TwiML the webhook answers with, as the reporter's phone would get them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select, update

import locales
from demo.harness import Harness
from locales import catalog
from locales.segments import sms_segments
from storage.models import Alert, Conversation, OutboxMessage, Report, Reporter, utcnow


async def sms(harness: Harness, sender: str, text: str) -> list[str]:
    response = await harness.sms(sender, text)
    assert response.status == 200
    body = await response.text()
    replies = [element.text or "" for element in ET.fromstring(body).iter("Message")]
    for reply in replies:
        assert sms_segments(reply) <= 2, reply
    return replies


async def all_reports(harness: Harness) -> list[Report]:
    async with harness.services.db.sessions() as session:
        return list((await session.scalars(select(Report).order_by(Report.id))).all())


def t(lang: str, msgid: str, **params: str) -> str:
    from locales.segments import for_sms

    params.setdefault("emergency", "112")
    return for_sms(locales.translate(lang, msgid, **params))


async def test_one_sms_with_what_and_where_completes_in_one_exchange(sqlite_harness: Harness) -> None:
    replies = await sms(sqlite_harness, "+15555550301", "I was robbed near the Central Market last night")
    [report] = await all_reports(sqlite_harness)
    assert report.status == "submitted" and report.area == "Central Market"
    assert replies[0] == t("en", catalog.NOTICE)  # first contact: the notice, once
    assert report.reference in replies[-1]
    assert len(replies) == 2
    again = await sms(sqlite_harness, "+15555550301", "thank you")
    assert again == [t("en", catalog.ADDED, ref=report.reference)]  # no second notice, no new report
    assert len(await all_reports(sqlite_harness)) == 1


async def test_dialogue_asks_only_what_is_missing_in_the_reporters_language(sqlite_harness: Harness) -> None:
    sender = "+15555550302"
    assert await sms(sqlite_harness, sender, "Hola") == [t("es", catalog.NOTICE), t("es", catalog.ASK_WHAT)]
    assert await sms(sqlite_harness, sender, "Un hombre me golpeó y me quitó el bolso") == [t("es", catalog.ASK_WHERE)]
    danger = t("es", catalog.ASK_DANGER, yes=locales.keyword("es", "YES"), no=locales.keyword("es", "NO"))
    assert await sms(sqlite_harness, sender, "en la calle detras del Mercado Central") == [danger]
    [report] = await all_reports(sqlite_harness)
    assert report.status == "collecting"
    final = await sms(sqlite_harness, sender, "sí")
    [report] = await all_reports(sqlite_harness)
    assert final == [t("es", catalog.CONFIRM_EMERGENCY, ref=report.reference)]
    assert report.urgency == "emergency" and report.danger_now is True and report.area == "Central Market"
    assert report.language == "es" and report.status == "submitted"


async def test_emergency_without_a_place_alerts_at_once_then_updates_responders(sqlite_harness: Harness) -> None:
    sender = "+15555550303"
    replies = await sms(sqlite_harness, sender, "help now a man with a knife is following me")
    [report] = await all_reports(sqlite_harness)
    assert report.status == "submitted" and report.urgency == "emergency"
    assert replies[-2:] == [t("en", catalog.CONFIRM_EMERGENCY, ref=report.reference), t("en", catalog.ASK_WHERE)]
    await sms(sqlite_harness, sender, "behind the bus station")
    [report] = await all_reports(sqlite_harness)
    assert report.area == "Bus Station"
    async with sqlite_harness.services.db.sessions() as session:
        kinds = [row.kind for row in (await session.scalars(select(OutboxMessage))).all()]
    assert kinds.count("update") == kinds.count("alert") > 0  # everyone alerted hears where


@pytest.mark.parametrize("lang", ["en", "es", "fr", "pt", "sw", "ar"])
async def test_help_stop_delete_work_in_every_language(sqlite_harness: Harness, lang: str) -> None:
    sender = f"+1555555040{['en', 'es', 'fr', 'pt', 'sw', 'ar'].index(lang)}"
    help_reply = await sms(sqlite_harness, sender, locales.keyword(lang, "HELP").lower())
    assert help_reply == [
        t(lang, catalog.HELP, stop=locales.keyword(lang, "STOP"), delete=locales.keyword(lang, "DELETE"))
    ]
    assert await sms(sqlite_harness, sender, locales.keyword(lang, "STOP")) == [t(lang, catalog.STOPPED)]
    async with sqlite_harness.services.db.sessions() as session:
        reporter = (await session.scalars(select(Reporter))).one()
        assert reporter.opted_out and reporter.address_enc is None
    assert await sms(sqlite_harness, sender, locales.keyword(lang, "DELETE")) == [t(lang, catalog.DELETED)]
    async with sqlite_harness.services.db.sessions() as session:
        assert (await session.scalars(select(Reporter))).all() == []


async def test_delete_erases_text_and_contact_but_keeps_coded_fields(sqlite_harness: Harness) -> None:
    sender = "+15555550409"
    await sms(sqlite_harness, sender, "My neighbour beats his wife every night in Hillside")
    assert await sms(sqlite_harness, sender, "DELETE") == [t("en", catalog.DELETED)]
    async with sqlite_harness.services.db.sessions() as session:
        assert (await session.scalars(select(Reporter))).all() == []
        assert (await session.scalars(select(Conversation))).all() == []
        [report] = (await session.scalars(select(Report))).all()
    assert report.text_enc is None and report.place_text_enc is None and report.reporter_id is None
    assert report.types and report.area == "Hillside" and report.status == "submitted"


async def test_idle_conversation_expires_and_its_report_is_never_lost(sqlite_harness: Harness) -> None:
    await sms(sqlite_harness, "+15555550310", "Someone stole my phone and pushed me down")
    [report] = await all_reports(sqlite_harness)
    assert report.status == "collecting"  # waiting for "where?"
    async with sqlite_harness.services.db.sessions() as session, session.begin():
        await session.execute(update(Conversation).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert await sqlite_harness.services.intake.expire_idle_conversations() == 1
    [report] = await all_reports(sqlite_harness)
    assert report.status == "submitted" and report.area is None
    async with sqlite_harness.services.db.sessions() as session:
        assert len((await session.scalars(select(Alert))).all()) > 0
        assert (await session.scalars(select(Conversation))).one().closed


async def test_a_short_message_does_not_switch_the_conversation_language(sqlite_harness: Harness) -> None:
    sender = "+15555550311"
    await sms(sqlite_harness, sender, "Hola")
    await sms(sqlite_harness, sender, "Me robaron el celular en la parada")
    replies = await sms(sqlite_harness, sender, "ok")  # answer to "where?": too short to be a language
    assert replies and all(
        reply in (t("es", catalog.ASK_DANGER, yes="SI", no="NO"),) or "R-" in reply for reply in replies
    )
    [report] = await all_reports(sqlite_harness)
    assert report.language == "es"


async def test_media_without_text_gets_a_polite_answer(sqlite_harness: Harness) -> None:
    response = await sqlite_harness.sms("+15555550312", "", NumMedia="1")
    body = await response.text()
    assert t("en", catalog.TEXT_ONLY) in body
    assert await all_reports(sqlite_harness) == []
