"""The web channel: a report form at /report that runs the reporter's dialogue, and a private status page.

- GET /report: the form, in the language of `?lang=` (else the browser's, else the deployment's).
- POST /report: same-origin, form token, rate limits and size checked first (guard.py); the first
  post gives the browser an unguessable reporter address (`secrets.token_urlsafe(24)`) in an HttpOnly,
  SameSite=Strict session cookie, and each post is one InboundMessage to the sink. Salama's replies
  are shown under the form and kept for the status page.
- GET /report/status/<address>: everything Salama sent to that address, the replies above and what the
  delivery worker hands to `send` later ("someone is working on your report"). An unknown address gets
  the same 404 page as any other.

Only a keyed pseudonym of the address is stored, and the texts are encrypted (storage/ `web_messages`).
Nothing here logs a text, an address or an IP.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiohttp import web

import locales
import metrics
from handlers.base import Channel, MessageSink
from handlers.web import pages
from handlers.web.guard import FormTokens, RateLimits, derive_key, same_origin
from handlers.web.pages import FORM_HEADERS, FormPage
from handlers.web.parse import CHANNEL, MAX_BODY, MAX_CHARS, TOKEN, BadForm, TooLong, parse_form, to_inbound
from locales import catalog
from routing.channels import Capabilities, DeliveryError, DeliveryReceipt, OutboundMessage
from storage.crypto import Vault
from storage.db import Database
from storage.repository import Store

log = logging.getLogger("salama.web")

FORM_COOKIE = "salama_web_form"  # the double-submit secret
REPORTER_COOKIE = "salama_web_reporter"  # the reporter's address: a session cookie, gone when the browser closes
COOKIE_PATH = "/report"
ADDRESS_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 random bits


class WebChannel(Channel):
    name = CHANNEL
    capabilities = {CHANNEL: Capabilities(max_chars=MAX_CHARS, quote_chars=600)}
    required_settings = ("secret_key",)

    def __init__(self, settings: Any, sink: MessageSink | None) -> None:
        super().__init__(settings, sink)  # type: ignore[arg-type]  # a send-only worker has no sink
        self.tokens = FormTokens(derive_key(settings.secret_key, "form token"))
        self.message_key = derive_key(settings.secret_key, "message id")
        self.limits = RateLimits()
        self.db: Database | None = None
        self.vault: Vault | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/report", self.form, allow_head=False),
            web.post("/report", self.submit),
            web.get("/report/static/web.css", self.stylesheet, allow_head=False),
            web.get("/report/status/{token}", self.status, allow_head=False),
        ]

    async def start(self) -> None:
        self.db = Database(self.settings.database_url)
        self.vault = Vault(self.settings.secret_key)

    async def stop(self) -> None:
        if self.db is not None:
            await self.db.dispose()
            self.db = None

    # --- outbound: kept for the status page -------------------------------------------------------
    async def send(self, message: OutboundMessage) -> DeliveryReceipt:
        if self.db is None or self.vault is None:
            raise DeliveryError("web channel not started", retryable=True)
        async with self.db.sessions() as session, session.begin():
            stored = await Store(session, self.vault).add_web_message(message.address, message.text)
        return DeliveryReceipt(f"web-{stored.id}")

    # --- pages ------------------------------------------------------------------------------------
    async def form(self, request: web.Request) -> web.Response:
        language = self._language(request)
        secret = request.cookies.get(FORM_COOKIE) or ""
        fresh = not TOKEN.fullmatch(secret)
        if fresh:
            secret = self.tokens.new_secret()
        address = self._reporter(request)
        page = FormPage(
            language=language,
            csrf=self.tokens.token_for(secret),
            nonce=secrets.token_urlsafe(16),
            status_url=self._status_url(request, address, language) if address else None,
        )
        response = pages.form_page(page)
        if fresh:
            self._set_cookie(request, response, FORM_COOKIE, secret)
        return response

    async def submit(self, request: web.Request) -> web.Response:
        if not self.limits.allow_post(request):
            metrics.webhook_rejected(CHANNEL, "rate_limited")
            log.warning("web report refused: rate limit")
            return self._notice(request, catalog.WEB_TOO_MANY, 429, {"Retry-After": "60"})
        if not same_origin(request):
            metrics.webhook_rejected(CHANNEL, "bad_secret")
            log.warning("web report refused: cross-origin post")
            return self._notice(request, catalog.WEB_FORM_EXPIRED, 403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            metrics.webhook_rejected(CHANNEL, "too_large")
            return self._notice(request, catalog.WEB_TOO_LONG, 413, max=MAX_CHARS)
        body = await _read_limited(request, MAX_BODY)
        language = self._language(request)
        secret = request.cookies.get(FORM_COOKIE)
        try:
            submitted = parse_form(body, request.content_type)
        except TooLong:
            metrics.webhook_rejected(CHANNEL, "too_large")
            return self._notice(request, catalog.WEB_TOO_LONG, 413, max=MAX_CHARS)
        except BadForm:
            metrics.webhook_rejected(CHANNEL, "malformed")
            log.warning("web report refused: malformed form")
            return self._notice(request, catalog.NOT_UNDERSTOOD, 400)
        language = submitted.language or language
        if not self.tokens.matches(secret, submitted.csrf):
            metrics.webhook_rejected(CHANNEL, "bad_secret")
            log.warning("web report refused: missing or wrong form token")
            return self._form_again(
                request,
                language,
                status=403,
                text=submitted.text,
                notice=locales.translate(language, catalog.WEB_FORM_EXPIRED),
            )
        assert secret is not None
        if not submitted.text:
            return self._form_again(
                request, language, status=400, secret=secret, notice=locales.translate(language, catalog.NOT_UNDERSTOOD)
            )

        address = self._reporter(request)
        new_reporter = address is None
        address = address or secrets.token_urlsafe(ADDRESS_BYTES)
        message = to_inbound(
            self.message_key, address, submitted.nonce or secrets.token_urlsafe(16), submitted, language
        )
        assert self.sink is not None, "the web form needs the intake"
        try:
            replies = await self.sink.handle(message)
        except Exception as exc:  # nothing was committed: the reporter may simply send again
            log.error("processing a web message failed: %s", type(exc).__name__, exc_info=False)
            return self._form_again(
                request,
                language,
                status=503,
                secret=secret,
                text=submitted.text,
                notice=locales.translate(language, catalog.TRY_AGAIN),
            )
        texts = [reply.text for reply in replies or []]
        erased = locales.match_keyword(submitted.text) == "DELETE" and replies is not None
        await self._keep(address, texts, erase=erased)
        page = FormPage(
            language=language,
            csrf=self.tokens.token_for(secret),
            nonce=secrets.token_urlsafe(16),
            replies=texts,
            status_url=None if erased else self._status_url(request, address, language),
        )
        response = pages.form_page(page)
        if erased:
            response.del_cookie(REPORTER_COOKIE, path=COOKIE_PATH)
        elif new_reporter:
            self._set_cookie(request, response, REPORTER_COOKIE, address)
        return response

    async def status(self, request: web.Request) -> web.Response:
        language = self._language(request)
        if not self.limits.allow_status(request):
            metrics.webhook_rejected(CHANNEL, "rate_limited")
            return self._notice(request, catalog.WEB_TOO_MANY, 429, {"Retry-After": "60"})
        token = request.match_info["token"]
        messages = []
        if TOKEN.fullmatch(token) and self.db is not None and self.vault is not None:
            async with self.db.sessions() as session:
                messages = await Store(session, self.vault).web_messages(token)
        if not messages:
            return self._notice(request, catalog.WEB_NOT_FOUND, 404)
        return pages.status_page(language, token, messages)

    async def stylesheet(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            pages.STYLESHEET,
            headers={
                "Content-Type": "text/css; charset=utf-8",
                "Cache-Control": "max-age=3600",
                "X-Content-Type-Options": "nosniff",
            },
        )

    # --- helpers ----------------------------------------------------------------------------------
    async def _keep(self, address: str, texts: list[str], erase: bool) -> None:
        """Store the replies for the status page (or, after DELETE, erase it); a failure costs the page only."""
        if self.db is None or self.vault is None:
            return
        try:
            async with self.db.sessions() as session, session.begin():
                store = Store(session, self.vault)
                if erase:
                    await store.delete_web_messages(address)
                    return
                for text in texts:
                    await store.add_web_message(address, text)
        except Exception as exc:  # noqa: BLE001 - the report itself is already safe in the database
            log.warning("web replies not kept for the status page (%s)", type(exc).__name__)

    def _language(self, request: web.Request) -> str:
        chosen = request.query.get("lang")
        if chosen in locales.SUPPORTED_LANGUAGES:
            return chosen
        for part in request.headers.get("Accept-Language", "").split(","):  # the browser's first supported one
            base = part.split(";")[0].strip().split("-")[0].lower()
            if base in locales.SUPPORTED_LANGUAGES:
                return base
        return self.sink.default_language if self.sink is not None else locales.DEFAULT_LANGUAGE

    @staticmethod
    def _reporter(request: web.Request) -> str | None:
        address = request.cookies.get(REPORTER_COOKIE)
        return address if address and TOKEN.fullmatch(address) else None

    def _secure(self, request: web.Request) -> bool:
        return request.secure or str(self.settings.public_base_url or "").startswith("https://")

    def _set_cookie(self, request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
        response.set_cookie(
            name, value, httponly=True, samesite="Strict", path=COOKIE_PATH, secure=self._secure(request)
        )

    def _status_url(self, request: web.Request, address: str, language: str) -> str:
        scheme = "https" if self._secure(request) else request.scheme
        return f"{scheme}://{request.host}/report/status/{address}?lang={language}"

    def _form_again(
        self, request: web.Request, language: str, status: int, notice: str, text: str = "", secret: str | None = None
    ) -> web.Response:
        """The form once more, with a notice; a fresh form secret unless the current one is good."""
        fresh = secret is None
        secret = secret or self.tokens.new_secret()
        address = self._reporter(request)
        page = FormPage(
            language=language,
            csrf=self.tokens.token_for(secret),
            nonce=secrets.token_urlsafe(16),
            notice=notice,
            text=text,
            status_url=self._status_url(request, address, language) if address else None,
        )
        response = pages.form_page(page, status)
        if fresh:
            self._set_cookie(request, response, FORM_COOKIE, secret)
        return response

    def _notice(
        self, request: web.Request, msgid: str, status: int, headers: dict[str, str] | None = None, **values: Any
    ) -> web.Response:
        # the same page whatever the path said (a wrong status token is never echoed back)
        response = pages.notice_page(
            self._language(request),
            "/report",
            msgid,
            status,
            FORM_HEADERS if request.method == "POST" else None,
            **values,
        )
        response.headers.update(headers or {})
        return response


async def _read_limited(request: web.Request, limit: int) -> bytes:
    """The body, at most limit + 1 bytes (enough to tell it is too long)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(8192):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)
