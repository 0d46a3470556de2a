"""Rule cases (fixtures/rule_cases.yml): each fires its rules and stays silent on others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.check import NO_SPEC
from gatekeeper.checks.openapi.rules import LEVELS, OWN
from gatekeeper.testing import changeset, context, run_check

_DATA = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "rule_cases.yml").read_text(encoding="utf-8")
)
_CASES = _DATA["cases"]


def _payload(case: dict[str, Any], side: str) -> dict[str, Any]:
    """Shorthand cases give only a request or a response schema."""
    if "request" in case:
        body = {"content": {"application/json": {"schema": case["request"][side]}}}
        op = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
        return {"paths": {"/x": {"post": op}}}
    content = {"application/json": {"schema": case["response"][side]}}
    return {
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": content}}}}}
    }


def _spec(case: dict[str, Any], side: str) -> str:
    doc = dict(case.get("common", _DATA["common"]))
    doc.update(case[side] if side in case else _payload(case, side))
    doc.update(case.get("base_components", {}))
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.mark.parametrize("case", _CASES, ids=[c["name"] for c in _CASES])
def test_rule_case(case: dict[str, Any]) -> None:
    findings = run_check(
        OpenAPICheck(),
        {"openapi.yaml": _spec(case, "base")},
        {"openapi.yaml": _spec(case, "revision")},
        case.get("config"),
    )
    rules = {f.rule for f in findings}
    assert not {r for r in rules if r.startswith("spec-")}, [f.message for f in findings]
    for rule in case["fires"]:
        assert rule in LEVELS
        assert rule in rules, f"{rule} did not fire; got {sorted(rules)}"
    for rule in case["silent"]:
        assert rule in LEVELS
        assert rule not in rules, f"{rule} fired: {[f.message for f in findings if f.rule == rule]}"


def test_findings_carry_level_location_and_stable_fingerprint() -> None:
    case = _CASES[0]
    base, head = {"openapi.yaml": _spec(case, "base")}, {"openapi.yaml": _spec(case, "revision")}
    first = run_check(OpenAPICheck(), base, head)
    again = run_check(OpenAPICheck(), base, head)
    assert first == again
    breaking = [f for f in first if f.rule == "new-required-request-property"]
    assert breaking and breaking[0].level.value == "error"
    assert breaking[0].location is not None and breaking[0].location.path == "openapi.yaml"
    assert breaking[0].location.start_line is not None
    assert "POST /users" in breaking[0].message


def test_every_rule_case_rule_is_in_the_catalog_of_the_check() -> None:
    check = OpenAPICheck()
    assert check.id == "openapi" and check.title == "API contract"
    own = ("spec-", "generate-")
    oasdiff = [r for r in check.rules if not r.startswith(own) and r not in OWN]
    assert len(oasdiff) == 509
    assert sum(1 for r in check.rules.values() if r.level.value == "error") >= 213


def test_a_repository_without_a_spec_says_so_instead_of_no_api_changes() -> None:
    # a changed YAML file makes the check apply; none of the files is an OpenAPI document
    base = {".pre-commit-config.yaml": "repos: []\n"}
    head = {".pre-commit-config.yaml": "repos: [{repo: local, hooks: []}]\n"}
    ctx = context(changeset(base, head))
    check = OpenAPICheck()
    assert check.applies(ctx)
    assert list(check.run(ctx)) == []
    assert ctx.summary == NO_SPEC


def _messages(case: dict[str, Any]) -> dict[str, list[str]]:
    findings = run_check(
        OpenAPICheck(),
        {"openapi.yaml": _spec(case, "base")},
        {"openapi.yaml": _spec(case, "revision")},
    )
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f.message)
    return out


def test_a_removed_branch_is_named_by_its_own_position_and_types() -> None:
    keep = [{"type": "integer"}, {"type": "object", "properties": {"a": {"type": "string"}}}]
    gone = {"type": "string", "maxLength": 3}
    case = {
        "request": {
            "base": {"type": "object", "properties": {"p": {"anyOf": [*keep, gone]}}},
            "revision": {"type": "object", "properties": {"p": {"anyOf": [keep[1], keep[0]]}}},
        }
    }
    assert _messages(case)["request-property-any-of-removed"] == [
        "POST /x: anyOf branch #2 (string) removed in 'p' in the application/json request body"
    ]


def test_wrapped_says_which_keyword() -> None:
    props = {"a": {"type": "string"}, "b": {"type": "string"}}
    for kw in ("anyOf", "oneOf"):
        case = {
            "request": {
                "base": {"type": "object", "properties": props},
                "revision": {
                    kw: [
                        {"type": "object", "required": ["a"], "properties": {"a": props["a"]}},
                        {"type": "object", "required": ["b"], "properties": {"b": props["b"]}},
                    ]
                },
            }
        }
        assert _messages(case)["request-body-wrapped-in-one-of"] == [
            f"POST /x: the application/json request body was wrapped in {kw}"
        ]


def test_a_component_moved_into_oneof_under_another_name_adds_only_the_new_branch() -> None:
    # GitHub's integration.owner: nullable-simple-user became oneOf [simple-user, enterprise]
    user = {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}}
    case = {
        "response": {
            "base": {
                "type": "object",
                "properties": {"owner": {"$ref": "#/components/schemas/NullableUser"}},
            },
            "revision": {
                "type": "object",
                "properties": {
                    "owner": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/User"},
                            {"$ref": "#/components/schemas/Enterprise"},
                        ]
                    }
                },
            },
        },
        "base_components": {
            "components": {
                "schemas": {
                    "NullableUser": {**user, "nullable": True},
                    "User": user,
                    "Enterprise": {
                        "type": "object",
                        "required": ["slug"],
                        "properties": {"slug": {"type": "string"}},
                    },
                }
            }
        },
    }
    found = _messages(case)
    assert found["response-property-one-of-added"] == [
        "GET /x: oneOf branch 'Enterprise' added in 'owner' in the 200 application/json response"
    ]
    assert "response-property-became-not-nullable" in found


def test_a_removed_branch_is_not_covered_by_a_schema_with_a_keyword_not_modelled() -> None:
    # multipleOf (and allOf, not...) on the wider side may refuse values: still "removed"
    low, high = {"type": "integer", "maximum": 4}, {"type": "integer", "minimum": 10}
    case = {
        "request": {
            "base": {"type": "object", "properties": {"n": {"anyOf": [low, high]}}},
            "revision": {
                "type": "object",
                "properties": {"n": {"type": "integer", "multipleOf": 2}},
            },
        }
    }
    assert len(_messages(case)["request-property-any-of-removed"]) == 2
    case["request"]["revision"]["properties"]["n"] = {"type": "integer"}  # type: ignore[index]
    assert "request-property-any-of-removed" not in _messages(case)  # loosened: covered


def _removed_levels(base: dict[str, Any], revision: dict[str, Any], shared: bool) -> list[str]:
    """Levels of ``response-optional-property-removed`` between two response schemas,
    inline or through a shared ``$ref`` component."""
    case: dict[str, Any] = {"response": {"base": base, "revision": revision}}
    if shared:
        specs = {}
        for side in ("base", "revision"):
            doc = yaml.safe_load(
                _spec({"response": {side: {"$ref": "#/components/schemas/F"}}}, side)
            )
            doc["components"] = {"schemas": {"F": case["response"][side]}}
            specs[side] = {"openapi.yaml": yaml.safe_dump(doc)}
        found = run_check(OpenAPICheck(), specs["base"], specs["revision"])
    else:
        found = run_check(
            OpenAPICheck(),
            {"openapi.yaml": _spec(case, "base")},
            {"openapi.yaml": _spec(case, "revision")},
        )
    return [f.level.value for f in found if f.rule == "response-optional-property-removed"]


@pytest.mark.parametrize("shared", [False, True])
def test_an_optional_response_property_renamed_is_breaking(shared: bool) -> None:
    # kratos renamed the login flow's `forced` to `refresh`: clients reading `forced` get
    # nothing; an optional property removed alone stays a warning
    before = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "forced": {"type": "boolean"}},
    }
    renamed = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "refresh": {"type": "boolean"}},
    }
    assert _removed_levels(before, renamed, shared) == ["error"]
    dropped = {"type": "object", "properties": {"id": {"type": "string"}}}
    assert _removed_levels(before, dropped, shared) == ["warning"]
    # another shape added beside the removal is no rename
    other = {"type": "object", "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}}
    assert _removed_levels(before, other, shared) == ["warning"]
    # two removed and two added of one shape: which went where is unknown, no rename claimed
    two = {"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "boolean"}}}
    two_new = {"type": "object", "properties": {"c": {"type": "boolean"}, "d": {"type": "boolean"}}}
    assert _removed_levels(two, two_new, shared) == ["warning", "warning"]


def test_each_removed_enum_value_is_its_own_finding_with_its_own_fingerprint() -> None:
    # a waiver or a pre-existing mark names one value: two values removed from one enum
    # must not share an identity, or waiving one would waive the other
    def spec(values: list[str]) -> str:
        schema = {"type": "object", "properties": {"kind": {"type": "string", "enum": values}}}
        case = {"request": {"base": schema, "revision": schema}}
        return _spec(case, "base")

    findings = run_check(
        OpenAPICheck(),
        {"openapi.yaml": spec(["a", "b", "c"])},
        {"openapi.yaml": spec(["c"])},
    )
    removed = [f for f in findings if f.rule == "request-property-enum-value-removed"]
    assert sorted("'a'" in f.message for f in removed) == [False, True]
    assert len({f.fingerprint for f in removed}) == 2


def _settings_spec(properties: dict[str, Any], *, request: dict[str, Any] | None = None) -> str:
    """A settings resource: GET returns it; POST takes it (or ``request``) and returns it."""
    schema = {"type": "object", "properties": properties}
    body = {"$ref": "#/components/schemas/Settings"}
    ok = {"description": "ok", "content": {"application/json": {"schema": body}}}
    taken = {"type": "object", "properties": request} if request is not None else body
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/settings": {
                "get": {"responses": {"200": ok}},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": taken}}},
                    "responses": {"200": ok},
                },
            }
        },
        "components": {"schemas": {"Settings": schema}},
    }
    return yaml.safe_dump(doc)


def _levels_removed(base: str, head: str) -> list[tuple[str, str]]:
    found = run_check(OpenAPICheck(), {"openapi.yaml": base}, {"openapi.yaml": head})
    return sorted((f.rule, f.level.value) for f in found if f.rule.endswith("property-removed"))


def test_a_property_clients_read_and_send_back_removed_is_breaking() -> None:
    # jellyseerr dropped NetworkSettings.forceIpv4First from the settings POST takes and
    # returns: a client that saves the settings it read loses the value silently
    flag = {"type": "boolean"}
    base = _settings_spec({"trustProxy": flag, "forceIpv4First": flag})
    head = _settings_spec({"trustProxy": flag})
    assert ("response-optional-property-removed", "error") in _levels_removed(base, head)


def test_a_property_removed_after_its_deprecation_or_from_responses_alone_warns() -> None:
    flag = {"type": "boolean"}
    head = _settings_spec({"trustProxy": flag})
    old = {**flag, "deprecated": True}
    deprecated = _settings_spec({"trustProxy": flag, "forceIpv4First": old})
    assert {lvl for _, lvl in _levels_removed(deprecated, head)} == {"warning"}
    # the request still takes it: only what clients read changes (oasdiff's warning)
    kept = {"trustProxy": flag, "forceIpv4First": flag}
    base = _settings_spec(kept, request=kept)
    only_read = _settings_spec({"trustProxy": flag}, request=kept)
    assert _levels_removed(base, only_read) == [("response-optional-property-removed", "warning")]
