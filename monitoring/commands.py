"""`bot.py stats`, `bot.py user` and `bot.py purge`: the monitoring commands.

bot.py calls `register(commands)` with its subparsers; each command sets `handler=fn(args, settings) -> int`.
Every figure `stats` prints is protected like the dashboard's and the export's (the same tables,
suppressed together), so no output can be combined with another to recover a small count.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("salama.monitoring")

T = TypeVar("T")
USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")
BY_ALIASES = {
    "type*area": "type_area",
    "type×area": "type_area",
    "hour": "hour_of_week",
    "hours": "hour_of_week",
    "types": "type",
    "areas": "area",
    "venues": "venue",
    "weeks": "week",
    "months": "month",
}
FORMATS = ("table", "csv", "json")


def register(commands: Any) -> None:
    """Add the `stats`, `user` and `purge` subcommands to bot.py's subparsers."""
    from monitoring.aggregates import TABLES

    stats = commands.add_parser(
        "stats",
        help="privacy-safe aggregates with baselines (small counts suppressed)",
        description="Counts of reports and incidents and response measures for a period, each against the "
        "previous period of equal length. Counts below STATS_MIN_CELL are suppressed, with "
        "complementary suppression so that totals cannot give them back.",
    )
    stats.add_argument("--since", help="first day, YYYY-MM-DD (local time of the deployment)")
    stats.add_argument("--until", help="day after the last, YYYY-MM-DD (excluded; default: today)")
    stats.add_argument("--days", type=int, default=28, help="period length when --since is not given (default 28)")
    stats.add_argument(
        "--by", default=None, help=f"comma-separated tables: {', '.join(TABLES)}, response (default: all)"
    )
    stats.add_argument("--format", choices=FORMATS, default="table", help="table (default), csv or json")
    stats.set_defaults(handler=cmd_stats)

    user = commands.add_parser("user", help="dashboard accounts")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.set_defaults(handler=cmd_user_add)
    password = actions.add_parser("password", help="set a new password (ends the user's sessions)")
    password.add_argument("name")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    password.set_defaults(handler=cmd_user_password)
    remove = actions.add_parser("remove", help="delete an account and its sessions")
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_user_remove)
    actions.add_parser("list", help="list accounts").set_defaults(handler=cmd_user_list)

    purge = commands.add_parser("purge", help="erase free text and contact data older than RETENTION_DAYS")
    purge.add_argument("--days", type=int, default=None, help="override RETENTION_DAYS for this run")
    purge.set_defaults(handler=cmd_purge)


# --- helpers ------------------------------------------------------------------------------------------------
def _run_with_db(settings: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    from storage.db import Database

    async def run() -> T:
        db = Database(settings.database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _database_error(exc: SQLAlchemyError) -> int:
    print(
        f"salama: database error ({type(exc).__name__}); is the schema current? run `bot.py db upgrade`",
        file=sys.stderr,
    )
    return 1


def parse_by(raw: str | None) -> tuple[list[str] | None, bool]:
    """(table names or None for all, whether to include the response measures)."""
    from monitoring.aggregates import RESPONSE, TABLES

    if raw is None:
        return None, True
    names, response = [], False
    for part in (p.strip().lower() for p in raw.split(",")):
        if not part:
            continue
        part = BY_ALIASES.get(part, part)
        if part == RESPONSE:
            response = True
        elif part in TABLES:
            names.append(part)
        else:
            raise ValueError(f"--by: unknown table {part!r}; choose from {', '.join(TABLES)}, {RESPONSE}")
    return names, response


# --- stats --------------------------------------------------------------------------------------------------
def cmd_stats(args: argparse.Namespace, settings: Any) -> int:
    from monitoring.aggregates import Vocabulary, compute_statistics
    from monitoring.export import to_csv, to_json, to_text
    from monitoring.periods import Period, last_days, parse_bound
    from routing.deployment import load_deployment

    deployment = load_deployment(Path(settings.deployment_config))
    zone = ZoneInfo(deployment.timezone)
    try:
        names, response = parse_by(args.by)
        if args.days < 1:
            raise ValueError("--days must be at least 1")
        default = last_days(args.days, zone)
        until = parse_bound(args.until, zone) if args.until else default.end
        since = parse_bound(args.since, zone) if args.since else until - default.length
        period = Period(since, until)
    except ValueError as exc:
        print(f"salama stats: {exc}", file=sys.stderr)
        return 2
    try:
        statistics = _run_with_db(
            settings,
            lambda db: compute_statistics(
                db,
                period,
                timezone_name=deployment.timezone,
                k=settings.stats_min_cell,
                vocabulary=Vocabulary.from_deployment(deployment),
                deployment=deployment.name,
            ),
        )
    except SQLAlchemyError as exc:
        return _database_error(exc)
    render = {"table": to_text, "csv": to_csv, "json": to_json}[args.format]
    sys.stdout.write(render(statistics, names, response))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0


# --- users --------------------------------------------------------------------------------------------------
def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _valid_name(name: str) -> str:
    if not USER_NAME.match(name):
        raise ValueError("a user name is 1-80 of A-Z a-z 0-9 . _ @ -")
    return name


def cmd_user_add(args: argparse.Namespace, settings: Any) -> int:
    from monitoring.auth import WeakPassword, hash_password
    from storage.accounts import UserExists, add_user

    try:
        name = _valid_name(args.name)
        password_hash = hash_password(_read_password(args.password_stdin))
    except (ValueError, WeakPassword) as exc:
        print(f"salama user add: {exc}", file=sys.stderr)
        return 2

    async def work(db: Any) -> None:
        async with db.sessions() as session, session.begin():
            await add_user(session, name, password_hash)

    try:
        _run_with_db(settings, work)
    except UserExists:
        print(f"salama user add: a user named {name!r} exists (use `bot.py user password {name}`)", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        return _database_error(exc)
    print(f"dashboard user {name!r} added")
    return 0


def cmd_user_password(args: argparse.Namespace, settings: Any) -> int:
    from monitoring.auth import WeakPassword, hash_password
    from storage.accounts import set_password, user_by_name

    try:
        password_hash = hash_password(_read_password(args.password_stdin))
    except (ValueError, WeakPassword) as exc:
        print(f"salama user password: {exc}", file=sys.stderr)
        return 2

    async def work(db: Any) -> bool:
        async with db.sessions() as session, session.begin():
            user = await user_by_name(session, args.name)
            if user is None:
                return False
            await set_password(session, user, password_hash)
            return True

    try:
        found = _run_with_db(settings, work)
    except SQLAlchemyError as exc:
        return _database_error(exc)
    if not found:
        print(f"salama user password: no user named {args.name!r}", file=sys.stderr)
        return 1
    print(f"password of {args.name!r} changed; their sessions are closed")
    return 0


def cmd_user_remove(args: argparse.Namespace, settings: Any) -> int:
    from storage.accounts import remove_user

    async def work(db: Any) -> bool:
        async with db.sessions() as session, session.begin():
            return await remove_user(session, args.name)

    try:
        removed = _run_with_db(settings, work)
    except SQLAlchemyError as exc:
        return _database_error(exc)
    if not removed:
        print(f"salama user remove: no user named {args.name!r}", file=sys.stderr)
        return 1
    print(f"dashboard user {args.name!r} removed")
    return 0


def cmd_user_list(args: argparse.Namespace, settings: Any) -> int:
    from storage.accounts import list_users

    async def work(db: Any) -> list[tuple[str, bool, str]]:
        async with db.sessions() as session:
            return [
                (u.name, u.active, u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "never")
                for u in await list_users(session)
            ]

    try:
        users = _run_with_db(settings, work)
    except SQLAlchemyError as exc:
        return _database_error(exc)
    for name, active, last in users:
        print(f"{name}\t{'active' if active else 'inactive'}\tlast login {last}")
    return 0


# --- retention ----------------------------------------------------------------------------------------------
def cmd_purge(args: argparse.Namespace, settings: Any) -> int:
    from monitoring.retention import purge

    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        print("salama purge: --days must be at least 1", file=sys.stderr)
        return 2
    try:
        counts = _run_with_db(settings, lambda db: purge(db, days))
    except SQLAlchemyError as exc:
        return _database_error(exc)
    print(
        f"purged text and contact data older than {days} days: {counts.reports} reports, "
        f"{counts.corrections} corrections, {counts.reporters} reporters, {counts.outbox} outbox messages"
    )
    return 0
