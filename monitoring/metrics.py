"""Operators' metrics at /metrics (Prometheus text format): the counters of the leaf `metrics` module,
and the alerts-pending gauges read from the outbox at scrape time, so they are right whichever process
(server or separate worker) delivers.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from metrics import ALERTS_PENDING, OLDEST_PENDING, REGISTRY, SCRAPE_ERRORS
from monitoring.appkeys import DATABASE
from storage.db import Database
from storage.statistics import pending_alerts

log = logging.getLogger("salama.metrics")


async def refresh_outbox_gauges(db: Database) -> None:
    try:
        async with db.sessions() as session:
            pending = await pending_alerts(session)
    except Exception as exc:  # a scrape must still answer: the counters are there even without the database
        SCRAPE_ERRORS.inc()
        log.warning("metrics: outbox not readable (%s)", type(exc).__name__)
        return
    ALERTS_PENDING.set(pending.count)
    age = 0.0
    if pending.oldest_created_at is not None:
        age = max(0.0, (datetime.now(UTC) - pending.oldest_created_at).total_seconds())
    OLDEST_PENDING.set(age)


METRICS_ON = web.AppKey("metrics_on", bool)


def setup_metrics(app: web.Application) -> None:
    """Add GET /metrics; the app must carry DATABASE (monitoring.appkeys). Calling it twice does nothing."""
    if app.get(METRICS_ON):
        return
    app[METRICS_ON] = True
    app.add_routes([web.get("/metrics", metrics_endpoint)])


async def metrics_endpoint(request: web.Request) -> web.Response:
    await refresh_outbox_gauges(request.app[DATABASE])
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
