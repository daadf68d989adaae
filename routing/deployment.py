"""The deployment's configuration: places, responder groups and routes (YAML, validated with pydantic).

An error names the file, the path of the field and what is wrong. A config whose routes could send a
police-misconduct report to a police-affiliated group is refused at load.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlp.places import AREA_NAME_PROPERTY
from settings import ConfigError
from storage.repository import ResponderSpec
from taxonomy import INCIDENT_TYPES, POLICE_MISCONDUCT


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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")


class OnCallWindow(_Strict):
    """ "mon-fri 08:00-20:00", "sat 20:00-06:00" (overnight: ends the next morning), local time."""

    days: tuple[int, ...]
    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        match = _WINDOW.match(value.strip().lower())
        if not match:
            raise ValueError(f"'{value}': expected like 'mon-fri 08:00-20:00'")
        first, _, last = match["days"].partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"'{value}': days are {', '.join(WEEKDAYS)}")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days = tuple(range(a, b + 1)) if a <= b else tuple(range(a, 7)) + tuple(range(0, b + 1))
        end = "23:59:59" if match["end"] == "24:00" else match["end"]
        return {"days": days, "start": match["start"], "end": end}

    def covers(self, moment: datetime) -> bool:
        now, weekday = moment.time(), moment.weekday()
        if self.start <= self.end:
            return weekday in self.days and self.start <= now <= self.end
        # overnight: from start on a listed day until end on the next day
        return (weekday in self.days and now >= self.start) or ((weekday - 1) % 7 in self.days and now <= self.end)


class _Reachable(_Strict):
    """Someone Salama writes to: exactly one Telegram chat id or one phone number."""

    telegram: int | None = Field(None, description="Telegram chat id")
    sms: str | None = Field(None, pattern=r"^(whatsapp:)?\+\d{6,15}$")

    @model_validator(mode="after")
    def _one_address(self) -> _Reachable:
        if (self.telegram is None) == (self.sms is None):
            raise ValueError("give exactly one of 'telegram' (chat id) or 'sms' (E.164 number)")
        return self

    @property
    def channel(self) -> str:
        if self.telegram is not None:
            return "telegram"
        return "whatsapp" if str(self.sms).startswith("whatsapp:") else "sms"

    @property
    def address(self) -> str:
        return str(self.telegram) if self.telegram is not None else str(self.sms).removeprefix("whatsapp:")


class Member(_Reachable):
    name: str
    languages: list[str] = ["en"]
    tier: int = Field(1, ge=1)
    areas: list[str] = []  # empty: serves every area
    on_call: list[OnCallWindow] = []  # empty: always on call

    def on_duty(self, moment: datetime) -> bool:
        return not self.on_call or any(window.covers(moment) for window in self.on_call)

    def serves(self, area: str | None) -> bool:
        return not self.areas or area is None or area in self.areas


_DIGEST_EVERY = re.compile(r"^(?P<days>daily|[a-z]{3}(?:,[a-z]{3})*)\s+(?P<at>\d{2}:\d{2})$")


class DigestSchedule(_Strict):
    """When a group's digest goes out, local time: `every: mon 08:00`, `every: mon,thu 08:00`, `every: daily 07:30`."""

    every: str
    days: tuple[int, ...] = ()
    at: time = time(8, 0)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        if isinstance(value, str):
            value = {"every": value}
        if not isinstance(value, dict) or "days" in value:
            return value
        text = str(value.get("every", "")).strip().lower()
        match = _DIGEST_EVERY.match(text)
        if not match:
            raise ValueError(f"'{text}': expected like 'mon 08:00', 'mon,thu 08:00' or 'daily 08:00'")
        names = WEEKDAYS if match["days"] == "daily" else tuple(match["days"].split(","))
        unknown = [d for d in names if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"'{text}': days are {', '.join(WEEKDAYS)} or 'daily'")
        return {"every": text, "days": tuple(sorted({WEEKDAYS.index(d) for d in names})), "at": match["at"]}


class Group(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    police_affiliated: bool = False
    backup: str | None = None  # where to go when nobody in this group is on call
    members: list[Member] = []
    digest: DigestSchedule | None = None  # required for a group that a route sends digests to


class Champion(_Reachable):
    """Trained venue staff: their flags come with the venue preset and the role "champion"."""

    name: str
    venue: str


class ChainStep(_Strict):
    """One step of an escalation chain; exactly one field is set.

    notify: alert the on-call members of a group (of one tier, if `tier` is given); wait: minutes to
    wait for an acknowledgement; repeat: run the steps since the previous repeat again, K times;
    backup: alert a backup group; digest: no live alert, the report goes to the group's digest.
    """

    notify: str | None = None
    tier: int | None = Field(None, ge=1)
    wait: int | None = Field(None, ge=1, description="minutes")
    repeat: int | None = Field(None, ge=1)
    backup: str | None = None
    digest: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> ChainStep:
        actions = [name for name in ("notify", "wait", "repeat", "backup", "digest") if getattr(self, name) is not None]
        if len(actions) != 1:
            raise ValueError("a chain step does one of: notify, wait, repeat, backup, digest")
        if self.tier is not None and self.notify is None:
            raise ValueError("'tier' goes with 'notify'")
        return self

    @property
    def group(self) -> str | None:
        return self.notify or self.backup or self.digest


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
    """A filter leading to an escalation chain. `notify`/`digest` lists are shorthand for a chain
    that alerts (or digests to) those groups at once, with no escalation."""

    name: str
    match: RouteFilter = RouteFilter()
    notify: list[str] = []
    digest: list[str] = []
    chain: list[ChainStep] = []
    # When this route applies, no other route adds groups (police misconduct: oversight only).
    exclusive: bool = False
    # After the last step, remind everyone alerted every N minutes until someone acknowledges.
    remind_every: int | None = Field(None, ge=1, description="minutes")
    # Remind the holder of an acknowledged incident that nobody resolved, every M hours.
    remind_unresolved_after: float | None = Field(None, gt=0, description="hours")

    @model_validator(mode="after")
    def _does_something(self) -> Route:
        if not (self.notify or self.digest or self.chain):
            raise ValueError("a route needs 'chain', 'notify' or 'digest'")
        return self

    @property
    def steps(self) -> list[ChainStep]:
        return (
            [ChainStep.model_validate({"notify": group}) for group in self.notify]
            + [ChainStep.model_validate({"digest": group}) for group in self.digest]
            + list(self.chain)
        )

    @property
    def groups(self) -> set[str]:
        return {step.group for step in self.steps if step.group}


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
    champions: list[Champion] = []
    routes: list[Route]
    also: list[Route] = []
    cluster_window_minutes: int = Field(30, ge=0)  # reports this close in time and place join one incident
    # Told when an escalation step names a group that no longer exists and the chain has no backup.
    duty_group: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{name}'; use an IANA name such as 'Africa/Nairobi'") from None
        return name

    @model_validator(mode="after")
    def _references_exist(self) -> Deployment:
        seen_groups: set[str] = set()
        for listed in self.groups:
            if listed.name in seen_groups:
                raise ValueError(f"group '{listed.name}' is listed twice; give each group one entry")
            seen_groups.add(listed.name)
        group_names = {g.name for g in self.groups}
        area_names = {a.name for a in self.areas}
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                for named in sorted(route.groups):
                    if named not in group_names:
                        raise ValueError(f"{kind}[{index}] ({route.name}): unknown group '{named}'")
                for area in route.match.areas:
                    if area not in area_names:
                        raise ValueError(f"{kind}[{index}] ({route.name}): unknown area '{area}'")
                for step in route.steps:
                    if step.notify and step.tier is not None and step.notify in group_names:
                        tiers = {m.tier for g in self.groups if g.name == step.notify for m in g.members}
                        if step.tier not in tiers:
                            raise ValueError(
                                f"{kind}[{index}] ({route.name}): group '{step.notify}' has no member "
                                f"of tier {step.tier}; that step would alert nobody"
                            )
        for venue in self.venues:
            if venue.area not in area_names:
                raise ValueError(f"venue '{venue.name}': unknown area '{venue.area}'")
        venue_names = {v.name for v in self.venues}
        for champion in self.champions:
            if champion.venue not in venue_names:
                raise ValueError(f"champion '{champion.name}': unknown venue '{champion.venue}'")
        for group in self.groups:
            if group.backup is not None and group.backup not in group_names:
                raise ValueError(f"group '{group.name}': unknown backup group '{group.backup}'")
            for member in group.members:
                for area in member.areas:
                    if area not in area_names:
                        raise ValueError(f"group '{group.name}', member '{member.name}': unknown area '{area}'")
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        if self.duty_group is not None and self.duty_group not in group_names:
            raise ValueError(f"duty_group: unknown group '{self.duty_group}'")
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                for step in route.steps:
                    if step.digest and self.group(step.digest).digest is None:
                        raise ValueError(
                            f"{kind}[{index}] ({route.name}): group '{step.digest}' gets digests but has no "
                            f"schedule; add to the group: digest: {{every: mon 08:00}}"
                        )
                    if step.digest and not self.group(step.digest).members:
                        raise ValueError(
                            f"{kind}[{index}] ({route.name}): group '{step.digest}' gets digests "
                            "but has no members to send them to"
                        )
        self._check_police_safeguard()
        return self

    def _check_police_safeguard(self) -> None:
        """Refuse routes that could deliver a police-misconduct report to a police-affiliated group.

        A primary route is unreachable for such a report once an earlier route catches every
        police-misconduct report (types include it, no other condition); 'also' routes always run.
        """
        police = {g.name for g in self.groups if g.police_affiliated}
        if self.duty_group in police:
            raise ValueError(
                f"duty_group '{self.duty_group}' is police-affiliated; it would see police_misconduct reports"
            )
        caught = False
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                if kind == "routes" and caught:
                    break
                if route.match.admits_type(POLICE_MISCONDUCT):
                    bad = sorted(police & self.reachable_groups(route.groups))
                    if bad:
                        raise ValueError(
                            f"{kind}[{index}] ({route.name}) could send a police_misconduct report to "
                            f"police-affiliated group(s) {bad}; such reports must go to an independent body"
                        )
                    if kind == "routes" and route.match.only_types:
                        caught = True
        # A report typed police_misconduct *and* another type also matches the routes of that other type,
        # unless the route that catches misconduct is exclusive (then it stands alone).
        catcher = next((r for r in self.routes if r.match.admits_type(POLICE_MISCONDUCT) and r.match.only_types), None)
        if catcher is not None and catcher.exclusive:
            return
        for kind, routes in (("routes", self.routes), ("also", self.also)):
            for index, route in enumerate(routes):
                bad = sorted(police & self.reachable_groups(route.groups))
                if bad:
                    raise ValueError(
                        f"{kind}[{index}] ({route.name}) could send a report typed police_misconduct and another "
                        f"type to police-affiliated group(s) {bad}; mark the police-misconduct route "
                        "'exclusive: true' so that such reports go to the independent body alone"
                    )

    def reachable_groups(self, names: set[str]) -> set[str]:
        """The groups, and their backups' backups to any depth (a cycle ends the walk)."""
        reached: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name in reached:
                continue
            reached.add(name)
            group = self.find_group(name)
            if group is not None and group.backup:
                pending.append(group.backup)
        return reached

    def group(self, name: str) -> Group:
        group = self.find_group(name)
        if group is None:
            raise KeyError(f"unknown group '{name}'")
        return group

    def find_group(self, name: str) -> Group | None:
        return self.groups_by_name.get(name)

    @cached_property
    def groups_by_name(self) -> dict[str, Group]:
        return {g.name: g for g in self.groups}

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


def load_geojson(deployment: Deployment, config_path: Path) -> dict[str, Any] | None:
    if not deployment.geojson:
        return None
    geo_path = (config_path.parent / deployment.geojson).resolve()
    try:
        data = json.loads(geo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{geo_path}: cannot read GeoJSON: {exc}") from None
    areas = {area.name for area in deployment.areas}
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ConfigError(f"{geo_path}: expected a GeoJSON FeatureCollection")
    for index, feature in enumerate(features):
        name = ((feature or {}).get("properties") or {}).get(AREA_NAME_PROPERTY)
        if name not in areas:
            raise ConfigError(
                f"{geo_path}: features[{index}]: properties.{AREA_NAME_PROPERTY} must name an area of "
                f"the deployment ({', '.join(sorted(areas))}); got {name!r}"
            )
        if not isinstance((feature or {}).get("geometry"), dict):
            raise ConfigError(f"{geo_path}: features[{index}]: no geometry")
    collection: dict[str, Any] = data
    return collection


def responder_specs(deployment: Deployment) -> list[ResponderSpec]:
    """The roster as the responders table mirrors it: one row per (group, member)."""
    return [
        ResponderSpec(
            group=group.name,
            name=member.name,
            channel=member.channel,
            address=member.address,
            language=member.languages[0] if member.languages else deployment.default_language,
        )
        for group in deployment.groups
        for member in group.members
    ]
