"""The trained triage classifier: spaCy pipelines on disk behind nlp.triage's Classifier interface.

A model directory (built by `bot.py train`, see nlp/training.py) holds:

    types/            spaCy pipeline with one `textcat_multilabel` (or `textcat`) component, "types"
    urgency/          spaCy pipeline with one `textcat` component, "urgency" (the shipped model only)
    thresholds.json   {"types": {label: threshold}, "urgency": {"emergency": threshold}}, tuned on dev
    meta.json         labels, architecture, corpus hash, preprocessing, training command, dev scores

Types and urgency are two pipelines because spaCy's exclusive `textcat` refuses training examples
whose `cats` hold more than one positive, and a report has several types. Texts are folded
(nlp.text.fold: lower case, no accents, no Arabic diacritics) before either pipeline sees them.

This module also registers the character n-gram bag-of-words architecture `salama.TextCatCharBOW.v1`
used by nlp/configs/char_bow.cfg: import it before loading such a pipeline (SpacyClassifier does).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import ORTH
from spacy.ml.extract_ngrams import extract_ngrams
from spacy.strings import hash_string
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, concatenate, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted, resize_model

from nlp.text import fold

URGENCY_LABELS = ("emergency", "urgent", "routine")
META_FILE = "meta.json"
THRESHOLDS_FILE = "thresholds.json"
NEG_VALUE = -5000.0


class ModelError(Exception):
    """A model directory is missing or unusable; the message says what to do."""


def default_model_dir() -> Path:
    from settings import PROJECT_ROOT

    return PROJECT_ROOT / "var" / "model"


# --- model input ------------------------------------------------------------------------------------
def model_input(text: str, language: str | None, meta: dict[str, Any]) -> str:
    """The string a pipeline is trained on and fed: folded text, optionally led by a language token and
    followed by cross-lingual concept tokens (see nlp/concepts.py... keyword stems)."""
    folded = fold(text)
    if meta.get("language_token") and language:
        folded = f"lang{language} {folded}"
    extra: list[str] = []
    if meta.get("keyword_features"):
        extra += keyword_tokens(folded)
    if meta.get("safety_features"):
        extra += safety_tokens(text)
    return f"{folded} {' '.join(extra)}" if extra else folded


def safety_tokens(text: str) -> list[str]:
    """The safety net's term classes and cues as tokens (sfNOW, sfPAST, sfWEAPON, sffollowing...)."""
    from nlp.safety import default_net

    net = default_net()
    found = net.spans(text)
    return [f"sf{name}" for name in sorted(found)] + [f"sfcue{cue}" for cue in net.check(text).cues]


def keyword_tokens(folded: str) -> list[str]:
    from nlp import keywords

    padded = folded + " "
    tokens = [f"kw{label}" for label, pattern in keywords._TYPE_PATTERNS.items() if pattern.search(padded)]
    for name, pattern in (("emergency", keywords._EMERGENCY), ("urgent", keywords._URGENT), ("routine", keywords._ROUTINE)):
        if pattern.search(padded):
            tokens.append(f"kw{name}")
    return tokens


# --- decisions shared by Triage and the evaluation ---------------------------------------------------
def assign_types(
    type_scores: dict[str, float], thresholds: dict[str, float], exclusive: bool = False
) -> list[tuple[str, float]]:
    """Labels at or above their threshold, best first; at least the best one; `other` only alone."""
    best = max(type_scores, key=lambda label: type_scores[label])
    if exclusive:
        return [(best, type_scores[best])]
    assigned = sorted(
        ((label, score) for label, score in type_scores.items() if score >= thresholds.get(label, 0.5)),
        key=lambda item: -item[1],
    )
    if len(assigned) > 1:
        assigned = [item for item in assigned if item[0] != "other"]
    return assigned or [(best, type_scores[best])]


def decide_urgency(urgency_scores: dict[str, float], urgency_thresholds: dict[str, float] | None = None) -> str:
    """`emergency` when its score reaches the tuned threshold (recall first), else the best of the rest."""
    threshold = (urgency_thresholds or {}).get("emergency")
    if threshold is None:
        return max(urgency_scores, key=lambda u: urgency_scores[u])
    if urgency_scores.get("emergency", 0.0) >= threshold:
        return "emergency"
    rest = {u: s for u, s in urgency_scores.items() if u != "emergency"}
    return max(rest, key=lambda u: rest[u])


# --- character n-gram bag of words ------------------------------------------------------------------
@functools.lru_cache(maxsize=200_000)
def _char_keys(word: str, low: int, high: int) -> tuple[int, ...]:
    marked = f"<{word}>"
    keys = []
    for n in range(low, high + 1):
        for start in range(0, max(0, len(marked) - n) + 1):
            gram = marked[start : start + n]
            if len(gram) == n:
                keys.append(hash_string("#c" + gram))
    return tuple(keys)


def extract_char_ngrams(low: int, high: int) -> Model:
    """Docs -> (keys, counts, lengths) of hashed character n-grams of each word, fastText style."""

    def forward(model: Model, docs: Sequence[Any], is_train: bool):  # type: ignore[no-untyped-def]
        xp = model.ops.xp
        batch_keys, batch_vals = [], []
        for doc in docs:
            keys: list[int] = []
            for token in doc:
                if not token.is_space:
                    keys.extend(_char_keys(token.text, low, high))
            array = xp.asarray(keys, dtype="uint64") if keys else xp.zeros((0,), dtype="uint64")
            array, counts = xp.unique(array, return_counts=True)
            batch_keys.append(array)
            batch_vals.append(counts)
        lengths = model.ops.asarray([len(k) for k in batch_keys], dtype="int32")
        keys_out = xp.concatenate(batch_keys) if batch_keys else xp.zeros((0,), dtype="uint64")
        vals_out = model.ops.asarray(xp.concatenate(batch_vals) if batch_vals else xp.zeros((0,)), dtype="f")
        return (keys_out, vals_out, lengths), lambda d_out: []

    return Model("extract_char_ngrams", forward, attrs={"low": low, "high": high})


def _merge_features() -> Model:
    """Concatenate two (keys, vals, lengths) feature sets doc by doc."""

    def forward(model: Model, inputs: list, is_train: bool):  # type: ignore[no-untyped-def]
        xp = model.ops.xp
        (k1, v1, l1), (k2, v2, l2) = inputs
        keys, vals = [], []
        s1 = s2 = 0
        for a, b in zip(l1.tolist(), l2.tolist()):
            keys.append(k1[s1 : s1 + a])
            keys.append(k2[s2 : s2 + b])
            vals.append(v1[s1 : s1 + a])
            vals.append(v2[s2 : s2 + b])
            s1, s2 = s1 + a, s2 + b
        lengths = model.ops.asarray(l1 + l2, dtype="int32")
        return (xp.concatenate(keys), model.ops.asarray(xp.concatenate(vals), dtype="f"), lengths), lambda d: []

    return Model("merge_features", forward)


def _both(first: Model, second: Model) -> Model:
    def forward(model: Model, docs: Any, is_train: bool):  # type: ignore[no-untyped-def]
        return [first.predict(docs), second.predict(docs)], lambda d: []

    return Model("both_features", forward, layers=[first, second])


def _resize_and_set_ref(model: Model, new_nO: int, resizable_layer: Model) -> Model:
    resizable_layer = resize_model(resizable_layer, new_nO)
    model.set_ref("output_layer", resizable_layer.layers[0])
    model.set_dim("nO", new_nO, force=True)
    return model


@registry.architectures("salama.TextCatCharBOW.v1")
def build_char_bow_text_classifier(
    exclusive_classes: bool,
    ngram_size: int,
    char_min: int = 3,
    char_max: int = 5,
    length: int = 262144,
    nO: int | None = None,
) -> Model:
    """TextCatBOW plus hashed character n-grams (char_min..char_max) of every word, one sparse linear layer.

    Character n-grams carry stems through inflection, clitics (Arabic و/ال/ب), spelling variants and
    SMS shorthand, which word n-grams alone miss on a small corpus.
    """
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": NEG_VALUE, "W": 0}
    resizable_layer = resizable(sparse_linear, resize_layer=functools.partial(resize_linear_weighted, fill_defaults=fill_defaults))
    features = chain(_both(extract_ngrams(ngram_size, attr=ORTH), extract_char_ngrams(char_min, char_max)), _merge_features())
    model = with_cpu(chain(features, resizable_layer), resizable_layer.ops)
    output_layer = softmax_activation() if exclusive_classes else Logistic()
    model = chain(model, with_cpu(output_layer, output_layer.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = functools.partial(_resize_and_set_ref, resizable_layer=resizable_layer)
    return model


# --- the classifier ---------------------------------------------------------------------------------
def read_meta(model_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{model_dir} is not a Salama model (no {META_FILE}); build one with `make model`") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{model_dir / META_FILE} is not valid JSON ({exc.msg}); rebuild with `make model`") from None


class SpacyClassifier:
    """Types (and urgency, for a full model) from the spaCy pipelines in `model_dir`; loads once."""

    def __init__(self, model_dir: Path | str) -> None:
        self.model_dir = Path(model_dir)
        if not self.model_dir.is_dir():
            raise ModelError(f"no model at {self.model_dir}: run `make model` (or `bot.py train`) to build it")
        self.meta = read_meta(self.model_dir)
        try:
            thresholds = json.loads((self.model_dir / THRESHOLDS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            raise ModelError(f"{self.model_dir / THRESHOLDS_FILE} is missing or broken: run `make model`") from None
        self._type_thresholds: dict[str, float] = {k: float(v) for k, v in thresholds.get("types", {}).items()}
        self._urgency_thresholds: dict[str, float] = {k: float(v) for k, v in thresholds.get("urgency", {}).items()}
        self.type_labels: tuple[str, ...] = tuple(self.meta["labels"]["types"])
        self.exclusive_types: bool = not self.meta.get("multilabel", True)
        self.name = f"spacy:{self.meta.get('architecture', '?')}"
        self._types = self._load("types")
        self._urgency = self._load("urgency") if (self.model_dir / "urgency").is_dir() else None

    def _load(self, part: str) -> spacy.Language:
        path = self.model_dir / part
        if not path.is_dir():
            raise ModelError(f"{path} is missing: run `make model` (or `bot.py train`) to rebuild {self.model_dir}")
        try:
            return spacy.load(path)
        except Exception as exc:  # a broken or incompatible pipeline: say which and what to do
            raise ModelError(f"cannot load {path} ({type(exc).__name__}: {exc}); rebuild with `make model`") from None

    @property
    def has_urgency(self) -> bool:
        return self._urgency is not None

    def _input(self, text: str, language: str | None) -> str:
        return model_input(text, language, self.meta)

    def type_scores(self, text: str, language: str | None = None) -> dict[str, float]:
        cats = self._types(self._input(text, language)).cats
        return {label: float(cats[label]) for label in self.type_labels}

    def urgency_scores(self, text: str, language: str | None = None) -> dict[str, float]:
        if self._urgency is None:
            raise ModelError(f"{self.model_dir} has no urgency model (a custom type model): use the shipped one for urgency")
        cats = self._urgency(self._input(text, language)).cats
        return {label: float(cats[label]) for label in URGENCY_LABELS}

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]:
        return self.type_scores(text, language), self.urgency_scores(text, language)

    def thresholds(self) -> dict[str, float]:
        return {label: self._type_thresholds.get(label, 0.5) for label in self.type_labels}

    def urgency_thresholds(self) -> dict[str, float]:
        return dict(self._urgency_thresholds)

    # Batches, for the evaluation: much faster than one call per text.
    def batch_type_scores(self, texts: Iterable[str], languages: Iterable[str | None]) -> list[dict[str, float]]:
        inputs = [self._input(t, lang) for t, lang in zip(texts, languages)]
        return [{label: float(doc.cats[label]) for label in self.type_labels} for doc in self._types.pipe(inputs, batch_size=256)]

    def batch_urgency_scores(self, texts: Iterable[str], languages: Iterable[str | None]) -> list[dict[str, float]]:
        if self._urgency is None:
            raise ModelError(f"{self.model_dir} has no urgency model")
        inputs = [self._input(t, lang) for t, lang in zip(texts, languages)]
        return [{label: float(doc.cats[label]) for label in URGENCY_LABELS} for doc in self._urgency.pipe(inputs, batch_size=256)]


class CompositeClassifier:
    """Types from one classifier (a deployment's own taxonomy), urgency from another (the shipped one)."""

    def __init__(self, types: SpacyClassifier, urgency: SpacyClassifier) -> None:
        self._types, self._urgency = types, urgency
        self.type_labels = types.type_labels
        self.exclusive_types = types.exclusive_types
        self.name = f"{types.name}+urgency:{urgency.name}"

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]:
        return self._types.type_scores(text, language), self._urgency.urgency_scores(text, language)

    def thresholds(self) -> dict[str, float]:
        return self._types.thresholds()

    def urgency_thresholds(self) -> dict[str, float]:
        return self._urgency.urgency_thresholds()


def load_classifier(model_dir: Path | str | None = None) -> SpacyClassifier:
    """The shipped triage model (var/model) or the one in `model_dir`; ModelError says to run `make model`."""
    path = Path(model_dir) if model_dir is not None else default_model_dir()
    if not (path / META_FILE).exists():
        raise ModelError(f"no trained triage model at {path}: run `make model` (or `.venv/bin/python bot.py train`)")
    classifier = SpacyClassifier(path)
    if model_dir is None and not classifier.has_urgency:
        raise ModelError(f"{path} has no urgency model: run `make model` to rebuild the shipped model")
    return classifier


def load_triage_classifier(model_dir: str | Path | None = None) -> SpacyClassifier | CompositeClassifier:
    """For `bot.py triage [--model DIR]`: the shipped model, or DIR's types with the shipped urgency."""
    shipped = load_classifier(None)
    if model_dir is None:
        return shipped
    custom = load_classifier(model_dir)
    if custom.has_urgency and Path(model_dir).resolve() == default_model_dir().resolve():
        return custom
    return CompositeClassifier(custom, shipped)
