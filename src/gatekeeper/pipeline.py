"""One run of the gate, end to end: ChangeSet, policy at base, checks, verdict.

The CLI, the GitHub Action and the demo all call :func:`run_gate`; it does no output.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.pullrequest import PullRequest, split_approvers
from gatekeeper.engine import EngineOptions, run_checks
from gatekeeper.errors import PolicyError, UsageError
from gatekeeper.model import Verdict
from gatekeeper.plugins import Registry, discover
from gatekeeper.policy.model import DEFAULT_POLICY_PATH, Policy
from gatekeeper.sandbox import forbidden

POLICY_FROM = ("base", "head", "worktree")


@dataclass(frozen=True)
class GateOptions:
    """What to judge and how; every field has the default a local run wants."""

    root: Path = Path(".")
    base: str | None = None
    head: str | None = None
    #: "commits" (base..head), "worktree" or "index" (for a pre-commit hook)
    mode: str = "commits"
    #: a policy file on disk; None reads DEFAULT_POLICY_PATH from ``policy_from``
    policy_file: str | None = None
    policy_from: str = "base"
    pr: PullRequest = field(default_factory=PullRequest)
    jobs: int | None = None
    #: a previous JSON report whose findings count as pre-existing
    baseline: Path | None = None
    #: never execute the PR's code (pull_request_target): policy and local checks from
    #: base only; a check that declares ``executes_pr_code`` is off or runs with its
    #: ``safe_settings``, and gatekeeper.sandbox refuses to start anything
    safe: bool = False
    #: called once with the loaded policy and the PR before any check runs, returning the
    #: PR enriched with what that policy needs from outside (the GitHub Action adds the
    #: members of the teams named in ``review.approvers``): checks never call GitHub,
    #: and the policy is loaded only once
    enrich_pr: Callable[[Policy, PullRequest], PullRequest] | None = field(
        default=None, compare=False
    )


@dataclass(frozen=True)
class Prepared:
    """Everything resolved before checks run (also what ``policy show`` prints)."""

    changes: ChangeSet
    registry: Registry
    policy: Policy
    pr: PullRequest
    policy_files: tuple[str, ...]
    #: what safe mode changed, for the verdict's notes
    notes: tuple[str, ...] = ()


def read_policy_text(opts: GateOptions, changes: ChangeSet) -> tuple[str | None, str]:
    """The policy's text and a source name for messages (None text: the embedded default)."""
    if opts.policy_from not in POLICY_FROM:
        raise UsageError(f"--policy-from must be one of {', '.join(POLICY_FROM)}")
    if opts.policy_file:
        path = Path(opts.policy_file)
        if not path.is_absolute():
            path = Path.cwd() / path
        try:
            return path.read_text(encoding="utf-8"), opts.policy_file
        except FileNotFoundError:
            raise PolicyError(f"{opts.policy_file}: no such policy file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"{opts.policy_file}: cannot read the policy: {exc}") from None
    if opts.policy_from == "base":
        text = changes.text_at_base(DEFAULT_POLICY_PATH)
        where = f"{DEFAULT_POLICY_PATH} (at base {changes.base[:12]})"
    elif opts.policy_from == "head":
        text = changes.text_at_head(DEFAULT_POLICY_PATH)
        where = f"{DEFAULT_POLICY_PATH} (at head)"
    else:
        disk = changes.root / DEFAULT_POLICY_PATH
        text = disk.read_text(encoding="utf-8") if disk.is_file() else None
        where = f"{DEFAULT_POLICY_PATH} (working tree)"
    if text is None:
        return None, "built-in default (extends: [recommended])"
    return text, where


def prepare(opts: GateOptions) -> Prepared:
    """Build the ChangeSet, load checks and the policy; raises GatekeeperError on bad input."""
    from gatekeeper.changes.build import changeset_from_git
    from gatekeeper.policy.agents import detect_agent
    from gatekeeper.policy.load import load_policy, peek_plugins

    if opts.safe and (opts.policy_from != "base" or opts.policy_file):
        raise UsageError(
            "safe mode (pull_request_target) reads the policy at the base commit only: "
            "drop the policy file and policy-from options"
        )
    changes = changeset_from_git(opts.root, opts.base, opts.head, mode=opts.mode)
    text, source = read_policy_text(opts, changes)
    plugin_paths = peek_plugins(text, source) if text is not None else ()
    read = changes.text_at_head if opts.policy_from == "head" else changes.text_at_base
    registry = discover({p: read(p) for p in plugin_paths})
    extended: list[str] = []

    def read_extended(path: str) -> str | None:
        extended.append(path)
        return read(path)

    policy = load_policy(
        text,
        source=source,
        checks=registry.classes(),
        pr=opts.pr,
        changed_paths=[f.path for f in changes],
        read_file=read_extended,
    )
    notes: tuple[str, ...] = ()
    if opts.safe:
        policy, notes = safe_policy(policy, registry)
    pr = replace(opts.pr, agent_signal=policy.agent_signal or detect_agent(opts.pr, policy.agents))
    if opts.enrich_pr is not None:
        pr = opts.enrich_pr(policy, pr)
    policy_path = DEFAULT_POLICY_PATH
    if opts.policy_file:
        candidate = Path(opts.policy_file).resolve()
        if candidate.is_relative_to(changes.root.resolve()):
            policy_path = candidate.relative_to(changes.root.resolve()).as_posix()
    policy_files = (policy_path, *plugin_paths, *sorted(set(extended)))
    return Prepared(changes, registry, policy, pr, policy_files, notes)


def approver_teams(policy: Policy) -> tuple[str, ...]:
    """The teams (``org/slug``, lowercased) the effective policy names in review.approvers."""
    review = policy.check("review")
    if not review.enabled:
        return ()
    return split_approvers(review.config.get("approvers", ()))[1]


def safe_policy(policy: Policy, registry: Registry) -> tuple[Policy, tuple[str, ...]]:
    """The policy with no check that runs PR code: each enabled check declaring
    ``executes_pr_code`` is turned off, or set to its ``safe_settings``; and a note for
    each, so the report says what was not run and why."""
    checks = dict(policy.checks)
    notes = []
    why = "Safe mode (pull_request_target): the pull request's code is never run"
    for check_id, cls in registry.classes().items():
        cp = policy.check(check_id)
        if not cp.enabled or not getattr(cls, "executes_pr_code", False):
            continue
        settings = getattr(cls, "safe_settings", None)
        if settings is None:
            checks[check_id] = replace(cp, enabled=False)
            notes.append(f"{why}: the {check_id} check is off.")
            continue
        checks[check_id] = replace(cp, config={**cp.config, **settings})
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(settings.items()))
        notes.append(f"{why}: the {check_id} check runs with {shown} (static checks only).")
    return replace(policy, checks=checks), tuple(notes)


def read_baseline(path: Path | None) -> Mapping[str, int]:
    """Fingerprint counts from a previous JSON report (``gatekeeper.report/v1``)."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        counts: dict[str, int] = {}
        for outcome in data["outcomes"]:
            for f in outcome["findings"]:
                counts[f["fingerprint"]] = counts.get(f["fingerprint"], 0) + 1
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"--baseline {path}: not a gatekeeper JSON report ({type(exc).__name__}: {exc})"
        ) from None
    return counts


def run_gate(opts: GateOptions) -> Verdict:
    """Judge the change described by ``opts`` and return the Verdict."""
    return judge(opts)[0]


def judge(opts: GateOptions) -> tuple[Verdict, Policy]:
    """The Verdict and the policy it was judged under (publishers read settings from it)."""
    baseline = read_baseline(opts.baseline)
    prepared = prepare(opts)
    options = EngineOptions(
        jobs=opts.jobs or 0,
        baseline=baseline,
        policy_files=prepared.policy_files,
    )
    refuse = forbidden("pull_request_target never runs the PR's code") if opts.safe else None
    with prepared.changes, refuse or contextlib.nullcontext():
        verdict = run_checks(
            prepared.registry, prepared.policy, prepared.changes, prepared.pr, options
        )
    if prepared.notes:
        verdict = replace(verdict, notes=(*verdict.notes, *prepared.notes))
    return verdict, prepared.policy
