"""Rule cases (fixtures/rule_cases.yml): each fires its rules and stays silent on others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.check import NO_SPEC
from gatekeeper.checks.openapi.rules import LEVELS
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
    assert len([r for r in check.rules if not r.startswith(("spec-", "generate-"))]) == 509
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
