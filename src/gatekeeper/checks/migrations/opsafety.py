"""Safety rules for Alembic ``op.*`` calls and Django migration operations.

The same rule ids as for SQL; a literal SQL string given to ``op.execute`` or
``migrations.RunSQL`` is split and reviewed as SQL.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable

from gatekeeper.checks.migrations import coltypes, djfields, pyops, safety, sqleffects
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import split, strip_comments


def alembic(
    ops: Iterable[pyops.Op], dialect: str, *, in_transaction: bool, lines: Collection[int]
) -> list[Hit]:
    """Hits for the upgrade operations on ``lines`` (the lines the change added)."""
    created: set[str] = set()
    added = _added_columns(ops)
    hits: list[Hit] = []
    opened = in_transaction
    for op in ops:
        if op.name == "create_table" and op.text(0, "table_name"):
            created.add(str(op.text(0, "table_name")))
        ends = _ends_transaction(op)
        if ends is not None:
            # ``op.execute("COMMIT")``: what follows runs outside the revision's transaction
            # (the idiom for CONCURRENTLY before autocommit_block), until a BEGIN
            in_transaction = opened and not ends
            continue
        if op.line not in lines:
            continue
        table = str(op.text(0, "table_name"))
        if op.name == "alter_column" and (table, op.text(1, "column_name")) in added:
            # the column this upgrade added (and filled): no code reads it yet
            fresh = _alter_column(op, table, dialect == "postgres")
            hits += [h for h in fresh if h.rule != "set-not-null"]
            continue
        if op.name == "execute":
            sql = pyops.literal_str(op.arg(0, "sqltext"))
            if sql is not None:
                stmts = split(sql, op.line)
                hits += safety.review(
                    stmts, dialect, in_transaction=in_transaction, lock_timeout_rule=False
                )
            continue
        hits += _alembic_op(op, dialect, created, in_transaction)
    return hits + _alembic_backfill(ops, created, lines, hits)


_COMMIT = frozenset({"commit", "end", "commit transaction", "end transaction", "commit work"})
_BEGIN = frozenset({"begin", "begin transaction", "start transaction", "begin work"})


def _ends_transaction(op: pyops.Op) -> bool | None:
    """True for an ``op.execute`` of COMMIT alone, False for one of BEGIN alone, None for
    any other operation."""
    if op.name != "execute":
        return None
    sql = pyops.literal_str(op.arg(0, "sqltext"))
    word = " ".join(strip_comments(sql or "").strip().rstrip(";").lower().split())
    return True if word in _COMMIT else False if word in _BEGIN else None


def _added_columns(ops: Iterable[pyops.Op]) -> set[tuple[str, str]]:
    """(table, column) of every column the operations add."""
    out = set()
    for op in ops:
        column = op.arg(1, "column") if op.name == "add_column" else None
        if isinstance(column, ast.Call) and column.args:
            out.add((str(op.text(0, "table_name")), str(pyops.literal_str(column.args[0]))))
    return out


_SCHEMA_OPS = frozenset({
    "add_column", "drop_column", "alter_column", "create_index", "drop_index", "drop_table",
    "create_foreign_key", "create_unique_constraint", "create_check_constraint",
    "drop_constraint", "rename_table",
})  # fmt: skip


def _alembic_backfill(
    ops: Iterable[pyops.Op], created: set[str], lines: Collection[int], hits: list[Hit]
) -> list[Hit]:
    """Data changes in one op and schema changes to existing tables in others."""
    if any(h.rule == "backfill-in-migration" for h in hits):
        return []  # already found inside one op.execute
    ddl = dml = None
    for op in ops:
        table = op.text(pyops.TABLE_POSITION.get(op.name, 0), "table_name")
        if op.name in _SCHEMA_OPS and table not in created:
            ddl = ddl or op.line
        sql = pyops.literal_str(op.arg(0, "sqltext")) if op.name == "execute" else None
        if (sql is not None and sqleffects.DML.match(strip_comments(sql))) or (
            op.name == "bulk_insert" and _bulk_table(op) not in created
        ):
            dml = dml or op.line
    if ddl is None or dml is None or not ({ddl, dml} & set(lines)):
        return []
    message = "The revision changes data and schema together; a long backfill holds the locks."
    return [Hit("backfill-in-migration", message, dml, "dml+ddl")]


def _bulk_table(op: pyops.Op) -> str | None:
    target = op.arg(0, "table")
    if isinstance(target, ast.Call):  # sa.table("name", ...)
        return pyops.literal_str(target.args[0] if target.args else None)
    return None


def _alembic_op(op: pyops.Op, dialect: str, created: set[str], in_tx: bool) -> list[Hit]:
    name, line = op.name, op.line
    position = pyops.TABLE_POSITION.get(name, 0)
    table = op.text(position, "table_name") or op.text(1, "source_table") or "?"
    if name == "drop_table":
        t = op.text(0, "table_name") or "?"
        return [Hit("drop-table", f"Drops table {t}.", line, t, (t,))]
    if name == "drop_column":
        col = op.text(1, "column_name") or "?"
        return [
            Hit("drop-column", f"Drops column {table}.{col}.", line, f"{table}.{col}", (table, col))
        ]
    if name == "rename_table":
        return [Hit("rename-table", f"Renames table {table}.", line, table)]
    if name == "alter_column":
        on_postgres = dialect == "postgres" and op.dialect in ("", "postgres")
        return _alter_column(op, table, on_postgres)
    if name == "add_column":
        return _add_column(op, table)
    if table in created or dialect != "postgres" or op.dialect not in ("", "postgres"):
        return []  # locks of PostgreSQL's: not in a branch for another database
    return _postgres_only(op, table, in_tx)


def _alter_column(op: pyops.Op, table: str, on_postgres: bool) -> list[Hit]:
    col = op.text(1, "column_name") or "?"
    where, line = f"{table}.{col}", op.line
    hits = []
    if op.kwargs.get("new_column_name") is not None:
        hits.append(Hit("rename-column", f"Renames column {where}.", line, where))
    if op.kwargs.get("type_") is not None:
        hits += _type_change(op, table, where, on_postgres)
    nullable = pyops.literal_value(op.kwargs.get("nullable"))
    if nullable is False:
        msg = f"Sets NOT NULL on {where}."
        hits.append(Hit("set-not-null", msg, line, where, table=(table,)))
    elif nullable is True:
        hits.append(Hit("drop-not-null", f"Drops NOT NULL from {where}.", line, where))
    return hits


def _type_change(op: pyops.Op, table: str, where: str, on_postgres: bool) -> list[Hit]:
    """A type change, judged from ``existing_type`` on PostgreSQL (see coltypes.py)."""
    found = coltypes.effect(op.kwargs.get("existing_type"), op.kwargs.get("type_"))
    if on_postgres and found == "catalog-only":
        return []  # PostgreSQL only updates its catalog; readers get what they got
    if on_postgres and found == "rewrite-compatible":
        msg = (
            f"Changes the type of {where} to one its readers can still read, but PostgreSQL "
            "rewrites the table under ACCESS EXCLUSIVE to do it."
        )
        return [Hit("change-column-type", msg, op.line, where, table=(table,), sized=True)]
    return [Hit("change-column-type", f"Changes the type of {where}.", op.line, where)]


def _add_column(op: pyops.Op, table: str) -> list[Hit]:
    column = op.arg(1, "column")
    if not isinstance(column, ast.Call):
        return []
    nullable = pyops.literal_value(pyops.keyword(column, "nullable"))
    has_default = pyops.keyword(column, "server_default") is not None
    primary = pyops.literal_value(pyops.keyword(column, "primary_key")) is True
    if nullable is False and not has_default and not primary:
        name = pyops.literal_str(column.args[0] if column.args else None) or "?"
        where = f"{table}.{name}"
        msg = f"Adds NOT NULL column {where} without a server_default."
        return [Hit("add-required-column", msg, op.line, where)]
    return []


def _postgres_only(op: pyops.Op, table: str, in_tx: bool) -> list[Hit]:
    name, line = op.name, op.line
    concurrently = pyops.literal_value(op.kwargs.get("postgresql_concurrently")) is True
    if name in ("create_index", "drop_index"):
        index = op.text(0, "index_name") or "?"
        if concurrently and in_tx:
            msg = f"{name} {index} with postgresql_concurrently inside the migration's transaction."
            return [Hit("concurrent-in-transaction", msg, line, index)]
        if not concurrently:
            rule = "index-not-concurrent" if name == "create_index" else "drop-index-not-concurrent"
            msg = f"{name} {index} on {table} without postgresql_concurrently=True."
            return [Hit(rule, msg, line, index, table=(table,))]
        return []
    label = op.text(0, "constraint_name") or _unnamed(op)
    if name in ("create_foreign_key", "create_check_constraint"):
        msg = f"{name} {label} on {table} validates every row under a lock (no NOT VALID)."
        return [Hit("constraint-not-valid", msg, line, f"{table}:{label}", table=(table,))]
    if name in ("create_unique_constraint", "create_primary_key"):
        msg = f"{name} {label} on {table} builds its index while writes are blocked."
        return [Hit("unique-constraint", msg, line, f"{table}:{label}", table=(table,))]
    return []


#: where the constrained columns sit in each constraint call, and their keyword
_COLUMNS = {
    "create_foreign_key": (3, "local_cols"),
    "create_unique_constraint": (2, "columns"),
    "create_primary_key": (2, "columns"),
}


def _unnamed(op: pyops.Op) -> str:
    """A constraint created with name None (the database names it): say which columns,
    so the message is readable and two such constraints on a table are told apart."""
    position, keyword = _COLUMNS.get(op.name, (-1, ""))
    node = op.arg(position, keyword)
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else []
    columns = [c for c in (pyops.literal_str(e) for e in items) if c]
    return f"(unnamed, on {', '.join(columns)})" if columns else "(unnamed)"


# --- Django ------------------------------------------------------------------------------


def django(
    calls: Iterable[ast.Call],
    dialect: str,
    *,
    in_transaction: bool,
    lines: Collection[int],
    exempt: Collection[str] = (),
    prior: djfields.Fields | None = None,
) -> list[Hit]:
    """Hits for Django operations on ``lines``; operations on ``exempt`` models (lower
    case names: unmanaged, or created by the same change) are skipped. ``prior`` holds
    each field's declaration before this migration (djfields.before), which tells what
    an ``AlterField`` changes."""
    hits: list[Hit] = []
    for call in calls:
        if call.lineno not in lines and not (
            call.end_lineno and set(range(call.lineno, call.end_lineno + 1)) & set(lines)
        ):
            continue
        if _model_of(call).lower() in exempt:
            continue
        hits += _django_call(call, dialect, in_transaction, prior or {})
    return hits + _django_backfill(calls, lines)


def unmanaged_models(calls: Iterable[ast.Call]) -> set[str]:
    """Lower-case names of the models these operations declare ``managed: False``."""
    out: set[str] = set()
    for call in calls:
        name = pyops.call_name(call)
        if name not in ("CreateModel", "AlterModelOptions"):
            continue
        options = pyops.keyword(call, "options", 2 if name == "CreateModel" else 1)
        if not isinstance(options, ast.Dict):
            continue
        for key, value in zip(options.keys, options.values, strict=True):
            if pyops.literal_value(key) == "managed" and pyops.literal_value(value) is False:
                out.add(_model_of(call).lower())
    return out


def created_models(calls: Iterable[ast.Call]) -> set[str]:
    """Lower-case names of the models these operations create."""
    return {_model_of(c).lower() for c in calls if pyops.call_name(c) == "CreateModel"} - {""}


def _model_of(call: ast.Call) -> str:
    """The model a Django operation works on ('' when not a literal)."""
    if pyops.call_name(call) in ("CreateModel", "DeleteModel", "AlterModelOptions"):
        return pyops.literal_str(pyops.keyword(call, "name", 0)) or ""
    if pyops.call_name(call) == "RenameModel":
        return pyops.literal_str(pyops.keyword(call, "old_name", 0)) or ""
    return pyops.literal_str(pyops.keyword(call, "model_name", 0)) or ""


_DJANGO_SCHEMA = frozenset({"AddField", "RemoveField", "AlterField", "RenameField", "AddIndex",
                            "AddConstraint", "RemoveIndex", "AlterUniqueTogether"})  # fmt: skip


def _django_backfill(calls: Iterable[ast.Call], lines: Collection[int]) -> list[Hit]:
    """RunPython (a data migration) beside schema operations on existing models."""
    listed = list(calls)
    schema = [c.lineno for c in listed if pyops.call_name(c) in _DJANGO_SCHEMA]
    data = [c.lineno for c in listed if pyops.call_name(c) == "RunPython"]
    if not schema or not data or not (set(schema + data) & set(lines)):
        return []
    message = "RunPython and schema changes in one migration: the backfill holds the locks."
    return [Hit("backfill-in-migration", message, data[0], "runpython+schema")]


def _django_call(call: ast.Call, dialect: str, in_tx: bool, prior: djfields.Fields) -> list[Hit]:
    name, line = pyops.call_name(call), call.lineno
    model = pyops.literal_str(pyops.keyword(call, "model_name", 0)) or "?"
    if name == "RemoveField":
        field = pyops.literal_str(pyops.keyword(call, "name", 1)) or "?"
        where = f"{model}.{field}"
        return [Hit("drop-column", f"Removes field {where}.", line, where, (model, field))]
    if name == "RenameField":
        # RenameField(model_name, old_name, new_name): there is no `name` argument
        old, new = _old_new(call, 1)
        if djfields.rename_keeps_column(call, model, prior):
            return []  # the merged declaration's db_column keeps the column's name
        msg = f"Renames field {model}.{old} to {new}."
        return [Hit("rename-column", msg, line, f"{model}.{old}")]
    if name == "AlterField":
        return djfields.alter_hits(call, model, dialect, prior)
    if name == "DeleteModel":
        model = pyops.literal_str(pyops.keyword(call, "name", 0)) or "?"
        return [Hit("drop-table", f"Deletes model {model}.", line, model, (model,))]
    if name == "RenameModel":
        old, new = _old_new(call, 0)
        if djfields.rename_keeps_table(call, prior):
            return []  # the merged db_table keeps the table's name
        return [Hit("rename-table", f"Renames model {old} to {new}.", line, old)]
    if name == "AddField":
        return _django_add_field(call, model)
    if name == "AddIndex" and dialect == "postgres":
        msg = f"AddIndex on {model} blocks writes; use AddIndexConcurrently (atomic = False)."
        return [Hit("index-not-concurrent", msg, line, model, table=(model,))]
    if name == "AddIndexConcurrently" and in_tx:
        msg = "AddIndexConcurrently in an atomic migration; set atomic = False."
        return [Hit("concurrent-in-transaction", msg, line, model)]
    if name == "AddConstraint" and dialect == "postgres":
        return _django_constraint(call, model)
    if name == "RunSQL":
        sql = pyops.literal_str(pyops.keyword(call, "sql", 0))
        if sql is not None:
            stmts = split(sql, line)
            return safety.review(stmts, dialect, in_transaction=in_tx, lock_timeout_rule=False)
    return []


def _django_constraint(call: ast.Call, model: str) -> list[Hit]:
    """A CheckConstraint added to an existing model: PostgreSQL checks every row under a
    lock that blocks writes; Django has no NOT VALID of its own, so say how to get one."""
    constraint = pyops.keyword(call, "constraint", 1)
    if not isinstance(constraint, ast.Call) or pyops.call_name(constraint) != "CheckConstraint":
        return []
    label = pyops.literal_str(pyops.keyword(constraint, "name")) or "(unnamed)"
    msg = (
        f"AddConstraint {label} on existing model {model} checks every row under a lock. "
        "In Django: SeparateDatabaseAndState(state_operations=[AddConstraint(...)], "
        "database_operations=[RunSQL('ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT "
        "VALID', reverse_sql='ALTER TABLE ... DROP CONSTRAINT ...')]), then RunSQL('ALTER "
        "TABLE ... VALIDATE CONSTRAINT ...') in a later migration."
    )
    return [Hit("constraint-not-valid", msg, call.lineno, f"{model}:{label}", table=(model,))]


def _old_new(call: ast.Call, position: int) -> tuple[str, str]:
    """The ``old_name`` and ``new_name`` of a Django rename, by keyword or position."""
    old = pyops.literal_str(pyops.keyword(call, "old_name", position)) or "?"
    new = pyops.literal_str(pyops.keyword(call, "new_name", position + 1)) or "?"
    return old, new


#: fields for which Django's AddField uses "" (b"") as the value of existing rows when
#: the field is blank=True and has no default (its schema editor's effective default)
_EMPTY_STRING_FIELDS = frozenset({
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField",
    "ImageField", "FilePathField", "BinaryField",
})  # fmt: skip


#: fields whose ``auto_now``/``auto_now_add`` makes Django's schema editor fill existing
#: rows with the time of the migration (its effective default), so no row lacks a value
_AUTO_NOW_FIELDS = frozenset({"DateField", "DateTimeField", "TimeField"})


def _auto_now(field_call: ast.Call) -> bool:
    """A date or time field that Django stamps itself (``auto_now=True`` or
    ``auto_now_add=True``): adding it fills existing rows, like a default would."""
    if pyops.call_name(field_call) not in _AUTO_NOW_FIELDS:
        return False
    return any(
        pyops.literal_value(pyops.keyword(field_call, k)) is True
        for k in ("auto_now", "auto_now_add")
    )


def _wrapped_field(call: ast.Call) -> ast.Call:
    """The field a wrapper call hands on (django-cryptography's ``encrypt(JSONField(null=
    True))``, allegro/ralph): the first argument of a call that is no field class, when
    that argument is a field's call; else ``call`` itself."""
    for _ in range(3):
        inner = call.args[0] if call.args else None
        if pyops.call_name(call).endswith("Field") or not isinstance(inner, ast.Call):
            break
        if not pyops.call_name(inner).endswith("Field"):
            break
        call = inner
    return call


def _django_add_field(call: ast.Call, model: str) -> list[Hit]:
    field_call = pyops.keyword(call, "field", 2)
    if not isinstance(field_call, ast.Call):
        return []
    field_call = _wrapped_field(field_call)
    name = pyops.literal_str(pyops.keyword(call, "name", 1)) or "?"
    where = f"{model}.{name}"
    if pyops.call_name(field_call) == "GeneratedField":
        # computed by the database, never NULL for want of a default; a stored one is
        # written into every existing row
        if pyops.literal_value(pyops.keyword(field_call, "db_persist")) is not True:
            return []
        msg = f"Adds {where} as a stored generated field, computed for every row."
        return [Hit("volatile-default", msg, call.lineno, where, table=(model,))]
    null = pyops.literal_value(pyops.keyword(field_call, "null")) is True
    # db_default (Django 5) is a database-side default: existing rows get it
    default = any(pyops.keyword(field_call, k) is not None for k in ("default", "db_default"))
    if null or default or pyops.call_name(field_call) in ("ManyToManyField", "AutoField"):
        return []
    if _auto_now(field_call):
        return []  # existing rows get the migration's time, as with a default
    blank = pyops.literal_value(pyops.keyword(field_call, "blank")) is True
    if blank and pyops.call_name(field_call) in _EMPTY_STRING_FIELDS:
        return []  # Django fills existing rows with "" while it adds the column
    return [
        Hit(
            "add-required-column",
            f"Adds non-null field {where} without a default.",
            call.lineno,
            where,
        )
    ]
