"""Existence guards written into the statements of a merged migration.

A merged migration that failed where its object was already there (an extension a
managed database ships, an index an operator made by hand, a constraint an older
release never created) is often repaired by making its statements idempotent:
``CREATE EXTENSION pgcrypto`` becomes ``CREATE EXTENSION IF NOT EXISTS pgcrypto``,
``DROP CONSTRAINT x`` becomes ``DROP CONSTRAINT IF EXISTS x``, Ecto's ``create(index(...))``
becomes ``create_if_not_exists(index(...))`` (firezone a987056541, cc280dae50,
pixelfed 4a97e8003f). Judged by its effect: a database that ran the migration never
runs it again; one that has not, and lacks the object, runs the same statement; one that
has the object skips what would have failed. So the edit rewrites no history, unlike
any other edit of the same file.

The edit is read as a token diff of the whole file: every difference must be the guard
inserted right after the words that start such a statement (``CREATE [UNIQUE] INDEX
[CONCURRENTLY]``, ``DROP TABLE``, ``ADD COLUMN``...), or Ecto's ``create``/``drop``
call renamed to its ``_if_not_exists``/``_if_exists`` form. Any other token changed,
however small, leaves the edit a rewrite. Files a runner checksums (Flyway, Liquibase,
sqlx, Prisma, Sqitch) are never relieved: there the edit itself breaks databases that
ran the file.
"""

from __future__ import annotations

import difflib
import re

from gatekeeper.checks.migrations import detect

#: runners that record a migration by its name or version only, never by a checksum
UNCHECKED = frozenset({
    detect.ALEMBIC, detect.DJANGO, detect.GOLANG_MIGRATE, detect.DBMATE, detect.GOOSE,
    detect.SQL_MIGRATE, detect.RAILS, detect.DIESEL, detect.NODE, detect.GO,
    detect.DRIZZLE, detect.RUBY_SQL, detect.DOCTRINE, detect.LARAVEL, detect.ECTO,
    detect.FIZZ, detect.EF_CORE,
})  # fmt: skip
#: a bound on what the head can make us diff
_MAX_TOKENS = 40_000
_TOKEN = re.compile(r"\w+|[^\w\s]")
#: the words before an inserted ``IF NOT EXISTS``: the object kinds a create names
_CREATES = re.compile(
    r"(?:\bCREATE (?:UNIQUE )?INDEX(?: CONCURRENTLY)?|\bCREATE (?:EXTENSION|TABLE|SCHEMA|"
    r"SEQUENCE|VIEW|MATERIALIZED VIEW)|\bADD COLUMN)$"
)
#: the words before an inserted ``IF EXISTS``: the object kinds a drop names
_DROPS = re.compile(
    r"\bDROP (?:INDEX(?: CONCURRENTLY)?|EXTENSION|TABLE|SCHEMA|SEQUENCE|VIEW|"
    r"MATERIALIZED VIEW|CONSTRAINT|COLUMN|TRIGGER|FUNCTION|TYPE)$"
)
#: Ecto's guarded forms of its create and drop calls
_ECTO_GUARDED = {"create": "create_if_not_exists", "drop": "drop_if_exists"}


def only_guards_added(framework: str, before: str, after: str) -> bool:
    """True when ``after`` is ``before`` with existence guards added and nothing else
    (module docstring), for a runner that keeps no checksum of the file."""
    if framework not in UNCHECKED or before == after:
        return False
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    if not new or max(len(old), len(new)) > _MAX_TOKENS:
        return False
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changed = False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if not _guard(framework, old, (op, i1, i2), new[j1:j2]):
            return False
        changed = True
    return changed


def _guard(framework: str, old: list[str], edit: tuple[str, int, int], added: list[str]) -> bool:
    """Whether one difference is a guard: ``IF [NOT] EXISTS`` inserted after the words
    that start a create or drop, or an Ecto call renamed to its guarded form."""
    op, i1, i2 = edit
    if op == "replace" and framework == detect.ECTO and i2 - i1 == 1 and len(added) == 1:
        return _ECTO_GUARDED.get(old[i1]) == added[0] and old[i1 + 1 : i1 + 2] == ["("]
    if op != "insert":
        return False
    words = " ".join(t.upper() for t in added)
    before = " ".join(t.upper() for t in old[max(0, i1 - 4) : i1])
    if words == "IF NOT EXISTS":
        return bool(_CREATES.search(before))
    if words == "IF EXISTS":
        return bool(_DROPS.search(before))
    return False
