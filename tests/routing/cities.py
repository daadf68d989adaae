"""Variants of the demo city for routing tests: the YAML with a change a real city would make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo-city.yaml"
Mutate = Callable[[dict[str, Any]], None]


def write_config(tmp_path: Path, *mutations: Mutate) -> Path:
    """The demo city with `mutations` applied, written (with its GeoJSON) to tmp_path/city.yaml."""
    config = yaml.safe_load(DEMO.read_text())
    for mutate in mutations:
        mutate(config)
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    (tmp_path / "demo-city.geojson").write_text((DEMO.parent / "demo-city.geojson").read_text())
    return path
