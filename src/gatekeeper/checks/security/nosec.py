"""``# nosec`` comments, read the way bandit reads them, so the gate decides who wrote them.

Bandit itself runs with its nosec handling off: it reports every issue, and this module
finds the ``# nosec`` (or ``# nosec B602, B607``, or a test's name) comments that cover
each one (on a line of the issue's statement). The security check then honours a comment
the base commit had and asks a human about one the pull request wrote
(:mod:`gatekeeper.changes.suppressions`).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Mapping
from pathlib import Path

from gatekeeper.changes.suppressions import Marker
from gatekeeper.checks.security.bandit_rules import BANDIT_TESTS

#: bandit's own comment syntax: ``# nosec``, ``#nosec: B602``, ``# nosec B602,B607 # why``
_NOSEC = re.compile(r"#\s*nosec:?\s*(?P<tests>[^#]+)?#?")
_TEST = re.compile(r"B\d+|[a-z\d_]+", re.IGNORECASE)
_BY_NAME = {name: test_id for test_id, name, *_ in BANDIT_TESTS}
_IDS = frozenset(_BY_NAME.values())

#: line -> the test ids a nosec comment there names (empty: every test)
NosecLines = Mapping[int, frozenset[str]]


def nosec_lines(source: bytes) -> dict[int, frozenset[str]]:
    """The ``# nosec`` comments of a Python file, by line (its coding line is honoured)."""
    found: dict[int, frozenset[str]] = {}
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type == tokenize.COMMENT:
                tests = _parse(tok.string)
                if tests is not None:
                    found[tok.start[0]] = tests
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        pass  # bandit reads no nosec from a file it cannot tokenize either
    return found


def _parse(comment: str) -> frozenset[str] | None:
    match = _NOSEC.search(comment)
    if match is None:
        return None
    ids = set()
    for word in _TEST.findall(match.group("tests") or ""):
        upper = word.upper()
        if upper in _IDS or re.fullmatch(r"B\d+", upper):
            ids.add(upper)  # a plugin's test id is honoured too
        elif word in _BY_NAME:
            ids.add(_BY_NAME[word])
    # like bandit: when no word names a test, the comment silences every test
    return frozenset(ids)


def covering(
    lines: NosecLines, test_id: str, first: int, last: int
) -> tuple[int, frozenset[str]] | None:
    """The first ``# nosec`` on lines ``first``..``last`` that silences ``test_id``."""
    for n in range(first, last + 1):
        tests = lines.get(n)
        if tests is not None and (not tests or test_id in tests):
            return n, tests
    return None


def marker_text(tests: frozenset[str]) -> str:
    """How a nosec comment reads in a message: ``# nosec`` or ``# nosec B602``."""
    return "# nosec" + (" " + ",".join(sorted(tests)) if tests else "")


class NosecMarkers:
    """The ``# nosec`` comments of the head files bandit scanned (under ``root``), read
    once per file; with ``honour`` off (``honour_nosec: false``) none is ever found."""

    def __init__(self, root: Path, honour: bool) -> None:
        self.root, self.honour = root, honour
        self._lines: dict[str, dict[int, frozenset[str]]] = {}
        self._maps: dict[str, list[int]] = {}

    def covering(self, path: str, test_id: str, first: int, last: int) -> Marker | None:
        """The comment that would silence ``test_id`` on lines ``first``..``last``."""
        if not self.honour:
            return None
        if path not in self._lines:
            self._lines[path] = nosec_lines((self.root / path).read_bytes())
        found = covering(self._lines[path], test_id, first, last)
        if found is None:
            return None
        line, tests = found
        # Comments are numbered by tokenize, which ends lines at "\n" only, as git does;
        # bandit's issue lines come from Python's parser, for which a lone CR ends a line
        # too. Who wrote a line is git's answer, so the lines are renumbered.
        git_line = self._git_lines(path)
        return Marker(marker_text(tests), path, line, (git_line(first), git_line(last)))

    def _git_lines(self, path: str) -> Callable[[int], int]:
        if path not in self._maps:
            self._maps[path] = git_line_numbers((self.root / path).read_bytes())
        starts = self._maps[path]
        return lambda n: starts[n - 1] if 0 < n <= len(starts) else n


def git_line_numbers(source: bytes) -> list[int]:
    """For each line as Python counts them (``\r\n``, ``\r`` or ``\n`` ends one), the
    number of the line git counts (only ``\n`` ends one) it starts on."""
    out, git_line = [1], 1
    for m in re.finditer(rb"\r\n|\r|\n", source):
        if m.group() != b"\r":
            git_line += 1
        out.append(git_line)
    return out
