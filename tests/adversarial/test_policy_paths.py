"""Attacks on where the policy is read from: every repository path is read at base.

The action's ``policy`` input and ``--policy FILE`` inside the repository used to be read
from the working tree, i.e. from the pull request's own version; ``extends`` of a
repository file did not work at all. Each case commits a blocking policy at base and a
head that weakens it while carrying the change it blocks.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from gatekeeper.errors import PolicyError
from gatekeeper.github.action import run_action
from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub

BLOCKING = """\
version: 1
checks:
  gate: {severity: block}
  cochange:
    - {when: ["src/**"], require: ["tests/**"], message: "code needs tests"}
"""
EMPTY = "version: 1\nchecks: {}\n"
CODE = {"src/app.py": "x = 1\n"}
CHANGE = {"src/app.py": "x = 2\n"}


def test_policy_option_inside_the_repo_is_read_at_base(attack: AttackFactory) -> None:
    case = attack(None, {**CODE, "ci/gate.yml": BLOCKING}, {**CHANGE, "ci/gate.yml": EMPTY})
    verdict = case.judge(policy_file=str(case.repo.root / "ci/gate.yml"))
    assert_blocked(verdict, "cochange/missing-cochange", "gate/policy-changed")
    assert "ci/gate.yml (at base" in verdict.policy_source


def test_relative_policy_option_is_read_at_base(
    attack: AttackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = attack(None, {**CODE, "ci/gate.yml": BLOCKING}, {**CHANGE, "ci/gate.yml": EMPTY})
    monkeypatch.chdir(case.repo.root / "ci")
    verdict = case.judge(policy_file="gate.yml")
    assert_blocked(verdict, "cochange/missing-cochange", "gate/policy-changed")


def test_a_planted_symlink_does_not_move_the_policy_out_of_the_repo(
    attack: AttackFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "gate.yml").write_text(EMPTY, encoding="utf-8")
    case = attack(None, {**CODE, "ci/gate.yml": BLOCKING}, CHANGE)
    # the PR replaces the folder ci/ by a symlink to a folder it controls
    case.repo.git("rm", "-q", "-r", "ci")
    os.symlink(outside, case.repo.root / "ci")
    head = case.repo.commit({}, "ci is now a link")
    verdict = case.judge(head=head, policy_file=str(case.repo.root / "ci/gate.yml"))
    assert_blocked(verdict, "cochange/missing-cochange")


def test_a_policy_path_missing_at_base_is_an_error_naming_base(attack: AttackFactory) -> None:
    case = attack(None, CODE, {**CHANGE, "ci/gate.yml": EMPTY})
    with pytest.raises(PolicyError, match=r"ci/gate\.yml \(at base .* does not exist"):
        case.judge(policy_file=str(case.repo.root / "ci/gate.yml"))


def test_a_policy_file_outside_the_repo_is_read_from_disk(
    attack: AttackFactory, tmp_path: Path
) -> None:
    org = tmp_path / "org-policy.yml"
    org.write_text(BLOCKING, encoding="utf-8")
    case = attack(None, CODE, CHANGE)
    verdict = case.judge(policy_file=str(org))
    assert_blocked(verdict, "cochange/missing-cochange")


EXTENDED = "version: 1\nextends: [org/base.yml]\n"


def test_extends_of_a_repository_file_works(attack: AttackFactory) -> None:
    case = attack(EXTENDED, {**CODE, "org/base.yml": BLOCKING}, CHANGE)
    verdict = case.judge()
    assert_blocked(verdict, "cochange/missing-cochange")


def test_a_pr_weakening_an_extended_file_is_judged_by_base_and_flagged(
    attack: AttackFactory,
) -> None:
    case = attack(EXTENDED, {**CODE, "org/base.yml": BLOCKING}, {**CHANGE, "org/base.yml": EMPTY})
    verdict = case.judge()
    assert_blocked(verdict, "cochange/missing-cochange", "gate/policy-changed")
    assert "org/base.yml" in text_of(verdict)


def test_plugins_listed_in_an_extended_file_are_loaded(attack: AttackFactory) -> None:
    plugin = """\
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.model import Level, Rule


class Ticket(BaseCheck):
    id = "ticket"
    title = "Ticket"
    rules = {"no-ticket": Rule("no-ticket", Level.ERROR, "no ticket")}

    def run(self, ctx):
        yield self.finding("no-ticket", "the PR names no ticket")
"""
    base_yml = "version: 1\nplugins: [checks/ticket.py]\nchecks:\n  ticket: {}\n"
    case = attack(EXTENDED, {**CODE, "org/base.yml": base_yml, "checks/ticket.py": plugin}, CHANGE)
    assert_blocked(case.judge(), "ticket/no-ticket")


def test_an_unrelated_change_under_a_repo_policy_passes(attack: AttackFactory) -> None:
    case = attack(
        None,
        {**CODE, "ci/gate.yml": BLOCKING, "tests/test_app.py": "def test(): pass\n"},
        {**CHANGE, "tests/test_app.py": "def test(): assert True\n"},
    )
    verdict = case.judge(policy_file=str(case.repo.root / "ci/gate.yml"))
    assert verdict.met, blocking_rules(verdict)


def test_the_action_policy_input_is_read_at_base(
    tmp_path: Path,
    github: FakeGitHub,
    git_repo: GitRepo,
) -> None:
    base = git_repo.commit({**CODE, "ci/gate.yml": BLOCKING}, "base")
    head = git_repo.commit({**CHANGE, "ci/gate.yml": EMPTY}, "weaken the gate")
    event = tmp_path / "event.json"
    pull = {"number": 9, "base": {"ref": "main", "sha": base}, "head": {"ref": "x", "sha": head}}
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
        "INPUT_POLICY": "ci/gate.yml",
    }
    log = io.StringIO()
    assert run_action(env, stdout=log, sleep=lambda s: None) == 1, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert "cochange/missing-cochange" in json.dumps(run)


def test_policy_from_head_is_still_an_explicit_choice(attack: AttackFactory) -> None:
    case = attack(None, {**CODE, "ci/gate.yml": BLOCKING}, {**CHANGE, "ci/gate.yml": EMPTY})
    verdict = case.judge(policy_file=str(case.repo.root / "ci/gate.yml"), policy_from="head")
    assert verdict.met  # the caller asked for the PR's own policy, and got it
    assert verdict.policy_source.endswith("(at head)")
