"""The triage corpus (nlp/corpus/<lang>.jsonl): loading, validation and the fixed splits.

Each line is ``{"text": ..., "lang": ..., "types": [...], "urgency": ...}`` (see GUIDELINES.md there).
A line's split depends only on its normalised text (folded, punctuation and spaces collapsed), through a
salted SHA-256: a line keeps its split when others are added or files are reordered, and two lines that
differ only in case, accents or punctuation always land in the same split. About 20% is the held-out
``test`` split; about 15% of the rest is ``dev`` (threshold tuning, epoch choice); the remainder is
``train``. Training never reads ``test``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.text import fold
from taxonomy import INCIDENT_TYPES, URGENCIES

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "sw", "ar")
# The labels are the deployment's taxonomy (DESIGN.md): one list, kept in routing/deployment.py.
TYPE_LABELS: tuple[str, ...] = INCIDENT_TYPES
URGENCY_LABELS: tuple[str, ...] = URGENCIES
SPLITS: tuple[str, ...] = ("train", "dev", "test")

TEST_FRACTION = 0.20
DEV_FRACTION = 0.15  # of what is not test
_TEST_SALT = "salama-heldout-v1:"
_DEV_SALT = "salama-dev-v1:"

_NON_WORD = re.compile(r"[^\w]+")


class CorpusError(ValueError):
    """A corpus or data file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    types: tuple[str, ...]
    urgency: str
    source: str = ""  # "file:line", for messages
    split: str = ""


def normalise(text: str) -> str:
    """The key the split is computed from: folded, punctuation dropped, spaces collapsed."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def _unit(salt: str, key: str) -> float:
    digest = hashlib.sha256((salt + key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(text: str, test_fraction: float = TEST_FRACTION, dev_fraction: float = DEV_FRACTION) -> str:
    """'test', 'dev' or 'train' for this text: stable, and independent of every other line."""
    key = normalise(text)
    if _unit(_TEST_SALT, key) < test_fraction:
        return "test"
    if _unit(_DEV_SALT, key) < dev_fraction:
        return "dev"
    return "train"


def is_dev(text: str, dev_fraction: float) -> bool:
    """Dev membership alone (for data sets with no held-out test split, such as `train --data`)."""
    return _unit(_DEV_SALT, normalise(text)) < dev_fraction


def parse_line(raw: str, where: str, expected_lang: str | None = None) -> Example:
    """One corpus line -> Example; raises CorpusError naming `where` (file:line) and the problem."""
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise CorpusError(f"{where}: expected a JSON object")
    missing = [key for key in ("text", "lang", "types", "urgency") if key not in item]
    if missing:
        raise CorpusError(f"{where}: missing field(s) {', '.join(missing)}")
    text, lang, types, urgency = item["text"], item["lang"], item["types"], item["urgency"]
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: 'text' must be a non-empty string")
    if lang not in LANGUAGES:
        raise CorpusError(f"{where}: unknown lang {lang!r} (expected one of {', '.join(LANGUAGES)})")
    if expected_lang is not None and lang != expected_lang:
        raise CorpusError(f"{where}: lang {lang!r} in the file for {expected_lang!r}")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise CorpusError(f"{where}: 'types' must be a non-empty list of labels")
    unknown = [t for t in types if t not in TYPE_LABELS]
    if unknown:
        raise CorpusError(f"{where}: unknown type(s) {', '.join(map(repr, unknown))}")
    if len(set(types)) != len(types):
        raise CorpusError(f"{where}: a type is repeated in {types}")
    if "other" in types and len(types) > 1:
        raise CorpusError(f"{where}: 'other' is never combined with another type")
    if urgency not in URGENCY_LABELS:
        raise CorpusError(f"{where}: unknown urgency {urgency!r} (expected one of {', '.join(URGENCY_LABELS)})")
    return Example(text=text, lang=lang, types=tuple(types), urgency=urgency, source=where, split=split_of(text))


def corpus_files(corpus_dir: Path = CORPUS_DIR, languages: Iterable[str] = LANGUAGES) -> list[Path]:
    return [corpus_dir / f"{lang}.jsonl" for lang in languages if (corpus_dir / f"{lang}.jsonl").exists()]


def read_file(path: Path, check_lang: bool = False) -> list[Example]:
    """A file's lines. A line's `lang` may differ from the file's name (code-switched text is labelled
    with the language it is mostly in); `check_lang` makes that an error."""
    expected = path.stem if check_lang and path.stem in LANGUAGES else None
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                examples.append(parse_line(raw, f"{path.name}:{number}", expected))
    return examples


def load_corpus(corpus_dir: Path = CORPUS_DIR, languages: Iterable[str] = LANGUAGES) -> list[Example]:
    """Every line of every language file, validated; raises CorpusError on the first bad line or a
    text that appears twice with different labels (the same text in two places must agree)."""
    examples: list[Example] = []
    for path in corpus_files(corpus_dir, languages):
        examples.extend(read_file(path))
    seen: dict[str, Example] = {}
    for example in examples:
        key = normalise(example.text)
        first = seen.setdefault(key, example)
        if first is not example and (set(first.types), first.urgency) != (set(example.types), example.urgency):
            raise CorpusError(f"{example.source}: same text as {first.source} with different labels")
    return examples


def deduplicate(examples: Sequence[Example]) -> list[Example]:
    """One example per normalised text (the first), so a repeated line does not count twice."""
    seen: set[str] = set()
    unique = []
    for example in examples:
        key = normalise(example.text)
        if key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


def split(examples: Sequence[Example], name: str) -> list[Example]:
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}")
    return [e for e in examples if e.split == name]


def corpus_hash(corpus_dir: Path = CORPUS_DIR, languages: Iterable[str] = LANGUAGES) -> str:
    """SHA-256 over the language files' names and bytes: names the data a model was trained on."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir, languages):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def summary(examples: Sequence[Example]) -> dict:
    """Counts per language, split, type and urgency (for reports and the corpus test)."""
    out: dict = {"lines": len(examples), "by_language": {}}
    for lang in LANGUAGES:
        mine = [e for e in examples if e.lang == lang]
        out["by_language"][lang] = {
            "lines": len(mine),
            "splits": dict(Counter(e.split for e in mine)),
            "types": {label: sum(label in e.types for e in mine) for label in TYPE_LABELS},
            "urgency": dict(Counter(e.urgency for e in mine)),
        }
    out["lang_differs_from_file"] = [e.source for e in examples if e.source.split(".")[0] != e.lang]
    return out
