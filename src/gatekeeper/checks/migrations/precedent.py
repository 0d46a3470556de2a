"""Tables the team itself treats as large: its merged migrations index them CONCURRENTLY.

A team that once built an index on ``artifacts`` with ``CREATE INDEX CONCURRENTLY`` (in an
autocommit block of an Alembic migration, a non-transactional SQL file) has said that
writes to that table cannot wait for an index build. A later plain ``CREATE INDEX`` on it
is the mistake a reviewer of that team would catch, whatever the table's name says.
:func:`concurrent_tables` reads the merged migrations of a chain's folder once per run:
SQL ``CREATE [UNIQUE] INDEX CONCURRENTLY ... ON table`` wherever it is written (a SQL file,
an ``op.execute`` string, a knex ``raw``), Alembic's ``op.create_index(name, "table",
..., postgresql_concurrently=True)`` and Ecto's ``create index(:table, ..., concurrently:
true)``. Read at base: a PR cannot make a table small by
editing what was merged (and making one large only makes the gate stricter).

:func:`often_indexed` reads a second sign of the same kind: a table the merged migrations
came back to add indexes on, in many migrations after the one that created it. A team
indexes a table again and again when its queries keep getting slow, which is what a table
that keeps growing does (TeslaMate's ``positions``, a row every few seconds of a drive,
had five such migrations before its sixth); a table of settings or users gets its indexes
with its columns. Read from Ecto migrations (``create index(:t, ...)``, ``create
unique_index``, in ``def change``/``def up``) and plain SQL up files (``CREATE INDEX ... ON
t``) of the folder, at base.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import ecto

#: merged files read per folder, at most
MAX_FILES = 50
#: the words a search for such files looks for (whole words: Alembic's keyword is one)
_WORDS = ["concurrently", "postgresql_concurrently"]
_SQL = re.compile(
    r"\bcreate\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?"
    r"(?:[\w\"`.]+\s+)?on\s+(?:only\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
_ALEMBIC = re.compile(
    r"\bcreate_index\(\s*[^,()]{1,200},\s*[\"'](?P<table>[\w.]{1,200})[\"']"
    r"[^()]{0,600}?(?:\([^()]{0,300}\)[^()]{0,600}?)*postgresql_concurrently\s*=\s*True",
)

_ECTO = re.compile(
    r"\b(?:unique_)?index\(\s*[:\"](?P<table>\w{1,200})\"?\s*,[^()]{0,600}?"
    r"(?:\([^()]{0,300}\)[^()]{0,600}?)*\bconcurrently:\s*true\b",
)


def concurrent_tables(changes: ChangeSet, folder: str) -> dict[str, str]:
    """Lower-cased table name -> the merged file of ``folder`` that indexed it
    CONCURRENTLY (the first in path order), read once per run and folder."""
    return changes.fact(f"concurrent-tables:{folder}", lambda: _read(changes, folder))


def _read(changes: ChangeSet, folder: str) -> dict[str, str]:
    pattern = f"{folder}/*" if folder not in ("", ".") else "*"
    found = changes.base_files_containing(_WORDS, [pattern]) or []
    out: dict[str, str] = {}
    for path in sorted(found)[:MAX_FILES]:
        text = changes.text_at_base(path)
        if text is None:
            continue
        for m in (*_SQL.finditer(text), *_ALEMBIC.finditer(text), *_ECTO.finditer(text)):
            table = m.group("table").strip('"`').rsplit(".", 1)[-1].strip('"`').lower()
            if table:
                out.setdefault(table, path)
    return out


#: later migrations that must have indexed a table for it to be treated as large
MANY_LATER_INDEXES = 5
#: merged files read per folder for it, at most (newest last: the oldest are read)
MAX_INDEX_FILES = 400
_SQL_ANY = re.compile(
    r"\bcreate\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?"
    r"(?:[\w\"`.]+\s+)?on\s+(?:only\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
_SQL_TABLE = re.compile(
    r"\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
_ECTO_INDEX = re.compile(
    r"\bcreate(?:_if_not_exists)?\b\s*\(?\s*(?:unique_)?index\(\s*(?::(?P<a>\w{1,200})|\"(?P<s>\w{1,200})\")"
)
_ECTO_TABLE = re.compile(
    r"\bcreate(?:_if_not_exists)?\b\s*\(?\s*table\(\s*(?::(?P<a>\w{1,200})|\"(?P<s>\w{1,200})\")"
)


_LEADING_VERSION = re.compile(r"^[A-Za-z]{0,2}\d+")
#: a SQL file that undoes one: ``1_x.down.sql``, ``down.sql``, Flyway's ``U1__x.sql``
_DOWN_FILE = re.compile(r"(?i)(?:^|[._-])down\.sql$|\.down\.|^U\d")


def often_indexed(changes: ChangeSet, folder: str) -> dict[str, int]:
    """Lower-cased table name -> how many merged migrations of ``folder`` built an index
    on it without creating it, for the tables with at least :data:`MANY_LATER_INDEXES`;
    read once per run and folder."""
    return changes.fact(f"often-indexed:{folder}", lambda: _read_often(changes, folder))


def _read_often(changes: ChangeSet, folder: str) -> dict[str, int]:
    pattern = f"{folder}/*" if folder not in ("", ".") else "*"
    # table -> the migrations (by version: one per database's file counts once)
    seen: dict[str, set[str]] = {}
    paths = [p for p in changes.base_paths((pattern,)) if p.rsplit("/", 1)[0] == folder]
    for path in paths[:MAX_INDEX_FILES]:
        up = _up_text(path, changes.text_at_base(path) or "")
        if not up:
            continue
        indexed = {_bare(m) for m in (*_SQL_ANY.finditer(up), *_ECTO_INDEX.finditer(up))}
        created = {_bare(m) for m in (*_SQL_TABLE.finditer(up), *_ECTO_TABLE.finditer(up))}
        for table in indexed - created - {""}:
            seen.setdefault(table, set()).add(_version(path))
    return {t: len(v) for t, v in seen.items() if len(v) >= MANY_LATER_INDEXES}


def _version(path: str) -> str:
    """The migration a file is a part of: its leading version (``20210410_x.postgres.up.sql``
    and ``20210410_x.mysql.up.sql`` are one migration), else its name up to the first dot."""
    name = path.rsplit("/", 1)[-1]
    m = _LEADING_VERSION.match(name)
    return m.group(0) if m else name.split(".", 1)[0]


def _up_text(path: str, text: str) -> str:
    """What the up side of a migration file runs, as text: an Ecto migration's ``def
    change``/``def up`` (and the private functions beside them), an SQL file unless it is a
    down file; nothing for other files."""
    name = path.rsplit("/", 1)[-1]
    if name.lower().endswith(".sql"):
        return "" if _DOWN_FILE.search(name) else text
    if not ecto.is_migration(path, text):
        return ""
    found = ecto.methods(text)
    bodies = [m for n, m in found.items() if n in ("change", "up") or m.private]
    return "\n".join(line for m in bodies for _, line in m.body)


def _bare(m: re.Match[str]) -> str:
    groups = m.groupdict()
    name = groups.get("table") or groups.get("a") or groups.get("s") or ""
    return name.strip('"`').rsplit(".", 1)[-1].strip('"`').lower()
