"""Operators' metrics: /metrics answers without login, counts what happens, never carries personal data."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

import metrics
from tests.monitoring.conftest import Monitoring


def sample(name: str, **labels: str) -> float:
    value = metrics.REGISTRY.get_sample_value(name, labels or None)
    return value or 0.0


def test_functions_count_with_bounded_labels() -> None:
    before = sample("salama_reports_received_total", channel="telegram")
    metrics.report_received("telegram")
    assert sample("salama_reports_received_total", channel="telegram") == before + 1

    metrics.report_received("+15555550123")  # a careless caller passing an address: it becomes "other"
    metrics.webhook_rejected("sms", "Bad signature from +15555550123")
    metrics.webhook_rejected("sms", "bad_signature")
    metrics.delivery_failed("whatsapp", final=True)
    metrics.observe_triage(0.004)
    exposed = generate_latest(metrics.REGISTRY).decode()
    assert "5555550123" not in exposed
    assert sample("salama_webhook_rejections_total", channel="sms", reason="other") >= 1
    assert sample("salama_webhook_rejections_total", channel="sms", reason="bad_signature") >= 1
    assert sample("salama_delivery_failures_total", channel="whatsapp", final="true") >= 1
    assert sample("salama_triage_seconds_count") >= 1
    for family in text_string_to_metric_families(exposed):
        for item in family.samples:
            assert set(item.labels) <= {"channel", "reason", "final", "le"}
            assert item.labels.get("channel", "sms") in metrics.CHANNELS | {metrics.OTHER}


async def test_metrics_endpoint_reads_pending_alerts(monitoring: Monitoring) -> None:
    response = await monitoring.http.get(monitoring.url + "/metrics")  # no login: operators scrape it
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert "salama_alerts_pending" in families and "salama_reports_received" in families
    pending = families["salama_alerts_pending"].samples[0].value
    assert pending == 0  # the synthetic history's alerts were all delivered or given up
