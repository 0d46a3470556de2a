"""Folders of versioned SQL files that no framework's convention claims.

Many projects run their own migrator over a folder of plain SQL files ordered by a version
in the name: Semaphore's ``db/sql/migrations/v2.10.23.sql`` (listed in Go and rewritten
per database), ``0001_init.sql``, ``20240101120000_users.sql``. Such a folder is read as a
forward-only chain (``sql-folder``) when its name says it holds migrations; sqlx's crates
keep the same shape and are told apart by their manifest (:mod:`.sqlx`). Each file is
reviewed with the SQL rules; the runner is the project's own, so the chain is not run.

Whatever else changes under a folder named for migrations and is claimed by no framework
is named (:func:`unclaimed`), so that it is never skipped in silence.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.migrations import sqlx, variants

SQL_FOLDER = "sql-folder"
SQLX = sqlx.SQLX
#: a versioned file name: ``v2.10.23.sql``, ``0001_init.sql``, ``20240101_x.sql``,
#: ``001-init.sql`` (group 1: the version)
_VERSIONED = re.compile(r"^[vV]?(\d+(?:[._]\d+)*)(?:[-_][^.]*)?\.sql$")
#: folder names that say they hold migrations (``migrations``, ``db-migrations``, ``migrate``)
_MIGRATION_WORDS = frozenset({"migrations", "migration", "migrate"})
#: code files a migrations folder may hold that frameworks write migrations in
_CODE = (".py", ".rb", ".go", ".rs", ".php", ".java", ".kt", ".cs", ".js", ".ts", ".mjs",
         ".cjs", ".mts", ".cts",
         # and the query languages of other databases, and SQL under other suffixes
         ".cql", ".cypher", ".surql", ".hql", ".ddl", ".pgsql", ".psql")  # fmt: skip
#: folders whose files are tests, fixtures, documentation or build output, not migrations
_NOT_MIGRATIONS = frozenset({
    "test", "tests", "__tests__", "testdata", "testing", "fixtures", "fixture", "docs", "doc",
    "examples", "example", "spec", "specs", "mocks", "__mocks__", "vendor", "node_modules",
    "third_party", "seeds", "seed", "templates", "utils", "util", "helpers", "dist", "build",
    "target", "out", "coverage", "generated",
})  # fmt: skip
#: SQL files a migrations folder keeps beside its chain that are no migration: the schema
#: as it stands (``LATEST.sql``, ``current_schema_postgres.sql``), seeds and dumps
_NOT_A_MIGRATION = re.compile(r"schema|latest|seed|dump|structure", re.IGNORECASE)
_TEST_NAME = re.compile(r"(^test_|_test\.|\.test\.|\.spec\.|_spec\.|^conftest\.py$)")
#: a code file named as a migration is (a version first, after the letter or word some
#: tools put before it: sea-orm's ``m20240101_000001_x.rs``, FluentMigrator's
#: ``M0002_X.cs``, MikroORM's ``Migration20240101000000.ts``); others are runners and helpers
_CODE_VERSIONED = re.compile(r"^(?:[vVmM]|[Mm]igration_?|[Vv]ersion_?)?\d")


@dataclass(frozen=True, slots=True)
class Found:
    """A file of a recognised folder: its framework, version and database ("" unknown)."""

    framework: str
    version: str
    dialect: str


def says_migrations(folder: str) -> bool:
    """True when ``folder``'s own name says it holds migrations (``migrations``,
    ``record-migrations``, ``sql_migrations``, ``migrate``), or it is a database's folder
    inside one (``migrations/postgres``)."""
    name = posixpath.basename(folder).lower()
    if _named_for_migrations(name):
        return True
    parent = posixpath.basename(posixpath.dirname(folder)).lower()
    return name in variants.FOLDERS and _named_for_migrations(parent)


def _named_for_migrations(name: str) -> bool:
    return any(w in _MIGRATION_WORDS for w in re.split(r"[-_.]", name)) or name.endswith(
        "migrations"
    )


def recognise(changes: ChangeSet, path: str, *, declared: bool = False) -> Found | None:
    """What ``path`` is, when it is a versioned SQL file of a sqlx folder or of a folder
    named for migrations (any folder when ``declared``: the policy lists it); None
    otherwise (call it only for files no framework claimed)."""
    name = posixpath.basename(path)
    folder = posixpath.dirname(path)
    simple = sqlx.NAME.match(name)
    if simple and sqlx.is_folder(changes, folder):
        return Found(SQLX, simple.group(1), sqlx.dialect(changes, folder))
    versioned = _VERSIONED.match(name)
    if versioned is None or name.endswith((".up.sql", ".down.sql")):
        return None
    release = release_of(folder)
    if release:
        return Found(SQL_FOLDER, f"{release}.{versioned.group(1)}", variants.folder_dialect(path))
    if not (declared or says_migrations(folder)) or python_package(changes, folder):
        return None
    return Found(SQL_FOLDER, versioned.group(1), variants.folder_dialect(path))


#: a folder named for the release whose migrations it holds (``0.27``, ``v1.2``)
_RELEASE = re.compile(r"^[vV]?(\d+(?:\.\d+)+)$")


def release_of(folder: str) -> str:
    """The release a folder of one release's migrations is named for, "" when it is none:
    memos keeps ``store/migration/<database>/<release>/<NN>__<name>.sql``, run in release
    order and then by number. Only a release folder in a migrations folder, or in a
    database's folder inside one, counts."""
    m = _RELEASE.match(posixpath.basename(folder))
    return m.group(1) if m and says_migrations(posixpath.dirname(folder)) else ""


def python_package(changes: ChangeSet, folder: str) -> bool:
    """True when ``folder`` is a Python package (Django's and Alembic's migrations are):
    SQL files there render its Python migrations (courtlistener's ``0001_initial.sql``
    beside ``0001_initial.py``), they are no chain of their own."""
    return any(
        "__init__.py" in variants.folder_names(changes, folder, at_base=side)
        for side in (False, True)
    )


def chain_members(
    changes: ChangeSet, folder: str, framework: str, *, at_base: bool
) -> list[tuple[str, str]]:
    """``(path, version)`` of each file of the folder's chain, in no particular order: for
    a release folder (:func:`release_of`), the files of every release folder beside it."""
    if framework == SQL_FOLDER and release_of(folder):
        parent = posixpath.dirname(folder)
        listing = variants.folders(changes, at_base=at_base)
        return [
            (path, f"{release}.{version}")
            for sibling in sorted(listing)
            if posixpath.dirname(sibling) == parent and (release := release_of(sibling))
            for path, version in _members(changes, sibling, framework, at_base=at_base)
        ]
    return _members(changes, folder, framework, at_base=at_base)


def _members(
    changes: ChangeSet, folder: str, framework: str, *, at_base: bool
) -> list[tuple[str, str]]:
    out = []
    for name in sorted(variants.folder_names(changes, folder, at_base=at_base)):
        if framework == SQLX:
            m = sqlx.NAME.match(name)
        else:
            m = _VERSIONED.match(name)
            m = None if name.endswith((".up.sql", ".down.sql")) else m
        if m is not None:
            out.append((posixpath.join(folder, name) if folder else name, m.group(1)))
    return out


def unclaimed(
    changes: ChangeSet,
    claimed: Iterable[str],
    paths: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> list[str]:
    """Changed (added or edited) SQL and versioned code files under a folder named for
    migrations that no framework claims, sorted: the gate could not review them."""
    taken = set(claimed)
    out = []
    for f in changes.matching(paths or ("**",), exclude):
        if f.status is FileStatus.DELETED or f.path in taken:
            continue
        parts = f.path.lower().split("/")
        name = parts[-1]
        folders = parts[:-1]
        if not folders or any(_not_migrations(p) for p in folders) or _TEST_NAME.search(name):
            continue
        if not any(_named_for_migrations(p) or _db_migrate(folders, i) for i, p in
                   enumerate(folders)):  # fmt: skip
            continue
        if name.endswith(".sql") and not _NOT_A_MIGRATION.search(name):
            if not python_package(changes, posixpath.dirname(f.path)):
                out.append(f.path)
        elif name.endswith(_CODE) and _CODE_VERSIONED.match(name):
            out.append(f.path)
    return sorted(out)


def _not_migrations(folder: str) -> bool:
    """A folder of tests, fixtures or docs (``test-files``, ``testdata``, ``docs``)."""
    return folder in _NOT_MIGRATIONS or any(
        w in _NOT_MIGRATIONS for w in re.split(r"[-_.]", folder)
    )


def _db_migrate(folders: list[str], i: int) -> bool:
    """``db/migrate_mysql``, ``db/migrate-v2``: Rails-like folders under ``db``."""
    return i > 0 and folders[i - 1] == "db" and folders[i].startswith("migrate")


def declared(path: str, patterns: Iterable[str]) -> bool:
    """True when the policy's ``frameworks.sql-folder`` globs name ``path``."""
    globs = tuple(patterns)
    return bool(globs) and match_any(path, globs)
