"""What a Doctrine migration's ``up`` does: its SQL strings and its Schema API calls.

Doctrine Migrations (PHP) write a step either as SQL (``$this->addSql('ALTER TABLE ...')``)
or through DBAL's Schema API, which Doctrine turns into SQL for the database at hand:
``$schema->getTable('short_urls')->addColumn('hash', Types::BINARY, ['notnull' =>
false])``, ``->dropColumn``, ``->addIndex``, ``->modifyColumn``, ``$schema->dropTable``,
``$schema->createTable``. The gate reads both, runs no PHP: table and column names are
string literals or the class's string constants (``self::COLUMN_NAME``); a name computed at
run time is shown as ``?``. A variable holding a table (``$t = $schema->getTable('x')``)
or a column (``$c = $t->getColumn('y')``) is followed through the method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import phpmig
from gatekeeper.checks.migrations.gosrc import RUNTIME
from gatekeeper.checks.migrations.php import Method, Source, SqlString, name_of
from gatekeeper.checks.migrations.sqlwrites import RowWrite

#: a call on ``$schema``, a variable, or a chain of getTable/createTable/getColumn calls
_CALL = re.compile(
    r"(?P<base>\$\w+)(?P<props>(?:\s*->\s*\w+\b(?!\s*\())*)(?P<chain>(?:\s*->\s*(?:getTable|createTable|getColumn)\s*\([^()]*\))*)"
    r"\s*->\s*(?P<op>\w+)\s*\("
)
_LINK = re.compile(r"->\s*(getTable|createTable|getColumn)\s*\(")
_ASSIGN = re.compile(r"\$(\w+)\s*=\s*$")
#: the calls that run SQL text: Doctrine's queue, or the connection directly
SQL_CALLS = frozenset({"addSql", "executeStatement", "executeUpdate", "executeQuery", "exec"})
#: Schema API calls that change the schema (anything but reading it)
SCHEMA_OPS = frozenset({
    "addColumn", "dropColumn", "modifyColumn", "changeColumn", "renameColumn", "addIndex",
    "addUniqueIndex", "dropIndex", "renameIndex", "addForeignKeyConstraint",
    "removeForeignKey", "dropForeignKey", "setPrimaryKey", "dropPrimaryKey", "createTable",
    "dropTable", "renameTable", "setType", "setLength", "setNotnull", "setDefault",
    "setPrecision", "setScale", "createSequence", "dropSequence", "addUniqueConstraint",
    "removeUniqueConstraint", "createNamespace",
})  # fmt: skip
#: query builder and connection calls that write rows
_ROW_WRITE = re.compile(r"->\s*(?:insert|update|delete)\s*\(|->\s*executeStatement\s*\(")
_OPTION = r"""['"]{key}['"]\s*=>\s*(?P<value>[^,\]\)]+)"""


@dataclass(frozen=True, slots=True)
class Call:
    """One Schema API call, with what it works on."""

    op: str
    line: int
    #: the table it works on ("?" when computed at run time); "" for ``$schema`` itself
    table: str
    #: the column a column handle names (``getColumn('c')->setType``), else ""
    column: str
    #: the table was created earlier in the same method
    created: bool
    #: the literal string arguments (None for one computed at run time)
    args: tuple[str | None, ...]
    #: the raw text of the arguments and of the calls chained after it in its statement
    rest: str


#: what one method does: its Schema API calls that change the schema (:data:`SCHEMA_OPS`),
#: its SQL strings, and the rows it writes through the connection or the query builder
Side = phpmig.Side[Call]


def creators(src: Source) -> frozenset[str]:
    """The file's own methods that create a table (``$schema->createTable``) and return it:
    a helper such as ``$this->createTableWithId($schema, 'rules')``."""
    return frozenset(
        name
        for name, method in src.methods().items()
        if name not in ("up", "down")
        and re.search(r"->\s*createTable\s*\(", src.body(method))
        and re.search(r"\breturn\s+\$", src.body(method))
    )


def read_side(src: Source, method: Method, helpers: frozenset[str] = frozenset()) -> Side:
    """The calls and SQL of one method; ``helpers``: methods of the file that create and
    return a table (:func:`creators`), whose first string argument names it."""
    body = src.body(method)
    handles: dict[str, tuple[str, str, bool]] = {}  # variable -> (table, column, created)
    created: set[str] = set()
    calls: list[Call] = []
    sql: list[SqlString] = []
    unread: list[tuple[int, str]] = []
    for m in _CALL.finditer(body):
        at = method.start + m.start()
        table, column, made = _receiver(src, m, at, handles, created)
        op, paren = m.group("op"), method.start + m.end() - 1
        spans = src.arguments(paren)
        args = tuple(src.string_at(s, e) for s, e in spans)
        line = src.line_of(at)
        if op in SQL_CALLS:
            if not args:
                continue  # a query builder run: its calls were read as they came
            text = args[0]
            if text is None or text.strip() == RUNTIME:
                unread.append((line, " ".join(src.text[spans[0][0] : spans[0][1]].split())))
            else:
                sql.append(SqlString(text, line))
            continue
        if op in helpers and m.group("base") == "$this":
            op, args = "createTable", tuple(a for a in args if a is not None)
        if op in ("getTable", "createTable", "getColumn"):
            name = name_of(args)
            bound = (name, "", op == "createTable" or name in created)
            if op == "createTable":
                created.add(name)
            if op == "getColumn":
                bound = (table, name, made)
            assign = _ASSIGN.search(src.code, max(0, at - 80), at)
            if assign is not None:
                handles[assign.group(1)] = bound
            if op == "createTable":
                calls.append(Call(op, line, name, "", True, args, ""))
            continue
        stop = src.code.find(";", paren)
        rest = src.text[paren : stop if stop > 0 else len(src.text)]
        calls.append(Call(op, line, table, column, made, args, rest))
    writes = bool(_ROW_WRITE.search(body))
    changes = tuple(c for c in calls if c.op in SCHEMA_OPS)
    return phpmig.Side(changes, tuple(sql), tuple(unread), writes, tuple(_row_writes(src, method)))


_API_WRITE = re.compile(r"->\s*(update|delete)\s*\(")
_KEY = re.compile(r"""['"](\w+)['"]\s*=>""")
_EMPTY_KEY = re.compile(r"""['"](\w+)['"]\s*=>\s*(?:null|''|"")\s*[,\]]""", re.IGNORECASE)
_SET = re.compile(r"""->\s*set\s*\(\s*['"](\w+)['"]""")
_EMPTY_WHERE = re.compile(
    r"""(\w+)\s+IS\s+NULL\b|(\w+)\s*=\s*''|->\s*isNull\s*\(\s*['"](\w+)['"]""", re.IGNORECASE
)


def _row_writes(src: Source, method: Method) -> list[RowWrite]:
    """The rows the method writes over through DBAL: the connection's ``update('t',
    [data], [criteria])`` and ``delete('t', [criteria])``, a query builder's
    ``update('t')->set('c', ...)->where(...)`` and ``delete('t')``. A column counts as
    limited to empty values when the criteria hold it to null or '' (DBAL writes ``IS
    NULL`` for a null criterion) or the query builder's where says ``c IS NULL`` (or
    ``expr()->isNull('c')``)."""
    out: list[RowWrite] = []
    for m in _API_WRITE.finditer(src.body(method)):
        paren = method.start + m.end() - 1
        spans = src.arguments(paren)
        if not spans:
            continue
        table = name_of(tuple(src.string_at(s, e) for s, e in spans[:1]))
        line = src.line_of(paren)
        if m.group(1) == "delete":
            out.append(RowWrite(table, line, deletes=True))
            continue
        if len(spans) >= 2:  # the connection's update(table, data, criteria)
            columns = tuple(_KEY.findall(src.text[spans[1][0] : spans[1][1]]))
            criteria = src.text[spans[2][0] : spans[2][1]] if len(spans) >= 3 else ""
            out.append(RowWrite(table, line, columns, frozenset(_EMPTY_KEY.findall(criteria))))
            continue
        stop = src.code.find(";", paren, method.end)
        chain = src.text[paren : stop if stop > 0 else method.end]
        empty = {a or b or c for a, b, c in _EMPTY_WHERE.findall(chain)}
        out.append(RowWrite(table, line, tuple(_SET.findall(chain)), frozenset(empty)))
    return out


def _receiver(
    src: Source,
    m: re.Match[str],
    at: int,
    handles: dict[str, tuple[str, str, bool]],
    created: set[str],
) -> tuple[str, str, bool]:
    """(table, column, created) of what the call at ``m`` is made on."""
    base = m.group("base")[1:] if not m.group("props") else ""
    table, column, made = handles.get(base, ("" if base == "schema" else "?", "", False))
    chain_start = at + (m.start("chain") - m.start())
    for link in _LINK.finditer(m.group("chain")):
        paren = chain_start + link.end() - 1
        name = name_of(tuple(src.string_at(s, e) for s, e in src.arguments(paren)))
        if link.group(1) == "getColumn":
            column = name
        else:
            table, column, made = name, "", link.group(1) == "createTable" or name in created
    return table, column, made


def option(rest: str, key: str) -> str | None:
    """The raw value of ``'key' => value`` in a call's arguments, None when absent."""
    m = re.search(_OPTION.format(key=re.escape(key)), rest)
    return m.group("value").strip() if m else None


def not_null(call: Call) -> bool:
    """Whether an ``addColumn`` makes a NOT NULL column: DBAL's default unless the options
    say ``'notnull' => false`` or a chained ``->setNotnull(false)`` does."""
    value = option(call.rest, "notnull")
    chained = re.search(r"->\s*setNotnull\s*\(\s*(\w+)", call.rest)
    if chained is not None:
        value = chained.group(1)
    return value is None or value.lower() != "false"


def has_default(call: Call) -> bool:
    """Whether an ``addColumn`` gives the column a default (or an autoincrement)."""
    if re.search(r"->\s*(?:setDefault|setAutoincrement)\s*\(", call.rest):
        return "null" not in call.rest.split("setDefault", 1)[-1][:8].lower()
    default = option(call.rest, "default")
    auto = option(call.rest, "autoincrement")
    return (default is not None and default.lower() != "null") or (
        auto is not None and auto.lower() == "true"
    )
