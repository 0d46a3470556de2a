"""Per-database migration files, as popx (Ory) and some golang-migrate setups keep them.

Beside a generic ``<version>_<name>.up.sql`` a folder may hold
``<version>_<name>.<dialect>.up.sql`` (``mysql``, ``sqlite3``, ``cockroach``, ``postgres``,
and their aliases), and ``.autocommit`` before the direction for a file that runs outside
a transaction. For one database the runner takes, per version and per direction, the file
of that dialect when there is one and the generic file otherwise: so a generic down serves
a dialect's up, and a dialect's down-only file replaces just the down. Each database
therefore sees its own chain, and each file is judged in the dialect it is written for.
"""

from __future__ import annotations

import posixpath
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet

#: the names a file may carry -> the database it is for (the runner's canonical names)
ALIASES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "pg": "postgres",
    "cockroach": "cockroach",
    "cockroachdb": "cockroach",
    "crdb": "cockroach",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite3",
    "sqlite3": "sqlite3",
}
#: how each database's files are read by the safety rules
RULES_DIALECT = {"postgres": "postgres", "cockroach": "cockroach", "mysql": "mysql",
                 "sqlite3": "sqlite"}  # fmt: skip
#: what each database is called in messages
LABEL = {"postgres": "PostgreSQL", "cockroach": "CockroachDB", "mysql": "MySQL",
         "sqlite3": "SQLite", "h2": "H2", "tsql": "SQL Server", "oracle": "Oracle",
         "clickhouse": "ClickHouse"}  # fmt: skip
#: folder names that say which database the migrations in them are for (Flyway setups
#: keep ``migrations/h2``, ``migrations/mysql``, ``migrations/postgres`` side by side;
#: flipt keeps its analytics in ``config/migrations/clickhouse``)
FOLDERS = {**ALIASES, "h2": "h2", "mssql": "tsql", "sqlserver": "tsql", "oracle": "oracle",
           "clickhouse": "clickhouse"}  # fmt: skip
#: how the safety rules read the databases only a folder name can name
FOLDER_RULES = {**RULES_DIALECT, "h2": "h2", "tsql": "tsql", "oracle": "oracle",
                "clickhouse": "clickhouse"}  # fmt: skip
_VARIANT = re.compile(
    r"^(\d+)_([^.]+)(?:\.(?!autocommit\.)([a-z0-9]+))?(\.autocommit)?\.(up|down)\.sql$"
)


@dataclass(frozen=True, slots=True)
class Variant:
    """What a file name says: version, name, database ("" for every one), direction."""

    version: str
    name: str
    dialect: str
    autocommit: bool
    direction: str


def parse(filename: str) -> Variant | None:
    """The variant a file name describes; None when it names no database nor autocommit
    (a plain golang-migrate file, or a name whose extra dot is not a database)."""
    m = _VARIANT.match(filename)
    if m is None or not (m.group(3) or m.group(4)):
        return None
    token = m.group(3) or ""
    if token and token not in ALIASES:
        return None
    return Variant(m.group(1), m.group(2), ALIASES.get(token, ""), bool(m.group(4)), m.group(5))


def folder_dialect(path: str) -> str:
    """The database a migration's folder names (``.../migrations/mysql/V1__x.sql``, Prisma's
    ``db/postgresql/migrations/...``, Flyway's ``db/migration_mysql``), "" when none does."""
    token = folder_token(path)
    return FOLDERS[token] if token else ""


#: words a folder name may join to a database's name (``migration_mysql``,
#: ``postgres-migrations``, ``db.sqlite``, a build module such as ``mysql-persistence``
#: or ``storage-postgres``) and still name only that database
_FOLDER_WORDS = frozenset({
    "migration", "migrations", "migrate", "db", "database", "databases", "schema", "schemas",
    "sql", "ddl", "flyway", "liquibase", "changelog", "changelogs", "scripts", "versions",
    "persistence", "store", "storage", "dao", "driver", "backend",
})  # fmt: skip


def folder_token(path: str) -> str:
    """The database name as the nearest folder that names one writes it (``mariadb`` stays
    ``mariadb``, where :data:`FOLDERS` serves it MySQL's chain), "" when none does. A folder
    is the name alone, or the name joined by ``_``, ``-`` or ``.`` to words such as
    ``migration`` or ``db``: ``migration_mysql`` names MySQL, ``mysql_legacy_stuff`` does not."""
    for part in reversed(path.lower().split("/")[:-1]):
        if part in FOLDERS:
            return part
        words = re.split(r"[-_.]", part)
        names = [w for w in words if w in FOLDERS]
        if len(names) == 1 and all(w in FOLDERS or w in _FOLDER_WORDS for w in words):
            return names[0]
    return ""


def from_policy(dialect: str) -> str:
    """The runner's name for the policy's ``dialect`` (the database generic files serve)."""
    return {"sqlite": "sqlite3", "mariadb": "mysql"}.get(dialect, dialect)


def candidates(version: str, name: str, dialect: str, direction: str) -> list[str]:
    """File names that may hold ``direction`` of a version for ``dialect``, best first."""
    stem = f"{version}_{name}"
    out = []
    for alias, target in ALIASES.items():
        if dialect and target == dialect:
            out += [f"{stem}.{alias}.{direction}.sql", f"{stem}.{alias}.autocommit.{direction}.sql"]
    return [*out, f"{stem}.{direction}.sql", f"{stem}.autocommit.{direction}.sql"]


def resolve(
    names: Iterable[str] | Callable[[str], bool],
    version: str,
    name: str,
    dialect: str,
    direction: str,
) -> str | None:
    """The file name the runner takes for this version, database and direction."""
    present = names if callable(names) else set(names).__contains__
    return next((c for c in candidates(version, name, dialect, direction) if present(c)), None)


def dialects_in(names: Iterable[str]) -> set[str]:
    """The databases a folder has files of its own for."""
    found = set()
    for n in names:
        v = parse(n)
        if v is not None and v.dialect:
            found.add(v.dialect)
    return found


#: each change set's file names by folder, per side (True: at base); weak, so a listing
#: goes with its change set and a later one never finds it (an ``id()`` can be reused)
_FOLDERS: weakref.WeakKeyDictionary[ChangeSet, dict[bool, dict[str, frozenset[str]]]] = (
    weakref.WeakKeyDictionary()
)


def folder_names(changes: ChangeSet, folder: str, *, at_base: bool = False) -> frozenset[str]:
    """The file names in ``folder`` at one side (one listing of the tree per change set
    and side, then cached)."""
    return folders(changes, at_base=at_base).get(folder, frozenset())


def folders(changes: ChangeSet, *, at_base: bool = False) -> Mapping[str, frozenset[str]]:
    """Every folder of one side with the file names in it (the listing folder_names reads)."""
    sides = _FOLDERS.setdefault(changes, {})
    by_folder = sides.get(at_base)
    if by_folder is None:
        grouped: dict[str, set[str]] = {}
        for path in (changes.base_tree if at_base else changes.head_tree).paths():
            grouped.setdefault(posixpath.dirname(path), set()).add(posixpath.basename(path))
        by_folder = sides[at_base] = {k: frozenset(v) for k, v in grouped.items()}
    return by_folder


def is_autocommit(path: str) -> bool:
    """True for a file that runs outside a transaction (``.autocommit.`` in its name)."""
    v = parse(posixpath.basename(path))
    return v is not None and v.autocommit
