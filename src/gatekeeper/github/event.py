"""What GitHub says triggered the run: the event file, turned into base, head and a PR.

The head is always the PR's own head commit, never the merge commit GitHub checks out
for ``pull_request`` (a check run on the merge commit would not show on the PR).
``pull_request_target`` runs with a write token on the base repository's code, so it
runs in *safe mode*: the PR's code is read but never executed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gatekeeper.changes.pullrequest import (
    PullRequest,
    Review,
    json_mapping,
    json_str,
    parse_trailers,
    pr_from_payload,
)
from gatekeeper.errors import UsageError
from gatekeeper.github.client import GitHubClient, GitHubError

__all__ = ["Event", "enrich", "parse_trailers", "read_event"]

PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})
SUPPORTED_EVENTS = PR_EVENTS | {"merge_group", "push"}
_ZERO_SHA = re.compile(r"^0+$")


@dataclass(frozen=True)
class Event:
    """The triggering event, reduced to what the gate and the publishers need."""

    name: str
    repository: str = ""
    base: str | None = None
    head: str | None = None
    pr: PullRequest = field(default_factory=PullRequest)
    #: True for pull_request_target: policy and checks from base, nothing from the PR runs
    safe: bool = False

    @property
    def owner_repo(self) -> tuple[str, str] | None:
        """``("owner", "repo")`` from GITHUB_REPOSITORY, or None when unknown."""
        owner, _, repo = self.repository.partition("/")
        return (owner, repo) if owner and repo else None


def read_event(env: Mapping[str, str]) -> Event:
    """Read ``GITHUB_EVENT_NAME`` / ``GITHUB_EVENT_PATH``; other events give an empty Event.

    Raises :class:`UsageError` when the event file is named but unreadable, since the
    gate would otherwise judge the wrong commits.
    """
    name = env.get("GITHUB_EVENT_NAME", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    payload = _load_payload(env.get("GITHUB_EVENT_PATH", ""))
    if name in PR_EVENTS:
        pr = pr_from_payload(payload.get("pull_request"))
        return Event(
            name,
            repository,
            pr.base_sha or None,
            pr.head_sha or None,
            pr,
            safe=name == "pull_request_target",
        )
    if name == "merge_group":
        group = json_mapping(payload.get("merge_group"))
        return Event(
            name,
            repository,
            json_str(group.get("base_sha")) or None,
            json_str(group.get("head_sha")) or None,
            PullRequest(
                base_ref=_branch(group.get("base_ref")),
                head_ref=_branch(group.get("head_ref")),
                head_sha=json_str(group.get("head_sha")),
            ),
        )
    if name == "push":
        before, after = json_str(payload.get("before")), json_str(payload.get("after"))
        # a new branch has no "before": let the gate pick its default base
        base = None if not before or _ZERO_SHA.match(before) else before
        return Event(
            name,
            repository,
            base,
            after or None,
            PullRequest(head_ref=_branch(payload.get("ref")), head_sha=after),
        )
    return Event(name, repository)


def enrich(event: Event, client: GitHubClient, log: Callable[[str], None]) -> Event:
    """Add the PR's commits (trailers, authors) and reviews from the API, when it answers.

    Best effort: a token that cannot read them leaves the fields empty and says so, and
    the ``review`` check then reports approvals as missing (fail closed).
    """
    where = event.owner_repo
    if where is None or event.pr.number is None:
        return event
    base = f"repos/{where[0]}/{where[1]}/pulls/{event.pr.number}"
    pr = event.pr
    try:
        commits = list(client.paginate(f"{base}/commits"))
        pr = replace(pr, commit_trailers=_trailers(commits), commit_authors=_authors(commits))
    except GitHubError as exc:
        log(
            f"gatekeeper: could not read the PR's commits ({exc}); "
            "agent signals from commits are unknown"
        )
    try:
        pr = replace(pr, reviews=_reviews(client.paginate(f"{base}/reviews")))
    except GitHubError as exc:
        log(f"gatekeeper: could not read the PR's reviews ({exc}); approvals count as missing")
    return replace(event, pr=pr)


def _trailers(commits: list[Any]) -> tuple[str, ...]:
    found: set[str] = set()
    for item in commits:
        found.update(
            parse_trailers(json_str(json_mapping(json_mapping(item).get("commit")).get("message")))
        )
    return tuple(sorted(found))


def _authors(commits: list[Any]) -> tuple[str, ...]:
    """Logins (when GitHub linked them) and ``Name <email>`` of commit authors and committers."""
    found: set[str] = set()
    for item in map(json_mapping, commits):
        for role in ("author", "committer"):
            login = json_str(json_mapping(item.get(role)).get("login"))
            if login:
                found.add(login)
            person = json_mapping(json_mapping(item.get("commit")).get(role))
            name, email = json_str(person.get("name")), json_str(person.get("email"))
            if role == "author" and (name or email):
                found.add(f"{name} <{email}>")
    return tuple(sorted(found))


def _reviews(items: Any) -> tuple[Review, ...]:
    reviews = []
    for item in map(json_mapping, items):
        user = json_mapping(item.get("user"))
        login = json_str(user.get("login"))
        if not login:
            continue  # a deleted account cannot approve anything
        reviews.append(
            Review(
                login=login,
                state=json_str(item.get("state")),
                is_bot=json_str(user.get("type")) == "Bot",
                commit_id=json_str(item.get("commit_id")),
                submitted_at=json_str(item.get("submitted_at")),
                # the API always says; a review without it is not trusted
                association=json_str(item.get("author_association")) or "NONE",
            )
        )
    return tuple(sorted(reviews, key=lambda r: (r.submitted_at, r.login)))


def _load_payload(path: str) -> Mapping[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"cannot read the event file GITHUB_EVENT_PATH={path}: {exc}; run inside GitHub "
            "Actions, or unset GITHUB_EVENT_PATH and pass base/head inputs"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"the event file {path} does not hold a JSON object")
    return data


def _branch(value: object) -> str:
    return json_str(value).removeprefix("refs/heads/")
