"""Find the deployment's areas and venues in a report, or map a shared location to an area.

Names and aliases are matched on folded text (no case, no accents), whole words first, then
misspellings with rapidfuzz over word windows of the same length. A venue implies its area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from shapely.geometry import Point, shape
from shapely.prepared import prep

from nlp.text import fold

# The one GeoJSON property that names an area, for the location lookup here and the dashboard's map
# (routing.deployment.load_geojson checks every feature has it and that it names a configured area).
AREA_NAME_PROPERTY = "name"
FUZZY_MIN_SCORE = 88  # below this, "Harbor"~"Harbour" still passes but unrelated words do not
FUZZY_MIN_LENGTH = 5  # short aliases ("Neon") must match exactly: fuzzy short words collide


@dataclass(frozen=True)
class PlaceSpec:
    """A place the deployment knows: an area, or a venue inside an area."""

    name: str
    aliases: tuple[str, ...]
    area: str  # for an area, its own name
    is_venue: bool = False
    nightlife: bool = False


@dataclass(frozen=True)
class PlaceMatch:
    area: str
    venue: str | None = None
    nightlife: bool = False
    how: str = "name"  # name, fuzzy, location


class PlaceFinder:
    def __init__(self, places: list[PlaceSpec], geojson: dict | None = None) -> None:
        self._places = places
        # Longer names first, so "Central Market" wins over "Market".
        self._names: list[tuple[str, PlaceSpec]] = sorted(
            ((fold(alias), place) for place in places for alias in (place.name, *place.aliases)),
            key=lambda item: -len(item[0]),
        )
        self._patterns = [(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), place) for name, place in self._names]
        self._polygons = [
            (feature["properties"][AREA_NAME_PROPERTY], prep(shape(feature["geometry"])))
            for feature in (geojson or {}).get("features", [])
        ]

    def find(self, text: str) -> PlaceMatch | None:
        folded = fold(text)
        matches = [place for pattern, place in self._patterns if pattern.search(folded)]
        how = "name"
        if not matches:
            matches = self._fuzzy(folded)
            how = "fuzzy"
        if not matches:
            return None
        venue = next((p for p in matches if p.is_venue), None)
        chosen = venue or matches[0]
        return PlaceMatch(area=chosen.area, venue=venue.name if venue else None, nightlife=chosen.nightlife, how=how)

    def _fuzzy(self, folded: str) -> list[PlaceSpec]:
        tokens = re.findall(r"\w+", folded)
        found: list[tuple[float, PlaceSpec]] = []
        for name, place in self._names:
            if len(name) < FUZZY_MIN_LENGTH:
                continue
            size = len(name.split())
            windows = (" ".join(tokens[i : i + size]) for i in range(max(0, len(tokens) - size + 1)))
            best = max((fuzz.ratio(name, window) for window in windows), default=0.0)
            if best >= FUZZY_MIN_SCORE:
                found.append((best, place))
        found.sort(key=lambda item: -item[0])
        return [place for _, place in found]

    def locate(self, latitude: float, longitude: float) -> PlaceMatch | None:
        """Point-in-polygon on the deployment's GeoJSON (GeoJSON order is longitude, latitude)."""
        point = Point(longitude, latitude)
        for name, polygon in self._polygons:
            if polygon.contains(point):
                return PlaceMatch(area=name, how="location")
        return None
