"""The real server with the dashboard and /metrics, synthetic history and one dashboard account."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from demo.fakes import FakeProviders
from demo.harness import demo_settings
from demo.history import fill_history
from monitoring.auth import hash_password
from monitoring.metrics import setup_metrics
from monitoring.web import setup_dashboard
from server import Services, build_services, create_app
from storage import accounts

USER = "office"
PASSWORD = "correct horse battery staple"
HISTORY_DAYS = 35  # enough for a 4-week period and part of its baseline
FULL_HISTORY_DAYS = 112  # two full 8-week periods: the dashboard as the office would see it
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Monitoring:
    url: str
    services: Services
    app: web.Application
    http: aiohttp.ClientSession
    reports: int

    async def login_form_token(self) -> str:
        response = await self.http.get(self.url + "/dashboard/login")
        match = CSRF.search(await response.text())
        assert match, "login form without a CSRF token"
        return match.group(1)

    async def login(self, name: str = USER, password: str = PASSWORD) -> aiohttp.ClientResponse:
        token = await self.login_form_token()
        return await self.http.post(
            self.url + "/dashboard/login",
            data={"name": name, "password": password, "csrf": token},
            allow_redirects=False,
        )


async def start_monitoring(
    database_url: str, history_days: int = HISTORY_DAYS
) -> tuple[Monitoring, web.AppRunner, FakeProviders]:
    fakes = FakeProviders()
    await fakes.start()
    services = build_services(demo_settings(database_url, fakes))
    app = create_app(services, run_worker=False)
    setup_dashboard(app)  # already there: calling again changes nothing
    setup_metrics(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    reports = await fill_history(services.db, services.vault, services.deployment, history_days, now=datetime.now(UTC))
    async with services.db.sessions() as session, session.begin():
        await accounts.add_user(session, USER, hash_password(PASSWORD))
    # An IP-address host needs the "unsafe" jar to keep cookies, like a browser on localhost does.
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    return Monitoring(f"http://{host}:{port}", services, app, http, reports), runner, fakes


async def _running(url: str, days: int) -> AsyncIterator[Monitoring]:
    running, runner, fakes = await start_monitoring(url, days)
    try:
        yield running
    finally:
        await running.http.close()
        await runner.cleanup()
        await fakes.stop()


@pytest.fixture
async def monitoring(sqlite_url: str) -> AsyncIterator[Monitoring]:
    async for running in _running(sqlite_url, HISTORY_DAYS):
        yield running


@pytest.fixture
async def monitoring_full(sqlite_url: str) -> AsyncIterator[Monitoring]:
    async for running in _running(sqlite_url, FULL_HISTORY_DAYS):
        yield running
