"""Turn a completed report into alerts in the outbox, in the caller's transaction.

The alert says what, where, how urgent, when, the report's words, and how to acknowledge, in each
responder's language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import locales
from locales import catalog
from routing.deployment import Deployment
from routing.rules import ReportFacts, RoutingDecision, decide
from storage.models import Report, utcnow
from storage.repository import Store

MAX_QUOTE = {"sms": 240, "whatsapp": 600, "telegram": 1200}  # keep SMS alerts to about two segments


def _quote(text: str, channel: str) -> str:
    limit = MAX_QUOTE.get(channel, 600)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_alert(
    *, reference: str, facts: ReportFacts, text: str, place_text: str, at: datetime, timezone: str,
    language: str, channel: str,
) -> str:
    t = locales.translate
    urgency = locales.urgency_name(language, facts.urgency)
    types = ", ".join(locales.type_name(language, label) for label in facts.types)
    where = facts.area or t(language, catalog.UNKNOWN_AREA)
    if facts.venue:
        where = f"{where} ({facts.venue})"
    if place_text:
        where = f"{where}: {_quote(place_text, 'sms')}"
    local = at.astimezone(ZoneInfo(timezone))
    lines = [
        t(language, catalog.ALERT_TITLE, urgency=urgency, ref=reference),
        t(language, catalog.ALERT_TYPE, types=types),
        t(language, catalog.ALERT_WHERE, area=where),
        t(language, catalog.ALERT_WHEN, time=local.strftime("%H:%M %d/%m")),
        f"\"{_quote(text, channel)}\"",
        t(language, catalog.ALERT_HOW_TO_ACK, ack=locales.keyword(language, "ACK"), ref=reference),
    ]
    return "\n".join(lines)


def facts_of(report: Report, nightlife: bool) -> ReportFacts:
    return ReportFacts(
        types=tuple(report.types), urgency=report.urgency, area=report.area, venue=report.venue, nightlife=nightlife
    )


async def submit_report(store: Store, deployment: Deployment, report: Report, nightlife: bool) -> RoutingDecision:
    """Route the report and write one alert per responder of each alerted group."""
    facts = facts_of(report, nightlife)
    decision = decide(deployment, facts)
    now = utcnow()
    report.alert_groups = list(decision.alert_groups)
    report.digest_groups = list(decision.digest_groups)
    report.status = "submitted"
    report.submitted_at = now
    text, place_text = store.report_text(report), store.place_text(report)
    alerted = 0
    for group in decision.alert_groups:
        for responder in await store.responders_in(group):
            body = format_alert(
                reference=report.reference, facts=facts, text=text, place_text=place_text, at=report.created_at,
                timezone=deployment.timezone, language=responder.language, channel=responder.channel,
            )
            await store.add_alert(report, responder, body)
            alerted += 1
    store.audit(
        "report_submitted", report, routes=list(decision.routes), alert_groups=list(decision.alert_groups),
        digest_groups=list(decision.digest_groups), withheld_groups=list(decision.withheld_groups),
        responders_alerted=alerted,
    )
    return decision


async def send_update(store: Store, report: Report, note: str) -> None:
    """Tell everyone alerted on a report about new information (e.g. the place, given later)."""
    for alert in await store.alerts_for(report):
        responder = await store.responder(alert.responder_id)
        if responder is not None:
            store.enqueue(responder.channel, store.responder_address(responder), f"{report.reference}: {note}",
                          "update", report, alert)
    store.audit("report_updated", report)
