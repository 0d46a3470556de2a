"""A request enum value the code never had, dropped by a change to the spec alone, is a
warning that says why; ``enum_catch_up: false`` (the ``strict`` preset) keeps it blocking.

The case is shlink 0bc7412430: the spec documented the redirect condition type ``query``
while the server's enum has always said ``query-param``."""

from __future__ import annotations

from gatekeeper.model import Result, Verdict
from gatekeeper.pipeline import GateOptions, run_gate
from tests.conftest import GitRepo

RULE = "openapi/request-property-enum-value-removed"
RECOMMENDED = "version: 1\nextends: [recommended]\n"


def spec(values: str, *, response: str = "[a, b]") -> str:
    """A spec whose request takes a condition type and whose response lists states."""
    return f"""openapi: 3.0.3
info: {{title: rules, version: 1.0.0}}
paths:
  /rules:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                type: {{type: string, enum: {values}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  state: {{type: string, enum: {response}}}
"""


ENUM_PHP = """<?php
enum ConditionType: string
{
    case DEVICE = 'device';
    case LANGUAGE = 'language';
    case QUERY_PARAM = 'query-param';
}
"""
BASE = {
    "openapi.yaml": spec("[device, language, query]"),
    "src/Model/ConditionType.php": ENUM_PHP,
    "README.md": "rules\n",
}
FIXED = {"openapi.yaml": spec("[device, language, query-param]")}


def judge(repo: GitRepo, policy: str, base: dict[str, str], head: dict[str, str]) -> Verdict:
    base_sha = repo.commit({**base, ".github/gatekeeper.yml": policy}, "base")
    head_sha = repo.commit(head, "head")
    return run_gate(GateOptions(root=repo.root, base=base_sha, head=head_sha))


def of(verdict: Verdict, rule: str) -> list[Result]:
    return [r for r in verdict.results if r.finding.qualified_rule == rule]


def test_the_spec_catching_up_with_the_code_warns_and_says_why(git_repo: GitRepo) -> None:
    verdict = judge(git_repo, RECOMMENDED, BASE, {**FIXED, "CHANGELOG.md": "fixed docs\n"})
    (found,) = of(verdict, RULE)
    assert not found.blocking and found.finding.level.value == "warning"
    assert "the spec catches up with the code" in found.finding.message
    assert "src/Model/ConditionType.php" in found.finding.message
    assert "enum_catch_up: false" in found.finding.message


def test_the_removed_value_only_in_tests_does_not_count(git_repo: GitRepo) -> None:
    base = {**BASE, "tests/RulesTest.php": "<?php\n$this->post(['type' => 'query']);\n"}
    (found,) = of(judge(git_repo, RECOMMENDED, base, FIXED), RULE)
    assert not found.blocking


def test_another_api_document_under_docs_does_not_count(git_repo: GitRepo) -> None:
    # an AsyncAPI document beside the spec repeats the same mistake; it implements nothing
    asyncapi = '{"asyncapi": "2.6.0", "components": {"schemas": {"t": {"enum": ["query"]}}}}\n'
    base = {**BASE, "docs/async-api/async-api.json": asyncapi}
    (found,) = of(judge(git_repo, RECOMMENDED, base, FIXED), RULE)
    assert not found.blocking


def test_strict_keeps_blocking(git_repo: GitRepo) -> None:
    verdict = judge(git_repo, "version: 1\nextends: [strict]\n", BASE, FIXED)
    (found,) = of(verdict, RULE)
    assert found.blocking and "catches up" not in found.finding.message


def test_the_setting_turns_it_off(git_repo: GitRepo) -> None:
    policy = RECOMMENDED + "checks:\n  openapi: {enum_catch_up: false}\n"
    (found,) = of(judge(git_repo, policy, BASE, FIXED), RULE)
    assert found.blocking


def test_a_value_removed_without_a_replacement_still_blocks(git_repo: GitRepo) -> None:
    head = {"openapi.yaml": spec("[device, language]")}
    (found,) = of(judge(git_repo, RECOMMENDED, BASE, head), RULE)
    assert found.blocking
