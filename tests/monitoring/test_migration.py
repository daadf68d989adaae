"""0002 adds the dashboard tables on top of 0001, and comes off again cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import alembic_config


async def tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "0001")
    assert "dashboard_users" not in await tables(url)
    await asyncio.to_thread(command.upgrade, config, "0002")
    assert {"dashboard_users", "dashboard_sessions", "reports"} <= await tables(url)
    await asyncio.to_thread(command.downgrade, config, "0001")
    assert not {"dashboard_users", "dashboard_sessions"} & await tables(url)
    assert "reports" in await tables(url)
