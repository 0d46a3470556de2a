"""Kysely's schema builder in a Node migration, read as the SQL it compiles to.

A Kysely migration (docmost's ``20260329T163516-add-new-indexes.ts``) builds its schema
with chains ending in ``.execute()``: ``db.schema.createIndex('idx').ifNotExists()
.on('pages').column('user_id')``, ``db.schema.alterTable('t').addColumn('c', 'text',
(col) => col.notNull().defaultTo('x'))``, ``db.schema.dropTable('t')``. Kysely turns
each chain into one SQL statement; so does this module (:func:`statements`), as text,
so the SQL review judges them as it judges the raw ``sql`...`.execute(db)`` beside them
(a table created earlier in the same up is new to the index built after it; an index on
a busy table is sized by the same words). An ``alterTable`` chain with several changes is
read as one ``ALTER TABLE`` per change, each on the line of its call, so each change is
reported where it is written. A chain this module cannot read (``createView``, an
argument built at run time) gives no statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations.hashsrc import arguments
from gatekeeper.checks.migrations.nodescan import COMMENTS, call_end, string_end
from gatekeeper.checks.migrations.sqltext import TEMPLATE_PLACEHOLDER, Statement, split

#: where a chain starts: the handle's schema builder (``db.schema``, ``trx.schema``)
_START = re.compile(r"\b\w+\s*\.\s*schema\s*(?=\.)")
#: one call of a chain: ``.name(`` (the arguments are read up to the matching bracket)
_CALL = re.compile(r"\s*\.\s*(?P<name>\w+)\s*(?:<[^()]{0,200}>\s*)?\(")
#: a name SQL needs quoted (a few reserved words schemas use as column names)
_RESERVED = frozenset({"all", "check", "column", "constraint", "default", "end", "from",
                       "group", "limit", "offset", "order", "primary", "references",
                       "select", "table", "to", "user", "where"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: list[str]
    line: int


def statements(body: str, first: int) -> list[Statement]:
    """The SQL each schema-builder chain of a side compiles to, in order (``first``: the
    line the body starts on)."""
    code = COMMENTS.sub(lambda c: " " * len(c.group()), body)
    out: list[Statement] = []
    for m in _START.finditer(code):
        calls = _chain(code, m.end(), first)
        for sql, line in _translate(calls):
            out += split(sql, line)
    return out


def _chain(code: str, at: int, first: int) -> list[_Call]:
    """The calls chained from ``at`` (``.createIndex('x').on('t')...``) up to the first
    thing that is not a call."""
    calls = []
    while (m := _CALL.match(code, at)) is not None:
        end = call_end(code, m.end())
        if end is None:
            break
        line = first + code.count("\n", 0, m.start("name"))
        calls.append(_Call(m.group("name"), _arguments(code[m.end() : end]), line))
        at = end + 1
    return calls


def _arguments(text: str) -> list[str]:
    """A call's arguments, split at the commas of its own depth (none for an empty call)."""
    out = arguments(text, quotes="\"'`", closing=string_end)
    return out if out[-1] else out[:-1]


_STRING = re.compile(r"""^(?P<q>['"`])(?P<text>[^'"`]*)(?P=q)$""")
_TEMPLATE = re.compile(r"^sql\s*(?:<[^`]{0,200}>\s*)?`(?P<text>.*)`$", re.DOTALL)


def _text(arg: str) -> str | None:
    """A string literal's text, or a ``sql`...``` template's SQL (interpolations read as
    the placeholder name); None for anything else."""
    s = _STRING.match(arg)
    if s:
        return s.group("text")
    t = _TEMPLATE.match(arg)
    if t:
        return re.sub(r"\$\{[^{}]*\}", TEMPLATE_PLACEHOLDER, t.group("text"))
    return None


def _name(arg: str) -> str | None:
    """A string argument as a SQL name (``'public.pages'`` as ``public.pages``)."""
    text = _text(arg)
    return _ident(text) if text else None


def _ident(text: str) -> str:
    return ".".join(_quoted(part) for part in text.split("."))


def _quoted(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def _names(arg: str) -> list[str] | None:
    """``['a', 'b']`` (or one name) as SQL names."""
    items = _arguments(arg.strip()[1:-1]) if arg.strip().startswith("[") else [arg]
    names = [_name(item) for item in items]
    return None if not names or any(n is None for n in names) else [n for n in names if n]


def _value(arg: str) -> str:
    """A default's SQL: a template as written, a string quoted, a number or boolean as is;
    anything else (a value computed at run time) as a placeholder literal."""
    t = _TEMPLATE.match(arg)
    if t:
        return _text(arg) or "NULL"
    s = _STRING.match(arg)
    if s:
        return "'" + s.group("text").replace("'", "''") + "'"
    if re.fullmatch(r"-?\d+(?:\.\d+)?|true|false|null", arg):
        return arg
    return "'?'"


def _column(args: list[str]) -> str | None:
    """``addColumn('c', 'type', (col) => col.notNull()...)`` as a column definition."""
    if len(args) < 2:
        return None
    name, kind = _name(args[0]), _text(args[1])
    if name is None or kind is None:
        return None
    parts = [name, kind]
    if len(args) > 2:
        parts += _constraints(args[2])
    return " ".join(parts)


_ARROW = re.compile(r"^\(?\s*(?P<var>\w+)\s*\)?\s*=>\s*(?P<body>.*)$", re.DOTALL)


def _constraints(callback: str) -> list[str]:
    """What a column callback's chain adds: ``col.notNull().defaultTo(sql`now()`)``."""
    arrow = _ARROW.match(callback.strip())
    if arrow is None:
        return []
    body = arrow.group("body").strip()
    var = re.match(rf"\{{?\s*(?:return\s+)?{re.escape(arrow.group('var'))}\b", body)
    if var is None:
        return []
    out = []
    for call in _chain(body, var.end(), 1):
        arg = call.args[0] if call.args else ""
        if call.name == "notNull":
            out.append("NOT NULL")
        elif call.name == "primaryKey":
            out.append("PRIMARY KEY")
        elif call.name == "unique":
            out.append("UNIQUE")
        elif call.name == "defaultTo" and arg:
            out.append(f"DEFAULT {_value(arg)}")
        elif call.name == "references" and (ref := _text(arg)) and "." in ref:
            table, column = ref.rsplit(".", 1)
            out.append(f"REFERENCES {_ident(table)} ({_ident(column)})")
        elif call.name == "onDelete" and (action := _text(arg)):
            out.append(f"ON DELETE {action.upper()}")
        elif call.name == "check" and (cond := _text(arg)):
            out.append(f"CHECK ({cond})")
        elif call.name in ("generatedAlwaysAsIdentity", "generatedByDefaultAsIdentity"):
            always = "ALWAYS" if "Always" in call.name else "BY DEFAULT"
            out.append(f"GENERATED {always} AS IDENTITY")
    return out


def _constraint(call: _Call) -> str | None:
    """A table constraint: ``addUniqueConstraint('n', ['a'])``,
    ``addForeignKeyConstraint('n', ['a'], 't', ['id'])``, ``addPrimaryKeyConstraint``."""
    args = call.args
    name = _name(args[0]) if args else None
    cols = _names(args[1]) if len(args) > 1 else None
    if name is None or cols is None:
        return None
    listed = ", ".join(cols)
    if call.name == "addUniqueConstraint":
        return f"CONSTRAINT {name} UNIQUE ({listed})"
    if call.name == "addPrimaryKeyConstraint":
        return f"CONSTRAINT {name} PRIMARY KEY ({listed})"
    if call.name == "addForeignKeyConstraint" and len(args) > 3:
        table, refs = _name(args[2]), _names(args[3])
        if table is None or refs is None:
            return None
        tail = ""
        if len(args) > 4:
            tail = " " + " ".join(c for c in _constraints(args[4]) if c.startswith("ON "))
        refs_listed = ", ".join(refs)
        return f"CONSTRAINT {name} FOREIGN KEY ({listed}) REFERENCES {table} ({refs_listed}){tail}"
    return None


def _translate(calls: list[_Call]) -> list[tuple[str, int]]:
    """The SQL of one chain, each statement with the line it is reported on."""
    if not calls:
        return []
    head, rest = calls[0], calls[1:]
    named = {c.name for c in rest}
    target = _name(head.args[0]) if head.args else None
    if target is None:
        return []
    if head.name == "createTable":
        items = [col for c in rest if c.name == "addColumn" and (col := _column(c.args))]
        items += [con for c in rest if c.name.endswith("Constraint") and (con := _constraint(c))]
        exists = " IF NOT EXISTS" if "ifNotExists" in named else ""
        return [(f"CREATE TABLE{exists} {target} ({', '.join(items)})", head.line)]
    if head.name == "dropTable":
        exists = " IF EXISTS" if "ifExists" in named else ""
        cascade = " CASCADE" if "cascade" in named else ""
        return [(f"DROP TABLE{exists} {target}{cascade}", head.line)]
    if head.name == "createIndex":
        return _index(head, rest, target)
    if head.name == "dropIndex":
        exists = " IF EXISTS" if "ifExists" in named else ""
        return [(f"DROP INDEX{exists} {target}", head.line)]
    if head.name == "alterTable":
        return [(f"ALTER TABLE {target} {a}", c.line) for c in rest if (a := _alteration(c))]
    if head.name == "createType":
        values = [c for c in rest if c.name == "asEnum" and c.args]
        labels = _arguments(values[0].args[0].strip()[1:-1]) if values else []
        listed = ", ".join(_value(v) for v in labels)
        return [(f"CREATE TYPE {target} AS ENUM ({listed})", head.line)] if values else []
    if head.name == "dropType":
        exists = " IF EXISTS" if "ifExists" in named else ""
        return [(f"DROP TYPE{exists} {target}", head.line)]
    return []


def _index(head: _Call, rest: list[_Call], name: str) -> list[tuple[str, int]]:
    on = [c for c in rest if c.name == "on" and c.args]
    table = _name(on[0].args[0]) if on else None
    keys: list[str] = []
    for c in rest:
        if c.name in ("column", "columns") and c.args:
            keys += _names(c.args[0]) or []
        elif c.name == "expression" and c.args and (expr := _text(c.args[0])):
            keys.append(f"({expr})")
    if table is None or not keys:
        return []
    named = {c.name for c in rest}
    unique = " UNIQUE" if "unique" in named else ""
    concurrently = " CONCURRENTLY" if "concurrently" in named else ""
    exists = " IF NOT EXISTS" if "ifNotExists" in named else ""
    using = [c for c in rest if c.name == "using" and c.args]
    method = f" USING {_text(using[0].args[0])}" if using and _text(using[0].args[0]) else ""
    listed = ", ".join(keys)
    sql = f"CREATE{unique} INDEX{concurrently}{exists} {name} ON {table}{method} ({listed})"
    found = [p for c in rest if c.name == "where" and (p := _predicate(c.args))]
    return [(sql + (f" WHERE {' AND '.join(found)}" if found else ""), head.line)]


def _predicate(args: list[str]) -> str | None:
    """A partial index's ``.where('deleted_at', 'is', null)`` or ``.where(sql`...`)`` as
    SQL (several are ANDed, as Kysely does); None for a callback or a computed value."""
    if len(args) == 1:
        raw = _TEMPLATE.match(args[0])
        return f"({_text(args[0])})" if raw else None
    if len(args) != 3 or (column := _name(args[0])) is None:
        return None
    op = _text(args[1])
    if not op or not re.fullmatch(
        r"[=<>!]{1,2}|(?:is|in|like)(?: not)?|not (?:in|like)", op.lower()
    ):
        return None
    value = args[2].strip()
    if value.startswith("[") and value.endswith("]"):
        listed = _arguments(value[1:-1])
        return f"{column} {op} ({', '.join(_value(v.strip()) for v in listed)})"
    return f"{column} {op} {_value(value)}"


def _alteration(call: _Call) -> str | None:
    """One change of an ``alterTable`` chain as an ``ALTER TABLE`` action."""
    args = call.args
    if call.name == "addColumn":
        column = _column(args)
        exists = len(args) > 2 and re.search(r"\.\s*ifNotExists\s*\(", args[2]) is not None
        return (
            None if column is None else f"ADD COLUMN{' IF NOT EXISTS' if exists else ''} {column}"
        )
    first = _name(args[0]) if args else None
    if first is None:
        return None
    if call.name == "dropColumn":
        return f"DROP COLUMN {first}"
    if call.name == "renameColumn" and len(args) > 1 and (to := _name(args[1])):
        return f"RENAME COLUMN {first} TO {to}"
    if call.name == "renameTo":
        return f"RENAME TO {first}"
    if call.name == "dropConstraint":
        return f"DROP CONSTRAINT {first}"
    if call.name.endswith("Constraint") and (con := _constraint(call)):
        return f"ADD {con}"
    if call.name == "alterColumn" and len(args) > 1:
        return _column_change(first, args[1])
    return None


def _column_change(column: str, callback: str) -> str | None:
    """``alterColumn('c', (col) => col.setDataType('text'))`` and its siblings."""
    arrow = _ARROW.match(callback.strip())
    if arrow is None:
        return None
    body = arrow.group("body").strip()
    var = re.match(rf"\{{?\s*(?:return\s+)?{re.escape(arrow.group('var'))}\b", body)
    if var is None:
        return None
    calls = _chain(body, var.end(), 1)
    if not calls:
        return None
    call = calls[0]
    arg = call.args[0] if call.args else ""
    if call.name == "setDataType" and (kind := _text(arg)):
        return f"ALTER COLUMN {column} TYPE {kind}"
    if call.name == "setDefault" and arg:
        return f"ALTER COLUMN {column} SET DEFAULT {_value(arg)}"
    if call.name == "dropDefault":
        return f"ALTER COLUMN {column} DROP DEFAULT"
    if call.name == "setNotNull":
        return f"ALTER COLUMN {column} SET NOT NULL"
    if call.name == "dropNotNull":
        return f"ALTER COLUMN {column} DROP NOT NULL"
    return None


# the readers node-pg-migrate's builder shares (:mod:`.nodepgm`): JavaScript's calls,
# literals and names, whatever the library
arguments_of = _arguments
chain_calls = _chain
quoted_name = _quoted
sql_names = _names
text_of = _text
value_of = _value
