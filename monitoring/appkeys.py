"""Typed application keys: what the app factory hands the dashboard and /metrics (aiohttp-demos style).

The factory (server/) sets them; monitoring/ reads them, and never imports the factory.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from routing.deployment import Deployment
from settings import Settings
from storage.crypto import Vault
from storage.db import Database

SETTINGS = web.AppKey("settings", Settings)
DEPLOYMENT = web.AppKey("deployment", Deployment)
DATABASE = web.AppKey("database", Database)
VAULT = web.AppKey("vault", Vault)
GEOJSON = web.AppKey("geojson", dict[str, Any])  # the deployment's areas ({} when it has none)
