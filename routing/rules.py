"""Routes -> who gets the alert for one report, and the escalation chain that follows.

The first primary route whose filter matches gives the chain. Every other primary route that matches
one of the report's types, and every matching 'also' route, adds the groups it alerts at once (its
steps before the first wait). An `exclusive` route that matches stands alone: police misconduct goes
to oversight only. Police-affiliated groups are taken out here for a police-misconduct report, and
again, whatever this module says, at the one place every message to a responder passes
(routing/safeguard.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.deployment import ChainStep, Deployment, Route, RouteFilter
from routing.escalation import Reminders
from taxonomy import POLICE_MISCONDUCT


@dataclass(frozen=True)
class ReportFacts:
    """What routing needs to know about a report: coded fields only."""

    types: tuple[str, ...]
    urgency: str
    area: str | None = None
    venue: str | None = None
    nightlife: bool = False


@dataclass(frozen=True)
class Target:
    """Alert the on-call members of `group` (of one tier, if given) at once."""

    group: str
    tier: int | None = None


@dataclass(frozen=True)
class RoutingDecision:
    alert_groups: tuple[str, ...]  # alerted as soon as the report is routed
    digest_groups: tuple[str, ...]
    chain: tuple[ChainStep, ...]  # the primary route's chain (no digest steps), snapshotted on the incident
    routes: tuple[str, ...]  # names of the routes that matched, for the audit trail
    withheld_groups: tuple[str, ...] = ()  # police-affiliated groups removed by the safeguard
    extra: tuple[Target, ...] = ()  # groups (and tiers) other routes add: alerted at once, no chain of their own
    first_wave: tuple[Target, ...] = ()  # the chain's own steps before its first wait
    reminders: Reminders = Reminders()
    exclusive: bool = False


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


def _first_wave(steps: list[ChainStep]) -> list[Target]:
    """Steps before the first wait run at once."""
    wave: list[Target] = []
    for step in steps:
        if step.wait is not None or step.repeat is not None:
            break
        if step.notify:
            wave.append(Target(step.notify, step.tier))
        elif step.backup:
            wave.append(Target(step.backup))
    return wave


def decide(deployment: Deployment, facts: ReportFacts) -> RoutingDecision:
    matched = [route for route in deployment.routes if _matches(route.match, facts)]
    also = [route for route in deployment.also if _matches(route.match, facts)]
    exclusive = next((route for route in matched + also if route.exclusive), None)
    primary: Route | None = exclusive or (matched[0] if matched else None)
    if exclusive is not None:
        adding: list[Route] = []
    else:
        # Other primary routes add their groups when they name one of the report's types (a catch-all
        # route without types never adds: it is there for reports nothing else took).
        adding = [route for route in matched[1:] if set(route.match.types) & set(facts.types)] + also
    steps: list[ChainStep] = primary.steps if primary else []
    first_wave = _first_wave(steps)
    extra = [target for route in adding for target in _first_wave(route.steps)]
    digest = [step.digest for route in ([primary] if primary else []) + adding for step in route.steps if step.digest]

    withheld: list[str] = []
    if POLICE_MISCONDUCT in facts.types:
        police = deployment.police_affiliated_groups
        withheld = [g for g in [s.group for s in steps if s.group] + [t.group for t in extra] + digest if g in police]
        steps = [step for step in steps if step.group not in police]
        first_wave = [t for t in first_wave if t.group not in police]
        extra = [t for t in extra if t.group not in police]
        digest = [g for g in digest if g not in police]

    alert_groups = _unique([t.group for t in first_wave + extra])
    reminders = Reminders(primary.remind_every, primary.remind_unresolved_after) if primary else Reminders()
    return RoutingDecision(
        alert_groups=alert_groups,
        digest_groups=tuple(g for g in _unique(digest) if g not in alert_groups),
        chain=tuple(step for step in steps if not step.digest),
        routes=tuple(route.name for route in ([primary] if primary else []) + adding),
        withheld_groups=_unique(withheld),
        extra=tuple(dict.fromkeys(extra)),
        first_wave=tuple(first_wave),
        reminders=reminders,
        exclusive=exclusive is not None,
    )
