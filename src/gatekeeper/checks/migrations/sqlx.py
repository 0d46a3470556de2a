"""sqlx (Rust) migrations: ``<VERSION>_<DESCRIPTION>.sql`` files in a crate's folder.

``sqlx migrate add`` writes "simple" migrations, forward-only, one file per version, into
``migrations/`` beside the crate's ``Cargo.toml``; ``sqlx::migrate!("./other")`` embeds
another folder. Its reversible form (``<VERSION>_<DESC>.up.sql`` and ``.down.sql``) has the
names golang-migrate uses and is read as such (:mod:`.detect`), but in a sqlx crate's
folder it runs as sqlx runs it (:func:`runs_pair`): in a transaction of its own, where
golang-migrate would send a lone statement without one. The simple names follow no
other framework's convention, so a folder is known as sqlx's by its crate: the nearest
``Cargo.toml`` above it depends on sqlx, and the folder is named for migrations or a
``migrate!`` call of the crate names it.

The database is the one the folder or its crate names (``atuin-server-postgres``), else
the only database among the sqlx features the crate's manifest enables. sqlx runs each
migration in a transaction unless its first line says ``-- no-transaction``.
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import rejected, sqltext, variants

SQLX = "sqlx"
#: a simple migration's file name (a reversible one ends .up.sql / .down.sql)
NAME = re.compile(r"^(\d+)_([^.]+)\.sql$")
#: ``sqlx = ...`` or ``[dependencies.sqlx]`` (and the workspace's) in a manifest
_DEPENDS = re.compile(r"^\s*(?:sqlx\s*=|\[(?:[\w.-]*\.)?dependencies\.sqlx\])", re.MULTILINE)
_MIGRATE = re.compile(r"""\bmigrate!\s*\(\s*"([^"\n]+)"\s*\)""")
_NO_TRANSACTION = re.compile(r"\A\s*--\s*no-transaction\b", re.IGNORECASE)
#: sqlx's feature names -> the runner's name of the database
_FEATURES = {"postgres": "postgres", "sqlite": "sqlite3", "mysql": "mysql"}
#: manifests looked at above a folder, at most (a crate sits a few levels deep)
_MAX_DEPTH = 6


def is_folder(changes: ChangeSet, folder: str) -> bool:
    """True when ``folder`` holds sqlx migrations of a crate that depends on sqlx (the
    merged manifest read first; a new crate's at head)."""
    return changes.fact(f"migrations.sqlx-folder:{folder}", lambda: _is_folder(changes, folder))


def _is_folder(changes: ChangeSet, folder: str) -> bool:
    crate = _crate(changes, folder)
    if crate is None:
        return False
    manifest = _manifest(changes, crate)
    if not _DEPENDS.search(manifest):
        return False
    if "migration" in posixpath.basename(folder).lower():
        return True
    return folder in _named_by_migrate(changes, crate)


def _crate(changes: ChangeSet, folder: str) -> str | None:
    """The folder of the nearest ``Cargo.toml`` above ``folder`` (None when none is)."""
    here = posixpath.dirname(folder)
    for _ in range(_MAX_DEPTH):
        if _manifest(changes, here):
            return here
        if not here:
            return None
        here = posixpath.dirname(here)
    return None


def _manifest(changes: ChangeSet, crate: str) -> str:
    path = posixpath.join(crate, "Cargo.toml") if crate else "Cargo.toml"
    return changes.text_at_base(path) or changes.text_at_head(path) or ""


def _named_by_migrate(changes: ChangeSet, crate: str) -> set[str]:
    """Folders the crate's ``sqlx::migrate!("...")`` calls name (relative to the crate)."""
    pattern = f"{crate}/*.rs" if crate else "*.rs"
    found = changes.base_files_containing(["migrate"], [pattern]) or []
    folders = set()
    for path in found[:50]:
        for named in _MIGRATE.findall(changes.text_at_base(path) or ""):
            where = posixpath.normpath(posixpath.join(crate, named))
            folders.add("" if where == "." else where)
    return folders


def dialect(changes: ChangeSet, folder: str) -> str:
    """The database a sqlx folder is for (runner's name), "" when unknown: the folder's
    or its crate's name, else the one database among the crate's sqlx features."""
    named = variants.folder_dialect(folder + "/x.sql")
    if named:
        return named
    crate = _crate(changes, folder)
    if crate is None:
        return ""
    words = [w for w in re.split(r"[-_.]", posixpath.basename(crate).lower()) if w]
    databases = {variants.ALIASES[w] for w in words if w in variants.ALIASES}
    if len(databases) == 1:
        return databases.pop()
    features = set(re.findall(r'"([\w-]+)"', _sqlx_lines(_manifest(changes, crate))))
    enabled = {_FEATURES[f] for f in features if f in _FEATURES}
    return enabled.pop() if len(enabled) == 1 else ""


def _sqlx_lines(manifest: str) -> str:
    """The text of the manifest's sqlx dependency (its line, or its table)."""
    out = []
    in_table = False
    for line in manifest.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.rstrip("]").endswith("dependencies.sqlx")
            continue
        if in_table or re.match(r"sqlx\s*=", stripped):
            out.append(stripped)
    return "\n".join(out)


def runs_pair(changes: ChangeSet, path: str) -> bool:
    """True when ``path``, a reversible migration's up side (``<VERSION>_<DESC>.up.sql``,
    golang-migrate's names), is in a sqlx crate's folder: sqlx runs it, so its transaction
    is sqlx's (:func:`in_transaction`), not golang-migrate's implicit one."""
    return path.endswith(".up.sql") and is_folder(changes, posixpath.dirname(path))


def in_transaction(text: str) -> bool:
    """sqlx wraps a migration in a transaction unless it starts ``-- no-transaction``."""
    return _NO_TRANSACTION.search(text) is None


#: databases whose DDL is transactional: a migration they reject left nothing behind
_TRANSACTIONAL = frozenset({"sqlite3", "postgres"})


def rules_dialect(database: str) -> str:
    """How the ``syntax-rejected`` rule reads a sqlx folder's database ("" unknown)."""
    rules = variants.RULES_DIALECT.get(database, "")
    return rules if rules in rejected.FORMS else ""


def never_applied(merged: str, database: str) -> rejected.Rejection | None:
    """The statement of a merged sqlx migration that its own database refuses, when that
    database's DDL is transactional and sqlx wrapped the file in a transaction: it failed
    wherever it ran and sqlx recorded it nowhere, so an edit that fixes it rewrites no
    database's history. None otherwise."""
    rules = rules_dialect(database)
    if database not in _TRANSACTIONAL or not rules or not in_transaction(merged):
        return None
    statements = sqltext.split(merged, 1)
    every = frozenset(range(1, merged.count("\n") + 2))
    found = rejected.rejections(statements, rules, every)
    return found[0] if found else None
