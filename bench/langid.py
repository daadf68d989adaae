"""Benchmark the language detectors of nlp/language.py on short texts and on the project's corpus.

    .venv/bin/python bench/langid.py            # print the Markdown report
    .venv/bin/python bench/langid.py --write    # also replace the langid section of docs/BENCHMARKS.md

Both backends are restricted to the six deployment languages. Data: the public short texts in
../shared/data/langid/ (single words, word pairs, sentences; lg and so only to see where they are
forced) and whatever lines of nlp/corpus/<lang>.jsonl exist now. Each backend runs in its own
subprocess, so its load time and memory are not polluted by the other one.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import phonenumbers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable

from nlp.language import (  # noqa: E402
    DEFAULT_BACKEND,
    MIN_CONFIDENCE,
    SUPPORTED_LANGUAGES,
    LanguageGuess,
    LanguageHints,
    choose_language,
    make_detector,
)

BACKENDS = ("lingua", "langdetect")
SHARED_DIR = ROOT.parent / "shared" / "data" / "langid"
CORPUS_DIR = ROOT / "nlp" / "corpus"
DOC_PATH = ROOT / "docs" / "BENCHMARKS.md"
START_MARKER = "<!-- langid:start -->"
END_MARKER = "<!-- langid:end -->"

SHARED_BUCKETS = {"single-words": "single word", "word-pairs": "word pair", "sentences": "sentence"}
CORPUS_BUCKETS = ("<20 chars", "20-60 chars", ">60 chars")
UNSUPPORTED = ("lg", "so")  # in the shared data, outside the deployment
WARMUP_CALLS = 200
PROBES = 5
SEED = 20240601

# A country per language for the phone-number scenario (phonenumbers' example numbers, not real).
PHONE_REGION = {"en": "GB", "es": "MX", "fr": "SN", "pt": "BR", "sw": "KE", "ar": "EG"}


@dataclass(frozen=True)
class Sample:
    text: str
    lang: str
    source: str  # "shared" or "corpus"
    bucket: str


@dataclass(frozen=True)
class LoadCost:
    """Building one detector in a fresh process, measured PROBES times (RSS varies from run to run)."""

    load_s: list[float]
    rss_mb: list[float]  # RSS increase once built
    peak_mb: list[float]  # peak RSS increase while building


@dataclass(frozen=True)
class BackendRun:
    backend: str
    guesses: list[LanguageGuess | None]
    times_us: list[float]
    growth_mb: float  # RSS growth while detecting all the texts
    cost: LoadCost


# --- data -------------------------------------------------------------------------------------


def load_shared(per_file: int | None, rng: random.Random) -> list[Sample]:
    """Shared short texts; per_file samples each file (fixed seed) when set."""
    samples: list[Sample] = []
    for folder, bucket in SHARED_BUCKETS.items():
        for lang in (*SUPPORTED_LANGUAGES, *UNSUPPORTED):
            path = SHARED_DIR / folder / f"{lang}.txt"
            if not path.is_file():
                continue
            lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
            if per_file is not None and len(lines) > per_file:
                lines = rng.sample(lines, per_file)
            samples.extend(Sample(text, lang, "shared", bucket) for text in lines)
    return samples


def corpus_bucket(text: str) -> str:
    if len(text) < 20:
        return CORPUS_BUCKETS[0]
    return CORPUS_BUCKETS[1] if len(text) <= 60 else CORPUS_BUCKETS[2]


def load_corpus(corpus_dir: Path) -> tuple[list[Sample], Counter[str]]:
    """Every readable line of <lang>.jsonl; files are being written, so bad lines are counted, not fatal."""
    samples: list[Sample] = []
    skipped: Counter[str] = Counter()
    for lang in SUPPORTED_LANGUAGES:
        path = corpus_dir / f"{lang}.jsonl"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text, label = record["text"], record["lang"]
            except (json.JSONDecodeError, KeyError, TypeError):
                skipped["unreadable"] += 1
                continue
            if not isinstance(text, str) or not text.strip() or label not in SUPPORTED_LANGUAGES:
                skipped["no text or other language"] += 1
                continue
            samples.append(Sample(text, label, "corpus", corpus_bucket(text)))
    return samples, skipped


# --- one backend, in its own process ------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def probe(backend: str) -> None:
    """Build one detector in this fresh process; write load time and RSS increase on stdout."""
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    make_detector(backend, SUPPORTED_LANGUAGES)  # includes importing the library
    load_s = time.perf_counter() - start
    json.dump({"load_s": load_s, "rss_mb": rss_mb() - before, "peak_mb": peak_rss_mb() - before}, sys.stdout)


def worker(backend: str) -> None:
    """Read texts (JSON list) on stdin, write guesses, timings and RSS growth on stdout."""
    texts: list[str] = json.load(sys.stdin)
    detector = make_detector(backend, SUPPORTED_LANGUAGES)
    for text in texts[:WARMUP_CALLS]:
        detector.detect(text)
    gc.collect()
    after_build = rss_mb()
    guesses: list[list[object] | None] = []
    times_us: list[float] = []
    for text in texts:
        start_ns = time.perf_counter_ns()
        guess = detector.detect(text)
        times_us.append((time.perf_counter_ns() - start_ns) / 1000)
        guesses.append(None if guess is None else [guess.language, guess.confidence])
    json.dump({"guesses": guesses, "times_us": times_us, "growth_mb": rss_mb() - after_build}, sys.stdout)


def in_subprocess(mode: str, backend: str, stdin: str = "") -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), mode, backend],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"{mode} {backend} failed with exit code {completed.returncode}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def run_backend(backend: str, texts: list[str]) -> BackendRun:
    probes = [in_subprocess("--probe", backend) for _ in range(PROBES)]
    cost = LoadCost(*([p[key] for p in probes] for key in ("load_s", "rss_mb", "peak_mb")))
    raw = in_subprocess("--worker", backend, json.dumps(texts, ensure_ascii=False))
    guesses = [None if g is None else LanguageGuess(g[0], g[1]) for g in raw["guesses"]]
    return BackendRun(backend, guesses, raw["times_us"], raw["growth_mb"], cost)


class ReplayDetector:
    """Answers what the backend answered in its subprocess, so choose_language can be replayed."""

    def __init__(self, name: str, answers: dict[str, LanguageGuess | None]) -> None:
        self.name = name
        self._answers = answers

    def detect(self, text: str) -> LanguageGuess | None:
        return self._answers[text]


# --- metrics ----------------------------------------------------------------------------------


def pct(hits: int, total: int) -> str:
    return f"{hits / total:.1%}" if total else "–"


def accuracy_by(
    samples: Sequence[Sample], predicted: Sequence[str | None], key: Callable[[Sample], str]
) -> dict[str, tuple[int, int]]:
    """(hits, total) per key value."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sample, language in zip(samples, predicted):
        cell = counts[key(sample)]
        cell[0] += language == sample.lang
        cell[1] += 1
    return {name: (hits, total) for name, (hits, total) in counts.items()}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def languages_of(run: BackendRun) -> list[str | None]:
    return [None if guess is None else guess.language for guess in run.guesses]


# --- report sections --------------------------------------------------------------------------


def shared_accuracy_section(samples: list[Sample], runs: dict[str, list[str | None]]) -> str:
    buckets = list(SHARED_BUCKETS.values())
    headers = ["language", *(f"{backend} {bucket}" for backend in runs for bucket in buckets)]
    by_cell = {
        backend: accuracy_by(samples, predicted, lambda s: f"{s.lang}/{s.bucket}")
        for backend, predicted in runs.items()
    }
    by_bucket = {backend: accuracy_by(samples, predicted, lambda s: s.bucket) for backend, predicted in runs.items()}
    rows = [
        [lang, *(pct(*by_cell[b].get(f"{lang}/{bucket}", (0, 0))) for b in runs for bucket in buckets)]
        for lang in SUPPORTED_LANGUAGES
    ]
    totals = (pct(*by_bucket[b].get(bucket, (0, 0))) for b in runs for bucket in buckets)
    rows.append(["**all six**", *(f"**{total}**" for total in totals)])
    return "### Accuracy on the shared short texts (six languages)\n\n" + table(headers, rows)


def confident(samples: Sequence[Sample], guesses: Sequence[LanguageGuess | None]) -> tuple[int, int, int]:
    """(texts, confident guesses, right confident guesses) where confident means >= MIN_CONFIDENCE."""
    sure = [(s, g) for s, g in zip(samples, guesses) if g is not None and g.confidence >= MIN_CONFIDENCE]
    return len(samples), len(sure), sum(g.language == s.lang for s, g in sure)


def calibration_section(samples: list[Sample], runs: dict[str, BackendRun]) -> str:
    """Is the confidence worth a threshold? Share of confident guesses and how often they are right."""
    rows = []
    for backend, run in runs.items():
        for bucket in SHARED_BUCKETS.values():
            picked = [(s, g) for s, g in zip(samples, run.guesses) if s.bucket == bucket]
            total, sure, right = confident([s for s, _ in picked], [g for _, g in picked])
            wrong_total = total - sure
            rest_right = sum(g is not None and g.language == s.lang for s, g in picked) - right
            rows.append([backend, bucket, pct(sure, total), pct(right, sure), pct(rest_right, wrong_total)])
    headers = ["backend", "bucket", f"confidence ≥ {MIN_CONFIDENCE}", "right when confident", "right otherwise"]
    return "### Is the confidence meaningful? (shared texts, six languages)\n\n" + table(headers, rows)


def forced_section(samples: list[Sample], runs: dict[str, BackendRun]) -> str:
    """Where Luganda and Somali texts end up, and how often they would decide the reply language."""
    rows = []
    for backend, run in runs.items():
        replay = ReplayDetector(backend, {s.text: g for s, g in zip(samples, run.guesses)})
        for lang in UNSUPPORTED:
            for bucket in SHARED_BUCKETS.values():
                picked = [(s, g) for s, g in zip(samples, run.guesses) if s.lang == lang and s.bucket == bucket]
                if not picked:
                    continue
                counts = Counter(g.language if g else "none" for _, g in picked)
                top = ", ".join(f"{code} {n / len(picked):.0%}" for code, n in counts.most_common(3))
                sure = sum(1 for _, g in picked if g and g.confidence >= MIN_CONFIDENCE)
                # With no hints, choose_language falls back to `default` unless the text is decisive.
                decisive = sum(
                    choose_language(s.text, LanguageHints(), replay, SUPPORTED_LANGUAGES, default="-") != "-"
                    for s, _ in picked
                )
                rows.append([backend, lang, bucket, top, pct(sure, len(picked)), pct(decisive, len(picked))])
    headers = [
        "backend",
        "language",
        "bucket",
        "comes out as (top 3)",
        f"confidence ≥ {MIN_CONFIDENCE}",
        "decides the reply language",
    ]
    note = (
        "Luganda (lg) and Somali (so) are not deployment languages: a restricted detector must answer one "
        "of the six. The last column is how often that wrong answer is decisive for `choose_language` "
        "(long and confident enough to pick or switch the conversation's language on its own)."
    )
    return "### Luganda and Somali forced into the six\n\n" + note + "\n\n" + table(headers, rows)


ARABIC_LETTERS = re.compile(r"[\u0600-\u06FF]")


def corpus_section(samples: list[Sample], runs: dict[str, list[str | None]], skipped: Counter[str]) -> str:
    title = "### Accuracy on the project corpus (nlp/corpus/*.jsonl)\n\n"
    if not samples:
        return title + "No corpus lines were found when this ran: re-run once nlp/corpus/ has data."
    per_lang = Counter(s.lang for s in samples)
    found = ", ".join(f"{lang} {per_lang[lang]}" for lang in SUPPORTED_LANGUAGES)
    note = f"{len(samples)} texts ({found})"
    if skipped:
        note += "; skipped: " + ", ".join(f"{n} {why}" for why, n in skipped.items())
    arabic = [s for s in samples if s.lang == "ar"]
    arabizi = [s for s in arabic if not ARABIC_LETTERS.search(s.text)]
    if arabizi:
        note += (
            f". {len(arabizi)} of the {len(arabic)} Arabic lines are Arabizi (Arabic in Latin letters and digits), "
            "which neither library knows as Arabic: make_detector recognises them first (nlp.language.is_arabizi, "
            "issue 14), so the Arabic misses left are the Arabizi lines without digits or common Arabizi words"
        )
    keys = [*SUPPORTED_LANGUAGES, *CORPUS_BUCKETS]
    counts = Counter(s.lang for s in samples) + Counter(s.bucket for s in samples)
    cells = {
        backend: accuracy_by(samples, predicted, lambda s: s.lang)
        | accuracy_by(samples, predicted, lambda s: s.bucket)
        | accuracy_by(samples, predicted, lambda s: "all")
        for backend, predicted in runs.items()
    }
    rows = [[key, counts[key], *(pct(*cells[b].get(key, (0, 0))) for b in runs)] for key in keys]
    rows.append(["**all**", len(samples), *(f"**{pct(*cells[b]['all'])}**" for b in runs)])
    return title + note + ".\n\n" + table(["language / length", "texts", *runs], rows)


def speed_section(samples: list[Sample], runs: dict[str, BackendRun]) -> str:
    buckets = [b for b in (*SHARED_BUCKETS.values(), *CORPUS_BUCKETS) if any(s.bucket == b for s in samples)]
    totals, by_length = [], []
    for backend, run in runs.items():
        times = run.times_us
        cost = run.cost
        totals.append(
            [
                backend,
                f"{statistics.median(times):.0f}",
                f"{percentile(times, 0.99):.0f}",
                f"{1e6 / statistics.fmean(times):,.0f}",
                f"{statistics.median(cost.load_s):.2f} ({min(cost.load_s):.2f}–{max(cost.load_s):.2f})",
                f"{statistics.median(cost.rss_mb):.0f} ({min(cost.rss_mb):.0f}–{max(cost.rss_mb):.0f})",
                f"{statistics.median(cost.peak_mb):.0f}",
                f"{run.growth_mb:.0f}",
            ]
        )
        per_bucket: dict[str, list[float]] = defaultdict(list)
        for sample, elapsed in zip(samples, times):
            per_bucket[sample.bucket].append(elapsed)
        by_length.append([backend, *(f"{statistics.median(per_bucket[b]):.0f}" for b in buckets)])
    headers = [
        "backend",
        "median µs",
        "p99 µs",
        "calls/s",
        "load s",
        "RSS MB built",
        "peak RSS MB building",
        "RSS MB growth in run",
    ]
    note = (
        f"One `detect()` call per text ({len(samples)} texts, all of the above), after {WARMUP_CALLS} warm-up "
        f"calls, each backend in its own fresh process. Load time and memory: `make_detector()` (including "
        f"the library import) in {PROBES} more fresh processes per backend, median (min–max); RSS is the "
        "increase over the process before building. Growth in run: RSS added while detecting every text."
    )
    return (
        "### Speed, load time and memory\n\n"
        + note
        + "\n\n"
        + table(headers, totals)
        + "\n\nMedian µs per call by length:\n\n"
        + table(["backend", *buckets], by_length)
    )


def hint_scenarios() -> dict[str, Callable[[Sample], LanguageHints]]:
    phones = {
        lang: phonenumbers.format_number(
            phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE),
            phonenumbers.PhoneNumberFormat.E164,
        )
        for lang, region in PHONE_REGION.items()
    }
    # A wrong established language for each: the next one in the list.
    langs = SUPPORTED_LANGUAGES
    other = {lang: langs[(i + 1) % len(langs)] for i, lang in enumerate(langs)}
    return {
        "no hints (default en)": lambda s: LanguageHints(),
        "phone of the sender's country": lambda s: LanguageHints(phone_number=phones[s.lang]),
        "established = the right language": lambda s: LanguageHints(established=s.lang),
        "established = another language": lambda s: LanguageHints(established=other[s.lang]),
    }


def hints_section(title: str, samples: list[Sample], buckets: Sequence[str], runs: dict[str, BackendRun]) -> str:
    """Accuracy of the reply language: raw detection vs choose_language under several hints."""
    if not samples:
        return ""
    rows = []
    for backend, run in runs.items():
        answers = {s.text: g for s, g in zip(samples, run.guesses)}
        replay = ReplayDetector(backend, answers)
        raw = [answers[s.text].language if answers[s.text] else None for s in samples]
        rows.append(_hint_row(backend, "detector alone", samples, raw, buckets))
        for scenario, make_hints in hint_scenarios().items():
            chosen = [choose_language(s.text, make_hints(s), replay, SUPPORTED_LANGUAGES) for s in samples]
            rows.append(_hint_row(backend, scenario, samples, chosen, buckets))
    note = (
        "Share of texts answered in the right language. *established = another language* is a "
        "conversation that started in the wrong language (or a reporter who changed language): only a "
        "decisive message can correct it, so short texts stay wrong by design. The phone number's country "
        "always matches the text's language here: that row is the best case."
    )
    return f"### {title}\n\n{note}\n\n" + table(["backend", "scenario", *buckets, "all"], rows)


def _hint_row(
    backend: str, scenario: str, samples: list[Sample], predicted: Sequence[str | None], buckets: Sequence[str]
) -> list[str]:
    cells = accuracy_by(samples, predicted, lambda s: s.bucket)
    overall = accuracy_by(samples, predicted, lambda s: "all")["all"]
    return [backend, scenario, *(pct(*cells.get(b, (0, 0))) for b in buckets), pct(*overall)]


# --- recommendation and output ----------------------------------------------------------------


def score(samples: list[Sample], predicted: Sequence[str | None], buckets: set[str]) -> float | None:
    picked = [(s, p) for s, p in zip(samples, predicted) if s.bucket in buckets and s.lang in SUPPORTED_LANGUAGES]
    return sum(p == s.lang for s, p in picked) / len(picked) if picked else None


def _confident_accuracy(samples: Sequence[Sample], guesses: Sequence[LanguageGuess | None], bucket: str) -> float:
    picked = [(s, g) for s, g in zip(samples, guesses) if s.bucket == bucket and s.lang in SUPPORTED_LANGUAGES]
    _, sure, right = confident([s for s, _ in picked], [g for _, g in picked])
    return right / sure if sure else 0.0


@dataclass(frozen=True)
class Summary:
    """The numbers the choice of default rests on, for one backend."""

    short: float  # accuracy on shared single words and word pairs
    sentence: float
    corpus: float | None  # None while the corpus is empty
    median_us: float
    rss_mb: float
    pair_sure: float  # accuracy of confident guesses on word pairs


def summarize(samples: list[Sample], run: BackendRun) -> Summary:
    predicted = languages_of(run)
    return Summary(
        short=score(samples, predicted, {"single word", "word pair"}) or 0.0,
        sentence=score(samples, predicted, {"sentence"}) or 0.0,
        corpus=score(samples, predicted, set(CORPUS_BUCKETS)),
        median_us=statistics.median(run.times_us),
        rss_mb=statistics.median(run.cost.rss_mb),
        pair_sure=_confident_accuracy(samples, run.guesses, "word pair"),
    )


def recommendation(samples: list[Sample], runs: dict[str, BackendRun]) -> tuple[str, str]:
    """The backend to default to and a paragraph saying why (accuracy first, then speed and memory)."""
    stats = {backend: summarize(samples, run) for backend, run in runs.items()}

    def rank(backend: str) -> tuple[float, float]:
        summary = stats[backend]
        accuracy = summary.short + (summary.corpus or 0.0)
        return round(accuracy, 2), -summary.median_us  # within a point of accuracy, the faster one

    best = max(runs, key=rank)
    other = next(b for b in runs if b != best)
    s, o = stats[best], stats[other]
    corpus_text = (
        f"on the project corpus {s.corpus:.1%} vs {o.corpus:.1%}"
        if s.corpus is not None and o.corpus is not None
        else "the project corpus had no data yet, so this rests on the shared texts"
    )
    reason = (
        f"**Default: `{best}`.** On single words and word pairs, the texts an SMS conversation is full of, it "
        f"is right {s.short:.1%} of the time against {o.short:.1%} for {other}; on sentences "
        f"{s.sentence:.1%} vs {o.sentence:.1%}; {corpus_text}. A call takes {s.median_us:.0f} µs (median) "
        f"against {o.median_us:.0f} µs, and building it costs {s.rss_mb:.0f} MB of RSS against {o.rss_mb:.0f} MB"
    )
    reason += (
        ", paid once by each process that detects languages: worth it for the accuracy on short texts."
        if s.rss_mb > o.rss_mb
        else "."
    )
    reason += (
        f" Its confidence also means something: on word pairs, a guess with confidence ≥ {MIN_CONFIDENCE} is "
        f"right {s.pair_sure:.1%} of the time against {o.pair_sure:.1%} for {other}, so "
        "`choose_language` can trust a confident long message and leave the rest to the hints."
    )
    return best, reason


def environment_line() -> str:
    versions = ", ".join(f"{pkg} {metadata.version(pkg)}" for pkg in ("langdetect", "lingua-language-detector"))
    return f"Python {platform.python_version()}, {versions}, {os.cpu_count()} CPU(s), {platform.machine()}."


def build_report(
    command: str, samples: list[Sample], skipped: Counter[str], runs: dict[str, BackendRun], per_file: int | None
) -> str:
    predicted = {backend: languages_of(run) for backend, run in runs.items()}
    in_scope = [i for i, s in enumerate(samples) if s.source == "shared" and s.lang in SUPPORTED_LANGUAGES]
    corpus = [i for i, s in enumerate(samples) if s.source == "corpus"]
    unsupported = [i for i, s in enumerate(samples) if s.lang in UNSUPPORTED]

    def subset(indices: list[int]) -> tuple[list[Sample], dict[str, list[str | None]], dict[str, BackendRun]]:
        sub_runs = {
            b: replace(r, guesses=[r.guesses[i] for i in indices], times_us=[r.times_us[i] for i in indices])
            for b, r in runs.items()
        }
        return [samples[i] for i in indices], {b: [p[i] for i in indices] for b, p in predicted.items()}, sub_runs

    shared_samples, shared_pred, shared_runs = subset(in_scope)
    corpus_samples, corpus_pred, corpus_runs = subset(corpus)
    forced_samples, _, forced_runs = subset(unsupported)
    best, reason = recommendation(samples, runs)
    mismatch = (
        ""
        if best == DEFAULT_BACKEND
        else (f"\n\n**Note:** `nlp.language.DEFAULT_BACKEND` is `{DEFAULT_BACKEND}`, not the measured `{best}`.")
    )
    sampled = f"{per_file} texts sampled per file (seed {SEED})" if per_file else "every line"
    sections = [
        "## Language identification (nlp/language.py)",
        f"Produced by `{command}` on {datetime.now(UTC):%Y-%m-%d}. {environment_line()} "
        f"Both backends restricted to {', '.join(SUPPORTED_LANGUAGES)}. Shared texts: lingua-py's test data "
        f"(Leipzig news text, see shared/data/langid/README.md), {sampled}.",
        reason + mismatch,
        shared_accuracy_section(shared_samples, shared_pred),
        calibration_section(shared_samples, shared_runs),
        corpus_section(corpus_samples, corpus_pred, skipped),
        hints_section("What the hints buy: project corpus", corpus_samples, CORPUS_BUCKETS, corpus_runs),
        hints_section(
            "What the hints buy: shared short texts", shared_samples, list(SHARED_BUCKETS.values()), shared_runs
        ),
        forced_section(forced_samples, forced_runs),
        speed_section(samples, runs),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def write_section(report: str, path: Path = DOC_PATH) -> None:
    """Replace only the text between the langid markers; create the file or append the section if missing."""
    section = f"{START_MARKER}\n{report}{END_MARKER}"
    current = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    start, end = current.find(START_MARKER), current.find(END_MARKER)
    if start != -1 and end > start:
        updated = current[:start] + section + current[end + len(END_MARKER) :]
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".langid.tmp")
    temporary.write_text(updated, encoding="utf-8")
    os.replace(temporary, path)  # others edit this file too: never leave it half-written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"replace the langid section of {DOC_PATH.name}")
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        metavar="N",
        help="use N random lines per shared file (fixed seed) instead of all",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="folder of <lang>.jsonl files")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--probe", choices=BACKENDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.probe:
        probe(args.probe)
        return 0

    rng = random.Random(SEED)
    corpus, skipped = load_corpus(args.corpus)
    samples = load_shared(args.sample, rng) + corpus
    if not samples:
        print(f"no data found in {SHARED_DIR} or {args.corpus}", file=sys.stderr)
        return 1
    texts = [s.text for s in samples]
    runs = {backend: run_backend(backend, texts) for backend in BACKENDS}
    command = " ".join([".venv/bin/python", "bench/langid.py", *(argv if argv is not None else sys.argv[1:])])
    report = build_report(command, samples, skipped, runs, args.sample)
    print(report)
    if args.write:
        write_section(report)
        print(f"wrote the langid section of {DOC_PATH.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
