"""The web channel (handlers/web) through the real server, on SQLite and PostgreSQL: the form runs the
reporter's dialogue, alerts reach responders, and the private status page shows what they sent back."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

import locales
from demo.harness import Harness
from demo.webhooks import telegram_message_update
from handlers.web import WebChannel
from handlers.web.guard import Window
from locales import catalog
from storage.models import InboundMessage, Report, WebMessage

FIXTURES = Path(__file__).resolve().parents[2] / "handlers" / "web" / "fixtures"
CRISIS_TELEGRAM = "700000101"  # crisis_responders member on Telegram in config/demo-city.yaml
REFERENCE = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")
STATUS_LINK = re.compile(r'id="status-link" href="([^"]+)"')


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def texts(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


class Browser:
    """A plain HTTP client that keeps cookies (for 127.0.0.1 too) and posts the form as a browser would."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.page = ""

    async def open(self, path: str = "/report") -> aiohttp.ClientResponse:
        async with self.http.get(self.harness.url + path) as response:
            self.page = await response.text()
            return response

    async def post(self, data: str | dict[str, str], headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        async with self.http.post(self.harness.url + "/report", data=data, headers=headers) as response:
            self.page = await response.text()
            return response

    def filled(self, text: str) -> dict[str, str]:
        """The fields of the form on the current page, with `text` written in."""
        names = ("csrf", "nonce", "lang")
        return {name: hidden(self.page, name) for name in names} | {"text": text}

    async def send(self, text: str) -> aiohttp.ClientResponse:
        """Fill the form on the current page (opening /report first if needed) and send it."""
        if 'name="csrf"' not in self.page:
            await self.open()
        return await self.post(self.filled(text), {"Origin": self.harness.url})

    def status_link(self) -> str:
        found = STATUS_LINK.search(self.page)
        assert found, texts(self.page)
        return html.unescape(found.group(1))

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
async def browser(harness: Harness) -> AsyncIterator[Browser]:
    client = Browser(harness)
    yield client
    await client.close()


async def count(harness: Harness, model: type) -> int:
    async with harness.services.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def web_channel(harness: Harness) -> WebChannel:
    channel = harness.services.channels["web"]
    assert isinstance(channel, WebChannel)
    return channel


async def wait_for_status(http: aiohttp.ClientSession, url: str, wanted: str, timeout: float = 15.0) -> str:
    """Poll the status page until the delivery worker has handed `wanted` to the channel."""
    async with asyncio.timeout(timeout):
        while True:
            async with http.get(url) as response:
                page = await response.text()
            if response.status == 200 and wanted in texts(page):
                return page
            await asyncio.sleep(0.2)


async def test_form_to_alert_to_ack_to_status_page(harness: Harness, browser: Browser) -> None:
    response = await browser.open()
    assert response.status == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in browser.page and "http://" not in browser.page.split("<body", 1)[1].replace(
        harness.url, ""
    )  # no script, nothing from elsewhere

    response = await browser.send("Two men are punching a guy at Hillside right now")
    assert response.status == 200, texts(browser.page)
    reference = REFERENCE.search(texts(browser.page))
    assert reference, texts(browser.page)
    ref = reference.group(0)
    status_url = browser.status_link()
    token = status_url.split("/report/status/", 1)[1].split("?")[0]
    assert len(token) == 32  # secrets.token_urlsafe(24)

    await harness.fakes.wait_for(lambda sent: any(m.to == CRISIS_TELEGRAM and ref in m.text for m in sent))
    assert (await harness.telegram(telegram_message_update(9100, int(CRISIS_TELEGRAM), f"ACK {ref}"))).status == 200

    working = locales.translate("en", catalog.ACKNOWLEDGED_TO_REPORTER, ref=ref)
    page = await wait_for_status(browser.http, status_url, working)
    async with browser.http.get(status_url) as response:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        policy = response.headers["Content-Security-Policy"]
        for part in ("default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"):
            assert part in policy
    shown = texts(page)
    assert ref in shown and working in shown
    assert locales.translate("en", catalog.WEB_STATUS_TITLE) in shown
    # the replies shown after the post are on the status page too, before the responder's news
    assert shown.index(ref) < shown.index(working)

    # at rest: a pseudonym and ciphertext only
    async with harness.services.db.sessions() as session:
        rows = (await session.scalars(select(WebMessage))).all()
    assert rows and all(token not in row.address_key for row in rows)
    assert all(b"working" not in row.body_enc for row in rows)


async def test_the_dialogue_runs_over_several_posts(harness: Harness, browser: Browser) -> None:
    await browser.send("Someone stole my phone yesterday evening")
    shown = texts(browser.page)
    assert locales.translate("en", catalog.ASK_WHERE) in shown, shown
    assert not REFERENCE.search(shown)
    await browser.send("At the Central Market")
    shown = texts(browser.page)
    assert REFERENCE.search(shown), shown
    async with harness.services.db.sessions() as session:
        reports = (await session.scalars(select(Report))).all()
    assert len(reports) == 1 and reports[0].channel == "web" and reports[0].area == "Central Market"
    async with browser.http.get(browser.status_link()) as response:
        status = texts(await response.text())
    assert locales.translate("en", catalog.ASK_WHERE) in status and reports[0].reference in status


async def test_the_same_form_sent_twice_is_one_message(harness: Harness, browser: Browser) -> None:
    await browser.open()
    form = browser.filled("Someone stole my phone at the Bus Station yesterday")
    for _ in range(2):
        assert (await browser.post(form, {"Origin": harness.url})).status == 200
    assert await count(harness, InboundMessage) == 1
    assert await count(harness, Report) == 1


@pytest.mark.parametrize("case", ["no token", "wrong token", "other origin", "null origin", "cross-site fetch"])
async def test_forged_posts_are_refused(harness: Harness, browser: Browser, case: str) -> None:
    await browser.open()
    form = browser.filled("Two men are punching a guy at Hillside right now")
    headers = {"Origin": harness.url}
    if case == "no token":
        del form["csrf"]
    elif case == "wrong token":
        form["csrf"] = "0" * 64
    elif case == "other origin":
        headers = {"Origin": "http://evil.example"}
    elif case == "null origin":
        headers = {"Origin": "null"}
    else:
        headers = {"Sec-Fetch-Site": "cross-site"}
    response = await browser.post(form, headers)
    assert response.status == 403
    assert await count(harness, InboundMessage) == 0
    assert await count(harness, Report) == 0
    assert await count(harness, WebMessage) == 0
    assert "salama_web_reporter" not in {cookie.key for cookie in browser.http.cookie_jar}


async def test_a_token_from_another_browser_is_refused(harness: Harness, browser: Browser) -> None:
    other = Browser(harness)
    try:
        await other.open()
        await browser.open()
        form = {"csrf": hidden(other.page, "csrf"), "nonce": "Zm9ybS1ub25jZS0wMDA5", "lang": "en", "text": "hi there"}
        assert (await browser.post(form, {"Origin": harness.url})).status == 403
    finally:
        await other.close()
    assert await count(harness, InboundMessage) == 0


async def test_posts_are_rate_limited(harness: Harness, browser: Browser) -> None:
    limits = web_channel(harness).limits
    limits.per_client.windows = (Window(3, 60.0),)
    for _ in range(3):
        assert (await browser.send("There is no light on the path behind the school")).status == 200
    response = await browser.send("There is no light on the path behind the school")
    assert response.status == 429
    assert response.headers["Retry-After"] == "60"
    assert locales.translate("en", catalog.WEB_TOO_MANY) in texts(browser.page)
    assert "<form" not in browser.page
    assert await count(harness, InboundMessage) == 3


async def test_everyone_together_is_rate_limited(harness: Harness, browser: Browser) -> None:
    web_channel(harness).limits.everyone.windows = (Window(1, 60.0),)
    assert (await browser.send("There is no light on the path behind the school")).status == 200
    assert (await browser.send("There is no light on the path behind the school")).status == 429


@pytest.mark.parametrize("token", ["A" * 32, "abc", "R-7K3F", "x" * 200, "..%2F..%2Fetc"])
async def test_an_unknown_status_token_is_a_404_that_says_nothing(
    harness: Harness, browser: Browser, token: str
) -> None:
    await browser.send("Two men are punching a guy at Hillside right now")  # a real reporter exists
    pages = []
    for candidate in (token, "B" * 32):
        async with browser.http.get(f"{harness.url}/report/status/{candidate}") as response:
            assert response.status == 404
            assert response.headers["Cache-Control"] == "no-store"
            pages.append(await response.text())
    assert pages[0] == pages[1]  # the same page for any unknown token
    assert not REFERENCE.search(pages[0]) and token not in pages[0]
    assert locales.translate("en", catalog.WEB_NOT_FOUND) in texts(pages[0])


async def test_the_language_switch_renders_arabic_right_to_left(harness: Harness, browser: Browser) -> None:
    await browser.open("/report")
    assert 'href="/report?lang=ar"' in browser.page
    assert 'dir="ltr"' in browser.page.split("<head", 1)[0]
    await browser.open("/report?lang=ar")
    assert '<html lang="ar" dir="rtl">' in browser.page
    assert locales.translate("ar", catalog.WEB_TITLE) in texts(browser.page)
    assert hidden(browser.page, "lang") == "ar"
    await browser.send("رجل يلاحقني في السوق المركزي")
    assert '<html lang="ar" dir="rtl">' in browser.page
    async with harness.services.db.sessions() as session:
        report = (await session.scalars(select(Report))).first()
    assert report is None or report.language == "ar"
    for lang in locales.SUPPORTED_LANGUAGES:
        await browser.open(f"/report?lang={lang}")
        assert f'<html lang="{lang}"' in browser.page
        assert locales.translate(lang, catalog.WEB_SEND) in browser.page


async def test_the_stylesheet_is_served_by_the_app(harness: Harness, browser: Browser) -> None:
    async with browser.http.get(harness.url + "/report/static/web.css") as response:
        assert response.status == 200
        assert response.content_type == "text/css"
        assert "body" in await response.text()


async def test_delete_erases_the_status_page(harness: Harness, browser: Browser) -> None:
    await browser.send("Two men are punching a guy at Hillside right now")
    status_url = browser.status_link()
    assert await count(harness, WebMessage) > 0
    await browser.send("DELETE")
    assert locales.translate("en", catalog.DELETED) in texts(browser.page)
    assert await count(harness, WebMessage) == 0
    async with browser.http.get(status_url) as response:
        assert response.status == 404


# --- raw form posts (handlers/web/fixtures), table-driven through the real route -------------------------

FORM_CASES = [
    # fixture, status, a report is made
    ("report_text", 200, True),
    ("report_arabic", 200, True),
    ("field_twice", 400, False),
    ("not_utf8", 400, False),
]


@pytest.mark.parametrize("fixture, status, reported", FORM_CASES)
async def test_raw_form_posts(harness: Harness, browser: Browser, fixture: str, status: int, reported: bool) -> None:
    await browser.open()
    raw = (FIXTURES / f"{fixture}.txt").read_text().strip().replace("{csrf}", hidden(browser.page, "csrf"))
    response = await browser.post(raw, {"Origin": harness.url})
    assert response.status == status, texts(browser.page)
    assert (await count(harness, Report) == 1) is reported


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("text=" + "a" * 2001, "application/x-www-form-urlencoded", 413),
        ("text=" + "a" * 40_000, "application/x-www-form-urlencoded", 413),
        ('{"text": "hello"}', "application/json", 400),
    ],
)
async def test_oversized_or_foreign_bodies_are_refused(
    harness: Harness, browser: Browser, body: str, content_type: str, status: int
) -> None:
    await browser.open()
    data = body.replace("text=", f"csrf={hidden(browser.page, 'csrf')}&text=", 1)
    response = await browser.post(data, {"Origin": harness.url, "Content-Type": content_type})
    assert response.status == status
    assert await count(harness, InboundMessage) == 0
