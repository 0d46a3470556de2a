"""Entity Framework Core migrations (C#): found by their class, reviewed like Laravel's.

``dotnet ef migrations add AddFoo`` writes ``<14-digit timestamp>_AddFoo.cs``, a class
deriving from ``Migration`` whose ``Up(MigrationBuilder)`` and ``Down(MigrationBuilder)``
call the builder's operations, beside ``<timestamp>_AddFoo.Designer.cs`` (the target
model, generated) and one ``<Context>ModelSnapshot.cs`` per context (the current model,
regenerated every time). Only the first is a migration; the two others are read by the
tooling, never run against a database (:func:`generated`). EF Core records a migration
by its id in ``__EFMigrationsHistory``; ``Down`` is virtual and does nothing unless
overridden, so a missing or empty one leaves what ``Up`` did on ``dotnet ef database
update <earlier>``. Each migration runs in a transaction (``Sql(..., suppressTransaction:
true)`` and Npgsql's concurrent index builds run outside it).

The builder's calls are read statically (:mod:`.efcoreops`) and said as the SQL the
provider would run (:mod:`.efcoresql`): the check's SQL rules, the up/down pairing and
the PHP readers' judgement of an empty down (:mod:`.phpmig`) judge them, in the database
the project's ``.csproj`` names (:func:`dialect`). C# is not compiled or run here, so
there is no round trip: the summary says the migration was reviewed statically.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import replace

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import efcoresql, phpmig, pyops, sqleffects, sqlwrites
from gatekeeper.checks.migrations.alembicpairs import CASCADING_DROPS, unpaired
from gatekeeper.checks.migrations.csharp import Source
from gatekeeper.checks.migrations.efcoreops import EfCall, read_side
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.php import Method, SqlString
from gatekeeper.checks.migrations.phpmig import SqlReview, Up, does_nothing
from gatekeeper.checks.migrations.sqleffects import DML
from gatekeeper.checks.migrations.sqltext import is_noop, is_session, split, strip_comments
from gatekeeper.model import Finding

_NAME = re.compile(r"^(\d{14})_[^/]+\.cs$")
_CLASS = re.compile(r"\bclass\s+\w+\s*:\s*(?:Microsoft\.EntityFrameworkCore\.Migrations\.)?"
                    r"Migration\b")  # fmt: skip
_UP = re.compile(r"\boverride\s+void\s+Up\s*\(\s*(?:[\w.]+\.)?MigrationBuilder\b")
_GENERATED = re.compile(r"\bvoid\s+Build(?:Target)?Model\s*\(\s*(?:[\w.]+\.)?ModelBuilder\b")
#: a ``Down`` that throws says the step cannot be undone (``NotSupportedException``)
_THROWS = re.compile(r"\bthrow\s+new\s+(?:[\w.]+\.)?\w*Exception\s*\(")


def may_be_migration(path: str) -> bool:
    """A ``.cs`` file named as ``dotnet ef migrations add`` names migrations (its
    ``.Designer.cs`` too: only the text tells, :func:`is_migration`)."""
    return _NAME.match(posixpath.basename(path)) is not None


def is_migration(path: str, text: str | None) -> bool:
    """A migration-named file holding a class deriving from ``Migration`` with an ``Up``."""
    if text is None or not may_be_migration(path) or "MigrationBuilder" not in text:
        return False  # a generated Designer file names no MigrationBuilder: not searched
    return _UP.search(text) is not None and _CLASS.search(text) is not None


def generated(path: str, text: str | None) -> bool:
    """An EF Core ``*.Designer.cs`` or ``*ModelSnapshot.cs``: the model the tooling wrote
    (``BuildTargetModel``/``BuildModel``), which no database runs. One that also holds an
    ``Up`` override is a migration under that name, not a generated file."""
    name = posixpath.basename(path)
    if not name.endswith((".Designer.cs", "ModelSnapshot.cs")) or text is None:
        return False
    return _GENERATED.search(text) is not None and _UP.search(text) is None


def version(path: str) -> str:
    """The timestamp in the file's name (the start of EF Core's migration id)."""
    return phpmig.version(_NAME, path)


#: an EF Core migration read
EfCore = phpmig.Read[EfCall]


def read(text: str) -> EfCore:
    """The migration in ``text`` (a byte-order mark set aside)."""
    src = Source(text.removeprefix("\ufeff"))
    methods = src.methods()
    up, down = methods.get("Up"), methods.get("Down")
    return phpmig.Read(
        src,
        up,
        down,
        _side(src, up) if up else None,
        _side(src, down) if down else None,
        transactional=True,
    )


def calls(d: EfCore, side: str) -> tuple[EfCall, ...]:
    """The builder calls of ``Up`` or ``Down`` (none without the method)."""
    method = d.up if side == "Up" else d.down
    return () if method is None else read_side(_source(d), method).calls


def _source(d: EfCore) -> Source:
    assert isinstance(d.src, Source)
    return d.src


def _side(src: Source, method: Method) -> phpmig.Side[EfCall]:
    """What a method does, for the judgement of its down: its calls said as SQL (the
    generic statements: what each adds or drops reads the same in every database), the
    calls the reader does not know kept as calls, the rows it writes."""
    read_calls = read_side(src, method).calls
    sql: list[SqlString] = []
    unknown: list[EfCall] = []
    unread: list[tuple[int, str]] = []
    writes: list[sqlwrites.RowWrite] = []
    for call in read_calls:
        if call.op not in efcoresql.KNOWN:
            unknown.append(call)
        elif (arg := efcoresql.unread(call)) is not None:
            unread.append((call.line, arg))
        elif (write := efcoresql.row_write(call)) is not None:
            writes.append(write)
        sql += [SqlString(s.sql, call.line) for s in efcoresql.statements(call, "")
                if not is_noop(s.sql)]  # fmt: skip
    rows = any(c.op in efcoresql.DATA for c in read_calls)
    return phpmig.Side(tuple(unknown), tuple(sql), tuple(unread), rows, tuple(writes))


# --- reversibility ----------------------------------------------------------------------


_EF_CORE = phpmig.Framework(
    "EF Core",
    "Migration.Down does nothing unless overridden, so `dotnet ef database update` back "
    "past it leaves what Up did.",
    _THROWS,
    "an exception, so a rollback stops there",
)


def up_kind(d: EfCore, earlier: phpmig.Made = frozenset()) -> tuple[Up, str]:
    """What ``Up`` is for an empty ``Down``: it destroys stored data (rows deleted,
    values erased, as for Alembic and Django: :func:`sqlwrites.destroyed`; a remap or a
    recomputation is no loss, nor is a delete of rows whose reference is empty:
    :func:`sqlwrites.deletes_unreferenced`), only writes rows, only adds (tables,
    nullable or defaulted columns, indexes, views), or changes or drops schema.
    ``earlier``: what older migrations of the same change create."""
    side = d.up_side
    assert side is not None
    found = phpmig.statements(side)
    made = set(earlier) | phpmig.made_by_sql(side)
    # rows whose reference is empty point at nothing: deleting them loses no data
    kept = [s for s in found if not sqlwrites.deletes_unreferenced(s)]
    lost = [x for s in kept if (x := sqlwrites.destroyed(s, made))]
    lost += [x for w in side.writes if w.deletes and (x := sqlwrites.written_over(w, made))]
    if lost:
        return Up.DESTROYS, ", ".join(lost)
    if phpmig.data_only(side):
        return Up.FILLS, ""
    adds = all(sqlwrites.adds_only(s) or DML.match(s) or is_session(s) for s in found)
    if adds and not side.calls and not side.unread_sql:
        return Up.ADDS, ""
    drops = any(re.match(r"\s*(?:DROP|ALTER\s+TABLE\s+\S+\s+DROP)\b", s, re.I) for s in found)
    return (Up.DROPS if drops else Up.CHANGES), ""


def check(
    check: BaseCheck,
    path: str,
    text: str,
    habit: Downs,
    *,
    honour_marker: bool = True,
    dialect: str = "postgres",
    earlier: phpmig.Made = frozenset(),
) -> list[Finding]:
    """A missing, empty or throwing ``Down`` judged by what ``Up`` is and the folder's
    habit, as Laravel's and Doctrine's are (:func:`phpmig.reversibility`); a working
    ``Down`` that leaves some of ``Up`` undone is ``down-incomplete`` (the Alembic
    pairing, :func:`alembicpairs.unpaired`). ``earlier``: what older migrations of the
    same change create (:func:`made_in_change`)."""
    d = read(text)
    found = phpmig.reversibility(
        check, path, text, d, habit, _EF_CORE, lambda r: up_kind(r, earlier),
        honour_marker=honour_marker,
    )  # fmt: skip
    if found or d.up_side is None or not phpmig.working_down(d, _THROWS):
        return found
    missing = _unpaired(d, dialect)
    if not missing:
        return []
    listed = "; ".join(desc for desc, _ in missing)
    return [
        check.finding(
            "down-incomplete",
            f"Down() of {path} does not undo: {listed}.",
            path=path,
            line=missing[0][1],
            evidence=listed,
        )
    ]


def _unpaired(d: EfCore, dialect: str) -> list[tuple[str, int]]:
    """Up's operations Down does not undo, named as EF Core names them. What Up does to
    a table Down drops goes with it (the generator drops a table, not its indexes)."""
    up, down = calls(d, "Up"), calls(d, "Down")
    gone = {c.name("name").lower() for c in down if c.op == "DropTable"}
    gone |= {e[1] for c in down if c.op == "Sql" for e in sqleffects.effects(c.text("sql") or "")
             if e[0] == "-table"}  # fmt: skip
    gone |= {c.name("newName").lower() for c in up if c.op == "RenameTable"} & gone
    kept = [c for c in up if c.op == "CreateTable" or c.name("table").lower() not in gone]
    ops = {c.line: c.op for c in up}
    up_ops = []
    for c in kept:
        if c.op == "Sql":
            up_ops += efcoresql.sql_pair_ops(c, gone)
        elif (op := efcoresql.pair_op(c)) is not None:
            up_ops.append(op)
    down_ops = [op for c in down if (op := efcoresql.pair_op(c)) is not None]
    if dialect in CASCADING_DROPS:
        # PostgreSQL drops an index with any of its columns (a MySQL index left with
        # other columns stays: there the pairing's own rule, all of them, holds)
        dropped = {(c.name("table").lower(), c.name("name").lower()) for c in down
                   if c.op == "DropColumn"}  # fmt: skip
        up_ops = [op for op in up_ops if not _indexes_dropped(op, dropped)]
    out = []
    for desc, line in unpaired(up_ops, down_ops, dialect=dialect):
        what = desc.split(" ", 1)[1] if " " in desc else desc
        out.append((f"{ops.get(line, 'Sql')} {what}", line))
    return out


def _indexes_dropped(op: pyops.Op, dropped: set[tuple[str, str]]) -> bool:
    """An index Up builds on a column Down drops."""
    if op.name != "create_index":
        return False
    table = (op.text(1, "table_name") or "").lower()
    columns = op.arg(2, "columns")
    names = [pyops.literal_str(c) for c in columns.elts] if isinstance(columns, ast.List) else []
    return any(n is not None and (table, n.lower()) in dropped for n in names)


def downs(changes: ChangeSet, folder: str, own: str) -> Downs:
    """How the folder's merged EF Core migrations stand (with a working ``Down``,
    without, the newest in a row without), ``own`` left out; read at base once per run."""
    pattern = f"{folder}/*.cs" if folder else "*.cs"
    counts = phpmig.downs(
        changes, f"efcore-downs:{folder}", pattern, own, may_be_migration, is_migration, _works
    )
    return Downs(*counts)


def _works(text: str) -> bool | None:
    d = read(text)
    if d.up_side is None or does_nothing(d.up_side):
        return None
    return phpmig.working_down(d, _THROWS)


# --- safety -----------------------------------------------------------------------------


def hits(d: EfCore, dialect: str, added: frozenset[int], review: SqlReview) -> list[Hit]:
    """Hits of ``Up`` on ``added`` lines: each call said as its provider's statements and
    reviewed like a SQL file's, in the migration's transaction unless the call runs
    outside it; SQL built at run time, and an operation the reader does not know, are
    named as not reviewed."""
    if d.up is None or d.up_side is None:
        return []
    out: list[Hit] = []
    for call in calls(d, "Up"):
        for said in efcoresql.statements(call, dialect):
            # each statement on the line of its call, as the PHP readers place them
            found = [replace(s, line=call.line, end_line=call.line) for s in split(said.sql)]
            found = [s for s in found if strip_comments(s.text).strip()]
            out += [h for h in review(found, said.in_transaction) if h not in out]
    out += phpmig.unread_hits(d.up_side)
    for call in d.up_side.calls:  # operations the reader does not know: said, not skipped
        msg = (
            f"migrationBuilder.{call.op}(...) is not an operation the gate reads, so what it "
            "runs was not reviewed."
        )
        out.append(Hit("unreviewed-statement", msg, call.line, f"efcore:{call.op}"))
    return [h for h in out if h.line in added]


# --- dialect ----------------------------------------------------------------------------

#: the EF Core providers a project references, by package, and the dialect of each
_PROVIDERS = {
    "npgsql.entityframeworkcore.postgresql": "postgres",
    "microsoft.entityframeworkcore.sqlite": "sqlite",
    "microsoft.entityframeworkcore.sqlite.core": "sqlite",
    "microsoft.entityframeworkcore.sqlserver": "tsql",
    "pomelo.entityframeworkcore.mysql": "mysql",
    "mysql.entityframeworkcore": "mysql",
    "mysql.data.entityframeworkcore": "mysql",
}
_PACKAGE = re.compile(r"<PackageReference\s+Include\s*=\s*\"([^\"]+)\"", re.IGNORECASE)
_USE = re.compile(r"\.\s*Use(Npgsql|Sqlite|SqlServer|MySql)\s*\(")
_USES = {"Npgsql": "postgres", "Sqlite": "sqlite", "SqlServer": "tsql", "MySql": "mysql"}


def dialect(changes: ChangeSet, folder: str, default: str) -> str:
    """The database a folder's migrations are reviewed for: the one provider the nearest
    merged ``.csproj`` at or above the folder references (its ``PackageReference``s and
    those of the projects it references); when none names one, the one a
    ``UseNpgsql``/``UseSqlite``... call names in the C# beside that project or the
    migrations. ``default`` (the policy's) when several are named (btcpayserver long
    shipped Npgsql, SQLite and MySQL providers, its design-time factory on SQLite)."""

    def find() -> str:
        here = folder
        while True:
            projects = [p for p in changes.base_paths((_join(here, "*.csproj"),))
                        if posixpath.dirname(p) == here]  # fmt: skip
            if projects:
                named = _providers(changes, projects + _referenced(changes, projects))
                if named:
                    return named.pop() if len(named) == 1 else ""
                beside = sorted(
                    set(changes.base_paths((_join(here, "*.cs"),)))
                    | set(changes.base_paths((_join(folder, "*.cs"),)))
                )
                calls = _providers(changes, beside[:200], _USE, _USES)
                return calls.pop() if len(calls) == 1 else ""
            if not here:
                return ""
            here = posixpath.dirname(here)

    found: str = changes.fact(f"efcore-dialect:{folder}", find)
    return found or default


_REFERENCE = re.compile(r"<ProjectReference\s+Include\s*=\s*\"([^\"]+\.csproj)\"", re.IGNORECASE)


def _referenced(changes: ChangeSet, projects: list[str]) -> list[str]:
    """The projects ``projects`` reference (one level), as repository paths."""
    out = []
    for project in projects:
        for ref in _REFERENCE.findall(changes.text_at_base(project) or ""):
            joined = posixpath.join(posixpath.dirname(project), ref.replace("\\", "/"))
            out.append(posixpath.normpath(joined))
    return out


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _providers(
    changes: ChangeSet,
    paths: list[str],
    pattern: re.Pattern[str] = _PACKAGE,
    names: dict[str, str] = _PROVIDERS,
) -> set[str]:
    """The dialects ``pattern`` finds named in ``paths`` (read at base)."""
    seen: set[str] = set()
    for path in paths:
        for word in pattern.findall(changes.text_at_base(path) or ""):
            key = word if word in names else word.lower()
            if key in names:
                seen.add(names[key])
    return seen


# --- history ----------------------------------------------------------------------------


def same_code(before: str, after: str) -> bool:
    """Two texts that compile to the same migration: only comments, layout or a
    byte-order mark differ (the code's tokens and every string's value are the same)."""
    return _tokens(before) == _tokens(after)


def _tokens(text: str) -> tuple[list[str], list[str]]:
    src = Source(text.removeprefix("\ufeff"))
    return src.code.split(), [lit.value for _, lit in sorted(src.literals.items())]


def same_statements(before: str, after: str) -> bool:
    """Two texts whose ``Up`` makes the same builder calls with the same arguments
    (layout aside): only the C# around them changed."""
    return _effects(before) == _effects(after) is not None


def _effects(text: str) -> list[str] | None:
    d = read(text)
    if d.up is None:
        return None
    return [
        f"{c.op}<{c.generic}>:" + ";".join(f"{k}={' '.join(v.split())}" for k, v in c.args.items())
        for c in calls(d, "Up")
    ]


def only_down(before: str, after: str) -> bool:
    """The edit touches ``Down`` alone: ``Up`` and everything outside ``Down`` read the
    same (a rollback runs the new down; databases that ran the up are unaffected)."""
    old, new = read(before), read(after)
    if old.down is None or new.down is None or same_code(before, after):
        return False
    return _outside_down(old) == _outside_down(new)


def _outside_down(d: EfCore) -> tuple[list[str], list[str]]:
    assert d.down is not None
    src = _source(d)
    code = src.code[: d.down.start] + src.code[d.down.end :]
    inside = range(d.down.start, d.down.end)
    return code.split(), [lit.value for at, lit in sorted(src.literals.items()) if at not in inside]


def made_in_change(changes: ChangeSet, path: str) -> set[tuple[str, str]]:
    """What the change's older new migrations of the folder create (phpmig.made_in_change)."""
    return phpmig.made_in_change(changes, path, may_be_migration, version, _made_by)


def _made_by(text: str) -> set[tuple[str, str]]:
    side = read(text).up_side
    return set() if side is None else phpmig.made_by_sql(side)
