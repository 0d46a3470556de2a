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
with its columns. Read at base from the migration's chain, each merged migration by its
framework's reader (reindexed.py: Prisma's and diesel's folders, SQL files, Alembic,
Django, Rails, Laravel), or, for Ecto and the frameworks not read there, from the Ecto
migrations (``create index(:t, ...)``, ``create unique_index``, in ``def change``/``def
up``) and plain SQL up files (``CREATE INDEX ... ON t``) directly in the folder. The count
only ever makes a table large: a hot table its team indexed with its columns (nautobot's
job log: none in 123 migrations) has none, so having none does not make a table small.
On a hub that many other tables reference (``users``, ``accounts``: hubs.py) the count says
nothing, and tables.py does not take it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, djtogether, ecto, hubs, reindexed, tables
from gatekeeper.checks.migrations.detect import DJANGO, ECTO, Migration
from gatekeeper.checks.migrations.hits import Hit

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


def sizes(
    changes: ChangeSet, config: Mapping[str, Any], dialect: str, m: Migration, hits: list[Hit]
) -> tables.Sizes:
    """The table sizes ``m``'s hits are judged by: the policy's list when it has one, else
    names and, on PostgreSQL, the team's own precedent in the merged history (read only
    when a hit's level depends on a table's size)."""
    found = tables.Sizes.read(config)
    if found.listed is not None or dialect != "postgres" or not any(map(found.weighs, hits)):
        return found
    often = often_indexed(changes, m)
    formers = former_names(changes, m)
    # tables presumed large by their names alone: a hub among them is an entity (tables.py)
    named = {
        reindexed.bare(n) for h in hits
        if found.weighs(h) and tables.named_growing(h.table) for n in h.table if n != "?"
    }  # fmt: skip
    return dataclasses.replace(
        found,
        indexed_concurrently=concurrent_tables(changes, m.directory),
        indexed_often=often,
        hubs=hubs.hubs(changes, m, [*often, *sorted(named - set(often))], formers),
        formers=formers,
        indexed_many_ways=djtogether.many_indexed(changes, m.path) if m.framework == DJANGO else {},
        hypertables={t: p for t, p in hypertables(changes, m.directory).items() if p != m.path},
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


#: TimescaleDB's ``create_hypertable('asset_datapoint', 'timestamp')``, the relation given
#: by position or by name, quoted, schema-qualified or cast to regclass
_HYPERTABLE = re.compile(
    r"\bcreate_hypertable\s*\(\s*(?:relation\s*=>\s*)?'(?:\"?\w{1,200}\"?\.)?\"?(?P<table>\w{1,200})\"?'",
    re.IGNORECASE,
)


def hypertables(changes: ChangeSet, folder: str) -> dict[str, str]:
    """Lower-cased table name -> the merged file of ``folder`` that made it a TimescaleDB
    hypertable (a time series, partitioned into chunks by time because it grows without
    bound), read once per run and folder. :func:`sizes` leaves out the file being judged:
    traccar's changelog makes ``tc_actions`` a hypertable in one changeset and indexes it
    plainly in another that runs only where TimescaleDB is absent."""
    return changes.fact(f"hypertables:{folder}", lambda: _read_hypertables(changes, folder))


def _read_hypertables(changes: ChangeSet, folder: str) -> dict[str, str]:
    pattern = f"{folder}/*" if folder not in ("", ".") else "*"
    found = changes.base_files_containing(["create_hypertable"], [pattern]) or []
    out: dict[str, str] = {}
    for path in sorted(found)[:MAX_FILES]:
        text = changes.text_at_base(path)
        for m in _HYPERTABLE.finditer(text or ""):
            out.setdefault(m.group("table").lower(), path)
    return out


#: later migrations that must have indexed a table for it to be treated as large
MANY_LATER_INDEXES = 5
#: merged files read per folder for it, at most (newest last: the oldest are read)
MAX_INDEX_FILES = 400
_ECTO_INDEX = re.compile(
    r"\bcreate(?:_if_not_exists)?\b\s*\(?\s*(?:unique_)?index\(\s*(?::(?P<a>\w{1,200})|\"(?P<s>\w{1,200})\")"
)
_ECTO_TABLE = re.compile(
    r"\bcreate(?:_if_not_exists)?\b\s*\(?\s*table\(\s*(?::(?P<a>\w{1,200})|\"(?P<s>\w{1,200})\")"
)


_LEADING_VERSION = re.compile(r"^[A-Za-z]{0,2}\d+")
#: a SQL file that undoes one: ``1_x.down.sql``, ``down.sql``, Flyway's ``U1__x.sql``
_DOWN_FILE = re.compile(r"(?i)(?:^|[._-])down\.sql$|\.down\.|^U\d")


def often_indexed(changes: ChangeSet, m: Migration) -> dict[str, int]:
    """Lower-cased table name -> how many merged migrations of ``m``'s chain built an index
    on it without creating it, for the tables with at least :data:`MANY_LATER_INDEXES`;
    read once per run, folder and framework. The merged files are read under the names the
    PR gives them: a PR that moves the folder does not leave the evidence behind. A table
    a merged migration renamed keeps the count of its former name (reindexed.renames)."""
    return _history(changes, m)[0]


def former_names(changes: ChangeSet, m: Migration) -> dict[str, frozenset[str]]:
    """Lower-cased table name -> the names the merged migrations of ``m``'s chain renamed
    to it (directly or through other names), for hubs.py to count their referrers too."""
    return _history(changes, m)[1]


_History = tuple[dict[str, int], dict[str, frozenset[str]]]


def _history(changes: ChangeSet, m: Migration) -> _History:
    key = f"often-indexed:{m.framework}:{m.directory}"
    return changes.fact(key, lambda: _read_often(changes.renames_undone_at_base(), m))


def _read_often(changes: ChangeSet, m: Migration) -> _History:
    formers: dict[str, set[str]] = {}
    if m.framework == ECTO or not (m.is_sql or m.framework in reindexed.FRAMEWORKS):
        seen = _read_folder(changes, m.directory, formers)
    else:
        seen = _read_chain(changes, m, formers)
    often = {t: len(v) for t, v in seen.items() if len(v) >= MANY_LATER_INDEXES}
    return often, {t: frozenset(v) for t, v in formers.items()}


def _follow(
    seen: dict[str, set[str]], formers: dict[str, set[str]], moves: list[tuple[str, str]]
) -> None:
    """Carry what was counted under each old name of ``moves`` over to its new name."""
    for old, new in moves:
        if not old or not new or old == new:
            continue
        if old in seen:
            seen.setdefault(new, set()).update(seen.pop(old))
        formers.setdefault(new, set()).update({old} | formers.pop(old, set()))
        formers[new].discard(new)


def _read_chain(
    changes: ChangeSet, m: Migration, formers: dict[str, set[str]]
) -> dict[str, set[str]]:
    """The merged chain ``m`` belongs to (Prisma's and diesel's folders of one migration
    each, Alembic's, Django's, Rails', Laravel's files), each read by its framework's
    reader (reindexed.py): table -> the migrations that indexed it, under its newest name
    (``formers``, filled here: new name -> old names)."""
    seen: dict[str, set[str]] = {}
    built: set[str] = set()  # index names built so far, oldest first
    for member in detect.chain(changes, m, at_base=True)[:MAX_INDEX_FILES]:
        text = changes.text_at_base(member.path)
        found = reindexed.tables(changes, member, text, built) if text is not None else None
        if found is None:
            continue
        for table in found[0] - found[1] - {""}:
            seen.setdefault(table, set()).add(member.version)
        _follow(seen, formers, reindexed.renames(changes, member, text or ""))
    return seen


def _read_folder(
    changes: ChangeSet, folder: str, formers: dict[str, set[str]]
) -> dict[str, set[str]]:
    """The Ecto and SQL files directly in ``folder`` (the Ecto folder's reading, and any
    other framework's folder read as SQL): table -> the migrations that indexed it, under
    its newest name (a SQL rename followed; ``formers`` as for :func:`_read_chain`)."""
    pattern = f"{folder}/*" if folder not in ("", ".") else "*"
    # table -> the migrations (by version: one per database's file counts once)
    seen: dict[str, set[str]] = {}
    built: set[str] = set()  # index names built so far, in path order
    paths = [p for p in changes.base_paths((pattern,)) if p.rsplit("/", 1)[0] == folder]
    for path in paths[:MAX_INDEX_FILES]:
        up = _up_text(path, changes.text_at_base(path) or "")
        if not up:
            continue
        indexed, created = reindexed.sql_tables(up, built)
        indexed |= {_ecto_table(m) for m in _ECTO_INDEX.finditer(up)}
        created |= {_ecto_table(m) for m in _ECTO_TABLE.finditer(up)}
        for table in indexed - created - {""}:
            seen.setdefault(table, set()).add(_version(path))
        _follow(seen, formers, reindexed.sql_renames(up))
    return seen


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


def _ecto_table(m: re.Match[str]) -> str:
    """The table of an Ecto ``index(:t, ...)``/``table("t")`` match, as :func:`reindexed.bare`
    writes one."""
    return reindexed.bare(m.group("a") or m.group("s") or "")
