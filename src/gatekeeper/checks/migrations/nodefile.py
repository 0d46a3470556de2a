"""A Node migration file read as text: which library it is written for, whether it is a
migration at all, its ``up`` and ``down`` (and logto's ``beforeUp``/``beforeDown``) with
the line each body starts on, whether the library runs it in a transaction, the names it
binds to string literals, and its position in its folder.

What the sides do is read elsewhere: the SQL they run in :mod:`.nodesql`, knex's column
definitions in :mod:`.nodeknex`, the hits of an up in :mod:`.nodehits`.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from gatekeeper.checks.migrations.nodescan import COMMENTS, block_end, expression_end

KNEX, SEQUELIZE, TYPEORM, DBMIGRATE = "knex", "sequelize", "typeorm", "db-migrate"
#: Kysely (docmost): ``export async function up(db: Kysely<any>)`` building the schema with
#: ``db.schema.createIndex(...)...execute()`` and running ``sql`...`.execute(db)``
KYSELY = "kysely"
#: MikroORM: a ``Migration`` subclass from ``@mikro-orm/migrations`` whose ``up()`` runs
#: ``this.addSql('...')``, each migration in a transaction unless its class overrides
#: ``isTransactional()`` to return false
MIKRO_ORM = "mikro-orm"
#: node-pg-migrate: sides taking its builder, ``pgm`` (:mod:`.nodepgm`)
NODE_PG = "node-pg-migrate"
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
    r"^[ \t]*(?:public\s+|private\s+)?(?:override\s+)?(?:async\s+)?)(?P<side>up|down)\b"
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
    if _KYSELY_IMPORT.search(text):
        return KYSELY
    if _MIKRO_IMPORT.search(text):
        return MIKRO_ORM
    if _PGM.search(text):
        return NODE_PG
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


_MIKRO_IMPORT = re.compile(
    r"""\bfrom\s*['"]@mikro-orm/migrations['"]|\brequire\s*\(\s*['"]@mikro-orm/migrations['"]"""
)
#: a side taking node-pg-migrate's builder (``(pgm) =>``, ``up(pgm: MigrationBuilder)``)
#: or an import from the package
_PGM = re.compile(
    r"""\bfrom\s*['"]node-pg-migrate['"]|\brequire\s*\(\s*['"]node-pg-migrate['"]|"""
    r"\b(?:up|down)\b[^()\n]{0,40}\(\s*pgm\s*[:,)]"
)
_MIKRO_NO_TX = re.compile(r"\bisTransactional\s*\(\s*\)\s*(?::\s*boolean\s*)?\{\s*return\s+false\b")
_PGM_NO_TX = re.compile(r"\bpgm\s*\.\s*noTransaction\s*\(")
#: an import of Kysely: ``import { type Kysely, sql } from 'kysely'``, ``require("kysely")``
_KYSELY_IMPORT = re.compile(r"""\bfrom\s*['"]kysely['"]|\brequire\s*\(\s*['"]kysely['"]\s*\)""")


#: db-migrate's handle at work (``db.runSql(``, ``db.addIndex(``), or its setup hook
_DB_MIGRATE = re.compile(
    r"\bdb\s*\.\s*(?:runSql|addIndex|removeIndex|addColumn|removeColumn|renameColumn|"
    r"changeColumn|createTable|dropTable|renameTable|insert|addForeignKey)\s*\(|"
    r"\bexports\.setup\s*=\s*function\s*\(\s*options"
)


#: a ``sql`...``` template (drizzle-orm's, slonik's) handed to a database handle:
#: ``db.run(sql`...`)``, ``pool.query(sql`...`)``, ``pool.any<{ id: string }>(sql`...`)``
_TAGGED_CALL = re.compile(
    r"\.(?:run|execute|exec|all|get|query|any|one|many|maybeOne|oneFirst|anyFirst|manyFirst|"
    r"maybeOneFirst|exists)\s*(?:<[^()`]{0,200}>\s*)?\(\s*sql\s*`"
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
    code = COMMENTS.sub(" ", text)
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
    elif lib == NODE_PG:
        in_tx = _PGM_NO_TX.search(text) is None
    elif lib == MIKRO_ORM:
        in_tx = _MIKRO_NO_TX.search(text) is None
    elif lib == KYSELY:
        # Kysely's Migrator runs each migration in a transaction where the dialect has
        # transactional DDL (PostgreSQL, SQLite); the switch that turns it off lives in
        # the project's Migrator setup, out of the file's sight
        in_tx = True
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
    code = COMMENTS.sub(" ", text)
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
        end = block_end(text, at)
        return None if end is None else Side(text[at + 1 : end], line)
    return Side(text[at : expression_end(text, at)], line)


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
