"""`bot.py train` and `bot.py evaluate`: bot.py calls `register(commands)` with its subparsers object.

    bot.py train                                   the shipped pipeline from nlp/corpus into var/model
    bot.py train --output DIR                      the same, elsewhere
    bot.py train --data F.csv --text-column C --label-columns a,b,c [--multilabel] --output DIR [--dev F2]
                                                   a type model for any label set
    bot.py evaluate                                the shipped pipeline on the held-out split (JSON)
    bot.py evaluate --model DIR --data FILE        per-label metrics of any model on a labelled file (JSON)

Every expected failure (missing file or column, unknown label value, no model) is one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from settings import ConfigError, Settings

EXIT_USAGE = 2


def _error(message: str) -> int:
    print(f"salama: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _command_line() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else []
    return " ".join(shlex.quote(a) for a in argv)


def _columns(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from nlp.corpus import CorpusError
    from nlp.training import DataError, train_custom, train_shipped

    try:
        if args.data is None:
            for flag, value in (
                ("--label-columns", args.label_columns),
                ("--dev", args.dev),
                ("--multilabel", args.multilabel),
            ):
                if value:
                    return _error(f"{flag} needs --data FILE")
            output = Path(args.output) if args.output else _default_model_dir()
            if args.include_corrections:
                with tempfile.TemporaryDirectory() as folder:
                    corpus = _corpus_with_corrections(Path(folder), settings)
                    train_shipped(
                        output, config_name=args.config, seed=args.seed, command=_command_line(), corpus_dir=corpus
                    )
                return 0
            train_shipped(output, config_name=args.config, seed=args.seed, command=_command_line())
            return 0
        labels = _columns(args.label_columns)
        if not labels:
            return _error("--data needs --label-columns a,b,c (the 0/1 columns, one per label)")
        if not args.output:
            return _error("--data needs --output DIR (var/model holds the shipped model)")
        train_custom(
            Path(args.data),
            args.text_column,
            labels,
            args.multilabel,
            Path(args.output),
            dev_file=Path(args.dev) if args.dev else None,
            config_name=args.config,
            seed=args.seed,
            command=_command_line(),
        )
        return 0
    except (DataError, CorpusError, ConfigError) as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename or ''}: {exc.strerror or exc}")


def _corpus_with_corrections(folder: Path, settings: Settings) -> Path:
    """The corpus plus responders' corrections from the database, appended to each language's file."""
    import asyncio
    import json

    from nlp.corpus import CORPUS_DIR, normalise
    from storage.corrections import correction_examples
    from storage.crypto import Vault
    from storage.db import Database

    if not settings.secret_key:
        raise ConfigError("SALAMA_SECRET_KEY: needed to read the corrections' text")

    async def fetch() -> list[dict[str, object]]:
        db = Database(settings.database_url)
        try:
            return await correction_examples(db, Vault(settings.secret_key or ""))
        finally:
            await db.dispose()

    # A responder's correction is the better label: it replaces a corpus line with the same text, and the
    # latest correction of a text wins over earlier ones.
    corrected = {normalise(str(example["text"])): example for example in asyncio.run(fetch())}
    replaced = 0
    for path in CORPUS_DIR.glob("*.jsonl"):
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if _line_text(line) in corrected:
                replaced += 1
                continue
            kept.append(line + "\n")
        (folder / path.name).write_text("".join(kept), encoding="utf-8")
    for example in corrected.values():
        with (folder / f"{example['lang']}.jsonl").open("a", encoding="utf-8") as corpus_file:
            corpus_file.write(json.dumps(example, ensure_ascii=False) + "\n")
    _stderr_line(f"corrections: {len(corrected)} added from the database ({replaced} corpus lines relabelled)")
    return folder


def _line_text(line: str) -> str:
    """A corpus line's normalised text ("" when it is not a JSON object: training reports that line)."""
    import json

    from nlp.corpus import normalise

    try:
        item = json.loads(line)
    except ValueError:
        return ""
    return normalise(str(item.get("text", ""))) if isinstance(item, dict) else ""


def _stderr_line(line: str) -> None:
    print(line, file=sys.stderr)


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from nlp.corpus import CorpusError
    from nlp.training import DataError, evaluate_model, evaluate_shipped

    try:
        model = Path(args.model) if args.model else _default_model_dir()
        if args.data is None:
            if args.label_columns:
                return _error("--label-columns needs --data FILE")
            from nlp.model import load_classifier

            load_classifier(model)  # a clear "run make model" when it is missing
            result: dict[str, Any] = evaluate_shipped(model, split_name=args.split)
        else:
            from nlp.model import load_classifier

            load_classifier(model)
            result = evaluate_model(model, Path(args.data), args.text_column, _columns(args.label_columns) or None)
    except (DataError, CorpusError, ConfigError) as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename or ''}: {exc.strerror or exc}")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _default_model_dir() -> Path:
    from nlp.model import default_model_dir

    return default_model_dir()


def register(commands: Any) -> None:
    """Add `train` and `evaluate` to bot.py's subparsers."""
    from nlp.training import DEFAULT_CONFIG, DEFAULT_SEED

    train = commands.add_parser(
        "train",
        help="train the triage pipeline from nlp/corpus into var/model, or a type model from a CSV/JSONL",
        description="Without --data: the shipped pipeline (types + urgency) from nlp/corpus, thresholds tuned on "
        "the dev split. With --data: a type model for the label columns given.",
    )
    train.add_argument("--data", metavar="FILE", help="a .csv (with header) or .jsonl file of labelled texts")
    train.add_argument("--text-column", default="text", metavar="C", help="column holding the text (default: text)")
    train.add_argument("--label-columns", metavar="a,b,c", help="label columns holding 0/1 or true/false")
    train.add_argument("--multilabel", action="store_true", help="a row may have several labels (default: exactly one)")
    train.add_argument("--dev", metavar="FILE", help="dev file for threshold tuning (default: a stable 20%% of --data)")
    train.add_argument("--output", metavar="DIR", help="model directory (default for the shipped model: var/model)")
    train.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        metavar="NAME",
        help=f"a config in nlp/configs/ or a .cfg path (default: {DEFAULT_CONFIG})",
    )
    train.add_argument(
        "--include-corrections",
        action="store_true",
        help="add responders' type corrections from DATABASE_URL to the corpus",
    )
    train.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    train.set_defaults(handler=cmd_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="held-out metrics of the shipped pipeline, or of a model on a labelled file (JSON)",
        description="Without --data: the model (default var/model) on the corpus's held-out split: per-language and "
        "per-type P/R/F1, urgency confusion matrix, emergency recall/precision with and without the safety net. "
        "With --data: per-label accuracy/P/R/F1, 1 - Hamming loss, exact match, macro-F1.",
    )
    evaluate.add_argument("--model", metavar="DIR", help="model directory (default: var/model)")
    evaluate.add_argument("--data", metavar="FILE", help="a labelled .csv or .jsonl file")
    evaluate.add_argument("--text-column", default=None, metavar="C", help="text column (default: the model's)")
    evaluate.add_argument("--label-columns", metavar="a,b,c", help="label columns (default: the model's)")
    evaluate.add_argument("--split", default="test", choices=("test", "dev"), help=argparse.SUPPRESS)
    evaluate.set_defaults(handler=cmd_evaluate)


def load_triage_classifier(model_dir: str | None):  # type: ignore[no-untyped-def]
    """For `bot.py triage --model DIR`: DIR's types with the shipped urgency model (and safety net, which
    Triage always applies); without DIR, the shipped pipeline. Raises ModelError (a ConfigError)."""
    from nlp.model import load_triage_classifier as load

    return load(model_dir)
