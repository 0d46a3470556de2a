"""``run_action`` end to end: a real git repository, a synthesized event, the fake API.

The gate here is a small stand-in that reads the real repository between the base and
head the action chose (one blocking finding per added line of ``findings.txt``), so the
tests see exactly which commits the action judged. ``test_action_real_gate.py`` runs
the real gate.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.errors import PolicyError
from gatekeeper.github.action import OUTPUTS, run_action
from gatekeeper.github.inputs import INPUTS, read_inputs
from gatekeeper.github.publish import STICKY_MARKER
from gatekeeper.model import (
    CheckOutcome,
    Finding,
    Level,
    Location,
    Result,
    Severity,
    Status,
    Verdict,
)
from gatekeeper.pipeline import GateOptions
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault

ACTION_YML = Path(__file__).resolve().parents[2] / "action.yml"


class Repo:
    """A PR on a real repository: base commit, head commit, and the options the gate saw."""

    def __init__(self, git_repo: GitRepo, n_findings: int) -> None:
        self.git = git_repo
        self.base = git_repo.commit({"README.md": "hello\n"}, "base")
        lines = "".join(f"problem {i}\n" for i in range(n_findings))
        self.head = git_repo.commit({"findings.txt": lines}, "head")
        self.seen: list[Any] = []

    def gate(self, opts: Any) -> Verdict:
        self.seen.append(opts)
        diff = subprocess.run(
            ["git", "diff", "--unified=0", opts.base, opts.head, "--", "findings.txt"],
            cwd=opts.root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        added = [
            line[1:]
            for line in diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        results = tuple(
            Result(
                Finding(
                    "demo", "problem", text, Level.ERROR, Location("findings.txt", i + 1), f"fp{i}"
                ),
                Severity.BLOCK,
            )
            for i, text in enumerate(added)
        )
        outcome = CheckOutcome("demo", "Demo", Status.FAILED if results else Status.PASSED, results)
        return Verdict(met=not results, outcomes=(outcome,), base=opts.base, head=opts.head)


def make_env(
    tmp_path: Path, github: FakeGitHub, repo: Repo, name: str = "pull_request", **inputs: str
) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "title": "Add findings",
                    "user": {"login": "alice", "type": "User"},
                    "base": {"ref": "main", "sha": repo.base},
                    "head": {"ref": "feature", "sha": repo.head},
                    "merge_commit_sha": "f" * 40,
                }
            }
        ),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "42",
        "GITHUB_SHA": "f" * 40,
        "GITHUB_WORKSPACE": str(repo.git.root),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_TOKEN": TOKEN,
    }
    env.update({f"INPUT_{k.upper().replace('_', '-')}": v for k, v in inputs.items()})
    return env


def act(env: dict[str, str], gate: Callable[[Any], Verdict]) -> tuple[int, str]:
    out = io.StringIO()
    code = run_action(env, gate=gate, stdout=out, sleep=lambda s: None, http_timeout=2.0)
    return code, out.getvalue()


def outputs(env: dict[str, str]) -> dict[str, str]:
    text = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    found = re.findall(r"^([\w-]+)<<(ghadelimiter_\w+)\n(.*?)\n?\2$", text, re.S | re.M)
    return {name: value for name, _, value in found}


@pytest.fixture
def pr_repo(git_repo: GitRepo) -> Repo:
    return Repo(git_repo, 130)


def test_end_to_end_check_run_batches_comment_and_outputs(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    env = make_env(tmp_path, github, pr_repo, sarif_file="out/gatekeeper.sarif")
    code, log = act(env, pr_repo.gate)
    assert code == 1
    opts = pr_repo.seen[0]
    assert isinstance(opts, GateOptions)
    assert (opts.base, opts.head, opts.policy_from) == (pr_repo.base, pr_repo.head, "base")
    assert opts.root == pr_repo.git.root / "." and opts.pr.number == 7
    assert github.ops() == [
        "pulls/list-commits",
        "pulls/list-reviews",
        "checks/create",
        "checks/update",
        "checks/update",
        "issues/list-comments",
        "issues/create-comment",
    ]
    (run,) = github.check_runs.values()
    assert run["head_sha"] == pr_repo.head and run["conclusion"] == "failure"
    assert len(run["annotations"]) == 130 and run["name"] == "gatekeeper"
    assert run["details_url"] == "https://github.com/o/r/actions/runs/42"
    got = outputs(env)
    assert set(got) == set(OUTPUTS)
    assert got["met"] == "false" and got["blocking-count"] == "130"
    assert got["sarif-file"] == "out/gatekeeper.sarif"
    sarif = json.loads((pr_repo.git.root / got["sarif-file"]).read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == 130
    report = json.loads((pr_repo.git.root / got["report-json"]).read_text(encoding="utf-8"))
    assert report["met"] is False
    assert log.splitlines()[0] == f"::add-mask::{TOKEN}" and log.count(TOKEN) == 1
    assert "Definition of Done not met (130 blocking)" in log
    assert "Definition of Done: not met" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()

    code, _ = act(env, pr_repo.gate)  # a re-run edits the sticky comment, never adds one
    assert code == 1
    assert [c for c in github.comments.values() if STICKY_MARKER in c["body"]].__len__() == 1
    assert github.ops().count("issues/update-comment") == 1


def test_the_comment_and_the_check_run_link_locations_to_their_lines(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    repo = Repo(git_repo, 12)
    env = make_env(tmp_path, github, repo)
    code, _ = act(env, repo.gate)
    assert code == 1
    (run,) = github.check_runs.values()
    (comment,) = github.comments.values()
    blob = f"https://github.com/o/r/blob/{repo.head}/findings.txt"
    for text in (
        run["output"]["summary"],
        comment["body"],
        Path(env["GITHUB_STEP_SUMMARY"]).read_text(),
    ):
        top = text[: text.index("**Checklist**")]
        assert f"* `demo/problem` at [`findings.txt:1`]({blob}#L1): problem 0" in top
        assert top.count(f"]({blob}#L") == 10  # the first ten, then a count
        assert "…and 2 more blocking findings" in top
    # without the server's address (not on GitHub) locations stay plain text
    del env["GITHUB_SERVER_URL"]
    act(env, repo.gate)
    (updated,) = github.comments.values()
    assert "](https://" not in updated["body"] and "`findings.txt:1`" in updated["body"]


def test_met_verdict_exits_0_and_outputs_true(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    repo = Repo(git_repo, 0)
    env = make_env(tmp_path, github, repo, comment="false")
    code, _ = act(env, repo.gate)
    assert code == 0 and outputs(env)["met"] == "true"
    assert "issues/list-comments" not in github.ops()
    assert github.calls[-1].body["conclusion"] == "success"


def test_fail_on_error_false_leaves_the_decision_to_the_check_run(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    code, _ = act(make_env(tmp_path, github, pr_repo, fail_on_error="false"), pr_repo.gate)
    assert code == 0
    assert next(iter(github.check_runs.values()))["conclusion"] == "failure"


def test_inputs_override_event_and_choose_the_directory(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    env = make_env(
        tmp_path,
        github,
        pr_repo,
        base="HEAD~1",
        head="HEAD",
        working_directory="sub",
        jobs="2",
        policy="ci/policy.yml",
    )
    (pr_repo.git.root / "sub").mkdir()
    given: list[GateOptions] = []

    def gate(opts: GateOptions) -> Verdict:
        given.append(opts)
        return pr_repo.gate(GateOptions(pr_repo.git.root, opts.base, opts.head))

    act(env, gate)
    root = pr_repo.git.root / "sub"
    assert (given[0].base, given[0].head, given[0].root, given[0].jobs) == (
        "HEAD~1",
        "HEAD",
        root,
        2,
    )
    assert given[0].policy_file == str(root / "ci/policy.yml")
    assert given[0].safe is False and given[0].pr.number == 7


FAULTS = {
    "500 then fine": ("checks/create", Fault(500)),
    "502 for good": ("checks/create", Fault(502, times=-1)),
    "secondary rate limit": (
        "checks/create",
        Fault(403, {"Retry-After": "1"}, {"message": "You have exceeded a secondary rate limit"}),
    ),
    "fork 403": (
        "checks/create",
        Fault(403, body={"message": "Resource not accessible"}, times=-1),
    ),
    "fork 404": ("checks/create", Fault(404, body={"message": "Not Found"}, times=-1)),
    "timeout": ("checks/create", Fault(200, stall=60.0, times=-1)),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_never_change_the_verdict_or_exit_code(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, fault: str
) -> None:
    repo = Repo(git_repo, 3)
    op, injected = FAULTS[fault]
    github.fail(op, injected)
    if fault.startswith("fork"):
        for other in (
            "repos/create-commit-status",
            "issues/list-comments",
            "pulls/list-commits",
            "pulls/list-reviews",
        ):
            github.fail(other, Fault(injected.status, body=injected.body, times=-1))
    env = make_env(tmp_path, github, repo)
    code, log = act(env, repo.gate)
    assert code == 1
    assert "Traceback" not in log
    assert "Definition of Done: not met" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert outputs(env)["met"] == "false"
    if fault in ("500 then fine", "secondary rate limit"):
        assert len(github.check_runs) == 1
    else:
        assert "no check run was written" in log
        assert log.count("::error file=findings.txt") == 3


def test_a_defect_while_publishing_keeps_the_verdict(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    # a sticky comment without an id is nonsense GitHub never sends; the action must survive it
    github.fail("issues/list-comments", Fault(200, body=[{"body": STICKY_MARKER}]))
    env = make_env(tmp_path, github, pr_repo)
    code, log = act(env, pr_repo.gate)
    assert code == 1 and "publishing failed (KeyError" in log and "Traceback" not in log
    assert "Definition of Done not met (130 blocking)" in log


def test_reports_in_the_log_cannot_issue_workflow_commands(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    repo = Repo(git_repo, 0)
    hostile = "x\n::add-mask::hello\n::error file=a.py::fake"
    bad = Result(Finding("demo", "problem", hostile, Level.ERROR, None, "fpx"), Severity.BLOCK)
    verdict = Verdict(met=False, outcomes=(CheckOutcome("demo", "Demo", Status.FAILED, (bad,)),))
    code, log = act(
        make_env(tmp_path, github, repo, formats="terminal,markdown"), lambda opts: verdict
    )
    assert code == 1
    lines = log.splitlines()
    stops = [i for i, line in enumerate(lines) if line.startswith("::stop-commands::")]
    assert len(stops) == 2
    for start in stops:
        resume = "::" + lines[start].removeprefix("::stop-commands::") + "::"
        end = lines.index(resume, start)
        assert any("::add-mask::hello" in line for line in lines[start:end])
    outside = [
        line
        for i, line in enumerate(lines)
        if not any(s <= i <= lines.index("::" + lines[s][17:] + "::", s) for s in stops)
    ]
    assert not any("hello" in line for line in outside)


def test_bad_input_is_a_usage_error_with_a_failing_check_run(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    env = make_env(tmp_path, github, pr_repo, formats="terminal,pdf")
    code, log = act(env, pr_repo.gate)
    assert code == 2 and pr_repo.seen == []
    assert "::error title=gatekeeper could not run::input formats: unknown format pdf" in log
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure" and run["head_sha"] == pr_repo.head
    assert outputs(env)["met"] == "false"
    assert "could not run" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()


@pytest.mark.parametrize(
    ("error", "code"), [(PolicyError("bad policy"), 2), (RuntimeError("boom"), 3)]
)
def test_gate_errors_exit_like_gatekeeper_run(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo, error: Exception, code: int
) -> None:
    def broken(opts: Any) -> Verdict:
        raise error

    env = make_env(tmp_path, github, pr_repo)
    got, log = act(env, broken)
    assert got == code and "Traceback" not in log and str(error) in log
    assert act({**env, "INPUT_FAIL-ON-ERROR": "false"}, broken)[0] == 0


def test_unreadable_event_file_and_no_api(tmp_path: Path, pr_repo: Repo) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "none"),
        "GITHUB_OUTPUT": str(tmp_path / "ro" / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp_path),
    }
    code, log = act(env, pr_repo.gate)
    assert code == 2 and "cannot read the event file" in log
    assert "could not write the step outputs" in log and "could not write the step summary" in log


def test_without_a_token_everything_goes_to_the_log(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    env = make_env(tmp_path, github, pr_repo, token="")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    env["GITHUB_WORKSPACE"] = str(blocker)  # report files cannot be written
    code, log = act(
        env, lambda opts: pr_repo.gate(GateOptions(pr_repo.git.root, opts.base, opts.head))
    )
    assert code == 1 and github.calls == [] and "add-mask" not in log
    assert "no GitHub token" in log and log.count("::error file=") == 130
    assert "could not write gatekeeper-report.json" in log
    assert outputs(env)["report-json"] == ""


def test_pull_request_target_runs_the_gate_in_safe_mode(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    env = make_env(tmp_path, github, pr_repo, name="pull_request_target")
    code, _ = act(env, pr_repo.gate)
    assert code == 1 and pr_repo.seen[0].safe is True
    code, _ = act(make_env(tmp_path, github, pr_repo), pr_repo.gate)
    assert pr_repo.seen[1].safe is False


def test_malformed_inputs() -> None:
    from gatekeeper.errors import UsageError

    for bad in ({"INPUT_JOBS": "many"}, {"INPUT_JOBS": "0"}, {"INPUT_COMMENT": "perhaps"}):
        with pytest.raises(UsageError):
            read_inputs(bad)
    assert read_inputs({"INPUT_JOBS": "3", "INPUT_COMMENT": "no"}).jobs == 3


class RecordingEnv(dict[str, str]):
    """An environment that remembers which variables were asked for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)


def test_every_action_input_is_read_and_every_output_written(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo
) -> None:
    action = yaml.safe_load(ACTION_YML.read_text(encoding="utf-8"))
    assert set(action["inputs"]) == set(INPUTS)
    assert set(action["outputs"]) == set(OUTPUTS)
    for name, spec in action["inputs"].items():
        if name != "token":
            assert str(spec.get("default", "")) == INPUTS[name], name
    env = RecordingEnv(make_env(tmp_path, github, pr_repo, sarif_file="g.sarif"))
    run_action(env, gate=pr_repo.gate, stdout=io.StringIO(), sleep=lambda s: None)
    assert {f"INPUT_{name.upper()}" for name in action["inputs"]} <= env.asked
    assert set(outputs(env)) == set(action["outputs"])


def test_the_cli_command_runs_the_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gatekeeper.cli import main

    for name in [k for k in os.environ if k.startswith(("GITHUB_", "INPUT_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "none"))
    with pytest.raises(SystemExit) as exited:
        main(["action"])
    assert exited.value.code == 2
    assert "cannot read the event file" in capsys.readouterr().out
