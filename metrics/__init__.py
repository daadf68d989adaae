"""Counters for operators, in one leaf module every layer may import (nothing here imports Salama).

Labels take only a small fixed set of values (channel names, rejection reasons, true/false): no
address, reference, name or text can ever become a label, and the series count stays bounded.
monitoring/metrics.py serves them at /metrics, with the outbox gauges read at scrape time.

Call sites:
    report_received(channel)           a new report was created
    observe_triage(seconds)            one triage of a text took this long
    delivery_failed(channel, final)    a send failed (final: given up, no retry)
    webhook_rejected(channel, reason)  a webhook was refused (bad signature, malformed ...)
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

CHANNELS = frozenset({"sms", "whatsapp", "telegram", "web"})
REASONS = frozenset({"bad_signature", "bad_secret", "malformed", "too_large", "unsupported", "rate_limited", "error"})
OTHER = "other"

# A registry of our own: importing twice (tests, reloads) never clashes with the process-wide default.
REGISTRY = CollectorRegistry(auto_describe=True)
REPORTS_RECEIVED = Counter("salama_reports_received", "Reports received, by channel", ["channel"], registry=REGISTRY)
TRIAGE_SECONDS = Histogram(
    "salama_triage_seconds",
    "Time to triage one report text",
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
DELIVERY_FAILURES = Counter(
    "salama_delivery_failures",
    "Failed sends to providers, by channel; final=true when given up",
    ["channel", "final"],
    registry=REGISTRY,
)
WEBHOOK_REJECTIONS = Counter(
    "salama_webhook_rejections",
    "Webhook requests refused, by channel and reason",
    ["channel", "reason"],
    registry=REGISTRY,
)
ALERTS_PENDING = Gauge(
    "salama_alerts_pending", "Alerts waiting in the outbox (pending or being sent)", registry=REGISTRY
)
OLDEST_PENDING = Gauge(
    "salama_alert_oldest_pending_seconds",
    "Age of the oldest alert waiting in the outbox (0 when none)",
    registry=REGISTRY,
)
SCRAPE_ERRORS = Counter("salama_metrics_scrape_errors", "Scrapes where the outbox could not be read", registry=REGISTRY)

for _name in CHANNELS:  # series exist at 0 from the start, so rates work from the first scrape
    REPORTS_RECEIVED.labels(_name)


def _channel(channel: str) -> str:
    return channel if channel in CHANNELS else OTHER


def _reason(reason: str) -> str:
    reason = re.sub(r"[^a-z_]", "_", reason.lower())
    return reason if reason in REASONS else OTHER


def report_received(channel: str) -> None:
    REPORTS_RECEIVED.labels(_channel(channel)).inc()


def observe_triage(seconds: float) -> None:
    TRIAGE_SECONDS.observe(max(0.0, seconds))


def delivery_failed(channel: str, final: bool) -> None:
    DELIVERY_FAILURES.labels(_channel(channel), "true" if final else "false").inc()


def webhook_rejected(channel: str, reason: str) -> None:
    WEBHOOK_REJECTIONS.labels(_channel(channel), _reason(reason)).inc()
