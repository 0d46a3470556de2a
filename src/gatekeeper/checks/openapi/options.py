"""oasdiff's command-line options, with oasdiff's names and file formats, applied to the
engine's changes (``gatekeeper openapi diff``): severity levels, ignore files, path
filters and excluded elements.

- ``--severity-levels FILE``: one ``rule-id level`` a line, level ``err``, ``warn``,
  ``info`` or ``none`` (``none`` turns the rule off); blank lines and ``#`` comments are
  skipped. An unknown rule or level is an error naming the file and line.
- ``--err-ignore FILE`` / ``--warn-ignore FILE``: a line ignores an error (warning) when it
  holds the change's method and path (``GET /pets/{id}``; the word ``components``, or
  nothing, for a change to the whole API) and the change's message, in any case and
  order, among other text (a date, a ticket). A line holding a grouped finding's message
  (the part before ", used by") ignores every change of that group.
- ``--match-path`` / ``--unmatch-path REGEX``: keep only changes of endpoints whose path
  matches (does not match) the regular expression; changes to the whole API stay.
- ``--exclude-elements LIST``: ``extensions`` compares the specs without their ``x-``
  keys (so ``x-sunset`` and ``x-stability-level`` no longer count); ``examples``,
  ``description``, ``title``, ``summary`` and ``endpoints`` are accepted for oasdiff's
  command lines and change nothing here (no rule reports those, and there is no separate
  endpoints section).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from gatekeeper.checks.openapi.group import Group
from gatekeeper.checks.openapi.load import Document
from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.checks.openapi.rules.base import Change
from gatekeeper.model import Level

EXCLUDABLE = ("examples", "extensions", "description", "title", "summary", "endpoints")
_LEVEL_WORDS: dict[str, Level | None] = {
    "err": Level.ERROR,
    "error": Level.ERROR,
    "warn": Level.WARNING,
    "warning": Level.WARNING,
    "info": Level.INFO,
    "none": None,
}
#: keys under which names are chosen by the author (a property may be called "x-id")
_NAMED = frozenset({"properties", "patternProperties", "definitions", "$defs", "schemas"})


class OptionError(Exception):
    """A bad option value or option file; the message names the file and line."""


def severity_levels(text: str, source: str) -> dict[str, Level | None]:
    """Parse a severity-levels file: rule id -> new level (None: turned off)."""
    out: dict[str, Level | None] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise OptionError(f"{source}:{number}: expected 'rule-id level', got {raw.strip()!r}")
        rule, word = parts[0], parts[1].lower()
        if rule not in LEVELS:
            raise OptionError(f"{source}:{number}: unknown rule {rule!r}")
        if word not in _LEVEL_WORDS:
            raise OptionError(
                f"{source}:{number}: level {parts[1]!r} is not one of err, warn, info, none"
            )
        out[rule] = _LEVEL_WORDS[word]
    return out


def relevel(changes: Iterable[Change], levels: dict[str, Level | None]) -> list[Change]:
    """Changes at the levels a severity-levels file sets; rules set to none dropped."""
    out = []
    for c in changes:
        if c.rule not in levels:
            out.append(c)
        elif (level := levels[c.rule]) is not None:
            out.append(c if level is c.level else replace(c, level=level))
    return out


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def ignore_lines(text: str) -> list[str]:
    """The non-blank lines of an ignore file, lower-cased, spaces collapsed."""
    return [n for n in (_norm(line) for line in text.splitlines()) if n]


def _names_operation(line: str, operation: str) -> bool:
    if not operation:
        return True  # a change to the whole API: "components" or nothing names it
    method, _, path = operation.lower().partition(" ")
    tokens = line.split()
    return method in tokens and path in tokens


def ignored(change: Change, lines: Sequence[str]) -> bool:
    """Whether a line of an ignore file names this change (see the module docstring)."""
    message = _norm(change.message)
    return any(message in line and _names_operation(line, change.operation) for line in lines)


def group_ignored(g: Group, lines: Sequence[str]) -> bool:
    """Whether a line names a grouped finding by its message (before ", used by")."""
    if not g.grouped:
        return False
    head = _norm(g.message.split(", used by ", 1)[0])
    return any(head in line for line in lines)


def match_paths(changes: Iterable[Change], match: str | None, unmatch: str | None) -> list[Change]:
    """Changes of endpoints whose path matches ``match`` and not ``unmatch``."""
    try:
        keep = re.compile(match) if match else None
        drop = re.compile(unmatch) if unmatch else None
    except re.error as exc:
        raise OptionError(f"not a regular expression: {exc.pattern!r} ({exc.msg})") from None
    out = []
    for c in changes:
        path = c.operation.partition(" ")[2]
        if path and keep is not None and not keep.search(path):
            continue
        if path and drop is not None and drop.search(path):
            continue
        out.append(c)
    return out


def exclude_elements(value: str) -> set[str]:
    """Parse ``--exclude-elements`` (comma-separated)."""
    names = {v.strip() for v in value.split(",") if v.strip()}
    unknown = sorted(names - set(EXCLUDABLE))
    if unknown:
        raise OptionError(
            f"--exclude-elements: {', '.join(unknown)} not one of {', '.join(EXCLUDABLE)}"
        )
    return names


def strip_extensions(doc: Document) -> None:
    """Remove every ``x-`` key from a loaded document (its files too), in place, except
    where keys are names the author chose (properties, schemas)."""
    for root in doc.files.values():
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            node, named = stack.pop()
            if isinstance(node, list):
                stack.extend((v, False) for v in node)
            elif isinstance(node, dict):
                if not named:
                    for key in [k for k in node if isinstance(k, str) and k.startswith("x-")]:
                        del node[key]
                stack.extend((v, not named and k in _NAMED) for k, v in node.items())
