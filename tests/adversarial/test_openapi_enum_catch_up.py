"""Attacks on the enum catch-up relaxation: under `recommended`, a request enum value that
a spec-only change drops is a warning when the code at base never had it and defines every
value the enum now lists. A pull request must not use it to drop a value clients send."""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.openapi.test_catchup import BASE, ENUM_PHP, FIXED, RECOMMENDED, RULE, spec

BLOCKED = RULE


def _warned_only(verdict: Verdict, rule: str) -> bool:
    found = [r for r in verdict.results if r.finding.qualified_rule == rule]
    return bool(found) and not any(r.blocking for r in found)


def test_a_code_change_in_the_same_pr_keeps_it_blocking(attack: AttackFactory) -> None:
    # the code may be what drops the value: the spec then documents a real removal
    head = {**FIXED, "src/Model/Legacy.php": "<?php\n// no more aliases\n"}
    assert_blocked(attack(RECOMMENDED, BASE, head).judge(), BLOCKED)


def test_a_changed_config_file_beside_the_spec_keeps_it_blocking(attack: AttackFactory) -> None:
    head = {**FIXED, "config/conditions.yaml": "accepted: [device, language]\n"}
    assert_blocked(attack(RECOMMENDED, BASE, head).judge(), BLOCKED)


def test_the_removed_value_present_in_code_keeps_it_blocking(attack: AttackFactory) -> None:
    alias = "<?php\nconst ALIASES = ['query' => ConditionType::QUERY_PARAM];\n"
    base = {**BASE, "src/Model/Aliases.php": alias}
    assert_blocked(attack(RECOMMENDED, base, FIXED).judge(), BLOCKED)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("src/parse.py", "KINDS = {f'QUERY': 1}\n"),
        ("src/kinds.rb", "KIND = :query\n"),
        ("src/kinds.go", "const kind = `Query`\n"),
    ],
)
def test_the_removed_value_in_another_case_or_quoting_keeps_it_blocking(
    attack: AttackFactory, name: str, code: str
) -> None:
    verdict = attack(RECOMMENDED, {**BASE, name: code}, FIXED).judge()
    assert_blocked(verdict, BLOCKED)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config/schemas/rule.json", '{"properties": {"type": {"enum": ["device", "query"]}}}\n'),
        ("db/schema.sql", "CREATE TYPE condition AS ENUM ('device', 'language', 'query');\n"),
    ],
)
def test_the_removed_value_in_data_the_server_reads_keeps_it_blocking(
    attack: AttackFactory, name: str, text: str
) -> None:
    # a JSON Schema the server validates with, a database enum: the value was accepted
    verdict = attack(RECOMMENDED, {**BASE, name: text}, FIXED).judge()
    assert_blocked(verdict, BLOCKED)


def test_the_replacement_absent_from_code_keeps_it_blocking(attack: AttackFactory) -> None:
    enum = ENUM_PHP.replace("    case QUERY_PARAM = 'query-param';\n", "")
    base = {**BASE, "src/Model/ConditionType.php": enum}
    assert_blocked(attack(RECOMMENDED, base, FIXED).judge(), BLOCKED)


def test_the_replacement_only_in_tests_keeps_it_blocking(attack: AttackFactory) -> None:
    enum = ENUM_PHP.replace("    case QUERY_PARAM = 'query-param';\n", "")
    test = "<?php\n$this->post(['type' => 'query-param', 'd' => 'device', 'l' => 'language']);\n"
    base = {**BASE, "src/Model/ConditionType.php": enum, "test-api/RulesTest.php": test}
    assert_blocked(attack(RECOMMENDED, base, FIXED).judge(), BLOCKED)


def test_values_spread_over_unrelated_files_keep_it_blocking(attack: AttackFactory) -> None:
    # 'query-param' as a CSS class somewhere is not the code's definition of the enum
    enum = ENUM_PHP.replace("    case QUERY_PARAM = 'query-param';\n", "")
    view = "<?php\necho '<div class=\"query-param\">';\n"
    base = {**BASE, "src/Model/ConditionType.php": enum, "src/View/Box.php": view}
    assert_blocked(attack(RECOMMENDED, base, FIXED).judge(), BLOCKED)


def test_the_old_value_named_in_the_enum_file_keeps_it_blocking(attack: AttackFactory) -> None:
    # the enum keeps a constant for the old spelling, whatever string it maps to
    enum = ENUM_PHP.replace("case QUERY_PARAM", "case QUERY")
    base = {**BASE, "src/Model/ConditionType.php": enum}
    assert_blocked(attack(RECOMMENDED, base, FIXED).judge(), BLOCKED)


def test_a_response_enum_keeps_its_own_levels(attack: AttackFactory) -> None:
    # responses are judged as before: a value removed is news, a value added a warning
    enum = "<?php\nenum State: string { case A = 'a'; case C = 'c'; }\n"
    base = {**BASE, "src/Model/State.php": enum, "openapi.yaml": spec("[device]")}
    head = {"openapi.yaml": spec("[device]", response="[a, c]")}
    verdict = attack(RECOMMENDED, base, head).judge()
    removed = [
        r
        for r in verdict.results
        if r.finding.qualified_rule == "openapi/response-property-enum-value-removed"
    ]
    assert removed and all(r.finding.level.value == "info" for r in removed)
    assert not any("catches up" in r.finding.message for r in verdict.results)
    assert _warned_only(verdict, "openapi/response-property-enum-value-added")


def test_the_policy_cannot_be_relaxed_by_the_pr(attack: AttackFactory) -> None:
    strict = "version: 1\nextends: [strict]\n"
    relaxed = strict + "checks:\n  openapi: {enum_catch_up: true}\n"
    head = {**FIXED, ".github/gatekeeper.yml": relaxed}
    assert_blocked(attack(strict, BASE, head).judge(), BLOCKED)


def test_the_relaxation_itself_still_applies(attack: AttackFactory) -> None:
    verdict = attack(RECOMMENDED, BASE, FIXED).judge()
    assert _warned_only(verdict, BLOCKED)
