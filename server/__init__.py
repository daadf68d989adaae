"""The aiohttp application factory: wires settings, storage, triage, channels and the delivery worker.

Long-lived resources are opened and closed with `cleanup_ctx`, in order: database, channels, worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from handlers.base import Channel
from handlers.conversation import Dialogue
from handlers.intake import Intake
from handlers.responders import ResponderDesk
from handlers.sms import TwilioChannel
from handlers.telegram import TelegramChannel
from handlers.web import WebChannel
from monitoring.appkeys import DATABASE, DEPLOYMENT, GEOJSON, SETTINGS, VAULT
from monitoring.metrics import setup_metrics
from monitoring.retention import retention_context
from monitoring.web import setup_dashboard
from nlp.triage import Classifier, Triage
from routing.channels import register_capabilities
from routing.delivery import DeliveryWorker
from routing.deployment import Deployment, load_deployment, load_geojson, responder_specs
from routing.incidents import Incidents
from settings import ConfigError, Settings
from storage.crypto import Vault
from storage.db import Database, upgrade_database_async
from storage.repository import Store

log = logging.getLogger("salama.server")

SWEEP_SECONDS = 30.0

# The providers, one line each (a new channel is its folder under handlers/ and one line here).
PROVIDERS: tuple[type[Channel], ...] = (
    TwilioChannel,  # handlers/sms: SMS and WhatsApp
    TelegramChannel,  # handlers/telegram
    WebChannel,  # handlers/web
)


def register_providers(providers: tuple[type[Channel], ...] = PROVIDERS) -> None:
    """Tell routing what each channel can do (buttons, lengths...): it asks, never compares names."""
    for provider in providers:
        for name, capabilities in provider.capabilities.items():
            register_capabilities(name, capabilities)


register_providers()


@dataclass
class Services:
    settings: Settings
    deployment: Deployment
    vault: Vault
    db: Database
    triage: Triage
    intake: Intake
    geojson: dict | None = None
    channels: dict[str, Channel] = field(default_factory=dict)  # by the channel names they serve
    worker: DeliveryWorker | None = None


def build_services(
    settings: Settings,
    classifier: Classifier | None = None,
    providers: tuple[type[Channel], ...] = PROVIDERS,
) -> Services:
    """Everything that does not need the event loop; raises ConfigError for a bad setting or config."""
    if not settings.secret_key:
        raise ConfigError("SALAMA_SECRET_KEY: required (32+ random characters; see .env.example)")
    deployment = load_deployment(Path(settings.deployment_config))
    geojson = load_geojson(deployment, Path(settings.deployment_config))
    vault = Vault(settings.secret_key)
    db = Database(settings.database_url)
    triage = Triage.from_deployment(deployment, geojson, classifier)
    worker_ref: list[DeliveryWorker] = []
    incidents = Incidents(deployment)
    intake = Intake(
        db,
        vault,
        Dialogue(deployment, triage, incidents),
        ResponderDesk(incidents),
        on_commit=lambda: worker_ref[0].wake() if worker_ref else None,
    )
    services = Services(
        settings=settings, deployment=deployment, vault=vault, db=db, triage=triage, intake=intake, geojson=geojson
    )
    register_providers(providers)
    for provider in providers:
        if provider.enabled(settings):
            channel = provider(settings, intake)
            for served in provider.serves():
                services.channels[served] = channel
    services.worker = DeliveryWorker(db, vault, services.channels, on_alert_failed=incidents.expedite_if_unreached)
    worker_ref.append(services.worker)
    return services


async def prepare_database(services: Services) -> None:
    if services.db.is_sqlite:
        await upgrade_database_async(services.db.url)
    async with services.db.sessions() as session, session.begin():
        await Store(session, services.vault).sync_responders(responder_specs(services.deployment))


def create_app(services: Services, run_worker: bool = True, run_timers: bool = True) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    app[SETTINGS], app[DEPLOYMENT], app[DATABASE], app[VAULT] = (
        services.settings,
        services.deployment,
        services.db,
        services.vault,
    )
    app[GEOJSON] = services.geojson or {}

    async def database(app: web.Application) -> AsyncIterator[None]:
        await prepare_database(services)
        yield
        await services.db.dispose()

    async def channels(app: web.Application) -> AsyncIterator[None]:
        started = list(dict.fromkeys(services.channels.values()))
        for channel in started:
            await channel.start()
        yield
        for channel in started:
            await channel.stop()

    async def background(app: web.Application) -> AsyncIterator[None]:
        tasks = []
        if run_worker and services.worker is not None:
            tasks.append(asyncio.create_task(services.worker.run(), name="delivery-worker"))
        if run_timers:  # tests that drive escalations and digests with their own clock turn them off
            tasks.append(asyncio.create_task(_timers(services.intake), name="timers"))
        yield
        if services.worker is not None:
            services.worker.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.cleanup_ctx.extend([database, channels, background])
    for channel in dict.fromkeys(services.channels.values()):
        app.add_routes(channel.routes())
    app.add_routes([web.get("/healthz", _health)])
    setup_dashboard(app)
    setup_metrics(app)
    app.cleanup_ctx.append(retention_context(services.db, services.settings.retention_days))
    return app


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _timers(intake: Intake) -> None:
    """Escalations every second (they are due on the minute); idle conversations and digests every 30 s.

    Each job is isolated from the others; a failure is one log line (the type only: no traceback that
    could carry a reporter's words), and the job runs again next time.
    """
    ticks = 0
    while True:
        jobs: list[Callable[[], Awaitable[int]]] = [intake.run_escalations]
        if ticks % int(SWEEP_SECONDS) == 0:
            jobs += [intake.expire_idle_conversations, intake.send_digests]
        for job in jobs:
            try:
                await job()
            except Exception as exc:  # noqa: BLE001 - a timer must never die
                log.warning("timer job %s failed (%s); trying again", job.__name__, type(exc).__name__)
        ticks += 1
        await asyncio.sleep(1.0)
