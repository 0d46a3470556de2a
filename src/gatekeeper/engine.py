"""Run the enabled checks and judge their findings into one Verdict.

Checks run in parallel threads, each under its own time limit. A check that raises,
or runs past its limit, becomes an ``error`` outcome carrying one ``check-error``
finding whose severity is the policy's ``on_error`` (block by default): the gate
fails closed. Nothing here prints or publishes.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.globs import match
from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.model import (
    CheckOutcome,
    Finding,
    Level,
    Location,
    Result,
    Rule,
    Severity,
    Status,
    Verdict,
    Waiver,
    fingerprint,
)
from gatekeeper.plugins import Registry
from gatekeeper.policy.model import CheckPolicy, Policy

CHECK_ERROR = Rule(
    "check-error",
    Level.ERROR,
    "The check could not run to completion",
    remedy="Read the reason, fix the input or install the missing tool, and run the gate again."
    " `on_error: warn` (for the check, or for one part such as"
    " `security.dependencies.on_error`) accepts a merge that part did not check; what the"
    " check did find still counts either way.",
    description="A check that crashes, times out or lacks its tool never passes silently:"
    " the gate fails closed and shows why. Findings made before the failure stand, and a"
    " part of a check that fails (one security part) fails alone.",
)


@dataclass
class _Run:
    """One check's execution state, shared with its worker thread."""

    check_id: str
    title: str
    ctx: CheckContext
    instance: Any
    findings: list[Finding] = field(default_factory=list)
    error: str = ""
    #: guards ``findings`` and ``error`` between the worker and an engine that gives up
    lock: threading.Lock = field(default_factory=threading.Lock)
    not_applicable: bool = False
    duration: float = 0.0
    done: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class EngineOptions:
    """How to run: parallelism, where scratch files go, what counts as pre-existing."""

    jobs: int = 0
    scratch_root: Path | None = None
    #: fingerprint -> count from a previous report (``--baseline``)
    baseline: Mapping[str, int] = field(default_factory=dict)
    policy_files: tuple[str, ...] = ()
    today: date | None = None


def default_jobs() -> int:
    """Parallel checks by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _scoped(changes: ChangeSet, cp: CheckPolicy) -> ChangeSet:
    """The ChangeSet restricted to the check's ``paths``/``exclude`` globs."""
    if not cp.paths and not cp.exclude:
        return changes
    kept = changes.matching(cp.paths or ("**",), cp.exclude)
    return replace(changes, files=kept)


def _judge_one(
    f: Finding, cp: CheckPolicy, remaining: dict[str, int], waivers: Iterable[Waiver], today: date
) -> Result:
    severity = cp.severity_for(f)
    pre_existing = remaining.get(f.fingerprint, 0) > 0
    if pre_existing:
        remaining[f.fingerprint] -= 1
    waiver = next((w for w in waivers if _waiver_covers(w, f) and not w.expired(today)), None)
    return Result(f, severity, pre_existing, waiver)


def _waiver_covers(w: Waiver, f: Finding) -> bool:
    if not match(f.qualified_rule, w.rule):
        return False
    if w.fingerprint and w.fingerprint != f.fingerprint:
        return False
    path = f.location.path if f.location else ""
    return w.path in ("", "**", "*") or (bool(path) and match(path, w.path))


def _sort_key(r: Result) -> tuple[Any, ...]:
    loc = r.finding.location or Location("")
    return (-r.severity.rank, loc.path, loc.start_line or 0, r.finding.rule, r.finding.message)


def _status(results: Iterable[Result]) -> Status:
    counted = [r for r in results if r.counts]
    if any(r.severity is Severity.BLOCK for r in counted):
        return Status.FAILED
    if any(r.severity is Severity.WARN for r in counted):
        return Status.WARNED
    return Status.PASSED


def _outcome(
    run: _Run, cp: CheckPolicy, options: EngineOptions, waivers: tuple[Waiver, ...], today: date
) -> CheckOutcome:
    remaining = dict(options.baseline)
    for fp, count in run.ctx.existing_at_base.items():
        remaining[fp] = remaining.get(fp, 0) + count
    judged = [_judge_one(f, cp, remaining, waivers, today) for f in run.findings]
    failed = _failures(run, cp)
    if failed:
        # what the check found before it failed still counts (a security check whose
        # dependency audit cannot reach OSV still reports the secret it found)
        parts = [p.part for p in run.ctx.part_failures]
        summary = "could not run" if run.error else f"{', '.join(parts)} could not run"
        if run.ctx.summary and not run.error:
            summary = f"{run.ctx.summary}; {summary}"
        return CheckOutcome(
            run.check_id,
            run.title,
            Status.ERROR,
            tuple(sorted([*failed, *judged], key=_sort_key)),
            summary=summary,
            details=tuple(run.ctx.details),
            duration=run.duration,
            error=run.error or "; ".join(f"{p.part}: {p.reason}" for p in run.ctx.part_failures),
        )
    if run.not_applicable:
        return CheckOutcome(
            run.check_id,
            run.title,
            Status.SKIPPED,
            summary=run.ctx.summary or "not applicable: nothing it checks changed",
            duration=run.duration,
        )
    results = sorted(judged, key=_sort_key)
    return CheckOutcome(
        run.check_id,
        run.title,
        _status(results),
        tuple(results),
        summary=run.ctx.summary,
        details=tuple(run.ctx.details),
        duration=run.duration,
    )


def _failures(run: _Run, cp: CheckPolicy) -> list[Result]:
    """A ``check-error`` result for a check that failed, and one per part that failed."""
    out = []
    if run.error:
        message = f"The {run.title} check could not run: {run.error}"
        out.append(Result(_check_error(run.check_id, message, ""), cp.on_error))
    for p in run.ctx.part_failures:
        message = f"The {run.title} check's {p.part} part could not run: {p.reason}"
        severity = Severity(p.on_error) if p.on_error else cp.on_error
        out.append(Result(_check_error(run.check_id, message, p.part), severity))
    return out


def _check_error(check_id: str, message: str, part: str) -> Finding:
    return Finding(
        check=check_id,
        rule=CHECK_ERROR.id,
        message=message,
        level=Level.ERROR,
        location=None,
        fingerprint=fingerprint(check_id, CHECK_ERROR.id, *((part,) if part else ())),
        remedy=CHECK_ERROR.remedy,
    )


def _local_check_id(path: str) -> str:
    """A check id ([a-z][a-z0-9-]*) standing for a local check file that failed to load."""
    return "local-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "check")


def _plugin_error_outcome(check_id: str, reason: str, cp: CheckPolicy) -> CheckOutcome:
    finding = _check_error(check_id, f"The check {check_id!r} is not available: {reason}", "")
    return CheckOutcome(
        check_id,
        check_id,
        Status.ERROR,
        (Result(finding, cp.on_error),),
        summary="not available",
        error=reason,
    )


def run_checks(
    registry: Registry,
    policy: Policy,
    changes: ChangeSet,
    pr: PullRequest,
    options: EngineOptions | None = None,
) -> Verdict:
    """Run every enabled check on ``changes`` and return the judged Verdict."""
    options = options or EngineOptions()
    today = options.today or date.today()
    with tempfile.TemporaryDirectory(
        prefix="gatekeeper-", dir=options.scratch_root, ignore_cleanup_errors=True
    ) as tmp:
        # PR code may run as another user (see gatekeeper.sandbox) in a folder under here:
        # it may pass through, not list what the other checks keep
        os.chmod(tmp, 0o711)
        outcomes: dict[str, CheckOutcome] = {}
        runs: list[tuple[_Run, CheckPolicy]] = []
        for check_id in sorted(set(policy.checks) | set(registry.checks)):
            cp = policy.check(check_id)
            if cp.enabled:
                started = _new_run(check_id, cp, registry, changes, pr, options, Path(tmp))
                if isinstance(started, _Run) and started.instance is not None:
                    runs.append((started, cp))
                else:
                    outcomes[check_id] = (
                        _outcome(started, cp, options, policy.waivers, today)
                        if isinstance(started, _Run)
                        else started
                    )
        outcomes.update(_required_local_failures(registry, policy, outcomes))
        _run_all(runs, options.jobs or default_jobs())
        for run, cp in runs:
            outcomes[run.check_id] = _outcome(run, cp, options, policy.waivers, today)
    ordered = tuple(outcomes[k] for k in sorted(outcomes))
    notes = tuple(f"Check not loaded: {failure}" for failure in registry.failures)
    return replace(_verdict(ordered, registry, policy, changes, pr, today), notes=notes)


def _new_run(
    check_id: str,
    cp: CheckPolicy,
    registry: Registry,
    changes: ChangeSet,
    pr: PullRequest,
    options: EngineOptions,
    scratch_root: Path,
) -> _Run | CheckOutcome:
    """A run ready to start, a run that failed to start, or the outcome of a missing check."""
    loaded = registry.checks.get(check_id)
    if loaded is None:
        failure = registry.failure_for(check_id)
        reason = failure.reason if failure else "no installed check has this id"
        return _plugin_error_outcome(check_id, reason, cp)
    scratch = scratch_root / check_id
    scratch.mkdir()
    ctx = CheckContext(
        changes=_scoped(changes, cp),
        pr=pr,
        config=dict(cp.config),
        scratch=scratch,
        deadline=cp.timeout,
        paths=cp.paths,
        exclude=cp.exclude,
        policy_files=options.policy_files,
    )
    run = _Run(check_id, str(loaded.cls.title), ctx, None)
    try:
        run.instance = loaded.cls()
    except Exception as exc:  # a plugin's constructor can raise anything
        run.error = f"could not be created: {type(exc).__name__}: {exc}"
    return run


def _required_local_failures(
    registry: Registry, policy: Policy, outcomes: dict[str, CheckOutcome]
) -> dict[str, CheckOutcome]:
    """A local check the policy lists is required: failing to load it fails closed."""
    found = {}
    for failure in registry.failures:
        local_id = _local_check_id(failure.name)
        if failure.name in policy.plugins and local_id not in outcomes:
            found[local_id] = _plugin_error_outcome(
                local_id, f"{failure.name}: {failure.reason}", CheckPolicy(local_id)
            )
    return found


def _run_all(runs: list[tuple[_Run, CheckPolicy]], jobs: int) -> None:
    gate = threading.Semaphore(max(1, jobs))
    started: list[tuple[_Run, CheckPolicy, threading.Event]] = []
    for run, cp in runs:
        began = threading.Event()
        threading.Thread(
            target=_worker,
            args=(run, cp, gate, began),
            daemon=True,
            name=f"gatekeeper-{run.check_id}",
        ).start()
        started.append((run, cp, began))
    for run, cp, began in started:
        began.wait()
        if not run.done.wait(max(0.0, run.ctx.deadline - time.monotonic())):
            with run.lock:  # the findings made so far stand; the worker adds no more
                run.error = (
                    f"did not finish within its time limit of {cp.timeout:g} s and was abandoned"
                )
                run.findings = list(run.findings)


def _worker(run: _Run, cp: CheckPolicy, gate: threading.Semaphore, began: threading.Event) -> None:
    with gate:
        start = time.monotonic()
        run.ctx.deadline = start + cp.timeout
        began.set()
        try:
            if not run.instance.applies(run.ctx):
                run.not_applicable = True
            else:
                for item in run.instance.run(run.ctx):
                    if not isinstance(item, Finding):
                        raise TypeError(f"run() yielded {type(item).__name__}, not a Finding")
                    with run.lock:
                        if run.error:  # abandoned by the engine: stop collecting
                            return
                        run.findings.append(item)
        except CheckError as exc:
            _fail(run, str(exc) or type(exc).__name__)
        except Exception as exc:  # a check's defect must not take the gate down
            _fail(run, _crash_reason(exc))
        finally:
            run.duration = time.monotonic() - start
            run.done.set()


def _fail(run: _Run, reason: str) -> None:
    with run.lock:
        run.error = run.error or reason  # an engine that gave up already said why


def _crash_reason(exc: BaseException) -> str:
    """How a crash is reported: the exception and where it was raised."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"crashed: {type(exc).__name__}: {exc}{where}"


def _verdict(
    outcomes: tuple[CheckOutcome, ...],
    registry: Registry,
    policy: Policy,
    changes: ChangeSet,
    pr: PullRequest,
    today: date,
) -> Verdict:
    rules: dict[str, Rule] = {}
    for outcome in outcomes:
        for r in outcome.results:
            q = r.finding.qualified_rule
            if q in rules:
                continue
            known = CHECK_ERROR if r.finding.rule == CHECK_ERROR.id else registry.rule(q)
            rules[q] = known or Rule(
                r.finding.rule, r.finding.level, r.finding.rule.replace("-", " ")
            )
    expired = tuple(w for w in policy.waivers if w.expired(today))
    met = not any(o.blocking for o in outcomes)
    return Verdict(
        met=met,
        outcomes=outcomes,
        base=changes.base,
        head=changes.head,
        policy_source=policy.source,
        policy_digest=policy.digest,
        pr_title=pr.title,
        pr_number=pr.number,
        agent_signal=pr.agent_signal,
        expired_waivers=expired,
        rules=dict(sorted(rules.items())),
    )
