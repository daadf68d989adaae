"""Settings: a malformed value stops start-up naming the variable; missing credentials turn a channel off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "variable, value",
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TWILIO_ACCOUNT_SID", "XY123"),
        ("TWILIO_FROM_NUMBER", "0700 000 000"),
        ("PUBLIC_BASE_URL", "ftp://example.org"),
        ("DATABASE_URL", "mysql://root@localhost/salama"),
        ("SALAMA_SECRET_KEY", "short"),
        ("PORT", "eighty"),
    ],
)
def test_malformed_setting_is_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert variable in str(error.value)


def test_channels_without_credentials_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_FROM_NUMBER",
        "SALAMA_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    from handlers.sms import TwilioChannel
    from handlers.telegram import TelegramChannel
    from handlers.web import WebChannel
    from server import PROVIDERS

    settings = load_settings()
    assert not any(provider.enabled(settings) for provider in PROVIDERS)
    assert settings.channel_status({"web": WebChannel.required_settings}) == [
        "channel web: off (missing SALAMA_SECRET_KEY)"
    ]
    required = {provider.name: provider.required_settings for provider in (TelegramChannel, TwilioChannel)}
    assert settings.channel_status(required) == [
        "channel telegram: off (missing TELEGRAM_WEBHOOK_SECRET)",
        "channel sms: off (missing TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)",
    ]


def test_cli_prints_a_readable_error_not_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "TWILIO_FROM_NUMBER": "nonsense", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "configuration error" in run.stderr and "TWILIO_FROM_NUMBER" in run.stderr
    assert "Traceback" not in run.stderr
