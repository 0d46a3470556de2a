"""The pull request being judged: who wrote it, what it says, and whether an agent did."""

from __future__ import annotations

from dataclasses import dataclass


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
