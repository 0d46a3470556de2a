"""Whether the project's own Flyway configuration accepts applied migrations gone missing.

Flyway's validate fails when a migration the database applied is no longer among the
files, so deleting a merged migration breaks the next deploy, unless the configuration
says to ignore missing ones (``ignoreMigrationPatterns`` with ``*:missing``, or the older
``ignoreMissingMigrations``): then a squash of old migrations into a new baseline is the
project's declared practice. The configuration is read at base, from the places Flyway
and the frameworks that embed it read it (``flyway.conf``, ``flyway.toml``, Spring Boot
or Micronaut ``application*.yml``/``.properties``); configuration under test folders
sets up tests, not deployments, and does not count.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet

_FILES = ("*.conf", "*.toml", "*.yml", "*.yaml", "*.properties")
_WORDS = (
    "ignoreMigrationPatterns",
    "ignore-migration-patterns",
    "ignore_migration_patterns",
    "ignoreMissingMigrations",
    "ignore-missing-migrations",
)
_PATTERNS = re.compile(r"ignore[-_]?migration[-_]?patterns\W*?[:=]\s*(?P<value>.*)$", re.I)
_MISSING = re.compile(r"ignore[-_]?missing[-_]?migrations\W*?[:=]\s*['\"]?true\b", re.I)
#: ignore patterns that cover versioned migrations missing locally
_COVERS = re.compile(r"(?:^|[\s,\[\"'])(?:\*|versioned):(?:missing|\*)", re.I)
_TEST_FOLDERS = frozenset({"test", "tests", "testdata", "fixtures", "it"})


@dataclass(frozen=True, slots=True)
class Allowance:
    """Where the configuration says so: the file, the line, and the setting as written."""

    path: str
    line: int
    setting: str


#: the answer per change set (in a 1-tuple: None is an answer); weak, so it goes with its
#: change set and a later one never finds it (an ``id()`` can be reused)
_CACHE: weakref.WeakKeyDictionary[ChangeSet, tuple[Allowance | None]] = weakref.WeakKeyDictionary()


def missing_allowed(changes: ChangeSet) -> Allowance | None:
    """The first non-test Flyway setting at base that ignores missing applied migrations."""
    hit = _CACHE.get(changes)
    if hit is not None:
        return hit[0]
    found = None
    for path in sorted(changes.base_files_containing(_WORDS, _FILES) or ()):
        if _TEST_FOLDERS & set(path.lower().split("/")[:-1]):
            continue
        found = _in_text(path, changes.text_at_base(path) or "")
        if found is not None:
            break
    _CACHE[changes] = (found,)
    return found


def _in_text(path: str, text: str) -> Allowance | None:
    lines = text.splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line.startswith(("#", "//", "!")):
            continue
        if _MISSING.search(line):
            return Allowance(path, number, line)
        m = _PATTERNS.search(line)
        if m is None:
            continue
        value = m.group("value")
        for item in lines[number:]:  # a YAML list below the key: "- '*:missing'"
            if not item.strip().startswith("-"):
                break
            value += " " + item.strip()[1:]
        if _COVERS.search(" " + value):
            return Allowance(path, number, line)
    return None
