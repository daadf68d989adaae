"""The police safeguard as an invariant (hypothesis): whatever the deployment, the reports, the clustering,
follow-ups, corrections, splits, acknowledgements and escalations, no member of a police-affiliated group
is ever sent anything about an incident once police misconduct has touched it, nor about a report that
carries it.

Random deployments that load (the load-time check passes), run through the real Incidents, ResponderDesk
and Store on a real SQLite database; every outbox row written is checked after every operation.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import delete, select

from handlers.base import InboundMessage
from handlers.responders import ResponderDesk
from routing.deployment import Deployment, responder_specs
from routing.incidents import Incidents
from storage.crypto import Vault
from storage.db import Database, upgrade_database
from storage.models import Alert, Base, Incident, OutboxMessage, Report, utcnow
from storage.repository import Store
from taxonomy import INCIDENT_TYPES, POLICE_MISCONDUCT

TYPES = [t for t in INCIDENT_TYPES if t not in (POLICE_MISCONDUCT, "unsafe_place")]
AREAS = ["North", "South"]
NORMAL = ["crisis", "gbv", "night"]
POLICE = ["police", "guards"]
VAULT = Vault(secrets.token_urlsafe(48))


def _member(name: str, chat: int, tier: int = 1) -> dict[str, Any]:
    return {"name": name, "telegram": chat, "tier": tier}


@st.composite
def deployments(draw: st.DrawFn) -> Deployment:
    # Oversight's own backups are checked at load to any depth (tests/routing/test_rules.py); here they stay
    # clear of the police so that most drawn deployments load and the run-time rule is what is exercised.
    groups = [{"name": "oversight", "members": [_member("O", 9001)], "backup": None}]
    for index, name in enumerate(POLICE):
        groups.append(
            {
                "name": name,
                "police_affiliated": True,
                "members": [_member(f"P{index}", 9100 + index)],
                "backup": draw(st.sampled_from([None, *NORMAL, *POLICE])),
            }
        )
    for index, name in enumerate(NORMAL):
        members = [
            _member(f"{name}{m}", 9200 + 10 * index + m, tier=draw(st.integers(1, 2)))
            for m in range(draw(st.integers(0, 2)))
        ]
        if draw(st.booleans()):  # a police officer who is also listed in a civilian group
            members.append(_member(f"{name}-liaison", 9100 + draw(st.integers(0, 1))))
        groups.append({"name": name, "members": members, "backup": draw(st.sampled_from([None, *NORMAL, *POLICE]))})
    anyone = st.sampled_from(NORMAL + POLICE)
    routes: list[dict[str, Any]] = [
        {
            "name": "misconduct",
            "match": {"types": [POLICE_MISCONDUCT]},
            "exclusive": True,
            "chain": [{"notify": "oversight"}, {"wait": 10}, {"backup": "oversight"}],
        }
    ]
    for index in range(draw(st.integers(1, 4))):
        chain: list[dict[str, Any]] = [{"notify": draw(anyone)}]
        if draw(st.booleans()):
            chain += [
                {"wait": draw(st.integers(1, 20))},
                {"notify": draw(anyone)},
                {"wait": 5},
                {"backup": draw(anyone)},
            ]
        routes.append(
            {
                "name": f"r{index}",
                "match": {"types": draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))},
                "chain": chain,
                "remind_every": draw(st.sampled_from([None, 15])),
                "remind_unresolved_after": draw(st.sampled_from([None, 1.0])),
            }
        )
    routes.append({"name": "catch-all", "notify": [draw(st.sampled_from(NORMAL))]})
    also = [
        {
            "name": f"a{index}",
            "match": {
                "types": draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)),
                **({"nightlife": True} if draw(st.booleans()) else {}),
            },
            "notify": [draw(anyone)],
        }
        for index in range(draw(st.integers(0, 2)))
    ]
    config = {
        "name": "Property City",
        "emergency_number": "112",
        "areas": [{"name": a} for a in AREAS],
        "venues": [{"name": "Bar", "area": "North", "nightlife": True}],
        "groups": groups,
        "routes": routes,
        "also": also,
        "duty_group": draw(st.sampled_from([None, *NORMAL])),
        "cluster_window_minutes": 30,
    }
    try:
        deployment = Deployment.model_validate(config)
    except ValidationError:  # refused at load (e.g. a backup chain that ends at the police): not a deployment
        assume(False)
        raise
    if draw(st.booleans()):
        # As if edited past validation (a config in a database, a later edit): the misconduct route is not
        # exclusive, so misconduct + robbery also matches the robbery route. The run-time rule must hold alone.
        routes_copy = [deployment.routes[0].model_copy(update={"exclusive": False}), *deployment.routes[1:]]
        deployment = deployment.model_copy(update={"routes": routes_copy})
    return deployment


report_types = st.lists(st.sampled_from(TYPES + [POLICE_MISCONDUCT] * 3), min_size=1, max_size=3, unique=True)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("report"),
            report_types,
            st.sampled_from(["routine", "urgent", "emergency"]),
            st.sampled_from([*AREAS, None]),
            st.booleans(),
            st.sampled_from([0, 0, 1440]),
        ),
        st.tuples(st.just("follow_up"), st.integers(0, 20), report_types, st.sampled_from(["urgent", "emergency"])),
        st.tuples(st.just("correct"), st.integers(0, 20), st.sampled_from(TYPES + [POLICE_MISCONDUCT])),
        st.tuples(st.just("split"), st.integers(0, 20)),
        st.tuples(st.just("ack"), st.integers(0, 20), st.integers(0, 20)),
        st.tuples(st.just("escalate"), st.integers(1, 90)),
    ),
    min_size=1,
    max_size=10,
)


def _police_addresses(deployment: Deployment) -> set[str]:
    return {m.address for g in deployment.groups if g.police_affiliated for m in g.members}


async def _scenario(url: str, deployment: Deployment, ops: list[tuple[Any, ...]]) -> None:
    db = Database(url)
    incidents = Incidents(deployment)
    desk = ResponderDesk(incidents)
    police = _police_addresses(deployment)
    touched: set[int] = set()  # incidents police misconduct has touched: sticky, as the rule says
    misconduct_reports: set[int] = set()
    now = utcnow()
    try:
        async with db.sessions() as session, session.begin():
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(delete(table))
            await Store(session, VAULT).sync_responders(_specs(deployment))
        seen_rows = 0
        for number, op in enumerate(ops):
            now += timedelta(minutes=5)
            async with db.sessions() as session, session.begin():
                store = Store(session, VAULT)
                await _apply(store, incidents, desk, op, number, now)
            async with db.sessions() as session:
                store = Store(session, VAULT)
                reports = {r.id: r for r in (await session.scalars(select(Report))).all()}
                rows_by_id = {i.id: i for i in (await session.scalars(select(Incident))).all()}
                alerts = {a.id: a for a in (await session.scalars(select(Alert))).all()}
                touched |= {i.id for i in rows_by_id.values() if i.police_sensitive or POLICE_MISCONDUCT in i.types}
                misconduct_reports |= {r.id for r in reports.values() if POLICE_MISCONDUCT in r.types}
                touched |= {reports[r].incident_id for r in misconduct_reports if reports[r].incident_id}
                new_rows = (
                    await session.scalars(
                        select(OutboxMessage).where(OutboxMessage.id > seen_rows).order_by(OutboxMessage.id)
                    )
                ).all()
                for row in new_rows:
                    seen_rows = row.id
                    if VAULT.decrypt(row.address_enc) not in police:
                        continue
                    incident_id = alerts[row.alert_id].incident_id if row.alert_id else None
                    if row.report_id is not None:
                        assert row.report_id not in misconduct_reports, f"op {op}: {row.kind} about a misconduct report"
                        incident_id = incident_id or reports[row.report_id].incident_id
                    assert incident_id not in touched, f"op {op}: {row.kind} to police on a touched incident"
    finally:
        await db.dispose()


def _specs(deployment: Deployment):  # type: ignore[no-untyped-def]
    return responder_specs(deployment)


async def _apply(
    store: Store,
    incidents: Incidents,
    desk: ResponderDesk,
    op: tuple[Any, ...],
    number: int,
    now: Any,
) -> None:
    reports = list((await store.session.scalars(select(Report).order_by(Report.id))).all())
    kind = op[0]
    if kind == "report":
        _, types, urgency, area, at_bar, minutes_ago = op
        reporter = await store.reporter_for("sms", f"+1555000{number:04d}")
        report = await store.create_report(reporter, "sms", "en", f"report {number}", role="resident")
        report.types, report.urgency, report.area = list(types), urgency, area
        if at_bar and area == "North":
            report.venue = "Bar"
        report.event_at = now - timedelta(minutes=minutes_ago)
        await incidents.submit(store, report, now)
    elif kind == "follow_up" and reports:
        report = reports[op[1] % len(reports)]
        if report.incident_id is None:
            return
        report.types = list(dict.fromkeys(report.types + list(op[2])))
        report.urgency = op[3]
        await incidents.report_changed(store, report, "more words", now)
    elif kind == "correct" and reports:
        report = reports[op[1] % len(reports)]
        incident = await store.incident(report.incident_id) if report.incident_id else None
        if incident is not None:
            holder = await _someone_alerted(store, incident, 0)
            if holder is not None:
                await incidents.correct_type(store, incident, holder, op[2], now)
    elif kind == "split" and reports:
        report = reports[op[1] % len(reports)]
        incident = await store.incident(report.incident_id) if report.incident_id else None
        if incident is not None and incident.report_count > 1 and report.reference != incident.reference:
            await incidents.split(store, incident, report, now)
    elif kind == "ack" and reports:
        report = reports[op[1] % len(reports)]
        incident = await store.incident(report.incident_id) if report.incident_id else None
        if incident is not None:
            responder = await _someone_alerted(store, incident, op[2])
            if responder is not None:  # through the real command parser and permission check
                address = store.responder_address(responder)
                message = InboundMessage(
                    channel=responder.channel,
                    provider_message_id=f"m{number}",
                    address=address,
                    text=f"ACK {incident.reference}",
                )
                await desk.handle(store, message)
    elif kind == "escalate":
        later = now + timedelta(minutes=op[1])
        for incident_id in await store.due_incident_ids(later):
            incident = await store.lock_due_incident(incident_id, later)
            if incident is not None:
                await incidents.step(store, incident, later)


async def _someone_alerted(store: Store, incident: Incident, pick: int):  # type: ignore[no-untyped-def]
    alerts = list(await store.alerts_of_incident(incident))
    if not alerts:
        return None
    return await store.responder(alerts[pick % len(alerts)].responder_id)


@pytest.fixture(scope="module")
def property_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite file for all examples; each example empties it first."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('property') / 'property.sqlite3'}"
    upgrade_database(url)
    return url


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(deployment=deployments(), ops=operations)
def test_no_message_about_police_misconduct_ever_reaches_a_police_member(
    deployment: Deployment,
    ops: list[tuple[Any, ...]],
    property_database: str,
) -> None:
    asyncio.run(_scenario(property_database, deployment, ops))
