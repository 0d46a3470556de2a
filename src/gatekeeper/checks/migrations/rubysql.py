"""Ruby migrations that run SQL strings through a project's own runner.

Besides Rails' ``db/migrate``, some Ruby projects migrate databases of their own (Postal
keeps one per mail server) with numbered classes in a ``migrations`` folder
(``lib/app/message_db/migrations/19_convert_to_utf8mb4.rb``) whose ``def up`` passes SQL
strings to a connection (``@database.query("ALTER TABLE ...")``, ``execute(...)``). The
SQL is read from the string literals (``#{...}`` interpolation stands for a value only
known at run time) and reviewed like a SQL file's, in the project's database: MySQL when
its Rails ``config/database.yml`` names the mysql2 or trilogy adapter or its Gemfile
depends on those gems. Nothing is executed. Such runners are usually forward-only: a
folder whose merged migrations never define ``def down`` asks for none.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import gosrc, rails
from gatekeeper.checks.migrations.hits import FORWARD_ONLY_AFTER, Hit
from gatekeeper.checks.migrations.sqltext import Statement, irreversible_reason, split
from gatekeeper.model import Finding

_NAME = re.compile(r"^(\d+)_\w+\.rb$")
#: a call that runs SQL, with the opening of its string argument
_CALL = re.compile(
    r"""(?:\.|\b)(?:query|execute|exec_query|exec_update|exec_delete)\s*\(?\s*"""
    r"""(?P<open>"|'|<<[~-]?(?P<tag>[A-Z_]+)\b)"""
)
_GEM = re.compile(r"""^\s*gem\s+["'](mysql2|trilogy|pg|sqlite3)["']""", re.MULTILINE)
_ADAPTER = re.compile(r"^\s*adapter:\s*[\"']?(\w+)", re.MULTILINE)
_DIALECT = {"mysql2": "mysql", "trilogy": "mysql", "pg": "postgres", "postgresql": "postgres",
            "sqlite3": "sqlite", "postgis": "postgres"}  # fmt: skip


def may_be_migration(path: str) -> bool:
    """A numbered ``.rb`` file in a ``migrations`` folder (Rails' ``db/migrate`` is not)."""
    folder = posixpath.basename(posixpath.dirname(path))
    return folder == "migrations" and bool(_NAME.match(posixpath.basename(path)))


def is_migration(path: str, text: str | None) -> bool:
    """True when ``text`` is such a migration: a ``def up`` that runs SQL strings."""
    if text is None or not may_be_migration(path) or "ActiveRecord::Migration" in text:
        return False
    up = rails.methods(text).get("up")
    return up is not None and any(_CALL.search(line) for _, line in up.body)


def version(path: str) -> str:
    """The migration's number."""
    return posixpath.basename(path).split("_", 1)[0]


def sql_in(text: str, method: str = "up") -> list[tuple[int, str]]:
    """(line, SQL) of each string a call in ``method`` runs; interpolations become
    :data:`gosrc.RUNTIME`."""
    found = rails.methods(text).get(method)
    if found is None:
        return []
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    for number, line in found.body:
        for call in _CALL.finditer(line):
            tag = call.group("tag")
            if tag:
                out.append((number, _heredoc(lines, number, tag)))
            else:
                sql = _literal(line, call.end() - 1)
                if sql is not None:
                    out.append((number, sql))
    return out


def _literal(line: str, start: int) -> str | None:
    """The quoted string opening at ``line[start]`` (None when it does not close)."""
    quote, out, i = line[start], [], start + 1
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            out.append(line[i + 1])
            i += 2
        elif c == quote:
            return "".join(out)
        elif quote == '"' and line.startswith("#{", i):
            i = _skip_braces(line, i + 1)
            out.append(gosrc.RUNTIME)
        else:
            out.append(c)
            i += 1
    return None


def _skip_braces(line: str, i: int) -> int:
    depth = 0
    while i < len(line):
        depth += {"{": 1, "}": -1}.get(line[i], 0)
        i += 1
        if depth == 0:
            break
    return i


def _heredoc(lines: list[str], number: int, tag: str) -> str:
    """The body of a heredoc opened on line ``number`` (1-based), up to its ``tag``."""
    body = []
    for text in lines[number:]:
        if text.strip() == tag:
            break
        body.append(re.sub(r"#\{[^}]*\}", gosrc.RUNTIME, text))
    return "\n".join(body)


def dialect(changes: ChangeSet, default: str) -> str:
    """The database the project runs, as merged: its Rails ``config/database.yml`` adapter,
    else the database gem its Gemfile names, else ``default`` (the policy's)."""

    def read() -> str:
        yml = changes.text_at_base("config/database.yml") or ""
        for adapter in _ADAPTER.findall(yml):
            if adapter in _DIALECT:
                return _DIALECT[adapter]
        gems = set(_GEM.findall(changes.text_at_base("Gemfile") or ""))
        for gem in ("mysql2", "trilogy", "pg", "sqlite3"):
            if gem in gems:
                return _DIALECT[gem]
        return ""

    return changes.fact("ruby-dialect", read) or default


def forward_only(changes: ChangeSet, folder: str) -> bool:
    """True when the folder, as merged, has at least :data:`FORWARD_ONLY_AFTER` numbered
    migrations with a ``def up`` (whatever they call) and not one ``def down``: the
    project's runner only goes forward."""

    def read() -> bool:
        ups = 0
        for path in changes.base_paths((f"{folder}/*.rb" if folder else "*.rb",)):
            text = changes.text_at_base(path)
            if posixpath.dirname(path) != folder or text is None or not may_be_migration(path):
                continue
            found = rails.methods(text)
            if "down" in found:
                return False
            ups += "up" in found
        return ups >= FORWARD_ONLY_AFTER

    return changes.fact(f"ruby-forward:{folder}", read)


def check(
    check: BaseCheck, path: str, text: str, *, forward: bool, honour_marker: bool = True
) -> list[Finding]:
    """A ``def up`` without a ``def down``, unless the folder is forward-only (``forward``)
    or the file says ``gatekeeper:irreversible <reason>``."""
    found = rails.methods(text)
    if forward or "up" not in found or "down" in found:
        return []
    reason = irreversible_reason(text) if honour_marker else None
    if reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    message = (
        f"Migration {path} has def up and no def down, in a folder whose migrations define "
        "downs: a rollback cannot undo it."
    )
    return [check.finding("missing-down", message, path=path, line=found["up"].line,
                          evidence=path)]  # fmt: skip


def hits(
    text: str, added: frozenset[int], review: Callable[[list[Statement]], list[Hit]]
) -> list[Hit]:
    """The safety hits of the SQL the up runs, on ``added`` lines (each string's
    statements carry the line of its call)."""
    out: list[Hit] = []
    for line, sql in sql_in(text, "up") + sql_in(text, "change"):
        if line not in added:
            continue
        statements = [replace(s, line=line, end_line=line) for s in split(sql)]
        out += [h for h in review(statements) if h not in out]
    return out
