"""Dashboard accounts and their server-side sessions. Only hashes are stored: passwords and tokens never."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DashboardSession, DashboardUser


class UserExists(Exception):
    """A dashboard user of that name is already there."""


async def add_user(session: AsyncSession, name: str, password_hash: str) -> DashboardUser:
    user = DashboardUser(name=name, password_hash=password_hash, active=True)
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise UserExists(name) from None
    return user


async def user_by_name(session: AsyncSession, name: str) -> DashboardUser | None:
    return await session.scalar(select(DashboardUser).where(DashboardUser.name == name))


async def list_users(session: AsyncSession) -> Sequence[DashboardUser]:
    return (await session.scalars(select(DashboardUser).order_by(DashboardUser.name))).all()


async def set_password(session: AsyncSession, user: DashboardUser, password_hash: str) -> None:
    user.password_hash = password_hash
    # A new password ends every open session of that user.
    await session.execute(delete(DashboardSession).where(DashboardSession.user_id == user.id))


async def remove_user(session: AsyncSession, name: str) -> bool:
    user = await user_by_name(session, name)
    if user is None:
        return False
    await session.execute(delete(DashboardSession).where(DashboardSession.user_id == user.id))
    await session.delete(user)
    return True


async def open_session(
    session: AsyncSession, user: DashboardUser, token_hash: str, now: datetime, expires_at: datetime
) -> None:
    user.last_login_at = now
    session.add(
        DashboardSession(
            token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now, expires_at=expires_at
        )
    )


async def live_session(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[DashboardSession, DashboardUser] | None:
    """The session and its user if the session exists, has not expired and the user is active."""
    row = (
        await session.execute(
            select(DashboardSession, DashboardUser)
            .join(DashboardUser, DashboardUser.id == DashboardSession.user_id)
            .where(DashboardSession.token_hash == token_hash)
        )
    ).first()
    if row is None:
        return None
    found, user = row
    if found.expires_at <= now or not user.active:
        await session.delete(found)
        return None
    return found, user


async def close_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(DashboardSession).where(DashboardSession.token_hash == token_hash))


async def close_expired_sessions(session: AsyncSession, now: datetime) -> int:
    result: Any = await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    return int(result.rowcount)
