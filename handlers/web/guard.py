"""What stands before the form: same-origin posts, the double-submit form token, and rate limits.

- A POST whose Origin is another site (or "null") is refused; without Origin, a Sec-Fetch-Site other
  than same-origin is refused. Then the form's hidden token must be the HMAC (key from the secret key)
  of the random value in an HttpOnly, SameSite=Strict cookie: a page elsewhere can neither read the
  cookie nor compute the token.
- Rate limits are sliding windows kept in memory, per client (a keyed hash of its IP: the IP itself is
  kept nowhere) and for everyone together. Behind a proxy or a Tor onion service every client has the
  proxy's address, so the per-client limit then acts as a second global one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web


def derive_key(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), f"salama web channel: {purpose}".encode(), hashlib.sha256).digest()


class FormTokens:
    """Double-submit tokens: the cookie holds a random value, the form its HMAC."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(24)

    def token_for(self, secret: str) -> str:
        return hmac.new(self.key, f"form\x00{secret}".encode(), hashlib.sha256).hexdigest()

    def matches(self, secret: str | None, token: str) -> bool:
        if not secret or not token:
            return False
        return hmac.compare_digest(self.token_for(secret).encode(), token.encode())


def same_origin(request: web.Request) -> bool:
    """Browsers send Origin on POST; a form from another site (or a sandboxed "null" one) is refused."""
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null":
            return False
        parts = urlsplit(origin)
        return parts.netloc == request.host and parts.scheme in ("http", "https")
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


@dataclass(frozen=True)
class Window:
    limit: int  # requests allowed...
    seconds: float  # ...in any window this long


class SlidingWindows:
    """Per-key sliding windows; the oldest keys are forgotten past `max_keys` (memory stays bounded)."""

    def __init__(
        self, windows: tuple[Window, ...], max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.windows = windows
        self.max_keys = max_keys
        self.clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one request for `key`; False (and not counted) when a window is full."""
        now = self.clock()
        longest = max(window.seconds for window in self.windows)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= now - longest:
            hits.popleft()
        for window in self.windows:
            if sum(1 for at in hits if at > now - window.seconds) >= window.limit:
                return False
        hits.append(now)
        return True


class RateLimits:
    """One client's posts and everyone's, and status-page reads."""

    PER_CLIENT = (Window(10, 60.0), Window(60, 3600.0))
    EVERYONE = (Window(300, 60.0),)
    STATUS_PER_CLIENT = (Window(60, 60.0),)

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._salt = secrets.token_bytes(16)  # client keys mean nothing outside this process
        self.per_client = SlidingWindows(self.PER_CLIENT, clock=clock)
        self.everyone = SlidingWindows(self.EVERYONE, max_keys=1, clock=clock)
        self.status = SlidingWindows(self.STATUS_PER_CLIENT, clock=clock)

    def client(self, request: web.Request) -> str:
        return hmac.new(self._salt, (request.remote or "").encode(), hashlib.sha256).hexdigest()[:32]

    def allow_post(self, request: web.Request) -> bool:
        return self.per_client.allow(self.client(request)) and self.everyone.allow("all")

    def allow_status(self, request: web.Request) -> bool:
        return self.status.allow(self.client(request))
