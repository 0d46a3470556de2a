"""Where in a Rust file the code is test code: ``#[cfg(test)]`` items and ``#[test]`` functions.

Rust keeps unit tests in the file they test, in a ``#[cfg(test)] mod tests { ... }`` the
release build never compiles. A made-up value there (a snapshot of an API answer with a
sample token, a fixture password) is test set-up, as in a tests folder, and a generic
secret-like value in it warns rather than blocks; a token of a known format still blocks.
Read from the source with comments and string contents masked (rustlex.py), so a brace in
a string or an attribute written in a comment changes nothing. An attribute followed by
``mod tests;`` (the tests live in another file) marks nothing here.
"""

from __future__ import annotations

import re

from gatekeeper.checks.rustlex import mask

#: the attributes that make the next item test-only: ``#[cfg(test)]`` (also inside
#: ``all(...)``/``any(...)`` with other conditions; ``cfg(not(test))`` does not match), and a test
#: function's own ``#[test]``, ``#[tokio::test]``, ``#[sqlx::test(...)]``
_TEST_ATTR = re.compile(
    r"#\[\s*(?:cfg\s*\(\s*(?:(?:all|any)\s*\([^()\]]*?)?\btest\b[^\]]*\)|(?:\w+\s*::\s*)*test\b[^\]]*)\]"
)
#: what may stand between the attribute and the item's opening brace: more attributes,
#: visibility, ``mod name``, a function's signature (no ``;``: an item without a body)
_NO_BODY = re.compile(r";")


def rust_test_lines(text: str) -> frozenset[int]:
    """The 1-based lines of ``text`` inside test-only items (their braces included)."""
    masked = mask(text)
    lines: set[int] = set()
    end_of_last = -1
    for m in _TEST_ATTR.finditer(masked):
        if m.start() < end_of_last:
            continue  # inside an item already marked
        brace = masked.find("{", m.end())
        if brace == -1 or _NO_BODY.search(masked, m.end(), brace):
            continue
        close = _matching(masked, brace)
        if close == -1:
            continue  # unbalanced: mark nothing rather than the rest of the file
        first = masked.count("\n", 0, m.start()) + 1
        last = masked.count("\n", 0, close) + 1
        lines.update(range(first, last + 1))
        end_of_last = close
    return frozenset(lines)


def _matching(masked: str, brace: int) -> int:
    """The offset of the ``}`` closing the ``{`` at ``brace``, or -1."""
    depth = 0
    for i in range(brace, len(masked)):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1
