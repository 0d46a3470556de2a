"""Publishers against the validating fake API: check runs, batches, sticky comment, fallbacks."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.github.client import GitHubClient
from gatekeeper.github.publish import (
    STICKY_MARKER,
    Target,
    build_annotations,
    fallback_markdown,
    publish,
    title_for,
)
from gatekeeper.github.runner import MAX_STEP_SUMMARY_BYTES
from gatekeeper.model import Finding, Level, Location, Result, Severity
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault
from tests.github.verdicts import finding, quiet_results, verdict

TARGET = Target("o", "r", "h" * 40, 7, "gatekeeper", "https://github.com/o/r/actions/runs/1")


class Lines(list[str]):
    def __call__(self, line: str) -> None:
        self.append(line)


def run(github: FakeGitHub, v: object, markdown: str = "## report\n", **kw: object) -> tuple:
    log, emit = Lines(), Lines()
    args: dict = {
        "client": GitHubClient(TOKEN, github.url, sleep=lambda s: None),
        "target": TARGET,
        "comment": True,
        "log": log,
        "emit": emit,
        **kw,
    }
    done = publish(v, markdown, **args)  # type: ignore[arg-type]
    return done, log, emit


def test_130_findings_make_three_requests_of_at_most_50(github: FakeGitHub) -> None:
    done, log, emit = run(github, verdict(130), comment=False)
    assert github.ops() == ["checks/create", "checks/update", "checks/update"]
    assert [len(c.body["output"]["annotations"]) for c in github.calls] == [50, 50, 30]
    (check_run,) = github.check_runs.values()
    assert len(check_run["annotations"]) == 130 and done.annotations == 130
    assert check_run["head_sha"] == "h" * 40 and check_run["conclusion"] == "failure"
    assert check_run["output"]["title"] == "Definition of Done: not met (130 blocking)"
    assert check_run["details_url"] == TARGET.details_url
    assert done.check_run and not done.workflow_annotations and emit == [] and log == []


def test_the_cap_limits_annotations(github: FakeGitHub) -> None:
    done, _, _ = run(github, verdict(130), comment=False, max_annotations=60)
    assert done.annotations == 60 and len(github.calls) == 2


def test_met_verdict_is_one_request_with_success(github: FakeGitHub) -> None:
    run(github, verdict(0), comment=False)
    assert github.ops() == ["checks/create"]
    body = github.calls[0].body
    assert body["conclusion"] == "success" and body["output"]["annotations"] == []
    assert body["output"]["title"] == "Definition of Done: met"


def test_summary_is_cut_under_githubs_limit(github: FakeGitHub) -> None:
    huge = "<details><summary>all</summary>\n\n" + "".join(
        f"| row {i} | é |\n" for i in range(20_000)
    )
    run(github, verdict(1), huge, comment=False)
    summary = github.calls[0].body["output"]["summary"]
    assert len(summary.encode("utf-8")) <= 65_000 < len(huge)
    assert summary.count("<details>") == summary.count("</details>") == 1
    assert "truncated" in summary


def test_sticky_comment_is_edited_in_place(github: FakeGitHub) -> None:
    github.page_size = 1
    github.comments[1] = {"id": 1, "body": "LGTM", "user": {"login": "bob"}}
    run(github, verdict(1), "first\n")
    run(github, verdict(0), "second\n")
    ours = [c for c in github.comments.values() if STICKY_MARKER in c["body"]]
    assert len(ours) == 1 and ours[0]["body"] == f"{STICKY_MARKER}\nsecond\n"
    assert github.ops().count("issues/create-comment") == 1
    assert github.ops().count("issues/update-comment") == 1


def test_no_comment_without_a_pr_or_when_disabled(github: FakeGitHub) -> None:
    run(github, verdict(0), target=Target("o", "r", "h" * 40))
    run(github, verdict(0), comment=False)
    assert github.ops() == ["checks/create", "checks/create"]


def test_forbidden_checks_fall_back_to_a_commit_status(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(403, body={"message": "Resource not accessible"}))
    done, log, emit = run(github, verdict(2), comment=False)
    assert done.commit_status and not done.check_run
    assert github.statuses == [
        {
            "sha": "h" * 40,
            "state": "failure",
            "context": "gatekeeper",
            "description": "Definition of Done: not met (2 blocking)",
            "target_url": TARGET.details_url,
        }
    ]
    assert len(emit) == 2 and emit[0].startswith("::error file=src/app.py,line=1,")
    assert any("could not write the check run" in line for line in log)


def test_when_nothing_can_be_written_the_log_and_step_summary_carry_it(
    github: FakeGitHub, tmp_path: Path
) -> None:
    for op in ("checks/create", "repos/create-commit-status", "issues/list-comments"):
        github.fail(op, Fault(404, body={"message": "Not Found"}, times=-1))
    summary = tmp_path / "summary.md"
    done, log, emit = run(github, verdict(3), "## not met\n", step_summary=str(summary))
    assert not (done.check_run or done.commit_status or done.comment)
    assert done.workflow_annotations and len(emit) == 3 and done.step_summary
    assert summary.read_text(encoding="utf-8") == "## not met\n\n"
    assert any("fork's pull request has a read-only token" in line for line in log)
    assert len(done.errors) == 3


def test_without_a_client_annotations_go_to_the_log(tmp_path: Path) -> None:
    log, emit = Lines(), Lines()
    done = publish(verdict(1), "x", client=None, target=None, comment=True, log=log, emit=emit)
    assert emit and "no GitHub token" in log[0] and not done.step_summary


def test_step_summary_failure_is_logged(tmp_path: Path) -> None:
    log = Lines()
    done = publish(
        verdict(0),
        "x",
        client=None,
        target=None,
        comment=False,
        log=log,
        emit=Lines(),
        step_summary=str(tmp_path / "missing-dir" / "s.md"),
    )
    assert not done.step_summary and "could not write the step summary" in log[-1]


def test_step_summary_stays_under_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    publish(
        verdict(0),
        "line of text\n" * 200_000,
        client=None,
        target=None,
        comment=False,
        log=Lines(),
        emit=Lines(),
        step_summary=str(path),
    )
    assert len(path.read_bytes()) < MAX_STEP_SUMMARY_BYTES


def test_annotations_order_and_selection() -> None:
    warn = Result(finding(5, "a.py", 3), Severity.WARN)
    no_line = Result(
        Finding("demo", "file", "whole file", Level.WARNING, Location("b.py"), "fpb"), Severity.INFO
    )
    v = verdict(2, extra=(*quiet_results(), warn, no_line))
    notes = build_annotations(v)
    assert [(n["path"], n["start_line"], n["annotation_level"]) for n in notes] == [
        ("src/app.py", 1, "failure"),
        ("src/app.py", 2, "failure"),
        ("a.py", 3, "warning"),
        ("b.py", 1, "notice"),
    ]
    assert notes[0]["message"] == "problem 0\n\nfix it" and notes[0]["title"] == "demo/rule"
    assert build_annotations(v, 0) == []


def test_titles_and_fallback_report() -> None:
    assert title_for(verdict(0)) == "Definition of Done: met"
    text = fallback_markdown(verdict(1))
    assert text.startswith("## Definition of Done: not met (1 blocking)")
    assert "`src/app.py:1` `demo/rule`: problem 0" in text
