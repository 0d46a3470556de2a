"""Where in a Python file a generic secret-like value is documentation or test set-up.

A docstring is documentation written in the code: a sample OAuth response there
(``"access_token": "opoj5n…"``) is an example, as in a Markdown page. A block under
``if TESTING:`` (Django settings that switch to test values) is test configuration, as
in a tests folder. Both are judged from the file's syntax tree, so a string that only
looks like a docstring (one assigned, or code sharing a docstring's line) is not one; a
file that does not parse has neither.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

#: a name that says the process runs the tests: ``TESTING``, ``settings.TESTING``,
#: ``IS_TEST``, ``RUNNING_TESTS``, ``testing``
_TESTING_NAME = re.compile(r"(?i)(?:is_|running_|in_)?test(?:s|ing)?(?:_mode)?")


@dataclass(frozen=True)
class SourceRegions:
    """Line numbers (1-based) inside docstrings, and inside test-only code (Python's
    ``if TESTING:`` blocks, Rust's ``#[cfg(test)]`` items: secret_rust.py)."""

    docstrings: frozenset[int] = field(default_factory=frozenset)
    testing: frozenset[int] = field(default_factory=frozenset)


def python_regions(text: str) -> SourceRegions:
    """The docstring lines and test-only lines of a Python source (none if it does not
    parse)."""
    if re.search(r"\r(?!\n)", text):
        return SourceRegions()  # Python ends a line at a lone CR, git does not: lines differ
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in old code are not our finding
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return SourceRegions()
    lines = text.split("\n")
    docs: set[int] = set()
    testing: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docs |= _docstring_lines(node, lines)
        elif isinstance(node, ast.If) and _names_testing(node.test) and node.body:
            first, last = node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno
            testing |= set(range(first, last + 1))
    return SourceRegions(frozenset(docs), frozenset(testing))


def _docstring_lines(node: ast.AST, lines: list[str]) -> set[int]:
    """The lines of ``node``'s docstring that hold nothing but the docstring."""
    body = getattr(node, "body", [])
    if not body or not isinstance(body[0], ast.Expr):
        return set()
    doc = body[0].value
    if not (isinstance(doc, ast.Constant) and isinstance(doc.value, str)):
        return set()
    first, last = doc.lineno, doc.end_lineno or doc.lineno
    inside = set(range(first, last + 1))
    # a line the docstring shares with code (``def f(): \"\"\"doc\"\"\"; key = "…"``) is code
    before = lines[first - 1].encode("utf-8")[: doc.col_offset].decode("utf-8", "replace")
    if before.strip():
        inside.discard(first)
    end_col = doc.end_col_offset or 0
    after = lines[last - 1].encode("utf-8")[end_col:].decode("utf-8", "replace")
    if after.strip() and not after.strip().startswith("#"):
        inside.discard(last)
    return inside


def _names_testing(test: ast.expr) -> bool:
    """``if TESTING:``, ``if settings.TESTING:``: a bare flag, never a negation or a
    comparison (``if not TESTING:`` is the production branch)."""
    if isinstance(test, ast.Name):
        return _TESTING_NAME.fullmatch(test.id) is not None
    if isinstance(test, ast.Attribute):
        return _TESTING_NAME.fullmatch(test.attr) is not None
    return False
