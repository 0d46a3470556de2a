"""What a Laravel migration's ``up`` or ``down`` does: schema builder calls, SQL, rows.

Laravel writes a step through its schema builder: ``Schema::table('t', function (Blueprint
$table) { $table->dropColumn('c'); $table->string('x')->nullable(); })``, ``Schema::create``,
``Schema::drop``/``dropIfExists``, ``Schema::rename``; or as SQL (``DB::statement('...')``,
``DB::unprepared('...')``); or by writing rows (``DB::table('t')->where(...)->update([...])``).
The gate reads these, runs no PHP (:mod:`.php` lexes the file): names are string literals
or the class's string constants; a name computed at run time is ``?``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import phpmig
from gatekeeper.checks.migrations.gosrc import RUNTIME
from gatekeeper.checks.migrations.php import Method, Source, SqlString, closing, name_of
from gatekeeper.checks.migrations.sqlwrites import RowWrite

#: ``Schema::op(`` (also through ``Schema::connection('x')->op(``)
_SCHEMA = re.compile(r"\bSchema\s*::\s*(?:connection\s*\([^()]*\)\s*->\s*)?(?P<op>\w+)\s*\(")
#: ``DB::op(`` (also through ``DB::connection('x')->op(``)
_DB = re.compile(r"\bDB\s*::\s*(?:connection\s*\([^()]*\)\s*->\s*)?(?P<op>\w+)\s*\(")
#: DB calls whose first argument is SQL text
SQL_CALLS = frozenset({"statement", "unprepared", "update", "insert", "delete"})
#: the closure's Blueprint parameter
_PARAM = re.compile(
    r"\bfunction\s*\(\s*(?:[\w\\]+\s+)?\$(\w+)\s*\)|\bfn\s*\(\s*(?:[\w\\]+\s+)?\$(\w+)\s*\)"
)
#: builder and Eloquent calls that write rows
_ROW_WRITE = re.compile(
    r"->\s*(?:update|insert|insertOrIgnore|insertGetId|insertUsing|upsert|delete|forceDelete|"
    r"truncate|increment|decrement|save|updateOrInsert)\s*\(|::\s*(?:create|updateOrCreate|"
    r"firstOrCreate|findOrCreate|insert|upsert)\s*\("
)
#: Schema facade calls that change the schema
SCHEMA_FACADE = frozenset({"create", "table", "drop", "dropIfExists", "rename", "dropColumns",
                           "dropAllTables", "dropAllViews"})  # fmt: skip
#: Blueprint calls that change nothing by themselves or only tune the table
_NEUTRAL = frozenset({"engine", "charset", "collation", "comment", "temporary"})


@dataclass(frozen=True, slots=True)
class Call:
    """One schema change: a ``Schema::`` call, or a Blueprint call inside its closure."""

    #: ``Schema::`` op (``drop``, ``rename``...) or the Blueprint method (``dropColumn``)
    op: str
    line: int
    #: the table ("?" when computed at run time)
    table: str
    #: the table is new: made by ``Schema::create`` (it holds no rows yet)
    created: bool
    #: the literal string arguments (None for one computed at run time)
    args: tuple[str | None, ...]
    #: the text of the arguments and the calls chained after it, up to the statement's end
    rest: str


#: what one method does: its schema changes (a ``Schema::`` call, a Blueprint call), its
#: SQL strings, and the rows it writes (``writes``: a ``DB::table`` ``update``/``delete``)
Side = phpmig.Side[Call]


def read_side(src: Source, method: Method) -> Side:
    """The schema calls, SQL and row writes of one method."""
    body = src.body(method)
    calls: list[Call] = []
    sql: list[SqlString] = []
    unread: list[tuple[int, str]] = []
    created: set[str] = set()
    for m in _SCHEMA.finditer(body):
        op, paren = m.group("op"), method.start + m.end() - 1
        if op not in SCHEMA_FACADE:
            continue  # hasTable, hasColumn, disableForeignKeyConstraints: read only
        spans = src.arguments(paren)
        args = tuple(src.string_at(s, e) for s, e in spans)
        table = name_of(args)
        line = src.line_of(method.start + m.start())
        if op == "create":
            created.add(table)
        if op in ("create", "table"):
            calls.append(Call(op, line, table, op == "create" or table in created, args, ""))
            if len(spans) >= 2:
                calls += _blueprint(src, spans[1], table, op == "create" or table in created)
            continue
        calls.append(Call(op, line, table, table in created, args, ""))
    for m in _DB.finditer(body):
        op, paren = m.group("op"), method.start + m.end() - 1
        if op not in SQL_CALLS:
            continue
        spans = src.arguments(paren)
        if not spans:
            continue
        text = src.string_at(*spans[0])
        line = src.line_of(method.start + m.start())
        if text is None or text.strip() == RUNTIME:
            unread.append((line, " ".join(src.text[spans[0][0] : spans[0][1]].split())))
        else:
            sql.append(SqlString(text, line))
    writes, updates = bool(_ROW_WRITE.search(body)), tuple(_updates(src, method))
    return phpmig.Side(tuple(calls), tuple(sql), tuple(unread), writes, updates)


def _blueprint(src: Source, span: tuple[int, int], table: str, created: bool) -> list[Call]:
    """The Blueprint calls of a ``Schema::table``/``create`` closure: the first call of
    each ``$table->...;`` statement, with what is chained after it."""
    start, end = span
    param = _PARAM.search(src.code, start, end)
    if param is None:
        return []
    var = param.group(1) or param.group(2)
    out: list[Call] = []
    pattern = re.compile(rf"\${re.escape(var)}\s*->\s*(\w+)\s*\(")
    for m in pattern.finditer(src.code, param.end(), end):
        before = src.code[max(start, m.start() - 2) : m.start()].rstrip()
        if before.endswith(("->", "::")):
            continue  # a chained call, not a statement's start
        paren = m.end() - 1
        args = tuple(src.string_at(s, e) for s, e in src.arguments(paren))
        stop = src.code.find(";", paren, end)
        rest = src.text[paren : stop if stop > 0 else end]
        if m.group(1) in _NEUTRAL or _groups_columns(m.group(1), rest, var):
            continue
        out.append(Call(m.group(1), src.line_of(m.start()), table, created, args, rest))
    return out


#: the closure of Laravel's ``$table->after('col', function (Blueprint $table) {...})``
_GROUP_PARAM = re.compile(
    r"\A\(\s*['\"]\w+['\"]\s*,\s*(?:static\s+)?(?:function|fn)\s*\(\s*(?:\w+\s+)?\$(\w+)"
)


def _groups_columns(op: str, rest: str, var: str) -> bool:
    """A statement that only places the columns of its closure after another column
    (``$table->after('upload', function (Blueprint $table) {...})``): the columns are
    read as the closure's own ``$table->`` statements, so the grouping call itself
    changes nothing. Only when the closure names its Blueprint as the outer one does:
    under another name its columns would go unread, and the call stays."""
    if op != "after":
        return False
    m = _GROUP_PARAM.match(rest)
    return m is not None and m.group(1) == var


_TABLE_CALL = re.compile(r"\bDB\s*::\s*(?:connection\s*\([^()]*\)\s*->\s*)?table\s*\(")
_UPDATE = re.compile(r"->\s*update\s*\(")
_DELETE = re.compile(r"->\s*(?:delete|truncate)\s*\(")
_KEY = re.compile(r"""['"](\w+)['"]\s*=>""")
_EMPTY_WHERE = re.compile(
    r"""->\s*where\s*\(\s*['"](\w+)['"]\s*,\s*(?:['"]=['"]\s*,\s*)?(?:''|""|null)\s*\)"""
    r"""|->\s*whereNull\s*\(\s*['"](\w+)['"]\s*\)""",
    re.IGNORECASE,
)


def _updates(src: Source, method: Method) -> list[RowWrite]:
    """Each ``DB::table('t')...->update([...])`` statement of the method (the columns it
    sets, those its chain limits to empty values: ``whereNull('c')``, ``where('c', '')``),
    and each ``DB::table('t')...->delete()`` or ``->truncate()``."""
    out: list[RowWrite] = []
    body = src.body(method)
    for m in _TABLE_CALL.finditer(body):
        paren = method.start + m.end() - 1
        table = name_of(tuple(src.string_at(s, e) for s, e in src.arguments(paren)))
        stop = src.code.find(";", paren, method.end)
        stop = stop if stop > 0 else method.end
        update = _UPDATE.search(src.code, paren, stop)
        if update is None:
            if _DELETE.search(src.code, paren, stop):
                out.append(RowWrite(table, src.line_of(paren), deletes=True))
            continue
        close = closing(src.code, update.end() - 1, "(", ")") or stop
        columns = tuple(_KEY.findall(src.text[update.end() : close]))
        chain = src.text[paren:stop]
        empty = frozenset(a or b for a, b in _EMPTY_WHERE.findall(chain))
        out.append(RowWrite(table, src.line_of(paren), columns, empty))
    return out


def nullable(call: Call) -> bool:
    """A column declared ``->nullable()`` (not ``->nullable(false)``)."""
    return re.search(r"->\s*nullable\s*\(\s*(?:true\s*)?\)", call.rest) is not None


def has_default(call: Call) -> bool:
    """A column given a default (``->default(x)`` other than null, ``->useCurrent()``), or
    generated (``->storedAs``, ``->virtualAs``, ``->autoIncrement``)."""
    if re.search(r"->\s*(?:useCurrent|storedAs|virtualAs|generatedAs|autoIncrement)\s*\(",
                 call.rest):  # fmt: skip
        return True
    m = re.search(r"->\s*default\s*\(\s*([^)\s]*)", call.rest)
    return m is not None and m.group(1).lower() != "null"


def changes_column(call: Call) -> bool:
    """A column redeclared with ``->change()``."""
    return re.search(r"->\s*change\s*\(\s*\)", call.rest) is not None
