"""Triage: text + hints -> language, incident types, urgency, place.

Load once per process (`Triage.from_deployment`); `triage()` is synchronous and CPU-bound, so async
callers run it with `asyncio.to_thread` (see `triage_async`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from nlp.language import LanguageDetector, LanguageHints, choose_language, make_detector, DEFAULT_BACKEND
from nlp.places import PlaceFinder, PlaceMatch, PlaceSpec
from routing.deployment import Deployment

URGENCY_ORDER = ("routine", "urgent", "emergency")
CONFIDENT_URGENCY = 0.6  # below this the conversation asks "is someone in danger right now?"


class Classifier(Protocol):
    """Anything that scores incident types and urgency for a text."""

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
        return self.urgency == "emergency" or max(self.urgency_scores.values()) >= CONFIDENT_URGENCY

    @property
    def has_incident(self) -> bool:
        """Whether the text names something that happened (a type other than `other`)."""
        return any(label != "other" for label in self.type_labels)


def place_specs(deployment: Deployment) -> list[PlaceSpec]:
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
    ) -> None:
        self.classifier = classifier
        self.places = places
        self.detector = detector
        self.languages = languages
        self.default_language = default_language
        self._thresholds = classifier.thresholds()

    @classmethod
    def from_deployment(
        cls, deployment: Deployment, geojson: dict | None, classifier: Classifier | None = None
    ) -> Triage:
        if classifier is None:
            from nlp.keywords import KeywordClassifier

            classifier = KeywordClassifier()
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
        assigned = sorted(
            (TypeScore(label, score) for label, score in type_scores.items() if score >= self._thresholds[label]),
            key=lambda t: -t.score,
        )
        if not assigned:  # every report gets a type: the best one, or `other`
            best = max(type_scores, key=lambda label: type_scores[label])
            assigned = [TypeScore(best, type_scores[best])]
        urgency = max(urgency_scores, key=lambda u: urgency_scores[u])
        place = self.places.locate(*location) if location else None
        place = place or self.places.find(text)
        return TriageResult(
            language=language,
            types=tuple(assigned),
            type_scores=type_scores,
            urgency=urgency,
            urgency_scores=urgency_scores,
            place=place,
        )

    async def triage_async(self, *args: object, **kwargs: object) -> TriageResult:
        return await asyncio.to_thread(self.triage, *args, **kwargs)  # type: ignore[arg-type]
