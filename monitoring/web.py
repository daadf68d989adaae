"""The violence-prevention office's dashboard at /dashboard: read-only, behind a login.

`setup_dashboard(app)` adds the routes (from the app keys of monitoring/appkeys.py).
Pages need a server-side session (a random token in
an HttpOnly, SameSite=Strict cookie; the database holds its hash); without one a page redirects to
the login form and a download answers 401. Forms carry CSRF tokens and cross-origin posts are
refused. Every figure shown or downloaded is a protected one (see aggregates.py); no free text and
no pseudonym is ever read here. Heavy work (statistics, drawing, password hashing) runs in a thread
so that webhooks sharing the event loop are still answered at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from monitoring import auth
from monitoring.aggregates import Statistics, Vocabulary, build_statistics, load_facts
from monitoring.appkeys import DATABASE, DEPLOYMENT, GEOJSON, SETTINGS, VAULT
from monitoring.charts import heatmap, trend_chart
from monitoring.export import to_csv, to_json
from monitoring.geomap import choropleth
from monitoring.periods import Period, last_days
from monitoring.view import dashboard_context
from routing.deployment import Deployment
from settings import Settings
from storage import accounts
from storage.crypto import Vault
from storage.db import Database

log = logging.getLogger("salama.dashboard")

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "salama_session"
LOGIN_COOKIE = "salama_login"
PERIOD_WEEKS = (4, 8, 12, 26, 52)
DEFAULT_WEEKS = 4
SESSION_MAX = timedelta(hours=12)  # even an active session logs in again after this
LOGIN_FAILURES_ALLOWED = 5
LOGIN_FAILURE_WINDOW = 15 * 60.0  # seconds
MAX_TRACKED_NAMES = 10_000
CACHE_SECONDS = 60.0
SECURITY_HEADERS = {
    # No script at all; styles from our own file; SVG is inline markup, not an image source.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Viewer:
    name: str
    token: str


class Dashboard:
    def __init__(
        self,
        settings: Settings,
        deployment: Deployment,
        db: Database,
        vault: Vault,
        geojson: dict[str, Any] | None,
        clock: Any = None,
    ) -> None:
        self.db = db
        self.vault = vault
        self.deployment = deployment
        self.settings = settings
        self.zone = ZoneInfo(self.deployment.timezone)
        self.vocabulary = Vocabulary.from_deployment(self.deployment)
        self.geojson = geojson or None
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.clock = clock or (lambda: datetime.now(UTC))
        self._cache: dict[int, tuple[float, Statistics]] = {}
        self._failures: dict[str, deque[float]] = {}

    # --- sessions ------------------------------------------------------------------------------------
    async def viewer(self, request: web.Request) -> Viewer | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 200:
            return None
        now = self.clock()
        async with self.db.sessions() as session, session.begin():
            found = await accounts.live_session(session, auth.token_hash(token), now)
            if found is None:
                return None
            row, user = found
            # Sliding idle timeout, capped: an open tab does not keep a session alive for ever.
            row.last_seen_at = now
            row.expires_at = min(
                now + timedelta(minutes=self.settings.dashboard_session_minutes), row.created_at + SESSION_MAX
            )
            return Viewer(user.name, token)

    def _throttled(self, name: str) -> bool:
        now = time.monotonic()
        failures = self._failures.setdefault(name.lower(), deque())
        while failures and now - failures[0] > LOGIN_FAILURE_WINDOW:
            failures.popleft()
        return len(failures) >= LOGIN_FAILURES_ALLOWED

    def _failed(self, name: str) -> None:
        if len(self._failures) > MAX_TRACKED_NAMES:  # made-up names must not grow memory without end
            cutoff = time.monotonic() - LOGIN_FAILURE_WINDOW
            self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > cutoff}
        self._failures.setdefault(name.lower(), deque()).append(time.monotonic())

    # --- statistics ----------------------------------------------------------------------------------
    def period(self, weeks: int) -> Period:
        return last_days(7 * weeks, self.zone, self.clock())

    async def statistics(self, weeks: int) -> Statistics:
        cached = self._cache.get(weeks)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS and cached[1].period == self.period(weeks):
            return cached[1]
        period = self.period(weeks)
        current = await load_facts(self.db, period)
        baseline = await load_facts(self.db, period.previous())
        statistics = await asyncio.to_thread(
            build_statistics,
            current=current,
            baseline=baseline,
            period=period,
            timezone_name=self.deployment.timezone,
            k=self.settings.stats_min_cell,
            vocabulary=self.vocabulary,
            deployment=self.deployment.name,
            generated_at=self.clock(),
        )
        self._cache[weeks] = (time.monotonic(), statistics)
        return statistics

    # --- rendering -----------------------------------------------------------------------------------
    def render(self, template: str, **context: Any) -> str:
        return self.templates.get_template(template).render(deployment=self.deployment.name, **context)

    def render_dashboard(self, statistics: Statistics, weeks: int, viewer: Viewer) -> str:
        context = dashboard_context(statistics, self.zone)
        trend = statistics.table("week")
        types_areas = statistics.table("type_area")
        hours = statistics.table("hour_of_week")
        areas = statistics.table("area")
        figures = {row: areas.cells[r][0] for r, row in enumerate(areas.rows)}
        charts = {
            "trend": Markup(
                trend_chart(
                    context["week_labels"],
                    [cells[0] for cells in trend.cells],
                    unit="reports",
                    title="Reports per week against the previous period",
                )
            ),
            "map": Markup(choropleth(self.geojson, figures, unit="reports", title="Reports by area")),
            "heatmap": Markup(
                heatmap(hours.rows, hours.columns, hours.cells, unit="reports", title="Reports by hour of the week")
            ),
        }
        return self.render(
            "dashboard.html",
            viewer=viewer,
            weeks=weeks,
            period_weeks=PERIOD_WEEKS,
            charts=charts,
            types_areas=types_areas,
            csrf=auth.csrf_for(self.vault, "session", viewer.token),
            **context,
        )


DASHBOARD = web.AppKey("dashboard", Dashboard)


def setup_dashboard(app: web.Application) -> None:
    """Add /dashboard and its login, logout, exports and stylesheet, from the app's keys (monitoring.appkeys).
    Calling it twice does nothing."""
    if DASHBOARD in app:
        return
    app[DASHBOARD] = Dashboard(app[SETTINGS], app[DEPLOYMENT], app[DATABASE], app[VAULT], app[GEOJSON])
    app.add_routes(
        [
            web.get("/dashboard", dashboard_page),
            web.get("/dashboard/login", login_page),
            web.post("/dashboard/login", login_submit),
            web.post("/dashboard/logout", logout),
            web.get("/dashboard/export.csv", export_csv),
            web.get("/dashboard/export.json", export_json),
            web.get("/dashboard/static/dashboard.css", stylesheet),
        ]
    )
    app.on_response_prepare.append(_security_headers)


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path == "/dashboard" or request.path.startswith("/dashboard/"):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)


def _weeks(request: web.Request) -> int:
    try:
        weeks = int(request.query.get("weeks", DEFAULT_WEEKS))
    except ValueError:
        return DEFAULT_WEEKS
    return weeks if weeks in PERIOD_WEEKS else DEFAULT_WEEKS


def _secure(request: web.Request, dashboard: Dashboard) -> bool:
    return request.secure or (dashboard.settings.public_base_url or "").startswith("https://")


def _same_origin(request: web.Request) -> bool:
    """Browsers send Origin on POST: one from another site is refused whatever the tokens say."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


# --- pages --------------------------------------------------------------------------------------------------
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    dashboard = request.app[DASHBOARD]
    viewer = await dashboard.viewer(request)
    if viewer is None:
        raise web.HTTPSeeOther("/dashboard/login")
    weeks = _weeks(request)
    statistics = await dashboard.statistics(weeks)
    page = await asyncio.to_thread(dashboard.render_dashboard, statistics, weeks, viewer)
    return _html(page)


async def _login_form(
    request: web.Request, message: str | None = None, status: int = 200, name: str = ""
) -> web.Response:
    dashboard = request.app[DASHBOARD]
    secret = auth.new_token()
    page = dashboard.render(
        "login.html", csrf=auth.csrf_for(dashboard.vault, "login", secret), message=message, name=name
    )
    response = _html(page, status)
    response.set_cookie(
        LOGIN_COOKIE,
        secret,
        httponly=True,
        samesite="Strict",
        path="/dashboard",
        secure=_secure(request, dashboard),
        max_age=3600,
    )
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    if await request.app[DASHBOARD].viewer(request) is not None:
        raise web.HTTPSeeOther("/dashboard")
    return await _login_form(request)


async def login_submit(request: web.Request) -> web.StreamResponse:
    dashboard = request.app[DASHBOARD]
    if not _same_origin(request):
        return web.Response(status=403, text="cross-origin request refused")
    form = await request.post()
    name = str(form.get("name", ""))[:80].strip()
    password = str(form.get("password", ""))
    if not auth.csrf_matches(dashboard.vault, "login", request.cookies.get(LOGIN_COOKIE), str(form.get("csrf", ""))):
        return await _login_form(request, "The form had expired. Please sign in again.", status=403, name=name)
    if dashboard._throttled(name):
        log.warning("dashboard login refused: too many failures for one account")
        return await _login_form(request, "Too many failed attempts. Wait 15 minutes and try again.", status=429)
    async with dashboard.db.sessions() as session:
        user = await accounts.user_by_name(session, name) if name else None
        stored = user.password_hash if user is not None and user.active else None
    if not await asyncio.to_thread(auth.verify_password, stored, password) or user is None:
        dashboard._failed(name)
        log.info("dashboard login failed")  # never the name tried: it may be a mistyped password
        return await _login_form(request, "Wrong name or password.", status=401, name=name)
    token = auth.new_token()
    now = dashboard.clock()
    async with dashboard.db.sessions() as session, session.begin():
        await accounts.close_expired_sessions(session, now)
        user = await accounts.user_by_name(session, name)
        assert user is not None
        if auth.needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(auth.hash_password, password)
        await accounts.open_session(
            session,
            user,
            auth.token_hash(token),
            now,
            now + timedelta(minutes=dashboard.settings.dashboard_session_minutes),
        )
    log.info("dashboard login: user %s", user.id)
    response = web.HTTPSeeOther("/dashboard")
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="Strict", path="/dashboard", secure=_secure(request, dashboard)
    )
    response.del_cookie(LOGIN_COOKIE, path="/dashboard")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    dashboard = request.app[DASHBOARD]
    viewer = await dashboard.viewer(request)
    if viewer is None:
        raise web.HTTPSeeOther("/dashboard/login")
    form = await request.post()
    if not _same_origin(request) or not auth.csrf_matches(
        dashboard.vault, "session", viewer.token, str(form.get("csrf", ""))
    ):
        return web.Response(status=403, text="missing or wrong form token")
    async with dashboard.db.sessions() as session, session.begin():
        await accounts.close_session(session, auth.token_hash(viewer.token))
    response = web.HTTPSeeOther("/dashboard/login")
    response.del_cookie(SESSION_COOKIE, path="/dashboard")
    raise response


# --- downloads ----------------------------------------------------------------------------------------------
async def _export(request: web.Request, fmt: str) -> web.StreamResponse:
    dashboard = request.app[DASHBOARD]
    if await dashboard.viewer(request) is None:
        return web.json_response({"error": "login required"}, status=401)
    statistics = await dashboard.statistics(_weeks(request))
    last_day = (statistics.period.end.astimezone(dashboard.zone) - timedelta(days=1)).date()
    first_day = statistics.period.start.astimezone(dashboard.zone).date()
    filename = f"salama-open-data-{first_day.isoformat()}-to-{last_day.isoformat()}.{fmt}"
    body = await asyncio.to_thread(to_csv if fmt == "csv" else to_json, statistics)
    return web.Response(
        text=body,
        content_type="text/csv" if fmt == "csv" else "application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def export_csv(request: web.Request) -> web.StreamResponse:
    return await _export(request, "csv")


async def export_json(request: web.Request) -> web.StreamResponse:
    return await _export(request, "json")


async def stylesheet(request: web.Request) -> web.StreamResponse:
    response = web.FileResponse(HERE / "static" / "dashboard.css")
    response.headers["Cache-Control"] = "max-age=3600"
    return response
