"""The hotspot map: the deployment's GeoJSON areas as an SVG choropleth, drawn on the server.

No tiles, no script, nothing fetched: the polygons are projected (equirectangular, scaled by the
cosine of the middle latitude, which is exact enough at city scale) into a fixed-width SVG. Each
area is filled by its count of reports; suppressed areas are hatched; every area has a <title>.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from monitoring.aggregates import Figure
from monitoring.charts import FONT, INK, MUTED, colour_for, hatch_pattern, legend, number, scale_breaks, text_colour
from nlp.places import AREA_NAME_PROPERTY

# ColorBrewer OrRd, 6 classes: a warm scale for hotspots, distinct from the heatmap's blues.
ORANGES = ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000")
Ring = list[tuple[float, float]]


def _polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in coordinates]]
    if kind == "MultiPolygon":
        return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon] for polygon in coordinates]
    return []


def area_shapes(geojson: Mapping[str, Any] | None) -> dict[str, list[list[Ring]]]:
    """Area name -> polygons (lon, lat rings) from the FeatureCollection routing.deployment.load_geojson read."""
    shapes: dict[str, list[list[Ring]]] = {}
    for feature in (geojson or {}).get("features", []):
        properties = feature.get("properties") or {}
        name = str(properties[AREA_NAME_PROPERTY]) if properties.get(AREA_NAME_PROPERTY) else None
        if name:
            shapes.setdefault(name, []).extend(_polygons(feature.get("geometry") or {}))
    return shapes


def _label_point(polygons: list[list[Ring]]) -> tuple[float, float]:
    """A point inside the largest polygon (shapely's representative point; the box centre if shapely fails)."""
    try:
        from shapely.geometry import Polygon

        largest = max((Polygon(p[0], p[1:]) for p in polygons), key=lambda p: p.area)
        point = largest.representative_point()
        return point.x, point.y
    except Exception:
        xs = [x for p in polygons for x, _ in p[0]]
        ys = [y for p in polygons for _, y in p[0]]
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


class _Projection:
    def __init__(self, points: Iterable[tuple[float, float]], width: float, padding: float) -> None:
        xs, ys = zip(*points)
        self.min_x, self.max_y = min(xs), max(ys)
        self.k = math.cos(math.radians((min(ys) + max(ys)) / 2))
        span_x = max((max(xs) - min(xs)) * self.k, 1e-9)
        self.scale = (width - 2 * padding) / span_x
        self.padding = padding
        self.height = (max(ys) - min(ys)) * self.scale + 2 * padding

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.padding + (lon - self.min_x) * self.k * self.scale, self.padding + (self.max_y - lat) * self.scale)


def choropleth(
    geojson: Mapping[str, Any] | None, figures: Mapping[str, Figure], *, unit: str, title: str, width: int = 560
) -> str:
    shapes = area_shapes(geojson)
    header = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="hotspot-map" class="chart" role="img" '
        f'aria-labelledby="map-title map-desc" {FONT}'
    )
    if not shapes:
        return (
            header + f' viewBox="0 0 {width} 60"><title id="map-title">{escape(title)}</title>'
            f'<desc id="map-desc">No area boundaries configured.</desc><text x="10" y="34" font-size="13" '
            f'fill="{MUTED}">No GeoJSON area boundaries in this deployment.</text></svg>'
        )
    project = _Projection(
        (pt for polygons in shapes.values() for p in polygons for ring in p for pt in ring), width, padding=14
    )
    map_height = project.height
    height = map_height + 62  # two legend lines at most
    published = [f.value for name, f in figures.items() if name in shapes and f.value is not None]
    breaks = scale_breaks(published, len(ORANGES) - 1)
    parts = [
        header + f' viewBox="0 0 {width} {height:.0f}">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">Each area is shaded by its number of {escape(unit)}; darker means more. '
        f"Hatched areas are suppressed.</desc>",
        f"<defs>{hatch_pattern('map-hatch')}</defs>",
    ]
    labels = []
    for name, polygons in shapes.items():
        figure = figures.get(name, Figure(0.0, 0.0))
        if figure.value is None:
            fill, count, tip = "url(#map-hatch)", "s", f"{name}: suppressed"
        else:
            fill, count = colour_for(figure.value, breaks, ORANGES), number(figure.value)
            change = ""
            if figure.baseline is not None:
                change = f" (previous period {number(figure.baseline)})"
            tip = f"{name}: {count} {unit}{change}"
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*pt) for pt in ring)) + " Z"
            for polygon in polygons
            for ring in polygon
        )
        parts.append(
            f'<path class="area" d="{path}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" '
            f'stroke-width="2"><title>{escape(tip)}</title></path>'
        )
        lx, ly = project(*_label_point(polygons))
        ink = INK if figure.value is None else text_colour(fill)
        halo = "#ffffff" if ink == INK else "#000000"
        labels.append(
            f'<text x="{lx:.1f}" y="{ly - 2:.1f}" text-anchor="middle" font-size="13" font-weight="600" '
            f'fill="{ink}" stroke="{halo}" stroke-opacity="0.25" stroke-width="0.6" aria-hidden="true">'
            f"{escape(name)}</text>"
            f'<text x="{lx:.1f}" y="{ly + 15:.1f}" text-anchor="middle" font-size="13" fill="{ink}" '
            f'aria-hidden="true">{escape(count)}</text>'
        )
    parts += labels
    parts.append(legend(14, map_height + 14, breaks, ORANGES, "map-hatch", unit, width=width - 14))
    parts.append("</svg>")
    return "".join(parts)
