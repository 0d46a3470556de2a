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
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet

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
