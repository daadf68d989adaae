#!/usr/bin/env python3
"""Salama: anonymous reports of violence and harassment by SMS, WhatsApp and Telegram.

The one entry point. `python bot.py --help` lists the commands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from monitoring.commands import register as register_monitoring_commands
from nlp.commands import register as register_nlp_commands
from settings import PROJECT_ROOT, ConfigError, Settings, load_settings

log = logging.getLogger("salama")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # Libraries that would log request details (URLs with ids, bodies) at INFO stay quiet.
    for noisy in ("twilio", "httpx", "telegram", "aiohttp.access", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# --- commands -------------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from server import PROVIDERS, build_services, create_app

    services = build_services(settings)
    for line in settings.channel_status({provider.name: provider.required_settings for provider in PROVIDERS}):
        log.info(line)
    if not services.channels:
        log.warning("no channel is on: set Telegram or Twilio credentials (see .env.example)")
    app = create_app(services, run_worker=not args.no_worker)
    telegram = services.channels.get("telegram")
    if telegram is not None:
        app.on_startup.append(lambda app: _telegram_intake(telegram, settings, polling=args.polling))
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, print=None)
    return 0


async def _telegram_intake(channel, settings: Settings, polling: bool) -> None:  # type: ignore[no-untyped-def]
    if polling:
        asyncio.get_running_loop().create_task(channel.poll_forever())
    elif settings.public_base_url:
        await channel.register_webhook(settings.public_base_url)
    else:
        log.warning("PUBLIC_BASE_URL is not set: Telegram webhook not registered (use --polling in development)")


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from server import build_services

    async def run() -> None:
        services = build_services(settings)
        channels = list(dict.fromkeys(services.channels.values()))
        for channel in channels:
            await channel.start()
        try:
            assert services.worker is not None
            await services.worker.run()
        finally:
            for channel in channels:
                await channel.stop()
            await services.db.dispose()

    asyncio.run(run())
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import upgrade_database

    upgrade_database(settings.database_url)
    print("database is at the newest schema")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from demo.run import main

    return main(Path(args.database), args.history)


def cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    from nlp.language import LanguageHints
    from nlp.triage import Triage
    from routing.deployment import load_deployment, load_geojson
    from routing.rules import ReportFacts, decide

    if not args.jsonl:
        print("triage reads JSON lines on stdin: use --jsonl", file=sys.stderr)
        return 2
    config_path = Path(settings.deployment_config)
    deployment = load_deployment(config_path)
    from nlp.commands import load_triage_classifier

    classifier = load_triage_classifier(args.model)
    triage = Triage.from_deployment(deployment, load_geojson(deployment, config_path), classifier)
    nightlife = {v.name for v in deployment.venues if v.nightlife}
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            print(json.dumps({"error": f"line {number}: expected an object with a string 'text'"}))
            continue
        result = triage.triage(text, language=item.get("lang"), hints=LanguageHints())
        place = result.place
        facts = ReportFacts(
            types=tuple(result.type_labels),
            urgency=result.urgency,
            area=place.area if place else None,
            venue=place.venue if place else None,
            nightlife=bool(place and place.venue in nightlife),
        )
        decision = decide(deployment, facts)
        print(
            json.dumps(
                {
                    "language": result.language,
                    "types": [{"label": t.label, "score": round(t.score, 4)} for t in result.types],
                    "type_scores": {k: round(v, 4) for k, v in result.type_scores.items()},
                    "urgency": result.urgency,
                    "urgency_scores": {k: round(v, 4) for k, v in result.urgency_scores.items()},
                    "safety_cues": list(result.safety_cues),
                    "area": facts.area,
                    "venue": facts.venue,
                    "groups": list(decision.alert_groups),
                    "digest_groups": list(decision.digest_groups),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
    return 0


# --- parser ---------------------------------------------------------------------------------------
def _days(value: str) -> int:
    try:
        days = int(value.lower().removesuffix("d"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days such as 90d, got {value!r}") from None
    if not 1 <= days <= 3650:
        raise argparse.ArgumentTypeError("between 1d and 3650d")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__.strip().splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the bot: webhooks, delivery worker")
    serve.add_argument("--polling", action="store_true", help="fetch Telegram updates by polling (development)")
    serve.add_argument("--no-worker", action="store_true", help="do not deliver here (run `bot.py worker` apart)")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run only the delivery worker")
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help="scripted reports through the real server, fake providers, SQLite")
    demo.add_argument("--database", default=str(PROJECT_ROOT / "var" / "demo.sqlite3"), help="SQLite file (reset)")
    demo.add_argument(
        "--history",
        type=_days,
        default=0,
        metavar="90d",
        help="also fill this many days of synthetic history for the dashboard",
    )
    demo.set_defaults(handler=cmd_demo)

    triage = commands.add_parser("triage", help='triage JSON lines from stdin: {"text": ...}')
    triage.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin, write JSON lines")
    triage.add_argument("--model", metavar="DIR", help="a type model from `bot.py train --output DIR`")
    triage.set_defaults(handler=cmd_triage)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations up to the newest").set_defaults(handler=cmd_db)

    register_nlp_commands(commands)  # train, evaluate
    register_monitoring_commands(commands)  # stats, user, purge
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return args.handler(args, settings)
    except ConfigError as exc:
        print(f"salama: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
