"""Reading GitHub events: base and head for each trigger, PR fields, commits and reviews."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.pullrequest import PullRequest, Review
from gatekeeper.errors import UsageError
from gatekeeper.github.client import GitHubClient
from gatekeeper.github.event import Event, enrich, parse_trailers, read_event
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault

BASE, HEAD, MERGE = "b" * 40, "h" * 40, "m" * 40


def pr_payload(**extra: Any) -> dict[str, Any]:
    return {
        "number": 7,
        "title": "Add login",
        "body": "Made by an agent",
        "draft": False,
        "html_url": "https://github.com/o/r/pull/7",
        "user": {"login": "Copilot", "type": "Bot"},
        "labels": [{"name": "ai-generated"}, {"name": "api"}],
        "base": {"ref": "main", "sha": BASE},
        "head": {"ref": "copilot/login", "sha": HEAD},
        "merge_commit_sha": MERGE,
        **extra,
    }


def env_for(tmp_path: Path, name: str, payload: Any) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path), "GITHUB_REPOSITORY": "o/r"}


@pytest.mark.parametrize("name", ["pull_request", "pull_request_review"])
def test_pull_request_events_use_the_pr_head_not_the_merge_commit(
    tmp_path: Path, name: str
) -> None:
    event = read_event(env_for(tmp_path, name, {"pull_request": pr_payload()}))
    assert (event.base, event.head, event.safe) == (BASE, HEAD, False)
    assert event.pr == PullRequest(
        number=7,
        title="Add login",
        body="Made by an agent",
        author="Copilot",
        author_type="Bot",
        labels=("ai-generated", "api"),
        base_ref="main",
        head_ref="copilot/login",
        base_sha=BASE,
        head_sha=HEAD,
        url="https://github.com/o/r/pull/7",
    )
    assert event.owner_repo == ("o", "r")


def test_pull_request_target_runs_in_safe_mode(tmp_path: Path) -> None:
    event = read_event(env_for(tmp_path, "pull_request_target", {"pull_request": pr_payload()}))
    assert event.safe and event.head == HEAD


def test_merge_group(tmp_path: Path) -> None:
    payload = {
        "merge_group": {
            "base_sha": BASE,
            "head_sha": HEAD,
            "base_ref": "refs/heads/main",
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-7",
        }
    }
    event = read_event(env_for(tmp_path, "merge_group", payload))
    assert (event.base, event.head) == (BASE, HEAD)
    assert event.pr.base_ref == "main" and event.pr.number is None


def test_push_and_a_new_branch_push(tmp_path: Path) -> None:
    event = read_event(
        env_for(tmp_path, "push", {"before": BASE, "after": HEAD, "ref": "refs/heads/feature"})
    )
    assert (event.base, event.head, event.pr.head_ref) == (BASE, HEAD, "feature")
    event = read_event(env_for(tmp_path, "push", {"before": "0" * 40, "after": HEAD}))
    assert (event.base, event.head) == (None, HEAD)


def test_other_events_and_no_event_file() -> None:
    assert read_event({"GITHUB_EVENT_NAME": "workflow_dispatch"}) == Event("workflow_dispatch")
    assert read_event({}).owner_repo is None


def test_malformed_payload_fields_are_ignored(tmp_path: Path) -> None:
    event = read_event(
        env_for(
            tmp_path,
            "pull_request",
            {"pull_request": {"number": "7", "labels": "x", "user": None, "draft": "yes"}},
        )
    )
    assert event.pr == PullRequest() and event.base is None


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_unreadable_event_file_is_a_usage_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match="event file"):
        read_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})
    with pytest.raises(UsageError, match="GITHUB_EVENT_PATH"):
        read_event({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})


def test_trailers() -> None:
    message = (
        "Add login\n\nBody text.\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
        "Signed-off-by: Dev <dev@example.com>\n"
    )
    assert parse_trailers(message) == (
        "Co-authored-by: Claude <noreply@anthropic.com>",
        "Signed-off-by: Dev <dev@example.com>",
    )
    assert parse_trailers("Subject: only a subject line") == ()
    assert parse_trailers("Subject\n\nA closing paragraph: not a trailer\nbecause of this") == ()


def test_enrich_reads_commits_and_reviews(tmp_path: Path, github: FakeGitHub) -> None:
    github.commits = [
        {
            "sha": "1",
            "author": {"login": "copilot-swe-agent[bot]"},
            "committer": {"login": "web-flow"},
            "commit": {
                "message": "Fix\n\nCo-authored-by: alice <alice@example.com>",
                "author": {"name": "Copilot", "email": "copilot@github.com"},
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
            },
        },
        {
            "sha": "2",
            "author": None,
            "committer": None,
            "commit": {
                "message": "Tidy",
                "author": {"name": "Cursor Agent", "email": "cursoragent@cursor.com"},
            },
        },
    ]
    github.reviews = [
        {
            "id": 2,
            "user": {"login": "bob", "type": "User"},
            "state": "APPROVED",
            "commit_id": HEAD,
            "submitted_at": "2026-01-02T00:00:00Z",
            "author_association": "MEMBER",
        },
        {
            "id": 1,
            "user": {"login": "ci-bot", "type": "Bot"},
            "state": "COMMENTED",
            "commit_id": BASE,
            "submitted_at": "2026-01-01T00:00:00Z",
        },
        {"id": 3, "user": None, "state": "APPROVED"},
    ]
    event = read_event(env_for(tmp_path, "pull_request", {"pull_request": pr_payload()}))
    logs: list[str] = []
    event = enrich(event, GitHubClient(TOKEN, github.url), logs.append)
    assert event.pr.commit_trailers == ("Co-authored-by: alice <alice@example.com>",)
    assert event.pr.commit_authors == (
        "Copilot <copilot@github.com>",
        "Cursor Agent <cursoragent@cursor.com>",
        "copilot-swe-agent[bot]",
        "web-flow",
    )
    assert event.pr.reviews == (
        Review("ci-bot", "COMMENTED", True, BASE, "2026-01-01T00:00:00Z", "NONE"),
        Review("bob", "APPROVED", False, HEAD, "2026-01-02T00:00:00Z", "MEMBER"),
    )
    assert logs == []
    assert github.ops() == ["pulls/list-commits", "pulls/list-reviews"]


def test_enrich_is_best_effort(tmp_path: Path, github: FakeGitHub) -> None:
    github.fail("pulls/list-commits", Fault(404, body={"message": "Not Found"}))
    github.fail("pulls/list-reviews", Fault(403, body={"message": "Forbidden"}))
    event = read_event(env_for(tmp_path, "pull_request", {"pull_request": pr_payload()}))
    logs: list[str] = []
    enriched = enrich(event, GitHubClient(TOKEN, github.url), logs.append)
    assert enriched == event
    assert len(logs) == 2 and "approvals count as missing" in logs[1]


def test_enrich_needs_a_pr(github: FakeGitHub) -> None:
    push = Event("push", "o/r", BASE, HEAD)
    assert enrich(push, GitHubClient(TOKEN, github.url), print) is push
    assert github.calls == []


def test_commit_authors_feed_agent_detection(tmp_path: Path, github: FakeGitHub) -> None:
    from gatekeeper.policy.agents import detect_agent

    github.commits = [
        {
            "author": {"login": "copilot-swe-agent[bot]"},
            "committer": None,
            "commit": {"message": "Fix", "author": {"name": "Copilot", "email": "c@github.com"}},
        }
    ]
    human = pr_payload(user={"login": "alice", "type": "User"}, head={"ref": "fix", "sha": HEAD})
    event = read_event(env_for(tmp_path, "pull_request", {"pull_request": human}))
    assert detect_agent(event.pr) == ""
    event = enrich(event, GitHubClient(TOKEN, github.url), print)
    assert detect_agent(event.pr) == "commit author copilot-swe-agent[bot]"
