"""What a report can be: the incident types and urgency levels (DESIGN.md, "Default taxonomy").

A leaf module: the deployment, triage, routing, storage queries and the dashboard all read these one
definitions. A deployment can retrain on other types; the police safeguard keys on POLICE_MISCONDUCT.
"""

from __future__ import annotations

from enum import StrEnum

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
POLICE_MISCONDUCT = "police_misconduct"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


URGENCY_ORDER: tuple[str, ...] = tuple(Urgency)  # least to most urgent
URGENCIES: tuple[str, ...] = tuple(reversed(URGENCY_ORDER))  # most urgent first, as configs list them


def more_urgent(a: str, b: str) -> bool:
    """Whether urgency `a` is above `b`."""
    return URGENCY_ORDER.index(a) > URGENCY_ORDER.index(b)
