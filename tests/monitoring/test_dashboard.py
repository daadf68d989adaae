"""The dashboard: login, sessions, CSRF, the page's panels, and the protected open-data downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from monitoring.web import DASHBOARD, SESSION_COOKIE
from storage.models import Report, Reporter
from tests.monitoring.conftest import PASSWORD, USER, Monitoring

PAGES = ("/dashboard", "/dashboard?weeks=12")
DOWNLOADS = ("/dashboard/export.csv", "/dashboard/export.json")


async def assert_locked_out(monitoring: Monitoring) -> None:
    for page in PAGES:
        response = await monitoring.http.get(monitoring.url + page, allow_redirects=False)
        assert response.status == 303, page
        assert response.headers["Location"] == "/dashboard/login"
    for download in DOWNLOADS:
        response = await monitoring.http.get(monitoring.url + download, allow_redirects=False)
        assert response.status == 401, download
        assert "value" not in await response.text()


async def test_nobody_gets_in_without_logging_in(monitoring: Monitoring) -> None:
    await assert_locked_out(monitoring)
    monitoring.http.cookie_jar.update_cookies({SESSION_COOKIE: "made-up-token"})
    await assert_locked_out(monitoring)


async def test_wrong_password_and_unknown_user_fail(monitoring: Monitoring) -> None:
    for name, password in ((USER, "not the password at all"), ("nobody", PASSWORD), (USER, "")):
        response = await monitoring.login(name, password)
        assert response.status == 401
        assert "Wrong name or password" in await response.text()
        assert SESSION_COOKIE not in response.cookies
    await assert_locked_out(monitoring)


async def test_login_needs_the_form_token(monitoring: Monitoring) -> None:
    url = monitoring.url + "/dashboard/login"
    await monitoring.login_form_token()  # the browser holds the login cookie
    missing = await monitoring.http.post(url, data={"name": USER, "password": PASSWORD}, allow_redirects=False)
    assert missing.status == 403
    wrong = await monitoring.http.post(
        url, data={"name": USER, "password": PASSWORD, "csrf": "f" * 64}, allow_redirects=False
    )
    assert wrong.status == 403
    # A valid token from another browser does not help: it is bound to this browser's login cookie.
    other = await monitoring.login_form_token()
    monitoring.http.cookie_jar.clear()
    stolen = await monitoring.http.post(
        url, data={"name": USER, "password": PASSWORD, "csrf": other}, allow_redirects=False
    )
    assert stolen.status == 403
    # A cross-site form post is refused even with a good token.
    token = await monitoring.login_form_token()
    cross = await monitoring.http.post(
        url,
        data={"name": USER, "password": PASSWORD, "csrf": token},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert cross.status == 403
    await assert_locked_out(monitoring)


async def test_repeated_failures_are_throttled(monitoring: Monitoring) -> None:
    for _ in range(5):
        assert (await monitoring.login(USER, "wrong password, again")).status == 401
    assert (await monitoring.login(USER, PASSWORD)).status == 429


async def test_logged_in_office_sees_every_panel(monitoring: Monitoring) -> None:
    response = await monitoring.login()
    assert response.status == 303 and response.headers["Location"] == "/dashboard"
    cookie = next(
        value
        for name, value in response.raw_headers
        if name.lower() == b"set-cookie" and value.startswith(SESSION_COOKIE.encode())
    ).decode()
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie

    page = await monitoring.http.get(monitoring.url + "/dashboard")
    assert page.status == 200
    html = await page.text()
    for marker in (
        'id="trend-chart"',
        'id="hotspot-map"',
        'id="heatmap"',
        "Type of incident by area",
        "Response",
        "/dashboard/export.csv",
        "/dashboard/export.json",
        USER,
    ):
        assert marker in html, marker
    assert html.count('class="area"') == 7  # every area of config/demo-city.geojson is drawn
    assert html.count('class="heat-cell"') == 7 * 24
    assert "script" not in html.lower()
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    css = await monitoring.http.get(monitoring.url + "/dashboard/static/dashboard.css")
    assert css.status == 200

    longer = await monitoring.http.get(monitoring.url + "/dashboard?weeks=8")
    assert "Last 8 weeks" in await longer.text()


async def personal_data(monitoring: Monitoring) -> set[str]:
    """References, pseudonyms and encrypted-at-rest words of the synthetic history."""
    vault = monitoring.services.vault
    async with monitoring.services.db.sessions() as session:
        reports = (await session.scalars(select(Report))).all()
        pseudonyms = (await session.scalars(select(Reporter.pseudonym))).all()
    needles = {r.reference for r in reports} | set(pseudonyms)
    needles |= {vault.decrypt(r.text_enc) for r in reports if r.text_enc}
    return needles


async def test_downloads_are_protected_open_data(monitoring: Monitoring) -> None:
    await monitoring.login()
    k = monitoring.app[DASHBOARD].settings.stats_min_cell
    csv_response = await monitoring.http.get(monitoring.url + "/dashboard/export.csv")
    assert csv_response.status == 200
    assert csv_response.content_type == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    body = await csv_response.text()
    rows = list(csv.DictReader(io.StringIO(body)))
    counts = [r for r in rows if r["table"] != "response"]
    assert len(counts) > 500
    for row in counts:
        for key in ("value", "baseline"):
            if row[key] != "":
                assert float(row[key]) == 0 or float(row[key]) >= k, row
    assert any(r["value"] == "" for r in counts), "a realistic history has small cells to hide"

    json_response = await monitoring.http.get(monitoring.url + "/dashboard/export.json")
    document = json.loads(await json_response.text())
    assert document["min_cell"] == k
    for record in document["records"]:
        if record["table"] != "response":
            for key in ("value", "baseline"):
                assert record[key] is None or record[key] == 0 or record[key] >= k
    # the same figures in both formats
    assert len(document["records"]) == len(rows)
    everything = (
        body
        + json.dumps(document, ensure_ascii=False)
        + await (await monitoring.http.get(monitoring.url + "/dashboard")).text()
    )
    for needle in await personal_data(monitoring):
        assert needle not in everything


async def test_session_expires_when_idle(monitoring: Monitoring) -> None:
    await monitoring.login()
    assert (await monitoring.http.get(monitoring.url + "/dashboard", allow_redirects=False)).status == 200
    dashboard = monitoring.app[DASHBOARD]
    real_clock = dashboard.clock
    idle = timedelta(minutes=dashboard.settings.dashboard_session_minutes, seconds=1)
    dashboard.clock = lambda: real_clock() + idle
    try:
        await assert_locked_out(monitoring)
    finally:
        dashboard.clock = real_clock
    await assert_locked_out(monitoring)  # the expired session is gone, not just skipped


async def test_logout_needs_the_token_and_ends_the_session(monitoring: Monitoring) -> None:
    await monitoring.login()
    html = await (await monitoring.http.get(monitoring.url + "/dashboard")).text()
    token = html.split('name="csrf" value="')[1].split('"')[0]
    refused = await monitoring.http.post(monitoring.url + "/dashboard/logout", data={}, allow_redirects=False)
    assert refused.status == 403
    assert (await monitoring.http.get(monitoring.url + "/dashboard", allow_redirects=False)).status == 200
    done = await monitoring.http.post(monitoring.url + "/dashboard/logout", data={"csrf": token}, allow_redirects=False)
    assert done.status == 303
    await assert_locked_out(monitoring)
