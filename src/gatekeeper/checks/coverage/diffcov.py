"""Diff coverage: which changed lines are measurable, covered and missing.

For Python, a changed line counts for the statement it belongs to (a change inside a
multi-line call counts for that call), using coverage.py's own parser on the head
source, so the statement lines agree with what coverage measured. Other languages are
matched line by line, as the report gives them.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from gatekeeper.checks.coverage.reports import FileCoverage
from gatekeeper.model import Block, Paragraph, Table, code, inline


@dataclass
class FileDiff:
    """Diff coverage of one changed file."""

    path: str
    measurable: set[int] = field(default_factory=set)
    covered: set[int] = field(default_factory=set)
    partial_branches: set[int] = field(default_factory=set)
    stale: bool = False
    #: missing from the report although it measures the file's area: no test imported it
    unimported: bool = False

    @property
    def missing(self) -> set[int]:
        """Changed measurable lines that never ran."""
        return self.measurable - self.covered


def statement_lines(
    path: str, text: str | None, changed: Iterable[int], statements: set[int] | None = None
) -> set[int]:
    """The statement (first) lines that the changed lines belong to.

    A changed line that is itself a statement's first line needs no parsing; the source
    is parsed only when some changed line is a continuation (or not code at all).
    """
    lines = set(changed)
    if text is None or not path.endswith(".py") or not lines:
        return lines
    if statements is not None and lines <= statements:
        return lines
    try:
        first = first_lines(ast.parse(text), sorted(lines - (statements or set())))
    except (SyntaxError, ValueError):
        return lines
    return {first.get(n, n) for n in lines} | lines


def first_lines(tree: ast.AST, needed: list[int] | None = None) -> dict[int, int]:
    """Line -> the first line of the statement it belongs to, as coverage.py counts them.

    A simple statement owns all its lines; a compound statement (def, if, with, ...) owns
    only its header, up to the line before its body; each decorator is its own statement.
    Built on the stdlib AST, which is far faster than tokenizing every changed file.
    With ``needed`` (sorted lines), statements that hold none of them are skipped whole.
    """
    owner: dict[int, int] = {}
    stack: list[ast.AST] = [tree]
    while stack:  # statements only: expressions never hold statements, so skip them
        node = stack.pop()
        if needed is not None and isinstance(node, ast.stmt | ast.ExceptHandler):
            first = bisect.bisect_left(needed, node.lineno)
            if first == len(needed) or needed[first] > (node.end_lineno or node.lineno):
                continue
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, attr, None)
            if isinstance(children, list):
                stack.extend(c for c in children if isinstance(c, ast.AST))
        if not isinstance(node, ast.stmt | ast.ExceptHandler):
            continue
        start, end = node.lineno, node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(start, body[0].lineno - 1)
        for n in range(start, end + 1):
            owner.setdefault(n, start)
        for decorator in getattr(node, "decorator_list", ()):
            for n in range(decorator.lineno, (decorator.end_lineno or decorator.lineno) + 1):
                owner[n] = decorator.lineno
    return owner


def file_diff(fc: FileCoverage, changed: Iterable[int], text: str | None) -> FileDiff:
    """Measure one file's changed lines against its report entry."""
    diff = FileDiff(fc.path)
    candidates = statement_lines(fc.path, text, changed, fc.statements)
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


def table(diffs: list[FileDiff]) -> Block:
    """The per-file table shown under the check (plain text: the reporters escape it)."""
    if not diffs:
        return Paragraph(inline("No changed file appears in the coverage report."))
    header = (
        "file", "changed measurable", "covered", "diff coverage", "missing lines",
        "partly taken branches",
    )  # fmt: skip
    rows = []
    for d in diffs:
        missing = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(d.missing))
        partial = ", ".join(str(n) for n in sorted(d.partial_branches))
        cells = (
            str(len(d.measurable)),
            str(len(d.covered)),
            show(percent(len(d.covered), len(d.measurable))),
            missing or "—",
            partial or "—",
        )
        where = inline(code(d.path), " (not in report)" if d.unimported else "")
        rows.append((where, *(inline(c) for c in cells)))
    return Table(header, tuple(rows), numeric=frozenset({1, 2, 3}))
