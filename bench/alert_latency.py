"""Alert latency: a signed SMS webhook accepted -> the first alert received by the fake provider.

Runs the real server (SQLite, and PostgreSQL when reachable) with the fake Telegram and Twilio APIs on
loopback, sends N reports that complete in one exchange, one after another, and measures for each
(a) webhook request sent -> alert received, and (b) how long the webhook took to answer.

    .venv/bin/python bench/alert_latency.py [--reports 100] [--write]

`--write` replaces the section between the alert-latency markers in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import yaml  # noqa: E402

from demo.harness import start_harness  # noqa: E402
from storage.db import upgrade_database_async  # noqa: E402

POSTGRES = os.environ.get("SALAMA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
START, END = "<!-- alert-latency:start -->", "<!-- alert-latency:end -->"
TEXTS = [
    "Two men fighting with a knife at the Bus Station right now",
    "A man is following me near the University now, please help",
    "Shots fired at the Harbour right now, someone is down",
    "My husband is beating me right now in Hillside",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def config_without_clustering(folder: Path) -> Path:
    """The demo city with clustering off, so that every report opens an incident and sends alerts."""
    config = yaml.safe_load((ROOT / "config" / "demo-city.yaml").read_text())
    config["cluster_window_minutes"] = 0
    (folder / "demo-city.geojson").write_text((ROOT / "config" / "demo-city.geojson").read_text())
    path = folder / "bench-city.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


async def measure(database_url: str, reports: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp())
    harness = await start_harness(database_url, deployment_config=config_without_clustering(folder))
    from_request: list[float] = []
    from_answer: list[float] = []
    try:
        for number in range(reports):
            before = len([m for m in harness.fakes.sent if m.text.startswith("SALAMA")])
            sent_at = time.perf_counter()
            response = await harness.sms(f"+1555556{number:04d}", TEXTS[number % len(TEXTS)])
            answered_at = time.perf_counter()
            assert response.status == 200
            await harness.fakes.wait_for(
                lambda sent, before=before: len([m for m in sent if m.text.startswith("SALAMA")]) > before,
                timeout=10,
            )
            first = [m for m in harness.fakes.sent if m.text.startswith("SALAMA")][before].at  # in arrival order
            from_request.append((first - sent_at) * 1000)
            from_answer.append((answered_at - sent_at) * 1000)
    finally:
        await harness.stop()
    return {
        "p50_request": statistics.median(from_request),
        "p95_request": percentile(from_request, 0.95),
        "p50_answer": statistics.median(from_answer),
        "p95_answer": percentile(from_answer, 0.95),
        "max_request": max(from_request),
    }


async def postgres_database() -> tuple[str, str] | None:
    try:
        admin = await asyncpg.connect(POSTGRES, timeout=3)
    except Exception:
        return None
    name = f"salama_bench_{os.getpid()}"
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def main(reports: int) -> list[tuple[str, dict[str, float] | None]]:
    results: list[tuple[str, dict[str, float] | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(("SQLite", await measure(f"sqlite+aiosqlite:///{folder}/bench.sqlite3", reports)))
    created = await postgres_database()
    if created is None:
        results.append(("PostgreSQL", None))
    else:
        url, name = created
        try:
            await upgrade_database_async(url)
            results.append(("PostgreSQL", await measure(url, reports)))
        finally:
            await drop_postgres(name)
    return results


def report(results: list[tuple[str, dict[str, float] | None]], reports: int, command: str) -> str:
    lines = [
        START,
        "## Alert latency (bench/alert_latency.py)",
        "",
        f"Produced by `{command}` on {date.today()}: Python {platform.python_version()}, {os.cpu_count()} CPU(s). "
        f"{reports} reports per database, one after another, each a signed SMS that completes in one exchange "
        "(emergency, place named), through the real server, triage, routing, outbox and delivery worker to the "
        "fake Telegram/Twilio API on loopback. Goal: p95 < 300 ms.",
        "",
        "| database | p50 webhook->alert | p95 webhook->alert | worst | p50 webhook answered | p95 webhook answered |",
        "|---|---|---|---|---|---|",
    ]
    for name, figures in results:
        if figures is None:
            lines.append(f"| {name} | not reachable | | | | |")
            continue
        lines.append(
            f"| {name} | {figures['p50_request']:.1f} ms | {figures['p95_request']:.1f} ms | "
            f"{figures['max_request']:.1f} ms | {figures['p50_answer']:.1f} ms | {figures['p95_answer']:.1f} ms |"
        )
    lines += [
        "",
        "*webhook->alert*: from the signed webhook request leaving the sender to the first alert arriving "
        "at the fake provider (the worker is woken at commit, so the alert often arrives before the TwiML "
        "answer does); *webhook answered*: the webhook's own response time.",
        END,
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    path = ROOT / "docs" / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING)
    outcome = asyncio.run(main(args.reports))
    command = ".venv/bin/python bench/alert_latency.py" + (f" --reports {args.reports}" if args.reports != 100 else "")
    section = report(outcome, args.reports, command + " --write")
    print(section)
    if args.write:
        write(section)
