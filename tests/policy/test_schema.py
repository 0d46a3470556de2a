from __future__ import annotations

import json
from typing import Any, ClassVar

import jsonschema
import pytest

from gatekeeper.errors import PluginError
from gatekeeper.policy.schema import (
    COMMON_KEYS,
    DRAFT,
    SCHEMA_ID,
    policy_schema,
    render_schema,
    validate_config_schema,
)
from tests.policy.fakes import CHECKS, Cochange, Coverage, Needy, Sarif


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return policy_schema({**CHECKS, "needy": Needy})


def _valid(schema: dict[str, Any], document: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(document)


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == SCHEMA_ID
    assert schema["required"] == ["version"]


def test_schema_is_deterministic_and_json() -> None:
    reordered = dict(reversed(list(CHECKS.items())))
    assert json.dumps(policy_schema(CHECKS)) == json.dumps(policy_schema(reordered))


def test_every_check_block_has_the_common_keys_and_its_own(schema: dict[str, Any]) -> None:
    blocks = schema["properties"]["checks"]["properties"]
    assert sorted(blocks) == sorted([*CHECKS, "needy"])
    coverage = blocks["coverage"]
    assert set(COMMON_KEYS) <= set(coverage["properties"])
    assert {"report", "diff_min", "total_max_drop"} <= set(coverage["properties"])
    assert coverage["title"] == "Diff coverage"
    assert coverage["additionalProperties"] is False
    assert coverage["type"] == ["object", "boolean"]


def test_rule_ids_complete_from_the_catalog(schema: dict[str, Any]) -> None:
    rules = schema["properties"]["checks"]["properties"]["coverage"]["properties"]["rules"]
    assert sorted(rules["properties"]) == ["diff-coverage-low", "total-coverage-dropped"]
    assert rules["additionalProperties"] is False
    sarif = schema["properties"]["checks"]["properties"]["sarif"]["properties"]["rules"]
    assert sarif["additionalProperties"] == {"$ref": "#/$defs/severity"}  # open_rules


def test_list_shorthand_and_hoisted_defs(schema: dict[str, Any]) -> None:
    cochange = schema["properties"]["checks"]["properties"]["cochange"]
    assert cochange["type"] == ["object", "boolean", "array"]
    assert cochange["items"] == {"$ref": "#/$defs/cochange.rule"}
    assert "cochange.rule" in schema["$defs"]
    good = {"version": 1, "checks": {"cochange": [{"when": ["a"], "require": ["b"]}]}}
    bad = {"version": 1, "checks": {"cochange": [{"when": ["a"]}]}}
    assert _valid(schema, good)
    assert not _valid(schema, bad)


@pytest.mark.parametrize(
    ("document", "ok"),
    [
        ({"version": 1}, True),
        ({}, False),
        ({"version": 2}, False),
        ({"version": 1, "checks": {"coverage": True, "pr": False}}, True),
        ({"version": 1, "checks": {"coverage": {"diff_min": "eighty"}}}, False),
        ({"version": 1, "checks": {"coverage": {"severity": "off", "on_error": "warn"}}}, True),
        ({"version": 1, "checks": {"coverage": {"on_error": "off"}}}, False),
        ({"version": 1, "checks": {"coverage": {"timeout": 0}}}, False),
        ({"version": 1, "checks": {"coverage": {"rules": {"diff-coverage-low": "warn"}}}}, True),
        ({"version": 1, "checks": {"coverage": {"rules": {"typo": "warn"}}}}, False),
        ({"version": 1, "checks": {"sarif": {"rules": {"B101": "off"}}}}, True),
        ({"version": 1, "checks": {"unknown": {}}}, False),
        ({"version": 1, "checks": {"needy": {"target": "x"}}}, True),
        ({"version": 1, "checks": {"needy": {}}}, False),
        ({"version": 1, "extends": "strict"}, True),
        ({"version": 1, "extends": ["recommended", "org/policy.yml"]}, True),
        ({"version": 1, "agents": {"logins": ["bot"], "builtin": False}}, True),
        ({"version": 1, "agents": {"login": ["bot"]}}, False),
        ({"version": 1, "annotations": {"max": 10}}, True),
        ({"version": 1, "annotations": {"max": -1}}, False),
        ({"version": 1, "plugins": ["checks/ticket.py"]}, True),
    ],
)
def test_documents(schema: dict[str, Any], document: Any, ok: bool) -> None:
    assert _valid(schema, document) is ok


def test_override_blocks_are_partial(schema: dict[str, Any]) -> None:
    override = {"when": {"author": "agent"}, "checks": {"needy": {"severity": "warn"}}}
    assert _valid(schema, {"version": 1, "overrides": [override]})
    assert not _valid(schema, {"version": 1, "overrides": [{"when": {}, "checks": {}}]})
    assert not _valid(schema, {"version": 1, "overrides": [{"when": {"author": "robot"}}]})


@pytest.mark.parametrize(
    ("waiver", "ok"),
    [
        ({"rule": "openapi/x", "reason": "r", "approved_by": "@a"}, True),
        ({"rule": "openapi/*", "reason": "r", "approved_by": "@a", "expires": "2027-01-31"}, True),
        ({"rule": "openapi", "reason": "r", "approved_by": "@a"}, False),
        ({"rule": "openapi/x", "approved_by": "@a"}, False),
        ({"rule": "openapi/x", "reason": "r", "approved_by": "@a", "expires": "soon"}, False),
        (
            {"rule": "a/b", "reason": "r", "approved_by": "@a", "fingerprint": "abc", "path": "x"},
            True,
        ),
    ],
)
def test_waivers(schema: dict[str, Any], waiver: dict[str, Any], ok: bool) -> None:
    assert _valid(schema, {"version": 1, "waivers": [waiver]}) is ok


def test_check_declaring_a_common_key_is_a_plugin_error() -> None:
    class Clash(Coverage):
        id = "clash"
        config_schema: ClassVar[dict[str, Any]] = {
            "type": "object",
            "properties": {"severity": {"type": "string"}},
        }

    with pytest.raises(PluginError, match="check 'clash' declares severity"):
        policy_schema({"clash": Clash})


def test_check_schema_details_are_kept() -> None:
    class Described(Sarif):
        id = "described"
        title = ""
        config_schema: ClassVar[dict[str, Any]] = {
            "$schema": DRAFT,
            "description": "From the schema.",
            "definitions": {"n": {"type": "integer"}},
            "properties": {"n": {"$ref": "#/definitions/n"}, "u": {"$ref": "https://x/y"}},
        }

    block = policy_schema({"described": Described})["properties"]["checks"]["properties"]
    described = block["described"]
    assert described["title"] == "described"
    assert described["description"] == "From the schema."
    assert described["properties"]["n"] == {"$ref": "#/$defs/described.n"}
    assert described["properties"]["u"] == {"$ref": "https://x/y"}
    assert "$schema" not in described


def test_cochange_fake_has_no_rules_so_any_rule_id_is_open() -> None:
    rules = policy_schema({"cochange": Cochange})["properties"]["checks"]["properties"]
    assert "properties" not in rules["cochange"]["properties"]["rules"]


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        ({"type": "strin"}, "properties/n/type"),
        ({"type": "integer", "minimum": "x"}, "properties/n/minimum"),
    ],
)
def test_validate_config_schema_names_the_broken_check(broken: dict[str, Any], where: str) -> None:
    class Broken(Coverage):
        id = "broken"
        config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"n": broken}}

    with pytest.raises(
        PluginError, match=f"check 'broken': config_schema is not valid JSON Schema at {where}"
    ):
        validate_config_schema(Broken)


def test_validate_config_schema_accepts_good_and_refuses_non_mappings() -> None:
    for check in CHECKS.values():
        validate_config_schema(check)

    class NoSchema(Coverage):
        id = "none"
        config_schema = None  # type: ignore[assignment]

    with pytest.raises(
        PluginError, match="check 'none': config_schema must be a JSON Schema object"
    ):
        validate_config_schema(NoSchema)


def test_render_schema_is_stable_json() -> None:
    text = render_schema(CHECKS)
    assert text == render_schema(dict(reversed(list(CHECKS.items()))))
    assert text.endswith("}\n")
    assert json.loads(text) == policy_schema(CHECKS)
