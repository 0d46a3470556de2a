"""Attacks on the coverage check's evidence: reports and base figures the PR forges.

A report committed by the PR counted as evidence; with several reports, "covered in
either" merged a 100% fake with the real figure; a ``.gatekeeper/cache/<base>`` symlink
planted by the PR gave a 0% base, so the total could not drop. The real report here is
made by coverage.py running the head's code, as a test job would, and left untracked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.adversarial.conftest import (
    Attack,
    AttackFactory,
    assert_blocked,
    blocking_rules,
    text_of,
)

BASE_CODE = "def add(a, b):\n    return a + b\n"
HEAD_CODE = BASE_CODE + (
    "\n\ndef mul(a, b):\n    if a == 0:\n        return 0\n    return a * b\n"
    "\n\ndef div(a, b):\n    if b == 0:\n        raise ZeroDivisionError\n    return a / b\n"
)
# the "tests": they run add and mul, never div
RUN = "import sys\nsys.path.insert(0, 'src')\nimport calc\ncalc.add(1, 2)\ncalc.mul(2, 3)\n"
POLICY = """\
version: 1
checks:
  coverage: {{diff_min: 80{extra}}}
"""
SECRET = "top-secret-runner-file-4711"


def _policy(extra: str = "") -> str:
    return POLICY.format(extra=extra)


def _measure(root: Path, out: str = "coverage.json", run: str = RUN) -> None:
    """What a test job does: run the head's code under coverage.py, write the report."""
    (root / "run_tests.py").write_text(run, encoding="utf-8")
    cov = [sys.executable, "-m", "coverage"]
    data = str(root.parent / f"{root.name}.cov")  # outside the repo: not a candidate
    subprocess.run([*cov, "run", f"--data-file={data}", "run_tests.py"], cwd=root, check=True)
    subprocess.run([*cov, "json", f"--data-file={data}", "-o", out], cwd=root, check=True)
    (root / "run_tests.py").unlink()


def _fake(lines: int = 14, path: str = "src/calc.py") -> str:
    """A report that says every line ran."""
    entry = {"executed_lines": list(range(1, lines + 1)), "missing_lines": []}
    return json.dumps({"files": {path: entry}})


def _zero(path: str = "src/calc.py") -> str:
    return json.dumps({"files": {path: {"executed_lines": [], "missing_lines": [1, 2]}}})


def _case(attack: AttackFactory, policy: str, head: dict[str, str | bytes | None]) -> Attack:
    return attack(policy, {"src/calc.py": BASE_CODE}, {"src/calc.py": HEAD_CODE, **head})


def test_the_real_report_blocks_the_change(attack: AttackFactory) -> None:
    case = _case(attack, _policy(", report: coverage.json"), {})
    _measure(case.repo.root)
    assert_blocked(case.judge(), "coverage/diff-coverage-below")


def test_a_committed_report_is_refused(attack: AttackFactory) -> None:
    case = _case(attack, _policy(", report: coverage.json"), {"coverage.json": _fake()})
    verdict = case.judge()
    assert_blocked(verdict, "coverage/untrusted-report")
    assert "committed in git" in text_of(verdict)


def test_a_committed_fake_beside_the_real_report_is_not_merged(attack: AttackFactory) -> None:
    # without the fix the two were merged line by line, "covered in either": 100%
    lcov = "SF:src/calc.py\n" + "".join(f"DA:{n},1\n" for n in range(1, 15)) + "end_of_record\n"
    case = _case(attack, _policy(), {"lcov.info": lcov})
    _measure(case.repo.root)  # the real one, untracked
    verdict = case.judge()
    assert_blocked(verdict, "coverage/untrusted-report")
    assert "lcov.info" in text_of(verdict)


def test_two_untracked_reports_without_report_are_an_error(attack: AttackFactory) -> None:
    case = _case(attack, _policy(), {})
    _measure(case.repo.root)
    # a second report the PR's own test code wrote while the tests ran
    case.repo.write({"coverage/coverage.json": _fake()})
    assert_blocked(case.judge(), "coverage/ambiguous-reports")


def test_a_report_symlinked_outside_is_refused_and_never_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "runner-secret.json"
    outside.write_text(_fake(path=SECRET), encoding="utf-8")
    case = _case(attack, _policy(", report: coverage.json"), {})
    os.symlink(outside, case.repo.root / "coverage.json")
    head = case.repo.commit({}, "link the report")
    verdict = case.judge(head=head)
    assert_blocked(verdict, "coverage/untrusted-report")
    assert "symbolic link" in text_of(verdict)
    assert SECRET not in text_of(verdict)


def test_a_report_path_outside_the_workspace_is_never_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text(_fake(path=SECRET), encoding="utf-8")
    case = _case(attack, _policy(f", report: '{outside}'"), {})
    verdict = case.judge()
    assert_blocked(verdict, "coverage/untrusted-report")
    assert "outside the workspace" in text_of(verdict)
    assert SECRET not in text_of(verdict)


DROP = ", report: coverage.json, total_max_drop: 0"


def test_a_planted_base_cache_symlink_is_refused_not_read_as_zero(
    attack: AttackFactory, tmp_path: Path
) -> None:
    zero = tmp_path / "zero"
    zero.mkdir()
    (zero / "coverage.json").write_text(_zero(), encoding="utf-8")
    case = _case(attack, _policy(DROP), {})
    (case.repo.root / ".gatekeeper" / "cache").mkdir(parents=True)
    os.symlink(zero, case.repo.root / ".gatekeeper" / "cache" / case.base)
    head = case.repo.commit({}, "plant a base")
    _measure(case.repo.root)
    verdict = case.judge(head=head)
    assert_blocked(verdict, "coverage/untrusted-report")
    rules = [r.finding.rule for o in verdict.outcomes for r in o.results]
    assert "base-unknown" in rules  # unknown, never 0%


def test_a_committed_base_figure_is_refused(attack: AttackFactory) -> None:
    case = _case(attack, _policy(DROP), {})
    head = case.repo.commit({f".gatekeeper/cache/{case.base}/coverage.json": _zero()}, "plant")
    _measure(case.repo.root)
    verdict = case.judge(head=head)
    assert_blocked(verdict, "coverage/untrusted-report")


def test_the_real_base_from_the_action_is_used(attack: AttackFactory) -> None:
    case = _case(attack, _policy(DROP), {})
    _measure(case.repo.root)
    folder = case.repo.root / ".gatekeeper" / "cache" / case.base
    folder.mkdir(parents=True)
    # the base run measured 100% of its code: the head's total dropped below it
    (folder / "coverage.json").write_text(_fake(lines=2), encoding="utf-8")
    verdict = case.judge()
    assert_blocked(verdict, "coverage/total-drop")
    assert "untrusted-report" not in " ".join(blocking_rules(verdict))


def test_a_well_tested_change_with_its_own_report_passes(attack: AttackFactory) -> None:
    case = _case(attack, _policy(", report: coverage.json"), {})
    calls = "calc.mul(0, 1)\ncalc.div(4, 2)\ntry:\n    calc.div(1, 0)\n"
    calls += "except ZeroDivisionError:\n    pass\n"
    run_all = RUN + calls
    _measure(case.repo.root, run=run_all)
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)


# A report committed long ago at a conventional path (Unleash keeps coverage/lcov.info in
# git) is the repository's leftover: ignored with a warning, since without it the check
# would not run. A PR cannot use that: adding or editing such a file is still refused.


def test_a_report_the_pr_adds_at_a_conventional_path_is_refused(attack: AttackFactory) -> None:
    case = _case(attack, _policy(), {"coverage.json": _fake()})
    assert_blocked(case.judge(), "coverage/untrusted-report")


def test_a_committed_report_the_pr_edits_is_refused(attack: AttackFactory) -> None:
    case = attack(
        _policy(),
        {"src/calc.py": BASE_CODE, "coverage.json": _zero()},
        {"src/calc.py": HEAD_CODE, "coverage.json": _fake()},
    )
    assert_blocked(case.judge(), "coverage/untrusted-report")


def test_a_committed_report_the_pr_leaves_alone_only_warns(attack: AttackFactory) -> None:
    case = attack(
        _policy(),
        {"src/calc.py": BASE_CODE, "coverage.json": _zero()},
        {"src/calc.py": HEAD_CODE},
    )
    verdict = case.judge()
    assert "coverage/untrusted-report" not in blocking_rules(verdict)
    assert "committed before this change" in text_of(verdict)


def test_a_named_report_committed_long_ago_still_blocks(attack: AttackFactory) -> None:
    # the policy promises coverage from coverage.json: a stale committed one is no evidence
    case = attack(
        _policy(", report: coverage.json"),
        {"src/calc.py": BASE_CODE, "coverage.json": _fake()},
        {"src/calc.py": HEAD_CODE},
    )
    assert_blocked(case.judge(), "coverage/untrusted-report")


def test_a_committed_link_left_alone_is_still_refused_and_never_read(
    attack: AttackFactory, tmp_path: Path
) -> None:
    # the leftover exception is for a committed file; a committed link is never followed
    outside = tmp_path / "runner-secret.json"
    outside.write_text(_fake(path=SECRET), encoding="utf-8")
    case = _case(attack, _policy(), {})
    os.symlink(outside, case.repo.root / "coverage.json")
    linked = case.repo.commit({}, "link the report")
    head = case.repo.commit({"src/calc.py": HEAD_CODE + "\n# again\n"}, "touch the code")
    verdict = case.judge(base=linked, head=head)
    assert_blocked(verdict, "coverage/untrusted-report")
    assert SECRET not in text_of(verdict)
