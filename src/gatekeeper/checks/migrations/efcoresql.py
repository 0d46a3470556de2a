"""EF Core builder calls said as the SQL their provider runs, and as Alembic-like effects.

The check already judges SQL statements (safety.py, sqlwrites.py) and pairs an up's
operations with a down's (alembicpairs.py); an EF Core ``MigrationBuilder`` call is
translated into those two languages rather than judged by rules of its own:

- :func:`statements`: the statement(s) the provider's SQL generator emits for a call,
  close enough for the rules (``AddColumn`` without ``nullable: true`` or a default is
  ``ADD ... NOT NULL``; ``CreateIndex`` is ``CREATE INDEX``, ``CONCURRENTLY`` and outside
  the migration's transaction when Npgsql's ``CreatedConcurrently`` annotation is set;
  ``AlterColumn`` says what changed against its ``old*`` arguments);
- :func:`row_write`: ``UpdateData``/``DeleteData`` as the rows they write over;
- :func:`pair_op`: the call as the Alembic operation with the same effect, for pairing
  ``Down`` with ``Up``.

A call whose arguments are computed is said with ``?`` names: the rule still fires,
naming what it can.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from gatekeeper.checks.migrations import pyops, sqlwrites
from gatekeeper.checks.migrations.efcoreops import EfCall
from gatekeeper.checks.migrations.gosrc import RUNTIME
from gatekeeper.checks.migrations.sqltext import split, strip_comments

#: C# types the generator leaves without ``type:`` in old migrations, in PostgreSQL's words
_CLR_TYPES = {
    "string": "text", "int": "integer", "long": "bigint", "short": "smallint",
    "bool": "boolean", "decimal": "numeric", "double": "double precision", "float": "real",
    "DateTime": "timestamp", "DateTimeOffset": "timestamp with time zone", "Guid": "uuid",
    "byte[]": "bytea", "TimeSpan": "interval", "byte": "smallint",
}  # fmt: skip
#: operations that only carry annotations (a comment, a collation): no statement to judge
ANNOTATIONS_ONLY = frozenset({"AlterTable", "AlterDatabase"})
#: operations said as statements (the rest of the known ones write rows)
_SAID = frozenset({
    "AddColumn", "DropColumn", "CreateTable", "DropTable", "RenameColumn", "RenameTable",
    "AlterColumn", "CreateIndex", "DropIndex", "RenameIndex", "AddForeignKey",
    "DropForeignKey", "AddPrimaryKey", "DropPrimaryKey", "AddUniqueConstraint",
    "DropUniqueConstraint", "AddCheckConstraint", "DropCheckConstraint", "Sql",
    "EnsureSchema", "DropSchema", "CreateSequence", "DropSequence",
})  # fmt: skip
#: operations that write rows through the builder
DATA = frozenset({"InsertData", "UpdateData", "DeleteData"})
#: every operation the reader knows
KNOWN = _SAID | DATA | ANNOTATIONS_ONLY


@dataclass(frozen=True, slots=True)
class Said:
    """One statement a call runs, and whether the migration's transaction holds it."""

    sql: str
    in_transaction: bool = True


def statements(call: EfCall, dialect: str) -> list[Said]:
    """What ``call`` runs, as statements in ``dialect`` ([] for data and annotations)."""
    q = _quoter(dialect)
    op, t, n = call.op, q(call.name("table")), q(call.name("name"))
    if op == "Sql":
        sql = call.text("sql")
        if sql is None:
            return []
        return [Said(sql, call.flag("suppressTransaction") is not True)]
    if op == "AddColumn":
        return [Said(f"ALTER TABLE {t} ADD {n} {_column(call.args, call.strings, call.generic)}")]
    if op == "DropColumn":
        return [Said(f"ALTER TABLE {t} DROP COLUMN {n}")]
    if op == "CreateTable":
        cols = ", ".join(f"{q(c.name)} {_column(c.args, c.strings, c.clr)}" for c in call.columns)
        return [Said(f"CREATE TABLE {n} ({cols})")]
    if op == "DropTable":
        return [Said(f"DROP TABLE {n}")]
    if op == "RenameColumn":
        return [Said(f"ALTER TABLE {t} RENAME COLUMN {n} TO {q(call.name('newName'))}")]
    if op == "RenameTable":
        return [Said(f"ALTER TABLE {n} RENAME TO {q(call.name('newName'))}")]
    if op == "RenameIndex":
        return [Said(f"ALTER INDEX {n} RENAME TO {q(call.name('newName'))}")]
    if op == "AlterColumn":
        return [Said(s) for s in _alter(call, dialect, t, n)]
    if op in ("CreateIndex", "DropIndex"):
        return [_index(call, dialect, t, n)]
    if op in ("DropForeignKey", "DropPrimaryKey", "DropUniqueConstraint", "DropCheckConstraint"):
        return [Said(f"ALTER TABLE {t} DROP CONSTRAINT {n}")]
    if op in ("AddForeignKey", "AddPrimaryKey", "AddUniqueConstraint", "AddCheckConstraint"):
        return [Said(f"ALTER TABLE {t} ADD CONSTRAINT {n} {_constraint(call, q)}")]
    if op == "EnsureSchema":
        return [Said(f"CREATE SCHEMA IF NOT EXISTS {n}")]
    if op in ("DropSchema", "CreateSequence", "DropSequence"):
        verb = {"DropSchema": "DROP SCHEMA", "CreateSequence": "CREATE SEQUENCE"}
        return [Said(f"{verb.get(op, 'DROP SEQUENCE')} {n}")]
    return []


def unread(call: EfCall) -> str | None:
    """The argument of a ``Sql`` call whose text is built at run time, else None."""
    if call.op != "Sql":
        return None
    sql = call.text("sql")
    if sql is None or RUNTIME in sql:
        return call.args.get("sql", "?")[:200]
    return None


def row_write(call: EfCall) -> sqlwrites.RowWrite | None:
    """The rows an ``UpdateData`` sets or a ``DeleteData`` deletes (None for the rest:
    an ``InsertData`` writes over nothing)."""
    if call.op == "UpdateData":
        columns = call.names("column", "columns")
        return sqlwrites.RowWrite(call.name("table"), call.line, columns or ("?",))
    if call.op == "DeleteData":
        return sqlwrites.RowWrite(call.name("table"), call.line, deletes=True)
    return None


def _quoter(dialect: str) -> Callable[[str], str]:
    """How the provider quotes a name: in double quotes, MySQL's in backticks."""
    mark = "`" if dialect in ("mysql", "mariadb") else '"'
    return lambda name: mark + name.replace(mark, "") + mark


def _key(prefix: str, name: str) -> str:
    """The parameter ``name`` of the old definition (``oldType``) or of the new one."""
    return prefix + name[0].upper() + name[1:] if prefix else name


def _type(args: dict[str, str], strings: dict[str, str | None], clr: str, prefix: str = "") -> str:
    named = strings.get(_key(prefix, "type"))
    if named:
        return named
    base = clr.rstrip("?").split(".")[-1]
    clr_name = _CLR_TYPES.get(base, "text")
    length = args.get(_key(prefix, "maxLength"), "").strip()
    if base == "string" and length.isdigit():
        return f"character varying({length})"
    return clr_name


def _clr(name: str) -> str:
    """A C# type without its nullability and namespace (``System.DateTime?``: DateTime)."""
    return name.strip().rstrip("?").split(".")[-1]


def _column(args: dict[str, str], strings: dict[str, str | None], clr: str) -> str:
    """A column's type, nullability and default as a column definition says them.
    EF Core's ``nullable`` defaults to false, but a nullable C# type (``bool?``) is
    nullable in a ``CreateTable`` the generator wrote."""
    out = _type(args, strings, clr)
    nullable = args.get("nullable", "").strip()
    if nullable == "true" or (not nullable and clr.endswith("?")):
        out += " NULL"
    else:
        out += " NOT NULL"
    default = _default(args, strings)
    return out + (f" DEFAULT {default}" if default else "")


def _default(args: dict[str, str], strings: dict[str, str | None], prefix: str = "") -> str:
    sql = strings.get(_key(prefix, "defaultValueSql"))
    if sql:
        return sql
    value = args.get(_key(prefix, "defaultValue"), "").strip()
    if not value or value == "null":
        return ""
    literal = strings.get(_key(prefix, "defaultValue"))
    if literal is not None:
        return "'" + literal.replace("'", "''") + "'"
    return value.upper() if value in ("true", "false") else "0"


def _alter(call: EfCall, dialect: str, t: str, n: str) -> list[str]:
    """What an ``AlterColumn`` changes, read against its ``old*`` arguments (no statement
    when they are not given: what it was is not known)."""
    out: list[str] = []
    old_clr = call.args.get("oldClrType", "")
    old_clr = old_clr.removeprefix("typeof(").removesuffix(")").strip()
    new = _type(call.args, call.strings, call.generic)
    if call.text("type") and call.text("oldType"):
        retyped = new.lower() != _type(call.args, call.strings, old_clr, "old").lower()
    elif old_clr:  # the generator of EF Core 2 named C# types and lengths only
        lengths = call.args.get("maxLength"), call.args.get("oldMaxLength")
        retyped = _clr(call.generic) != _clr(old_clr) or lengths[0] != lengths[1]
    else:
        retyped = False  # what the column was is not written: not read as a change
    if retyped:
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n} TYPE {new}")
    nullable, was = call.flag("nullable") is True, call.flag("oldNullable") is True
    default = _default(call.args, call.strings)
    if was and not nullable and not (dialect == "sqlite" and default):
        # SQLite's rebuild copies NULLs as the default given (IFNULL)
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n} SET NOT NULL")
    elif nullable and not was:
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n} DROP NOT NULL")
    if default and default != _default(call.args, call.strings, prefix="old"):
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n} SET DEFAULT {default}")
    return out


def _index(call: EfCall, dialect: str, t: str, n: str) -> Said:
    if call.op == "DropIndex":
        where = f" ON {t}" if dialect in ("mysql", "mariadb", "tsql") else ""
        return Said(f"DROP INDEX {n}{where}")
    q = _quoter(dialect)
    columns = ", ".join(q(c) for c in call.names("column", "columns")) or '"?"'
    unique = "UNIQUE " if call.flag("unique") is True else ""
    concurrently = (
        dialect == "postgres"
        and call.annotations.get("Npgsql:CreatedConcurrently", "").strip() == "true"
    )
    how = "CONCURRENTLY " if concurrently else ""
    sql = f"CREATE {unique}INDEX {how}{n} ON {t} ({columns})"
    condition = call.text("filter")
    if condition:
        sql += f" WHERE {condition}"
    # Npgsql runs a concurrent build outside the migration's transaction
    return Said(sql, in_transaction=not concurrently)


def _constraint(call: EfCall, q: Callable[[str], str]) -> str:
    columns = ", ".join(q(c) for c in call.names("column", "columns")) or '"?"'
    if call.op == "AddPrimaryKey":
        return f"PRIMARY KEY ({columns})"
    if call.op == "AddUniqueConstraint":
        return f"UNIQUE ({columns})"
    if call.op == "AddCheckConstraint":
        return f"CHECK ({call.text('sql') or '?'})"
    remote = ", ".join(q(c) for c in call.names("principalColumn", "principalColumns")) or '"?"'
    return f"FOREIGN KEY ({columns}) REFERENCES {q(call.name('principalTable'))} ({remote})"


# --- pairing ------------------------------------------------------------------------------


def _c(value: str) -> ast.expr:
    return ast.Constant(value)


def _names(call: EfCall, single: str, plural: str) -> ast.expr:
    return ast.List([_c(c) for c in call.names(single, plural)], ast.Load())


_NAME = r'("[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$.]+)'
_CREATE_INDEX = re.compile(
    rf"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}"
    rf"\s+ON\s+(?:ONLY\s+)?{_NAME}\s*(?:USING\s+\w+\s*)?\((.*)\)",
    re.IGNORECASE | re.DOTALL,
)
_SIMPLE_COLUMN = re.compile(rf"^{_NAME}(?:\s+(?:ASC|DESC))?$", re.IGNORECASE)
#: a statement that only reads or writes rows (a CTE ending in INSERT, UPDATE or DELETE)
_DATA = re.compile(r"^\s*(?:WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b|SELECT\b)", re.I | re.S)


def sql_pair_ops(call: EfCall, gone: set[str]) -> list[pyops.Op]:
    """The statements of a ``Sql`` call as Alembic operations, one each: an index it
    creates as ``create_index`` with its plain columns (so that a Down dropping a column
    or the table it is on undoes it, as the database does), the rest as ``execute``.
    Statements that only read or write rows have no effect to undo; ``gone``: the
    tables (lowercased, bare) Down drops."""
    sql = call.text("sql")
    if sql is None or RUNTIME in sql:
        return [pyops.Op("execute", (ast.Name("sql"),), {}, call.line)]
    out = []
    for statement in split(sql):
        text = strip_comments(statement.text).strip()
        if not text or _DATA.match(text):
            continue
        index = _CREATE_INDEX.match(text)
        if index is None:
            out.append(pyops.Op("execute", (_c(text),), {}, call.line))
            continue
        table = sqlwrites.bare(index.group(2))
        if table in gone:
            continue  # dropped with its table
        plain = [_SIMPLE_COLUMN.match(c.strip()) for c in index.group(3).split(",")]
        columns = ast.List([_c(sqlwrites.bare(m.group(1))) for m in plain if m], ast.Load())
        args = (_c(sqlwrites.bare(index.group(1))), _c(table), columns)
        out.append(pyops.Op("create_index", args, {}, call.line))
    return out


def pair_op(call: EfCall) -> pyops.Op | None:
    """``call`` as the Alembic operation with its effect (alembicpairs.py pairs them);
    None for calls with nothing to undo (data, annotations, a schema ensured)."""
    t, n, line = _c(call.name("table")), _c(call.name("name")), call.line
    simple: dict[str, tuple[str, tuple[ast.expr, ...]]] = {
        "AddColumn": ("add_column", (t, ast.Call(ast.Name("Column"), [n], []))),
        "DropColumn": ("drop_column", (t, n)),
        "CreateTable": ("create_table", (n,)),
        "DropTable": ("drop_table", (n,)),
        "CreateIndex": ("create_index", (n, t, _names(call, "column", "columns"))),
        "DropIndex": ("drop_index", (n, t)),
        "AddPrimaryKey": ("create_primary_key", (n, t, _names(call, "column", "columns"))),
        "AddUniqueConstraint": ("create_unique_constraint",
                                (n, t, _names(call, "column", "columns"))),
        "AddCheckConstraint": ("create_check_constraint", (n, t, _c(call.text("sql") or ""))),
        "AddForeignKey": ("create_foreign_key", (n, t, _c(call.name("principalTable")),
                                                 _names(call, "column", "columns"))),
        "RenameTable": ("rename_table", (n, _c(call.name("newName")))),
        "AlterColumn": ("alter_column", (t, n)),
    }  # fmt: skip
    if call.op in simple:
        name, args = simple[call.op]
        return pyops.Op(name, args, {}, line)
    if call.op.startswith("Drop") and call.op.endswith(("Key", "Constraint")):
        return pyops.Op("drop_constraint", (n, t), {}, line)
    if call.op == "RenameColumn":
        return pyops.Op("alter_column", (t, n), {"new_column_name": _c(call.name("newName"))}, line)
    if call.op in DATA or call.op in ANNOTATIONS_ONLY or call.op == "EnsureSchema":
        return None
    sql = call.text("sql") if call.op == "Sql" else None
    text: ast.expr = _c(sql) if sql is not None and RUNTIME not in sql else ast.Name("sql")
    return pyops.Op("execute", (text,), {}, line)
