"""`bot.py stats`, `user` and `purge`, through their argparse wiring; `stats` on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from demo.history import fill_history
from monitoring.auth import verify_password
from monitoring.commands import register
from routing.deployment import load_deployment
from settings import Settings, load_settings
from storage.crypto import Vault
from storage.db import Database, upgrade_database_async
from storage.models import DashboardUser
from tests.conftest import create_postgres_database, drop_postgres_database, postgres_skip_reason

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 9, 14, 18, 0, tzinfo=UTC)
STATS = ["stats", "--since", "2026-08-17", "--until", "2026-09-14"]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="bot.py")
    register(root.add_subparsers(dest="command", required=True))
    return root


def settings_for(url: str) -> Settings:
    return load_settings(DATABASE_URL=url, SALAMA_SECRET_KEY=secrets.token_urlsafe(40))


async def run(
    url: str,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    args = parser().parse_args(argv)
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    # The handlers run their own event loop, as under bot.py: off this test's loop, in a thread.
    code = await asyncio.to_thread(args.handler, args, settings_for(url))
    out, err = capsys.readouterr()
    return code, out, err


async def seeded(url: str, days: int = 40) -> None:
    db = Database(url)
    try:
        await fill_history(
            db,
            Vault(secrets.token_urlsafe(40)),
            load_deployment(ROOT / "config" / "demo-city.yaml"),
            days=days,
            seed=11,
            now=NOW,
        )
    finally:
        await db.dispose()


def figures(json_output: str) -> list[dict]:
    document = json.loads(json_output)
    return document["records"]


async def test_stats_gives_the_same_figures_on_sqlite_and_postgresql(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = await postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    postgres_url, name = await create_postgres_database()
    try:
        await upgrade_database_async(postgres_url)
        for url in (sqlite_url, postgres_url):
            await seeded(url, days=60)  # the period and all of its baseline
        outputs = {}
        for url in (sqlite_url, postgres_url):
            code, out, err = await run(url, STATS + ["--format", "json"], capsys)
            assert code == 0, err
            outputs[url] = figures(out)
        assert outputs[sqlite_url] == outputs[postgres_url]
        records = outputs[sqlite_url]
        assert len(records) > 700  # every table, both measures, margins and response measures
        reports = next(r for r in records if r["table"] == "totals" and r["measure"] == "reports")
        assert reports["value"] > 500 and reports["baseline"] > 500
        for url in (sqlite_url, postgres_url):
            code, out, _ = await run(url, STATS + ["--format", "csv", "--by", "type,area"], capsys)
            assert code == 0
            outputs[url] = out
        assert outputs[sqlite_url] == outputs[postgres_url]
    finally:
        await drop_postgres_database(name)


async def test_stats_formats_and_selection(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    await seeded(sqlite_url)
    code, out, _ = await run(sqlite_url, STATS + ["--by", "type*area,response"], capsys)
    assert code == 0
    assert "reports by type × area (this period)" in out and "response to alerted incidents" in out
    assert "reports by area\n" not in out
    code, out, _ = await run(sqlite_url, STATS + ["--format", "csv", "--by", "hour_of_week"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["table"] for r in rows} == {"totals", "hour_of_week"}
    assert all(r["value"] == "" or int(r["value"]) == 0 or int(r["value"]) >= 5 for r in rows)
    code, _, err = await run(sqlite_url, STATS + ["--by", "postcode"], capsys)
    assert code == 2 and "unknown table" in err
    code, _, err = await run(sqlite_url, ["stats", "--since", "yesterday"], capsys)
    assert code == 2 and "not a date" in err


async def test_user_add_password_and_remove(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "a long and quiet pass phrase"
    code, out, _ = await run(
        sqlite_url, ["user", "add", "amina", "--password-stdin"], capsys, password + "\n", monkeypatch
    )
    assert code == 0 and "added" in out
    code, _, err = await run(
        sqlite_url, ["user", "add", "amina", "--password-stdin"], capsys, password + "\n", monkeypatch
    )
    assert code == 1 and "exists" in err
    code, _, err = await run(sqlite_url, ["user", "add", "bo", "--password-stdin"], capsys, "short\n", monkeypatch)
    assert code == 2 and "at least" in err
    db = Database(sqlite_url)
    try:
        async with db.sessions() as session:
            user = await session.scalar(select(DashboardUser).where(DashboardUser.name == "amina"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert password not in user.password_hash and verify_password(user.password_hash, password)
        code, _, _ = await run(
            sqlite_url,
            ["user", "password", "amina", "--password-stdin"],
            capsys,
            "another long pass phrase\n",
            monkeypatch,
        )
        assert code == 0
        code, out, _ = await run(sqlite_url, ["user", "list"], capsys)
        assert out.startswith("amina\tactive")
        code, _, _ = await run(sqlite_url, ["user", "remove", "amina"], capsys)
        assert code == 0
        async with db.sessions() as session:
            assert await session.scalar(select(DashboardUser)) is None
    finally:
        await db.dispose()


async def test_purge_command(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    await seeded(sqlite_url)
    code, out, _ = await run(sqlite_url, ["purge", "--days", "30"], capsys)
    assert code == 0 and "purged text and contact data older than 30 days" in out
