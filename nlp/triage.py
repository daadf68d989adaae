"""Triage: text + hints -> language, incident types, urgency, place.

Load once per process (`Triage.from_deployment`); `triage()` is synchronous and CPU-bound, so async
callers run it with `asyncio.to_thread` (see `triage_async`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import metrics
from nlp.language import DEFAULT_BACKEND, LanguageDetector, LanguageHints, choose_language, make_detector
from nlp.model import assign_types, decide_final_urgency
from nlp.places import PlaceFinder, PlaceMatch, PlaceSpec
from nlp.safety import SafetyNet, default_net

CONFIDENT_URGENCY = 0.6  # below this the conversation asks "is someone in danger right now?"


class Classifier(Protocol):
    """Anything that scores incident types and urgency for a text.

    Optional extras, used when present: `urgency_thresholds() -> {"emergency": t}` (emergency as soon as
    its score reaches t, tuned for recall) and `exclusive_types: bool` (one type per report)."""

    name: str

    def classify(self, text: str, language: str) -> tuple[dict[str, float], dict[str, float]]: ...

    def thresholds(self) -> dict[str, float]: ...


@dataclass(frozen=True)
class TypeScore:
    label: str
    score: float


@dataclass(frozen=True)
class TriageResult:
    language: str
    types: tuple[TypeScore, ...]  # assigned labels only, best first
    type_scores: dict[str, float]
    urgency: str
    urgency_scores: dict[str, float]
    place: PlaceMatch | None = None
    safety_cues: tuple[str, ...] = field(default=())

    @property
    def type_labels(self) -> list[str]:
        return [t.label for t in self.types]

    @property
    def urgency_confident(self) -> bool:
        """False when the dialogue should ask "is someone in danger right now?" (see `urgency_confident`)."""
        return urgency_confident(self.urgency, self.urgency_scores, self.safety_cues)

    @property
    def has_incident(self) -> bool:
        """Whether the text names something that happened (a type other than `other`)."""
        return any(label != "other" for label in self.type_labels)


def urgency_confident(
    urgency: str, urgency_scores: dict[str, float], safety_cues: tuple[str, ...] | list[str] = ()
) -> bool:
    """Whether the urgency can be acted on without asking "is someone in danger right now?".

    An emergency found by the safety net (a present-danger cue) is confident; an emergency from the model
    alone is confident only when its emergency score reaches CONFIDENT_URGENCY: the emergency threshold is
    tuned for recall (often 0.1-0.3), so a score just over it is a guess worth a question. Another urgency is
    confident when its best score reaches CONFIDENT_URGENCY. For callers that keep only the urgency and its
    scores (a stored report), pass the cues as stored, or () when they were not kept."""
    if urgency == "emergency":
        return bool(safety_cues) or urgency_scores.get("emergency", 0.0) >= CONFIDENT_URGENCY
    return (max(urgency_scores.values()) if urgency_scores else 0.0) >= CONFIDENT_URGENCY


class PlaceConfig(Protocol):
    """What triage reads of a deployment (routing.deployment.Deployment is one): nlp/ never imports routing/."""

    @property
    def areas(self) -> Sequence[Any]: ...  # .name, .aliases
    @property
    def venues(self) -> Sequence[Any]: ...  # .name, .aliases, .area, .nightlife
    @property
    def languages(self) -> list[str]: ...
    @property
    def default_language(self) -> str: ...


def place_specs(deployment: PlaceConfig) -> list[PlaceSpec]:
    specs = [PlaceSpec(name=a.name, aliases=tuple(a.aliases), area=a.name) for a in deployment.areas]
    specs += [
        PlaceSpec(name=v.name, aliases=tuple(v.aliases), area=v.area, is_venue=True, nightlife=v.nightlife)
        for v in deployment.venues
    ]
    return specs


class Triage:
    def __init__(
        self,
        classifier: Classifier,
        places: PlaceFinder,
        detector: LanguageDetector,
        languages: list[str],
        default_language: str,
        safety: SafetyNet | None = None,
    ) -> None:
        self.classifier = classifier
        self.places = places
        self.detector = detector
        self.languages = languages
        self.default_language = default_language
        self.safety = safety or default_net()
        self._thresholds = classifier.thresholds()
        urgency_thresholds = getattr(classifier, "urgency_thresholds", None)
        self._urgency_thresholds: dict[str, float] = urgency_thresholds() if callable(urgency_thresholds) else {}
        self._exclusive_types = bool(getattr(classifier, "exclusive_types", False))

    @classmethod
    def from_deployment(
        cls, deployment: PlaceConfig, geojson: dict | None, classifier: Classifier | None = None
    ) -> Triage:
        if classifier is None:  # the trained pipeline in var/model (nlp.keywords stays as a documented fallback)
            from nlp.model import load_classifier

            classifier = load_classifier()
        return cls(
            classifier=classifier,
            places=PlaceFinder(place_specs(deployment), geojson),
            detector=make_detector(DEFAULT_BACKEND, deployment.languages),
            languages=list(deployment.languages),
            default_language=deployment.default_language,
        )

    def detect_language(self, text: str, hints: LanguageHints) -> str:
        return choose_language(text, hints, self.detector, self.languages, self.default_language)

    def triage(
        self,
        text: str,
        hints: LanguageHints | None = None,
        language: str | None = None,
        location: tuple[float, float] | None = None,
    ) -> TriageResult:
        language = language or self.detect_language(text, hints or LanguageHints())
        type_scores, urgency_scores = self.classifier.classify(text, language)
        assigned = [
            TypeScore(label, score)
            for label, score in assign_types(type_scores, self._thresholds, self._exclusive_types)
        ]  # above their tuned thresholds, best first; every report gets at least its best type
        check = self.safety.check(text)  # present danger raises to emergency; a settled past caps it at urgent
        urgency = decide_final_urgency(urgency_scores, self._urgency_thresholds, check)
        place = self.places.locate(*location) if location else None
        place = place or self.places.find(text)
        return TriageResult(
            language=language,
            types=tuple(assigned),
            type_scores=type_scores,
            urgency=urgency,
            urgency_scores=urgency_scores,
            place=place,
            safety_cues=check.cues,
        )

    async def triage_async(self, *args: object, **kwargs: object) -> TriageResult:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(self.triage, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            metrics.observe_triage(time.perf_counter() - started)
