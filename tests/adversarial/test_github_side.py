"""The GitHub side never duplicates or lies (docs/security.md).

GitHub can carry out a POST and lose the answer (a timeout, a dropped connection, a 502
from a proxy). Sent again blindly, the request makes a second check run, which GitHub
then shows as the check's result, or a second sticky comment. Each case makes the fake
GitHub do the work and lose the answer, and counts what exists afterwards. When GitHub
cannot be reached at all, the log must say that, and not blame a fork's token.
"""

from __future__ import annotations

from gatekeeper.github.client import GitHubClient
from gatekeeper.github.publish import STICKY_MARKER, Published, Target, publish
from gatekeeper.model import Verdict
from tests.github.conftest import github, validators
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault
from tests.github.verdicts import verdict

__all__ = ["github", "validators"]  # fixtures, imported so that pytest finds them here

TARGET = Target("o", "r", "b" * 40, 7, "gatekeeper", "")


def _publish(
    github: FakeGitHub, v: Verdict, *, timeout: float = 10.0, comment: bool = True
) -> tuple[Published, list[str], list[str], GitHubClient]:
    log: list[str] = []
    emit: list[str] = []
    client = GitHubClient(TOKEN, github.url, sleep=lambda s: None, timeout=timeout)
    done = publish(
        v, "## report\n", client=client, target=TARGET, comment=comment, log=log.append,
        emit=emit.append,
    )  # fmt: skip
    return done, log, emit, client


def test_a_check_run_created_but_unanswered_is_not_created_again(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(apply=True, drop=True))
    done, log, _, _ = _publish(github, verdict(3), comment=False)
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure" and done.check_run
    assert github.ops() == ["checks/create", "checks/list-for-ref"]
    assert log == []


def test_a_check_run_behind_a_timeout_is_found_not_duplicated(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(apply=True, stall=3.0))
    done, _, _, _ = _publish(github, verdict(0), timeout=1.0, comment=False)
    assert len(github.check_runs) == 1 and done.check_run
    assert github.ops() == ["checks/create", "checks/list-for-ref"]


def test_a_502_after_the_work_was_done_is_not_sent_again(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(502, apply=True))
    done, _, _, _ = _publish(github, verdict(1), comment=False)
    assert len(github.check_runs) == 1 and done.check_run


def test_an_unanswered_post_that_did_nothing_is_sent_again_once(github: FakeGitHub) -> None:
    github.fail("checks/create", Fault(drop=True))  # lost before GitHub did anything
    done, _, _, _ = _publish(github, verdict(1), comment=False)
    assert len(github.check_runs) == 1 and done.check_run
    assert github.ops() == ["checks/create", "checks/list-for-ref", "checks/create"]


def test_an_older_check_run_of_the_same_name_is_not_taken_for_this_one(
    github: FakeGitHub,
) -> None:
    # a green run from an earlier attempt on the same commit must not stand in for a red
    # verdict whose POST lost its answer
    github.check_runs[1] = {
        "id": 1, "name": "gatekeeper", "head_sha": TARGET.head_sha, "conclusion": "success",
    }  # fmt: skip
    github.fail("checks/create", Fault(drop=True))
    _publish(github, verdict(2), comment=False)
    latest = max(github.check_runs.values(), key=lambda r: r["id"])
    assert len(github.check_runs) == 2 and latest["conclusion"] == "failure"


def test_annotations_whose_answer_was_lost_are_not_added_twice(github: FakeGitHub) -> None:
    github.fail("checks/update", Fault(apply=True, drop=True))
    done, log, _, _ = _publish(github, verdict(130), comment=False)
    (run,) = github.check_runs.values()
    # the first batch went with the POST, the second was applied once and not re-sent
    assert len(run["annotations"]) == 100 and done.annotations == 50
    assert github.ops() == ["checks/create", "checks/update"]
    assert any("annotations stopped after 50" in line for line in log)


def test_a_sticky_comment_created_but_unanswered_is_not_created_again(
    github: FakeGitHub,
) -> None:
    github.fail("issues/create-comment", Fault(apply=True, drop=True))
    done, _, _, _ = _publish(github, verdict(1))
    (comment,) = github.comments.values()
    assert comment["body"].startswith(STICKY_MARKER) and done.comment


def test_an_unreachable_api_is_reported_as_such_and_tried_a_bounded_number_of_times(
    github: FakeGitHub,
) -> None:
    github.refuse_connections()
    done, log, emit, client = _publish(github, verdict(2))
    assert not done.check_run and not done.commit_status and not done.comment
    said = "\n".join(log)
    assert "could not be reached" in said and "could not connect" in said
    assert "fork" not in said and "read-only" not in said
    # the verdict still reaches the log as annotations
    assert len(emit) == 2 and all(e.startswith("::error ") for e in emit)
    # one call waits through the retries; the rest do not try again
    assert client.requests_sent == client.retries + 1


def test_a_read_only_token_is_still_named_as_the_reason(github: FakeGitHub) -> None:
    # the case that must not change: a fork's token gets 403 and the log says so
    github.fail("checks/create", Fault(403, body={"message": "Resource not accessible"}))
    github.fail("repos/create-commit-status", Fault(403))
    _, log, _, _ = _publish(github, verdict(1), comment=False)
    assert any("the token cannot write checks" in line for line in log)
