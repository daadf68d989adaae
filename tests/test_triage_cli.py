"""`bot.py triage --jsonl`: the stable interface later evaluations use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URGENCIES = {"emergency", "urgent", "routine"}


def triage(lines: list[str], *args: str) -> list[dict]:
    run = subprocess.run(
        [sys.executable, "bot.py", "triage", "--jsonl", *args],
        cwd=ROOT,
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_triage_jsonl_gives_one_line_per_input_with_the_stable_fields() -> None:
    inputs = [
        {"text": "Shots fired near the Harbour right now, a man is down"},
        {"text": "La policía me pegó en la comisaría el año pasado", "lang": "es"},
        {"text": "Hakuna taa kabisa barabara ya Mtoni usiku, ni giza tupu", "channel": "sms"},
    ]
    results = triage([json.dumps(item, ensure_ascii=False) for item in inputs])
    assert len(results) == 3
    for result in results:
        assert set(result) >= {"language", "types", "urgency", "urgency_scores", "safety_cues", "area", "groups"}
        assert result["urgency"] in URGENCIES and set(result["urgency_scores"]) == URGENCIES
        scores = [t["score"] for t in result["types"]]
        assert scores == sorted(scores, reverse=True) and all(set(t) == {"label", "score"} for t in result["types"])
    gun, police, dark = results
    assert gun["language"] == "en" and gun["urgency"] == "emergency" and gun["area"] == "Harbour"
    assert gun["types"][0]["label"] == "gun_violence"
    assert set(gun["groups"]) == {"crisis_responders", "gbv_specialists"}
    assert "weapon_now" in gun["safety_cues"] and police["safety_cues"] == []  # the net names what it saw
    assert police["language"] == "es" and "police_misconduct" in [t["label"] for t in police["types"]]
    assert police["groups"] == ["oversight"]
    assert dark["area"] == "Riverside" and dark["types"][0]["label"] == "unsafe_place" and dark["groups"] == []


def test_triage_reports_bad_lines_and_goes_on() -> None:
    results = triage(["not json", json.dumps({"txt": "x"}), json.dumps({"text": "I was robbed at the market"})])
    assert "error" in results[0] and "line 1" in results[0]["error"]
    assert "error" in results[1]
    assert results[2]["types"][0]["label"] == "robbery"
