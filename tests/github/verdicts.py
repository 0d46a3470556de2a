"""Verdicts for publisher tests, built from the real model types."""

from __future__ import annotations

from gatekeeper.model import (
    CheckOutcome,
    Finding,
    Level,
    Location,
    Result,
    Severity,
    Status,
    Verdict,
    Waiver,
)


def finding(
    i: int, path: str = "src/app.py", line: int | None = None, rule: str = "rule"
) -> Finding:
    return Finding(
        "demo",
        rule,
        f"problem {i}",
        Level.ERROR,
        Location(path, line if line is not None else i + 1),
        f"fp{i:04d}",
        "fix it",
    )


def verdict(n_blocking: int = 0, *, extra: tuple[Result, ...] = ()) -> Verdict:
    """A verdict with ``n_blocking`` blocking findings (met when there are none)."""
    results = tuple(Result(finding(i), Severity.BLOCK) for i in range(n_blocking)) + extra
    status = Status.FAILED if n_blocking else Status.PASSED
    outcome = CheckOutcome("demo", "Demo check", status, results)
    return Verdict(met=n_blocking == 0, outcomes=(outcome,), base="b" * 40, head="h" * 40)


def quiet_results() -> tuple[Result, ...]:
    """Results that must not be annotated: pre-existing, waived, off, without location."""
    waiver = Waiver("demo/rule", "accepted", "@lead")
    return (
        Result(finding(900), Severity.BLOCK, pre_existing=True),
        Result(finding(901), Severity.BLOCK, waiver=waiver),
        Result(finding(902), Severity.OFF),
        Result(Finding("demo", "rule", "no place", Level.ERROR, None, "fpnone"), Severity.BLOCK),
    )
