"""diff-cover as the oracle: on real repositories and real coverage.py reports, our diff
coverage equals diff-cover's, except where we are deliberately more exact (a change that
touches only the continuation lines of a multi-line statement counts for that statement).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.coverage import CoverageCheck
from gatekeeper.report.escape import md_blocks
from gatekeeper.testing import context, defaults

pytestmark = pytest.mark.skipif(shutil.which("diff-cover") is None, reason="needs diff-cover")

TEST = "from mod import *\n\n\ndef test_it():\n    run(1)\n"

CASES: dict[str, tuple[str, str]] = {
    "new-function-partly-run": (
        "def run(x):\n    return x\n",
        "def run(x):\n    if x > 0:\n        return x\n    return -x\n\n\ndef spare():\n"
        "    return 0\n",
    ),
    "edit-in-the-middle-with-deletions": (
        "def run(x):\n    a = 1\n    b = 2\n    c = 3\n    return a + b + c + x\n\n\n"
        "def other():\n    return 1\n",
        "def run(x):\n    a = 10\n    return a + x\n\n\ndef other():\n    y = 2\n    return y\n",
    ),
    "branches-half-taken": (
        "def run(x):\n    return x\n",
        "def run(x):\n    if x:\n        y = 1\n    else:\n        y = 2\n    return y\n",
    ),
    "new-module-lines-only": (
        "def run(x):\n    return x\n",
        "def run(x):\n    return helper(x)\n\n\ndef helper(x):\n    return x * 2\n",
    ),
}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def _project(root: Path, base: str, head: str) -> tuple[str, str]:
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "d@example.com")
    _git(root, "config", "user.name", "D")
    (root / "mod.py").write_text(base)
    (root / "test_mod.py").write_text(TEST)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base_sha = _git(root, "rev-parse", "HEAD")
    (root / "mod.py").write_text(head)
    _git(root, "commit", "-q", "-am", "head")
    cov = [sys.executable, "-m", "coverage"]
    subprocess.run(
        [*cov, "run", "--branch", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mod.py"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    subprocess.run([*cov, "xml", "-o", "coverage.xml"], cwd=root, check=True, capture_output=True)
    return base_sha, _git(root, "rev-parse", "HEAD")


def _theirs(root: Path, base: str) -> dict[str, Any]:
    out = root / "dc.json"
    subprocess.run(
        ["diff-cover", "coverage.xml", "--compare-branch", base, "--format", f"json:{out}"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    stats: dict[str, Any] = json.loads(out.read_text())["src_stats"].get("mod.py", {})
    return stats


def _ours(root: Path, base: str, head: str) -> tuple[set[int], str]:
    check = CoverageCheck()
    with changeset_from_git(root, base, head) as changes:
        ctx = context(changes, {**defaults(check), "reports": ["coverage.xml"]})
        found = list(check.run(ctx))
    missing = {
        n
        for f in found
        if f.rule == "uncovered-lines" and f.location
        for n in range(f.location.start_line or 0, (f.location.end_line or 0) + 1)
    }
    covered_rows = [
        row for row in md_blocks(ctx.details).splitlines() if row.startswith("| `mod.py`")
    ]
    return missing, covered_rows[0] if covered_rows else ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_missing_lines_as_diff_cover(tmp_path: Path, name: str) -> None:
    base_src, head_src = CASES[name]
    root = tmp_path / name
    base, head = _project(root, base_src, head_src)
    theirs = _theirs(root, base)
    missing, row = _ours(root, base, head)
    assert missing == set(theirs.get("violation_lines", [])), (name, theirs)
    if name == "branches-half-taken":
        assert row.endswith("| 2 |")  # `if x:` took only one way (coverage --branch)
    measured = len(theirs.get("covered_lines", [])) + len(theirs.get("violation_lines", []))
    assert f"| `mod.py` | {measured} |" in row


def test_deliberate_difference_continuation_line_of_a_multi_line_call(tmp_path: Path) -> None:
    # only line 3 changes, inside a call that starts on line 2 and never runs: coverage.py
    # lists the statement at line 2, so diff-cover sees no measurable changed line (and
    # reports nothing), while the change did touch untested code. We count statement 2.
    base_src = (
        "def run(x):\n    return x\n\n\ndef spare():\n    return dict(\n        a=1,\n    )\n"
    )
    head_src = base_src.replace("a=1", "a=2")
    root = tmp_path / "multi"
    base, head = _project(root, base_src, head_src)
    theirs = _theirs(root, base)
    missing, row = _ours(root, base, head)
    assert theirs.get("violation_lines", []) == [] and theirs.get("covered_lines", []) == []
    assert missing == {6}
    assert "| `mod.py` | 1 | 0 |" in row
