"""Who is on call, and how an incident's escalation chain moves on.

The chain is a snapshot taken when the incident opened (`Incident.chain = {"steps": [...],
"repeats": {...}}`); `Incident.step` is the next step to run and `Incident.next_step_at` when, so timers
survive a restart. Acknowledgement stops the chain (status leaves "open").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.deployment import Deployment, Member
from taxonomy import POLICE_MISCONDUCT

MAX_STEPS_PER_ADVANCE = 100  # a chain of repeats cannot loop forever inside one advance


@dataclass(frozen=True)
class Notify:
    """Alert these members of `group` now; `escalation` is true after the first wait."""

    group: str
    members: tuple[Member, ...]
    step: int
    escalation: bool
    note: str = ""  # why: "backup of night_team: nobody on call"
    unknown_group: str | None = None  # the step named a group the deployment no longer has


def on_call_members(
    deployment: Deployment, group_name: str, moment: datetime, area: str | None, tier: int | None = None
) -> list[Member]:
    local = moment.astimezone(ZoneInfo(deployment.timezone))
    group = deployment.find_group(group_name)
    if group is None:
        return []
    return [
        member
        for member in group.members
        if (tier is None or member.tier == tier) and member.on_duty(local) and member.serves(area)
    ]


def resolve_group(
    deployment: Deployment,
    group_name: str,
    moment: datetime,
    area: str | None,
    tier: int | None,
    types: list[str],
    step: int,
    escalation: bool,
    fallback: str | None = None,
) -> list[Notify]:
    """The members to alert for one notify step; a group with nobody on call goes to its backup.

    A group that is no longer in the deployment (removed while incidents that name it in their chain
    snapshot are open) is skipped: the step goes to `fallback` (the chain's backup) or the duty group,
    and the Notify carries `unknown_group` so the caller audits and logs it.
    """
    if deployment.find_group(group_name) is None:
        instead = next(
            (
                g
                for g in (fallback, deployment.duty_group)
                if g is not None and g != group_name and deployment.find_group(g) is not None
            ),
            None,
        )
        notes = resolve_group(deployment, instead, moment, area, None, types, step, True) if instead else []
        if not notes:
            return [Notify(instead or group_name, (), step, True, f"unknown group {group_name}", group_name)]
        return [
            Notify(n.group, n.members, n.step, True, f"unknown group {group_name}: sent to {n.group}", group_name)
            for n in notes
        ]
    seen: set[str] = set()
    note = ""
    name: str | None = group_name
    while name is not None and name not in seen:
        seen.add(name)
        if POLICE_MISCONDUCT in types and name in deployment.police_affiliated_groups:
            return []  # the safeguard holds for backups too
        members = on_call_members(deployment, name, moment, area, tier if name == group_name else None)
        if members:
            return [Notify(name, tuple(members), step, escalation or bool(note), note)]
        group = deployment.find_group(name)
        backup = group.backup if group is not None else None
        note = f"backup of {name}: nobody on call"
        name = backup
    return []


def snapshot(chain: tuple[dict[str, Any], ...], reminders: dict[str, float] | None = None) -> dict[str, Any]:
    """The chain as stored on the incident: steps, repeat counters, and the route's reminder settings."""
    return {"steps": [dict(step) for step in chain], "repeats": {}, "reminders": dict(reminders or {})}


def chain_backup(chain: dict[str, Any]) -> str | None:
    """The chain's own backup group, where a step naming a removed group goes instead."""
    return next((step["backup"] for step in chain.get("steps", []) if step.get("backup")), None)


def _block_start(steps: list[dict[str, Any]], repeat_index: int) -> int:
    """A repeat runs again the steps after the previous repeat (or from the start)."""
    for index in range(repeat_index - 1, -1, -1):
        if "repeat" in steps[index]:
            return index + 1
    return 0


def advance(
    chain: dict[str, Any],
    step: int,
    now: datetime,
    deployment: Deployment,
    area: str | None,
    types: list[str],
) -> tuple[list[Notify], int, datetime | None]:
    """Run the chain from `step` until a wait or the end.

    Returns the notifications to send, the next step index, and when to run it (None: chain done).
    The `repeats` counters inside `chain` are updated in place.
    """
    steps: list[dict[str, Any]] = chain.get("steps", [])
    repeats: dict[str, int] = chain.setdefault("repeats", {})
    first_wait = next((i for i, s in enumerate(steps) if "wait" in s), len(steps))
    notifications: list[Notify] = []
    for _ in range(MAX_STEPS_PER_ADVANCE):
        if step >= len(steps):
            return notifications, step, None
        current = steps[step]
        if "wait" in current:
            return notifications, step + 1, now + timedelta(minutes=int(current["wait"]))
        if "repeat" in current:
            done = repeats.get(str(step), 0)
            if done < int(current["repeat"]):
                repeats[str(step)] = done + 1
                step = _block_start(steps, step)
            else:
                step += 1
            continue
        group = current.get("notify") or current.get("backup")
        if group:
            notifications += resolve_group(
                deployment,
                group,
                now,
                area,
                current.get("tier"),
                types,
                step,
                escalation=step > first_wait,
                fallback=chain_backup(chain),
            )
        step += 1
    return notifications, step, None
