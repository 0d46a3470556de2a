"""``gatekeeper action`` with a policy that extends a central file of another repository.

Everything is real but GitHub: the repository under review, the central repository
(served by the validating fake's git side), the gate and its reporters.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gatekeeper.github.action import run_action
from gatekeeper.sandbox import untrusted_env
from gatekeeper.sandbox.guard import HANDED_OVER, secret_values
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub
from tests.policy.central import REPO, V3, Central, make_central

POLICY_TOKEN = "ghs_policyREADER0123456789abcdefABCD"


@pytest.fixture
def central(tmp_path: Path, github: FakeGitHub) -> Central:
    made = make_central(tmp_path / "policies")
    github.repositories[REPO] = made.root
    return made


def _pr(tmp_path: Path, repo: GitRepo, policy: str) -> dict[str, str]:
    """A PR that adds code without tests; the central policy's cochange rule blocks it."""
    base = repo.commit({".github/gatekeeper.yml": policy, "README.md": "a\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    head = repo.commit({"src/app.py": "x = 1\n"}, "code without tests")
    event = tmp_path / "event.json"
    pull = {
        "number": 7,
        "title": "Add app",
        "body": "Adds the app.",
        "user": {"login": "alice", "type": "User"},
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "feature", "sha": head},
    }
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_WORKSPACE": str(repo.root),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
        "HOME": str(tmp_path / "home"),
    }


def _run(env: dict[str, str], github: FakeGitHub) -> tuple[int, str]:
    log = io.StringIO()
    code = run_action({**env, "GITHUB_API_URL": github.url}, stdout=log, sleep=lambda s: None)
    return code, log.getvalue()


def test_the_central_policy_judges_and_the_verdict_names_its_commit(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, central: Central
) -> None:
    env = _pr(tmp_path, git_repo, f'version: 1\nextends: ["{V3}"]\n')
    code, log = _run(env, github)
    assert code == 1, log
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    summary = run["output"]["summary"] + run["output"].get("text", "")
    assert "cochange/" in summary
    note = f"Central policy {V3} was read at commit {central.v3} (tag v3)."
    report = json.loads((git_repo.root / "gatekeeper-report.json").read_text(encoding="utf-8"))
    assert note in report["notes"]
    assert central.v3 in summary
    assert "Traceback" not in log


def test_a_policy_token_reads_the_central_repository(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, central: Central
) -> None:
    github.other_tokens.add(POLICY_TOKEN)
    env = _pr(tmp_path, git_repo, f'version: 1\nextends: ["{V3}"]\n')
    code, log = _run({**env, "INPUT_POLICY-TOKEN": POLICY_TOKEN}, github)
    assert code == 1, log
    used = {
        (c.operation.split("/")[0], c.headers["Authorization"].split()[-1]) for c in github.calls
    }
    assert ("repos", POLICY_TOKEN) in used and ("git", POLICY_TOKEN) in used
    assert ("checks", TOKEN) in used
    assert ("checks", POLICY_TOKEN) not in used  # the reader never publishes
    assert f"::add-mask::{POLICY_TOKEN}" in log
    assert log.count(POLICY_TOKEN) == 1  # only in the mask command
    # no process running the PR's code gets it, under its own name or another
    assert POLICY_TOKEN in secret_values()
    assert untrusted_env({"INPUT_POLICY-TOKEN": POLICY_TOKEN, "X": POLICY_TOKEN, "Y": "y"}) == {
        "Y": "y"
    }
    assert "INPUT_POLICY-TOKEN" in HANDED_OVER  # started over without it in its environment


def test_a_missing_central_policy_fails_the_check_run(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, central: Central
) -> None:
    missing = "github:acme/policies/gatekeeper/base.yml@v9"
    env = _pr(tmp_path, git_repo, f'version: 1\nextends: ["{missing}"]\n')
    code, log = _run(env, github)
    assert code == 2, log
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert run["output"]["title"] == "gatekeeper could not run"
    assert "acme/policies has no tag or branch 'v9'" in run["output"]["summary"]
    assert "does not fall back to a preset" in run["output"]["summary"]


def test_a_repository_that_loosens_a_locked_key_fails_naming_both_files(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, central: Central
) -> None:
    policy = f'version: 1\nextends: ["{V3}"]\nchecks:\n  security: {{severity: warn}}\n'
    env = _pr(tmp_path, git_repo, policy)
    code, log = _run(env, github)
    assert code == 2, log
    (run,) = github.check_runs.values()
    summary = run["output"]["summary"]
    assert (
        ".github/gatekeeper.yml (at base " in summary and "):4: checks.security.severity" in summary
    )
    assert "locks checks.security.severity" in summary
    assert f"{V3} (commit {central.v3[:12]}):4" in summary


def test_without_any_token_a_central_policy_cannot_be_read(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, central: Central
) -> None:
    env = _pr(tmp_path, git_repo, f'version: 1\nextends: ["{V3}"]\n')
    env.pop("INPUT_TOKEN")
    code, log = _run(env, github)
    assert code == 2
    assert "the action reads other repositories through the GitHub API, and it has no token" in (
        log
    )
    assert github.calls == []


def test_the_log_masks_the_policy_token_like_the_token() -> None:
    from gatekeeper.github.action import _Log

    out = io.StringIO()
    log = _Log(out, TOKEN, POLICY_TOKEN)
    log(f"a command printed {POLICY_TOKEN} and {TOKEN}")
    lines = out.getvalue().splitlines()
    assert lines[:2] == [f"::add-mask::{TOKEN}", f"::add-mask::{POLICY_TOKEN}"]
    assert POLICY_TOKEN not in lines[2] and TOKEN not in lines[2] and "***" in lines[2]
