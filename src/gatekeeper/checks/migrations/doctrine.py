"""Doctrine Migrations (PHP): found by their shape, reviewed like the other frameworks.

A Doctrine migration is a class in a file named ``Version<digits>.php`` that extends
``Doctrine\\Migrations\\AbstractMigration`` (``Doctrine\\DBAL\\Migrations`` before 2.0),
wherever the project keeps them (``migrations/``, ``module/Core/migrations/``). Its
``up(Schema $schema)`` runs SQL strings (``$this->addSql``) or Schema API calls
(:mod:`.doctrineops`); its ``down`` undoes them, or says it cannot: Doctrine's own
``down()`` (when a class defines none) aborts the rollback, and
``$this->throwIrreversibleMigrationException()`` (or ``throw new
IrreversibleMigrationException``) declares the step irreversible, as Rails' ``raise
ActiveRecord::IrreversibleMigration`` does. Doctrine runs each migration in a transaction
unless ``isTransactional()`` returns false. PHP is not run here: no round trip.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import doctrineops as ops
from gatekeeper.checks.migrations import phpmig
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.php import Method, Source
from gatekeeper.checks.migrations.phpmig import SqlReview, does_nothing
from gatekeeper.model import Finding, Level

_NAME = re.compile(r"^Version(\d+)\.php$")
_NAMESPACE = r"\\?Doctrine\\(?:DBAL\\)?Migrations\\AbstractMigration"
_EXTENDS = re.compile(r"\bextends\s+(" + _NAMESPACE + r"|AbstractMigration)\b")
_USES = re.compile(r"^\s*use\s+" + _NAMESPACE + r"\s*;", re.MULTILINE)
#: calls that only guard or end a method: they change nothing
_GUARDS = frozenset({"skipIf", "abortIf", "warnIf", "write"})
_THROWS = re.compile(
    r"->\s*throwIrreversibleMigrationException\s*\(|\bthrow\s+new\s+\\?(?:[\w\\]+\\)?"
    r"IrreversibleMigrationException\b|->\s*abortIf\s*\(\s*true\b"
)
_NOT_TRANSACTIONAL = re.compile(r"^\s*return\s+false\s*;\s*$")
#: the database a migration guards itself to: ``abortIf(!$platform instanceof
#: PostgreSQLPlatform)``, or the older ``getName() !== 'mysql'``
_GUARD_PLATFORM = re.compile(
    r"abortIf\s*\(\s*!\s*\(?\s*\$this->connection->getDatabasePlatform\(\)\s+instanceof\s+"
    r"\\?(?:[\w\\]+\\)?(?P<cls>\w+?)(?:\d+)?Platform\b"
)
#: the older guard by the platform's name: ``abortIf('mysql' !== ...->getName())``
_GUARD_NAME = re.compile(
    r"abortIf\s*\(\s*(?:['\"](\w+)['\"]\s*!==?\s*)?\$this->connection->getDatabasePlatform\(\)"
    r"->getName\(\)(?:\s*!==?\s*['\"](\w+)['\"])?"
)
_PLATFORMS = {"PostgreSQL": "postgres", "MySQL": "mysql", "MariaDB": "mariadb",
              "SQLite": "sqlite"}  # fmt: skip


def may_be_migration(path: str) -> bool:
    """A file named as Doctrine names migrations: the files worth reading."""
    return _NAME.match(posixpath.basename(path)) is not None


def is_migration(path: str, text: str | None) -> bool:
    """A ``Version<digits>.php`` class extending Doctrine's ``AbstractMigration``."""
    if text is None or not may_be_migration(path):
        return False
    m = _EXTENDS.search(text)
    if m is None:
        return False
    return m.group(1) != "AbstractMigration" or _USES.search(text) is not None


def version(path: str) -> str:
    """The timestamp in the file's name."""
    return phpmig.version(_NAME, path)


#: a Doctrine migration read (its ``platform``: the database it guards itself to)
Doctrine = phpmig.Read[ops.Call]


def read(text: str) -> Doctrine:
    """The migration in ``text``."""
    src = Source(text)
    methods = src.methods()
    up, down = methods.get("up"), methods.get("down")
    helpers = ops.creators(src)
    tx = methods.get("isTransactional")
    transactional = tx is None or not _NOT_TRANSACTIONAL.match(src.body(tx).strip())
    guard = _GUARD_PLATFORM.search(src.code)
    platform = _PLATFORMS.get(guard.group("cls"), "") if guard else ""
    named = _GUARD_NAME.search(text)
    if not platform and named and src.code[named.start()] == "a":  # code, not a comment
        platform = _SCHEMES.get((named.group(1) or named.group(2) or "").lower(), "")
    return phpmig.Read(
        src,
        up,
        down,
        ops.read_side(src, up, helpers) if up else None,
        ops.read_side(src, down, helpers) if down else None,
        transactional,
        platform,
    )


# --- what a side does -----------------------------------------------------------------


#: DBAL types with no length: a column made one of these holds every value it held
_UNBOUNDED = re.compile(r"\bTypes::(?:TEXT|BLOB)\b|['\"](?:text|blob)['\"]", re.IGNORECASE)
_TYPE_CALLS = frozenset({"setType", "setLength", "modifyColumn", "changeColumn"})


def widens_only(d: Doctrine, up: Method) -> bool:
    """The up only makes columns TEXT or BLOB (DBAL's unbounded types), and any length it
    sets is on a column it also makes unbounded: no value can be cut, and a rollback that
    keeps the columns wide breaks no code written for the narrower ones."""
    side = d.up_side
    if side is None or not side.calls or side.sql or side.unread_sql:
        return False
    body = d.src.text[up.start : up.end]
    widened: set[tuple[str, str]] = set()
    lengths: set[tuple[str, str]] = set()
    for call in side.calls:
        if call.op not in _TYPE_CALLS:
            return False
        column = call.column if call.op.startswith("set") else (call.args or ("?",))[0] or "?"
        key = (call.table, column)
        typed = ops.option(call.rest, "type") if call.op not in ("setType", "setLength") else None
        if call.op == "setType":
            typed = _resolved(body, call.rest)
        if typed is not None and not _UNBOUNDED.search(typed):
            return False
        (widened if typed is not None else lengths).add(key)
    return bool(widened) and lengths <= widened


def _resolved(body: str, rest: str) -> str:
    """A call's argument text, a ``$variable`` replaced by what the method assigned it."""
    m = re.match(r"\(\s*\$(\w+)\s*\)", rest)
    if m is None:
        return rest
    assigned = re.search(rf"\${m.group(1)}\s*=\s*([^;]{{1,200}});", body)
    return assigned.group(1) if assigned else rest


def _has_working_down(d: Doctrine) -> bool:
    return phpmig.working_down(d, _THROWS)


# --- reversibility ----------------------------------------------------------------------


_DOCTRINE = phpmig.Framework(
    "Doctrine", "Doctrine's default down aborts the rollback.", _THROWS,
    "IrreversibleMigrationException",
)  # fmt: skip


def check(
    check: BaseCheck,
    path: str,
    text: str,
    habit: Downs,
    *,
    honour_marker: bool = True,
    earlier: phpmig.Made = frozenset(),
) -> list[Finding]:
    """Missing, empty or throwing ``down`` of a Doctrine migration, judged by what its up
    is and the folder's habit (:func:`phpmig.reversibility`); ``earlier``: what older
    migrations of the same change create (:func:`made_in_change`)."""
    d = read(text)
    return phpmig.reversibility(
        check, path, text, d, habit, _DOCTRINE, lambda r: up_kind(r, earlier),
        honour_marker=honour_marker,
    )  # fmt: skip


#: Schema API calls that only add to a table
_ADDS = frozenset({
    "addIndex", "addUniqueIndex", "addForeignKeyConstraint", "setPrimaryKey",
    "addUniqueConstraint", "createTable", "createSequence", "createNamespace",
})  # fmt: skip
_DROPS = frozenset({"dropColumn", "dropTable", "dropIndex", "removeForeignKey", "dropForeignKey"})


def up_kind(d: Doctrine, earlier: phpmig.Made = frozenset()) -> tuple[phpmig.Up, str]:
    """What the up is for its down (:func:`phpmig.judge_up`), and what it writes over;
    ``earlier``: what older migrations of the same change create."""
    assert d.up_side is not None and d.up is not None
    side = d.up_side
    made, adds = _calls_made(side)
    drops = bool({c.op for c in side.calls} & _DROPS)
    return phpmig.judge_up(side, adds, made | earlier, widens=widens_only(d, d.up), drops=drops)


def made_in_change(changes: ChangeSet, path: str) -> set[tuple[str, str]]:
    """What the change's older new migrations of the folder create (phpmig.made_in_change)."""
    return phpmig.made_in_change(changes, path, may_be_migration, version, _made_by)


def _made_by(text: str) -> set[tuple[str, str]]:
    side = read(text).up_side
    return set() if side is None else _calls_made(side)[0] | phpmig.made_by_sql(side)


def _calls_made(side: ops.Side) -> tuple[set[tuple[str, str]], bool]:
    """The tables and columns the side's calls create, and whether each call only adds."""
    made: set[tuple[str, str]] = set()
    adds = True
    for c in side.calls:
        column = (c.args[0] if c.args else None) or "?"
        if c.op == "createTable":
            made.add((c.table.lower(), "*"))
        elif c.op == "addColumn" and not c.created:
            made.add((c.table.lower(), column.lower()))
            adds = adds and (not ops.not_null(c) or ops.has_default(c))
        elif not (c.created or c.op in _ADDS):
            adds = False
    return made, adds


def downs(changes: ChangeSet, folder: str, own: str) -> tuple[int, int, int]:
    """How the folder's merged Doctrine migrations stand: (with a working down, without,
    the newest in a row without), ``own``, the migration judged, left out. Read at base,
    once per run."""
    pattern = f"{folder}/Version*.php" if folder else "Version*.php"
    return phpmig.downs(
        changes, f"doctrine-downs:{folder}", pattern, own, may_be_migration, is_migration, _works
    )


def _works(text: str) -> bool | None:
    """Whether the down of the migration in ``text`` works; None when its up does nothing."""
    d = read(text)
    if d.up_side is None or does_nothing(d.up_side):
        return None
    return _has_working_down(d)


_ENV_URL = re.compile(r"^\s*DATABASE_URL\s*=\s*[\"']?(\w+):", re.MULTILINE)
_DRIVER = re.compile(r"^\s*driver\s*:\s*[\"']?(?:pdo_)?(\w+)", re.MULTILINE)
_SCHEMES = {"postgresql": "postgres", "postgres": "postgres", "pgsql": "postgres",
            "mysql": "mysql", "mysqli": "mysql", "mariadb": "mariadb", "sqlite": "sqlite",
            "sqlite3": "sqlite"}  # fmt: skip
_CONFIGS = (".env", ".env.dist", "config/packages/doctrine.yaml", "config/packages/doctrine.yml")


def dialect(changes: ChangeSet, d: Doctrine, default: str) -> str:
    """The database a migration is reviewed for: the one it guards itself to (it aborts on
    any other), else the one the project's Symfony configuration names as merged (its
    ``DATABASE_URL``, its DBAL ``driver``) when it names one only, else ``default``."""
    if d.platform:
        return d.platform
    named = phpmig.named_dialect(
        changes, "doctrine-dialect", _CONFIGS, (_ENV_URL, _DRIVER), _SCHEMES
    )
    return named or default


_FROM = re.compile(r"->\s*from\s*\(\s*(?=['\"])")
_INSERT = re.compile(r"->\s*insert\s*\(")
_FILTERED = re.compile(r"->\s*(?:where|andWhere|orWhere|setMaxResults)\s*\(")


def moved_out(changes: ChangeSet, path: str, hit: Hit) -> Hit:
    """A table dropped after a merged migration of the folder, earlier in the chain, read
    all its rows (a query builder's ``->from('t')`` with no ``where``) and wrote rows
    elsewhere: the drop ends a move the project already shipped to its chain (a warning
    naming that migration, whose copy the reviewer should check)."""
    if hit.rule != "drop-table" or not hit.target or hit.target[0] == "?":
        return hit
    table, folder = hit.target[0], posixpath.dirname(path)
    found = changes.base_files_containing([table], [f"{folder}/*" if folder else "*"]) or []
    for other in sorted(found)[:20]:
        text = changes.text_at_base(other)
        if other == path or version(other) >= version(path) or not is_migration(other, text):
            continue
        d = read(text or "")
        if d.up is not None and _reads_all_and_writes(d, d.up, table):
            message = (
                f"{hit.message} The merged migration {other} read every row of {table} and "
                "wrote them to other tables: the drop ends that move (a warning; check it "
                "carried every column the application needs)."
            )
            return dataclasses.replace(hit, level=Level.WARNING, message=message)
    return hit


def _reads_all_and_writes(d: Doctrine, up: Method, table: str) -> bool:
    body = d.src.body(up)
    reads_all = False
    for m in _FROM.finditer(body):
        literal = d.src.literals.get(up.start + m.end())
        if literal is None or literal.value != table:
            continue
        stop = body.find(";", m.end())
        if not _FILTERED.search(body, m.end(), stop if stop > 0 else len(body)):
            reads_all = True
    return reads_all and _INSERT.search(body) is not None


# --- safety -----------------------------------------------------------------------------


def hits(d: Doctrine, dialect: str, added: frozenset[int], review: SqlReview) -> list[Hit]:
    """Hits of the up side on ``added`` lines: its SQL strings reviewed like a SQL file's
    and its Schema API calls read as the operations they generate."""
    if d.up_side is None:
        return []
    out = phpmig.sql_hits(d.up_side, d.transactional, review)
    for call in d.up_side.calls:
        out += _call_hits(call, dialect)
    out += phpmig.unread_hits(d.up_side)
    return [h for h in out if h.line in added]


def _call_hits(call: ops.Call, dialect: str) -> list[Hit]:
    """The rules a Schema API call breaks on an existing table (a table the method
    created holds no rows yet)."""
    if call.created:
        return []
    op, table, line = call.op, call.table or "?", call.line
    name = (call.args[0] if call.args else None) or "?"
    postgres = dialect in ("postgres", "cockroach")
    if op == "dropTable":
        return [Hit("drop-table", f"Drops table {name}.", line, name, (name,))]
    if op == "renameTable":
        return [Hit("rename-table", f"Renames table {name}.", line, name)]
    if op == "dropColumn":
        where = f"{table}.{name}"
        return [Hit("drop-column", f"Drops column {where}.", line, where, (table, name))]
    if op == "renameColumn":
        return [Hit("rename-column", f"Renames column {table}.{name}.", line, f"{table}.{name}")]
    if op == "addColumn":
        return _add_column(call, name, dialect)
    if op in ("addIndex", "addUniqueIndex") and postgres:
        msg = (
            f"Builds an index on {table} without CONCURRENTLY (DBAL's Schema API cannot ask "
            "for it): writes wait for the whole build."
        )
        return [Hit("index-not-concurrent", msg, line, table, table=(table,))]
    if op == "addForeignKeyConstraint" and postgres:
        msg = f"Adds a foreign key to {table}, validating every row while writes wait."
        return [Hit("constraint-not-valid", msg, line, table, table=(table,))]
    if op == "dropIndex" and postgres:
        msg = f"Drops index {name} of {table} without CONCURRENTLY."
        return [Hit("drop-index-not-concurrent", msg, line, f"{table}.{name}")]
    return _column_change(call, name)


def _add_column(call: ops.Call, name: str, dialect: str) -> list[Hit]:
    where = f"{call.table}.{name}"
    if dialect in ("mysql", "mariadb") or not ops.not_null(call) or ops.has_default(call):
        return []  # MySQL fills a NOT NULL column with its type's implicit default
    msg = (
        f"Adds NOT NULL column {where} without a default (DBAL's default is NOT NULL): the "
        "statement fails on a table that has rows."
    )
    return [Hit("add-required-column", msg, call.line, where, table=(call.table,))]


def _column_change(call: ops.Call, name: str) -> list[Hit]:
    """``modifyColumn``/``changeColumn`` options, or a column handle's setters."""
    if call.op in ("modifyColumn", "changeColumn"):
        where = f"{call.table}.{name}"
        notnull = ops.option(call.rest, "notnull")
        retyped = any(ops.option(call.rest, k) is not None
                      for k in ("type", "length", "precision", "scale"))  # fmt: skip
    elif call.op in ("setType", "setLength", "setPrecision", "setScale", "setNotnull"):
        where = f"{call.table}.{call.column or '?'}"
        notnull = call.rest.strip("( \n").split(")", 1)[0] if call.op == "setNotnull" else None
        retyped = call.op != "setNotnull"
    else:
        return []
    if "?" in where:
        where = f"{where} (a name computed at run time)"
    out = []
    if retyped:
        msg = (
            f"Changes the type of column {where}: unless the database only updates its "
            "catalog (a wider VARCHAR), it rewrites the table and may break readers."
        )
        out.append(Hit("change-column-type", msg, call.line, where, level=Level.WARNING))
    if notnull is not None and notnull.strip().lower() == "true":
        msg = f"Sets column {where} NOT NULL: the whole table is scanned under lock."
        out.append(Hit("set-not-null", msg, call.line, where, table=(call.table,)))
    elif notnull is not None and notnull.strip().lower() == "false":
        msg = f"Drops NOT NULL from column {where}: code written for the old schema may read NULLs."
        out.append(Hit("drop-not-null", msg, call.line, where))
    return out


# --- history ----------------------------------------------------------------------------


def same_code(before: str, after: str) -> bool:
    """Two texts of a migration that run the same: equal once comments and layout are set
    aside (Doctrine records a migration by its class, not by a checksum of its file)."""
    return _code_words(before) == _code_words(after)


def _code_words(text: str, without: str = "") -> tuple[list[str], list[str]]:
    """The code's words and its string literals' values, in order; ``without``: a method
    left out (its body blanked)."""
    src = Source(text)
    code = src.code
    method = src.methods().get(without) if without else None
    if method is not None:
        code = code[: method.start] + code[method.end :]
    keep = [v.value for at, v in sorted(src.literals.items())
            if method is None or not method.start <= at < method.end]  # fmt: skip
    return re.findall(r"[\w$]+|\S", code), keep


def only_down(before: str, after: str) -> bool:
    """Two texts that differ only inside ``down`` (comments and layout aside): what ran on
    databases is unchanged."""
    return not same_code(before, after) and _code_words(before, "down") == _code_words(
        after, "down"
    )


def same_statements(before: str, after: str) -> bool:
    """Two texts whose up runs the same SQL strings (layout aside) and the same Schema API
    calls: only the PHP around them changed (a loop batched, a guard added)."""
    return _effects(before) == _effects(after) is not None


def _effects(text: str) -> list[str] | None:
    return phpmig.effects(read(text).up_side, _spelled)


def _spelled(c: ops.Call) -> str:
    return f"{c.op}:{c.table}:{c.column}:{c.args}"
