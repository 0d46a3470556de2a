"""The ``review`` check: some changes need a human's approval before they merge.

Which changes: paths the policy marks sensitive, any PR by an AI agent (or every PR,
with ``all``), and, with ``gate: true``, changes to the gate itself (its policy, local
checks, the workflows that run it; the ``gate`` check blocks those already, this adds a
count of approvals and named approvers).

Which approvals count: an ``APPROVED`` review that is the reviewer's latest word, from a
human (not a bot, not the PR's author, not a commit author or co-author such as the
person who launched the agent), on the PR's current head commit (an approval of an
older push does not cover what came after), optionally from a list of approvers: logins
and ``@org/team`` entries. Reviews come from ``ctx.pr.reviews`` and team members from
``ctx.pr.team_members``, both filled from the GitHub API by the action before the checks
run (a check never calls GitHub); without GitHub (a local run) the approval is reported
as pending. A team the action could not read adds nobody (fail closed) and the finding
says which permission the token lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from gatekeeper.changes import ChangedFile
from gatekeeper.changes.pullrequest import (
    PullRequest,
    approving_humans,
    split_approvers,
    untrusted_approvals,
)
from gatekeeper.checks.gate.check import CODEOWNERS, PROTECTED
from gatekeeper.checks.interface import BaseCheck, CheckContext, rule_catalog
from gatekeeper.model import Finding, Level, Rule

#: the gate's own configuration: a PR must not be able to weaken what judges it
GATE_PATHS = (
    ".github/gatekeeper.yml",
    ".github/gatekeeper.yaml",
    ".github/gatekeeper/**",
    ".github/workflows/**",
    ".gatekeeper/**",
    "checks/**",
    # how git reads the diff, whose review branch protection requires, and the paths the
    # gate check guards (its base inputs, the pre-commit hooks): the same lists it uses
    ".gitattributes",
    "**/.gitattributes",
    *CODEOWNERS,
    *PROTECTED,
)
#: how many paths a message names before "and N more"
_MAX_LISTED = 5
#: what a token needs to list a team's members; the default GITHUB_TOKEN has neither
TEAM_PERMISSION = (
    "the action's token needs read:org (a personal access token with read:org, or a "
    "GitHub App token with the organization permission Members: read), given through "
    "the token input"
)


class ReviewCheck(BaseCheck):
    """Require approving reviews from humans for sensitive, gate-changing or agent PRs."""

    id: ClassVar[str] = "review"
    title: ClassVar[str] = "Human review"
    description: ClassVar[str] = (
        "Sensitive paths and agent-authored pull requests (and, if asked, changes to the "
        "gate itself) need approving reviews from humans on the latest push."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            "sensitive-path-unapproved",
            Level.ERROR,
            "A path the policy marks sensitive changed without enough human approvals.",
            "Ask a reviewer (not the author) to approve the latest push; the gate re-runs "
            "when the review is submitted.",
            description="Paths listed under `checks.review.sensitive` (authentication, payments, "
            "migrations...) need the number of approvals in `checks.review.approvals`. Only the "
            "latest word of each human reviewer counts, and only on the head commit, so "
            "a push after the approval needs a new one.",
        ),
        Rule(
            "gate-config-unapproved",
            Level.ERROR,
            "The gate's policy, local checks, workflows, git attributes or CODEOWNERS changed "
            "without enough human approvals.",
            "A maintainer (or one of `checks.review.approvers`) approves the latest push.",
            description="Off by default (the `gate` check blocks these changes already); "
            "with `checks.review.gate: true` they also need `checks.review.approvals` approvals, "
            "from `checks.review.approvers` when that list is set.",
        ),
        Rule(
            "agent-pr-unapproved",
            Level.ERROR,
            "A pull request written by an AI agent lacks enough human approvals.",
            "Have a human who did not launch the agent review and approve the latest push.",
            description="Agent-authored pull requests (see the policy's `agents:` signals) "
            "need human approval; `checks.review.all: true` asks the same of every pull request. "
            "Whoever a commit credits as author or co-author cannot approve.",
        ),
        Rule(
            "approval-pending",
            Level.WARNING,
            "Approval is required but reviews are only known on GitHub.",
            "Open the pull request; the gate re-runs when a review is submitted.",
            description="A local run cannot see reviews, so it warns where CI would block "
            "until the approvals arrive.",
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "sensitive": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Path globs whose changes need approval.",
            },
            "approvals": {
                "type": "integer",
                "minimum": 1,
                "default": 1,
                "description": "How many human approvals are needed.",
            },
            "gate": {
                "type": "boolean",
                "default": False,
                "description": "Changes to the gate's policy, local checks and workflows "
                "need approval here too (the `gate` check already blocks them; turn this "
                "on to require a count of approvals or named approvers).",
            },
            "gate_paths": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Extra paths that count as the gate's own.",
            },
            "agent": {
                "type": "boolean",
                "default": True,
                "description": "Pull requests by AI agents need approval.",
            },
            "all": {
                "type": "boolean",
                "default": False,
                "description": "Every pull request needs approval.",
            },
            "approvers": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": [],
                "description": "Only approvals from these count: logins (`alice`) and teams "
                "(`@my-org/api-leads`, whose members the GitHub Action reads with a token "
                "that has read:org; a team it cannot read adds nobody); empty: any human.",
            },
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        return len(ctx.changes) > 0

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        needs = list(self._needs(ctx))
        if not needs:
            return []
        wanted = int(ctx.config.get("approvals", 1))
        allowed = tuple(ctx.config.get("approvers", ()))
        teams = split_approvers(allowed)[1]
        if ctx.pr.number is None:
            rule, paths, why = needs[0]
            local = "; ".join(f"team @{t} is resolved only on GitHub" for t in teams)
            return [
                self.finding(
                    "approval-pending",
                    f"{why} needs {_approvals(wanted)} from a human; reviews are only known on "
                    "GitHub, so this stays pending locally" + (f" ({local})" if local else ""),
                    path=paths[0] if paths else None,
                    evidence=rule,
                )
            ]
        approvers = approving_humans(ctx.pr, ctx.changes.head, allowed)
        if len(approvers) >= wanted:
            ctx.set_summary(f"approved by {', '.join(approvers)}")
            return []
        have = f"has {len(approvers)}" + (f" ({', '.join(approvers)})" if approvers else "")
        have += "".join(f"; {note}" for note in _team_notes(ctx.pr, teams))
        if not allowed:
            have += _untrusted_note(untrusted_approvals(ctx.pr, ctx.changes.head))
        return [
            self.finding(
                rule,
                f"{why} needs {_approvals(wanted)} from a human on the latest push; {have}",
                path=paths[0] if paths else None,
                evidence=rule,
            )
            for rule, paths, why in needs
        ]

    def _needs(self, ctx: CheckContext) -> Iterator[tuple[str, list[str], str]]:
        """(rule, paths, reason) for every reason this PR needs approval."""
        config = ctx.config
        sensitive = _paths(ctx.changes.matching(config.get("sensitive", ())))
        if sensitive:
            yield "sensitive-path-unapproved", sensitive, f"changing {_listed(sensitive)}"
        if config.get("gate", False):
            gate = _paths(ctx.changes.matching((*GATE_PATHS, *config.get("gate_paths", ()))))
            if gate:
                yield "gate-config-unapproved", gate, f"changing the gate itself ({_listed(gate)})"
        if (config.get("agent", True) and ctx.pr.is_agent) or config.get("all", False):
            who = (
                f"an agent's pull request ({ctx.pr.agent_signal})"
                if ctx.pr.is_agent
                else ("every pull request")
            )
            yield "agent-pr-unapproved", [], who


def _untrusted_note(reviewers: list[str]) -> str:
    """Why approvals from people without rights to the repository were not counted."""
    if not reviewers:
        return ""
    return (
        f"; not counted: {', '.join(reviewers)}, not an owner, member or collaborator of "
        "the repository (GitHub shows organization members whose membership is private "
        "this way to the action's token: list them in checks.review.approvers)"
    )


def _team_notes(pr: PullRequest, teams: Iterable[str]) -> list[str]:
    """Why each listed team whose members are unknown adds no approver (fail closed)."""
    notes = []
    for team in teams:
        if pr.members_of(team) is not None:
            continue
        reason = pr.team_error(team)
        if reason:
            notes.append(
                f"team @{team} could not be read ({reason}), so its members' approvals do "
                f"not count: {TEAM_PERMISSION}"
            )
        else:
            notes.append(
                f"team @{team} was not resolved (only the GitHub Action, with a token that "
                "can read the organization's teams, resolves it), so its members' approvals "
                "do not count"
            )
    return notes


def _paths(files: Iterable[ChangedFile]) -> list[str]:
    return sorted(f.path for f in files)


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:_MAX_LISTED])
    return shown + (f" and {len(paths) - _MAX_LISTED} more" if len(paths) > _MAX_LISTED else "")


def _approvals(n: int) -> str:
    return "1 approving review" if n == 1 else f"{n} approving reviews"
