"""`bot.py demo`: scripted reports through the real webhooks, against fake providers on loopback.

Needs no credentials and no internet. Prints, for each report, what Salama made of it and who was
alerted, then an aggregate table by type and area. Never prints the reporters' words or addresses.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from demo.harness import Harness, start_harness
from demo.history import fill_history
from demo.webhooks import telegram_message_update
from storage.models import Alert, Report

# Fictional reporters: numbers in the 555-01xx range and made-up chat ids.
OLD_TOWN_POINT = (-4.99, 10.0225)  # inside the Old Town polygon of config/demo-city.geojson


@dataclass(frozen=True)
class Step:
    text: str | None = None
    location: tuple[float, float] | None = None


@dataclass(frozen=True)
class Script:
    channel: str  # sms, whatsapp, telegram
    sender: str  # number or chat id
    steps: tuple[Step, ...]
    language_code: str | None = None  # Telegram only


SCRIPTS: tuple[Script, ...] = (
    Script("sms", "+15555550111", (Step("A man is following me from the bus station right now, I am scared"),)),
    Script(
        "sms",
        "+15555550112",
        (
            Step("Hola"),
            Step("Me robaron el celular y me golpearon hace un rato"),
            Step("Mercado Central"),
            Step("no"),
        ),
    ),
    Script(
        "telegram",
        "800000113",
        (Step("Someone put something in my friend's drink at Club Neon, she can barely stand, help now"),),
        "en",
    ),
    Script(
        "telegram",
        "800000114",
        (
            Step("Il y a des coups de feu près de chez moi, un homme est blessé"),
            Step(location=OLD_TOWN_POINT),
            Step("oui"),
        ),
        "fr",
    ),
    Script("sms", "+15555550115", (Step("Polisi walinipiga na kunitaka hongo jana usiku Kilimani"),)),
    Script(
        "whatsapp",
        "whatsapp:+15555550116",
        (Step("A rua perto da Rodoviária não tem luz nenhuma, já houve assaltos lá no ano passado"),),
    ),
    Script(
        "telegram",
        "800000117",
        (
            Step("زوجي يضربني ويهددني في البيت الآن"),
            Step("التلال"),
        ),
        "ar",
    ),
    Script("sms", "+15555550118", (Step("Fight at the door of Blue Lagoon Bar, 2 men, one bleeding"),)),
    Script(
        "telegram",
        "800000119",
        (Step("La mara nos está cobrando la renta en el Puerto, amenazan con matarnos si no pagamos"),),
        "es",
    ),
)


async def run_script(harness: Harness, script: Script, update_ids: itertools.count) -> None:
    for step in script.steps:
        if script.channel == "telegram":
            update = telegram_message_update(
                next(update_ids), int(script.sender), step.text, script.language_code, step.location
            )
            response = await harness.telegram(update)
        else:
            response = await harness.sms(script.sender, step.text or "")
        if response.status != 200:
            raise RuntimeError(f"webhook answered {response.status} for a {script.channel} report")


async def collect(harness: Harness) -> list[Report]:
    async with harness.services.db.sessions() as session:
        return list((await session.scalars(select(Report).order_by(Report.id))).all())


async def count_alerts(harness: Harness) -> int:
    async with harness.services.db.sessions() as session:
        return len((await session.scalars(select(Alert))).all())


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def aggregate(reports: list[Report]) -> str:
    counts = Counter((t, r.area or "(unknown)") for r in reports for t in r.types)
    areas = sorted({area for _, area in counts})
    types = sorted({t for t, _ in counts})
    rows = [
        [t] + [str(counts.get((t, a), "")) for a in areas] + [str(sum(counts.get((t, a), 0) for a in areas))]
        for t in types
    ]
    rows.append(
        ["total reports"]
        + [str(sum(1 for r in reports if (r.area or "(unknown)") == a)) for a in areas]
        + [str(len(reports))]
    )
    return table(["type \\ area"] + areas + ["all"], rows)


async def run_demo(database_path: Path, history_days: int = 0) -> int:
    if database_path.exists():
        database_path.unlink()
    harness = await start_harness(f"sqlite+aiosqlite:///{database_path}")
    try:
        update_ids = itertools.count(5001)
        for script in SCRIPTS:
            await run_script(harness, script, update_ids)
        expected = await count_alerts(harness)
        await harness.fakes.wait_for(
            lambda sent: sum(1 for m in sent if m.text.startswith("SALAMA")) >= expected, timeout=30
        )
        reports = await collect(harness)
        rows = [
            [
                r.reference,
                r.channel,
                r.language,
                ", ".join(r.types),
                r.urgency,
                r.area or "-",
                r.venue or "-",
                ", ".join(r.alert_groups) or ("digest: " + ", ".join(r.digest_groups) if r.digest_groups else "-"),
            ]
            for r in reports
        ]
        print(
            f"\nSalama demo: {len(reports)} reports through the real webhooks "
            f"({len(SCRIPTS)} reporters, {len({r.language for r in reports})} languages)\n"
        )
        print(table(["ref", "channel", "lang", "types", "urgency", "area", "venue", "groups alerted"], rows))
        delivered = sum(1 for m in harness.fakes.sent if m.text.startswith("SALAMA"))
        print(f"\nAlerts delivered to responders through the fake providers: {delivered} of {expected}\n")
        print("Reports by type and area\n")
        print(aggregate(reports))
        print()
        if history_days:
            services = harness.services
            written = await fill_history(services.db, services.vault, services.deployment, history_days)
            print(f"History: {written} synthetic reports over the past {history_days} days written to {database_path}.")
            print(
                "See them on the dashboard:\n"
                f"  export DATABASE_URL=sqlite:///{database_path} SALAMA_SECRET_KEY=<32+ random characters>\n"
                "  .venv/bin/python bot.py user add office && .venv/bin/python bot.py serve\n"
                "  then open http://127.0.0.1:8080/dashboard\n"
            )
        return 0 if delivered >= expected and len(reports) >= 8 else 1
    finally:
        await harness.stop()


def main(database_path: Path, history_days: int = 0) -> int:
    return asyncio.run(run_demo(database_path, history_days))
