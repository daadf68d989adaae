"""The web channel's pages: Jinja2 templates (autoescaped), texts through locales.translate.

No script anywhere, one stylesheet from our own route, nothing from elsewhere: the pages work with
JavaScript off (Tor Browser's safest mode) and under the strict policy in HEADERS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

import locales
from handlers.web.parse import MAX_CHARS
from locales import catalog

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "static" / "web.css"
STYLESHEET_PATH = "/report/static/web.css"
RTL_LANGUAGES = frozenset({"ar"})
REFERENCE = re.compile(r"(?<![\w-])R-[2-9A-HJ-NP-Z]{4}(?!\w)")

_BASE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# The form page keeps same-origin referrers: with no-referrer a browser sends "Origin: null" on the
# form's own POST, which the guard must refuse. The status page (its URL is the secret) sends none,
# and has no form.
FORM_HEADERS = {**_BASE_HEADERS, "Referrer-Policy": "same-origin"}
STATUS_HEADERS = {**_BASE_HEADERS, "Referrer-Policy": "no-referrer"}

_environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def references(texts: list[str]) -> list[str]:
    """The report codes in these messages, first seen first."""
    return list(dict.fromkeys(code for text in texts for code in REFERENCE.findall(text)))


@dataclass
class FormPage:
    language: str
    csrf: str
    nonce: str
    replies: list[str] = field(default_factory=list)
    notice: str | None = None  # a refusal or a fault, above the form
    text: str = ""  # what the reporter wrote, given back when it was not sent
    status_url: str | None = None


def _render(template: str, language: str, path: str, **context: Any) -> str:
    def t(msgid: str, **values: Any) -> str:
        return locales.translate(language, msgid, **values)

    languages = [(code, name, direction(code)) for code, name in locales.LANGUAGE_NAMES.items()]
    page = {"lang": language, "dir": direction(language), "path": path, "languages": languages}
    helpers = {"t": t, "catalog": catalog, "stylesheet": STYLESHEET_PATH}
    return _environment.get_template(template).render(page | helpers | context)


def html(text: str, status: int, headers: dict[str, str]) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=headers)


def form_page(page: FormPage, status: int = 200) -> web.Response:
    body = _render("report.html", page.language, "/report", page=page, max_chars=MAX_CHARS)
    return html(body, status, FORM_HEADERS)


def status_page(language: str, token: str, messages: list[tuple[datetime, str]]) -> web.Response:
    body = _render(
        "status.html",
        language,
        f"/report/status/{token}",
        messages=messages,
        references=references([text for _at, text in messages]),
    )
    return html(body, 200, STATUS_HEADERS)


def notice_page(
    language: str, path: str, msgid: str, status: int, headers: dict[str, str] | None = None, **values: Any
) -> web.Response:
    """A plain page with one sentence: 404, 429, 413..."""
    body = _render("notice.html", language, path, message=locales.translate(language, msgid, **values))
    return html(body, status, headers or STATUS_HEADERS)
