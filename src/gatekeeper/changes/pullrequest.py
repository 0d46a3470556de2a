"""The pull request being judged: who wrote it, what it says, and whether an agent did."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gatekeeper.policy.model import AgentRules


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
    pr = _mapping(data)
    base, head, user = _mapping(pr.get("base")), _mapping(pr.get("head")), _mapping(pr.get("user"))
    labels = sorted(_str(_mapping(label).get("name")) for label in _list(pr.get("labels")))
    number = pr.get("number")
    return PullRequest(
        number=number if isinstance(number, int) else None,
        title=_str(pr.get("title")),
        body=_str(pr.get("body")),
        author=_str(user.get("login")),
        author_type=_str(user.get("type")),
        labels=tuple(label for label in labels if label),
        base_ref=_str(base.get("ref")),
        head_ref=_str(head.get("ref")),
        base_sha=_str(base.get("sha")),
        head_sha=_str(head.get("sha")),
        draft=pr.get("draft") is True,
        url=_str(pr.get("html_url")),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


# Built-in agent signals: (pattern, how the signal is reported). Patterns use only "*"
# and "?" as wildcards so that "[bot]" in a login stays literal.
_BUILTIN_LOGINS = (
    "Copilot",
    "copilot-swe-agent[bot]",
    "devin-ai-integration[bot]",
    "chatgpt-codex-connector[bot]",
    "google-labs-jules[bot]",
    "sweep-ai[bot]",
)
_BUILTIN_BRANCHES = ("copilot/", "codex/", "claude/", "cursor/")
_BUILTIN_TRAILERS = (
    # Claude Code signs its commits "Co-Authored-By: Claude <noreply@anthropic.com>"; a
    # human called Claude with their own address must not match, hence no bare "Claude*".
    ("Co-authored-by: Claude", "Co-authored-by: Claude"),
    ("Co-authored-by: * <noreply@anthropic.com>", "Co-authored-by: Claude"),
    ("Co-authored-by: *<cursoragent@cursor.com>*", "Co-authored-by: cursoragent@cursor.com"),
)
_BUILTIN_COMMIT_AUTHORS = (
    ("*cursoragent@cursor.com*", "cursoragent@cursor.com"),
    *((f"{login}*", login) for login in _BUILTIN_LOGINS if login.endswith("[bot]")),
)

#: Automation bots that are not AI agents: a wildcard never makes them one (only an
#: exact login in the policy's ``agents.logins`` can).
NON_AGENT_BOTS = ("dependabot[bot]", "renovate[bot]", "github-actions[bot]")


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    body = re.escape(" ".join(pattern.split())).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body + r"\Z", re.IGNORECASE | re.DOTALL)


def _matches(value: str, pattern: str) -> bool:
    return _wildcard(pattern).match(" ".join(value.split())) is not None


def _first(values: Iterable[str], patterns: Iterable[tuple[str, str]]) -> str:
    """The report text of the first pattern that matches any value, else ""."""
    values = tuple(v for v in values if v)
    for pattern, shown in patterns:
        if any(_matches(v, pattern) for v in values):
            return shown
    return ""


def _login_signal(login: str, extra: Iterable[str], builtin: bool) -> str:
    if not login:
        return ""
    for pattern in extra:
        wild = "*" in pattern or "?" in pattern
        if wild and login.lower() in NON_AGENT_BOTS:
            continue
        if _matches(login, pattern):
            return f"login {login}"
    if builtin and _first([login], ((p, p) for p in _BUILTIN_LOGINS)):
        return f"login {login}"
    return ""


def _branch_signal(head_ref: str, extra: Iterable[str], builtin: bool) -> str:
    branch = head_ref.removeprefix("refs/heads/")
    if not branch:
        return ""
    for pattern in extra:
        if _matches(branch, pattern):
            return f"branch {pattern}"
    for prefix in _BUILTIN_BRANCHES if builtin else ():
        if branch.startswith(prefix):
            return f"branch prefix {prefix}"
    return ""


def _commit_signal(pr: PullRequest, extra: Iterable[str], builtin: bool) -> str:
    own = tuple((t, t) for t in extra)
    found = _first(pr.commit_trailers, (*own, *(_BUILTIN_TRAILERS if builtin else ())))
    if found:
        return f"trailer {found}"
    found = _first(pr.commit_authors, _BUILTIN_COMMIT_AUTHORS if builtin else ())
    return f"commit author {found}" if found else ""


def detect_agent(pr: PullRequest, rules: AgentRules | None = None) -> str:
    """Which signal marks ``pr`` as written by an AI agent, or "" for a human's PR.

    Signals are tried in a fixed order (login, branch, commit trailer, commit author,
    label, body marker); the policy's own ``agents:`` patterns are tried before the
    built-in ones of each kind (unless the policy turns those off). Returns e.g.
    ``"login Copilot"``, ``"branch prefix claude/"`` or ``"trailer Co-authored-by: Claude"``.
    Dependabot, Renovate and GitHub Actions are bots, not agents.
    """
    builtin = rules.builtin if rules else True
    signal = (
        _login_signal(pr.author, rules.logins if rules else (), builtin)
        or _branch_signal(pr.head_ref, rules.branches if rules else (), builtin)
        or _commit_signal(pr, rules.trailers if rules else (), builtin)
    )
    if signal or rules is None:
        return signal
    found = _first(pr.labels, ((p, p) for p in rules.labels))
    if found:
        return f"label {found}"
    body = " ".join(pr.body.split())
    for marker in rules.body_markers:
        if _wildcard("*" + marker + "*").match(body):
            return f"body marker {marker}"
    return ""


#: review states that decide (a later COMMENTED review does not undo an approval)
_DECISIVE = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})
#: a GitHub noreply address names the account: "<123+login@users.noreply.github.com>"
_NOREPLY = re.compile(r"<(?:\d+\+)?([A-Za-z0-9-]+(?:\[bot\])?)@users\.noreply\.github\.com>")


def approving_humans(pr: PullRequest, head: str = "", allowed: Iterable[str] = ()) -> list[str]:
    """Logins whose latest decisive review approves the head commit and who may approve.

    ``allowed`` lists logins and ``@org/team`` entries; when it is not empty, only a listed
    login or a member of a listed team (as resolved in ``pr.team_members``) counts.
    """
    head_sha = pr.head_sha or head
    allowed = tuple(allowed)
    logins, teams = split_approvers(allowed)
    # a team that could not be read adds nobody: its members' approvals do not count
    allowed_set = set(logins).union(*(pr.members_of(t) or () for t in teams))
    excluded = {pr.author.lower(), *contributors(pr)}
    latest: dict[str, Review] = {}
    for review in sorted(pr.reviews, key=lambda r: r.submitted_at):
        if review.state in _DECISIVE:
            latest[review.login.lower()] = review
    return sorted(
        review.login
        for login, review in latest.items()
        if review.state == "APPROVED"
        and not review.is_bot
        and not login.endswith("[bot]")
        and login not in excluded
        and bool(head_sha)
        and review.commit_id == head_sha
        and (not allowed or login in allowed_set)
    )


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
