"""Attacks on what the gate check watches: what could stand in for the gate, or steer it.

The gate check used to watch only ``*gatekeeper*`` workflows and ``action.yml``. A new
workflow with a job named like the required check that runs ``exit 0`` satisfied branch
protection without the gate; ``.gitattributes``, ``CODEOWNERS``, ``.gatekeeper/`` and the
pre-commit configuration changed unseen. Each now needs a human's approval.
"""

from __future__ import annotations

import pytest

from gatekeeper.changes.pullrequest import PullRequest, Review
from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

POLICY = """\
version: 1
checks:
  gate: {severity: block}
  cochange:
    - {when: ["src/**"], require: ["tests/**"], message: "code needs tests"}
"""
BASE = {"src/app.py": "x = 1\n", "README.md": "hello\n"}
GATE_WORKFLOW = """\
on: pull_request
jobs:
  dod:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/gatekeeper@v1
"""


def _workflow(job: str, *, name: str = "", steps: str = "[{run: exit 0}]") -> str:
    title = f"name: {name}\n" if name else ""
    return f"{title}on: pull_request\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n" + (
        f"    steps: {steps}\n"
    )


def test_a_new_job_named_like_the_required_check_blocks(attack: AttackFactory) -> None:
    case = attack(POLICY, BASE, {".github/workflows/quick.yml": _workflow("gatekeeper")})
    verdict = case.judge()
    assert_blocked(verdict, "gate/check-impersonation")
    assert "job `gatekeeper`" in text_of(verdict)


def test_a_job_whose_name_is_computed_blocks(attack: AttackFactory) -> None:
    steps = "[{run: exit 0}]\n    name: ${{ format('{0}keeper', 'gate') }}"
    case = attack(POLICY, BASE, {".github/workflows/x.yml": _workflow("j", steps=steps)})
    assert_blocked(case.judge(), "gate/check-impersonation")


def test_a_workflow_named_like_the_check_blocks(attack: AttackFactory) -> None:
    head = {".github/workflows/lint.yml": _workflow("lint", name="gatekeeper")}
    assert_blocked(attack(POLICY, BASE, head).judge(), "gate/check-impersonation")


def test_a_workflow_that_posts_a_check_run_blocks(attack: AttackFactory) -> None:
    steps = (
        "[{run: 'gh api repos/${{ github.repository }}/check-runs -f name=gatekeeper"
        " -f conclusion=success'}]"
    )
    head = {".github/workflows/ok.yml": _workflow("ok", steps=steps)}
    assert_blocked(attack(POLICY, BASE, head).judge(), "gate/check-impersonation")


def test_a_check_named_in_the_policy_is_guarded_too(attack: AttackFactory) -> None:
    policy = POLICY.replace(
        "gate: {severity: block}", "gate: {severity: block, required_checks: [DoD]}"
    )
    case = attack(policy, BASE, {".github/workflows/q.yml": _workflow("dod")})
    assert_blocked(case.judge(), "gate/check-impersonation")


def test_dropping_the_trigger_of_the_gates_workflow_blocks(attack: AttackFactory) -> None:
    base = {**BASE, ".github/workflows/ci.yml": GATE_WORKFLOW}
    head = {".github/workflows/ci.yml": GATE_WORKFLOW.replace("on: pull_request", "on: push")}
    assert_blocked(attack(POLICY, base, head).judge(), "gate/workflow-changed")


def test_deleting_the_gates_workflow_blocks(attack: AttackFactory) -> None:
    base = {**BASE, ".github/workflows/ci.yml": GATE_WORKFLOW}
    verdict = attack(POLICY, base, {".github/workflows/ci.yml": None}).judge()
    assert_blocked(verdict, "gate/workflow-changed")


def test_any_other_workflow_change_blocks(attack: AttackFactory) -> None:
    base = {**BASE, ".github/workflows/test.yml": _workflow("test", steps="[{run: pytest}]")}
    head = {".github/workflows/test.yml": _workflow("test", steps="[{run: 'true'}]")}
    assert_blocked(attack(POLICY, base, head).judge(), "gate/ci-changed")


def test_a_local_action_change_blocks(attack: AttackFactory) -> None:
    head = {".github/actions/setup/setup.sh": "exit 0\n"}
    assert_blocked(attack(POLICY, BASE, head).judge(), "gate/ci-changed")


def test_gitattributes_added_by_the_pr_blocks(attack: AttackFactory) -> None:
    head = {".gitattributes": "*.py binary\n", "src/app.py": "x = 2\n", "tests/t.py": "t\n"}
    assert_blocked(attack(POLICY, BASE, head).judge(), "gate/attributes-changed")


@pytest.mark.parametrize("path", ["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"])
def test_codeowners_in_every_location_blocks(attack: AttackFactory, path: str) -> None:
    verdict = attack(POLICY, BASE, {path: "* @agent-friend\n"}).judge()
    assert_blocked(verdict, "gate/codeowners-changed")


def test_a_planted_base_input_blocks(attack: AttackFactory) -> None:
    case = attack(POLICY, BASE, {})
    head = case.repo.commit({f".gatekeeper/cache/{case.base}/coverage.json": "{}"}, "plant")
    verdict = case.judge(head=head)
    assert_blocked(verdict, "gate/protected-path-changed")


def test_the_pre_commit_configuration_blocks(attack: AttackFactory) -> None:
    verdict = attack(POLICY, BASE, {".pre-commit-config.yaml": "repos: []\n"}).judge()
    assert_blocked(verdict, "gate/protected-path-changed")


def test_paths_the_policy_protects_block(attack: AttackFactory) -> None:
    policy = POLICY.replace(
        "gate: {severity: block}", "gate: {severity: block, protected: [deploy/**]}"
    )
    verdict = attack(policy, BASE, {"deploy/prod.tf": "x\n"}).judge()
    assert_blocked(verdict, "gate/protected-path-changed")


def _approved(head: str, reviewed: str) -> PullRequest:
    return PullRequest(
        number=1,
        author="agent[bot]",
        head_sha=head,
        reviews=(Review("alice", "APPROVED", commit_id=reviewed, submitted_at="2026-01-01"),),
    )


def test_a_human_approval_of_the_latest_push_lets_it_through(attack: AttackFactory) -> None:
    case = attack(POLICY, BASE, {".github/workflows/quick.yml": _workflow("gatekeeper")})
    verdict = case.judge(pr=_approved(case.head, case.head))
    assert verdict.met, blocking_rules(verdict)


def test_an_approval_of_an_earlier_push_does_not(attack: AttackFactory) -> None:
    case = attack(POLICY, BASE, {".github/workflows/quick.yml": _workflow("gatekeeper")})
    verdict = case.judge(pr=_approved(case.head, case.base))
    assert_blocked(verdict, "gate/check-impersonation")


def test_an_ordinary_change_does_not_block(attack: AttackFactory) -> None:
    head = {"README.md": "hello, world\n", "docs/gitattributes.md": "about attributes\n"}
    verdict = attack(POLICY, BASE, head).judge()
    assert verdict.met, blocking_rules(verdict)
