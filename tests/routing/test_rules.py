"""Routing: the default routes of DESIGN.md, and the police safeguard at routing and at config load."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.deployment import load_deployment
from routing.rules import ReportFacts, decide
from settings import ConfigError
from tests.routing.cities import write_config

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo-city.yaml"

ROUTES = [
    # types, urgency, venue nightlife, expected alert groups, expected digest groups
    (["physical_assault"], "urgent", False, {"crisis_responders"}, set()),
    (["threats_extortion"], "routine", False, {"crisis_responders"}, set()),
    (["robbery"], "emergency", False, {"crisis_responders"}, set()),
    (["sexual_assault"], "emergency", False, {"gbv_specialists"}, set()),
    (["sexual_harassment"], "routine", False, {"gbv_specialists"}, set()),
    (["domestic_violence"], "urgent", False, {"gbv_specialists"}, set()),
    (["drink_spiking"], "emergency", False, {"gbv_specialists", "night_team"}, set()),
    (["gun_violence"], "emergency", False, {"crisis_responders", "gbv_specialists"}, set()),
    (["physical_assault"], "emergency", True, {"crisis_responders", "night_team"}, set()),
    (["police_misconduct"], "routine", False, {"oversight"}, set()),
    (["police_misconduct", "sexual_assault"], "urgent", True, {"oversight"}, set()),  # exclusive route
    (["sexual_assault", "physical_assault"], "urgent", False, {"gbv_specialists", "crisis_responders"}, set()),
    (["robbery", "unsafe_place"], "routine", False, {"crisis_responders"}, {"safety_unit"}),
    (["unsafe_place"], "routine", False, set(), {"safety_unit"}),
    (["other"], "routine", False, {"crisis_responders"}, set()),
]


@pytest.mark.parametrize("types, urgency, nightlife, alerted, digest", ROUTES)
def test_default_routes(types: list[str], urgency: str, nightlife: bool, alerted: set[str], digest: set[str]) -> None:
    decision = decide(load_deployment(DEMO), ReportFacts(types=tuple(types), urgency=urgency, nightlife=nightlife))
    assert set(decision.alert_groups) == alerted
    assert set(decision.digest_groups) == digest


def test_config_routing_misconduct_to_police_is_refused(tmp_path: Path) -> None:
    def send_misconduct_to_police(config: dict) -> None:
        config["routes"][0]["notify"] = ["oversight", "city_police"]

    with pytest.raises(ConfigError) as error:
        load_deployment(write_config(tmp_path, send_misconduct_to_police))
    message = str(error.value)
    assert "city.yaml" in message and "police_misconduct" in message and "city_police" in message


def test_config_catch_all_also_route_to_police_is_refused(tmp_path: Path) -> None:
    def also_police_at_night(config: dict) -> None:
        config["also"].append({"name": "police see nightlife", "match": {"nightlife": True}, "notify": ["city_police"]})

    with pytest.raises(ConfigError, match="city_police"):
        load_deployment(write_config(tmp_path, also_police_at_night))


def test_police_after_a_misconduct_catch_route_is_allowed_and_never_reached(tmp_path: Path) -> None:
    def police_get_robberies(config: dict) -> None:
        config["routes"].insert(
            1, {"name": "robbery to police", "match": {"types": ["robbery"]}, "notify": ["city_police"]}
        )

    deployment = load_deployment(write_config(tmp_path, police_get_robberies))
    # the first matching route gives the chain (police); the violence route adds the crisis responders
    assert decide(deployment, ReportFacts(types=("robbery",), urgency="urgent")).alert_groups == (
        "city_police",
        "crisis_responders",
    )
    mixed = decide(deployment, ReportFacts(types=("robbery", "police_misconduct"), urgency="urgent"))
    assert "city_police" not in mixed.alert_groups and mixed.alert_groups == ("oversight",)


def test_safeguard_at_routing_withholds_police_groups() -> None:
    deployment = load_deployment(DEMO)
    # Build a deployment that bypasses load-time validation, as a config edited in the database might.
    # (The misconduct route is made non-exclusive, so that the other routes are considered at all.)
    routes = [deployment.routes[0].model_copy(update={"exclusive": False}), *deployment.routes[1:]]
    unsafe = deployment.model_copy(
        update={
            "routes": routes,
            "also": [
                *deployment.also,
                deployment.routes[0].model_copy(
                    update={
                        "name": "everything to police",
                        "match": deployment.routes[-1].match,
                        "notify": ["city_police"],
                        "exclusive": False,
                    }
                ),
            ],
        }
    )
    decision = decide(unsafe, ReportFacts(types=("police_misconduct",), urgency="urgent"))
    assert "city_police" not in decision.alert_groups and decision.withheld_groups == ("city_police",)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (
            lambda c: c["groups"][0]["members"].append({"name": "X", "telegram": 1, "sms": "+15555550999"}),
            "groups.0.members.3",
        ),
        (
            lambda c: c["routes"].append({"name": "bad", "match": {"types": ["shoplifting"]}, "notify": ["oversight"]}),
            "shoplifting",
        ),
        (lambda c: c["routes"].append({"name": "ghost", "notify": ["ghostbusters"]}), "ghostbusters"),
        (lambda c: c.pop("emergency_number"), "emergency_number"),
    ],
)
def test_config_errors_name_the_field(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as error:
        load_deployment(write_config(tmp_path, mutate))
    assert expected in str(error.value) and "city.yaml" in str(error.value)


def test_config_backup_chain_to_police_at_any_depth_is_refused(tmp_path: Path) -> None:
    def oversight_backup_ends_at_police(config: dict) -> None:
        groups = {group["name"]: group for group in config["groups"]}
        groups["oversight"]["backup"] = "safety_unit"  # oversight -> safety_unit -> duty_desk -> city_police
        groups["safety_unit"]["backup"] = "duty_desk"
        groups["duty_desk"]["backup"] = "city_police"

    with pytest.raises(ConfigError, match="city_police"):
        load_deployment(write_config(tmp_path, oversight_backup_ends_at_police))


def test_config_digest_group_needs_a_schedule(tmp_path: Path) -> None:
    def no_schedule(config: dict) -> None:
        next(group for group in config["groups"] if group["name"] == "safety_unit").pop("digest")

    with pytest.raises(ConfigError, match="safety_unit.*schedule"):
        load_deployment(write_config(tmp_path, no_schedule))


def test_exclusive_route_stands_alone_and_other_routes_add_their_groups() -> None:
    deployment = load_deployment(DEMO)
    misconduct_at_a_club = decide(
        deployment, ReportFacts(types=("police_misconduct", "gun_violence"), urgency="emergency", nightlife=True)
    )
    assert misconduct_at_a_club.alert_groups == ("oversight",) and misconduct_at_a_club.exclusive
    shooting_and_assault = decide(
        deployment, ReportFacts(types=("gun_violence", "sexual_assault"), urgency="emergency")
    )
    assert shooting_and_assault.routes[0].startswith("gun violence")
    assert set(shooting_and_assault.alert_groups) == {"crisis_responders", "gbv_specialists"}
    assert shooting_and_assault.chain[0].notify == "crisis_responders"


def test_every_message_to_a_responder_passes_the_gate() -> None:
    """The police rule lives in one place: only routing/safeguard.py writes responder messages."""
    import ast

    root = DEMO.parents[1]
    offenders = []
    for path in sorted(root.glob("**/*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "storage/")) or relative == "routing/safeguard.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "add_alert":
                    offenders.append(f"{relative}:{node.lineno} add_alert")
                if node.func.attr == "enqueue":
                    kinds = [a.value for a in node.args[3:4] if isinstance(a, ast.Constant)]
                    if kinds != ["status"] and kinds != ["reply"]:  # the only kinds a reporter is sent
                        offenders.append(f"{relative}:{node.lineno} enqueue {kinds or '?'}")
    assert offenders == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c.update(timezone="Nairobi"), "Africa/Nairobi"),
        (lambda c: c["groups"].append(dict(c["groups"][0])), "listed twice"),
        (lambda c: c["routes"][1]["chain"][0].update(tier=3), "tier 3"),
    ],
)
def test_config_mistakes_a_city_makes_are_refused_readably(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=expected):
        load_deployment(write_config(tmp_path, mutate))


def test_police_on_robbery_needs_an_exclusive_misconduct_route(tmp_path: Path) -> None:
    def police_get_robberies_and_misconduct_not_exclusive(config: dict) -> None:
        config["routes"][0]["exclusive"] = False
        config["routes"].insert(
            1, {"name": "robbery to police", "match": {"types": ["robbery"]}, "notify": ["city_police"]}
        )

    with pytest.raises(ConfigError, match="exclusive: true"):
        load_deployment(write_config(tmp_path, police_get_robberies_and_misconduct_not_exclusive))
