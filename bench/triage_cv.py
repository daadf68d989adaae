"""Outer cross-validation of training choices the architecture CV cannot judge (test split never read).

    .venv/bin/python bench/triage_cv.py                          # the shipped recipe, hybrid, no refit
    .venv/bin/python bench/triage_cv.py --refit                  # + train again on train + dev after tuning
    .venv/bin/python bench/triage_cv.py --urgency-only --target 0.985
    .venv/bin/python bench/triage_cv.py --urgency-only --config path/to/variant.cfg
    .venv/bin/python bench/triage_cv.py --override '{"components.types.model.ngram_size": 3}'

`training.cross_validate` (what `bench/triage.py --cv` reports) tunes thresholds on the fold it scores, so it
cannot say how a dev-tuned threshold transfers, nor whether refitting on train + dev pays. Here train + dev is
cut into 5 folds by a stable hash; each fold in turn is held out, the rest is split into train and dev exactly
as `bot.py train` splits the corpus (dev by the same hash), the recipe runs (`fit_shipped`: epochs and
thresholds on that dev, optionally `--refit`), and the held-out fold is scored as `bot.py evaluate` scores
test. `--urgency-only` skips the type pipeline (scores the urgency decision alone, 2-3 times faster).
Prints one line per fold and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable

import numpy as np  # noqa: E402

from nlp import corpus as corpus_mod  # noqa: E402
from nlp import training  # noqa: E402
from nlp.model import assign_types, decide_final_urgency, model_input  # noqa: E402
from nlp.safety import default_net  # noqa: E402

FOLDS = 5
_OUTER_SALT = "salama-outer-v1:"


def outer_fold(example: corpus_mod.Example) -> int:
    return int(corpus_mod._unit(_OUTER_SALT, corpus_mod.normalise(example.text)) * FOLDS)


def score_fold(config, train, dev, held, refit: bool, target: float, urgency_only: bool) -> dict:  # type: ignore[no-untyped-def]
    features = training.input_features(config)
    net = default_net()

    def pairs(items, labels, which):  # type: ignore[no-untyped-def]
        return [
            (
                model_input(e.text, e.lang, features),
                training._cats(labels, e.types if which == "types" else (e.urgency,)),
            )
            for e in items
        ]

    def scores(nlp, items, labels) -> np.ndarray:  # type: ignore[no-untyped-def]
        inputs = [model_input(e.text, e.lang, features) for e in items]
        return np.array([[doc.cats[label] for label in labels] for doc in nlp.pipe(inputs)])

    result: dict = {}
    urgency = training.train_pipeline(
        training.component_config(config, "urgency"),
        "urgency",
        training.URGENCY_LABELS,
        pairs(train, training.URGENCY_LABELS, "urgency"),
        pairs(dev, training.URGENCY_LABELS, "urgency"),
        training.DEFAULT_SEED,
    )
    dev_emergency = scores(urgency, dev, training.URGENCY_LABELS)[:, 0].tolist()
    threshold = training.tune_emergency_threshold(
        [e.urgency == "emergency" for e in dev],
        dev_emergency,
        [net.check(e.text).emergency for e in dev],
        target=target,
        settled=[net.check(e.text).settled for e in dev],
    )
    if refit:
        urgency = training.refit_pipeline(
            config,
            "urgency",
            training.URGENCY_LABELS,
            urgency,
            pairs(list(train) + list(dev), training.URGENCY_LABELS, "urgency"),
            training.DEFAULT_SEED,
            lambda line: None,
        )
    held_urgency = scores(urgency, held, training.URGENCY_LABELS)
    decided = [
        decide_final_urgency(
            dict(zip(training.URGENCY_LABELS, row.tolist())), {"emergency": threshold}, net.check(e.text)
        )
        for row, e in zip(held_urgency, held)
    ]
    metrics = training.urgency_metrics([e.urgency for e in held], decided)
    gold = np.array([e.urgency == "emergency" for e in held], dtype=float)
    result.update(
        emergency_recall=metrics["emergency_recall"],
        emergency_precision=metrics["emergency_precision"],
        emergency_ap=round(training.average_precision(gold, held_urgency[:, 0]), 4),
        urgency_accuracy=metrics["accuracy"],
    )
    if urgency_only:
        return result
    types = training.train_pipeline(
        training.component_config(config, "types"),
        "types",
        training.TYPE_LABELS,
        pairs(train, training.TYPE_LABELS, "types"),
        pairs(dev, training.TYPE_LABELS, "types"),
        training.DEFAULT_SEED,
    )
    truth = np.array([[1.0 if label in e.types else 0.0 for label in training.TYPE_LABELS] for e in dev])
    thresholds = training.tune_type_thresholds(truth, scores(types, dev, training.TYPE_LABELS), training.TYPE_LABELS)
    if refit:
        types = training.refit_pipeline(
            config,
            "types",
            training.TYPE_LABELS,
            types,
            pairs(list(train) + list(dev), training.TYPE_LABELS, "types"),
            training.DEFAULT_SEED,
            lambda line: None,
        )
    predicted = [
        [label for label, _ in assign_types(dict(zip(training.TYPE_LABELS, row.tolist())), thresholds)]
        for row in scores(types, held, training.TYPE_LABELS)
    ]
    result["type_macro_f1"] = training.label_metrics([e.types for e in held], predicted, training.TYPE_LABELS)[
        "macro_f1"
    ]
    result["per_language_type_macro_f1"] = {
        lang: training.label_metrics([held[i].types for i in idx], [predicted[i] for i in idx], training.TYPE_LABELS)[
            "macro_f1"
        ]
        for lang in corpus_mod.LANGUAGES
        if (idx := [i for i, e in enumerate(held) if e.lang == lang])
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--config", default=training.DEFAULT_CONFIG, help="a config name in nlp/configs or a .cfg path")
    parser.add_argument(
        "--override", default="{}", help='spaCy config overrides as JSON, e.g. {"training.dropout": 0.3}'
    )
    parser.add_argument(
        "--refit", action="store_true", help="train again on train + dev after tuning (as bot.py train)"
    )
    parser.add_argument(
        "--target",
        type=float,
        default=training.EMERGENCY_RECALL_TARGET,
        help="dev emergency recall the threshold must keep",
    )
    parser.add_argument("--urgency-only", action="store_true", help="score the urgency decision alone")
    args = parser.parse_args(argv)
    config = training.load_config(args.config, json.loads(args.override))
    pool = [e for e in corpus_mod.deduplicate(corpus_mod.load_corpus()) if e.split != "test"]
    folds = []
    for k in range(FOLDS):
        rest = [e for e in pool if outer_fold(e) != k]
        held = [e for e in pool if outer_fold(e) == k]
        train = [e for e in rest if not corpus_mod.is_dev(e.text, corpus_mod.DEV_FRACTION)]
        dev = [e for e in rest if corpus_mod.is_dev(e.text, corpus_mod.DEV_FRACTION)]
        folds.append(score_fold(config, train, dev, held, args.refit, args.target, args.urgency_only))
        print(
            f"fold {k + 1}/{FOLDS}: "
            + json.dumps({k2: v for k2, v in folds[-1].items() if k2 != "per_language_type_macro_f1"}),
            file=sys.stderr,
            flush=True,
        )

    def mean(key: str) -> float:
        return round(float(np.mean([f[key] for f in folds])), 4)

    summary = {
        "config": args.config,
        "override": json.loads(args.override),
        "refit": args.refit,
        "target": args.target,
        "examples": len(pool),
        "folds": FOLDS,
        **{key: mean(key) for key in ("emergency_recall", "emergency_precision", "emergency_ap", "urgency_accuracy")},
        "worst_fold_emergency_recall": min(f["emergency_recall"] for f in folds),
    }
    if not args.urgency_only:
        summary["type_macro_f1"] = mean("type_macro_f1")
        summary["per_language_type_macro_f1"] = {
            lang: round(float(np.mean([f["per_language_type_macro_f1"][lang] for f in folds])), 4)
            for lang in corpus_mod.LANGUAGES
        }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
