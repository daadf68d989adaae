"""A responder's "wrong type" becomes a labelled line that `bot.py train --include-corrections` trains on."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select

from demo.harness import Harness
from nlp.commands import _corpus_with_corrections
from nlp.corpus import CORPUS_DIR, load_corpus
from storage.models import Report

LUCIA = "+15555550101"  # a crisis responder on SMS in config/demo-city.yaml


async def test_corrections_join_the_training_corpus(sqlite_harness: Harness, tmp_path: Path) -> None:
    text = "Men with knives are robbing cars on the Harbour road right now"
    await sqlite_harness.sms("+15555550701", text)
    async with sqlite_harness.services.db.sessions() as session:
        report = (await session.scalars(select(Report))).one()
    await sqlite_harness.sms(LUCIA, f"ACK {report.reference}")  # only the responder who took it corrects it
    await sqlite_harness.sms(LUCIA, f"TYPE {report.reference} gun_violence")

    settings = sqlite_harness.settings
    corpus = await asyncio.to_thread(_corpus_with_corrections, tmp_path, settings)  # it runs its own loop
    english = (corpus / "en.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(english) == len((CORPUS_DIR / "en.jsonl").read_text(encoding="utf-8").splitlines()) + 1
    added = json.loads(english[-1])
    assert added == {"text": text, "lang": "en", "types": ["gun_violence"], "urgency": report.urgency}
    assert (CORPUS_DIR / "en.jsonl").read_text(encoding="utf-8").count(text) == 0  # the shipped corpus is untouched


async def test_a_correction_relabels_a_corpus_line_with_the_same_text(sqlite_harness: Harness, tmp_path: Path) -> None:
    shipped = [json.loads(line) for line in (CORPUS_DIR / "en.jsonl").read_text(encoding="utf-8").splitlines()]
    # a street robbery happening now: routed to the crisis responders, Lucía among them
    line = next(item for item in shipped if item["types"] == ["robbery"] and item["urgency"] == "emergency")
    await sqlite_harness.sms("+15555550702", line["text"])
    async with sqlite_harness.services.db.sessions() as session:
        report = (await session.scalars(select(Report))).one()
    await sqlite_harness.sms(LUCIA, f"ACK {report.reference}")
    await sqlite_harness.sms(LUCIA, f"TYPE {report.reference} other")

    corpus = await asyncio.to_thread(_corpus_with_corrections, tmp_path, sqlite_harness.settings)
    english = [json.loads(raw) for raw in (corpus / "en.jsonl").read_text(encoding="utf-8").splitlines()]
    same_text = [item for item in english if item["text"] == line["text"]]
    assert same_text == [{"text": line["text"], "lang": "en", "types": ["other"], "urgency": report.urgency}]
    assert len(english) == len(shipped)  # replaced, not added
    load_corpus(corpus)  # the training corpus is consistent: no text with two labellings
