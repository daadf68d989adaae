"""Engine, sessions and migrations.

SQLite (aiosqlite) by default, PostgreSQL (asyncpg) in production. Only storage/ opens sessions.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
NOTIFY_CHANNEL = "salama_outbox"  # PostgreSQL LISTEN/NOTIFY channel: "the outbox has new rows"
NOTIFY_FLAG = "notify_outbox"  # session.info key set by storage.repository when it enqueues


class NotifyingSession(Session):
    """A session that sends NOTIFY in the transaction that adds outbox rows (PostgreSQL only)."""


@event.listens_for(NotifyingSession, "before_commit")
def _notify_outbox(session: Session) -> None:
    if session.info.pop(NOTIFY_FLAG, False) and session.bind is not None and session.bind.dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


def asyncpg_dsn(url: str) -> str:
    """The plain libpq URL asyncpg's own connect() takes (for LISTEN)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str) -> AsyncEngine:
    if not is_sqlite(url):
        return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    _ensure_sqlite_dir(url)
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


class Database:
    """One engine and its session factory for the life of a process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, class_=AsyncSession, sync_session_class=NotifyingSession
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Bring the schema to the newest migration (blocking; runs its own event loop)."""
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), "head")


async def upgrade_database_async(url: str) -> None:
    # Alembic's async env runs its own loop, so it goes to a thread when called from async code.
    await asyncio.to_thread(upgrade_database, url)
