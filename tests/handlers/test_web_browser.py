"""The web channel in a real browser with JavaScript off: headless Chromium (Debian's) fills the report
form and sends it, a responder takes the report on Telegram, and the private status page shows it.

The browser is driven through its DevTools protocol (tests/monitoring/test_dashboard_browser.py: the same
flags, skipped with the reason when Chromium is missing) with script execution disabled, so everything
goes through the DOM and Input domains, as a person's keyboard and mouse would: no Runtime.evaluate.
"""

from __future__ import annotations

import asyncio
import html
import re
from typing import Any

import locales
from demo.harness import Harness
from demo.webhooks import telegram_message_update
from locales import catalog
from tests.monitoring.test_dashboard_browser import DevTools, browser  # noqa: F401 - the fixture

CRISIS_TELEGRAM = "700000101"  # crisis_responders member on Telegram in config/demo-city.yaml
REFERENCE = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")
STATUS_LINK = re.compile(r'id="status-link" href="([^"]+)"')


async def page_html(tools: DevTools) -> str:
    root = (await tools.send("DOM.getDocument", depth=0))["root"]["nodeId"]
    return str((await tools.send("DOM.getOuterHTML", nodeId=root))["outerHTML"])


async def node(tools: DevTools, selector: str) -> int:
    root = (await tools.send("DOM.getDocument", depth=0))["root"]["nodeId"]
    found = int((await tools.send("DOM.querySelector", nodeId=root, selector=selector))["nodeId"])
    assert found, f"no {selector} on the page"
    return found


async def type_into(tools: DevTools, selector: str, text: str) -> None:
    await tools.send("DOM.focus", nodeId=await node(tools, selector))
    await tools.send("Input.insertText", text=text)


async def click(tools: DevTools, selector: str) -> None:
    """A left click in the middle of the element; returns once the page it leads to has loaded."""
    target = await node(tools, selector)
    await tools.send("DOM.scrollIntoViewIfNeeded", nodeId=target)
    quad = (await tools.send("DOM.getBoxModel", nodeId=target))["model"]["content"]
    x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
    while not tools.events.empty():
        tools.events.get_nowait()
    mouse: dict[str, Any] = {"x": x, "y": y, "button": "left", "clickCount": 1}
    await tools.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    await tools.send("Input.dispatchMouseEvent", type="mousePressed", **mouse)
    await tools.send("Input.dispatchMouseEvent", type="mouseReleased", **mouse)
    await tools.wait_for("Page.loadEventFired")


def visible_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


async def test_report_form_and_status_page_in_chromium_without_javascript(harness: Harness, browser: DevTools) -> None:  # noqa: F811
    await browser.send("Page.setBypassCSP", enabled=False)  # the app's own policy applies, as for a person
    await browser.send("Emulation.setScriptExecutionDisabled", value=True)
    await browser.send("DOM.enable")
    await browser.send("CSS.enable")
    # proof that script is off: a page whose script would rewrite its body keeps it
    script = "document.getElementById('t').textContent='on'"
    await browser.navigate(f"data:text/html,<p id=t>off</p><script>{script}</script>")
    assert '<p id="t">off</p>' in await page_html(browser)

    await browser.navigate(harness.url + "/report")
    form = await page_html(browser)
    assert "<script" not in form
    assert locales.translate("en", catalog.WEB_TITLE) in visible_text(form)
    # the stylesheet from our own route is applied under the page's CSP (style-src 'self')
    body = await node(browser, "body")
    style = {
        p["name"]: p["value"] for p in (await browser.send("CSS.getComputedStyleForNode", nodeId=body))["computedStyle"]
    }
    assert style["max-width"] == "640px", style["max-width"]

    await type_into(browser, "textarea#text", "Two men are punching a guy at Hillside right now")
    await click(browser, "button#send")
    answer = await page_html(browser)
    shown = visible_text(answer)
    reference = REFERENCE.search(shown)
    assert reference, shown
    ref = reference.group(0)
    link = STATUS_LINK.search(answer)
    assert link, shown
    status_url = html.unescape(link.group(1))

    await harness.fakes.wait_for(lambda sent: any(m.to == CRISIS_TELEGRAM and ref in m.text for m in sent))
    response = await harness.telegram(telegram_message_update(9200, int(CRISIS_TELEGRAM), f"ACK {ref}"))
    assert response.status == 200

    working = locales.translate("en", catalog.ACKNOWLEDGED_TO_REPORTER, ref=ref)
    async with asyncio.timeout(20):
        while True:  # the delivery worker hands the reporter's news to the web channel
            await browser.navigate(status_url)
            status = visible_text(await page_html(browser))
            if working in status:
                break
            await asyncio.sleep(0.3)
    assert locales.translate("en", catalog.WEB_STATUS_TITLE) in status
    assert ref in status

    # the language switch, followed by a click: Arabic, right to left
    await browser.navigate(harness.url + "/report")
    await click(browser, 'nav a[hreflang="ar"]')
    arabic = await page_html(browser)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert locales.translate("ar", catalog.WEB_TITLE) in visible_text(arabic)
