"""Safety rules for the sub-commands of ALTER TABLE, in pglast's and in sqlglot's trees."""

from __future__ import annotations

import dataclasses
from typing import Any

from gatekeeper.checks.migrations import pgcolumns
from gatekeeper.checks.migrations.hits import SERIAL_TYPES, VOLATILE, Hit
from gatekeeper.checks.migrations.sqltext import Statement
from gatekeeper.model import Level


def _hit(
    rule: str,
    message: str,
    stmt: Statement,
    evidence: str,
    target: tuple[str, ...] = (),
    table: str = "",
) -> Hit:
    return Hit(rule, message, stmt.line, evidence, target, table=(table,) if table else ())


def command(cmd: Any, table: str, stmt: Statement) -> list[Hit]:
    """Hits for one pglast ``AlterTableCmd`` on ``table``."""
    sub = cmd.subtype.name
    column = str(cmd.name or "")
    where = f"{table}.{column}"
    if sub == "AT_DropColumn":
        return [_hit("drop-column", f"Drops column {where}.", stmt, where, (table, column))]
    if sub == "AT_AlterColumnType":
        hit = _hit("change-column-type", f"Changes the type of {where}.", stmt, where)
        if cmd.def_ is not None and _no_conversion(cmd.def_, column):
            new_type = pgcolumns.spelled(cmd.def_.typeName)
            hit = dataclasses.replace(hit, new_type=new_type, retyped=(table, column))
        return [hit]
    if sub == "AT_SetNotNull":
        msg = f"Sets NOT NULL on existing column {where}."
        return [_hit("set-not-null", msg, stmt, where, table=table)]
    if sub == "AT_DropNotNull":
        return [_hit("drop-not-null", f"Drops NOT NULL from {where}.", stmt, where)]
    if sub == "AT_AddColumn":
        return _add_column(cmd.def_, table, stmt)
    if sub == "AT_AddConstraint":
        return _constraint(cmd.def_, table, stmt, None)
    return []


def _no_conversion(coldef: Any, column: str) -> bool:
    """No USING, or one that only casts the column to the new type (MikroORM writes
    ``USING ("name"::varchar(255))``): what PostgreSQL does without a USING, so the
    type the column had decides whether the table is rewritten."""
    using = coldef.raw_default
    if using is None:
        return True
    if type(using).__name__ != "TypeCast" or type(using.arg).__name__ != "ColumnRef":
        return False
    names = [getattr(f, "sval", None) for f in using.arg.fields or ()]
    same = pgcolumns.spelled(using.typeName) == pgcolumns.spelled(coldef.typeName)
    return names == [column] and same and pgcolumns.spelled(coldef.typeName) is not None


def _add_column(coldef: Any, table: str, stmt: Statement) -> list[Hit]:
    name = f"{table}.{coldef.colname}"
    types = {str(getattr(n, "sval", "")).lower() for n in coldef.typeName.names or ()}
    constraints = list(coldef.constraints or ())
    kinds = {c.contype.name for c in constraints}
    hits: list[Hit] = []
    filled = {"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"}  # values for old rows
    if "CONSTR_NOTNULL" in kinds and not kinds & filled and not types & SERIAL_TYPES:
        hits.append(
            _hit(
                "add-required-column", f"Adds NOT NULL column {name} without a default.", stmt, name
            )
        )
    if types & SERIAL_TYPES and "CONSTR_PRIMARY" not in kinds:
        msg = f"Adds serial column {name}: every existing row gets a value, a rewrite."
        hits.append(_hit("volatile-default", msg, stmt, name, table=table))
    for c in constraints:
        kind = c.contype.name
        if kind == "CONSTR_DEFAULT" and _volatile(c.raw_expr):
            msg = f"Adds {name} with a volatile default."
            hits.append(_hit("volatile-default", msg, stmt, name, table=table))
        elif kind == "CONSTR_IDENTITY":
            msg = f"Adds identity column {name}: every existing row gets a value, a rewrite."
            hits.append(_hit("volatile-default", msg, stmt, name, table=table))
        elif kind == "CONSTR_GENERATED":
            msg = f"Adds {name} as a stored generated column, computed for every row."
            hits.append(_hit("volatile-default", msg, stmt, name, table=table))
        elif kind == "CONSTR_PRIMARY":
            msg = f"Adds primary key column {name} to an existing table."
            hits.append(_hit("add-primary-key-column", msg, stmt, name, table=table))
        else:
            hits += _constraint(c, table, stmt, coldef.colname)
    return hits


def _volatile(expr: Any) -> bool:
    from pglast.visitors import Visitor

    found: list[str] = []

    class _Calls(Visitor):
        def visit_FuncCall(self, ancestors: Any, node: Any) -> None:
            found.append(str(getattr(node.funcname[-1], "sval", "")).lower())

    _Calls()(expr)
    return any(name in VOLATILE for name in found)


def _constraint(con: Any, table: str, stmt: Statement, column: str | None) -> list[Hit]:
    kind = con.contype.name
    label = con.conname or (f"on {table}.{column}" if column else f"on {table}")
    if kind in ("CONSTR_FOREIGN", "CONSTR_CHECK") and not con.skip_validation:
        what = "foreign key" if kind == "CONSTR_FOREIGN" else "check constraint"
        return [
            _hit(
                "constraint-not-valid",
                f"Adds {what} {label} without NOT VALID: every row is checked under a lock.",
                stmt,
                f"{table}:{label}",
                table=table,
            )
        ]
    if kind in ("CONSTR_UNIQUE", "CONSTR_PRIMARY", "CONSTR_EXCLUSION") and not con.indexname:
        what = {"CONSTR_UNIQUE": "unique constraint", "CONSTR_PRIMARY": "primary key"}.get(
            kind, "exclusion constraint"
        )
        return [
            _hit(
                "unique-constraint",
                f"Adds {what} {label}, building its index while writes are blocked.",
                stmt,
                f"{table}:{label}",
                table=table,
            )
        ]
    return []


def sqlglot_actions(alter: Any, table: str, stmt: Statement, dialect: str = "") -> list[Hit]:
    """Hits for the actions of a sqlglot ``Alter`` (non-Postgres dialects)."""
    from sqlglot import exp

    mysql = dialect in ("mysql", "mariadb")
    online = mysql and _mysql_online(alter)
    hits: list[Hit] = []
    for action in alter.args.get("actions") or ():
        if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
            for col in action.args.get("tables") or [action.this]:
                where = f"{table}.{col.name}"
                hits.append(
                    _hit("drop-column", f"Drops column {where}.", stmt, where, (table, col.name))
                )
        elif isinstance(action, exp.RenameColumn):
            where = f"{table}.{action.this.name}"
            hits.append(_hit("rename-column", f"Renames column {where}.", stmt, where))
        elif isinstance(action, exp.AlterRename):
            hits.append(_hit("rename-table", f"Renames table {table}.", stmt, table))
        elif isinstance(action, exp.ModifyColumn):
            hits += _modify(action, table, stmt, online)
        elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
            where = f"{table}.{action.this.name}"
            hits.append(_retyped(action.args["dtype"], where, stmt))
        elif isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is False:
            where = f"{table}.{action.this.name}"
            msg = f"Sets NOT NULL on {where}."
            hits.append(_hit("set-not-null", msg, stmt, where, table=table))
        elif isinstance(action, exp.ColumnDef) and not mysql:
            # MySQL fills a NOT NULL column with its type's implicit default ('' or 0)
            hits += _sqlglot_add_column(action, table, stmt)
    return hits


#: the unbounded text types (sqlglot reads H2's and Oracle's CLOB as TEXT): any value the
#: column held fits in one
_UNBOUNDED_TEXT = frozenset({"TEXT", "MEDIUMTEXT", "LONGTEXT", "NCLOB", "CLOB"})


def _retyped(dtype: Any, where: str, stmt: Statement) -> Hit:
    """``ALTER COLUMN x <type>`` outside PostgreSQL (whose old types are read from the
    merged migrations, pgcolumns.py): an error, except to an unbounded text type
    (``CLOB``, ``TEXT``, ``VARCHAR(MAX)``), into which every value fits, so no value is
    lost and no reader meets a shorter string; the rewrite it may take is a warning, as
    MySQL's MODIFY is."""
    kind = str(getattr(dtype.this, "name", dtype.this)).upper()
    sizes = [e.sql().upper() for e in dtype.expressions or ()]
    if kind in _UNBOUNDED_TEXT or (kind in ("VARCHAR", "NVARCHAR") and sizes == ["MAX"]):
        msg = (
            f"Changes the type of {where} to {dtype.sql()}: every value fits, so none is "
            "lost, but the database may rewrite the table under a lock (a warning)."
        )
        return Hit("change-column-type", msg, stmt.line, where, level=Level.WARNING)
    return _hit("change-column-type", f"Changes the type of {where}.", stmt, where)


def _mysql_online(alter: Any) -> bool:
    """True when the statement asks MySQL for an in-place change without a lock
    (``ALGORITHM=INSTANT``, or ``ALGORITHM=INPLACE, LOCK=NONE``): MySQL then refuses
    rather than copy the table under a lock, so the statement cannot block traffic."""
    from sqlglot import exp

    options = {
        type(o).__name__: str(o.this.name if o.this is not None else "").upper()
        for o in alter.args.get("options") or ()
        if isinstance(o, exp.AlgorithmProperty | exp.LockProperty)
    }
    algorithm, lock = options.get("AlgorithmProperty", ""), options.get("LockProperty", "")
    return algorithm == "INSTANT" or (algorithm == "INPLACE" and lock == "NONE")


def _modify(action: Any, table: str, stmt: Statement, online: bool) -> list[Hit]:
    """MySQL's ``MODIFY``/``CHANGE``: a column's whole definition restated (its type,
    nullability and default), so what changed cannot be told from the statement alone."""
    from sqlglot import exp

    coldef = action.this
    name = coldef.name
    hits: list[Hit] = []
    old = action.args.get("rename_from")
    if old is not None and old.name != name:
        where = f"{table}.{old.name}"
        hits.append(_hit("rename-column", f"Renames column {where} to {name}.", stmt, where))
    if online:
        return hits
    where = f"{table}.{name}"
    nulls = [
        c.args["kind"].args.get("allow_null")
        for c in coldef.args.get("constraints") or ()
        if isinstance(c.args.get("kind"), exp.NotNullColumnConstraint)
    ]
    if nulls and nulls[0] is True:
        msg = f"MODIFY makes {where} nullable: code written for the old schema may read NULLs."
        return [*hits, _hit("drop-not-null", msg, stmt, where)]
    msg = (
        f"MODIFY restates {where}: if its type or nullability changes, MySQL copies the "
        "table under a lock (add ALGORITHM=INPLACE, LOCK=NONE to have MySQL refuse that)."
    )
    return [*hits, Hit("change-column-type", msg, stmt.line, where, level=Level.WARNING)]


def _sqlglot_add_column(coldef: Any, table: str, stmt: Statement) -> list[Hit]:
    from sqlglot import exp

    kinds = [c.args.get("kind") for c in coldef.args.get("constraints") or ()]
    # sqlglot reads an explicit NULL as a NOT NULL constraint that allows NULL
    not_null = any(
        isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds
    )
    if not_null and not any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds):
        where = f"{table}.{coldef.name}"
        msg = f"Adds NOT NULL column {where} without a default."
        return [_hit("add-required-column", msg, stmt, where)]
    return []
