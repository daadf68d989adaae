"""The real server on loopback, wired to the fake providers: the demo and the tests both use it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from demo.fakes import FakeProviders
from demo.webhooks import post_telegram, post_twilio
from handlers.base import Channel
from nlp.triage import Classifier
from server import PROVIDERS, Services, build_services, create_app
from settings import Settings, load_settings

TWILIO_FROM = "+15555550000"


def demo_settings(
    database_url: str, fakes: FakeProviders, deployment_config: Path | None = None, secret_key: str | None = None
) -> Settings:
    """Settings with throwaway credentials: nothing real, nothing reused between runs."""
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # replaced by the bound address in start_harness
        "TELEGRAM_BOT_TOKEN": f"{secrets.randbelow(10**9) + 10**8}:{secrets.token_urlsafe(27)}",
        "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(24),
        "TELEGRAM_API_BASE_URL": fakes.telegram_base_url,
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE_URL": fakes.twilio_base_url,
        "SALAMA_SECRET_KEY": secret_key or secrets.token_urlsafe(48),
    }
    if deployment_config is not None:
        values["DEPLOYMENT_CONFIG"] = str(deployment_config)
    return load_settings(**values)


@dataclass
class Harness:
    fakes: FakeProviders
    services: Services
    runner: web.AppRunner
    url: str
    http: aiohttp.ClientSession

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def sms(self, sender: str, body: str, **form: str) -> aiohttp.ClientResponse:
        from demo.webhooks import twilio_form

        data = twilio_form(sender, body, **form)
        return await post_twilio(self.http, self.url, self.url, self.settings.twilio_auth_token or "", data)

    async def telegram(self, update: dict | str) -> aiohttp.ClientResponse:
        return await post_telegram(self.http, self.url, self.settings.telegram_webhook_secret or "", update)

    async def stop(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.fakes.stop()


async def start_harness(
    database_url: str,
    *,
    run_worker: bool = True,
    run_timers: bool = True,
    classifier: Classifier | None = None,
    deployment_config: Path | None = None,
    secret_key: str | None = None,
    providers: tuple[type[Channel], ...] = PROVIDERS,
) -> Harness:
    fakes = FakeProviders()
    await fakes.start()
    settings = demo_settings(database_url, fakes, deployment_config, secret_key)
    services = build_services(settings, classifier, providers=providers)
    runner = web.AppRunner(create_app(services, run_worker=run_worker, run_timers=run_timers), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    services.settings.public_base_url = url  # Twilio signs the public URL: here, the loopback one
    return Harness(fakes=fakes, services=services, runner=runner, url=url, http=aiohttp.ClientSession())
