"""The effective policy for one pull request, as the engine consumes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.model import DEFAULT_SEVERITY, Finding, Level, Severity, Waiver
from gatekeeper.policy.central import CentralFile
from gatekeeper.policy.origins import Lock, ValueOrigin
from gatekeeper.policy.yamlmarks import KeyPath

DEFAULT_POLICY_PATH = ".github/gatekeeper.yml"
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class CheckPolicy:
    """One check's block of the policy, validated and with defaults applied."""

    id: str
    enabled: bool = True
    #: the severity given to the check's error-level findings; warnings are capped by it
    severity: Severity = Severity.BLOCK
    #: per-rule severities, by rule id (without the check prefix); they win outright
    rules: Mapping[str, Severity] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    #: what a crash or a tool that cannot run does to the verdict
    on_error: Severity = Severity.BLOCK
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def severity_for(self, finding: Finding) -> Severity:
        """Map a finding's level to a severity under this block."""
        if finding.rule in self.rules:
            return self.rules[finding.rule]
        if finding.level is Level.ERROR:
            return self.severity
        default = DEFAULT_SEVERITY[finding.level]
        return default if default.rank <= self.severity.rank else self.severity


@dataclass(frozen=True)
class AgentRules:
    """Signals that mark a pull request as written by an AI agent (globs allowed)."""

    logins: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    trailers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    body_markers: tuple[str, ...] = ()
    #: also use the built-in signals (Copilot, Devin, Codex, Claude Code, Cursor, Jules, Sweep)
    builtin: bool = True
    #: "agent": a PR no signal marks is an agent's too, unless its author is in ``humans``
    default: str = "human"
    #: logins (case ignored) of the people whose PRs are theirs under ``default: agent``
    humans: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The policy in force for this pull request (presets merged, overrides applied)."""

    source: str
    digest: str
    checks: Mapping[str, CheckPolicy]
    waivers: tuple[Waiver, ...] = ()
    plugins: tuple[str, ...] = ()
    agents: AgentRules = AgentRules()
    #: the policy file's path in the repository (changes to it need a human's approval)
    path: str = DEFAULT_POLICY_PATH
    #: the merged document, for ``gatekeeper policy show``
    document: Mapping[str, Any] = field(default_factory=dict)
    #: how many annotations a publisher may post (GitHub caps what is useful)
    max_annotations: int = 200
    #: the agent-author signal that matched for this PR ("" for a human's PR)
    agent_signal: str = ""
    #: the overrides whose ``when`` matched this PR, by name or "overrides[i]", in order
    applied_overrides: tuple[str, ...] = ()
    #: the presets and local files merged under the policy file, in order
    layers: tuple[str, ...] = ()
    #: waivers whose expiry date had passed on the day the policy was loaded
    expired_waivers: tuple[Waiver, ...] = ()
    #: the files read from other repositories (``github:`` in extends), with their commits
    central: tuple[CentralFile, ...] = ()
    #: every ``locked:`` entry of the layers, in order
    locks: tuple[Lock, ...] = ()
    #: who set each value of ``document`` (for ``gatekeeper policy show``)
    origins: tuple[tuple[KeyPath, ValueOrigin], ...] = ()

    def check(self, check_id: str) -> CheckPolicy:
        """The block for ``check_id``; a check the policy does not mention is disabled."""
        return self.checks.get(check_id, CheckPolicy(id=check_id, enabled=False))
