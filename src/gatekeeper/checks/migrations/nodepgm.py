"""node-pg-migrate's builder in a Node migration, read as the SQL it runs.

A node-pg-migrate migration (``exports.up = (pgm) => {...}``, ``export async function
up(pgm: MigrationBuilder)``) calls the builder it is given: ``pgm.createIndex('events',
'user_id', { concurrently: true })``, ``pgm.addColumns('t', { c: { type: 'text', notNull:
true } })``, ``pgm.dropColumns('t', ['c'])``, and ``pgm.sql('...')`` for raw SQL (read
with the other literals, :mod:`.nodesql`). Each call is one statement or more of the SQL
node-pg-migrate writes, on the line of its call, reviewed with the raw SQL in the order
written (:func:`statements`). node-pg-migrate runs each migration in a transaction unless
its up calls ``pgm.noTransaction()``. A call this module cannot read (an argument built at
run time) gives no statement.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations.nodekysely import (
    arguments_of,
    chain_calls,
    quoted_name,
    sql_names,
    text_of,
    value_of,
)
from gatekeeper.checks.migrations.nodescan import COMMENTS
from gatekeeper.checks.migrations.sqltext import Statement, split

#: where a call of the builder starts: ``pgm`` (the name node-pg-migrate's docs and
#: generated files give the handle)
_START = re.compile(r"\bpgm\s*(?=\.)")


def statements(body: str, first: int) -> list[Statement]:
    """The SQL of each builder call of a side, in order (``first``: the body's line)."""
    code = COMMENTS.sub(lambda c: " " * len(c.group()), body)
    out: list[Statement] = []
    for m in _START.finditer(code):
        calls = chain_calls(code, m.end(), first)[:1]
        if calls:
            sql = _translate(calls[0].name, calls[0].args)
            out += split(sql, calls[0].line) if sql else []
    return out


def _options(arg: str) -> dict[str, str]:
    """An object literal's keys and their values' source (``{ a: 1, 'b': 'x' }``)."""
    text = arg.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return {}
    out = {}
    for item in arguments_of(text[1:-1]):
        key, colon, value = item.partition(":")
        if colon:
            out[key.strip().strip("'\"`")] = value.strip()
    return out


def _flag(options: dict[str, str], key: str) -> bool:
    return options.get(key) == "true"


def _table(arg: str) -> str | None:
    """A table argument: ``'events'`` or ``{ schema: 'app', name: 'events' }``."""
    options = _options(arg)
    if options:
        schema, name = text_of(options.get("schema", "''")), text_of(options.get("name", ""))
        return f"{quoted_name(schema)}.{quoted_name(name)}" if schema and name else None
    text = text_of(arg.strip())
    return quoted_name(text) if text else None


def _columns(arg: str) -> list[str] | None:
    return sql_names(arg.strip())


def _default(value: str) -> str:
    func = re.fullmatch(r"pgm\s*\.\s*func\s*\(\s*(.+?)\s*\)", value, re.DOTALL)
    if func:
        return text_of(func.group(1)) or "NULL"
    return value_of(value)


def _definition(name: str, spec: str) -> str | None:
    """A column as ``c TYPE [NOT NULL] [DEFAULT x]`` from ``'text'`` or ``{ type, ... }``."""
    kind = text_of(spec.strip())
    options = {} if kind else _options(spec)
    kind = kind or text_of(options.get("type", ""))
    if not kind:
        return None
    parts = [quoted_name(name), kind]
    if _flag(options, "primaryKey"):
        parts.append("PRIMARY KEY")
    elif _flag(options, "notNull"):
        parts.append("NOT NULL")
    if "default" in options:
        parts.append(f"DEFAULT {_default(options['default'])}")
    if "references" in options and (ref := text_of(options["references"])):
        parts.append(f"REFERENCES {ref}")
    return " ".join(parts)


def _definitions(arg: str) -> list[str] | None:
    """``{ c: 'text', d: { type: 'int', notNull: true } }`` as column definitions."""
    found = [_definition(k, v) for k, v in _options(arg).items()]
    return [d for d in found if d] if found and all(found) else None


def _translate(name: str, args: list[str]) -> str | None:
    table = _table(args[0]) if args else None
    if table is None:
        return None
    options = _options(args[-1]) if len(args) > 1 else {}
    if name in ("createIndex", "addIndex") and len(args) > 1:
        return _index(table, args[1], options if len(args) > 2 else {})
    if name in ("dropIndex", "removeIndex") and len(args) > 1:
        index = text_of(options.get("name", "")) or ""
        cols = _columns(args[1]) or []
        index = index or "_".join([table.rsplit(".", maxsplit=1)[-1].strip('"'), *cols, "index"])
        concurrently = " CONCURRENTLY" if _flag(options, "concurrently") else ""
        return f"DROP INDEX{concurrently} {quoted_name(index)}"
    if name in ("addColumns", "addColumn") and len(args) > 1:
        found = _definitions(args[1])
        return "; ".join(f"ALTER TABLE {table} ADD COLUMN {d}" for d in found or []) or None
    if name in ("dropColumns", "dropColumn") and len(args) > 1:
        cols = _columns(args[1]) or list(_options(args[1]))
        return "; ".join(f"ALTER TABLE {table} DROP COLUMN {quoted_name(c)}" for c in cols)
    if name == "renameColumn" and len(args) > 2:
        old, new = text_of(args[1]), text_of(args[2])
        if old and new:
            return f"ALTER TABLE {table} RENAME COLUMN {quoted_name(old)} TO {quoted_name(new)}"
    if name == "renameTable" and len(args) > 1 and (new := text_of(args[1])):
        return f"ALTER TABLE {table} RENAME TO {quoted_name(new)}"
    if name == "alterColumn" and len(args) > 2:
        return _alter(table, args[1], _options(args[2]))
    if name == "createTable" and len(args) > 1 and (found := _definitions(args[1])):
        exists = " IF NOT EXISTS" if _flag(options, "ifNotExists") else ""
        return f"CREATE TABLE{exists} {table} ({', '.join(found)})"
    if name == "dropTable":
        exists = " IF EXISTS" if _flag(options, "ifExists") else ""
        cascade = " CASCADE" if _flag(options, "cascade") else ""
        return f"DROP TABLE{exists} {table}{cascade}"
    if name in ("addConstraint", "createConstraint") and len(args) > 2:
        return _constraint(table, args[1], args[2])
    return None


def _index(table: str, columns: str, options: dict[str, str]) -> str | None:
    cols = _columns(columns)
    if not cols:
        return None
    unique = " UNIQUE" if _flag(options, "unique") else ""
    concurrently = " CONCURRENTLY" if _flag(options, "concurrently") else ""
    exists = " IF NOT EXISTS" if _flag(options, "ifNotExists") else ""
    bare = table.rsplit(".", maxsplit=1)[-1].strip('"')
    name = text_of(options.get("name", "")) or "_".join(
        [bare, *(c.strip('"') for c in cols), *(["unique"] if unique else []), "index"]
    )
    method = text_of(options.get("method", ""))
    using = f" USING {method}" if method else ""
    where = text_of(options.get("where", ""))
    tail = f" WHERE {where}" if where else ""
    listed = ", ".join(cols)
    index = quoted_name(name)
    return f"CREATE{unique} INDEX{concurrently}{exists} {index} ON {table}{using} ({listed}){tail}"


def _alter(table: str, column: str, options: dict[str, str]) -> str | None:
    name = text_of(column)
    if not name:
        return None
    c = quoted_name(name)
    actions = []
    if (kind := text_of(options.get("type", ""))) is not None and kind:
        using = text_of(options.get("using", ""))
        actions.append(f"ALTER COLUMN {c} TYPE {kind}" + (f" USING {using}" if using else ""))
    if "notNull" in options:
        actions.append(
            f"ALTER COLUMN {c} {'SET' if _flag(options, 'notNull') else 'DROP'} NOT NULL"
        )
    if "default" in options:
        actions.append(f"ALTER COLUMN {c} SET DEFAULT {_default(options['default'])}")
    return f"ALTER TABLE {table} {', '.join(actions)}" if actions else None


def _constraint(table: str, name: str, spec: str) -> str | None:
    """``addConstraint('t', 'n', 'CHECK (x > 0)')`` or ``{ check | unique | foreignKeys }``."""
    constraint = text_of(name)
    raw = text_of(spec.strip())
    options = {} if raw else _options(spec)
    if raw is None:
        if "check" in options and (check := text_of(options["check"])):
            raw = f"CHECK ({check})"
        elif "unique" in options and (cols := _columns(options["unique"])):
            raw = f"UNIQUE ({', '.join(cols)})"
        elif "foreignKeys" in options:
            fk = _options(options["foreignKeys"])
            cols = _columns(fk.get("columns", ""))
            ref = text_of(fk.get("references", ""))
            if cols and ref:
                raw = f"FOREIGN KEY ({', '.join(cols)}) REFERENCES {ref}"
    if not raw or not constraint:
        return None
    return f"ALTER TABLE {table} ADD CONSTRAINT {quoted_name(constraint)} {raw}"
