"""Responders' replies to alerts: `ACK R-7K3F` takes a report, `DONE R-7K3F` closes it.

Only a registered member of a group that got an alert for that report may act on it; anyone else
gets a polite refusal and nothing changes.
"""

from __future__ import annotations

import re

import locales
from handlers.base import InboundMessage
from locales import catalog
from storage.models import Report, Responder, utcnow
from storage.repository import Store

COMMAND = re.compile(r"^\s*/?(\w+)\s+(R-?[2-9A-HJ-NP-Z]{4})\s*$", re.IGNORECASE)


def _reference(raw: str) -> str:
    raw = raw.upper().replace("-", "")
    return f"R-{raw[1:]}"


class ResponderDesk:
    def __init__(self, default_language: str) -> None:
        self.default_language = default_language

    async def handle(self, store: Store, message: InboundMessage) -> list[str] | None:
        """Replies if the message is a responder command; None to let the reporter dialogue take it."""
        match = COMMAND.match(message.text)
        if not match:
            return None
        action = locales.match_keyword(match.group(1))
        if action not in ("ACK", "DONE"):
            return None
        reference = _reference(match.group(2))
        responder = await store.responder_for(message.channel, message.address)
        language = responder.language if responder else self.default_language
        report = await store.report_by_reference(reference)
        alerts = [a for a in await store.alerts_for(report)] if report else []
        if responder is None or report is None or responder.group not in {a.group for a in alerts}:
            return [locales.translate(language, catalog.ACK_REFUSED, ref=reference)]
        await self._act(store, action, report, responder)
        return [locales.translate(language, catalog.ACK_CONFIRMED, ref=reference)]

    async def _act(self, store: Store, action: str, report: Report, responder: Responder) -> None:
        now = utcnow()
        for alert in await store.alerts_for(report):
            if alert.status != "acknowledged":
                alert.status = "acknowledged"
                alert.acknowledged_at = now
        if action == "ACK":
            report.status = "acknowledged"
            report.acknowledged_at = report.acknowledged_at or now
        else:
            report.status = "closed"
        store.audit("report_" + ("acknowledged" if action == "ACK" else "closed"), report,
                    group=responder.group, responder_id=responder.id)
