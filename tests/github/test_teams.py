"""Approver teams: listing members on the validating fake GitHub, and the whole action.

The end-to-end cases run ``run_action`` with the real gate on a real repository: the
base policy lets only ``@my-org/api-leads`` approve changes under ``src/auth/``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.github.action import run_action
from gatekeeper.github.client import GitHubClient
from gatekeeper.github.teams import read_teams, team_resolver
from gatekeeper.pipeline import approver_teams
from gatekeeper.policy.model import CheckPolicy, Policy
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault

TEAM = "my-org/api-leads"
POLICY = (
    "version: 1\n"
    "checks:\n"
    "  review:\n"
    "    sensitive: ['src/auth/**']\n"
    "    approvers: ['@My-Org/api-leads', zoe]\n"
    "    severity: block\n"
)


def user(login: str, kind: str = "User") -> dict[str, Any]:
    return {"login": login, "id": abs(hash(login)) % 10_000, "type": kind}


def client(github: FakeGitHub) -> GitHubClient:
    return GitHubClient(TOKEN, github.url, sleep=lambda s: None, retries=1)


def policy(approvers: list[str], enabled: bool = True) -> Policy:
    review = CheckPolicy("review", enabled=enabled, config={"approvers": approvers})
    return Policy(source="test", digest="0", checks={"review": review})


def test_members_are_read_across_pages(github: FakeGitHub) -> None:
    github.page_size = 2
    github.teams[TEAM] = [user("Bob"), user("carol"), user("dave"), {"login": ""}]
    lines: list[str] = []
    members, errors = read_teams(client(github), ["@My-Org/API-Leads"], lines.append)
    assert members == ((TEAM, ("bob", "carol", "dave")),) and errors == ()
    assert github.ops() == ["teams/list-members-in-org"] * 2
    assert github.calls[0].path == "/orgs/my-org/teams/api-leads/members"
    assert lines == []


def test_unreadable_teams_are_recorded_with_a_reason(github: FakeGitHub) -> None:
    github.teams["o/forbidden"] = [user("bob")]
    # teams are read in name order: o/flaky fails twice (one retry), then o/forbidden
    github.fail("teams/list-members-in-org", Fault(500, times=2))
    github.fail("teams/list-members-in-org", Fault(403, body={"message": "Must have admin"}))
    lines: list[str] = []
    teams = ["@o/forbidden", "@o/flaky", "@o/missing", "@o/a/b"]
    members, errors = read_teams(client(github), teams, lines.append)
    assert members == ()
    assert dict(errors) == {
        "o/a/b": "not a team name of the form @org/team-slug",
        "o/flaky": "GET /orgs/o/teams/flaky/members: HTTP 500: injected fault",
        "o/forbidden": "HTTP 403: the token may not read the organization's teams",
        "o/missing": "HTTP 404: the team does not exist, or the token may not see it",
    }
    assert [name for name, _ in errors] == sorted(name for name, _ in errors)
    assert len(lines) == 3 and all("The token needs read:org." in line for line in lines)
    assert TOKEN not in "".join(lines)


def test_the_resolver_reads_only_the_teams_the_policy_names(github: FakeGitHub) -> None:
    github.teams[TEAM] = [user("bob")]
    enrich = team_resolver(client(github), lambda line: None)
    pr = PullRequest(number=1)
    assert enrich(policy(["alice", "@carol"]), pr) is pr
    assert enrich(policy(["@" + TEAM], enabled=False), pr) is pr
    assert enrich(policy(["@" + TEAM]), PullRequest()) == PullRequest()  # no PR: no reviews
    assert github.calls == []
    enriched = enrich(policy(["@" + TEAM, "@o/gone"]), pr)
    assert enriched.members_of(TEAM) == ("bob",)
    assert enriched.team_error("o/gone").startswith("HTTP 404")
    assert approver_teams(policy(["@b/x", "a", "@A/y", "@a/y"])) == ("a/y", "b/x")


# -- the whole action -------------------------------------------------------------------


def action_env(tmp_path: Path, github: FakeGitHub, git_repo: GitRepo) -> dict[str, str]:
    """A PR by alice that changes src/auth/ under POLICY; returns the action's env."""
    base = git_repo.commit({".github/gatekeeper.yml": POLICY, "src/auth/login.py": "a = 1\n"})
    head = git_repo.commit({"src/auth/login.py": "a = 2\n"}, "change auth")
    github.reviews = [
        {
            "id": 1,
            "user": user("bob"),
            "state": "APPROVED",
            "commit_id": head,
            "submitted_at": "2026-11-27T06:00:00Z",
        }
    ]
    event = tmp_path / "event.json"
    pull = {
        "number": 12,
        "user": user("alice"),
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "auth", "sha": head},
    }
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "pull_request_review",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "my-org/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
    }


def test_a_team_members_approval_turns_the_check_green(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    github.teams[TEAM] = [user("bob"), user("carol")]
    log = io.StringIO()
    code = run_action(action_env(tmp_path, github, git_repo), stdout=log, sleep=lambda s: None)
    assert code == 0, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "success"
    assert github.ops().count("teams/list-members-in-org") == 1


def test_without_the_member_the_check_stays_red(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    github.teams[TEAM] = [user("carol")]
    log = io.StringIO()
    code = run_action(action_env(tmp_path, github, git_repo), stdout=log, sleep=lambda s: None)
    assert code == 1, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert "could not be read" not in run["output"]["summary"]


@pytest.mark.parametrize("status", [404, 403])
def test_an_unreadable_team_keeps_the_check_red(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, status: int
) -> None:
    # 404: the team does not exist or is hidden; 403: the token lacks read:org
    github.teams[TEAM] = [user("bob")]
    if status == 403:
        github.fail("teams/list-members-in-org", Fault(403, body={"message": "Forbidden"}))
    else:
        del github.teams[TEAM]
    log = io.StringIO()
    code = run_action(action_env(tmp_path, github, git_repo), stdout=log, sleep=lambda s: None)
    assert code == 1, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    # the Markdown breaks "@org/team" with a zero-width space so GitHub does not ping it
    summary = run["output"]["summary"].replace("\u200b", "")
    assert f"team @{TEAM} could not be read (HTTP {status}" in summary
    assert "read:org" in summary
    assert f"could not read the members of team @{TEAM}" in log.getvalue()
    assert "Traceback" not in log.getvalue()


def test_the_hook_sees_the_effective_policy_once(git_repo: GitRepo) -> None:
    """An override for agents' PRs names another team: that is the one to resolve."""
    from gatekeeper.pipeline import GateOptions, judge

    text = POLICY + (
        "overrides:\n"
        "  - when: {author: agent}\n"
        "    checks: {review: {approvers: ['@my-org/agent-wranglers']}}\n"
    )
    base = git_repo.commit({".github/gatekeeper.yml": text, "src/auth/login.py": "a = 1\n"})
    head = git_repo.commit({"src/auth/login.py": "a = 2\n"}, "change auth")
    seen: list[tuple[str, ...]] = []

    def hook(policy: Policy, pr: PullRequest) -> PullRequest:
        seen.append(approver_teams(policy))
        return pr

    pr = PullRequest(number=3, author="Copilot", head_sha=head)
    verdict, _ = judge(GateOptions(root=git_repo.root, base=base, head=head, pr=pr, enrich_pr=hook))
    assert seen == [("my-org/agent-wranglers",)]
    assert not verdict.met
