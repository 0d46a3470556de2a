"""The engine: parallel checks, time limits, fail-closed errors, judging findings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any, ClassVar

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.engine import EngineOptions, run_checks
from gatekeeper.model import Finding, Level, Rule, Severity, Status, Waiver, plain_text
from gatekeeper.plugins import Registry
from gatekeeper.policy.model import CheckPolicy, Policy
from gatekeeper.testing import changeset

CHANGES = changeset({"a.py": "x = 1\n"}, {"a.py": "x = 1\ny = 2\n", "b.py": "z = 3\n"})


class Emits(BaseCheck):
    """Yields whatever ``config['emit']`` lists: (rule, path, evidence)."""

    id: ClassVar[str] = "emits"
    title: ClassVar[str] = "Emits"
    rules: ClassVar[Any] = rule_catalog(
        Rule("bad", Level.ERROR, "Bad"),
        Rule("meh", Level.WARNING, "Meh"),
        Rule("fyi", Level.INFO, "Fyi"),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        for rule, path, evidence in ctx.config.get("emit", ()):
            yield self.finding(rule, f"{rule} in {path}", path=path, line=1, evidence=evidence)
        base = [self.finding(r, "", path=p, evidence=e) for r, p, e in ctx.config.get("base", ())]
        ctx.mark_existing_at_base(base)
        ctx.set_summary("summary text")
        ctx.add_details("details text")


class Crashes(BaseCheck):
    id: ClassVar[str] = "crashes"
    title: ClassVar[str] = "Crashes"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        raise ZeroDivisionError("boom")


class Refuses(BaseCheck):
    id: ClassVar[str] = "refuses"
    title: ClassVar[str] = "Refuses"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        raise CheckError("tool xyz is not installed: pip install xyz")


RELEASE = threading.Event()


class Hangs(BaseCheck):
    id: ClassVar[str] = "hangs"
    title: ClassVar[str] = "Hangs"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        RELEASE.wait(30)
        yield self.finding("late", "too late")


class NotApplicable(BaseCheck):
    id: ClassVar[str] = "never"
    title: ClassVar[str] = "Never"

    def applies(self, ctx: CheckContext) -> bool:
        return False

    def run(self, ctx: CheckContext) -> Iterator[Finding]:  # pragma: no cover - never called
        raise AssertionError


class YieldsJunk(BaseCheck):
    id: ClassVar[str] = "junk"
    title: ClassVar[str] = "Junk"

    def run(self, ctx: CheckContext) -> Iterator[Any]:
        yield "not a finding"


class BadInit(BaseCheck):
    id: ClassVar[str] = "badinit"
    title: ClassVar[str] = "Bad init"

    def __init__(self) -> None:
        raise RuntimeError("nope")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:  # pragma: no cover
        return iter(())


class SeesFiles(BaseCheck):
    id: ClassVar[str] = "sees"
    title: ClassVar[str] = "Sees"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        for f in ctx.changes:
            yield self.finding("saw", f"saw {f.path}", path=f.path)


def registry(*classes: type[Any]) -> Registry:
    reg = Registry()
    for cls in classes:
        reg.add(cls, "test", cls.id)
    return reg


def policy(*blocks: CheckPolicy, waivers: tuple[Waiver, ...] = ()) -> Policy:
    return Policy(source="test", digest="d", checks={b.id: b for b in blocks}, waivers=waivers)


def judge(reg: Registry, pol: Policy, **opts: Any) -> Any:
    return run_checks(reg, pol, CHANGES, PullRequest(), EngineOptions(jobs=2, **opts))


def test_blocking_finding_makes_the_dod_not_met() -> None:
    cp = CheckPolicy("emits", config={"emit": [("bad", "a.py", "e1"), ("meh", "b.py", "e2")]})
    verdict = judge(registry(Emits), policy(cp))
    assert not verdict.met
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.FAILED
    assert [r.severity for r in outcome.results] == [Severity.BLOCK, Severity.WARN]
    assert outcome.summary == "summary text" and plain_text(outcome.details) == "details text"
    assert set(verdict.rules) == {"emits/bad", "emits/meh"}
    assert verdict.blocking_count == 1


def test_warnings_alone_leave_the_dod_met() -> None:
    cp = CheckPolicy("emits", config={"emit": [("meh", "b.py", "e2"), ("fyi", "b.py", "e3")]})
    verdict = judge(registry(Emits), policy(cp))
    assert verdict.met
    assert verdict.outcomes[0].status is Status.WARNED


def test_check_severity_caps_and_rule_severity_wins() -> None:
    emit = [("bad", "a.py", "e1"), ("meh", "a.py", "e2")]
    advisory = CheckPolicy("emits", severity=Severity.INFO, config={"emit": emit})
    verdict = judge(registry(Emits), policy(advisory))
    assert [r.severity for r in verdict.results] == [Severity.INFO, Severity.INFO]
    assert verdict.met and verdict.outcomes[0].status is Status.PASSED
    strict = CheckPolicy(
        "emits", rules={"meh": Severity.BLOCK, "bad": Severity.OFF}, config={"emit": emit}
    )
    verdict = judge(registry(Emits), policy(strict))
    assert not verdict.met
    assert {r.finding.rule: r.severity for r in verdict.results} == {
        "meh": Severity.BLOCK,
        "bad": Severity.OFF,
    }


def test_findings_existing_at_base_are_pre_existing_one_for_one() -> None:
    cp = CheckPolicy(
        "emits",
        config={
            "emit": [("bad", "a.py", "same"), ("bad", "a.py", "same")],
            "base": [("bad", "a.py", "same")],
        },
    )
    verdict = judge(registry(Emits), policy(cp))
    flags = sorted(r.pre_existing for r in verdict.results)
    assert flags == [False, True]  # one old copy excuses one new copy, not both
    assert not verdict.met


def test_baseline_report_counts_as_pre_existing() -> None:
    cp = CheckPolicy("emits", config={"emit": [("bad", "a.py", "old")]})
    fp = Emits().finding("bad", "", path="a.py", evidence="old").fingerprint
    verdict = judge(registry(Emits), policy(cp), baseline={fp: 1})
    assert verdict.met and verdict.results[0].pre_existing


def test_waivers_apply_until_they_expire() -> None:
    cp = CheckPolicy("emits", config={"emit": [("bad", "a.py", "e1")]})
    live = Waiver("emits/bad", "accepted risk", "@lead", path="*.py", expires=date(2030, 1, 1))
    verdict = judge(registry(Emits), policy(cp, waivers=(live,)), today=date(2029, 12, 31))
    assert verdict.met and verdict.results[0].waiver == live
    verdict = judge(registry(Emits), policy(cp, waivers=(live,)), today=date(2030, 1, 2))
    assert not verdict.met and verdict.expired_waivers == (live,)
    other_path = Waiver("emits/*", "x", "@lead", path="docs/**")
    verdict = judge(registry(Emits), policy(cp, waivers=(other_path,)))
    assert not verdict.met


def test_waiver_by_fingerprint_only_covers_that_finding() -> None:
    cp = CheckPolicy("emits", config={"emit": [("bad", "a.py", "e1"), ("bad", "a.py", "e2")]})
    fp = Emits().finding("bad", "", path="a.py", evidence="e1").fingerprint
    waiver = Waiver("emits/bad", "known", "@lead", fingerprint=fp)
    verdict = judge(registry(Emits), policy(cp, waivers=(waiver,)))
    assert sorted(r.waived for r in verdict.results) == [False, True]


def test_crash_is_an_error_outcome_that_blocks() -> None:
    verdict = judge(registry(Crashes), policy(CheckPolicy("crashes")))
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.ERROR and not verdict.met
    assert "ZeroDivisionError: boom" in outcome.error
    assert outcome.results[0].finding.rule == "check-error"
    assert "crashes/check-error" in verdict.rules


def test_on_error_warn_lets_an_error_through() -> None:
    verdict = judge(registry(Refuses), policy(CheckPolicy("refuses", on_error=Severity.WARN)))
    assert verdict.met
    assert verdict.outcomes[0].status is Status.ERROR
    assert "pip install xyz" in verdict.outcomes[0].error


def test_hanging_check_is_abandoned_at_its_time_limit() -> None:
    # Hangs returns "late" after 30 s if nobody abandons it: then the status below is wrong
    RELEASE.clear()
    verdict = judge(
        registry(Hangs, Emits), policy(CheckPolicy("hangs", timeout=0.3), CheckPolicy("emits"))
    )
    RELEASE.set()
    hangs = next(o for o in verdict.outcomes if o.check == "hangs")
    assert hangs.status is Status.ERROR and "time limit of 0.3 s" in hangs.error
    assert not verdict.met


def test_not_applicable_is_skipped_and_disabled_is_absent() -> None:
    verdict = judge(
        registry(NotApplicable, Emits),
        policy(CheckPolicy("never"), CheckPolicy("emits", enabled=False)),
    )
    assert [(o.check, o.status) for o in verdict.outcomes] == [("never", Status.SKIPPED)]
    assert verdict.met


def test_junk_output_and_broken_constructor_fail_closed() -> None:
    verdict = judge(
        registry(YieldsJunk, BadInit), policy(CheckPolicy("junk"), CheckPolicy("badinit"))
    )
    errors = {o.check: o.error for o in verdict.outcomes}
    assert "not a Finding" in errors["junk"]
    assert "could not be created" in errors["badinit"]
    assert not verdict.met


def test_policy_naming_a_missing_check_fails_closed() -> None:
    verdict = judge(registry(), policy(CheckPolicy("ghost")))
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.ERROR and not verdict.met
    assert "no installed check" in outcome.error


def test_paths_and_exclude_scope_what_a_check_sees() -> None:
    verdict = judge(
        registry(SeesFiles), policy(CheckPolicy("sees", paths=("*.py",), exclude=("b.py",)))
    )
    assert [r.finding.message for r in verdict.results] == ["saw a.py"]


def test_outcomes_are_sorted_and_deterministic() -> None:
    cp = CheckPolicy("emits", config={"emit": [("meh", "b.py", "1"), ("bad", "a.py", "2")]})
    first = judge(registry(Emits, Crashes), policy(cp, CheckPolicy("crashes")))
    second = judge(registry(Emits, Crashes), policy(cp, CheckPolicy("crashes")))
    assert [o.check for o in first.outcomes] == ["crashes", "emits"]
    strip = lambda v: [(o.check, o.status, o.results) for o in v.outcomes]  # noqa: E731
    assert strip(first) == strip(second)


class RemembersScratch(BaseCheck):
    id: ClassVar[str] = "scratchy"
    title: ClassVar[str] = "Scratchy"
    seen: ClassVar[list[Any]] = []

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        (ctx.scratch / "tmp.txt").write_text("x")
        self.seen.append(ctx.scratch)
        return iter(())


def test_scratch_directories_are_removed_after_the_run() -> None:
    judge(registry(RemembersScratch), policy(CheckPolicy("scratchy")))
    (scratch,) = RemembersScratch.seen
    assert not scratch.exists()


class FindsThenFails(BaseCheck):
    id: ClassVar[str] = "partial"
    title: ClassVar[str] = "Partial"
    rules: ClassVar[Any] = rule_catalog(Rule("leak", Level.ERROR, "Leak"))

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        yield self.finding("leak", "a secret", path="a.py", line=1)
        raise CheckError("the advisory service did not answer")


def test_findings_made_before_an_error_are_kept() -> None:
    verdict = judge(
        registry(FindsThenFails), policy(CheckPolicy("partial", on_error=Severity.WARN))
    )
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.ERROR
    assert sorted(r.finding.rule for r in outcome.results) == ["check-error", "leak"]
    assert not verdict.met  # the leak still blocks although the error only warns


class PartsFail(BaseCheck):
    """Two parts fail on their own (one with its own on_error); a third finds a leak."""

    id: ClassVar[str] = "parts"
    title: ClassVar[str] = "Parts"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        ctx.part_failed("audit", "the advisory service did not answer", "warn")
        yield self.finding("leak", "a secret", path="a.py", line=1)
        ctx.part_failed("lint", "linter missing")
        ctx.set_summary("leak 1")


def test_a_failing_part_fails_alone_with_its_own_on_error() -> None:
    verdict = judge(registry(PartsFail), policy(CheckPolicy("parts", on_error=Severity.INFO)))
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.ERROR
    got = sorted((r.finding.rule, r.severity.value, r.finding.message) for r in outcome.results)
    assert got == [
        ("check-error", "info", "The Parts check's lint part could not run: linter missing"),
        (
            "check-error",
            "warn",
            "The Parts check's audit part could not run: the advisory service did not answer",
        ),
        ("leak", "block", "a secret"),
    ]
    assert len({r.finding.fingerprint for r in outcome.results}) == 3
    assert outcome.summary == "leak 1; audit, lint could not run"
    assert not verdict.met  # the leak blocks whatever the parts' on_error says


STALL = threading.Event()


class FindsThenHangs(BaseCheck):
    id: ClassVar[str] = "stalls"
    title: ClassVar[str] = "Stalls"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        yield self.finding("leak", "a secret", path="a.py", line=1)
        STALL.wait(30)
        yield self.finding("late", "after the limit")


def test_findings_made_before_a_timeout_are_kept() -> None:
    STALL.clear()
    # 3 s, not less: the first finding must be made before the limit on a loaded machine
    verdict = judge(
        registry(FindsThenHangs), policy(CheckPolicy("stalls", timeout=3, on_error=Severity.WARN))
    )
    STALL.set()
    (outcome,) = verdict.outcomes
    assert outcome.status is Status.ERROR and "time limit" in outcome.error
    assert sorted(r.finding.rule for r in outcome.results) == ["check-error", "leak"]
    assert not verdict.met
