"""Attacks on a central policy: the PR cannot unpin it, outrun it, or plant its copy.

The base commit's policy extends ``github:acme/policies/gatekeeper/base.yml@v3``, whose
cochange rule blocks code without tests. Each head carries such code and attacks the way
the central policy reaches the gate.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from gatekeeper.github.action import run_action
from gatekeeper.github.central import CommitCache, blob_sha
from gatekeeper.policy.central import CentralPolicies, parse_ref
from gatekeeper.policy.checkouts import LocalCheckouts
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.adversarial.untrusted import chown_tree
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub
from tests.policy.central import REPO, V3, make_central

CODE = {"src/app.py": "x = 1\n"}
CHANGE = {"src/app.py": "x = 2\n"}


def test_a_pr_that_drops_or_repins_the_central_policy_is_judged_by_it(
    attack: AttackFactory, tmp_path: Path
) -> None:
    central = make_central(tmp_path / "policies")
    base = f'version: 1\nextends: ["{V3}"]\nchecks:\n  gate: {{severity: block}}\n'
    weaker = "version: 1\nextends: ['github:acme/policies/gatekeeper/base.yml@v2']\n"
    for head_policy in ("version: 1\nchecks: {}\n", weaker):
        case = attack(base, CODE, {**CHANGE, ".github/gatekeeper.yml": head_policy})
        verdict = case.judge(policy_repos=LocalCheckouts({REPO: central.root}))
        assert_blocked(verdict, "cochange/missing-cochange", "gate/policy-changed")
        assert any(central.v3 in note for note in verdict.notes)


def _action_env(tmp_path: Path, repo: GitRepo, ref: str, github: FakeGitHub) -> dict[str, str]:
    base = repo.commit({".github/gatekeeper.yml": f'version: 1\nextends: ["{ref}"]\n', **CODE})
    head = repo.commit(CHANGE, "code without tests")
    event = tmp_path / "event.json"
    pull = {
        "number": 9,
        "user": {"login": "mallory", "type": "User"},
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "x", "sha": head},
    }
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(repo.root),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
        "HOME": str(tmp_path / "home"),
    }


def test_an_unreachable_central_policy_never_turns_into_a_pass(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    env = _action_env(tmp_path, git_repo, V3, github)
    github.refuse_connections()  # GitHub is gone before the gate asks for the policy
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    assert code == 2
    assert "GitHub could not be reached" in log.getvalue()
    assert "does not fall back to a preset" in log.getvalue()
    assert "Definition of Done met" not in log.getvalue()


@pytest.mark.skipif(os.geteuid() != 0, reason="the PR's user differs from the gate's as root")
def test_a_cache_entry_the_prs_user_planted_is_not_read(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    central = make_central(tmp_path / "policies")
    github.repositories[REPO] = central.root
    ref = f"github:acme/policies/gatekeeper/base.yml@{central.v3}"
    env = _action_env(tmp_path, git_repo, ref, github)
    # the checkout belongs to the runner's user, who runs the PR's code (in an earlier step
    # of the job, or in a check) and plants the central file with the rule taken out
    pr_user = 1001
    chown_tree(git_repo.root, pr_user)
    for key, value in {"COUNT": "1", "KEY_0": "safe.directory", "VALUE_0": "*"}.items():
        monkeypatch.setenv(f"GIT_CONFIG_{key}", value)  # git works in the runner's checkout
    planted = tmp_path / "home" / ".cache" / "gatekeeper" / "central-policies"
    planted.mkdir(parents=True)
    text = "version: 1\nchecks: {}\n"
    record = {
        "repo": REPO,
        "commit": central.v3,
        "path": "gatekeeper/base.yml",
        "blob": blob_sha(text.encode()),
        "text": text,
    }
    entry = planted / CommitCache._name(REPO, central.v3, "gatekeeper/base.yml")
    entry.write_text(json.dumps(record), encoding="utf-8")
    entry.chmod(0o600)
    for path in (tmp_path / "home", planted.parent.parent, planted.parent, planted, entry):
        os.chown(path, pr_user, pr_user)
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    assert code == 1, log.getvalue()  # judged by the real central file
    assert "repos/get-content" in github.ops()
    (run,) = github.check_runs.values()
    assert "cochange/" in run["output"]["summary"] + run["output"].get("text", "")


def test_the_central_reader_is_the_one_the_base_names(tmp_path: Path) -> None:
    """Each run resolves the ref once: a tag moved mid-run cannot split the policy."""
    central = make_central(tmp_path / "policies")
    reader = CentralPolicies(LocalCheckouts({REPO: central.root}))
    first, _ = reader.open(parse_ref(V3))
    central.repo.commit({"gatekeeper/base.yml": "version: 1\n"}, "weakened")
    central.repo.git("tag", "-f", "-a", "v3", "-m", "moved")
    second, _ = reader.open(parse_ref(V3))
    assert first.commit == second.commit == central.v3
