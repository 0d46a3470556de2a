"""Attacks on the openapi check: a breaking API change hidden from the comparison."""

from __future__ import annotations

import json

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = """\
version: 1
checks:
  openapi: {specs: ["api/*.json", "api/*.yaml"]}
"""
SNIFFED = "version: 1\nchecks:\n  openapi: {}\n"


def _spec(required: list[str], **top: object) -> dict[str, object]:
    user = {"type": "object", "required": required, "properties": {"id": {"type": "string"}}}
    ok = {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}},
    }
    doc: dict[str, object] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/u": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": {"User": user}},
    }
    doc.update(top)
    return doc


def test_a_broken_ref_cannot_hide_a_change_as_an_empty_schema(attack: AttackFactory) -> None:
    head = _spec([])
    head["paths"]["/u"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {  # type: ignore[index]
        "$ref": "#/components/schemas/Nobody",
        "description": "the user",
    }
    case = attack(
        POLICY, {"api/spec.json": json.dumps(_spec(["id"]))}, {"api/spec.json": json.dumps(head)}
    )
    assert_blocked(case.judge(), "openapi/spec-ref-broken")


def test_sorted_keys_do_not_hide_the_spec_from_discovery(attack: AttackFactory) -> None:
    # no specs: configured, an unconventional name, "openapi" far below "components"
    pad = {f"Pad{i}": {"type": "object", "description": "x" * 200} for i in range(40)}
    base, head = _spec(["id"]), _spec([])
    for doc in (base, head):
        doc["components"]["schemas"].update(pad)  # type: ignore[index,union-attr]
    dump = lambda d: json.dumps(d, sort_keys=True, indent=2)  # noqa: E731
    case = attack(SNIFFED, {"svc/spec3.json": dump(base)}, {"svc/spec3.json": dump(head)})
    assert_blocked(case.judge(), "openapi/response-property-became-optional")


def test_an_unknown_version_is_not_read_as_3_0(attack: AttackFactory) -> None:
    head = _spec([])
    head["openapi"] = "4.7.0"
    case = attack(
        POLICY, {"api/spec.json": json.dumps(_spec(["id"]))}, {"api/spec.json": json.dumps(head)}
    )
    assert_blocked(case.judge(), "openapi/spec-invalid")


def test_moving_every_endpoint_by_the_base_path_blocks(attack: AttackFactory) -> None:
    base = _spec(["id"], servers=[{"url": "https://api.example.com/v1"}])
    head = _spec(["id"], servers=[{"url": "https://api.example.com/v2"}])
    case = attack(POLICY, {"api/spec.json": json.dumps(base)}, {"api/spec.json": json.dumps(head)})
    assert_blocked(case.judge(), "openapi/api-base-path-changed")


def test_a_spec_renamed_out_of_discovery_is_compared_and_flagged(attack: AttackFactory) -> None:
    # moved to a name no later pull request's discovery would find, and broken on the way
    base, head = json.dumps(_spec([]), indent=1), json.dumps(_spec(["id"]), indent=1)
    case = attack(SNIFFED, {"spec.json": base}, {"spec.json": None, "docs/api.txt": head})
    verdict = case.judge()
    assert_blocked(verdict, "openapi/spec-moved-out-of-sight")
    # and what changed on the way is compared, not passed over
    rules = {r.finding.qualified_rule for r in verdict.results}
    assert "openapi/response-property-became-required" in rules, rules
    # out of the configured globs too (the base policy names api/*.json)
    case = attack(POLICY, {"api/spec.json": base}, {"api/spec.json": None, "spec.json": base})
    assert_blocked(case.judge(), "openapi/spec-moved-out-of-sight")


def test_a_spec_renamed_to_a_name_the_gate_finds_is_only_compared(attack: AttackFactory) -> None:
    base = json.dumps(_spec([]), indent=1)
    case = attack(SNIFFED, {"spec.json": base}, {"spec.json": None, "api/v1.json": base})
    rules = {r.finding.qualified_rule for r in case.judge().results}
    assert "openapi/spec-moved-out-of-sight" not in rules
