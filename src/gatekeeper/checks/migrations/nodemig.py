"""Node.js migrations: knex, Sequelize, TypeORM, db-migrate and ``sql``-tag files, read as text.

A knex or Sequelize migration exports an ``up`` and a ``down`` function (``exports.up =``,
``export async function up(knex)``, ``up: async (queryInterface) => {...}``); a TypeORM one
is a class implementing ``MigrationInterface`` with ``up(queryRunner)`` and ``down``; a
db-migrate one exports ``up(db, callback)`` and ``down`` calling ``db.runSql(...)`` or the
``db.addIndex``/``db.removeColumn`` family, and runs outside a transaction; some projects
run their own files whose ``up`` and ``down`` hand drizzle-orm ``sql`...``` templates to
a database handle (read as run outside a transaction: the runner is unknown). The
gate runs no JavaScript: it reads each side's body, the SQL literals it executes
(``queryRunner.query(`...`)``, ``knex.raw('...')``, ``sequelize.query(...)``,
``db.runSql(`...`)``, ``db.run(sql`...`)`` in a project's own runner) and the schema
builder's calls that drop, rename, retype or index (``removeColumn``, ``dropColumn``,
``changeColumn``, ``addIndex``...). Not round-tripped (that needs the project's Node).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqleffects import DML
from gatekeeper.checks.migrations.sqltext import (
    TEMPLATE_PLACEHOLDER,
    Statement,
    irreversible_reason,
    split,
)
from gatekeeper.model import Finding, Level

KNEX, SEQUELIZE, TYPEORM, DBMIGRATE = "knex", "sequelize", "typeorm", "db-migrate"
#: a project's own runner over files whose sides run SQL written in ``sql`...``` templates
#: (drizzle-orm's tag: papra's ``0019-two-factor-verified.migration.ts`` exports
#: ``{ up: async ({ db }) => { await db.run(sql`ALTER TABLE ...`) }, down: ... }``)
SQL_TAG = "sql-tag"
SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".cts", ".mts")
#: folders whose files are copies or not migrations (compiled output, dependencies)
_SKIPPED_FOLDERS = frozenset({"node_modules", "dist", "build", "out", "__tests__", "test"})
_TEST_NAME = re.compile(r"\.(?:test|spec)\.[cm]?[jt]s$")
#: where a side's function starts: ``exports.up =``, ``export async function up(``,
#: ``up: async (queryInterface) =>``, ``async up(queryInterface) {``, ``public async up(``
_SIDE = re.compile(
    r"(?:\bexports\.|\bmodule\.exports\.|\bexport\s+(?:async\s+)?function\s+|"
    r"^[ \t]*(?:public\s+|private\s+)?(?:async\s+)?)(?P<side>up|down)\b"
    r"(?:\s*[:=]\s*(?:async\s*)?(?:function\s*\w*\s*)?)?\s*\([^()]{0,300}\)"
    r"(?:\s*:\s*[\w<>\[\]. |]{1,80})?\s*(?:=>\s*)?",
    re.MULTILINE,
)
#: a side declared as a plain function or a bound arrow, exported further down (kutt's
#: ``async function up(knex) {...}`` then ``module.exports = { up, down }``): a side only
#: when the file exports that name (:func:`_exported`)
_DECLARED = re.compile(
    r"^[ \t]*(?:(?:async\s+)?function\s*\*?\s*(?P<fn>up|down)|"
    r"(?:const|let|var)\s+(?P<bound>up|down)\s*(?::[^=\n]{1,80})?=\s*(?:async\s*)?"
    r"(?:function\s*\w*\s*)?)\s*\([^()]{0,300}\)"
    r"(?:\s*:\s*[\w<>\[\]. |]{1,80})?\s*(?:=>\s*)?",
    re.MULTILINE,
)
#: the names a file exports in one object or list: ``module.exports = { up, down }``,
#: ``export { up, down }``, ``export default { up: up, down }``
_EXPORT_LIST = re.compile(
    r"(?:\bmodule\.exports\s*=|\bexport\s+default|\bexport)\s*\{(?P<names>[^{}]{0,400})\}"
)
#: one name exported on its own: ``exports.up = up``, ``module.exports.down = down``
_EXPORT_ONE = re.compile(r"\b(?:module\.)?exports\.(?P<key>up|down)\s*=\s*(?P<name>up|down)\b")
#: a member of an export list that exports a side under its own name
_EXPORTED_MEMBER = re.compile(r"^\s*(?P<key>up|down)\s*(?:(?::|\bas\b)\s*(?P<name>\w+)\s*)?$")


#: how the caller reviews a literal's SQL statements (in a transaction or not)
SqlReview = Callable[[list[Statement], bool], list[Hit]]


@dataclass(frozen=True, slots=True)
class Side:
    """One side's function: its body text and the line (1-based) the body starts on."""

    body: str
    line: int


@dataclass(frozen=True, slots=True)
class NodeMigration:
    """The sides of a Node migration file and the library it is written for."""

    library: str
    up: Side | None
    down: Side | None
    #: whether the library runs the file in a transaction
    in_transaction: bool
    #: an alteration script's ``beforeUp`` and ``beforeDown`` (logto's runner calls them
    #: before the side itself, outside its transaction)
    before_up: Side | None = None
    before_down: Side | None = None
    #: names the file binds to string literals, each with the values it may take
    #: (``const ifNotExists = isMySQL ? "" : "IF NOT EXISTS"``): read into SQL templates
    bindings: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def library(text: str) -> str | None:
    """Which migration library a file is written for, or None when it is none of them."""
    if "MigrationInterface" in text and "queryRunner" in text:
        return TYPEORM
    if "queryInterface" in text:
        return SEQUELIZE
    if _DB_MIGRATE.search(text):
        return DBMIGRATE
    if "knex" in text.lower():
        return KNEX
    if _TAGGED_CALL.search(text):
        return SQL_TAG
    return None


#: db-migrate's handle at work (``db.runSql(``, ``db.addIndex(``), or its setup hook
_DB_MIGRATE = re.compile(
    r"\bdb\s*\.\s*(?:runSql|addIndex|removeIndex|addColumn|removeColumn|renameColumn|"
    r"changeColumn|createTable|dropTable|renameTable|insert|addForeignKey)\s*\(|"
    r"\bexports\.setup\s*=\s*function\s*\(\s*options"
)


def may_be_migration(path: str) -> bool:
    """A Node source file in a migrations folder (not compiled output, not a dependency):
    the files whose text is worth reading."""
    if not path.endswith(SUFFIXES) or path.endswith(".d.ts"):
        return False
    if _TEST_NAME.search(posixpath.basename(path)):
        return False  # a migration's test calls its up; it is not one
    folders = path.split("/")[:-1]
    return any(_named_for_migrations(f) for f in folders) and not (_SKIPPED_FOLDERS & set(folders))


def _named_for_migrations(folder: str) -> bool:
    """``migrations``, ``migration``, or a name joining them to another word:
    uptime-kuma's ``db/knex_migrations``, ``db-migrations``; or ``alterations``, logto's
    name for its scripts (``packages/schemas/alterations/next-1762338508-add-index.ts``;
    not the singular, the folder of its runner's own code)."""
    words = re.split(r"[-_.]", folder.lower())
    return any(w in ("migrations", "migration", "alterations") for w in words)


def is_migration(path: str, text: str | None) -> bool:
    """A Node file in a migrations folder that defines an ``up`` for one of the libraries."""
    if text is None or not may_be_migration(path) or library(text) is None:
        return False
    return any(side == "up" for side, _ in _side_starts(text))


def _side_starts(text: str) -> list[tuple[str, int]]:
    """Each side's name and where its function's body starts, in the file's order: the
    sides written as exports or members, and the functions declared under a side's name
    that the file exports (a helper called ``up`` that is not exported is no side)."""
    found = [(m.start(), m.group("side"), m.end()) for m in _SIDE.finditer(text)]
    exported = _exported(text)
    for m in _DECLARED.finditer(text):
        side = m.group("fn") or m.group("bound")
        if side in exported:
            found.append((m.start(), side, m.end()))
    return [(side, end) for _, side, end in sorted(found)]


def _exported(text: str) -> set[str]:
    """The sides the file exports by name, after declaring them."""
    code = _COMMENTS.sub(" ", text)
    out = {m.group("key") for m in _EXPORT_ONE.finditer(code) if m.group("key") == m.group("name")}
    for listed in _EXPORT_LIST.finditer(code):
        for member in listed.group("names").split(","):
            named = _EXPORTED_MEMBER.match(member)
            if named and named.group("name") in (None, named.group("key")):
                out.add(named.group("key"))
    return out


#: logto's hooks run before a side, outside its transaction (``beforeUp: async (pool) =>``)
_BEFORE = re.compile(
    r"^[ \t]*(?P<side>beforeUp|beforeDown)\s*:\s*(?:async\s*)?(?:function\s*\w*\s*)?"
    r"\([^()]{0,300}\)(?:\s*:\s*[\w<>\[\]. |]{1,80})?\s*(?:=>\s*)?",
    re.MULTILINE,
)
#: the type logto's alteration scripts declare: its runner calls up and down each in a
#: transaction (packages/cli's ``deployAlteration``)
_ALTERATION_TYPE = re.compile(r":\s*AlterationScript\b")


def read(text: str) -> NodeMigration:
    """The sides of a Node migration (``library(text)`` must not be None)."""
    lib = library(text) or KNEX
    sides: dict[str, Side] = {}
    for side, end in _side_starts(text):
        if side not in sides:
            found = _body(text, end)
            if found is not None:
                sides[side] = found
    before: dict[str, Side] = {}
    for m in _BEFORE.finditer(text):
        hook = _body(text, m.end())
        if hook is not None:
            before.setdefault(m.group("side"), hook)
    if lib == KNEX:
        in_tx = re.search(r"\btransaction\s*:\s*false\b", text) is None
    elif lib == TYPEORM:
        in_tx = re.search(r"\btransaction\s*=\s*false\b", text) is None
    elif lib == SQL_TAG:
        in_tx = _ALTERATION_TYPE.search(text) is not None
    else:
        # Sequelize's umzug and db-migrate run a file as it is, outside a transaction
        in_tx = False
    return NodeMigration(
        lib, sides.get("up"), sides.get("down"), in_tx,
        before.get("beforeUp"), before.get("beforeDown"), _bindings(text),
    )  # fmt: skip


#: ``const name = "literal";`` or ``const name = condition ? "a" : "b";`` (quotes of any
#: kind; a backtick literal only without interpolation)
_BINDING = re.compile(
    r"\b(?:const|let|var)\s+(?P<name>\w+)\s*=\s*(?:[^;?\n'\"`]{1,200}\?\s*)?"
    r"(?P<a>\"[^\"\n]*\"|'[^'\n]*'|`[^`$\n]*`)(?:\s*:\s*(?P<b>\"[^\"\n]*\"|'[^'\n]*'|`[^`$\n]*`))?"
    r"\s*;?[ \t]*$",
    re.MULTILINE,
)
_ASSIGNED = re.compile(r"\b(?:const|let|var)\s+(?P<name>\w+)\s*=|\b(?P<again>\w+)\s*[-+]?=(?!=)")


def _bindings(text: str) -> dict[str, tuple[str, ...]]:
    """Names bound once, to string literals only, with the values they may take; a name
    bound or assigned anywhere else is left out (its value is known at run time only)."""
    code = _COMMENTS.sub(" ", text)
    counts: dict[str, int] = {}
    for m in _ASSIGNED.finditer(code):
        name = m.group("name") or m.group("again")
        counts[name] = counts.get(name, 0) + 1
    out: dict[str, tuple[str, ...]] = {}
    for m in _BINDING.finditer(code):
        name = m.group("name")
        if counts.get(name) == 1:
            out[name] = tuple(v[1:-1] for v in (m.group("a"), m.group("b")) if v is not None)
    return out


def _body(text: str, at: int) -> Side | None:
    """The function body starting at ``at``: a ``{...}`` block, or an arrow's expression
    up to the end of its statement."""
    line = text.count("\n", 0, at) + 1
    if at < len(text) and text[at] == "{":
        end = _closing(text, at)
        return None if end is None else Side(text[at + 1 : end], line)
    return Side(text[at : _expression_end(text, at)], line)


def _expression_end(text: str, start: int) -> int:
    """Where an arrow's expression body ends: its statement's ``;``, the ``,`` or closing
    bracket of the object it is a member of, at its own depth (the ``;`` inside a callback
    it passes, ``(table) => { table.integer('x'); }``, does not end it)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if (skipped := _skip(text, i)) is not None:
            i = skipped
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return i
        elif c in ";," and depth == 0:
            return i
        i += 1
    return n


def _closing(text: str, start: int) -> int | None:
    """The index of the brace closing the one at ``start``, skipping strings and comments."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if (skipped := _skip(text, i)) is not None:
            i = skipped
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _skip(text: str, i: int) -> int | None:
    """Where a string or comment starting at ``i`` ends (its last character), or None when
    none starts there: what every scan of a body steps over whole."""
    if text[i] in "\"'`":
        return _string_end(text, i)
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 1
    return None


def _string_end(text: str, start: int) -> int:
    """The index of the quote closing the string at ``start``; in a template literal,
    each ``${...}`` is skipped whole (it may hold strings and templates of its own)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        if quote == "`" and text.startswith("${", i):
            i = _interpolation_end(text, i + 2) + 1
            continue
        i += 1
    return len(text)


def _interpolation_end(text: str, start: int) -> int:
    """The index of the ``}`` closing a template's ``${`` whose expression starts at
    ``start`` (or the text's end)."""
    depth, i = 1, start
    while i < len(text):
        c = text[i]
        if c in "\"'`":
            i = _string_end(text, i)
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
#: what a side does when it does nothing: resolve, return, or throw
_NOTHING = re.compile(
    r"(?:return\s*(?:Promise\.resolve\(\s*\)|undefined|null)?|Promise\.resolve\(\s*\)|"
    r"await\s+Promise\.resolve\(\s*\)|"
    # db-migrate's callback called straight away: ``callback();``, ``return cb();``
    r"(?:return\s+)?(?:callback|cb|done|next)\s*\(\s*(?:null)?\s*\))\s*;?"
)
_THROWS = re.compile(r"^\s*throw\s+new\s+\w*Error\s*\(", re.MULTILINE)


def does_nothing(side: Side) -> bool:
    """A body that is empty, only resolves or returns, or only throws (the library's way
    to refuse a rollback)."""
    code = _COMMENTS.sub("", side.body).strip().strip("{}").strip()
    if not code or _NOTHING.fullmatch(code):
        return True
    return bool(_THROWS.match(code)) and code.count(";") <= 1


#: schema work through the libraries' builders (anything but rows)
_SCHEMA_CALL = re.compile(
    r"\.schema\b|\b(?:queryInterface|queryRunner|db)\s*\.\s*(?:add|remove|change|rename|create|"
    r"drop)\w*\s*\("
)
#: row changes through the builders
_ROW_CALL = re.compile(
    r"\.(?:del|delete|update|insert|bulkInsert|bulkDelete|bulkUpdate|truncate)\s*\("
)


#: the library's handle passed to other code (``await migrateAll(queryInterface)``), which
#: may do anything with it out of the gate's sight
_HANDED = re.compile(
    r"\(\s*(?:[^()]{0,300},\s*)?(?:queryInterface|queryRunner|knex|trx|transaction|db)\s*[,)]"
)


def data_only(side: Side, bindings: Mapping[str, tuple[str, ...]] | None = None) -> bool:
    """A side that changes rows and no schema: its SQL literals are all UPDATE, INSERT or
    DELETE, it calls no schema builder nor hands the library's handle to other code, and
    it changes some rows."""
    code = _COMMENTS.sub("", side.body)
    if _SCHEMA_CALL.search(code) or _HANDED.search(code):
        return False
    literals = _sql_literals(code, side.line, bindings or {})
    if any(lit.unknown for lit in literals):
        return False  # SQL built at run time: it may be anything
    statements = [st for lit in literals for variant in lit.variants for st in variant]
    if any(not DML.match(st.text) for st in statements):
        return False
    return bool(statements) or bool(_ROW_CALL.search(code))


# --- safety ------------------------------------------------------------------------------

#: SQL executed by the libraries: the first argument, a string or template literal, or a
#: ``sql`...``` template given to a database handle (``db.run(sql`...`)``)
_SQL_CALL = re.compile(
    r"\.(?:(?:query|raw|runSql)\s*(?:<[^()`]{0,200}>\s*)?\(\s*(?:sql\s*(?=`))?|"
    r"(?:run|execute|exec|all|get|any|one|many|maybeOne|oneFirst|anyFirst|manyFirst|"
    r"maybeOneFirst|exists)\s*(?:<[^()`]{0,200}>\s*)?\(\s*sql\s*(?=`))"
    r"(?P<q>[`'\"])"
)
#: a ``sql`...``` template (drizzle-orm's, slonik's) handed to a database handle:
#: ``db.run(sql`...`)``, ``pool.query(sql`...`)``, ``pool.any<{ id: string }>(sql`...`)``
_TAGGED_CALL = re.compile(
    r"\.(?:run|execute|exec|all|get|query|any|one|many|maybeOne|oneFirst|anyFirst|manyFirst|"
    r"maybeOneFirst|exists)\s*(?:<[^()`]{0,200}>\s*)?\(\s*sql\s*`"
)
#: Sequelize's queryInterface calls: table first, column second
_QI = re.compile(
    r"\b(?:queryInterface|queryRunner|db)\s*\.\s*(?P<op>removeColumn|dropColumn|dropTable|"
    r"renameColumn|renameTable|changeColumn|addIndex|createIndex)\s*\(\s*"
    r"(?P<args>[^()]{0,400})"
)
#: knex's schema builder: the table an ``alterTable``/``table`` callback works on
_KNEX_TABLE = re.compile(
    r"\.schema\s*(?:\.\s*withSchema\([^()]{0,100}\))?\s*\.\s*(?P<op>alterTable|table|dropTable|"
    r"dropTableIfExists|renameTable)\s*\(\s*(?P<args>[^()]{0,200})"
)
_KNEX_COLUMN = re.compile(
    r"\.\s*(?P<op>dropColumn|dropColumns|renameColumn|index|unique|alter)\s*\((?P<args>[^()]{0,200})"
)
_STRING = re.compile(r"""[`'"]([^`'"\n]{1,200})[`'"]""")


def hits(
    m: NodeMigration,
    dialect: str,
    added: frozenset[int],
    sql_review: SqlReview,
    merged: Mapping[tuple[str, str], KnexColumn] | None = None,
) -> list[Hit]:
    """Hits of the up side on ``added`` lines: its literal SQL, reviewed like a SQL file's,
    and the schema builder's destructive or locking calls. ``merged``: each column as the
    merged knex migrations of the folder last define it (:func:`merged_columns`)."""
    if m.up is None:
        return []
    out: list[Hit] = []
    if m.before_up is not None:  # run first, outside the up's transaction
        out += _literal_hits(m, m.before_up, sql_review, in_transaction=False)
    out += _literal_hits(m, m.up, sql_review, in_transaction=m.in_transaction)
    body, first = m.up.body, m.up.line
    out += _interface_hits(body, first, dialect)
    out += _knex_hits(body, first, dialect)
    if m.library == KNEX:
        # the column as it was: as the merged migrations define it, else as the down
        # restores it (a down is the author's word; the merged history is not)
        restored = {(c.table, c.column): c for c in knex_columns(m.down)} if m.down else {}
        known = {**restored, **(merged or {})}
        out += [h for c in knex_columns(m.up) if c.altered for h in _alter_hits(c, known)]
        out = [_copied_back(h, m.up) if h.rule == "drop-column" else h for h in out]
    return [h for h in out if h.line in added]


_SELECT = re.compile(r"\.\s*select\s*\((?P<args>[^()]{0,300})\)")
_UPDATE = re.compile(r"\.\s*update\s*\(")


def _copied_back(hit: Hit, side: Side) -> Hit:
    """A knex drop of a column the same up read out first, adds again and writes back
    (the way to re-create a column on SQLite, whose ALTER cannot change one): no data is
    lost, so a warning. A drop and re-add without the copy empties the column: an error."""
    if len(hit.target) != 2:
        return hit
    table, column = hit.target
    code = _COMMENTS.sub(lambda c: " " * len(c.group()), side.body)

    def line_of(at: int) -> int:
        return side.line + code.count("\n", 0, at)

    read_first = any(
        line_of(m.start()) < hit.line and column in _strings(m.group("args"))
        for m in _SELECT.finditer(code)
    )
    again = [
        c.line for c in knex_columns(side)
        if (c.table, c.column) == (table, column) and not c.altered and c.line > hit.line
    ]  # fmt: skip
    written = again and any(line_of(m.start()) > again[0] for m in _UPDATE.finditer(code))
    if not (read_first and written):
        return hit
    return dataclasses.replace(
        hit,
        level=Level.WARNING,
        message=f"{hit.message} The up reads its values first, adds the column again and "
        "writes them back: the column is re-created, not lost (a warning; rows written "
        "meanwhile may miss theirs).",
    )


def _literal_hits(
    m: NodeMigration, side: Side, sql_review: SqlReview, *, in_transaction: bool
) -> list[Hit]:
    """The side's SQL literals reviewed, each reading of its interpolations in turn."""
    literals = _sql_literals(side.body, side.line, m.bindings)
    if m.library == SQL_TAG:
        # one runner's file: its statements are one migration (a table made by the first
        # template is a new table to the index built in the next)
        readings = max((len(lit.variants) for lit in literals), default=0)
        groups = [
            [st for lit in literals for st in lit.variants[min(k, len(lit.variants) - 1)]]
            for k in range(readings)
        ]
    else:
        groups = [variant for lit in literals for variant in lit.variants]
    out: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for statements in groups:
        # a rule one reading breaks at a line is one hit, however many readings break it
        for h in sql_review(statements, in_transaction):
            if (h.rule, h.line) not in seen:
                seen.add((h.rule, h.line))
                out.append(h)
    return out


@dataclass(frozen=True, slots=True)
class Literal:
    """One SQL literal a side runs, as each reading of its interpolations makes it."""

    variants: list[list[Statement]]
    #: an interpolation the file binds to no string literal: read as a placeholder name
    #: (the statements around it still reviewed; one it stands in for is out of sight)
    unknown: bool


#: how many readings of a template's interpolations are reviewed at most
_READINGS = 2


def _sql_literals(body: str, first: int, bindings: Mapping[str, tuple[str, ...]]) -> list[Literal]:
    """Each SQL literal the side runs, split into statements. A template's ``${name}``
    bound to string literals is read as each of them in turn (the first values of every
    name, then the last: each value read once); any other interpolation becomes the
    placeholder identifier, so the statement around it is still split and reviewed (and
    reported as unreviewed when no parser accepts it) rather than skipped."""
    out = []
    for m in _SQL_CALL.finditer(body):
        start = m.end() - 1
        end = _string_end(body, start)
        sql = body[start + 1 : end]
        line = first + body.count("\n", 0, start)
        if m.group("q") != "`" or "${" not in sql:
            out.append(Literal([split(sql, line)], unknown=False))
            continue
        pieces = _template_pieces(sql)
        names = {p[1].strip() for p in pieces if p[0] == "expr"}
        unknown = any(n not in bindings for n in names)
        variants = []
        for k in range(_READINGS):
            text = "".join(
                part if kind == "text"
                else (bindings[part.strip()][min(k, len(bindings[part.strip()]) - 1)]
                      if part.strip() in bindings else TEMPLATE_PLACEHOLDER)
                for kind, part in pieces
            )  # fmt: skip
            statements = split(text, line)
            if statements not in variants:
                variants.append(statements)
        out.append(Literal(variants, unknown=unknown))
    return out


def sql_texts(side: Side, bindings: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The SQL each literal of a side runs, in its first reading (:func:`_sql_literals`)."""
    return [
        ";\n".join(st.text for st in lit.variants[0])
        for lit in _sql_literals(side.body, side.line, bindings)
    ]


def literal_texts(side: Side) -> list[str]:
    """The SQL literals a side runs, as written (interpolations kept), comments aside."""
    code = _COMMENTS.sub(" ", side.body)
    out = []
    for call in _SQL_CALL.finditer(code):
        start = call.end() - 1
        out.append(code[start + 1 : _string_end(code, start)])
    return out


#: where schema work starts: the builders' entry points (``knex.schema``, ``trx.schema``)
#: and the handles' methods (``queryInterface.addColumn(``, ``queryRunner.dropTable(``)
_SCHEMA_START = re.compile(
    r"\.\s*schema\b|\b(?:queryInterface|queryRunner|db|pool)\s*\.\s*\w+\s*(?:<[^()]{0,200}>\s*)?\("
)


def schema_calls(side: Side) -> list[str]:
    """Each schema-builder call of a side, whole (``knex.schema.alterTable("t", (table) =>
    {...})``, ``queryInterface.addColumn(...)``), comments aside."""
    code = _COMMENTS.sub(" ", side.body)
    return [code[m.start() : _expression_end(code, m.end())] for m in _SCHEMA_START.finditer(code)]


def _template_pieces(sql: str) -> list[tuple[str, str]]:
    """A template's text and ``${...}`` expressions in order: ``("text", ...)`` and
    ``("expr", ...)``; an expression spanning lines keeps its line breaks in the text."""
    out: list[tuple[str, str]] = []
    i = 0
    while True:
        at = sql.find("${", i)
        if at < 0 or (at > 0 and sql[at - 1] == "\\"):
            if at < 0:
                out.append(("text", sql[i:]))
                return out
            out.append(("text", sql[i : at + 2]))
            i = at + 2
            continue
        out.append(("text", sql[i:at]))
        end = _interpolation_end(sql, at + 2)
        expr = sql[at + 2 : end]
        out.append(("expr", expr))
        out.append(("text", "\n" * expr.count("\n")))
        i = end + 1


def _strings(args: str) -> list[str]:
    return _STRING.findall(args)


def _interface_hits(body: str, first: int, dialect: str) -> list[Hit]:
    out = []
    for m in _QI.finditer(body):
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        table = names[0] if names else "?"
        out += _op_hit(op, table, names[1:], line, dialect, "concurrently" in m.group("args"))
    return out


def _knex_hits(body: str, first: int, dialect: str) -> list[Hit]:
    out = []
    tables = [(m.start(), m) for m in _KNEX_TABLE.finditer(body)]
    for _, m in tables:
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        if op in ("dropTable", "dropTableIfExists", "renameTable"):
            out += _op_hit(op.replace("IfExists", ""), names[0] if names else "?", names[1:],
                           line, dialect, False)  # fmt: skip
    for m in _KNEX_COLUMN.finditer(body):
        owner = [
            t for at, t in tables if at < m.start() and t.group("op") in ("alterTable", "table")
        ]
        if not owner:
            continue
        table = (_strings(owner[-1].group("args")) or ["?"])[0]
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        if op == "alter":
            continue  # judged by what the column was and becomes (_alter_hits)
        op = {"dropColumns": "dropColumn", "index": "addIndex"}.get(op, op)
        out += _op_hit(op, table, names, line, dialect, False)
    return out


def _op_hit(
    op: str, table: str, names: list[str], line: int, dialect: str, concurrent: bool
) -> list[Hit]:
    column = names[0] if names else "?"
    where = f"{table}.{column}"
    if op in ("removeColumn", "dropColumn"):
        return [Hit("drop-column", f"Drops column {where}.", line, where, (table, column))]
    if op == "dropTable":
        return [Hit("drop-table", f"Drops table {table}.", line, table, (table,))]
    if op == "renameColumn":
        return [Hit("rename-column", f"Renames column {where}.", line, where)]
    if op == "renameTable":
        return [Hit("rename-table", f"Renames table {table}.", line, table)]
    if op == "changeColumn":
        msg = f"Changes column {where}: if its type changes, the table is rewritten."
        return [Hit("change-column-type", msg, line, where, level=Level.WARNING)]
    if op in ("addIndex", "createIndex", "unique") and dialect == "postgres" and not concurrent:
        rule = "unique-constraint" if op == "unique" else "index-not-concurrent"
        msg = f"Builds an index on {table} without CONCURRENTLY: writes wait for the whole build."
        return [Hit(rule, msg, line, table, table=(table,))]
    return []


# --- knex column changes -----------------------------------------------------------------

#: a knex column definition, ``table.float("ping", 20, 2)``, and the calls chained to it
#: (``.notNullable().defaultTo(0).alter()``)
_KNEX_DEF = re.compile(
    r"\b(?P<var>\w+)\s*\.\s*(?P<type>\w+)\s*\(\s*(?P<q>[`'\"])(?P<column>[^`'\"\n]{1,100})(?P=q)"
    r"(?P<args>[^()]{0,300})\)(?P<chain>(?:\s*\.\s*\w+\s*\([^()]{0,200}\))*)"
)
#: the table a knex callback defines or changes (created tables hold no rows yet)
_KNEX_OWNER = re.compile(
    r"\.\s*(?P<op>createTable|createTableIfNotExists|alterTable|table)\s*\(\s*"
    r"[`'\"](?P<table>[^`'\"\n]{1,100})[`'\"]"
)
#: knex's column types, by family: integers by width, text, floating and fixed point
_KNEX_INTEGERS = {"tinyint": 1, "smallint": 2, "mediumint": 3, "integer": 4, "int": 4,
                  "increments": 4, "biginteger": 8, "bigint": 8, "bigincrements": 8}  # fmt: skip
_KNEX_TEXT = frozenset({"string", "text", "enu", "enum"})
_KNEX_NUMBERS = frozenset({"float", "double", "decimal"})
_KNEX_TYPES = frozenset({*_KNEX_INTEGERS, *_KNEX_TEXT, *_KNEX_NUMBERS, "boolean", "date",
                         "datetime", "timestamp", "time", "json", "jsonb", "uuid", "binary",
                         "specifictype"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class KnexColumn:
    """One column a knex side defines: its table, type as written, and what is chained."""

    table: str
    column: str
    #: the builder method, lower-cased (``biginteger``, ``string``), and its other arguments
    #: with spaces removed (``20,2``)
    type: str
    args: str
    not_null: bool
    altered: bool
    line: int
    #: read from a merged migration (not from the change's own down)
    merged: bool = False

    @property
    def spelled(self) -> str:
        return f"{self.type}({self.args})" if self.args else self.type


def knex_columns(side: Side) -> list[KnexColumn]:
    """The columns a knex side defines inside ``createTable``/``alterTable``/``table``
    callbacks, in order."""
    code = _COMMENTS.sub(lambda c: " " * len(c.group()), side.body)
    owners = [(o.start(), o.group("table")) for o in _KNEX_OWNER.finditer(code)]
    out = []
    for d in _KNEX_DEF.finditer(code):
        kind = d.group("type").lower()
        table = [t for at, t in owners if at < d.start()]
        if kind not in _KNEX_TYPES or not table:
            continue
        chained = re.findall(r"\.\s*(\w+)\s*\(", d.group("chain"))
        out.append(KnexColumn(
            table=table[-1],
            column=d.group("column"),
            type="enu" if kind == "enum" else kind,
            args=re.sub(r"\s+", "", d.group("args")).lstrip(","),
            not_null="notNullable" in chained,
            altered="alter" in chained,
            line=side.line + code.count("\n", 0, d.start()),
        ))  # fmt: skip
    return out


def merged_columns(texts: Iterable[str]) -> dict[tuple[str, str], KnexColumn]:
    """(table, column) -> its last definition in the ups of ``texts`` (merged knex
    migrations, in apply order), whether made or altered."""
    out: dict[tuple[str, str], KnexColumn] = {}
    for text in texts:
        m = read(text)
        if m.library == KNEX and m.up is not None:
            out.update({(c.table, c.column): dataclasses.replace(c, merged=True)
                        for c in knex_columns(m.up)})  # fmt: skip
    return out


def _alter_hits(new: KnexColumn, known: Mapping[tuple[str, str], KnexColumn]) -> list[Hit]:
    """What a column's ``.alter()`` does, read against the column as it was: its last
    definition in the merged migrations, else the one the down restores (knex redefines the
    whole column: the down's ``.alter()`` is the column as it was). Without either, only a
    warning that the type may change."""
    where = f"{new.table}.{new.column}"
    old = known.get((new.table, new.column))
    if old is None:
        msg = (
            f"Changes column {where} with knex .alter(), and neither a merged migration nor "
            "the down defines it: if its type changes, the table is rewritten."
        )
        return [Hit("change-column-type", msg, new.line, where, level=Level.WARNING)]
    out = []
    if (old.type, old.args) != (new.type, new.args):
        said = "as merged migrations define it" if old.merged else "as its down restores it"
        change = f"from {old.spelled} ({said}) to {new.spelled}"
        if _widens(old, new):
            msg = (
                f"Changes the type of {where} {change} with knex .alter(): readers can still "
                "read it, but the table is rewritten (copied by MySQL, rebuilt by knex on "
                "SQLite, rewritten under ACCESS EXCLUSIVE by PostgreSQL)."
            )
            out.append(Hit("change-column-type", msg, new.line, where, table=(new.table,),
                           sized=True))  # fmt: skip
        else:
            msg = (
                f"Changes the type of {where} {change} with knex .alter(): the table is "
                "rewritten, and values or code written for the old type may not fit the new."
            )
            out.append(Hit("change-column-type", msg, new.line, where, table=(new.table,)))
    if new.not_null and not old.not_null:
        said = "merged migrations left it nullable" if old.merged else "its down leaves it nullable"
        msg = (
            f"Sets NOT NULL on {where} with knex .alter() ({said}): the "
            "whole table is checked under lock, and the up fails on a row holding NULL."
        )
        out.append(Hit("set-not-null", msg, new.line, where, table=(new.table,)))
    return out


def _numbers(args: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", args)]


def _widens(old: KnexColumn, new: KnexColumn) -> bool:
    """True when every value of the old type fits the new one: a wider integer, longer
    text (an enum's values fit a string), a float or decimal with more digits before the
    point and as many after it."""
    if old.type in _KNEX_INTEGERS and new.type in _KNEX_INTEGERS:
        return _KNEX_INTEGERS[new.type] >= _KNEX_INTEGERS[old.type]
    if old.type in _KNEX_TEXT and new.type in ("text", "string"):
        if new.type == "text" or old.type == "enu":
            return True
        before, after = _numbers(old.args) or [255], _numbers(new.args) or [255]
        return old.type == "string" and after[0] >= before[0]
    if old.type in _KNEX_NUMBERS and new.type in _KNEX_NUMBERS:
        if new.type == "double":
            return old.type in ("float", "double")
        if old.type != new.type:
            return False
        before, after = _numbers(old.args) or [8, 2], _numbers(new.args) or [8, 2]
        before, after = [*before, 2][:2], [*after, 2][:2]
        return after[1] == before[1] and after[0] >= before[0]
    return False


#: logto's alteration names: ``next-1762338508-add-index.ts`` until a release renames it
#: ``1.32.0-1762338508-add-index.ts`` (the release's version, then the same rest)
STAGED = re.compile(
    r"^(?P<release>next|\d+(?:\.\d+){1,3}(?:-[a-z]+(?:\.\d+)?)?)-(?P<stamp>\d{9,})-"
)


def version(path: str) -> str:
    """A file's position in its folder: the timestamp or number its name starts with (for
    logto's ``next-<timestamp>-`` and ``<release>-<timestamp>-`` names, the timestamp)."""
    name = posixpath.basename(path)
    staged = STAGED.match(name)
    if staged:
        return staged.group("stamp")
    return re.split(r"[_\-.]", name, maxsplit=1)[0]


# --- reversibility -----------------------------------------------------------------------


def check(
    check: BaseCheck,
    path: str,
    text: str,
    *,
    honour_marker: bool = True,
    habit: Downs | None = None,
) -> list[Finding]:
    """An ``up`` without a ``down``, or a ``down`` that does nothing, in a Node migration:
    ``knex migrate:rollback`` or ``sequelize db:migrate:undo`` then rolls nothing back.
    Weighed by the folder's ``habit`` (:func:`downs`, read at base) as the PHP readers
    weigh theirs: a folder that never writes downs asks for none, one that mostly does
    not makes the error a warning."""
    found = _reversibility(check, path, text, honour_marker=honour_marker)
    return found if habit is None else habit.weigh(found)


def does_something(side: Side | None) -> bool:
    """A side present whose body does something (:func:`does_nothing`)."""
    return side is not None and not does_nothing(side)


def _reversibility(check: BaseCheck, path: str, text: str, *, honour_marker: bool) -> list[Finding]:
    m = read(text)
    if m.up is None or not (does_something(m.up) or does_something(m.before_up)):
        return []  # nothing to undo
    reason = irreversible_reason(text) if honour_marker else None
    if m.down is None and m.before_down is None:
        rule, line = "missing-down", m.up.line
        message = f"{m.library} migration {path} has an up and no down: a rollback cannot undo it."
    elif does_something(m.down) or does_something(m.before_down):
        return []
    elif data_only(m.up, m.bindings) and not does_something(m.before_up):
        # as for an Alembic data migration: rows changed cannot be changed back by code,
        # so a down that does nothing is the honest one; worth a look, not a block
        message = (
            f"The down of {m.library} migration {path} does nothing, and its up only changes "
            "rows: a rollback keeps the changed data (take a backup if it matters)."
        )
        where = (m.down or m.before_down or m.up).line
        return [check.finding("empty-down", message, path=path, line=where,
                              evidence=path, level=Level.WARNING)]  # fmt: skip
    else:
        rule, line = "empty-down", (m.down or m.before_down or m.up).line
        message = (
            f"The down of {m.library} migration {path} does nothing (empty, resolves or "
            "throws): a rollback leaves what the up did."
        )
    if reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    return [check.finding(rule, message, path=path, line=line, evidence=path)]
