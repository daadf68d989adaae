"""Routes -> the groups to alert for one report.

The first primary route whose filter matches decides; every matching 'also' route adds groups.
Whatever the rules say, a police-misconduct report never reaches a police-affiliated group.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.deployment import POLICE_MISCONDUCT, Deployment, RouteFilter


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
    alert_groups: tuple[str, ...]
    digest_groups: tuple[str, ...]
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
    notify: list[str] = []
    digest: list[str] = []
    matched: list[str] = []
    primary = next((route for route in deployment.routes if _matches(route.match, facts)), None)
    for route in ([primary] if primary else []) + [r for r in deployment.also if _matches(r.match, facts)]:
        notify += route.notify
        digest += route.digest
        matched.append(route.name)
    withheld: list[str] = []
    if POLICE_MISCONDUCT in facts.types:
        police = deployment.police_affiliated_groups
        withheld = [g for g in notify + digest if g in police]
        notify = [g for g in notify if g not in police]
        digest = [g for g in digest if g not in police]
    alert_groups = _unique(notify)
    return RoutingDecision(
        alert_groups=alert_groups,
        digest_groups=tuple(g for g in _unique(digest) if g not in alert_groups),
        routes=tuple(matched),
        withheld_groups=_unique(withheld),
    )
