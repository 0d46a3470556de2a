"""Smoke tests of the built image: the container, run as the runner runs it, against the
loopback GitHub that validates every request against GitHub's REST description.

Each test is one step of a workflow: a real repository in the mounted workspace, owned by
the runner's uid, the event file and file-command files mounted where the runner puts
them, and the API reached over the host's network.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gatekeeper.github.publish import STICKY_MARKER
from tests.conftest import GitRepo
from tests.container.conftest import hand_to_runner, run_step, write_event
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault

pytestmark = [pytest.mark.container, pytest.mark.slow]

GATE_POLICY = "version: 1\nchecks:\n  gate: {severity: block}\n"
WORKFLOW = ".github/workflows/gatekeeper.yml"


def _api(github: FakeGitHub) -> dict[str, str]:
    return {"GITHUB_API_URL": github.url, "INPUT_TOKEN": TOKEN, "GITHUB_EVENT_NAME": "pull_request"}


def _gate_pr(git_repo: GitRepo) -> tuple[str, str]:
    """A PR that edits the gate's own workflow: blocked until a human approves."""
    base = git_repo.commit(
        {".github/gatekeeper.yml": GATE_POLICY, WORKFLOW: "on: pull_request\n"}, "base"
    )
    git_repo.git("checkout", "-q", "-b", "agent/change")
    head = git_repo.commit({WORKFLOW: "on: [pull_request, push]\n"}, "loosen the workflow")
    hand_to_runner(git_repo.root)
    return base, head


def test_the_image_runs_as_an_action(image: str) -> None:
    shown = subprocess.run(
        [
            "docker",
            "image",
            "inspect",
            "-f",
            "{{json .Config.Entrypoint}} {{.Config.WorkingDir}}",
            image,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert shown.stdout.split() == ['["gatekeeper","action"]', "/github/workspace"]
    tools = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--entrypoint",
            "sh",
            image,
            "-c",
            "gatekeeper --version && git --version && initdb --version && pg_ctl --version"
            " && ! ls -d /var/lib/postgresql/*/main 2>/dev/null && echo no-default-cluster"
            " && ! ls /usr/lib/*/libLLVM* 2>/dev/null && echo no-llvm",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert tools.returncode == 0, tools.stdout + tools.stderr
    assert "gatekeeper, version" in tools.stdout and "no-default-cluster" in tools.stdout
    assert "no-llvm" in tools.stdout, "PostgreSQL's JIT library (130 MB) is left out"


def test_a_blocked_pr_gets_a_check_run_annotations_summary_and_comment(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    base, head = _gate_pr(git_repo)
    write_event(tmp_path, 3, base, head)
    job = run_step(image, tmp_path, git_repo.root, {**_api(github), "INPUT_SARIF-FILE": "gk.sarif"})
    assert job.code == 1, job.log
    (run,) = github.check_runs.values()
    assert run["head_sha"] == head and run["conclusion"] == "failure"
    assert [a["path"] for a in run["annotations"]] == [WORKFLOW]
    assert run["annotations"][0]["annotation_level"] == "failure"
    assert "Definition of Done: not met" in job.summary
    assert job.outputs["met"] == "false" and int(job.outputs["blocking-count"]) >= 1
    assert (git_repo.root / job.outputs["sarif-file"]).is_file()
    (comment,) = github.comments.values()
    assert comment["body"].startswith(STICKY_MARKER)
    assert "Traceback" not in job.log
    assert job.log.count(TOKEN) == job.log.count(f"::add-mask::{TOKEN}") == 1


def test_a_policy_error_fails_with_file_and_line_and_a_failing_check_run(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    base = git_repo.commit(
        {".github/gatekeeper.yml": "version: 1\nchecks:\n  coverage: {diff_min: eighty}\n"}
    )
    head = git_repo.commit({"README.md": "x\n"}, "change")
    hand_to_runner(git_repo.root)
    write_event(tmp_path, 4, base, head)
    job = run_step(image, tmp_path, git_repo.root, _api(github))
    assert job.code == 2, job.log
    assert "::error title=gatekeeper could not run::.github/gatekeeper.yml (at base" in job.log
    assert "):3: checks.coverage.diff_min: 'eighty' is not a number" in job.log
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure" and run["head_sha"] == head
    assert "Traceback" not in job.log


def test_a_forks_read_only_token_falls_back_to_the_log_and_summary(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    base, head = _gate_pr(git_repo)
    write_event(tmp_path, 5, base, head, login="stranger")
    denied = {"message": "Resource not accessible by integration"}
    for op in (
        "checks/create",
        "repos/create-commit-status",
        "issues/list-comments",
        "pulls/list-commits",
        "pulls/list-reviews",
    ):
        github.fail(op, Fault(403, body=denied, times=-1))
    job = run_step(image, tmp_path, git_repo.root, _api(github))
    assert job.code == 1, job.log
    assert github.check_runs == {} and github.statuses == [] and github.comments == {}
    assert "no check run was written" in job.log
    assert f"::error file={WORKFLOW}" in job.log
    assert "Definition of Done: not met" in job.summary
    assert job.outputs["met"] == "false"


def test_a_migration_round_trip_on_postgresql_inside_the_container(
    image: str, tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    policy = "version: 1\nchecks:\n  migrations: {roundtrip: postgres}\n"
    base = git_repo.commit({".github/gatekeeper.yml": policy, "db/.keep": ""}, "base")
    head = git_repo.commit(
        {
            "db/1_init.up.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
            "db/1_init.down.sql": "DROP TABLE b;\nDROP TABLE nope;\nDROP TABLE a;\n",
        },
        "migrations",
    )
    hand_to_runner(git_repo.root)
    write_event(tmp_path, 6, base, head)
    job = run_step(image, tmp_path, git_repo.root, {**_api(github), "INPUT_COMMENT": "false"})
    assert job.code == 1, job.log
    (run,) = github.check_runs.values()
    found = [(a["path"], a["title"], a["message"]) for a in run["annotations"]]
    failed = [f for f in found if "roundtrip-failed" in f[1]]
    assert [f[0] for f in failed] == ["db/1_init.up.sql"], found
    assert "on postgres: down (line 2) failed" in failed[0][2]
    assert 'table "nope" does not exist' in failed[0][2]
    assert "Traceback" not in job.log
