"""One run of the gate, end to end: ChangeSet, policy at base, checks, verdict.

The CLI, the GitHub Action and the demo all call :func:`run_gate`; it does no output.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.git import FETCH_HINT, commit_messages
from gatekeeper.changes.pullrequest import PullRequest, split_approvers, with_commits
from gatekeeper.changes.trees import WorktreeTree
from gatekeeper.engine import EngineOptions, run_checks
from gatekeeper.errors import GitError, PolicyError, UsageError
from gatekeeper.model import Verdict
from gatekeeper.plugins import Registry, discover
from gatekeeper.policy.central import CentralPolicies, PolicyRepos
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
    #: a policy file instead of DEFAULT_POLICY_PATH: inside the repository it is read at
    #: ``policy_from`` like the default, outside it from disk
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
    #: where ``github:`` names in ``extends`` are read (the action: the contents API with
    #: its token; the CLI: ``--policy-repo`` checkouts); None: such a name is an error
    policy_repos: PolicyRepos | None = field(default=None, compare=False)
    #: what to do when a policy names one and ``policy_repos`` is None
    policy_repos_missing: str = ""


@dataclass(frozen=True)
class Prepared:
    """Everything resolved before checks run (also what ``policy show`` prints)."""

    changes: ChangeSet
    registry: Registry
    policy: Policy
    pr: PullRequest
    policy_files: tuple[str, ...]
    #: what the verdict must say besides the checks (nothing was compared; what safe mode
    #: switched off)
    notes: tuple[str, ...] = ()


def repo_relative(file: str, root: Path) -> str | None:
    """``file`` (absolute, or relative to the working directory) as a path inside the
    repository at ``root``, or None when it lies outside.

    Decided on the path as written, from the top down: the first ancestor that *is* the
    repository's root starts the repository path. A symlink the pull request plants inside
    the repository therefore cannot move a policy path out of the repository (where it
    would be read from disk, i.e. from the PR's own files), nor into it.
    """
    full = Path(os.path.abspath(file))
    real_root = os.path.realpath(root)
    parts = full.parts
    for end in range(1, len(parts)):
        if os.path.realpath(Path(*parts[:end])) == real_root:
            return "/".join(parts[end:])
    return None


def _read_at(changes: ChangeSet, policy_from: str, path: str) -> tuple[str | None, str]:
    """A repository file's text where the policy is read from, and that place's name."""
    if policy_from == "base":
        data = changes.bytes_at_base(path)
        where = f"{path} (at base {changes.base[:12]})"
    elif policy_from == "head":
        data = changes.bytes_at_head(path)
        where = f"{path} (at head)"
    else:
        data = WorktreeTree(changes.root).read(path)
        where = f"{path} (working tree)"
    if data is None:
        return None, where
    try:
        return data.decode("utf-8"), where
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{where}: the policy is not UTF-8 text ({exc.reason})") from None


def _policy_reader(opts: GateOptions, changes: ChangeSet) -> Callable[[str], str | None]:
    """Reads files the policy names (extends, plugins) from where the policy comes from."""
    return lambda path: _read_at(changes, opts.policy_from, path)[0]


def policy_repo_path(opts: GateOptions, changes: ChangeSet) -> str | None:
    """The policy's path in the repository (None: a file outside it, read from disk)."""
    if not opts.policy_file:
        return DEFAULT_POLICY_PATH
    return repo_relative(opts.policy_file, changes.root)


def read_policy_text(opts: GateOptions, changes: ChangeSet) -> tuple[str | None, str]:
    """The policy's text and a source name for messages (None text: the embedded default).

    A policy inside the repository (``.github/gatekeeper.yml``, or ``--policy FILE`` when
    FILE lies in the repository) is read at ``policy_from``, by default the base commit:
    the working tree holds the pull request's own version. Only a file outside the
    repository is read from disk.
    """
    if opts.policy_from not in POLICY_FROM:
        raise UsageError(f"--policy-from must be one of {', '.join(POLICY_FROM)}")
    rel = policy_repo_path(opts, changes)
    if rel is None:
        assert opts.policy_file is not None
        return _read_outside(opts.policy_file), opts.policy_file
    text, where = _read_at(changes, opts.policy_from, rel)
    if text is not None:
        return text, where
    if opts.policy_file:
        raise PolicyError(
            f"{opts.policy_file}: no such policy file: {where} does not exist. A policy in"
            " the repository is read where --policy-from says (the base commit by default),"
            " never from the pull request's working tree"
        )
    return None, "built-in default (extends: [recommended])"


def _read_outside(file: str) -> str:
    path = Path(file)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{file}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{file}: cannot read the policy: {exc}") from None


def prepare(opts: GateOptions) -> Prepared:
    """Build the ChangeSet, load checks and the policy; raises GatekeeperError on bad input."""
    from gatekeeper.changes.build import changeset_from_git

    changes = changeset_from_git(opts.root, opts.base, opts.head, mode=opts.mode)
    try:
        return _prepare(opts, changes)
    except BaseException:
        changes.close()  # its git process must not outlive a policy error
        raise


def nothing_compared(opts: GateOptions, changes: ChangeSet) -> tuple[str, ...]:
    """A note when base and head are the same commit, so no check had anything to judge.

    For a pull request that is an error, not a note: a PR always changes something, so
    the base was resolved wrongly (a single-branch or shallow clone), and "met" would be
    a verdict on nothing.
    """
    if opts.mode != "commits" or changes.base != changes.head:
        return ()
    where = f"base and head are the same commit ({changes.head[:12]})"
    if opts.pr.number is not None:
        raise GitError(
            f"{where}: pull request #{opts.pr.number} would be judged on an empty change. "
            "Pass the base explicitly (the action takes it from the event), and make sure "
            f"the clone holds the base branch. {FETCH_HINT}"
        )
    return (
        f"Nothing was compared: {where}, so every check had an empty change to judge. "
        "Pass --base with the branch this change will merge into.",
    )


def _with_local_commits(opts: GateOptions, changes: ChangeSet) -> PullRequest:
    """The PR with its commits' trailers and authors read from git when nobody supplied
    them (a local run; the action reads them from the API), so agent signals in commit
    messages count the same locally as in CI."""
    pr = opts.pr
    if opts.mode != "commits" or pr.commit_trailers or pr.commit_authors:
        return pr
    return with_commits(pr, commit_messages(changes.root, changes.base, changes.head))


def _prepare(opts: GateOptions, changes: ChangeSet) -> Prepared:
    from gatekeeper.policy.agents import detect_agent
    from gatekeeper.policy.load import load_policy, peek_plugins

    notes = nothing_compared(opts, changes)
    policy_path = policy_repo_path(opts, changes)
    if opts.safe and (opts.policy_from != "base" or policy_path is None):
        raise UsageError(
            "safe mode (pull_request_target) reads the policy at the base commit only: "
            "drop the policy-from option, and name a policy file inside the repository"
        )
    text, source = read_policy_text(opts, changes)
    read = _policy_reader(opts, changes)
    extended: list[str] = []

    def read_extended(path: str) -> str | None:
        extended.append(path)
        return read(path)

    # one reader for both passes: a tag resolves once, so both read the same commit
    central = CentralPolicies(opts.policy_repos, opts.policy_repos_missing)
    # plugins: may come from an extended file, so peeking needs the same reader
    plugins = (
        peek_plugins(text, source, read_file=read_extended, central=central)
        if text is not None
        else ()
    )
    registry = discover({p: read(p) for p in plugins})
    given = _with_local_commits(opts, changes)
    policy = load_policy(
        text,
        source=source,
        checks=registry.classes(),
        pr=given,
        changed_paths=[f.path for f in changes],
        read_file=read_extended,
        central=central,
    )
    notes = (*notes, *central_notes(policy))
    if opts.safe:
        policy, safe_notes = safe_policy(policy, registry)
        notes = (*notes, *safe_notes)
    pr = replace(given, agent_signal=policy.agent_signal or detect_agent(given, policy.agents))
    if opts.enrich_pr is not None:
        pr = opts.enrich_pr(policy, pr)
    own = (policy_path,) if policy_path is not None else ()
    files = (*own, *plugins, *sorted(set(extended)))
    return Prepared(changes, registry, policy, pr, files, notes)


def central_notes(policy: Policy) -> tuple[str, ...]:
    """One note per file read from another repository: the verdict says which commit of
    the central policy judged this change (a tag can move; the commit cannot)."""
    return tuple(
        f"Central policy {f.name} was read at commit {f.commit}"
        + (f" ({f.ref_kind} {f.ref})." if f.ref_kind != "commit" else ".")
        for f in policy.central
    )


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
        if all(_setting(cls, cp.config, k) == v for k, v in settings.items()):
            continue  # already static (e.g. openapi without `generate`): nothing to say
        checks[check_id] = replace(cp, config={**cp.config, **settings})
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(settings.items()))
        notes.append(f"{why}: the {check_id} check runs with {shown} (static checks only).")
    return replace(policy, checks=checks), tuple(notes)


def _setting(cls: type, config: Mapping[str, Any], key: str) -> Any:
    """A check's setting as it will run: the policy's value, else its schema's default."""
    if key in config:
        return config[key]
    schema = getattr(cls, "config_schema", {}) or {}
    props = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    entry = props.get(key) if isinstance(props, Mapping) else None
    return entry.get("default") if isinstance(entry, Mapping) else None


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
        verdict = replace(verdict, notes=(*prepared.notes, *verdict.notes))
    return verdict, prepared.policy
