"""Go migrations written as Go code: goose, gormigrate, xormigrate, xorm and project runners.

Five shapes, read as text (the gate runs no Go; :mod:`.gosrc` tokenises it):

- goose: ``goose.AddMigration(up, down)`` (``...Context``, ``...NoTx...``) registers two
  functions; ``down`` may be ``nil``. Run in a transaction unless ``NoTx``.
- gormigrate / xormigrate: ``&gormigrate.Migration{ID: ..., Migrate: func(tx) error {...},
  Rollback: func(tx) error {...}}``; ``Rollback`` may be absent or ``nil``; xormigrate's
  ``MigrateSession``/``RollbackSession`` (a ``*xorm.Session``) are the same slots.
- a project's own runner: a file in a migrations folder whose functions take a database
  handle (``*sql.DB``, ``*sqlx.DB``, a ``datastore``) and execute SQL, importing no
  migration library (listmonk's ``internal/migrations/vX.Y.Z.go``, writefreely's
  ``migrations/vN.go``). **Forward-only**: the shape has no down slot, so no down is asked
  for; only the up's effects are judged.
- xorm's own versioned steps (apache/answer's ``internal/migrations/v30.go``, gitea's
  ``models/migrations/v1_20/v259.go``): a file named for its version (``v30.go``,
  ``v259.go``) that imports xorm and defines functions taking an xorm handle
  (``*xorm.Engine``, ``xorm.Interface``, ``*xorm.Session``), which the package lists in
  order with ``NewMigration(...)``. Schema comes from ``x.Sync(new(T))`` (additive), SQL
  from ``x.Exec``, data steps are Go. **Forward-only** by design: xorm has no downs.

A file is a migration only in a ``migrations``/``migration``/``migrate`` folder (not a
test, not vendored, not ``package main``), and only with one of these shapes: a file that
imports a migration library without registering a migration is the runner's glue, and a
runner-shaped file whose SQL only touches the runner's own bookkeeping table
(``appmigrations``, ``schema_migrations``) is too.

Reviewed: every SQL string expression outside the down functions (literals, ``+``
concatenations, constants the file defines, ``fmt.Sprintf`` formats), as a SQL file's
statements; parts only known at run time are reported (``unreviewed-statement``) and a
statement built with them still fires its rules (a ``DROP TABLE %s`` drops a table), a
lock on an unknown table as a warning. Also the ORM calls that drop, rename or retype
(``DropTables``, ``Migrator().DropColumn``, ``AlterColumn``, ``dropTableColumn`` helpers).
This module tells the shapes apart and reads the SQL (:mod:`.goshapes` finds the up and
down functions a library's call or struct registers); :mod:`.gohits` turns them into safety
hits and :mod:`.godowns` judges the downs and the edits of merged files.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from gatekeeper.checks.migrations import goshapes, gosrc, gosteps
from gatekeeper.checks.migrations.goshapes import Pair, Side, call_args, line_of
from gatekeeper.checks.migrations.gosrc import Token
from gatekeeper.checks.migrations.sqltext import (
    Statement,
    split,
    strip_comments,
)

GOOSE, GORMIGRATE, XORMIGRATE, RUNNER = "goose", "gormigrate", "xormigrate", "runner"
XORM = "xorm"
#: the shapes with no down slot: nothing asks them for a down
FORWARD_ONLY = frozenset({RUNNER, XORM})
#: a slice of SQL steps in a file named for migrating (:mod:`.gosteps`)
STEPS = "steps"
FOLDERS = frozenset({"migrations", "migration", "migrate"})
_SKIPPED = frozenset({"vendor", "testdata"})
#: the libraries whose files are glue unless they register a migration
_LIBRARIES = re.compile(
    r"\"[^\"\n]*(?:pressly/goose|go-gormigrate|xormigrate|golang-migrate/migrate|"
    r"rubenv/sql-migrate|uptrace/bun/migrate)[^\"\n]*\""
)
EXEC = frozenset({
    "Exec", "ExecContext", "MustExec", "MustExecContext", "Raw", "NamedExec",
    "NamedExecContext",
})  # fmt: skip
#: xorm imported (its current and its old module path)
_XORM_IMPORT = re.compile(r"\"(?:xorm\.io/xorm|github\.com/go-xorm/xorm)\"")
#: a parameter that is an xorm handle: the engine, its interfaces, a session
_XORM_HANDLE = re.compile(r"\bxorm\s*\.\s*(?:Engine|EngineInterface|Interface|Session)\b")
#: a file named for its version: answer's ``v30.go``, gitea's ``v259.go``
_VERSIONED = re.compile(r"^[vV]?\d")
_HANDLE_TYPES = r"(?:DB|Tx|Conn|Pool|Engine|Session|datastore|IDB)\b"
#: a parameter type that is a database handle (matched at the type's start)
HANDLE = re.compile(rf"\*?\s*(?:\w+\.)?{_HANDLE_TYPES}")
#: the same, anywhere in a parameter list: HANDLE's optional prefix adds nothing to a
#: search, and under one it re-read each run of blanks or word characters from every
#: start inside it (quadratic on a long one)
_HANDLE_IN = re.compile(_HANDLE_TYPES)
_SQL = re.compile(
    r"^\s*(?P<kw>CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|TRUNCATE|RENAME|DO|WITH|COMMENT|"
    r"REFRESH|VACUUM|REINDEX|CLUSTER|LOCK|SET|GRANT|REVOKE|SELECT)\b",
    re.IGNORECASE,
)
_CHANGES = re.compile(
    r"^\s*(?:CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|TRUNCATE|RENAME|DO)\b", re.IGNORECASE
)
#: a file that carries other files into the program or reads them at run time
_READS_FILES = re.compile(r"^//go:embed\s|\b(?:ReadDir|ReadFile|WalkDir|Glob)\s*\(", re.MULTILINE)
#: the runner's own bookkeeping tables
_BOOKKEEPING = re.compile(r"(?i)\w*(?:migration|schema_version|db_version)\w*")
ADDITIVE_SQL = re.compile(
    r"^\s*(?:CREATE\s+(?!OR\s+REPLACE)|ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?[\w.\"`]+\s+ADD\b|"
    r"INSERT\b|UPDATE\b|DELETE\b|SELECT\b|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b|SET\b|"
    r"WITH\b(?!.*\b(?:DROP|TRUNCATE|ALTER)\b))",
    re.IGNORECASE | re.DOTALL,
)
#: calls that change schema in place (a row ``Delete`` is a row change, not one of them)
DESTRUCTIVE_CALL = re.compile(r"(?i)drop|remove|rename|alter|modify|change|truncate")


@dataclass(slots=True)
class GoMigration:
    """A Go migration file read: its shape, its migrations and its tokens."""

    library: str
    pairs: list[Pair]
    in_transaction: bool
    text: str
    toks: list[Token]
    consts: dict[str, str]
    #: the file's top-level functions (name -> body), for the helpers an up calls
    funcs: dict[str, Side] = field(default_factory=dict)


def may_be_migration(path: str) -> bool:
    """A Go file (not a test, not vendored) in a migrations folder, or named for
    migrating (a slice of steps, :mod:`.gosteps`)."""
    if not path.endswith(".go") or path.endswith("_test.go"):
        return False
    folders = set(path.split("/")[:-1])
    return not folders & _SKIPPED and (_in_folder(path) or gosteps.named_for_steps(path))


def _in_folder(path: str) -> bool:
    return bool(set(path.split("/")[:-1]) & FOLDERS)


def is_migration(path: str, text: str | None, *, tools: bool = False) -> bool:
    """A Go file in a migrations folder with one of the four shapes, or one named for
    migrating that keeps a slice of SQL steps (``tools``: :func:`still_the_runner`)."""
    if text is None or not may_be_migration(path):
        return False
    m = read(text, tools=tools)
    if m is not None and m.library == XORM and not _VERSIONED.match(posixpath.basename(path)):
        # the package's glue (its list, its runner, helpers): xorm steps are versioned
        m = read(text, xorm=False, tools=tools)
    return m is not None and (_in_folder(path) or m.library == STEPS)


def still_the_runner(path: str, head: str | None, base: str | None) -> bool:
    """A merged file that was the migration tool's code (a library's glue, or a tool's
    own source) and still is one at head, however it now runs the files: goalert
    a0c680eca8 dropped rubenv/sql-migrate for a reader of its own in ``migrate.go``,
    whose ``Exec`` of each statement it read is SQL known only at run time. A tool's
    source embeds or reads files and names its bookkeeping table (:func:`_runs_files`);
    only a merged runner's word counts, since a PR can write both signs into any file."""
    if base is None or head is None or not may_be_migration(path):
        return False
    if read(base, tools=True) is not None:
        return False  # a migration at base
    toks = gosrc.code(gosrc.tokens(base))
    if not _LIBRARIES.search(base) and not _runs_files(base, toks, gosrc.constants(base, toks)):
        return False  # neither glue nor a tool at base: a helper, say
    return is_migration(path, head) and not is_migration(path, head, tools=True)


def xorm_step(path: str, text: str) -> bool:
    """One of xorm's versioned steps: judged by what its Go does, data steps included."""
    if not _VERSIONED.match(posixpath.basename(path)):
        return False
    m = read(text)
    return m is not None and m.library == XORM


def version(path: str) -> str:
    """goose's leading number, else the file name (``v2.1.0``, ``v15``)."""
    return posixpath.basename(path)[:-3].split("_", 1)[0]


def read(text: str, *, xorm: bool = True, tools: bool = False) -> GoMigration | None:
    """The migrations of a Go file, or None when it is not a migration (``xorm``: read
    functions taking an xorm handle as xorm's steps, when xorm is imported; ``tools``:
    a tool's own source runs no SQL of its own but what it spells out)."""
    if re.search(r"^package\s+main\b", text, re.MULTILINE):
        return None  # a command, even in a folder called migrate
    toks = gosrc.code(gosrc.tokens(text))
    consts = gosrc.constants(text, toks)
    funcs = goshapes.functions(text, toks)
    bodies = {name: side for name, (side, _) in funcs.items()}
    pairs, tx = goshapes.goose(text, toks, funcs)
    if pairs:
        return GoMigration(GOOSE, pairs, tx, text, toks, consts, bodies)
    for lib in (GORMIGRATE, XORMIGRATE):
        pairs = goshapes.structs(text, toks, lib, funcs)
        if pairs:
            return GoMigration(lib, pairs, False, text, toks, consts, bodies)
    if _LIBRARIES.search(text):
        return None  # the library's glue: listing, running
    listed = gosteps.steps(text, toks)
    if listed:
        pairs = [Pair(Side(s.at, s.end, s.line), None, s.line) for s in listed]
        return GoMigration(STEPS, pairs, False, text, toks, consts, bodies)
    steps = [side for side, params in funcs.values() if _XORM_HANDLE.search(params)]
    if xorm and steps and _XORM_IMPORT.search(text):
        pairs = [Pair(s, None, s.line) for s in steps]
        return GoMigration(XORM, pairs, False, text, toks, consts, bodies)
    tool = tools and _runs_files(text, toks, consts)
    ups = [
        s for s, p in funcs.values() if _HANDLE_IN.search(p) and _executes(toks, s, consts, tool)
    ]
    if not ups:
        return None
    pairs = [Pair(s, None, s.line) for s in ups]
    return GoMigration(RUNNER, pairs, False, text, toks, consts, bodies)


# --- SQL ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sql:
    """A SQL string expression: its statements and the parts only known at run time."""

    statements: list[Statement]
    runtime: tuple[str, ...]
    line: int


def _exec_arg(toks: list[Token], i: int) -> bool:
    """``toks[i]`` starts the SQL argument of an Exec-like call."""
    k = i - 1
    if k >= 1 and toks[k].text == "," and toks[k - 1].kind == "ident":
        k -= 2  # ExecContext(ctx, sql)
    return k >= 1 and toks[k].text == "(" and toks[k - 1].text in EXEC


def sql_in(m: GoMigration, lo: int, hi: int, skip: list[Side]) -> tuple[list[Sql], list[int]]:
    """SQL string expressions between tokens ``lo`` and ``hi`` (outside ``skip``), and the
    lines of Exec-like calls whose SQL has no literal part at all."""
    toks, found, blind = m.toks, [], []
    i = lo
    while i < hi:
        if any(s.open <= i <= s.close for s in skip):
            i += 1
            continue
        t = toks[i]
        if t.kind == "ident" and t.text in EXEC and i + 1 < hi and toks[i + 1].text == "(":
            args = call_args(toks, i + 1, gosrc.closing(toks, i + 1) or i + 1)
            at = args[1 if t.text.endswith("Context") and len(args) > 1 else 0] if args else -1
            if at >= 0 and not _readable(m, at, lo, hi) and not _builds_addition(toks, at):
                blind.append(line_of(m.text, t))
        starts = t.kind in ("raw", "str") or t.text == "fmt" or _const_start(m, i)
        expr = gosrc.string_expr(toks, i, m.consts) if starts else None
        if expr is None:
            i += 1
            continue
        sql = _SQL.match(strip_comments(expr.value))
        if sql and (sql.group("kw").isupper() or _exec_arg(toks, i)):
            runtime = expr.runtime + (("(joined before)",) if toks[i - 1].text == "+" else ())
            line = line_of(m.text, toks[i])
            found.append(Sql(split(expr.value, line), runtime, line))
        i = max(expr.end, i + 1)
    return found, blind


def _readable(m: GoMigration, at: int, lo: int, hi: int) -> bool:
    """The SQL argument at ``toks[at]`` is read: a string expression, or a variable the
    same function assigns one to (``stmt := fmt.Sprintf(`...`)``: read there)."""
    toks = m.toks
    if gosrc.string_expr(toks, at, m.consts) is not None:
        return True
    name = toks[at].text
    if toks[at].kind != "ident" or at + 1 >= len(toks) or toks[at + 1].text not in (")", ","):
        return False
    return any(
        toks[k].text == name
        and toks[k + 1].text in (":=", "=")
        and gosrc.string_expr(toks, k + 2, m.consts) is not None
        for k in range(lo, min(at, hi))
    )


def _builds_addition(toks: list[Token], at: int) -> bool:
    """The SQL argument is a call to a builder named for adding (xorm's
    ``tx.Dialect().CreateIndexSQL(table, index)``): what it builds is an addition."""
    k = at
    while k + 2 < len(toks) and toks[k].kind == "ident" and toks[k + 1].text in (".", "("):
        if toks[k + 1].text == "(":
            end = gosrc.closing(toks, k + 1) or k + 1
            if end + 1 < len(toks) and toks[end + 1].text == ".":
                k = end + 2  # a call in the chain: tx.Dialect().CreateIndexSQL(...)
                continue
            return bool(re.match(r"(?i)create|add", toks[k].text))
        k += 2
    return False


def _const_start(m: GoMigration, i: int) -> bool:
    """A constant starts a string expression worth reading here: one it begins
    (``prefix + "..."``), or one executed whose text was not taken for SQL where the
    constant is defined (an uppercase statement already was: not twice)."""
    t, toks = m.toks[i], m.toks
    if t.text not in m.consts or (i and toks[i - 1].text in (".", "+")):
        return False
    if i + 1 < len(toks) and toks[i + 1].text == "+":
        return True
    defined = _SQL.match(strip_comments(m.consts[t.text]))
    return _exec_arg(toks, i) and not (defined and defined.group("kw").isupper())


def _executes(toks: list[Token], side: Side, consts: dict[str, str], tool: bool) -> bool:
    """A runner function that changes the database beyond its bookkeeping table. In a
    migration tool's own source (``tool``, :func:`_runs_files`) SQL known only at run
    time is the migration files it read, each reviewed as itself: only SQL the file
    spells out counts."""
    probe = GoMigration(RUNNER, [], False, "", toks, consts)
    found, blind = sql_in(probe, side.open, side.close, [])
    for sql in found:
        for st in sql.statements:
            if _CHANGES.match(st.text) and not _BOOKKEEPING.search(st.text[:200]):
                return True
    calls = {toks[k].text for k in range(side.open, side.close) if toks[k].text in EXEC}
    return bool(blind) and bool(calls) and not tool


def _runs_files(text: str, toks: list[Token], consts: dict[str, str]) -> bool:
    """A migration tool's source, not a migration (goalert's ``migrate/migrate.go``): it
    carries files into the program or reads them (``//go:embed``, ``ReadDir``,
    ``ReadFile``) and its SQL names its bookkeeping table (``gorp_migrations``): it
    records what ran, which no migration does for itself. Both must hold: a migration
    that reads a file of its own SQL keeps its blind ``Exec`` a migration's."""
    if not _READS_FILES.search(text):
        return False
    probe = GoMigration(RUNNER, [], False, "", toks, consts)
    found, _ = sql_in(probe, 0, len(toks), [])
    return any(_BOOKKEEPING.search(st.text[:200]) for sql in found for st in sql.statements)
