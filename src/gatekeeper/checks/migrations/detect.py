"""Recognise migrations among the changed files, by framework, wherever they live.

Each framework is known by its file-naming convention (and, for the ones that share the
``.sql`` suffix, by a marker in the file). Where a framework keeps up and down apart
(golang-migrate, Flyway undo, sqitch revert, ``*.up.sql``/``*.down.sql``), a change to
either side counts as a change to the migration. Prisma Migrate is forward-only: its
``<timestamp>_<name>/migration.sql`` folders have no down side to ask for. Migrations
written as Go code are recognised by their shape (:mod:`.gomig`). Drizzle Kit's SQL files
are known by the folder they are in (:mod:`.drizzle`); Drizzle, too, is forward-only.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.migrations import (
    doctrine,
    drizzle,
    ecto,
    efcore,
    fizz,
    gomig,
    laravel,
    liquibase,
    nodemig,
    rubysql,
    sqlfolder,
    sqlmigrate,
    variants,
)

ALEMBIC = "alembic"
DJANGO = "django"
GOLANG_MIGRATE = "golang-migrate"
FLYWAY = "flyway"
DBMATE = "dbmate"
GOOSE = "goose"
#: rubenv/sql-migrate: ``*.sql`` with ``-- +migrate Up``/``Down`` sections (:mod:`.sqlmigrate`)
SQL_MIGRATE = "sql-migrate"
SQITCH = "sqitch"
SQL_PAIR = "sql-pair"
PRISMA = "prisma"
RAILS = "rails"
DIESEL = "diesel"
NODE = "node"
#: migrations written as Go code (goose Go files, gormigrate, xormigrate, project runners)
GO = "go"
#: Liquibase changelogs (XML, YAML, JSON, formatted SQL): each changeset a unit
LIQUIBASE = "liquibase"
#: Drizzle Kit's generated SQL, one file per migration beside ``meta/_journal.json``
DRIZZLE = "drizzle"
#: numbered Ruby classes outside db/migrate whose ``def up`` runs SQL strings (:mod:`.rubysql`)
RUBY_SQL = "ruby-sql"
#: Doctrine Migrations (PHP): ``Version<digits>.php`` classes extending AbstractMigration
DOCTRINE = "doctrine"
#: sqlx (Rust) simple migrations, ``<version>_<name>.sql`` in a crate's folder (:mod:`.sqlx`)
SQLX = sqlfolder.SQLX
#: versioned SQL files in a folder named for migrations, run by the project's own code
SQL_FOLDER = sqlfolder.SQL_FOLDER
#: Laravel migrations (PHP): ``YYYY_MM_DD_HHMMSS_<name>.php`` classes extending Migration
LARAVEL = "laravel"
#: Ecto migrations (Elixir): ``priv/<repo>/migrations/<timestamp>_<name>.exs`` modules
ECTO = "ecto"
#: gobuffalo pop's fizz files, ``<timestamp>_<name>.up.fizz`` and ``.down.fizz`` (:mod:`.fizz`):
#: judged by their SQL translation, never executed
FIZZ = "fizz"
#: Entity Framework Core migrations (C#): ``<timestamp>_<Name>.cs`` classes deriving from
#: ``Migration`` (:mod:`.efcore`); their ``.Designer.cs`` and model snapshot are not migrations
EF_CORE = "efcore"

FRAMEWORKS = (
    ALEMBIC, DJANGO, GOLANG_MIGRATE, FLYWAY, DBMATE, GOOSE, SQITCH, SQL_PAIR, PRISMA, RAILS,
    DIESEL, NODE, GO, LIQUIBASE, DRIZZLE, RUBY_SQL, DOCTRINE, SQLX, SQL_FOLDER,
    LARAVEL, ECTO, SQL_MIGRATE, FIZZ, EF_CORE,
)  # fmt: skip
#: frameworks whose migrations are plain SQL that can be executed directly
SQL_FRAMEWORKS = frozenset(
    {GOLANG_MIGRATE, FLYWAY, DBMATE, GOOSE, SQITCH, SQL_PAIR, PRISMA, DIESEL, DRIZZLE, SQLX,
     SQL_FOLDER, SQL_MIGRATE}
)  # fmt: skip
#: frameworks with no down side by design (asking for one would flag every migration)
FORWARD_ONLY = frozenset({PRISMA, DRIZZLE, SQLX, SQL_FOLDER})

# the annotation stays on its line: [^=]* ran to the end of the file from every line
_ALEMBIC_REV = re.compile(r"^revision[ \t]*(?::[^=\n]*)?=", re.MULTILINE)
_ALEMBIC_DOWN = re.compile(r"^down_revision[ \t]*(?::[^=\n]*)?=", re.MULTILINE)
#: Django imports a migration by its file name, so a hyphen is allowed
#: (readthedocs' ``0014_add-state-tracking.py``)
_DJANGO_NAME = re.compile(r"^\d{4}_[\w-]+\.py$")
_DJANGO_CLASS = re.compile(r"class\s+Migration\s*\(\s*(?:migrations\.)?Migration\s*\)")
_GOLANG = re.compile(r"^(\d+)_(.+)\.(up|down)\.sql$")
_PAIR = re.compile(r"^(.+)\.(up|down)\.sql$")
_FLYWAY = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$")
_DBMATE = re.compile(r"^--\s*migrate:up\b", re.MULTILINE)
_GOOSE = re.compile(r"^--\s*\+goose\s+Up\b", re.MULTILINE | re.IGNORECASE)
#: Prisma names each migration's folder by a 14-digit timestamp
_PRISMA_FOLDER = re.compile(r"^(\d{14})_\w+$")
#: the files any framework keeps migrations in
_SUFFIXES: tuple[str, ...] = (".sql", ".py", ".rb", ".go", ".php", ".exs", ".cs", fizz.SUFFIX)
_SUFFIXES += (*nodemig.SUFFIXES, *liquibase.SUFFIXES)
_RAILS_NAME = re.compile(r"^\d+_\w+\.rb$")
#: diesel (and its kin) keep each migration in a folder named ``<version>_<name>`` holding
#: ``up.sql`` and ``down.sql``; the version is a timestamp (``2024-01-31-120000-0000``,
#: ``20240131120000``) or the ``00000000000000`` of diesel's own setup; the name after it is
#: the one ``diesel migration generate`` was given, hyphens and all (lemmy's
#: ``2025-09-15-090401_remove-keyboard-nav``)
_DIESEL_FOLDER = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{6}(?:-\d{4})?|\d{8,})_\w[\w-]*$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration: the file that holds its up side and, when separate, its down file."""

    framework: str
    path: str
    #: sortable position in its chain (a version, a number, a file name)
    version: str
    #: the separate file holding the down side (None when up and down share ``path``)
    down_path: str | None = None
    #: the database this migration is written for, when its files say so (``mysql``,
    #: ``sqlite3``...: see :mod:`.variants`); "" for a migration every database runs
    dialect: str = ""

    @property
    def directory(self) -> str:
        """The folder its chain lives in (for sqitch, the project folder above deploy/)."""
        folder = posixpath.dirname(self.path)
        return posixpath.dirname(folder) if self.framework in (SQITCH, PRISMA, DIESEL) else folder

    @property
    def is_sql(self) -> bool:
        """True when the migration is plain SQL (executed directly in a roundtrip)."""
        return self.framework in SQL_FRAMEWORKS

    @property
    def reads_as_sql(self) -> bool:
        """True when the migration is judged as SQL: plain SQL, or fizz's translation."""
        return self.framework in SQL_FRAMEWORKS or self.framework == FIZZ


#: a timestamp written with dashes, as diesel names its folders (``2017-10-06-234455``,
#: ``2024-01-31-120000-0000``)
_DASHED_NUMBER = re.compile(r"\d+(?:-\d+)+")


def _version_part(part: str) -> tuple[int, str]:
    if part.isdigit():
        return (int(part), "")
    if _DASHED_NUMBER.fullmatch(part):
        # diesel records the digits alone: its date and time (14 digits) order the chain
        # among plain ``20141001190229`` versions, the rest breaks ties
        digits = part.replace("-", "")
        return (int(digits[:14]), digits[14:])
    return (0, part)


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort versions numerically where they are numbers ("V2" before "V10"); a dashed
    timestamp is the number its digits spell, so a chain mixing ``20141001190229`` and
    ``2017-10-06-234455`` runs in date order."""
    return tuple(_version_part(p) for p in re.split(r"[._]", version))


def sort_key(m: Migration) -> tuple[tuple[int, str], ...]:
    """The order migrations of one chain are applied in."""
    return _version_key(m.version)


def classify(
    path: str,
    text: str | None,
    present: Callable[[str], bool] | None = None,
    *,
    in_drizzle: bool = False,
    in_laravel: bool = False,
) -> Migration | None:
    """The migration ``path`` belongs to (its up side), or None when it is not one.

    ``text`` is the file's content when known; it is needed for the frameworks that
    share the ``.sql`` suffix and for Python files. ``present`` tells which file names
    exist in the file's folder: with it, a per-database file is paired with the up and
    down its database really runs (a generic file where it has none of its own).
    ``in_drizzle``: the file's folder is a Drizzle migrations folder (:func:`drizzle.is_folder`).
    ``in_laravel``: the repository is a Laravel application (:func:`laravel.is_app`).
    """
    name = posixpath.basename(path)
    folder = posixpath.dirname(path)
    if name.endswith(".py"):
        return _classify_python(path, name, text)
    if name.endswith(".rb"):
        return _classify_rails(path, name, text)
    if name.endswith(nodemig.SUFFIXES):
        node = nodemig.is_migration(path, text)
        return Migration(NODE, path, nodemig.version(path)) if node else None
    if name.endswith(".php"):
        if laravel.is_migration(path, text, in_app=in_laravel):
            return Migration(LARAVEL, path, laravel.version(path))
        php = doctrine.is_migration(path, text)
        return Migration(DOCTRINE, path, doctrine.version(path)) if php else None
    if name.endswith(".exs"):
        return Migration(ECTO, path, ecto.version(path)) if ecto.is_migration(path, text) else None
    if name.endswith(".cs"):
        ef = efcore.is_migration(path, text)
        return Migration(EF_CORE, path, efcore.version(path)) if ef else None
    if name.endswith(".go"):
        go = gomig.is_migration(path, text)
        return Migration(GO, path, gomig.version(path)) if go else None
    if name.endswith(fizz.SUFFIX):
        f = fizz.NAME.match(name)
        if f is None or posixpath.basename(folder) == fizz.TEMPLATES:
            return None
        up = posixpath.join(folder, f"{f.group(1)}_{f.group(2)}.up.fizz")
        return Migration(FIZZ, up, f.group(1), _swap(up, ".up.fizz", ".down.fizz"))
    if name.endswith(liquibase.SUFFIXES) and liquibase.may_be_changelog(path, text):
        lb = liquibase.is_migration(path, text)
        return Migration(LIQUIBASE, path, liquibase.version(path)) if lb else None
    if not name.endswith(".sql"):
        return None
    if in_drizzle:
        return Migration(DRIZZLE, path, name[:-4])
    variant = variants.parse(name)
    if variant is not None:
        return _classify_variant(folder, name, variant, present)
    m = _GOLANG.match(name)
    if m:
        up = posixpath.join(folder, f"{m.group(1)}_{m.group(2)}.up.sql")
        return Migration(GOLANG_MIGRATE, up, m.group(1), _swap(up, ".up.sql", ".down.sql"))
    m = _PAIR.match(name)
    if m:
        up = posixpath.join(folder, f"{m.group(1)}.up.sql")
        return Migration(SQL_PAIR, up, m.group(1), _swap(up, ".up.sql", ".down.sql"))
    m = _FLYWAY.match(name)
    if m:
        up = posixpath.join(folder, f"V{m.group(2)}__{m.group(3)}.sql")
        undo = posixpath.join(folder, f"U{m.group(2)}__{m.group(3)}.sql")
        return Migration(FLYWAY, up, m.group(2), undo)
    parts = path.split("/")
    if name in ("up.sql", "down.sql") and len(parts) >= 2 and _DIESEL_FOLDER.match(parts[-2]):
        up = posixpath.join(folder, "up.sql")
        return Migration(DIESEL, up, parts[-2].split("_", 1)[0], posixpath.join(folder, "down.sql"))
    if (
        name == "migration.sql"
        and len(parts) >= 2
        and (_PRISMA_FOLDER.match(parts[-2]) or (len(parts) >= 3 and parts[-3] == "migrations"))
    ):
        return Migration(PRISMA, path, parts[-2])
    if len(parts) >= 2 and parts[-2] in ("deploy", "revert"):
        project = "/".join(parts[:-2])
        up = posixpath.join(project, "deploy", name)
        return Migration(SQITCH, up, name[:-4], posixpath.join(project, "revert", name))
    if text is not None and _DBMATE.search(text):
        return Migration(DBMATE, path, name.split("_", 1)[0])
    if text is not None and _GOOSE.search(text):
        return Migration(GOOSE, path, name.split("_", 1)[0])
    if sqlmigrate.is_migration(text):
        return Migration(SQL_MIGRATE, path, sqlmigrate.version(name))
    return None


def _classify_variant(
    folder: str, name: str, v: variants.Variant, present: Callable[[str], bool] | None
) -> Migration:
    own = {d: name.replace(f".{v.direction}.sql", f".{d}.sql") for d in ("up", "down")}
    if present is not None:
        up = variants.resolve(present, v.version, v.name, v.dialect, "up") or own["up"]
        down = variants.resolve(present, v.version, v.name, v.dialect, "down") or own["down"]
    else:
        up, down = own["up"], own["down"]
    return Migration(
        GOLANG_MIGRATE,
        posixpath.join(folder, up),
        v.version,
        posixpath.join(folder, down),
        v.dialect,
    )


def _classify_rails(path: str, name: str, text: str | None) -> Migration | None:
    """``db/migrate/<timestamp>_name.rb`` defining an ``ActiveRecord::Migration``; or a
    project's own numbered migration running SQL strings (:mod:`.rubysql`)."""
    if rubysql.is_migration(path, text):
        return Migration(RUBY_SQL, path, rubysql.version(path))
    if text is None or not _RAILS_NAME.match(name) or "migrate" not in path.split("/")[:-1]:
        return None
    if "ActiveRecord::Migration" not in text:
        return None
    return Migration(RAILS, path, name.split("_", 1)[0])


def _classify_python(path: str, name: str, text: str | None) -> Migration | None:
    if text is None:
        return None
    if _ALEMBIC_REV.search(text) and _ALEMBIC_DOWN.search(text):
        return Migration(ALEMBIC, path, name[:-3])
    if (
        _DJANGO_NAME.match(name)
        and posixpath.basename(posixpath.dirname(path)) == "migrations"
        and _DJANGO_CLASS.search(text)
    ):
        return Migration(DJANGO, path, name[:-3])
    return None


def _may_be_php_migration(path: str) -> bool:
    """A PHP file named as Doctrine or Laravel name migrations: the ones worth reading."""
    return doctrine.may_be_migration(path) or laravel.may_be_migration(path)


def _swap(path: str, old: str, new: str) -> str:
    return path[: -len(old)] + new


def _in_sql_folder(changes: ChangeSet, path: str, declared: Iterable[str]) -> Migration | None:
    """A sqlx migration, or a versioned SQL file of a folder named for migrations (or of
    one the policy lists under ``frameworks.sql-folder``): see :mod:`.sqlfolder`."""
    found = sqlfolder.recognise(changes, path)
    if found is None and sqlfolder.declared(path, declared):
        found = sqlfolder.recognise(changes, path, declared=True)
    if found is None:
        return None
    return Migration(found.framework, path, found.version, dialect=found.dialect)


def _allowed(m: Migration, locations: Mapping[str, Iterable[str]]) -> bool:
    patterns = tuple(locations.get(m.framework, ("**",)))
    return bool(patterns) and match_any(m.path, patterns)


def changed_migrations(
    changes: ChangeSet,
    locations: Mapping[str, Iterable[str]] | None = None,
    paths: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> list[Migration]:
    """The migrations the change touched (added, edited, or deleted), sorted by path.

    ``locations`` restricts each framework to path globs (an empty list turns it off).
    """
    locations = locations or {}
    found: dict[tuple[str, str], Migration] = {}
    for f in changes.matching(paths or ("**",), exclude):
        if not f.path.endswith(_SUFFIXES):
            continue
        if f.path.endswith(nodemig.SUFFIXES) and not nodemig.may_be_migration(f.path):
            continue  # reading every changed script to ask would cost a large PR dearly
        if f.path.endswith(".go") and not gomig.may_be_migration(f.path):
            continue
        if f.path.endswith(".exs") and not ecto.may_be_migration(f.path):
            continue
        if f.path.endswith(".cs") and not efcore.may_be_migration(f.path):
            continue
        if f.path.endswith(".php") and not _may_be_php_migration(f.path):
            continue
        deleted = f.status is FileStatus.DELETED
        text = changes.text_at_base(f.path) if deleted else changes.text_at_head(f.path)
        present, in_drizzle = None, False
        if f.path.endswith(".sql"):  # only SQL files pair by the names beside them
            folder = posixpath.dirname(f.path)
            present = variants.folder_names(changes, folder, at_base=deleted).__contains__
            in_drizzle = drizzle.is_folder(changes, folder)
        in_laravel = laravel.may_be_migration(f.path) and laravel.is_app(changes)
        m = classify(f.path, text, present, in_drizzle=in_drizzle, in_laravel=in_laravel)
        if m is not None and m.framework == GO and not deleted:
            base = changes.text_at_base(changes.base_path_of(f.path))
            m = None if gomig.still_the_runner(f.path, text, base) else m
        if m is None and not deleted and not f.is_text:
            old = changes.text_at_base(changes.base_path_of(f.path))
            m = classify(f.path, old, in_drizzle=in_drizzle)
        if m is None and f.path.endswith(".sql"):
            m = _in_sql_folder(changes, f.path, locations.get(SQL_FOLDER, ()))
        if m is not None and _allowed(m, locations):
            found.setdefault((m.path, m.down_path or ""), m)
    return [found[k] for k in sorted(found)]


def chain(
    changes: ChangeSet,
    migration: Migration,
    *,
    at_base: bool = False,
    dialect: str | None = None,
) -> list[Migration]:
    """Every migration of ``migration``'s framework in its folder, in apply order.

    Where the folder holds per-database files, the chain is the one ``dialect`` (by
    default the migration's own) runs: its own file for each version, else the generic one.
    """
    read = changes.text_at_base if at_base else changes.text_at_head
    listing = changes.base_paths if at_base else changes.head_paths
    folder = migration.directory
    if migration.framework in (SQLX, SQL_FOLDER):
        members = sqlfolder.chain_members(changes, folder, migration.framework, at_base=at_base)
        found = [replace(migration, path=p, version=v) for p, v in members]
        return sorted(found, key=lambda m: (sort_key(m), m.path))
    if migration.framework == GOLANG_MIGRATE:
        names = variants.folder_names(changes, folder, at_base=at_base)
        if any(variants.parse(n) for n in names):
            wanted = migration.dialect if dialect is None else dialect
            return variant_chain(folder, names, wanted)
    pattern = f"{folder}/**" if folder else "**"
    in_drizzle = migration.framework == DRIZZLE
    seen: dict[str, Migration] = {}
    for path in listing((pattern,)):
        if not path.endswith(_SUFFIXES):
            continue
        if path.endswith(nodemig.SUFFIXES) and not nodemig.may_be_migration(path):
            continue
        if path.endswith(".go") and not gomig.may_be_migration(path):
            continue
        if path.endswith(".exs") and not ecto.may_be_migration(path):
            continue
        if path.endswith(".cs") and not efcore.may_be_migration(path):
            continue
        if path.endswith(".php") and not _may_be_php_migration(path):
            continue
        own = in_drizzle and posixpath.dirname(path) == folder
        in_laravel = migration.framework == LARAVEL and laravel.is_app(changes)
        text = read(path) if _needs_text(path) else None
        m = classify(path, text, in_drizzle=own, in_laravel=in_laravel)
        if m is not None and m.framework == migration.framework and m.directory == folder:
            seen.setdefault(m.path, m)
    if migration.framework == SQITCH:
        plan = sqitch_plan(read(f"{folder}/sqitch.plan" if folder else "sqitch.plan"))
        last = len(plan)
        return sorted(seen.values(), key=lambda m: (plan.get(m.version, last), m.path))
    return sorted(seen.values(), key=lambda m: (sort_key(m), m.path))


def variant_chain(folder: str, names: frozenset[str], dialect: str) -> list[Migration]:
    """The chain one database runs in a folder of per-database files."""
    versions: dict[str, str] = {}
    for n in names:
        v = variants.parse(n) or plain_variant(n)
        if v is not None:
            versions.setdefault(v.version, v.name)
    out = []
    for version, name in versions.items():
        up = variants.resolve(names, version, name, dialect, "up")
        if up is None:
            continue  # a down-only file: nothing of this version runs on this database
        down = variants.resolve(names, version, name, dialect, "down")
        path = posixpath.join(folder, up)
        down_path = posixpath.join(folder, down or up.replace(".up.sql", ".down.sql"))
        out.append(Migration(GOLANG_MIGRATE, path, version, down_path, dialect))
    return sorted(out, key=lambda m: (sort_key(m), m.path))


def plain_variant(name: str) -> variants.Variant | None:
    """A generic golang-migrate file name read as a variant for every database."""
    m = _GOLANG.match(name)
    if m is None or "." in m.group(2):
        return None
    return variants.Variant(m.group(1), m.group(2), "", False, m.group(3))


def databases(changes: ChangeSet, m: Migration, default: str) -> list[str]:
    """The databases whose chains a changed migration is part of ("" outside folders of
    per-database files): its own, or, for a generic file, each database that runs it."""
    folder = variants.folder_dialect(m.path) if m.is_sql else ""
    if m.framework == DRIZZLE:
        return [drizzle.dialect(changes, m.directory) or folder]
    if m.framework != GOLANG_MIGRATE:
        return [m.dialect or folder or _named_database(changes, m)]
    names = variants.folder_names(changes, m.directory)
    own = variants.dialects_in(names)
    if not own:
        return [folder]
    if m.dialect:
        return [m.dialect]
    up, down = posixpath.basename(m.path), posixpath.basename(m.down_path or "")
    v = variants.parse(up) or variants.parse(down) or plain_variant(up)
    if v is None:
        return [""]

    def runs(databases: set[str]) -> list[str]:
        return [
            d
            for d in sorted(databases)
            if variants.resolve(names, v.version, v.name, d, "up") == up
            or variants.resolve(names, v.version, v.name, d, "down") == down
        ]

    # the databases the folder has files for (and the policy's); when each of those has
    # its own file for this version, the generic one serves the others the runner knows
    return runs(own | {default}) or runs(set(variants.RULES_DIALECT)) or [""]


_INFIX = re.compile(r"\.([a-z0-9]+)\.(?:up|down)\.sql$")


def _named_database(changes: ChangeSet, m: Migration) -> str:
    """The database a SQL file's name says it is for (authelia's
    ``V0001.Initial_Schema.mysql.up.sql``), "" when it names none. Honoured only where the
    folder, as merged, already holds files for two databases or more: a PR cannot name its
    own file for another database to leave the policy's dialect."""
    own = _INFIX.search(posixpath.basename(m.path))
    if own is None or own.group(1) not in variants.ALIASES:
        return ""
    names = variants.folder_names(changes, m.directory, at_base=True)
    merged = {variants.ALIASES[t.group(1)] for n in names if (t := _INFIX.search(n))
              and t.group(1) in variants.ALIASES}  # fmt: skip
    return variants.ALIASES[own.group(1)] if len(merged) >= 2 else ""


def sqitch_plan(text: str | None) -> dict[str, int]:
    """Change name -> position in a sqitch.plan (pragmas, tags and comments skipped)."""
    order: dict[str, int] = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line[0] in "%#@":
            continue
        name = line.split()[0]
        order.setdefault(name, len(order))
    return order


def _needs_text(path: str) -> bool:
    name = posixpath.basename(path)
    read: tuple[str, ...] = (".py", ".rb", ".go", ".php", ".exs", ".xml", ".yaml", ".yml")
    read += (".json", ".cs", *nodemig.SUFFIXES)
    return name.endswith(read) or not (
        _GOLANG.match(name) or _PAIR.match(name) or _FLYWAY.match(name)
    )
