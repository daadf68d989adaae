"""The deployment's configuration: places, responder groups and routes (YAML, validated with pydantic).

An error names the file, the path of the field and what is wrong. A config whose routes could send a
police-misconduct report to a police-affiliated group is refused at load.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from settings import ConfigError

INCIDENT_TYPES: tuple[str, ...] = (
    "sexual_harassment",
    "sexual_assault",
    "domestic_violence",
    "physical_assault",
    "gun_violence",
    "threats_extortion",
    "robbery",
    "police_misconduct",
    "drink_spiking",
    "unsafe_place",
    "other",
)
URGENCIES: tuple[str, ...] = ("emergency", "urgent", "routine")
POLICE_MISCONDUCT = "police_misconduct"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(_Strict):
    name: str
    aliases: list[str] = []


class Venue(_Strict):
    name: str
    area: str
    aliases: list[str] = []
    nightlife: bool = False


class Member(_Strict):
    name: str
    telegram: int | None = Field(None, description="Telegram chat id")
    sms: str | None = Field(None, pattern=r"^(whatsapp:)?\+\d{6,15}$")
    languages: list[str] = ["en"]

    @model_validator(mode="after")
    def _one_address(self) -> Member:
        if (self.telegram is None) == (self.sms is None):
            raise ValueError("give exactly one of 'telegram' (chat id) or 'sms' (E.164 number)")
        return self

    @property
    def channel(self) -> str:
        if self.telegram is not None:
            return "telegram"
        assert self.sms is not None
        return "whatsapp" if self.sms.startswith("whatsapp:") else "sms"

    @property
    def address(self) -> str:
        return str(self.telegram) if self.telegram is not None else str(self.sms).removeprefix("whatsapp:")


class Group(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    police_affiliated: bool = False
    members: list[Member] = []


class RouteFilter(_Strict):
    """All given conditions must hold; an empty filter matches every report."""

    types: list[str] = []
    urgency: list[Literal["emergency", "urgent", "routine"]] = []
    areas: list[str] = []
    nightlife: bool | None = None

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: list[str]) -> list[str]:
        unknown = sorted(set(types) - set(INCIDENT_TYPES))
        if unknown:
            raise ValueError(f"unknown incident type(s) {unknown}; known: {list(INCIDENT_TYPES)}")
        return types

    def admits_type(self, incident_type: str) -> bool:
        return not self.types or incident_type in self.types

    @property
    def only_types(self) -> bool:
        return bool(self.types) and not self.urgency and not self.areas and self.nightlife is None


class Route(_Strict):
    name: str
    match: RouteFilter = RouteFilter()
    notify: list[str] = []
    digest: list[str] = []

    @model_validator(mode="after")
    def _does_something(self) -> Route:
        if not self.notify and not self.digest:
            raise ValueError("a route needs 'notify' or 'digest' groups")
        return self


class Deployment(_Strict):
    name: str
    timezone: str = "UTC"
    emergency_number: str
    default_language: str = "en"
    languages: list[str] = ["en"]
    areas: list[Area]
    venues: list[Venue] = []
    geojson: str | None = None
    groups: list[Group]
    routes: list[Route]
    also: list[Route] = []

    @model_validator(mode="after")
    def _references_exist(self) -> Deployment:
        group_names = {g.name for g in self.groups}
        area_names = {a.name for a in self.areas}
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                for group in route.notify + route.digest:
                    if group not in group_names:
                        raise ValueError(f"{kind}[{index}] ({route.name}): unknown group '{group}'")
                for area in route.match.areas:
                    if area not in area_names:
                        raise ValueError(f"{kind}[{index}] ({route.name}): unknown area '{area}'")
        for venue in self.venues:
            if venue.area not in area_names:
                raise ValueError(f"venue '{venue.name}': unknown area '{venue.area}'")
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        self._check_police_safeguard()
        return self

    def _check_police_safeguard(self) -> None:
        """Refuse routes that could deliver a police-misconduct report to a police-affiliated group.

        A primary route is unreachable for such a report once an earlier route catches every
        police-misconduct report (types include it, no other condition); 'also' routes always run.
        """
        police = {g.name for g in self.groups if g.police_affiliated}
        caught = False
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                if kind == "routes" and caught:
                    break
                if route.match.admits_type(POLICE_MISCONDUCT):
                    bad = sorted(police & set(route.notify + route.digest))
                    if bad:
                        raise ValueError(
                            f"{kind}[{index}] ({route.name}) could send a police_misconduct report to "
                            f"police-affiliated group(s) {bad}; such reports must go to an independent body"
                        )
                    if kind == "routes" and route.match.only_types:
                        caught = True

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)

    @cached_property
    def police_affiliated_groups(self) -> frozenset[str]:
        return frozenset(g.name for g in self.groups if g.police_affiliated)


def _format_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid deployment config"]
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {location}: {error['msg']}")
    return "\n".join(lines)


def load_deployment(path: Path) -> Deployment:
    """Read and validate the deployment YAML; ConfigError says what is wrong and where."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: deployment config not found (set DEPLOYMENT_CONFIG)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        return Deployment.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_error(path, exc)) from None


def load_geojson(deployment: Deployment, config_path: Path) -> dict | None:
    if not deployment.geojson:
        return None
    geo_path = (config_path.parent / deployment.geojson).resolve()
    try:
        return json.loads(geo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{geo_path}: cannot read GeoJSON: {exc}") from None
