"""Diff coverage: which changed lines are measurable, covered and missing.

For Python, a changed line counts for the statement it belongs to (a change inside a
multi-line call counts for that call), using coverage.py's own parser on the head
source, so the statement lines agree with what coverage measured. Other languages are
matched line by line, as the report gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from gatekeeper.checks.coverage.reports import FileCoverage


@dataclass
class FileDiff:
    """Diff coverage of one changed file."""

    path: str
    measurable: set[int] = field(default_factory=set)
    covered: set[int] = field(default_factory=set)
    partial_branches: set[int] = field(default_factory=set)
    stale: bool = False

    @property
    def missing(self) -> set[int]:
        """Changed measurable lines that never ran."""
        return self.measurable - self.covered


def statement_lines(path: str, text: str | None, changed: Iterable[int]) -> set[int]:
    """The statement (first) lines that the changed lines belong to."""
    lines = set(changed)
    if text is None or not path.endswith(".py"):
        return lines
    from coverage.parser import PythonParser

    parser = PythonParser(text=text)
    try:
        parser.parse_source()
    except Exception:
        return lines
    return {parser.first_line(n) for n in lines} | lines


def file_diff(fc: FileCoverage, changed: Iterable[int], text: str | None) -> FileDiff:
    """Measure one file's changed lines against its report entry."""
    diff = FileDiff(fc.path)
    candidates = statement_lines(fc.path, text, changed)
    diff.measurable = candidates & fc.statements
    diff.covered = diff.measurable & fc.executed
    diff.partial_branches = {
        n for n in diff.measurable if n in fc.branches and fc.branches[n][1] < fc.branches[n][0]
    }
    if text is not None and fc.statements:
        diff.stale = max(fc.statements) > text.count("\n") + (0 if text.endswith("\n") else 1)
    return diff


def percent(covered: int, measurable: int) -> Fraction | None:
    """Exact percentage, or None when nothing measurable changed (never a fake 100%)."""
    return None if measurable == 0 else Fraction(100 * covered, measurable)


def show(value: Fraction | float | None) -> str:
    """A percentage rounded DOWN to two decimals, so a failing 79.996% never shows as 80%."""
    if value is None:
        return "n/a"
    hundredths = int(Fraction(value) * 100)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def ranges(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted lines grouped into inclusive (start, end) runs."""
    out: list[tuple[int, int]] = []
    for n in sorted(lines):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out
