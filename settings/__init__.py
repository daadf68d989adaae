"""Environment settings, validated once at start.

Every variable is documented in `.env.example` and in the README's settings table. A malformed value
stops start-up with a message naming the variable (see `load_settings`); a channel whose credentials
are missing is simply off.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'salama.sqlite3'}"

HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")]


class ConfigError(Exception):
    """A setting or the deployment file is wrong; the message says which and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    public_base_url: HttpUrl | None = Field(None, alias="PUBLIC_BASE_URL")
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8080, alias="PORT", ge=1, le=65535)

    telegram_bot_token: str | None = Field(None, alias="TELEGRAM_BOT_TOKEN", pattern=r"^\d+:[\w-]{20,}$")
    telegram_webhook_secret: str | None = Field(
        None, alias="TELEGRAM_WEBHOOK_SECRET", pattern=r"^[A-Za-z0-9_-]{16,256}$"
    )
    telegram_api_base_url: HttpUrl = Field("https://api.telegram.org", alias="TELEGRAM_API_BASE_URL")

    twilio_account_sid: str | None = Field(None, alias="TWILIO_ACCOUNT_SID", pattern=r"^AC[0-9a-fA-F]{32}$")
    twilio_auth_token: str | None = Field(None, alias="TWILIO_AUTH_TOKEN", min_length=16)
    twilio_from_number: str | None = Field(None, alias="TWILIO_FROM_NUMBER", pattern=r"^(whatsapp:)?\+\d{6,15}$")
    twilio_api_base_url: HttpUrl = Field("https://api.twilio.com", alias="TWILIO_API_BASE_URL")

    deployment_config: Path = Field(PROJECT_ROOT / "config" / "demo-city.yaml", alias="DEPLOYMENT_CONFIG")
    secret_key: str | None = Field(None, alias="SALAMA_SECRET_KEY", min_length=32)
    log_level: str = Field("INFO", alias="LOG_LEVEL", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    stats_min_cell: int = Field(5, alias="STATS_MIN_CELL", ge=2, le=1000)
    retention_days: int = Field(90, alias="RETENTION_DAYS", ge=1, le=36500)
    dashboard_session_minutes: int = Field(30, alias="DASHBOARD_SESSION_MINUTES", ge=1, le=1440)

    @field_validator("telegram_api_base_url", "twilio_api_base_url", "public_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the usual spellings and pick the async driver the project ships.
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value.removeprefix(prefix)
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite:///PATH or postgresql://USER@HOST/DB")
        return value

    def missing(self, fields: tuple[str, ...]) -> list[str]:
        """The environment variable names of the fields that are not set (a channel's required settings)."""
        return [type(self).model_fields[name].alias or name.upper() for name in fields if not getattr(self, name, None)]

    def channel_status(self, required: Mapping[str, tuple[str, ...]]) -> list[str]:
        """One line per channel (name -> the settings fields it needs): on, or off and what is missing."""
        lines = []
        for channel, fields in required.items():
            missing = self.missing(fields)
            lines.append(f"channel {channel}: " + ("on" if not missing else f"off (missing {', '.join(missing)})"))
        return lines


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise ConfigError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = error["loc"][0] if error["loc"] else "?"
            alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
            problems.append(f"{alias or field}: {error['msg']}")
        raise ConfigError("invalid setting(s): " + "; ".join(problems)) from None
