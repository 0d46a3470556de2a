"""The pull request being judged: who wrote it, what it says, and whether an agent did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Review:
    """One submitted review, as the GitHub reviews API reports it."""

    login: str
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    is_bot: bool = False
    commit_id: str = ""
    submitted_at: str = ""


@dataclass(frozen=True, slots=True)
class PullRequest:
    """PR metadata from the event file or flags; every field may be empty locally."""

    number: int | None = None
    title: str = ""
    body: str = ""
    author: str = ""
    author_type: str = ""  # "User" or "Bot" as GitHub reports it
    labels: tuple[str, ...] = ()
    base_ref: str = ""
    head_ref: str = ""
    base_sha: str = ""
    head_sha: str = ""
    draft: bool = False
    url: str = ""
    #: trailers and authors of the PR's commits, e.g. "Co-authored-by: Claude <...>"
    commit_trailers: tuple[str, ...] = ()
    commit_authors: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    #: the signal that marked this PR as agent-authored, "" for a human's PR
    agent_signal: str = ""

    @property
    def is_agent(self) -> bool:
        """True when an agent-author signal matched."""
        return bool(self.agent_signal)


def _labels(pr: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(str(lb.get("name", "")) for lb in pr.get("labels") or [] if lb))


def pull_request_from_event(payload: Mapping[str, Any]) -> PullRequest:
    """The PullRequest described by a GitHub webhook event payload.

    Works for ``pull_request``, ``pull_request_target`` and ``pull_request_review`` events
    (they all carry ``pull_request``); other payloads give an empty PullRequest.
    """
    pr = payload.get("pull_request")
    if not isinstance(pr, dict):
        return PullRequest()
    user = pr.get("user") or {}
    base = pr.get("base") or {}
    head = pr.get("head") or {}
    return PullRequest(
        number=pr.get("number"),
        title=str(pr.get("title") or ""),
        body=str(pr.get("body") or ""),
        author=str(user.get("login") or ""),
        author_type=str(user.get("type") or ""),
        labels=_labels(pr),
        base_ref=str(base.get("ref") or ""),
        head_ref=str(head.get("ref") or ""),
        base_sha=str(base.get("sha") or ""),
        head_sha=str(head.get("sha") or ""),
        draft=bool(pr.get("draft")),
        url=str(pr.get("html_url") or ""),
    )
