"""Laravel migrations (PHP): found by their name and class, reviewed like Doctrine's.

A Laravel migration is a file named ``YYYY_MM_DD_HHMMSS_<name>.php`` in a ``migrations``
folder (``database/migrations``) that returns an anonymous class (``return new class
extends Migration``) or declares a named one, extending
``Illuminate\\Database\\Migrations\\Migration``. Its ``up()`` and ``down()`` use the schema
builder, SQL strings, or the query builder (:mod:`.laravelops`). Laravel records a
migration by its file name; a missing ``down()`` is the base class's no-op, so a rollback
silently leaves what the up did. On PostgreSQL and SQLite Laravel runs each migration in
a transaction unless it sets ``$withinTransaction = false``; MySQL has none for DDL. PHP
is not run here: no round trip.
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import laravelmoves, phpmig
from gatekeeper.checks.migrations import laravelops as ops
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.php import Method, Source
from gatekeeper.checks.migrations.phpmig import SqlReview, does_nothing
from gatekeeper.model import Finding, Level

_NAME = re.compile(r"^(\d{4}_\d{2}_\d{2}_\d{6})_[^/]+\.php$")
_FULL = r"\\?Illuminate\\Database\\Migrations\\Migration"
_EXTENDS = re.compile(r"\bextends\s+(" + _FULL + r"|Migration)\b")
_USES = re.compile(r"^\s*use\s+" + _FULL + r"\s*;", re.MULTILINE)
_EXTENDS_ANY = re.compile(r"\bextends\s+\\?(?:\w+\\)*\w*Migration\b")
_REQUIRES = re.compile(r"\"require\"\s*:\s*\{[^}]*\"laravel/framework\"\s*:")
_NO_TRANSACTION = re.compile(r"\$withinTransaction\s*=\s*false\b")
#: Laravel has no exception of its own for a step that cannot be undone: a down that
#: throws one (``throw new RuntimeException('...')``) stops the rollback there, on purpose
_THROWS = re.compile(r"\bthrow\s+new\s+\\?(?:[\w\\]+\\)?\w+\s*\(")


def may_be_migration(path: str) -> bool:
    """A file named as Laravel names migrations, in a ``migrations`` folder."""
    return (
        _NAME.match(posixpath.basename(path)) is not None and "migrations" in path.split("/")[:-1]
    )


def is_migration(path: str, text: str | None, *, in_app: bool = False) -> bool:
    """A Laravel-named file whose class extends Illuminate's ``Migration``; in a Laravel
    application (``in_app``, :func:`is_app`), one extending any ``...Migration`` class (a
    package's subclass, koel's ``AiMigration``)."""
    if text is None or not may_be_migration(path):
        return False
    if in_app and _EXTENDS_ANY.search(text):
        return True
    m = _EXTENDS.search(text)
    if m is None:
        return False
    return m.group(1) != "Migration" or _USES.search(text) is not None


def is_app(changes: ChangeSet) -> bool:
    """The repository's ``composer.json``, as merged, requires ``laravel/framework``. Not
    kept as a fact: detection may run inside another fact's reader (facts do not nest)."""
    return _REQUIRES.search(changes.text_at_base("composer.json") or "") is not None


def version(path: str) -> str:
    """The timestamp in the file's name."""
    return phpmig.version(_NAME, path)


#: a Laravel migration read
Laravel = phpmig.Read[ops.Call]


def read(text: str) -> Laravel:
    """The migration in ``text``."""
    src = Source(text)
    methods = src.methods()
    up, down = methods.get("up"), methods.get("down")
    return phpmig.Read(
        src,
        up,
        down,
        _side(src, up, methods) if up else None,
        _side(src, down, methods) if down else None,
        _NO_TRANSACTION.search(src.code) is None,
    )


_HELPER = re.compile(r"\$this\s*->\s*(\w+)\s*\(")


def _side(src: Source, method: Method, methods: dict[str, Method]) -> ops.Side:
    """What ``method`` does, with what the class's own methods it calls do
    (``$this->createAccountsTable()``): firefly's ups are made of such helpers."""
    seen = [method]
    for current in seen:
        for m in _HELPER.finditer(src.body(current)):
            helper = methods.get(m.group(1))
            if helper is not None and helper not in seen and helper.name not in ("up", "down"):
                seen.append(helper)
    sides = [ops.read_side(src, m) for m in seen]
    return phpmig.Side(
        tuple(c for side in sides for c in side.calls),
        tuple(q for side in sides for q in side.sql),
        tuple(u for side in sides for u in side.unread_sql),
        any(side.writes_rows for side in sides),
        tuple(u for side in sides for u in side.writes),
    )


#: Blueprint calls that only add to a table (an index, a key, Laravel's nullable sets)
_ADDS = frozenset({
    "create", "table", "index", "unique", "primary", "foreign", "fullText", "spatialIndex",
    "timestamps", "nullableTimestamps", "timestampsTz", "softDeletes", "softDeletesTz",
    "rememberToken", "nullableMorphs", "nullableUuidMorphs", "nullableUlidMorphs",
})  # fmt: skip


def _calls_add(side: ops.Side) -> bool:
    """Each schema builder call of the side only adds (as the Go reader's godowns judges
    an additive up): new tables, columns old code can ignore (nullable or with a
    default), indexes and keys; no change to or drop of anything there."""
    for call in side.calls:
        if call.created or call.op in _ADDS:
            continue
        additive = not ops.changes_column(call) and (ops.nullable(call) or ops.has_default(call))
        if call.op not in _COLUMN_TYPES or not additive:
            return False
    return True


def _made(side: ops.Side) -> set[tuple[str, str]]:
    """The tables (``(t, "*")``) and columns (``(t, c)``) the side's calls create."""
    out: set[tuple[str, str]] = set()
    for call in side.calls:
        if call.op == "create":
            out.add((call.table.lower(), "*"))
        elif call.op in _COLUMN_TYPES and call.args and not ops.changes_column(call):
            out.add((call.table.lower(), (call.args[0] or "?").lower()))
    return out


def up_kind(d: Laravel, earlier: phpmig.Made = frozenset()) -> tuple[phpmig.Up, str]:
    """What the up is for its down (:func:`phpmig.judge_up`), and what it writes over;
    ``earlier``: what older migrations of the same change create."""
    side = d.up_side
    assert side is not None
    drops = any(c.op.startswith("drop") for c in side.calls)  # tables, columns, indexes
    return phpmig.judge_up(side, _calls_add(side), _made(side) | earlier, drops=drops)


def made_in_change(changes: ChangeSet, path: str) -> set[tuple[str, str]]:
    """What the change's older new migrations of the folder create (phpmig.made_in_change)."""
    return phpmig.made_in_change(changes, path, may_be_migration, version, _made_by)


def _made_by(text: str) -> set[tuple[str, str]]:
    side = read(text).up_side
    return set() if side is None else _made(side) | phpmig.made_by_sql(side)


def _has_working_down(d: Laravel) -> bool:
    return phpmig.working_down(d, _THROWS)


# --- reversibility ----------------------------------------------------------------------


_LARAVEL = phpmig.Framework(
    "Laravel",
    "Laravel's default down does nothing, so a rollback leaves what the up did.",
    _THROWS,
    "an exception, so a rollback stops there",
)


def check(
    check: BaseCheck,
    path: str,
    text: str,
    habit: Downs,
    *,
    honour_marker: bool = True,
    earlier: phpmig.Made = frozenset(),
) -> list[Finding]:
    """Missing, empty or throwing ``down`` of a Laravel migration, judged by what its up is
    and the folder's habit as Doctrine's are (:func:`phpmig.reversibility`); ``earlier``:
    what older migrations of the same change create (:func:`made_in_change`). A working
    down that never gives back values the up moved elsewhere: :mod:`.laravelmoves`."""
    d = read(text)
    found = phpmig.reversibility(
        check, path, text, d, habit, _LARAVEL, lambda r: up_kind(r, earlier),
        honour_marker=honour_marker,
    )  # fmt: skip
    if found or not _has_working_down(d):
        return found
    return laravelmoves.check(check, path, text, d, honour_marker=honour_marker)


def downs(changes: ChangeSet, folder: str, own: str) -> tuple[int, int, int]:
    """How the folder's merged Laravel migrations stand: (with a working down, without,
    the newest in a row without), ``own`` left out. Read at base, once per run."""

    in_app = is_app(changes)
    pattern = f"{folder}/*.php" if folder else "*.php"
    return phpmig.downs(
        changes,
        f"laravel-downs:{folder}",
        pattern,
        own,
        may_be_migration,
        lambda path, text: is_migration(path, text, in_app=in_app),
        _works,
    )


def _works(text: str) -> bool | None:
    """Whether the down of the migration in ``text`` works; None when its up does nothing."""
    d = read(text)
    if d.up_side is None or does_nothing(d.up_side):
        return None
    return _has_working_down(d)


_ENV = re.compile(r"^\s*DB_CONNECTION\s*=\s*[\"']?(\w+)", re.MULTILINE)
_CONFIG = re.compile(r"['\"]default['\"]\s*=>\s*env\(\s*['\"]DB_CONNECTION['\"]\s*,\s*['\"](\w+)")
_DRIVERS = {"pgsql": "postgres", "mysql": "mysql", "mariadb": "mariadb", "sqlite": "sqlite"}
_CONFIGS = (".env.example", ".env.dist", "config/database.php")


def dialect(changes: ChangeSet, default: str) -> str:
    """The database a migration is reviewed for: the one the project's merged
    configuration names (``DB_CONNECTION`` of ``.env.example``, the default connection of
    ``config/database.php``) when it names one only, else ``default``."""

    named = phpmig.named_dialect(changes, "laravel-dialect", _CONFIGS, (_ENV, _CONFIG), _DRIVERS)
    return named or default


# --- safety -----------------------------------------------------------------------------

_COLUMN_TYPES = frozenset({
    "bigInteger", "binary", "boolean", "char", "date", "dateTime", "dateTimeTz", "decimal",
    "double", "enum", "float", "foreignId", "foreignUuid", "foreignUlid", "foreignIdFor",
    "geometry", "geography", "integer", "ipAddress", "json", "jsonb", "longText",
    "macAddress", "mediumInteger", "mediumText", "morphs", "uuidMorphs", "ulidMorphs", "set",
    "smallInteger", "string", "text", "time", "timeTz", "timestamp", "timestampTz",
    "tinyInteger", "tinyText", "unsignedBigInteger", "unsignedInteger",
    "unsignedMediumInteger", "unsignedSmallInteger", "unsignedTinyInteger",
    "unsignedDecimal", "uuid", "ulid", "year", "vector",
})  # fmt: skip
#: the Blueprint methods that declare a column
COLUMN_TYPES = _COLUMN_TYPES
#: drops of Laravel's column sets, and the columns they name
_DROPS = {
    "dropTimestamps": ("created_at", "updated_at"),
    "dropTimestampsTz": ("created_at", "updated_at"),
    "dropSoftDeletes": ("deleted_at",),
    "dropSoftDeletesTz": ("deleted_at",),
    "dropRememberToken": ("remember_token",),
}


def hits(d: Laravel, dialect: str, added: frozenset[int], review: SqlReview) -> list[Hit]:
    """Hits of the up side on ``added`` lines: its SQL strings reviewed like a SQL file's
    and its schema builder calls read as the statements they generate."""
    if d.up_side is None:
        return []
    in_tx = d.transactional and dialect in ("postgres", "sqlite")
    out = phpmig.sql_hits(d.up_side, in_tx, review)
    for call in d.up_side.calls:
        out += [h for h in _call_hits(call, dialect) if h not in out]
    out += phpmig.unread_hits(d.up_side)
    return [h for h in out if h.line in added]


def _call_hits(call: ops.Call, dialect: str) -> list[Hit]:
    """The rules a schema builder call breaks on an existing table (a table made in the
    same method holds no rows yet)."""
    op, table, line = call.op, call.table, call.line
    if op in ("drop", "dropIfExists"):
        return [] if call.created else [Hit("drop-table", f"Drops table {table}.", line, table,
                                            (table,))]  # fmt: skip
    if op == "rename":
        return [Hit("rename-table", f"Renames table {table}.", line, table)]
    if call.created or op in ("create", "table"):
        return []
    if op in ("dropColumn", "dropColumns") or op in _DROPS:
        names = _DROPS.get(op) or _listed(call)
        return [Hit("drop-column", f"Drops column {table}.{c}.", line, f"{table}.{c}", (table, c))
                for c in names]  # fmt: skip
    if op == "renameColumn":
        name = (call.args[0] if call.args else None) or "?"
        return [Hit("rename-column", f"Renames column {table}.{name}.", line, f"{table}.{name}")]
    if op in _COLUMN_TYPES and ops.changes_column(call):
        name = (call.args[0] if call.args else None) or "?"
        msg = (
            f"Changes column {table}.{name} (->change()): unless the database only updates "
            "its catalog (a wider VARCHAR), it rewrites the table and may break readers."
        )
        return [Hit("change-column-type", msg, line, f"{table}.{name}", level=Level.WARNING)]
    if op in _COLUMN_TYPES:
        return _add_column(call, dialect) + _foreign(call, dialect, chained=True)
    return _index(call, dialect) + _foreign(call, dialect, chained=False)


def _listed(call: ops.Call) -> tuple[str, ...]:
    """The columns a ``dropColumn('a', 'b')`` or ``dropColumn(['a', 'b'])`` names."""
    found = [a for a in call.args if a is not None]
    if found:
        return tuple(found)
    quoted = re.findall(r"""['"](\w+)['"]""", call.rest.split(")", 1)[0])
    return tuple(quoted) or ("?",)


def _add_column(call: ops.Call, dialect: str) -> list[Hit]:
    name = (call.args[0] if call.args else None) or "?"
    where = f"{call.table}.{name}"
    if dialect in ("mysql", "mariadb") or ops.nullable(call) or ops.has_default(call):
        return []  # MySQL fills a NOT NULL column with its type's implicit default
    msg = (
        f"Adds NOT NULL column {where} without a default (Laravel's columns are NOT NULL "
        "unless ->nullable()): the statement fails on a table that has rows."
    )
    return [Hit("add-required-column", msg, call.line, where, table=(call.table,))]


def _index(call: ops.Call, dialect: str) -> list[Hit]:
    """An index or unique constraint built on an existing PostgreSQL table (the schema
    builder cannot ask for CONCURRENTLY)."""
    if dialect not in ("postgres", "cockroach"):
        return []
    table = call.table
    if call.op in ("index", "fullText", "spatialIndex"):
        msg = (
            f"Builds an index on {table} without CONCURRENTLY (Laravel's schema builder "
            "does not): writes wait for the whole build."
        )
        return [Hit("index-not-concurrent", msg, call.line, table, table=(table,))]
    if call.op in ("unique", "primary"):
        msg = f"Adds a {call.op} constraint to {table}: its index is built while writes wait."
        return [Hit("unique-constraint", msg, call.line, table, table=(table,))]
    if call.op in ("dropIndex", "dropUnique"):
        name = (call.args[0] if call.args else None) or "?"
        msg = f"Drops index {name} of {table} without CONCURRENTLY."
        return [Hit("drop-index-not-concurrent", msg, call.line, f"{table}.{name}")]
    return []


def _foreign(call: ops.Call, dialect: str, *, chained: bool) -> list[Hit]:
    """A foreign key added to an existing PostgreSQL table (``->foreign(...)``, or a
    column's ``->constrained()``/``->references()``): every row is validated under lock."""
    if dialect not in ("postgres", "cockroach"):
        return []
    pattern = r"->\s*(?:constrained|references)\s*\(" if chained else None
    if (chained and not re.search(pattern or "", call.rest)) or (
        not chained and call.op != "foreign"
    ):
        return []
    msg = f"Adds a foreign key to {call.table}, validating every row while writes wait."
    return [Hit("constraint-not-valid", msg, call.line, call.table, table=(call.table,))]


# --- history ----------------------------------------------------------------------------


def same_statements(before: str, after: str) -> bool:
    """Two texts whose up runs the same SQL strings (layout aside) and the same schema
    builder calls: only the PHP around them changed."""
    return _effects(before) == _effects(after) is not None


def _effects(text: str) -> list[str] | None:
    return phpmig.effects(read(text).up_side, _spelled)


def _spelled(c: ops.Call) -> str:
    return f"{c.op}:{c.table}:{c.args}:{' '.join(c.rest.split())}"
