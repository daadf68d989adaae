"""Shared fixtures: databases (SQLite always, PostgreSQL where reachable) and the running server."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.harness import Harness, start_harness  # noqa: E402
from nlp.keywords import KeywordClassifier  # noqa: E402
from storage.db import upgrade_database_async  # noqa: E402

# Where to find PostgreSQL: the machine's server by default (trust auth, database `test`).
POSTGRES_ADMIN_DSN = os.environ.get("SALAMA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
_postgres_reason: str | None = None


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except Exception as exc:  # any failure means: skip, and say why
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_DSN}: {type(exc).__name__}: {exc}"
    await connection.close()
    return None


async def postgres_skip_reason() -> str | None:
    """Checked once per test session; None when PostgreSQL is there."""
    global _postgres_reason
    if _postgres_reason is None:
        _postgres_reason = await _postgres_reachable() or ""
    return _postgres_reason or None


async def create_postgres_database() -> tuple[str, str]:
    """A fresh, empty database for one test; returns (sqlalchemy url, name)."""
    name = f"salama_test_{secrets.token_hex(6)}"
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database: SQLite, then PostgreSQL (skipped with the reason if unreachable)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'salama.sqlite3'}"
        await upgrade_database_async(url)
        yield url
        return
    reason = await postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    url, name = await create_postgres_database()
    try:
        await upgrade_database_async(url)
        yield url
    finally:
        await drop_postgres_database(name)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'salama.sqlite3'}"
    await upgrade_database_async(url)
    return url


# Dialogue and routing tests run with the keyword classifier (nlp/keywords.py, the documented fallback):
# they test the conversation and the routing, so their expectations must not move when the trained
# model is retrained. The end-to-end tests (`model_harness`) and the CLI tests use the trained model.


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    """The real server on loopback, fake Telegram and Twilio APIs, on each database."""
    running = await start_harness(database_url, classifier=KeywordClassifier())
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def sqlite_harness(sqlite_url: str) -> AsyncIterator[Harness]:
    running = await start_harness(sqlite_url, classifier=KeywordClassifier())
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def model_harness(database_url: str) -> AsyncIterator[Harness]:
    """Like `harness`, with the trained triage pipeline the bot ships with."""
    running = await start_harness(database_url)
    try:
        yield running
    finally:
        await running.stop()
