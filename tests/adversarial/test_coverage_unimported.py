"""Attacks on diff coverage by code no test imports: the module is not in the report.

coverage.py lists only the files the tests imported, so an agent's pull request that
adds a module and no test for it once left the report without a trace of it: diff
coverage was "n/a" and the gate green. Each case runs the head's tests under coverage.py,
as the test job would, and judges the whole gate under ``strict``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gatekeeper.changes.pullrequest import PullRequest
from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nextends: [strict]\nchecks:\n  coverage: {report: coverage.json}\n"
BASE = {
    "src/app/__init__.py": '"""The app."""\n',
    "src/app/core.py": "def add(a, b):\n    return a + b\n",
    "tests/test_core.py": "from app.core import add\n\n\ndef test_add():\n    assert add(1, 2)\n",
}
FEATURE = (
    "def refund(order, amount):\n"
    "    if amount > order.total:\n"
    "        raise ValueError('too much')\n"
    "    order.total -= amount\n"
    "    return order\n"
)
AGENT = PullRequest(author="devin-ai-integration[bot]", title="Add refunds", body="Adds refunds.")


def _measure(root: Path) -> None:
    """The test job: the head's tests under coverage.py, the JSON report left untracked."""
    cov = [sys.executable, "-m", "coverage"]
    data = f"--data-file={root.parent / 'data.coverage'}"
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    run = [*cov, "run", data, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    subprocess.run(run, cwd=root, env=env, check=True, capture_output=True)
    subprocess.run([*cov, "json", data, "-o", "coverage.json"], cwd=root, check=True)


def _case(attack: AttackFactory, head: dict[str, str | bytes | None]) -> Attack:
    case = attack(POLICY, BASE, head, pr=AGENT)
    _measure(case.repo.root)
    return case


def test_an_agents_untested_module_is_blocked(attack: AttackFactory) -> None:
    verdict = _case(attack, {"src/app/refunds.py": FEATURE}).judge()
    assert_blocked(verdict, "coverage/diff-coverage-below")
    assert "src/app/refunds.py never ran under the tests: the file is not in the" in (
        text_of(verdict)
    )


def test_a_test_that_imports_nothing_does_not_hide_it(attack: AttackFactory) -> None:
    head = {"src/app/refunds.py": FEATURE, "tests/test_refunds.py": "def test_ok():\n    pass\n"}
    assert_blocked(_case(attack, head).judge(), "coverage/diff-coverage-below")


def test_an_omit_the_pull_request_writes_is_not_honoured(attack: AttackFactory) -> None:
    # coverage.py obeys the head's omit, so the report has no trace of the module
    head = {"src/app/refunds.py": FEATURE, ".coveragerc": "[run]\nomit = src/app/refunds.py\n"}
    verdict = _case(attack, head).judge()
    assert_blocked(verdict, "coverage/diff-coverage-below")
    assert "changes what coverage.py measures (.coveragerc)" in text_of(verdict)


def test_a_pragma_over_the_whole_module_blocks_as_a_pragma(attack: AttackFactory) -> None:
    marked = FEATURE.replace("amount):", "amount):  # pragma: no cover", 1)
    verdict = _case(attack, {"src/app/refunds.py": marked}).judge()
    assert_blocked(verdict, "coverage/excluded-in-pr")
