"""Routes -> who gets the alert for one report, and the escalation chain that follows.

The first primary route whose filter matches gives the chain; every matching 'also' route adds
groups alerted at once. Whatever the rules say, a police-misconduct report never reaches a
police-affiliated group (not even as a backup).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from routing.deployment import POLICE_MISCONDUCT, ChainStep, Deployment, RouteFilter


@dataclass(frozen=True)
class ReportFacts:
    """What routing needs to know about a report: coded fields only."""

    types: tuple[str, ...]
    urgency: str
    area: str | None = None
    venue: str | None = None
    nightlife: bool = False


@dataclass(frozen=True)
class RoutingDecision:
    alert_groups: tuple[str, ...]  # alerted as soon as the incident opens
    digest_groups: tuple[str, ...]
    chain: tuple[dict[str, Any], ...]  # the primary route's chain, as snapshotted on the incident
    also_groups: tuple[str, ...]
    routes: tuple[str, ...]  # names of the routes that matched, for the audit trail
    withheld_groups: tuple[str, ...] = ()  # police-affiliated groups removed by the safeguard


def _matches(rule: RouteFilter, facts: ReportFacts) -> bool:
    if rule.types and not set(rule.types) & set(facts.types):
        return False
    if rule.urgency and facts.urgency not in rule.urgency:
        return False
    if rule.areas and facts.area not in rule.areas:
        return False
    if rule.nightlife is not None and rule.nightlife != facts.nightlife:
        return False
    return True


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def decide(deployment: Deployment, facts: ReportFacts) -> RoutingDecision:
    primary = next((route for route in deployment.routes if _matches(route.match, facts)), None)
    also = [route for route in deployment.also if _matches(route.match, facts)]
    steps: list[ChainStep] = primary.steps if primary else []
    also_groups = [step.group for route in also for step in route.steps if step.notify or step.backup]
    digest = [step.digest for route in ([primary] if primary else []) + also for step in route.steps if step.digest]

    withheld: list[str] = []
    if POLICE_MISCONDUCT in facts.types:
        police = deployment.police_affiliated_groups
        withheld = [g for g in [s.group for s in steps] + also_groups + digest if g in police]
        steps = [step for step in steps if step.group not in police]
        also_groups = [g for g in also_groups if g not in police]
        digest = [g for g in digest if g not in police]

    first_wave = []
    for step in steps:  # groups alerted before the first wait are alerted at once
        if step.wait is not None:
            break
        if step.notify:
            first_wave.append(step.notify)
    alert_groups = _unique(first_wave + also_groups)
    return RoutingDecision(
        alert_groups=alert_groups,
        digest_groups=tuple(g for g in _unique(digest) if g not in alert_groups),
        chain=tuple(step.model_dump(exclude_none=True) for step in steps if not step.digest),
        also_groups=_unique(also_groups),
        routes=tuple(route.name for route in ([primary] if primary else []) + also),
        withheld_groups=_unique(withheld),
    )
