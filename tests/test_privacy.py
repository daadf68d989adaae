"""After the demo, no phone number, chat id or report text is readable in its output or its database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from demo.run import SCRIPTS

ROOT = Path(__file__).resolve().parents[1]


def secrets_of_the_demo() -> set[str]:
    needles: set[str] = set()
    for script in SCRIPTS:
        address = script.sender.removeprefix("whatsapp:")
        needles |= {address, address.lstrip("+")}
        for step in script.steps:
            if step.text and len(step.text) > 6:  # "no", "oui": too short to mean anything
                needles |= {step.text, step.text[:24]}
    config = yaml.safe_load((ROOT / "config" / "demo-city.yaml").read_text())
    for group in config["groups"]:
        for member in group["members"]:
            address = str(member.get("telegram") or member.get("sms"))
            needles |= {address, address.lstrip("+")}
    return needles


def test_demo_leaves_no_personal_data_in_logs_or_database(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    run = subprocess.run(
        [sys.executable, "bot.py", "demo", "--database", str(database)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "groups alerted" in run.stdout  # the demo did run its reports
    files = [path for path in tmp_path.iterdir() if path.name.startswith("demo.sqlite3")]
    assert database in files
    stored = b"".join(path.read_bytes() for path in files)
    output = run.stdout + run.stderr
    for needle in secrets_of_the_demo():
        assert needle not in output, f"demo output shows {needle!r}"
        assert needle.encode() not in stored, f"database holds {needle!r} in plaintext"
