"""The dashboard in a real browser: headless Chromium signs in and draws the page; docs/dashboard.png is the proof.

Chromium is Debian's package, driven through its DevTools protocol over aiohttp's websocket client
(no selenium, no browser download). If it is missing, the set-up installs it with
`.ci/install-chromium` (apt-get) when running as root, and otherwise skips with the reason.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.monitoring.conftest import PASSWORD, USER, Monitoring

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshot is refreshed only on request (SALAMA_UPDATE_SCREENSHOT=1), so a test run
# leaves the work tree as it found it.
README_SCREENSHOT = ROOT / "docs" / "dashboard.png"
INSTALLER = ROOT / ".ci" / "install-chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--force-color-profile=srgb",
    "--remote-debugging-port=0",
)
WIDTH = 1280


def chromium_binary() -> str:
    found = shutil.which("chromium") or (Path("/usr/bin/chromium").exists() and "/usr/bin/chromium")
    if found:
        return str(found)
    if os.geteuid() != 0:
        pytest.skip(
            "Chromium is not installed (/usr/bin/chromium) and installing it needs root: "
            "run `sudo .ci/install-chromium`"
        )
    run = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True, timeout=1200)
    found = shutil.which("chromium")
    if run.returncode != 0 or not found:
        pytest.skip(f"could not install Chromium with apt-get: {(run.stderr or run.stdout)[-300:]}")
    return found


class DevTools:
    """Just enough of the Chrome DevTools protocol: send a command, wait for an event."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                await self.events.put(data)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        await self.socket.send_json({"id": number, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout=30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if event["method"] == method:
                    return event

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    async def navigate(self, url: str) -> None:
        while not self.events.empty():
            self.events.get_nowait()
        await self.send("Page.navigate", url=url)
        await self.wait_for("Page.loadEventFired")

    async def close(self) -> None:
        self.reader.cancel()
        await self.socket.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[DevTools]:
    binary = chromium_binary()
    profile = tmp_path / "chromium-profile"
    process = await asyncio.create_subprocess_exec(
        binary,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},900",
        "about:blank",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    http = aiohttp.ClientSession()
    tools: DevTools | None = None
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and len(port_file.read_text().splitlines()) >= 2:
                break
            if process.returncode is not None:
                pytest.fail(f"Chromium exited at start with code {process.returncode}")
            await asyncio.sleep(0.1)
        else:
            pytest.fail("Chromium did not open its DevTools port within 30 s")
        port = int(port_file.read_text().splitlines()[0])
        targets = await (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        tools = DevTools(await http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=64 * 1024 * 1024))
        await tools.send("Page.enable")
        await tools.send("Page.setBypassCSP", enabled=True)  # the page allows no script; the test needs to run some
        yield tools
    finally:
        if tools is not None:
            await tools.close()
        await http.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_dashboard_draws_in_chromium(monitoring_full: Monitoring, browser: DevTools, tmp_path: Path) -> None:
    monitoring = monitoring_full
    await browser.navigate(monitoring.url + "/dashboard")
    assert await browser.evaluate("location.pathname") == "/dashboard/login"  # sent to sign in first

    await browser.evaluate(f"""
        document.querySelector('#name').value = {json.dumps(USER)};
        document.querySelector('#password').value = {json.dumps(PASSWORD)};
    """)
    while not browser.events.empty():
        browser.events.get_nowait()
    await browser.evaluate("document.querySelector('form').requestSubmit()")
    await browser.wait_for("Page.loadEventFired")
    assert await browser.evaluate("location.pathname") == "/dashboard", await browser.evaluate(
        "document.body.innerText"
    )
    await browser.navigate(monitoring.url + "/dashboard?weeks=8")  # 8 weeks: fewer cells small enough to hide
    assert await browser.evaluate("document.querySelector('#weeks').value") == "8"

    drawn = await browser.evaluate("""({
        trendLines: document.querySelectorAll('svg#trend-chart polyline').length,
        trendPoints: document.querySelectorAll('svg#trend-chart circle').length,
        mapAreas: document.querySelectorAll('svg#hotspot-map path.area').length,
        heatCells: document.querySelectorAll('svg#heatmap g.heat-cell rect').length,
        mapWidth: document.querySelector('svg#hotspot-map').getBoundingClientRect().width,
        heatWidth: document.querySelector('svg#heatmap').getBoundingClientRect().width,
        downloads: [...document.querySelectorAll('a.button')].map(a => a.getAttribute('href')),
    })""")
    assert drawn["trendLines"] >= 2 and drawn["trendPoints"] >= 4, drawn
    assert drawn["mapAreas"] == 7, drawn
    assert drawn["heatCells"] == 7 * 24, drawn
    assert drawn["mapWidth"] > 300 and drawn["heatWidth"] > 500, drawn  # laid out, not collapsed
    assert any(h.startswith("/dashboard/export.csv") for h in drawn["downloads"])

    metrics = await browser.send("Page.getLayoutMetrics")
    height = int(metrics["cssContentSize"]["height"]) + 1
    await browser.send(
        "Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1, mobile=False
    )
    shot = await browser.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    screenshot = README_SCREENSHOT if os.environ.get("SALAMA_UPDATE_SCREENSHOT") else tmp_path / "dashboard.png"
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    assert screenshot.stat().st_size > 50_000
