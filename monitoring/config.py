"""The monitoring settings, read with defaults until settings.py carries them.

Once the fields exist on `Settings` (stats_min_cell, retention_days, dashboard_session_minutes) they
win; before that the environment variables of the same names are read here, validated the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from settings import ConfigError

DEFAULT_MIN_CELL = 5
DEFAULT_RETENTION_DAYS = 90
DEFAULT_SESSION_MINUTES = 30


@dataclass(frozen=True)
class MonitoringConfig:
    min_cell: int = DEFAULT_MIN_CELL  # k: published counts below it are suppressed
    retention_days: int = DEFAULT_RETENTION_DAYS  # free text and contact data older than this are purged
    session_minutes: int = DEFAULT_SESSION_MINUTES  # dashboard sessions end after this long idle


def _read(settings: Any, field: str, env: str, default: int, low: int, high: int) -> int:
    value = getattr(settings, field, None)
    if value is None:
        raw = os.environ.get(env, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{env}: expected a whole number, got {raw!r}") from None
    if not low <= int(value) <= high:
        raise ConfigError(f"{env}: must be between {low} and {high}")
    return int(value)


def monitoring_config(settings: Any = None) -> MonitoringConfig:
    return MonitoringConfig(
        # k = 1 would publish every count: the floor is 2, 3+ is what statistical offices use.
        min_cell=_read(settings, "stats_min_cell", "STATS_MIN_CELL", DEFAULT_MIN_CELL, 2, 1000),
        retention_days=_read(settings, "retention_days", "RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, 36500),
        session_minutes=_read(settings, "dashboard_session_minutes", "DASHBOARD_SESSION_MINUTES",
                              DEFAULT_SESSION_MINUTES, 1, 24 * 60),
    )
