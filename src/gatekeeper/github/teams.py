"""Members of the teams a policy names as approvers, read before the checks run.

A policy may write ``review: {approvers: ["@my-org/api-leads", "alice"]}``. Checks never
call GitHub, so the action lists each named team's members here, once the policy has
been loaded, and hands them to the checks inside the :class:`PullRequest`. A team that
cannot be read is recorded with the reason, never skipped silently: the ``review`` check
then counts none of its members (fail closed) and says which permission is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from urllib.parse import quote

from gatekeeper.changes.pullrequest import PullRequest, team_key
from gatekeeper.github.client import GitHubClient, GitHubError
from gatekeeper.pipeline import approver_teams
from gatekeeper.policy.model import Policy

Members = tuple[tuple[str, tuple[str, ...]], ...]
Errors = tuple[tuple[str, str], ...]


def read_teams(
    client: GitHubClient, teams: Iterable[str], log: Callable[[str], None]
) -> tuple[Members, Errors]:
    """(members, errors) of ``teams`` (``org/slug``), each sorted by team name.

    ``GET /orgs/{org}/teams/{team_slug}/members`` lists direct and child-team members
    (GitHub's default ``role=all``); every page is read.
    """
    members: list[tuple[str, tuple[str, ...]]] = []
    errors: list[tuple[str, str]] = []
    for team in sorted({team_key(t) for t in teams}):
        org, _, slug = team.partition("/")
        if not org or not slug or "/" in slug:
            errors.append((team, "not a team name of the form @org/team-slug"))
            continue
        path = f"orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}/members"
        try:
            users = list(client.paginate(path))
        except GitHubError as exc:
            reason = _reason(exc)
            log(
                f"gatekeeper: could not read the members of team @{team} ({reason}); "
                "approvals from its members do not count. The token needs read:org."
            )
            errors.append((team, reason))
            continue
        logins = {str(u["login"]).lower() for u in users if isinstance(u, dict) and u.get("login")}
        members.append((team, tuple(sorted(logins))))
    return tuple(members), tuple(errors)


def _reason(exc: GitHubError) -> str:
    """A reason a person can act on; GitHub answers 404 for a team the token cannot see."""
    if exc.status == 404:
        return "HTTP 404: the team does not exist, or the token may not see it"
    if exc.status == 403:
        return "HTTP 403: the token may not read the organization's teams"
    return str(exc)


def team_resolver(
    client: GitHubClient, log: Callable[[str], None]
) -> Callable[[Policy, PullRequest], PullRequest]:
    """A :attr:`GateOptions.enrich_pr` hook adding the members of the policy's approver teams."""

    def enrich(policy: Policy, pr: PullRequest) -> PullRequest:
        teams = approver_teams(policy)
        if not teams or pr.number is None:
            return pr  # nothing to resolve, or no pull request whose reviews could count
        members, errors = read_teams(client, teams, log)
        return replace(pr, team_members=members, team_errors=errors)

    return enrich
