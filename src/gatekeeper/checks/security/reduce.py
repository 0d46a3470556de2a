"""Cut a base file down to the statements that could hold a given bandit finding.

A head finding is pre-existing only if the base file has a finding of the same test on
the same (normalised) code. So the base scan needs only the top-level statements whose
text contains one of those code snippets, plus every import (bandit resolves call names
through them). The other lines are blanked, not removed, so line numbers and the text
of kept lines stay exactly as they were; bandit then parses and walks a fraction of the
file, which is what keeps the base scan cheap when many changed files have findings.
"""

from __future__ import annotations

import ast
from collections.abc import Collection

#: compound statements that may hide imports (``try: import x``) and are kept when they do
_MAY_IMPORT = (ast.Try, ast.If, ast.With)


def normalise(text: str) -> str:
    """Whitespace collapsed, so code compares equal across re-indentation and wrapping."""
    return " ".join(text.split())


def reduce_source(source: str, codes: Collection[str]) -> str | None:
    """``source`` with only the statements that could hold ``codes``; None if unparseable."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    lines = source.splitlines(keepends=True)
    keep = [False] * len(lines)
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno, *(d.lineno for d in decorators)])
        end = node.end_lineno or node.lineno
        if _wanted(node, normalise("".join(lines[start - 1 : end])), codes):
            keep[start - 1 : end] = [True] * (end - start + 1)
    return "".join(line if kept else _blank(line) for line, kept in zip(lines, keep, strict=True))


def _wanted(node: ast.stmt, segment: str, codes: Collection[str]) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if any(code in segment for code in codes):
        return True
    return isinstance(node, _MAY_IMPORT) and any(
        isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in ast.walk(node)
    )


def _blank(line: str) -> str:
    return "\n" if line.endswith(("\n", "\r")) else ""
