"""Shared ordering, grouping and counting."""

from __future__ import annotations

from gatekeeper.model import CheckOutcome, Level, Result, Severity, Status, Verdict
from gatekeeper.report.common import (
    counts,
    group,
    ordered_results,
    outcome_summary,
    policy_place,
    verdict_line,
    writable,
)
from gatekeeper.report.escape import one_line, visible_controls
from tests.report.verdicts import WAIVER, finding, met_verdict, not_met_verdict


def test_results_sort_by_place_then_rule_with_unlocated_last() -> None:
    a = Result(finding("c", "r", "m", "b.py", 2), Severity.BLOCK)
    b = Result(finding("c", "r", "m", "b.py", 10), Severity.BLOCK)
    c = Result(finding("c", "a", "m", "a.py"), Severity.BLOCK)
    d = Result(finding("c", "r", "m"), Severity.BLOCK)
    assert ordered_results([d, b, a, c]) == [c, a, b, d]


def test_group_puts_each_result_in_exactly_one_bucket() -> None:
    f = finding("c", "r", "m", "x.py", 1)
    pre_and_waived = Result(f, Severity.BLOCK, pre_existing=True, waiver=WAIVER)
    waived = Result(f, Severity.BLOCK, waiver=WAIVER)
    off = Result(f, Severity.OFF)
    groups = group(
        [
            Result(f, Severity.BLOCK),
            Result(f, Severity.WARN),
            Result(f, Severity.INFO),
            pre_and_waived,
            waived,
            off,
        ]
    )
    assert [len(groups.blocking), len(groups.warnings), len(groups.info)] == [1, 1, 1]
    assert groups.pre_existing == (pre_and_waived,)
    assert groups.waived == (waived,)
    assert groups.off == (off,)
    assert [r.severity for r in groups.counting] == [Severity.BLOCK, Severity.WARN, Severity.INFO]


def test_counts_for_the_blocked_fixture() -> None:
    totals = counts(not_met_verdict())
    assert totals["blocking"] == 5  # 4 blocking findings + 1 errored check
    assert totals["error"] == 1
    assert totals["failed"] == 3
    assert totals["waived"] == 1
    assert totals["pre_existing"] == 1
    assert totals["info"] == 1
    assert totals["expired_waivers"] == 1
    assert totals["checks"] == 7
    assert list(totals) == sorted(totals)


def test_verdict_line() -> None:
    assert verdict_line(met_verdict()) == "Definition of Done: met"
    assert verdict_line(not_met_verdict()) == "Definition of Done: not met (5 blocking)"


def test_outcome_summary_falls_back_on_status_and_findings() -> None:
    f = finding("c", "r", "m", "x.py", 1, level=Level.WARNING)
    assert outcome_summary(CheckOutcome("c", "C", Status.PASSED, summary="fine")) == "fine"
    assert outcome_summary(CheckOutcome("c", "C", Status.ERROR, error="boom")) == "error: boom"
    assert outcome_summary(CheckOutcome("c", "C", Status.ERROR)) == "error"
    assert outcome_summary(CheckOutcome("c", "C", Status.SKIPPED)) == "not applicable"
    assert outcome_summary(CheckOutcome("c", "C", Status.FAILED)) == "failed"
    assert outcome_summary(CheckOutcome("c", "C", Status.PASSED)) == "passed"
    warned = CheckOutcome("c", "C", Status.WARNED, (Result(f, Severity.WARN),) * 2)
    assert outcome_summary(warned) == "2 warnings"
    assert outcome_summary(CheckOutcome("c", "C", Status.WARNED)) == "warned"
    mixed = CheckOutcome(
        "c", "C", Status.FAILED, (Result(f, Severity.BLOCK), Result(f, Severity.WARN))
    )
    assert outcome_summary(mixed) == "1 blocking, 1 warning"


def test_one_line_flattens_cuts_and_shows_controls() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("abcdef", 4) == "abc…"
    assert one_line("x\x1b[2Jy\x7f") == "x\\x1b[2Jy\\x7f"
    assert visible_controls("ok") == "ok"


def test_writable_escapes_lone_surrogates_only() -> None:
    assert writable("café") == "café"
    assert writable("bad\udcff.py") == "bad\\udcff.py"
    writable("bad\udcff.py").encode("utf-8")


def test_verdict_with_no_outcomes_counts_zero() -> None:
    assert counts(Verdict(met=True, outcomes=()))["checks"] == 0


def test_policy_place_splits_the_file_from_where_it_was_read() -> None:
    assert policy_place("a (b)/p.yml (at base 0123abcd)") == ("a (b)/p.yml", "at base 0123abcd")
    assert policy_place("p.yml (at head)") == ("p.yml", "at head")
    assert policy_place("p.yml (working tree)") == ("p.yml", "working tree")
    assert policy_place("/etc/gk (shared).yml") == ("/etc/gk (shared).yml", "")
    assert policy_place("built-in default policy") == ("built-in default policy", "")
