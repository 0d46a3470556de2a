"""The gate check: changes to the gate itself need a human approval."""

from __future__ import annotations

from gatekeeper.changes.pullrequest import PullRequest, Review, approving_humans
from gatekeeper.checks.gate import GateCheck
from gatekeeper.testing import changeset, context

POLICY = ".github/gatekeeper.yml"
FILES = (POLICY, "checks/ticket.py", "policies/base.yml")


def findings(head: dict[str, str], pr: PullRequest | None = None) -> list[tuple[str, str]]:
    base = {
        POLICY: "version: 1\n",
        "checks/ticket.py": "x = 1\n",
        "app.py": "a\n",
        "policies/base.yml": "version: 1\n",
    }
    ctx = context(
        changeset(base, {**base, **head}), {"workflows": [".github/workflows/*gatekeeper*"]}, pr=pr
    )
    ctx.policy_files = FILES
    check = GateCheck()
    if not check.applies(ctx):
        return []
    return [(f.rule, f.location.path if f.location else "") for f in check.run(ctx)]


def test_policy_change_needs_approval() -> None:
    assert findings({POLICY: "version: 1\nchecks: {}\n"}) == [("policy-changed", POLICY)]


def test_extended_policy_file_counts_as_policy() -> None:
    assert findings({"policies/base.yml": "x: 1\n"}) == [("policy-changed", "policies/base.yml")]


def test_local_check_and_workflow_changes_need_approval() -> None:
    got = findings(
        {"checks/ticket.py": "x = 2\n", ".github/workflows/gatekeeper.yml": "on: push\n"}
    )
    assert got == [
        ("workflow-changed", ".github/workflows/gatekeeper.yml"),
        ("local-check-changed", "checks/ticket.py"),
    ]


def test_ordinary_change_does_not_fire() -> None:
    assert findings({"app.py": "b\n", "docs/gitattributes.md": "x\n"}) == []


def test_any_other_workflow_change_needs_approval() -> None:
    assert findings({".github/workflows/ci.yml": "on: push\njobs: {test: {}}\n"}) == [
        ("ci-changed", ".github/workflows/ci.yml")
    ]


def test_a_workflow_that_mentions_gatekeeper_runs_the_gate() -> None:
    text = "on: pull_request\njobs:\n  dod:\n    steps: [{uses: acme/gatekeeper@v1}]\n"
    assert findings({".github/workflows/ci.yml": text}) == [
        ("workflow-changed", ".github/workflows/ci.yml")
    ]


def test_a_job_named_like_the_required_check_is_impersonation() -> None:
    text = "on: pull_request\njobs:\n  gatekeeper:\n    steps: [{run: exit 0}]\n"
    got = findings({".github/workflows/quick.yml": text})
    assert got == [("check-impersonation", ".github/workflows/quick.yml")]


def test_files_that_steer_the_gate_need_approval() -> None:
    got = findings(
        {
            "sub/.gitattributes": "*.py binary\n",
            ".github/CODEOWNERS": "* @me\n",
            ".gatekeeper/cache/abc/coverage.json": "{}",
            ".pre-commit-config.yaml": "repos: []\n",
            ".github/actions/setup/action.yml": "runs: {using: composite, steps: []}\n",
        }
    )
    assert sorted(got) == [
        ("attributes-changed", "sub/.gitattributes"),
        ("ci-changed", ".github/actions/setup/action.yml"),
        ("codeowners-changed", ".github/CODEOWNERS"),
        ("protected-path-changed", ".gatekeeper/cache/abc/coverage.json"),
        ("protected-path-changed", ".pre-commit-config.yaml"),
    ]


def test_human_approval_on_head_satisfies_it() -> None:
    pr = PullRequest(
        author="agent[bot]", head_sha="h1", reviews=(Review("alice", "APPROVED", commit_id="h1"),)
    )
    assert findings({POLICY: "changed\n"}, pr) == []


def test_approvals_that_do_not_count() -> None:
    pr = PullRequest(
        author="bob",
        head_sha="h2",
        reviews=(
            Review("bob", "APPROVED", commit_id="h2"),  # the author
            Review("ci[bot]", "APPROVED", commit_id="h2"),  # a bot
            Review("carol", "APPROVED", commit_id="h1"),  # before the latest push
            Review("dave", "APPROVED", commit_id="h2"),
            Review("dave", "CHANGES_REQUESTED", commit_id="h2"),  # later review wins
        ),
    )
    assert approving_humans(pr) == []
    assert findings({POLICY: "changed\n"}, pr) == [("policy-changed", POLICY)]
