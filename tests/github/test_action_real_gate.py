"""``gatekeeper action`` with the real gate, reporters and git on a real repository.

A PR edits the workflow that runs the gate; the base policy enables the ``gate`` check,
so the Definition of Done is not met until a human approves. Everything but GitHub is
real; GitHub is the validating loopback server.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.github.action import run_action
from gatekeeper.github.publish import STICKY_MARKER
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub
from tests.github.test_action import outputs

POLICY = "version: 1\nchecks:\n  gate: {severity: block}\n"
WORKFLOW = ".github/workflows/gatekeeper.yml"


def test_real_gate_end_to_end(tmp_path: Path, github: FakeGitHub, git_repo: GitRepo) -> None:
    base = git_repo.commit(
        {".github/gatekeeper.yml": POLICY, WORKFLOW: "on: pull_request\n", "README.md": "hello\n"},
        "base",
    )
    git_repo.git("checkout", "-q", "-b", "agent/change")
    head = git_repo.commit({WORKFLOW: "on: [pull_request, push]\n"}, "loosen the workflow")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 3,
                    "title": "Tweak CI",
                    "body": "",
                    "user": {"login": "alice", "type": "User"},
                    "base": {"ref": "main", "sha": base},
                    "head": {"ref": "agent/change", "sha": head},
                }
            }
        ),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_TOKEN": TOKEN,
        "INPUT_SARIF-FILE": "gk.sarif",
        "INPUT_FORMATS": "terminal",
    }
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    assert code == 1, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["head_sha"] == head and run["conclusion"] == "failure"
    assert [a["path"] for a in run["annotations"]] == [WORKFLOW]
    assert run["annotations"][0]["title"].startswith("gate/")
    got = outputs(env)
    assert got["met"] == "false" and int(got["blocking-count"]) >= 1
    report = json.loads((git_repo.root / got["report-json"]).read_text(encoding="utf-8"))
    assert report["met"] is False
    sarif = json.loads((git_repo.root / got["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    (comment,) = github.comments.values()
    assert comment["body"].startswith(STICKY_MARKER)
    assert "Traceback" not in log.getvalue()


@pytest.mark.parametrize("event_name", ["pull_request", "pull_request_target"])
def test_pull_request_target_never_runs_commands(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, event_name: str
) -> None:
    marker = tmp_path / "ran-by-gate"
    command = f"{sys.executable} -c \"open({str(marker)!r}, 'w').close()\""
    policy = f"version: 1\nchecks:\n  command:\n    - {{name: mark, run: {json.dumps(command)}}}\n"
    base = git_repo.commit({".github/gatekeeper.yml": policy, "README.md": "a\n"}, "base")
    head = git_repo.commit({"README.md": "b\n"}, "change")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 4,
                    "user": {"login": "mallory", "type": "User"},
                    "base": {"ref": "main", "sha": base},
                    "head": {"ref": "x", "sha": head},
                }
            }
        ),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
    }
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    assert code == 0, log.getvalue()
    assert marker.exists() is (event_name == "pull_request")


def test_safe_mode_reads_a_policy_file_at_base_never_from_the_checkout(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    base = git_repo.commit({"README.md": "a\n"}, "base")
    head = git_repo.commit({"README.md": "b\n"}, "change")
    (git_repo.root / "p.yml").write_text("version: 1\n", encoding="utf-8")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 4, "base": {"sha": base}, "head": {"sha": head}}}),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_POLICY": str(git_repo.root / "p.yml"),
    }
    log = io.StringIO()
    assert run_action(env, stdout=log) == 2
    # p.yml exists only in the checkout: at base there is none, and that is what counts
    assert "p.yml (at base" in log.getvalue()
    assert "never from the pull request's working tree" in log.getvalue()


def test_the_policy_caps_annotations(tmp_path: Path, github: FakeGitHub, git_repo: GitRepo) -> None:
    base = git_repo.commit(
        {
            ".github/gatekeeper.yml": POLICY + "annotations: {max: 0}\n",
            WORKFLOW: "on: pull_request\n",
        },
        "base",
    )
    head = git_repo.commit({WORKFLOW: "on: push\n"}, "change")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 5, "base": {"sha": base}, "head": {"sha": head}}}),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "no",
    }
    assert run_action(env, stdout=io.StringIO(), sleep=lambda s: None) == 1
    (run,) = github.check_runs.values()
    assert run["annotations"] == [] and run["conclusion"] == "failure"


def test_pull_request_target_on_a_shallow_base_checkout(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    """The checkout pull_request_target gets: the base branch only, one commit deep."""
    base = git_repo.commit({".github/gatekeeper.yml": POLICY, WORKFLOW: "on: pull_request\n"})
    git_repo.git("checkout", "-q", "-b", "fork")
    head = git_repo.commit({WORKFLOW: "on: push\n"}, "from a fork")
    git_repo.git("update-ref", "refs/pull/9/head", head)
    git_repo.git("checkout", "-q", "main")
    git_repo.git("branch", "-q", "-D", "fork")
    checkout = tmp_path / "checkout"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(checkout)],
        check=True,
        capture_output=True,
    )
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 9,
                    "user": {"login": "someone", "type": "User"},
                    "base": {"ref": "main", "sha": base},
                    "head": {"ref": "fork", "sha": head},
                }
            }
        ),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(checkout),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
    }
    log = io.StringIO()
    assert run_action(env, stdout=log, sleep=lambda s: None) == 1, log.getvalue()
    assert f"fetched the head commit {head[:12]}" in log.getvalue()
    (run,) = github.check_runs.values()
    assert run["head_sha"] == head and [a["path"] for a in run["annotations"]] == [WORKFLOW]
