"""Turn the changed migrations into roundtrip plans: the parent chain and the new units.

One plan per chain (a framework in a folder). SQL-file migrations become statement lists;
Alembic revisions are loaded and ordered by their revision graph. A chain that cannot be
run (a revision imports the application, a file is too large) yields a reason instead.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import alembic_run, detect, pyops, sqlmigrate, static, variants
from gatekeeper.checks.migrations.catalog import Database
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DRIZZLE,
    PRISMA,
    SQL_FOLDER,
    SQL_MIGRATE,
    Migration,
)
from gatekeeper.checks.migrations.roundtrip import Step, Unit
from gatekeeper.checks.migrations.sqltext import has_code, irreversible_reason, split


@dataclass
class Plan:
    """A chain to roundtrip, or the reason it cannot be."""

    before: list[Unit] = field(default_factory=list)
    new: list[Unit] = field(default_factory=list)
    #: path -> why this migration cannot be roundtripped
    not_run: dict[str, str] = field(default_factory=dict)
    #: Alembic revisions in apply order, run in a child process (see alembic_run)
    revisions: list[alembic_run.Revision] = field(default_factory=list)
    #: the engine the chain runs on ("sqlite", "postgres"); "" when none here can
    engine: str = ""
    #: the database a chain of per-database files is for ("" for a folder without them)
    dialect: str = ""
    #: why the chain is not run on any engine here (a database with no server here)
    note: str = ""
    #: the changed migrations of this chain
    paths: list[str] = field(default_factory=list)
    #: why the Alembic revisions cannot run on their own ("" when they can)
    isolation: str = ""
    #: the folder of the chain
    folder: str = ""


@dataclass(frozen=True)
class Engines:
    """What the policy allows: the configured engine (``auto``, ``sqlite``, ``postgres``),
    and whether PostgreSQL is at hand (a ``database_url``, or binaries under ``auto``)."""

    configured: str
    postgres: bool
    #: the database generic files are written for (the policy's dialect, runner's name)
    default: str = "postgres"


def plans(
    changes: ChangeSet,
    changed: list[Migration],
    max_bytes: int,
    engines: Engines = Engines("sqlite", False),
) -> list[Plan]:
    """One plan per chain (per database, in a folder of per-database files) that has a
    changed (not deleted) SQL or Alembic migration."""
    groups: dict[tuple[str, str, str], list[Migration]] = {}
    for m in changed:
        if m.framework == SQL_FOLDER:
            continue  # the project's own runner (it may rewrite the SQL per database)
        if (m.is_sql or m.framework == ALEMBIC) and changes.text_at_head(m.path) is not None:
            for named in detect.databases(changes, m, engines.default):
                dialect = named
                if m.framework == PRISMA and not named:
                    dialect = prisma_provider(changes, m.directory)
                groups.setdefault((m.framework, m.directory, dialect), []).append(m)
    out = []
    for key in sorted(groups):
        members = groups[key]
        # a Drizzle journal names its database: its chain is that database's, not generic
        generic = key[0] != DRIZZLE
        engine, note = _engine(changes, key[2], engines, members[0].directory, generic)
        chain = detect.chain(changes, members[0], dialect=key[2] or None)
        new_paths = {m.path for m in members}
        too_big = [m.path for m in members if _size(changes, m) > max_bytes]
        if note:
            plan = Plan()
        elif too_big:
            reason = f"larger than roundtrip_max_bytes ({max_bytes}); move bulk data out of it"
            plan = Plan(not_run=dict.fromkeys(too_big, reason))
        elif key[0] == ALEMBIC:
            plan = _alembic_plan(changes, chain, new_paths)
        else:
            plan = _sql_plan(changes, chain, new_paths)
        plan.engine, plan.dialect, plan.note, plan.folder = engine, key[2], note, key[1]
        plan.paths = sorted(new_paths)
        out.append(plan)
    return out


def _engine(
    changes: ChangeSet, dialect: str, engines: Engines, folder: str, generic: bool = True
) -> tuple[str, str]:
    """(engine, "") to run a chain on, or ("", why not) for a database with no server here."""
    if not dialect:
        # dialect-less chains start on SQLite under auto (runs.py retries them on PostgreSQL)
        return ("postgres" if engines.configured == "postgres" else "sqlite"), ""
    if dialect == "sqlite3":
        return "sqlite", ""
    own = variants.dialects_in(variants.folder_names(changes, folder))
    on_sqlite = engines.configured == "sqlite" or (
        engines.configured == "auto" and not engines.postgres
    )
    if generic and dialect == engines.default and "sqlite3" not in own and on_sqlite:
        return "sqlite", ""  # no SQLite files of its own: the generic chain is the best proof
    label = variants.LABEL.get(dialect, dialect)
    if dialect == "postgres":
        if engines.postgres:
            return "postgres", ""
        return "", (
            f"the {label} files of this chain were reviewed in {label}'s dialect but not "
            f"round-tripped: {POSTGRES_HOW_TO}"
        )
    return "", (
        f"the {label} files of this chain were reviewed in {label}'s dialect; gatekeeper "
        f"round-trips on SQLite and PostgreSQL only, so no {label} server runs them here"
    )


#: how to have PostgreSQL chains round-tripped on PostgreSQL (said wherever one was not)
POSTGRES_HOW_TO = (
    "install PostgreSQL here (initdb and pg_ctl on PATH or in /usr/lib/postgresql; the "
    "Action's image has them) and keep the default `checks.migrations.roundtrip: auto`, or set "
    "`checks.migrations.database_url` (or GATEKEEPER_DATABASE_URL) to a server where "
    "scratch databases may be created; `checks.migrations.roundtrip: postgres` also makes "
    "a missing server "
    "an error instead of this warning"
)
#: Prisma's ``migration_lock.toml`` provider -> the runner's name of its database
_PRISMA_PROVIDERS = {"postgresql": "postgres", "sqlite": "sqlite3"}
_PROVIDER = re.compile(r"""^\s*provider\s*=\s*["']([a-z0-9]+)["']""", re.MULTILINE)


def prisma_provider(changes: ChangeSet, folder: str) -> str:
    """The database a Prisma migrations folder's ``migration_lock.toml`` names (PostgreSQL
    or SQLite; "" for any other or none). The merged file is read first, so a PR cannot
    move a merged chain to another engine by editing it."""
    lock = posixpath.join(folder, "migration_lock.toml")
    text = changes.text_at_base(lock) or changes.text_at_head(lock) or ""
    found = _PROVIDER.search(text)
    return _PRISMA_PROVIDERS.get(found.group(1), "") if found else ""


def _size(changes: ChangeSet, m: Migration) -> int:
    total = 0
    for path in (m.path, m.down_path):
        data = changes.bytes_at_head(path) if path else None
        total += len(data) if data is not None else 0
    return total


def _split(sides: static.Sides, side: str, cuts: bool = False) -> list[tuple[str, int]]:
    """One side's statements; ``cuts``: as rubenv/sql-migrate cuts them."""
    text = sides.up if side == "up" else (sides.down or "")
    first = sides.up_line if side == "up" else sides.down_line
    if cuts:
        return _runner_pieces(text, first)
    return [(s.text, s.line) for s in split(text, first)]


def _runner_pieces(text: str, first: int) -> list[tuple[str, int]]:
    """sql-migrate's statements as its runner cuts them (:func:`sqlmigrate.pieces`): a
    StatementBegin/End block whole, any other piece by the splitter (``SELECT 1; SELECT
    2;`` on one line is two statements for SQLite), so a function the runner cuts at a
    ``;`` line reaches the database as broken as on the project's server."""
    out: list[tuple[str, int]] = []
    for piece, line, block in sqlmigrate.pieces(text, first):
        out += [(piece, line)] if block else [(s.text, s.line) for s in split(piece, line)]
    return out


def _sql_step(statements: list[tuple[str, int]]) -> Step:
    def step(db: Database) -> None:
        db.execute(statements)

    return step


def _sql_plan(changes: ChangeSet, chain: list[Migration], new_paths: set[str]) -> Plan:
    plan = Plan()
    for m in _through_last_new(chain, new_paths):
        sides = static.sql_sides(changes, m)
        if sides is None:
            plan.not_run.update(dict.fromkeys(sorted(new_paths), f"{m.path} cannot be read"))
            return plan
        cuts = m.framework == SQL_MIGRATE and sqlmigrate.runner_cuts(changes, m.path)
        up = _sql_step(_split(sides, "up", cuts))
        if m.path not in new_paths:
            plan.before.append(Unit(m.path, up, None))
            continue
        reversible = sides.down is not None and has_code(sides.down)
        if irreversible_reason(sides.up + (sides.down or "")):
            reversible = False
        down = _sql_step(_split(sides, "down", cuts)) if reversible else None
        plan.new.append(Unit(m.path, up, down))
    return plan


def _through_last_new(chain: list[Migration], new_paths: set[str]) -> list[Migration]:
    positions = [i for i, m in enumerate(chain) if m.path in new_paths]
    return chain[: positions[-1] + 1] if positions else []


def _in_repository(changes: ChangeSet, top: str) -> bool:
    """True when the repository itself provides the package ``top`` (the application)."""
    candidates = (f"{top}.py", f"{top}/__init__.py", f"src/{top}/__init__.py", f"src/{top}.py")
    return any(changes.bytes_at_head(c) is not None for c in candidates)


def _alembic_plan(changes: ChangeSet, chain: list[Migration], new_paths: set[str]) -> Plan:
    """The revisions to run, in graph order, as a job for a child process.

    Nothing is imported or executed here: the files are only parsed, so that a revision
    importing the application is known before anything runs (``isolation`` says why the
    revisions cannot run on their own; the project's env.py may still run them).
    """
    sources: dict[str, str] = {}
    files: dict[str, pyops.AlembicFile] = {}
    plan = Plan()
    try:
        for m in chain:
            text = changes.text_at_head(m.path)
            if text is None:
                raise alembic_run.NotIsolated(f"{m.path} cannot be read")
            sources[m.path] = text
            files[m.path] = pyops.read_alembic(text, m.path)
        ordered = alembic_run.order(files)
        if len(ordered) != len(files):
            raise alembic_run.NotIsolated("the revision graph has a cycle")
    except (alembic_run.NotIsolated, pyops.MigrationSyntaxError) as exc:
        return Plan(not_run=dict.fromkeys(sorted(new_paths), str(exc)))
    by_path = {m.path: m for m in chain}
    for m in _through_last_new([by_path[p] for p in ordered], new_paths):
        info = files[m.path]
        local = alembic_run.application_imports(
            info.foreign_imports, lambda top: _in_repository(changes, top)
        )
        if local and not plan.isolation:
            plan.isolation = alembic_run.foreign_message(m.path, local)
        provable = info.downgrade_state == "ok" and info.has_downgrade
        plan.revisions.append(
            alembic_run.Revision(
                m.path,
                sources[m.path],
                m.path in new_paths,
                provable and not irreversible_reason(sources[m.path]),
                info.revision or "",
                list(info.down_revisions),
            )
        )
    return plan
