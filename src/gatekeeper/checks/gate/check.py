"""The ``gate`` check: a change to the gate itself needs a human's approval.

The policy is read at the base commit, so a PR cannot weaken the gate that judges it;
but it can still change the policy for every later PR. Such a change blocks until a human
approves it, and so does a change to anything else that decides what the gate sees or
what stands in for its verdict: a local check, the workflow that runs the gate, any other
workflow (a job named like the required check, or one that posts check runs, turns a
merge green without the gate), ``.gitattributes``, ``CODEOWNERS``, the base-inputs folder
``.gatekeeper/`` and the pre-commit configuration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from gatekeeper.changes import ChangedFile, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.pullrequest import approving_humans
from gatekeeper.checks.gate.workflows import impersonation, runs_gate
from gatekeeper.checks.interface import BASE_INPUTS_DIR, BaseCheck, CheckContext, rule_catalog
from gatekeeper.model import Finding, Level, Rule

_APPROVE = (
    "A maintainer reviews the change to the gate and approves the pull request; the gate"
    " then passes on its next run (it re-runs on `pull_request_review`)."
)
#: where workflows and the local actions they use live (GitHub reads no other place)
CI_FOLDERS = (".github/workflows/", ".github/actions/")
#: the three places GitHub looks for a CODEOWNERS file
CODEOWNERS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
#: paths that steer the gate: its base-inputs folder and the hooks that run it locally
PROTECTED = (f"{BASE_INPUTS_DIR.split('/')[0]}/**", ".pre-commit-config.yaml")


def _rule(rule_id: str, summary: str, description: str) -> Rule:
    return Rule(rule_id, Level.ERROR, summary, remedy=_APPROVE, description=description)


_RULES = (
    _rule(
        "policy-changed",
        "The pull request changes the gate's policy",
        "The policy is read at base, so it does not apply to this PR, but it"
        " will judge every later one: a human must agree to the change.",
    ),
    _rule(
        "local-check-changed",
        "The pull request changes a repository-local check",
        "Local checks run as part of the gate; changing one changes the gate.",
    ),
    _rule(
        "workflow-changed",
        "The pull request changes a workflow that runs the gate",
        "A workflow edit can skip or weaken the gate on later pull requests (triggers,"
        " paths-ignore, an `if:`, the step itself).",
    ),
    _rule(
        "check-impersonation",
        "A workflow could put a check named like the gate's on the pull request",
        "Branch protection accepts any check run of the required name on the head"
        " commit: a job named like it that runs `exit 0`, or a step that posts a check"
        " run or commit status, turns the merge green without the gate.",
    ),
    _rule(
        "ci-changed",
        "The pull request changes a CI workflow or a local action",
        "Any workflow job can report a check under any name with the token it is given,"
        " or stop running a required job: CI changes need a human.",
    ),
    _rule(
        "attributes-changed",
        "The pull request changes .gitattributes",
        "Attributes decide how git and other tools read files (binary, diff and merge"
        " drivers, filters, eol). The gate reads the diff with the PR's attributes"
        " ignored, but after the merge they apply to every later pull request.",
    ),
    _rule(
        "codeowners-changed",
        "The pull request changes CODEOWNERS",
        "CODEOWNERS decides whose review branch protection requires; a PR must not"
        " choose its own reviewers.",
    ),
    _rule(
        "protected-path-changed",
        "The pull request changes a file that steers the gate",
        "The base-inputs folder (.gatekeeper/) holds the base commit's figures the gate"
        " compares with; .pre-commit-config.yaml decides what runs before a push; the"
        " policy can name more paths in `protected`.",
    ),
)

_WHAT = {
    "policy-changed": "the gate's policy",
    "local-check-changed": "a local check the gate runs",
    "workflow-changed": "a workflow that runs the gate",
    "check-impersonation": "a workflow that could stand in for the gate's check",
    "ci-changed": "a CI workflow or local action",
    "attributes-changed": "git attributes, which change how files are read",
    "codeowners-changed": "CODEOWNERS, which decides whose review is required",
    "protected-path-changed": "a file that steers the gate",
}


class GateCheck(BaseCheck):
    """Changes to the gate, to CI, or to what steers either need a human's approval."""

    id: ClassVar[str] = "gate"
    title: ClassVar[str] = "Gate integrity"
    description: ClassVar[str] = __doc__ or ""
    rules: ClassVar[Any] = rule_catalog(*_RULES)
    config_schema: ClassVar[Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "workflows": {
                "type": "array",
                "items": {"type": "string"},
                "default": [".github/workflows/*gatekeeper*", "action.yml"],
                "description": "Globs of workflow files that run the gate (a workflow whose"
                " text mentions gatekeeper counts too).",
            },
            "required_checks": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": ["gatekeeper"],
                "description": "Names of the checks branch protection requires (the"
                " action's check-name); a workflow job named like one is impersonation.",
            },
            "protected": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": [],
                "description": "More path globs whose change needs a human's approval.",
            },
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Only when a file that defines or steers the gate changed."""
        return any(True for _ in self._touched(ctx))

    def _touched(self, ctx: CheckContext) -> Iterator[tuple[str, str, str]]:
        """(rule, path, reason) for each changed file that touches the gate."""
        # policy_files holds the policy, the files it extends and the local check modules
        gate_files = set(ctx.policy_files)
        workflows = tuple(ctx.config.get("workflows", ()))
        protected = (*PROTECTED, *ctx.config.get("protected", ()))
        for f in ctx.changes:
            names = {f.path, f.old_path or f.path}
            hit = names & gate_files
            if hit:
                kind = "local-check-changed" if min(hit).endswith(".py") else "policy-changed"
                yield kind, f.path, ""
            elif any(_in_ci(n) or match_any(n, workflows) for n in names):
                yield self._workflow(ctx, f, workflows)
            elif any(n.rsplit("/", 1)[-1] == ".gitattributes" for n in names):
                yield "attributes-changed", f.path, ""
            elif any(n.casefold() in _CODEOWNERS_FOLDED for n in names):
                yield "codeowners-changed", f.path, ""
            elif any(match_any(n, protected) for n in names):
                yield "protected-path-changed", f.path, ""

    def _workflow(
        self, ctx: CheckContext, f: ChangedFile, workflows: tuple[str, ...]
    ) -> tuple[str, str, str]:
        """The rule for a changed workflow: impersonation, the gate's own, or any CI."""
        head = None if f.status is FileStatus.DELETED else ctx.changes.text_at_head(f.path)
        base = ctx.changes.text_at_base(f.old_path or f.path)
        reasons = impersonation(head, ctx.config.get("required_checks", ("gatekeeper",)))
        if reasons:
            return "check-impersonation", f.path, "; ".join(reasons)
        names = {f.path, f.old_path or f.path}
        if any(match_any(n, workflows) for n in names) or runs_gate(base) or runs_gate(head):
            return "workflow-changed", f.path, ""
        if head is None and f.status is not FileStatus.DELETED:
            return "ci-changed", f.path, "it could not be read as text"
        return "ci-changed", f.path, ""

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per changed gate file, unless a human already approved."""
        approvers = approving_humans(ctx.pr)
        if approvers:
            ctx.set_summary("change to the gate approved by " + ", ".join(approvers))
            return
        for rule, path, reason in self._touched(ctx):
            why = f": {reason}" if reason else ""
            yield self.finding(
                rule,
                f"This pull request changes {_WHAT[rule]} ({path}){why}; a human must approve it.",
                path=path,
                evidence=path,
            )


_CODEOWNERS_FOLDED = frozenset(p.casefold() for p in CODEOWNERS)


def _in_ci(path: str) -> bool:
    return path.casefold().startswith(CI_FOLDERS)
