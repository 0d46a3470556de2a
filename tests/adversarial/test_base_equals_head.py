"""Nothing compared, still green: the change must never be judged against itself.

In a single-branch clone of a pull request's branch called ``main`` (a fork's PR, a CI
clone with ``--single-branch``) the default base used to be that very branch: base ==
head, every check "not applicable", "met", exit 0, and no word about it. Now the default
base is never HEAD's own branch; base == head is an error when a pull request exists
(the action, ``--pr-event``) and a visible note otherwise.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.cli import cli
from gatekeeper.errors import GitError
from gatekeeper.github.action import run_action
from gatekeeper.pipeline import GateOptions, run_gate
from gatekeeper.report import render
from tests.adversarial.conftest import assert_blocked
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub

POLICY = """\
version: 1
checks:
  cochange:
    - {when: ["src/**"], require: ["tests/**"], message: "code needs tests"}
"""


def _origin(git_repo: GitRepo) -> tuple[str, str]:
    """origin: main with a policy, and the PR's commit (no tests) on main too (a fork)."""
    base = git_repo.commit({".github/gatekeeper.yml": POLICY, "src/app.py": "x = 1\n"}, "base")
    head = git_repo.commit({"src/app.py": "x = 2\n"}, "the PR, on the fork's main")
    return base, head


def _clone(origin: GitRepo, where: Path, *args: str) -> Path:
    origin.git("clone", "-q", *args, f"file://{origin.root}", str(where))
    return where


def test_single_branch_clone_of_a_main_branch_is_not_its_own_base(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    _origin(git_repo)
    clone = _clone(git_repo, tmp_path / "ci", "--single-branch", "--branch", "main")
    # what a CI clone of the fork's main looks like: the branch and nothing else
    for ref in ("refs/remotes/origin/HEAD", "refs/remotes/origin/main"):
        _git(clone, "update-ref", "-d", ref)
    with pytest.raises(GitError, match=r"HEAD's own branch \(refs/heads/main\)"):
        run_gate(GateOptions(root=clone))
    result = CliRunner().invoke(cli, ["run", "--repo", str(clone)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "pass the base revision explicitly" in result.output


def test_a_named_head_branch_is_not_its_own_base(git_repo: GitRepo) -> None:
    _origin(git_repo)
    git_repo.git("checkout", "-q", "--detach")
    with pytest.raises(GitError, match="HEAD's own branch"):
        run_gate(GateOptions(root=git_repo.root, head="main"))


def test_shallow_clone_where_origin_main_is_head_gets_a_visible_note(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    _origin(git_repo)
    clone = _clone(git_repo, tmp_path / "ci", "--single-branch", "--depth", "1")
    verdict = run_gate(GateOptions(root=clone))
    assert verdict.base == verdict.head
    (note,) = verdict.notes
    assert note.startswith("Nothing was compared: base and head are the same commit")
    assert "Nothing was compared" in render("terminal", verdict)
    assert "Nothing was compared" in render("markdown", verdict)


def test_base_equals_head_with_a_pull_request_is_an_error(git_repo: GitRepo) -> None:
    _, head = _origin(git_repo)
    with pytest.raises(GitError, match="pull request #7 would be judged on an empty change"):
        run_gate(GateOptions(root=git_repo.root, base=head, head=head, pr=PullRequest(number=7)))


def test_the_action_fails_closed_when_base_is_head(
    tmp_path: Path,
    github: FakeGitHub,
    git_repo: GitRepo,
) -> None:
    _, head = _origin(git_repo)
    event = tmp_path / "event.json"
    pull = {"number": 5, "base": {"ref": "main", "sha": head}, "head": {"ref": "main", "sha": head}}
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
    }
    log = io.StringIO()
    assert run_action(env, stdout=log, sleep=lambda s: None) == 2
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert "same commit" in run["output"]["summary"]


def test_a_real_base_still_finds_the_change(git_repo: GitRepo, tmp_path: Path) -> None:
    _origin(git_repo)
    clone = _clone(git_repo, tmp_path / "ci")
    _git(clone, "checkout", "-q", "-b", "feature")
    (clone / "src" / "app.py").write_text("x = 3\n", encoding="utf-8")
    _git(clone, "-c", "user.email=a@b", "-c", "user.name=A", "commit", "-qam", "more")
    verdict = run_gate(GateOptions(root=clone))
    assert not verdict.notes
    assert_blocked(verdict, "cochange/missing-cochange")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
