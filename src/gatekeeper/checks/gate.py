"""The ``gate`` check: a change to the gate itself needs a human's approval.

The policy is read at the base commit, so a PR cannot weaken the gate that judges it;
but it can still change the policy for every later PR. Such a change (and a change to a
local check or to the workflow that runs the gate) blocks until a human approves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from gatekeeper.changes.globs import match_any
from gatekeeper.changes.pullrequest import approving_humans
from gatekeeper.checks.interface import BaseCheck, CheckContext, rule_catalog
from gatekeeper.model import Finding, Level, Rule

_APPROVE = (
    "A maintainer reviews the change to the gate and approves the pull request; the gate"
    " then passes on its next run (it re-runs on `pull_request_review`)."
)


class GateCheck(BaseCheck):
    """Changes to the policy, local checks or the gate's workflow need a human approval."""

    id: ClassVar[str] = "gate"
    title: ClassVar[str] = "Gate integrity"
    description: ClassVar[str] = __doc__ or ""
    rules: ClassVar[Any] = rule_catalog(
        Rule(
            "policy-changed",
            Level.ERROR,
            "The pull request changes the gate's policy",
            remedy=_APPROVE,
            description="The policy is read at base, so it does not apply to this PR, but it"
            " will judge every later one: a human must agree to the change.",
        ),
        Rule(
            "local-check-changed",
            Level.ERROR,
            "The pull request changes a repository-local check",
            remedy=_APPROVE,
            description="Local checks run as part of the gate; changing one changes the gate.",
        ),
        Rule(
            "workflow-changed",
            Level.ERROR,
            "The pull request changes a workflow that runs the gate",
            remedy=_APPROVE,
            description="A workflow edit can skip or weaken the gate on later pull requests.",
        ),
    )
    config_schema: ClassVar[Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "workflows": {
                "type": "array",
                "items": {"type": "string"},
                "default": [".github/workflows/*gatekeeper*", "action.yml"],
                "description": "Globs of workflow files that run the gate.",
            }
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Only when a file that defines the gate changed."""
        return any(True for _ in self._touched(ctx))

    def _touched(self, ctx: CheckContext) -> Iterator[tuple[str, str]]:
        # policy_files holds the policy, the files it extends and the local check modules
        gate_files = set(ctx.policy_files)
        workflows = tuple(ctx.config.get("workflows", ()))
        for f in ctx.changes:
            names = {f.path, f.old_path or f.path}
            hit = names & gate_files
            if hit:
                kind = "local-check-changed" if min(hit).endswith(".py") else "policy-changed"
                yield kind, f.path
            elif any(match_any(n, workflows) for n in names):
                yield "workflow-changed", f.path

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per changed gate file, unless a human already approved."""
        approvers = approving_humans(ctx.pr)
        if approvers:
            ctx.set_summary("change to the gate approved by " + ", ".join(approvers))
            return
        what = {
            "policy-changed": "the gate's policy",
            "local-check-changed": "a local check the gate runs",
            "workflow-changed": "a workflow that runs the gate",
        }
        for rule, path in self._touched(ctx):
            yield self.finding(
                rule,
                f"This pull request changes {what[rule]} ({path}); a human must approve it.",
                path=path,
                evidence=path,
            )
