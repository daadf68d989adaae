"""Who is on call, and how an incident's escalation chain moves on.

The chain is a `ChainSnapshot` taken when the incident opened (the primary route's steps, the repeat
counters, the route's reminder settings), stored as JSON in `Incident.chain`; `Incident.step` is the next
step to run and `Incident.next_step_at` when, so timers survive a restart. Acknowledgement stops the
chain (status leaves "open").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from routing.deployment import ChainStep, Deployment, Member
from storage.models import Incident
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


@dataclass(frozen=True)
class Reminders:
    remind_every: float | None = None  # minutes: after the last step, until someone acknowledges
    remind_unresolved_after: float | None = None  # hours: once acknowledged, until someone resolves


@dataclass
class ChainSnapshot:
    """An incident's escalation chain, typed; `to_json`/`of` are its only way in and out of the database."""

    steps: list[ChainStep]
    repeats: dict[int, int] = field(default_factory=dict)  # repeat step index -> times run
    reminders: Reminders = Reminders()

    @classmethod
    def taken(cls, steps: Sequence[ChainStep], reminders: Reminders) -> ChainSnapshot:
        return cls(steps=[step for step in steps if not step.digest], reminders=reminders)

    @classmethod
    def of(cls, incident: Incident) -> ChainSnapshot:
        """Read the stored chain; ValueError for a row that is not one (the runner sets it aside)."""
        data = incident.chain or {}
        try:
            steps = [ChainStep.model_validate(step) for step in data.get("steps", [])]
            repeats = {int(k): int(v) for k, v in (data.get("repeats") or {}).items()}
            reminders = Reminders(**(data.get("reminders") or {}))
        except (TypeError, AttributeError, ValidationError) as exc:
            raise ValueError("incident chain is not a chain snapshot") from exc
        return cls(steps=steps, repeats=repeats, reminders=reminders)

    def save(self, incident: Incident) -> None:
        incident.chain = self.to_json()

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [step.model_dump(exclude_none=True) for step in self.steps],
            "repeats": {str(k): v for k, v in self.repeats.items()},
            "reminders": {k: v for k, v in asdict(self.reminders).items() if v is not None},
        }

    @property
    def backup(self) -> str | None:
        """The chain's own backup group, where a step naming a removed group goes instead."""
        return next((step.backup for step in self.steps if step.backup), None)

    def done(self, step: int) -> bool:
        return step >= len(self.steps)


def _block_start(steps: list[ChainStep], repeat_index: int) -> int:
    """A repeat runs again the steps after the previous repeat (or from the start)."""
    for index in range(repeat_index - 1, -1, -1):
        if steps[index].repeat is not None:
            return index + 1
    return 0


def advance(
    chain: ChainSnapshot,
    step: int,
    now: datetime,
    deployment: Deployment,
    area: str | None,
    types: list[str],
) -> tuple[list[Notify], int, datetime | None]:
    """Run the chain from `step` until a wait or the end.

    Returns the notifications to send, the next step index, and when to run it (None: chain done).
    The repeat counters of `chain` are updated in place (save it on the incident afterwards).
    """
    steps = chain.steps
    first_wait = next((i for i, s in enumerate(steps) if s.wait is not None), len(steps))
    notifications: list[Notify] = []
    for _ in range(MAX_STEPS_PER_ADVANCE):
        if step >= len(steps):
            return notifications, step, None
        current = steps[step]
        if current.wait is not None:
            return notifications, step + 1, now + timedelta(minutes=current.wait)
        if current.repeat is not None:
            done = chain.repeats.get(step, 0)
            if done < current.repeat:
                chain.repeats[step] = done + 1
                step = _block_start(steps, step)
            else:
                step += 1
            continue
        group = current.notify or current.backup
        if group:
            notifications += resolve_group(
                deployment,
                group,
                now,
                area,
                current.tier,
                types,
                step,
                escalation=step > first_wait,
                fallback=chain.backup,
            )
        step += 1
    return notifications, step, None
