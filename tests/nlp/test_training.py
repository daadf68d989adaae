"""Training and evaluation: `train`/`evaluate` with caller-named columns, reproducibility, errors, the shipped
model behind Triage, and `triage --model` (a custom taxonomy with the shipped urgency + safety net).

The shipped model (var/model) is built by `make model`, which `make test` runs first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from nlp import commands
from nlp.corpus import TYPE_LABELS, URGENCY_LABELS, corpus_hash
from nlp.model import (
    CompositeClassifier,
    ModelError,
    SpacyClassifier,
    assign_types,
    decide_urgency,
    default_model_dir,
    load_classifier,
)
from nlp.training import label_metrics, tune_emergency_threshold, tune_type_thresholds, urgency_metrics
from settings import load_settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "custom_labels.csv"
LABELS = "lbl_theft,lbl_violence,lbl_other"


def run(argv: list[str]) -> int:
    """The commands as bot.py wires them: one subparsers object, `register`, handler(args, settings)."""
    parser = argparse.ArgumentParser(prog="bot.py")
    register_into = parser.add_subparsers(dest="command", required=True)
    commands.register(register_into)
    args = parser.parse_args(argv)
    return args.handler(args, load_settings())


@pytest.fixture(scope="module")
def custom_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("custom") / "model"
    code = run(
        ["train", "--data", str(FIXTURE), "--text-column", "body", "--label-columns", LABELS, "--output", str(out)]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def shipped() -> SpacyClassifier:
    return load_classifier()


# --- custom label sets ------------------------------------------------------------------------------------
def test_train_custom_writes_model_with_callers_labels(custom_model: Path) -> None:
    meta = json.loads((custom_model / "meta.json").read_text())
    thresholds = json.loads((custom_model / "thresholds.json").read_text())
    assert meta["labels"]["types"] == LABELS.split(",")
    assert meta["text_column"] == "body" and meta["multilabel"] is False
    assert set(thresholds["types"]) == set(LABELS.split(","))
    assert (custom_model / "types").is_dir() and not (custom_model / "urgency").exists()
    classifier = SpacyClassifier(custom_model)
    scores = classifier.type_scores("a thief stole my phone at the market")
    assert set(scores) == set(LABELS.split(","))
    assert max(scores, key=scores.get) == "lbl_theft"


def test_evaluate_custom_model_prints_metrics(custom_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--model", str(custom_model), "--data", str(FIXTURE)]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("macro_f1", "one_minus_hamming_loss", "exact_match", "per_label"):
        assert key in result
    assert set(result["per_label"]) == set(LABELS.split(","))
    for values in result["per_label"].values():
        assert set(values) >= {"accuracy", "precision", "recall", "f1"}
    assert result["macro_f1"] > 0.8  # training data: a model that learnt nothing fails here


def test_multilabel_training_tunes_thresholds(tmp_path: Path) -> None:
    out = tmp_path / "multi"
    code = run(
        [
            "train",
            "--data",
            str(FIXTURE),
            "--text-column",
            "body",
            "--label-columns",
            LABELS,
            "--multilabel",
            "--output",
            str(out),
            "--dev",
            str(FIXTURE),
        ]
    )
    assert code == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["multilabel"] is True
    thresholds = json.loads((out / "thresholds.json").read_text())["types"]
    assert all(0.0 < t < 1.0 for t in thresholds.values())


def test_training_is_reproducible(tmp_path: Path, custom_model: Path) -> None:
    again = tmp_path / "again"
    assert (
        run(
            [
                "train",
                "--data",
                str(FIXTURE),
                "--text-column",
                "body",
                "--label-columns",
                LABELS,
                "--output",
                str(again),
            ]
        )
        == 0
    )
    first, second = SpacyClassifier(custom_model), SpacyClassifier(again)
    for text in ("my bag was snatched", "two men fighting", "is the park open", "algo raro"):
        assert first.type_scores(text) == second.type_scores(text)
    assert json.loads((custom_model / "thresholds.json").read_text()) == json.loads(
        (again / "thresholds.json").read_text()
    )


def test_triage_with_custom_model_keeps_shipped_urgency_and_safety(
    custom_model: Path, shipped: SpacyClassifier
) -> None:
    from nlp.triage import Triage
    from routing.deployment import load_deployment, load_geojson
    from settings import PROJECT_ROOT

    classifier = commands.load_triage_classifier(str(custom_model))
    assert isinstance(classifier, CompositeClassifier)
    config = PROJECT_ROOT / "config" / "demo-city.yaml"
    deployment = load_deployment(config)
    triage = Triage.from_deployment(deployment, load_geojson(deployment, config), classifier)
    result = triage.triage("someone stole my phone and he has a knife, he is following me right now", language="en")
    assert set(result.type_scores) == set(LABELS.split(","))  # every label of the custom taxonomy
    assert result.type_labels == ["lbl_theft"]  # above threshold, best first (one per row: exclusive)
    assert set(result.urgency_scores) == set(URGENCY_LABELS)  # from the shipped urgency model
    assert result.urgency == "emergency" and "following" in result.safety_cues


# --- errors: one line, exit 2, no traceback ---------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--data", "nope.csv", "--label-columns", "a,b", "--output", "x"], "no such file"),
        (
            ["train", "--data", str(FIXTURE), "--text-column", "text", "--label-columns", LABELS, "--output", "x"],
            "missing column",
        ),
        (
            [
                "train",
                "--data",
                str(FIXTURE),
                "--text-column",
                "body",
                "--label-columns",
                "lbl_theft,nothere",
                "--output",
                "x",
            ],
            "missing column",
        ),
        (["train", "--data", str(FIXTURE), "--text-column", "body", "--label-columns", LABELS], "--output"),
        (["train", "--data", str(FIXTURE), "--text-column", "body", "--output", "x"], "--label-columns"),
        (["evaluate", "--model", "/nonexistent/model", "--data", str(FIXTURE)], "make model"),
    ],
)
def test_errors_are_one_readable_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert message in err


def test_unknown_label_value_and_two_labels_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("body,a,b\nhello there,1,0\nbye now,maybe,0\n", encoding="utf-8")
    assert (
        run(
            [
                "train",
                "--data",
                str(bad),
                "--text-column",
                "body",
                "--label-columns",
                "a,b",
                "--output",
                str(tmp_path / "m"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "bad.csv:3" in err and "'maybe'" in err
    two = tmp_path / "two.jsonl"
    two.write_text('{"body": "x y", "a": 1, "b": true}\n', encoding="utf-8")
    assert (
        run(
            [
                "train",
                "--data",
                str(two),
                "--text-column",
                "body",
                "--label-columns",
                "a,b",
                "--output",
                str(tmp_path / "m"),
            ]
        )
        == 2
    )
    assert "two.jsonl:1" in capsys.readouterr().err


def test_missing_model_says_make_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make model"):
        load_classifier(tmp_path / "missing")


# --- the shipped model --------------------------------------------------------------------------------------
def test_shipped_model_is_built_from_this_corpus(shipped: SpacyClassifier) -> None:
    meta = shipped.meta
    assert meta["corpus_sha256"] == corpus_hash(), "the corpus changed since var/model was built: run `make model`"
    assert tuple(meta["labels"]["types"]) == TYPE_LABELS
    assert set(shipped.thresholds()) == set(TYPE_LABELS)
    assert 0.0 < shipped.urgency_thresholds()["emergency"] < 1.0


def test_running_triage_uses_the_trained_pipeline(shipped: SpacyClassifier) -> None:
    from nlp.triage import Triage
    from routing.deployment import load_deployment, load_geojson
    from settings import PROJECT_ROOT

    config = PROJECT_ROOT / "config" / "demo-city.yaml"
    deployment = load_deployment(config)
    triage = Triage.from_deployment(deployment, load_geojson(deployment, config))
    assert triage.classifier.name.startswith("spacy:")
    result = triage.triage("Two men are fighting with a knife at the Bus Station right now", language="en")
    assert "physical_assault" in result.type_labels
    assert result.urgency == "emergency"
    assert result.place is not None and result.place.area == "Bus Station"
    quiet = triage.triage("the street lights on the path behind the market have been broken for months", language="en")
    assert "unsafe_place" in quiet.type_labels and quiet.urgency == "routine"


def test_evaluate_shipped_reports_every_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["per_language"]) == {"en", "es", "fr", "pt", "sw", "ar"}
    overall = result["overall"]
    assert set(overall["types"]) == set(TYPE_LABELS)
    assert set(overall["urgency_confusion"]) == set(URGENCY_LABELS)
    emergency = overall["emergency"]
    assert set(emergency) >= {"with_safety_net", "without_safety_net"}
    # The net only raises: with it, recall can only be the same or higher.
    assert emergency["with_safety_net"]["recall"] >= emergency["without_safety_net"]["recall"]


# --- decisions and metrics ------------------------------------------------------------------------------------
def test_assign_types_and_urgency_decisions() -> None:
    scores = {"robbery": 0.7, "physical_assault": 0.4, "other": 0.6}
    assert [l for l, _ in assign_types(scores, {"robbery": 0.5, "physical_assault": 0.3, "other": 0.5})] == [
        "robbery",
        "physical_assault",
    ]  # best first; `other` never combined
    assert [l for l, _ in assign_types({"a": 0.1, "b": 0.2}, {"a": 0.5, "b": 0.5})] == ["b"]  # at least one
    assert decide_urgency({"emergency": 0.3, "urgent": 0.5, "routine": 0.2}, {"emergency": 0.25}) == "emergency"
    assert decide_urgency({"emergency": 0.2, "urgent": 0.3, "routine": 0.5}, {"emergency": 0.25}) == "routine"


def test_metrics_and_tuning_on_known_values() -> None:
    metrics = label_metrics([["a"], ["a", "b"], ["b"]], [["a"], ["a"], ["a"]], ["a", "b"])
    assert metrics["per_label"]["a"]["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert metrics["per_label"]["b"]["recall"] == 0.0
    assert metrics["exact_match"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["one_minus_hamming_loss"] == pytest.approx(1 - 3 / 6, abs=1e-4)
    urgency = urgency_metrics(["emergency", "emergency", "routine"], ["emergency", "routine", "emergency"])
    assert urgency["emergency_recall"] == 0.5 and urgency["emergency_precision"] == 0.5
    assert urgency["emergency_as_routine"] == 1
    import numpy as np

    truth = np.array([[1.0], [1.0], [1.0], [0.0], [0.0]])
    scores = np.array([[0.9], [0.8], [0.35], [0.3], [0.1]])
    assert 0.3 < tune_type_thresholds(truth, scores, ["x"], shrink=0.0)["x"] <= 0.35
    assert 0.4 < tune_type_thresholds(truth, scores, ["x"], shrink=0.5)["x"] <= 0.425  # halfway back to 0.5
    t = tune_emergency_threshold([True, True, False], [0.9, 0.2, 0.5], [False, False, False], target=1.0)
    assert t <= 0.2


def test_default_model_dir_is_in_the_repository() -> None:
    from settings import PROJECT_ROOT

    assert default_model_dir() == PROJECT_ROOT / "var" / "model"


def test_refit_trains_the_final_pipelines_on_dev_too() -> None:
    """After epochs and thresholds are chosen on dev, the shipped pipelines learn from dev as well: a word seen
    only in dev lines is learned with `refit`, not without."""
    from nlp.corpus import Example
    from nlp.training import DEFAULT_CONFIG, fit_shipped, load_config

    def lines(template: str, types: tuple[str, ...], urgency: str, count: int) -> list[Example]:
        return [Example(text=template.format(n=n), lang="en", types=types, urgency=urgency) for n in range(count)]

    train = (
        lines("they snatched my phone at stop {n} just now", ("robbery",), "urgent", 20)
        + lines("shots fired on street {n} right now", ("gun_violence",), "emergency", 20)
        + lines("broken lights on path {n} for months", ("unsafe_place",), "routine", 20)
    )
    dev = (
        lines("they grabbed my bag at gate {n} a minute ago", ("robbery",), "urgent", 6)
        + lines("gunfire near block {n} right now", ("gun_violence",), "emergency", 6)
        + lines("zorblat zorblat on path {n} every night", ("unsafe_place",), "routine", 6)
    )
    config = load_config(DEFAULT_CONFIG)
    probe = model_input_for("zorblat zorblat zorblat")
    tuned = fit_shipped(config, train, dev, seed=0, refit=False)
    refitted = fit_shipped(config, train, dev, seed=0, refit=True)
    before = tuned.types(probe).cats["unsafe_place"]
    after = refitted.types(probe).cats["unsafe_place"]
    assert after > before + 0.1, (before, after)
    assert refitted.thresholds == tuned.thresholds  # chosen on dev before the refit
    assert refitted.types.meta["salama"]["refit_on_train_and_dev"] is True


def model_input_for(text: str) -> str:
    from nlp.model import model_input
    from nlp.training import DEFAULT_CONFIG, input_features, load_config

    return model_input(text, "en", input_features(load_config(DEFAULT_CONFIG)))


def test_shipped_model_was_refit_on_train_and_dev(shipped: SpacyClassifier) -> None:
    assert shipped.meta["refit_on_train_and_dev"] is True
