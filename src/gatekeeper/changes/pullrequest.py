"""The pull request being judged: who wrote it, what it says, who reviewed it.

Whether an agent wrote it is the policy's question (:mod:`gatekeeper.policy.agents`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
    #: GitHub's ``author_association`` of the reviewer with the repository (``OWNER``,
    #: ``MEMBER``, ``COLLABORATOR``, ``CONTRIBUTOR``, ``NONE``, ...); empty when not known
    #: (a review built by hand); the API always reports it
    association: str = ""


#: reviewers GitHub relates to the repository with rights to it: anyone else can leave an
#: approving review on a public repository, and that must not count
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


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
    #: members of the teams the policy names as approvers, as the GitHub Action read them
    #: before the checks ran: (("my-org/api-leads", ("alice", "bob")), ...), all lowercased
    team_members: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: teams the action could not read, with the reason: (("my-org/api-leads", "HTTP 404"),)
    team_errors: tuple[tuple[str, str], ...] = ()

    @property
    def is_agent(self) -> bool:
        """True when an agent-author signal matched."""
        return bool(self.agent_signal)

    def members_of(self, team: str) -> tuple[str, ...] | None:
        """Lowercased logins of ``team`` ("@org/slug" or "org/slug"); None when unresolved."""
        key = team_key(team)
        for name, members in self.team_members:
            if name == key:
                return members
        return None

    def team_error(self, team: str) -> str:
        """Why ``team`` could not be read, or "" when it was read or never tried."""
        key = team_key(team)
        return next((reason for name, reason in self.team_errors if name == key), "")


def is_team(entry: str) -> bool:
    """True for an approver entry naming a GitHub team, ``@org/team-slug``."""
    return entry.startswith("@") and "/" in entry


def team_key(team: str) -> str:
    """The lowercased ``org/slug`` a team is stored under (GitHub names are case-blind)."""
    return team.strip().lstrip("@").lower()


def split_approvers(entries: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(logins, teams) of an approver list, each lowercased without the leading ``@``."""
    logins = sorted({team_key(e) for e in entries if not is_team(e)})
    teams = sorted({team_key(e) for e in entries if is_team(e)})
    return tuple(logins), tuple(teams)


def pr_from_payload(data: object) -> PullRequest:
    """A PullRequest from a ``pull_request`` object of a GitHub event or of the API.

    Anything missing or of the wrong type becomes empty, so a ``push`` event's payload
    (which has no pull request) gives an empty PullRequest.
    """
    pr = json_mapping(data)
    base, head = json_mapping(pr.get("base")), json_mapping(pr.get("head"))
    user = json_mapping(pr.get("user"))
    labels = sorted(
        json_str(json_mapping(label).get("name")) for label in json_list(pr.get("labels"))
    )
    number = pr.get("number")
    return PullRequest(
        number=number if isinstance(number, int) else None,
        title=json_str(pr.get("title")),
        body=json_str(pr.get("body")),
        author=json_str(user.get("login")),
        author_type=json_str(user.get("type")),
        labels=tuple(label for label in labels if label),
        base_ref=json_str(base.get("ref")),
        head_ref=json_str(head.get("ref")),
        base_sha=json_str(base.get("sha")),
        head_sha=json_str(head.get("sha")),
        draft=pr.get("draft") is True,
        url=json_str(pr.get("html_url")),
    )


# JSON payloads from GitHub (events, API answers) are read leniently: a field of the
# wrong type reads as empty, the same for the PR object here and the event around it.


def json_mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def json_list(value: object) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def json_str(value: object) -> str:
    """``value`` if it is a JSON string, else ``""``."""
    return value if isinstance(value, str) else ""


#: ``Key: value`` (or ``Key:value``), the shape of a git trailer
_TRAILER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(\S.*)$")


def parse_trailers(message: str) -> tuple[str, ...]:
    """Trailer-shaped lines of a commit message after its subject, as ``Key: value``.

    Wider than git's own rule (the last paragraph only, and only when it holds nothing
    else): a trailer block followed by other lines, or one written ``Key:value``, still
    counts. The result marks agent authors and people who may not approve their own work;
    a self-declared signal is cheap to drop, so missing one is the costly mistake.
    """
    found = []
    for line in message.strip().splitlines()[1:]:
        m = _TRAILER_LINE.match(line.strip())
        if m and not m.group(2).startswith("//"):  # "https://..." is a link, not a trailer
            found.append(f"{m.group(1)}: {m.group(2)}")
    return tuple(found)


def with_commits(pr: PullRequest, commits: Iterable[tuple[str, str]]) -> PullRequest:
    """``pr`` with the trailers and authors of ``commits`` ((``Name <email>``, message)...)."""
    from dataclasses import replace

    items = list(commits)
    trailers = sorted({t for _, message in items for t in parse_trailers(message)})
    authors = sorted({author for author, _ in items if author.strip("<> ")})
    return replace(pr, commit_trailers=tuple(trailers), commit_authors=tuple(authors))


#: review states that decide (a later COMMENTED review does not undo an approval)
_DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})
#: a GitHub noreply address names the account: "<123+login@users.noreply.github.com>"
_NOREPLY = re.compile(r"<(?:\d+\+)?([A-Za-z0-9-]+(?:\[bot\])?)@users\.noreply\.github\.com>")


def approving_humans(pr: PullRequest, head: str = "", allowed: Iterable[str] = ()) -> list[str]:
    """Logins whose latest decisive review approves the head commit and who may approve.

    ``allowed`` lists logins and ``@org/team`` entries; when it is not empty, only a listed
    login or a member of a listed team (as resolved in ``pr.team_members``) counts. When it
    is empty, only an owner, member or collaborator of the repository counts.
    """
    allowed = tuple(allowed)
    logins, teams = split_approvers(allowed)
    # a team that could not be read adds nobody: its members' approvals do not count
    allowed_set = set(logins).union(*(pr.members_of(t) or () for t in teams))
    excluded = {pr.author.lower(), *contributors(pr)}
    return sorted(
        review.login
        for review in _head_approvals(pr, head)
        if review.login.lower() not in excluded
        and (review.login.lower() in allowed_set if allowed else _trusted(review))
    )


def untrusted_approvals(pr: PullRequest, head: str = "") -> list[str]:
    """``login (ASSOCIATION)`` of approvals of the head that count for nothing because
    GitHub does not relate the reviewer to the repository (see :data:`TRUSTED_ASSOCIATIONS`).
    """
    return sorted(
        f"{r.login} ({r.association})" for r in _head_approvals(pr, head) if not _trusted(r)
    )


def _head_approvals(pr: PullRequest, head: str) -> list[Review]:
    """Humans' reviews that approve the head commit and are their latest decisive word."""
    head_sha = pr.head_sha or head
    if not head_sha:
        return []
    latest: dict[str, Review] = {}
    for review in sorted(pr.reviews, key=lambda r: r.submitted_at):
        if review.state in _DECISIVE:
            latest[review.login.lower()] = review
    return [
        review
        for login, review in latest.items()
        if review.state == "APPROVED"
        and not review.is_bot
        and not login.endswith("[bot]")
        and review.commit_id == head_sha
    ]


def _trusted(review: Review) -> bool:
    return not review.association or review.association in TRUSTED_ASSOCIATIONS


def contributors(pr: PullRequest) -> set[str]:
    """Lowercased logins of the PR's commit authors and co-authors.

    They cannot approve their own work. For an agent's PR this includes the person who
    launched it when the agent credits them, as the Copilot coding agent does with a
    ``Co-authored-by`` trailer carrying their ``users.noreply.github.com`` address.
    """
    found = set()
    for entry in (*pr.commit_authors, *pr.commit_trailers):
        if "<" not in entry and ":" not in entry:
            found.add(entry.strip().lower())  # a bare login, as the commits API links it
        found.update(m.lower() for m in _NOREPLY.findall(entry))
    return found
