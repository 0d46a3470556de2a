"""``run_action`` told to stop, in process: the cancelled check run, the outputs, the code.

``tests/adversarial/test_cancellation.py`` sends a real SIGTERM to a real process; these
cases reach the same paths directly, including a stop after the verdict was published.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.errors import Cancelled
from gatekeeper.github.action import run_action
from gatekeeper.model import Verdict
from gatekeeper.sandbox.runner import resume
from tests.github.fakegithub import FakeGitHub
from tests.github.test_action import Repo, make_env, outputs, pr_repo

__all__ = ["pr_repo"]


@pytest.fixture(autouse=True)
def _sandbox_resumes() -> Iterator[None]:
    yield
    resume()  # a stopped action refuses to start PR code; this process goes on


def _stopping(stop: BaseException) -> Any:
    def gate(opts: Any) -> Verdict:
        raise stop

    return gate


@pytest.mark.parametrize(("stop", "code"), [(Cancelled(15), 143), (KeyboardInterrupt(), 130)])
def test_a_stop_before_the_verdict_publishes_a_cancelled_check_run(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo, stop: BaseException, code: int
) -> None:
    env = make_env(tmp_path, github, pr_repo)
    log = io.StringIO()
    assert run_action(env, gate=_stopping(stop), stdout=log, sleep=lambda s: None) == code
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "cancelled" and run["head_sha"] == pr_repo.head
    assert "was stopped" in log.getvalue()
    assert outputs(env)["met"] == "false"


def test_a_stop_after_the_verdict_leaves_the_verdict_the_last_word(
    tmp_path: Path, github: FakeGitHub, pr_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gatekeeper.github.action as action

    def publish_then_stop(*args: Any, **kwargs: Any) -> None:
        real_publish(*args, **kwargs)
        raise Cancelled(15)

    real_publish = action.publish
    monkeypatch.setattr(action, "publish", publish_then_stop)
    env = make_env(tmp_path, github, pr_repo)
    code = run_action(env, gate=pr_repo.gate, stdout=io.StringIO(), sleep=lambda s: None)
    assert code == 143
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"  # the verdict's, not a cancelled one on top
