"""The type each column had before the change, read from the merged SQL migrations.

``ALTER TABLE robot ALTER COLUMN id TYPE bigint`` says only where the column goes. Where
it comes from is in the migrations merged before: the ``CREATE TABLE`` that made it and
the ``ALTER``/``ADD COLUMN`` statements since. Reading them (at base, in the order the
files run) lets a type change be judged like an Alembic one with ``existing_type``.
"""

from __future__ import annotations

import copy
import posixpath
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import fizz, notnullcheck, variants
from gatekeeper.checks.migrations.detect import DIESEL, PRISMA, Migration
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, split

#: a type as PostgreSQL's parser spells it: (``"varchar"``, ``(255,)``)
Spelled = tuple[str, tuple[int, ...]]
Columns = dict[tuple[str, str], Spelled]
_SERIAL = {"serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8",
           "smallserial": "int2", "serial2": "int2"}  # fmt: skip


def spelled(type_name: Any) -> Spelled | None:
    """A pglast ``TypeName`` as (name, modifiers); None for arrays, or modifiers that are
    not plain numbers (``interval`` fields, ``%TYPE``)."""
    if type_name is None or getattr(type_name, "arrayBounds", None):
        return None
    names = [str(getattr(n, "sval", "")) for n in type_name.names or ()]
    mods: list[int] = []
    for mod in type_name.typmods or ():
        value = getattr(getattr(mod, "val", None), "ival", None)
        if not isinstance(value, int):
            return None
        mods.append(value)
    name = names[-1].lower() if names else ""
    return (_SERIAL.get(name, name), tuple(mods)) if name else None


def spelled_text(text: str) -> Spelled | None:
    """:func:`spelled` for a type written out (``varchar(511)``, ``BIGINT``); None for
    what PostgreSQL's parser does not read as one type."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    if not text.strip() or ";" in text:
        return None
    try:
        parsed = parse_sql(f"ALTER TABLE t ALTER COLUMN c TYPE {text}")
    except ParseError:
        return None
    cmds = getattr(parsed[0].stmt, "cmds", None) if len(parsed) == 1 else None
    if not cmds or len(cmds) != 1 or cmds[0].def_ is None or cmds[0].def_.raw_default:
        return None
    return spelled(cmds[0].def_.typeName)


#: PostgreSQL's internal type names, as a migration author writes them
_SHOWN = {"int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real",
          "float8": "double precision", "bool": "boolean"}  # fmt: skip


def shown(type_: Spelled) -> str:
    """``("int8", ())`` -> ``bigint``; ``("varchar", (255,))`` -> ``varchar(255)``."""
    name, mods = type_
    sizes = f"({', '.join(map(str, mods))})" if mods else ""
    return _SHOWN.get(name, name) + sizes


def merged_types(changes: ChangeSet, m: Migration) -> Columns:
    """Column types as the migrations merged in ``m``'s chain leave them (down files and
    Flyway undo files skipped); a column whose type cannot be read is left out. Read once
    per chain per run."""
    folder = posixpath.dirname(m.path)
    key = f"migrations.pgcolumns:{m.framework}:{m.directory}:{folder}"
    return changes.fact(key, lambda: _merged(changes, m))


def _merged(changes: ChangeSet, m: Migration) -> Columns:
    columns: Columns = {}
    for text in _chain_texts(changes, m):
        read_into(columns, text)
    return columns


def _chain_texts(changes: ChangeSet, m: Migration) -> list[str]:
    """The SQL of the up files merged in ``m``'s chain, in order (fizz as translated)."""
    if m.framework in (PRISMA, DIESEL):
        # one folder per migration: the chain is every such folder's up file
        name = "migration.sql" if m.framework == PRISMA else "up.sql"
        pattern = f"{m.directory}/*/{name}" if m.directory else f"*/{name}"
        paths = [p for p in changes.base_paths([pattern]) if posixpath.basename(p) == name]
    else:
        folder = posixpath.dirname(m.path)
        names = sorted(
            n for n in variants.folder_names(changes, folder, at_base=True)
            if n.endswith((".sql", ".up.fizz")) and ".down." not in n and not n.startswith("U")
        )  # fmt: skip
        paths = [posixpath.join(folder, n) if folder else n for n in names]
    texts = []
    for path in sorted(paths):
        text = changes.text_at_base(path)
        if text is not None and path.endswith(".fizz"):
            text = fizz.to_sql(text)  # pop's files: their SQL translation (fizz.py)
        if text is not None:
            texts.append(text)
    return texts


def read_into(columns: Columns, text: str) -> None:
    """Update ``columns`` with what the SQL in ``text`` makes, retypes, renames or drops."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    for statement in split(text):
        try:
            parsed = parse_sql(statement.text)
        except ParseError:
            continue  # not PostgreSQL, or not parseable: tells nothing
        for raw in parsed:
            _apply(columns, raw.stmt)


def _apply(columns: Columns, node: Any) -> None:
    kind = type(node).__name__
    table = str(getattr(getattr(node, "relation", None), "relname", "") or "").lower()
    if kind == "CreateStmt":
        for element in node.tableElts or ():
            if type(element).__name__ == "ColumnDef":
                _set(columns, table, element.colname, spelled(element.typeName))
    elif kind == "RenameStmt" and node.renameType.name == "OBJECT_COLUMN":
        found = columns.pop((table, str(node.subname or "").lower()), None)
        _set(columns, table, node.newname, found)
    elif kind == "RenameStmt" and node.renameType.name == "OBJECT_TABLE":
        new = str(node.newname or "").lower()
        for key in [k for k in columns if k[0] == table]:
            columns[(new, key[1])] = columns.pop(key)
    elif kind == "AlterTableStmt":
        for cmd in node.cmds or ():
            sub = cmd.subtype.name
            if sub == "AT_AddColumn":
                _set(columns, table, cmd.def_.colname, spelled(cmd.def_.typeName))
            elif sub == "AT_AlterColumnType":
                _set(columns, table, cmd.name, spelled(cmd.def_.typeName))
            elif sub == "AT_DropColumn":
                columns.pop((table, str(cmd.name or "").lower()), None)


def _set(columns: Columns, table: str, column: object, found: Spelled | None) -> None:
    key = (table, str(column or "").lower())
    if found is None:
        columns.pop(key, None)
    else:
        columns[key] = found


def no_op_not_null(
    hits: list[Hit],
    changes: ChangeSet,
    m: Migration,
    earlier: list[list[Statement]],
    statements: list[Statement],
) -> list[Hit]:
    """``hits`` without the ``set-not-null`` of a column already NOT NULL where it runs:
    PostgreSQL then neither scans the table nor changes anything (pop's ``change_column``
    always says SET or DROP NOT NULL), or proven so by a valid ``CHECK (c IS NOT NULL)``:
    PostgreSQL then only checks the catalog. Where it runs is the merged chain, then the change's
    earlier migrations and the statements above it in its own file."""
    if not any(h.rule == "set-not-null" for h in hits):
        return hits
    merged: set[tuple[str, str]] = set()
    proofs = notnullcheck.Proofs()
    for text in changes.fact(
        f"migrations.pgcolumns-texts:{m.framework}:{m.directory}:{posixpath.dirname(m.path)}",
        lambda: _chain_texts(changes, m),
    ):
        _required(merged, split(text))
        proofs.read(split(text))
    for prior in earlier:
        _required(merged, prior)
        proofs.read(prior)
    out = []
    for h in hits:
        table, _, column = h.evidence.lower().rpartition(".")
        if h.rule == "set-not-null" and table:
            required = set(merged)
            above = [s for s in statements if s.line < h.line]
            _required(required, above)
            # a valid CHECK (column IS NOT NULL) spares the scan (notnullcheck.py)
            mine = copy.deepcopy(proofs)
            mine.read(above)
            required |= mine.proven()
            if (table.rsplit(".", 1)[-1].strip('"'), column.strip('"')) in required:
                continue
        out.append(h)
    return out


def _required(required: set[tuple[str, str]], statements: list[Statement]) -> None:
    """Update ``required`` (the NOT NULL columns) with what ``statements`` do; a statement
    not read as PostgreSQL forgets its table's columns (it may have changed them)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    for statement in statements:
        try:
            parsed = parse_sql(statement.text)
        except ParseError:
            continue
        for raw in parsed:
            _require(required, raw.stmt)


def _not_null(column: Any) -> bool:
    kinds = {getattr(c.contype, "name", "") for c in column.constraints or ()}
    return bool(kinds & {"CONSTR_NOTNULL", "CONSTR_PRIMARY"})


def _require(required: set[tuple[str, str]], node: Any) -> None:
    kind = type(node).__name__
    table = str(getattr(getattr(node, "relation", None), "relname", "") or "").lower()
    if kind == "CreateStmt":
        _forget(required, table)
        for element in node.tableElts or ():
            if type(element).__name__ == "ColumnDef" and _not_null(element):
                required.add((table, str(element.colname).lower()))
    elif kind == "RenameStmt" and node.renameType.name == "OBJECT_COLUMN":
        if (table, str(node.subname or "").lower()) in required:
            required.discard((table, str(node.subname or "").lower()))
            required.add((table, str(node.newname or "").lower()))
    elif kind in ("RenameStmt", "DropStmt"):
        required.clear()  # a table renamed or dropped: forget rather than guess
    elif kind == "AlterTableStmt":
        for cmd in node.cmds or ():
            sub = cmd.subtype.name
            key = (table, str(cmd.name or "").lower())
            if sub == "AT_AddColumn":
                key = (table, str(cmd.def_.colname).lower())
                (required.add if _not_null(cmd.def_) else required.discard)(key)
            elif sub == "AT_SetNotNull":
                required.add(key)
            elif sub in ("AT_DropNotNull", "AT_DropColumn"):
                required.discard(key)


def _forget(required: set[tuple[str, str]], table: str) -> None:
    for key in [k for k in required if k[0] == table]:
        required.discard(key)
