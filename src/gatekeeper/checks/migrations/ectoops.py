"""What an Ecto migration's up side runs, written out as the SQL Ecto's PostgreSQL adapter
generates, and reviewed by the same rules as a SQL file's.

Each command of ``def change`` / ``def up`` (and of the private functions they call,
``execute(&backfill/0, ...)``) becomes one statement on its own line: ``create
index(:t, [:a])`` a ``CREATE INDEX`` (``CONCURRENTLY`` with ``concurrently: true``),
``alter table(:t) do add ... end`` an ``ALTER TABLE ... ADD COLUMN`` per column (``NOT
NULL`` for ``null: false``, its ``DEFAULT``), ``remove`` a ``DROP COLUMN``, ``modify`` a
``TYPE`` change (not for ``references(...)``, which only re-adds the key), ``rename``
a ``RENAME``, ``drop table`` a ``DROP TABLE``; SQL strings (``execute "..."``, the first
argument of ``execute/2``, ``repo().query!("...")``) are read as they are, and
``repo().update_all`` as an ``UPDATE`` of its table. Ecto runs a migration in a
transaction unless the module sets ``@disable_ddl_transaction true``, so the review knows
when ``CONCURRENTLY`` cannot run and when a backfill holds the schema change's locks.
"""

from __future__ import annotations

import posixpath
import re
import textwrap
from collections.abc import Callable

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import ecto, pgcolumns
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, split

#: Ecto's primitive types as its PostgreSQL adapter writes them
_TYPES = {
    "string": "varchar(255)", "text": "text", "integer": "integer", "bigint": "bigint",
    "id": "bigint", "smallint": "smallint", "serial": "serial", "bigserial": "bigserial",
    "boolean": "boolean", "float": "double precision", "decimal": "numeric", "date": "date",
    "time": "time(0)", "utc_datetime": "timestamp(0)", "naive_datetime": "timestamp(0)",
    "utc_datetime_usec": "timestamp", "naive_datetime_usec": "timestamp", "map": "jsonb",
    "jsonb": "jsonb", "json": "json", "uuid": "uuid", "binary_id": "uuid", "binary": "bytea",
}  # fmt: skip
_TABLE = re.compile(r"""^\s*table\s*\(\s*(?::(\w+)|"([^"]+)")""")
_INDEX = re.compile(r"""^\s*(unique_index|index)\s*\(\s*(?::(\w+)|"([^"]+)")\s*(.*)\)\s*$""", re.S)
_BLOCK = re.compile(r"^\s*(create_if_not_exists|create|alter)\b\s*\(?\s*(table\s*\(.*?\))\s*do\s*$")
_CREATE_INDEX = re.compile(
    r"^\s*(create_if_not_exists|create)\b\s*\(?\s*((?:unique_)?index\s*\(.*)$", re.S
)
_DROP = re.compile(r"^\s*(drop_if_exists|drop)\b\s*\(?\s*(.*)$", re.S)
_RENAME = re.compile(r"^\s*rename\s*\(?\s*(.*)$", re.S)
_CONSTRAINT = re.compile(
    r"""^\s*constraint\s*\(\s*[:"](\w+)"?\s*,\s*[:"](\w+)"?\s*(.*)\)\s*$""", re.S
)
_CREATE_CONSTRAINT = re.compile(r"^\s*create\s*\(?\s*(constraint\s*\(.*)$", re.S)
_QUERY = re.compile(r"\b(?:repo\(\)|Repo|[\w.]+\.Repo)\s*\.\s*query!?\s*\(\s*")
_SQL_QUERY = re.compile(r"\bEcto\.Adapters\.SQL\.query!?\s*\(\s*[^,]+,\s*")
_UPDATE_ALL = re.compile(r"\b(?:repo\(\)|Repo|[\w.]+\.Repo)\s*\.\s*update_all\s*\(")
_EXECUTE = re.compile(r"^\s*execute\b\s*\(?\s*(.*)$", re.S)
_STRING = re.compile(r'"""\n?(.*?)"""|~[sS]"""\n?(.*?)"""|"((?:\\.|[^"\\])*)"|~[sS]\((.*?)\)', re.S)
_CALLED = re.compile(r"&(\w+)/0|\b(\w+)\(\s*\)")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    return name if _NAME.match(name) else '"' + name.replace('"', '""') + '"'


def _table(arg: str) -> str | None:
    m = _TABLE.match(arg)
    return (m.group(1) or m.group(2)) if m else None


def _name(arg: str) -> str:
    """The name an atom or a string spells (``:a``, ``"a"``), else ``?``."""
    m = re.fullmatch(r"""\s*(?::(\w+)|"([^"]+)")\s*""", arg)
    return (m.group(1) or m.group(2)) if m else "?"


def _options(args: list[str]) -> dict[str, str]:
    """The keyword arguments (``null: false``) among ``args``."""
    out: dict[str, str] = {}
    for a in args:
        for kw in ecto.arguments(a.strip().lstrip("[").rstrip("]")) if a.startswith("[") else [a]:
            m = re.match(r"^(\w+):\s+(.*)$", kw, re.S)
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


def _sql_type(arg: str) -> str:
    arg = arg.strip()
    if arg.startswith("references"):
        inner = arg[arg.find("(") + 1 : arg.rfind(")")]
        parts = ecto.arguments(inner)
        target = _name(parts[0]) if parts else "?"
        kind = _options(parts[1:]).get("type", ":bigint").lstrip(":")
        return f"{_TYPES.get(kind, kind)} REFERENCES {_ident(target)}(id)"
    array = re.fullmatch(r"\{\s*:array\s*,\s*:(\w+)\s*\}", arg)
    if array:
        return f"{_TYPES.get(array.group(1), array.group(1))}[]"
    m = re.fullmatch(r":(\w+)|\"(\w[\w ()]*)\"", arg)
    if m is None:
        return "text"
    name = m.group(1) or m.group(2)
    return _TYPES.get(name, name)


def _sized(kind: str, opts: dict[str, str]) -> str:
    """``kind`` with the modifiers Ecto's adapter writes from ``size:`` (a varchar's
    length) and ``precision:``/``scale:`` (a numeric's)."""
    size, precision, scale = opts.get("size", ""), opts.get("precision", ""), opts.get("scale", "")
    if kind.startswith("varchar") and size.isdigit():
        return f"varchar({size})"
    if kind == "numeric" and precision.isdigit():
        return f"numeric({precision}, {scale})" if scale.isdigit() else f"numeric({precision})"
    return kind


def _literal(value: str) -> str:
    """An Elixir default as SQL: strings quoted, ``nil`` NULL, ``fragment("...")`` as is."""
    value = value.strip()
    frag = re.fullmatch(r'fragment\(\s*"((?:\\.|[^"\\])*)"\s*\)', value)
    if frag:
        return frag.group(1)
    if value == "nil":
        return "NULL"
    if value.startswith('"') and value.endswith('"'):
        return "'" + value[1:-1].replace("'", "''") + "'"
    if re.fullmatch(r"-?\d+(?:\.\d+)?|true|false", value):
        return value
    return "'?'"


def _column(args: list[str]) -> str:
    """``name type [NOT NULL] [DEFAULT x]`` of an ``add``/``modify``'s arguments."""
    name = _name(args[0]) if args else "?"
    kind = _sql_type(args[1]) if len(args) > 1 else "text"
    opts = _options(args[2:])
    out = f"{_ident(name)} {_sized(kind, opts)}"
    if opts.get("primary_key") == "true":
        out += " PRIMARY KEY"
    if opts.get("null") == "false":
        out += " NOT NULL"
    if "default" in opts:
        out += f" DEFAULT {_literal(opts['default'])}"
    return out


def _inner(text: str, call: re.Match[str]) -> list[str]:
    """The arguments of the call whose opening bracket ``call`` ends on."""
    rest = text[call.end() :]
    depth, index = 1, 0
    while index < len(rest) and depth:
        depth += {"(": 1, ")": -1}.get(rest[index], 0)
        index += 1
    return ecto.arguments(rest[: index - 1] if depth == 0 else rest)


def _strings(text: str) -> str | None:
    """The SQL of a string argument (a heredoc, ``"..."``, ``~s(...)``), ``#{...}``
    interpolations as ``?``; None when it does not start with one."""
    m = _STRING.match(text.strip())
    if m is None:
        return None
    sql = next(g for g in m.groups() if g is not None)
    if m.group(1) is not None or m.group(2) is not None:  # a heredoc loses its indentation
        sql = textwrap.dedent(sql).strip("\n")
    return re.sub(r"#\{[^}]*\}", "x", sql.replace('\\"', '"'))


class _Reader:
    """Collects the statements of one method, in order, with their lines."""

    def __init__(self, *, columns: bool = False) -> None:
        self.out: list[Statement] = []
        #: also write out the columns of a ``create table`` block (for the type history)
        self.columns = columns

    def add(self, sql: str, line: int, end: int | None = None) -> None:
        self.out.append(Statement(sql, line, end or line))

    def add_sql(self, sql: str, line: int, whole: str) -> None:
        """A SQL string: its statements numbered from the line it starts on."""
        first = line + whole[: whole.find(sql[:20]) if sql[:20] in whole else 0].count("\n")
        self.out += split(sql, first)

    def method(self, method: ecto.Method) -> None:
        stack: list[tuple[str, str] | None] = []  # (kind, table) of the do-blocks open
        for line, whole in ecto.statements(method):
            head = whole.strip()
            if head == "end":
                if stack:
                    stack.pop()
                continue
            block = _BLOCK.match(whole)
            if block is not None:
                table = _table(block.group(2)) or "?"
                stack.append((block.group(1), table))
                if block.group(1) != "alter":
                    exists = " IF NOT EXISTS" if block.group(1) != "create" else ""
                    self.add(
                        f"CREATE TABLE{exists} {_ident(table)} (id bigserial PRIMARY KEY)", line
                    )
                continue
            if re.search(r"\bdo\s*$", head) and not re.search(r"\bfn\b", head):
                stack.append(None)
                continue
            current = next((b for b in reversed(stack) if b is not None), None)
            if current is not None and (current[0] == "alter" or self.columns):
                self.alter(current[1], whole, line)
            elif current is None:
                self.command(whole, line)
            self.queries(whole, line)

    def alter(self, table: str, whole: str, line: int) -> None:
        call = re.match(
            r"^\s*(add|add_if_not_exists|remove|remove_if_exists|modify)\b\s*\(?", whole
        )
        if call is None:
            return
        op, rest = call.group(1), whole[call.end() :].rstrip()
        args = ecto.arguments(ecto.unwrap(rest))
        t = _ident(table)
        if op.startswith("add"):
            exists = " IF NOT EXISTS" if op != "add" else ""
            self.add(f"ALTER TABLE {t} ADD COLUMN{exists} {_column(args)}", line)
        elif op.startswith("remove"):
            exists = " IF EXISTS" if op != "remove" else ""
            self.add(
                f"ALTER TABLE {t} DROP COLUMN{exists} {_ident(_name(args[0]) if args else '?')}",
                line,
            )
        else:
            self.modify(t, args, line)

    def modify(self, t: str, args: list[str], line: int) -> None:
        name = _ident(_name(args[0]) if args else "?")
        opts = _options(args[2:])
        kind = args[1].strip() if len(args) > 1 else ""
        if kind.startswith("references"):
            target = _sql_type(kind).split(" REFERENCES ", 1)[1]
            self.add(f"ALTER TABLE {t} ADD FOREIGN KEY ({name}) REFERENCES {target}", line)
        elif kind:
            sized = _sized(_sql_type(kind), opts)
            self.add(f"ALTER TABLE {t} ALTER COLUMN {name} TYPE {sized}", line)
        if opts.get("null") == "false":
            self.add(f"ALTER TABLE {t} ALTER COLUMN {name} SET NOT NULL", line)
        elif opts.get("null") == "true":
            self.add(f"ALTER TABLE {t} ALTER COLUMN {name} DROP NOT NULL", line)

    def command(self, whole: str, line: int) -> None:
        """A top-level command of the method."""
        if (m := _CREATE_INDEX.match(whole)) is not None:
            self.index(m.group(2), line, if_not_exists=m.group(1) != "create")
        elif (m := _CREATE_CONSTRAINT.match(whole)) is not None:
            self.constraint(m.group(1), line)
        elif (m := _DROP.match(whole)) is not None:
            self.drop(m.group(2), line, if_exists=m.group(1) != "drop")
        elif (m := _RENAME.match(whole)) is not None:
            self.rename(m.group(1), line)
        elif (m := _EXECUTE.match(whole)) is not None:
            args = ecto.arguments(ecto.unwrap(m.group(1)))
            sql = _strings(args[0]) if args else None
            if sql is not None:
                self.add_sql(sql, line, whole)

    def index(self, call: str, line: int, *, if_not_exists: bool) -> None:
        m = _INDEX.match(ecto.unwrap(call))
        if m is None:
            return
        table = m.group(2) or m.group(3)
        args = ecto.arguments(m.group(4).lstrip(","))
        opts = _options(args[1:])
        columns = args[0] if args else "[]"
        names = [
            _name(c) if _name(c) != "?" else c.strip().strip('"')
            for c in ecto.arguments(columns.strip().lstrip("[").rstrip("]"))
        ] or ["?"]
        unique = m.group(1) == "unique_index" or opts.get("unique") == "true"
        name = _name(opts["name"]) if "name" in opts else f"{table}_{'_'.join(names)}_index"
        sql = "CREATE UNIQUE INDEX" if unique else "CREATE INDEX"
        if opts.get("concurrently") == "true":
            sql += " CONCURRENTLY"
        if if_not_exists:
            sql += " IF NOT EXISTS"
        sql += f" {_ident(name)} ON {_ident(table)}"
        if "using" in opts:
            sql += f" USING {_name(opts['using'])}"
        sql += f" ({', '.join(names)})"
        if "where" in opts:
            sql += f" WHERE {_strings(opts['where']) or 'true'}"
        self.add(sql, line)

    def constraint(self, call: str, line: int) -> None:
        m = _CONSTRAINT.match(ecto.unwrap(call))
        if m is None:
            return
        table, name = m.group(1), m.group(2)
        opts = _options(ecto.arguments(m.group(3).lstrip(",")))
        check = _strings(opts.get("check", "")) or "true"
        valid = " NOT VALID" if opts.get("validate") == "false" else ""
        self.add(
            f"ALTER TABLE {_ident(table)} ADD CONSTRAINT {_ident(name)} CHECK ({check}){valid}",
            line,
        )

    def drop(self, what: str, line: int, *, if_exists: bool) -> None:
        exists = " IF EXISTS" if if_exists else ""
        if (table := _table(what)) is not None:
            self.add(f"DROP TABLE{exists} {_ident(table)}", line)
        elif (m := _INDEX.match(ecto.unwrap(what))) is not None:
            table = m.group(2) or m.group(3)
            args = ecto.arguments(m.group(4).lstrip(","))
            opts = _options(args[1:])
            names = [_name(c) for c in ecto.arguments((args[0] if args else "").strip("[]"))]
            name = _name(opts["name"]) if "name" in opts else f"{table}_{'_'.join(names)}_index"
            how = " CONCURRENTLY" if opts.get("concurrently") == "true" else ""
            self.add(f"DROP INDEX{how}{exists} {_ident(name)}", line)
        elif (c := _CONSTRAINT.match(ecto.unwrap(what))) is not None:
            self.add(
                f"ALTER TABLE {_ident(c.group(1))} DROP CONSTRAINT{exists} {_ident(c.group(2))}",
                line,
            )

    def rename(self, args_text: str, line: int) -> None:
        args = ecto.arguments(ecto.unwrap(args_text))
        table = _table(args[0]) if args else None
        if table is None:
            return
        opts = _options(args[1:])
        to = opts.get("to", "")
        if len(args) == 2 and (new := _table(to)) is not None:
            self.add(f"ALTER TABLE {_ident(table)} RENAME TO {_ident(new)}", line)
        elif len(args) >= 3:
            old = _name(args[1])
            self.add(
                f"ALTER TABLE {_ident(table)} RENAME COLUMN {_ident(old)} TO {_ident(_name(to))}",
                line,
            )

    def queries(self, whole: str, line: int) -> None:
        """SQL run through the repo: ``repo().query!("...")`` and ``update_all``."""
        for pattern in (_QUERY, _SQL_QUERY):
            for m in pattern.finditer(whole):
                sql = _strings(whole[m.end() :])
                if sql is not None:
                    self.add_sql(sql, line + whole[: m.end()].count("\n"), whole)
        for m in _UPDATE_ALL.finditer(whole):
            args = _inner(whole, m)
            table = re.search(r'"(\w+)"', args[0]) if args else None
            self.add(f"UPDATE {_ident(table.group(1) if table else 'unknown')} SET x = x",
                     line + whole[: m.end()].count("\n"))  # fmt: skip


def up_statements(text: str, *, columns: bool = False) -> list[Statement]:
    """The statements the up side of the migration in ``text`` runs, in order
    (``columns``: a created table's columns as ``ADD COLUMN`` statements too)."""
    found = ecto.methods(text)
    sides = [found[n] for n in ("change", "up") if n in found]
    called: list[ecto.Method] = []
    for method in sides:
        for _, whole in ecto.statements(method):
            execute = _EXECUTE.match(whole)
            if execute is not None:  # the down function of execute/2 is not the up side
                args = ecto.arguments(ecto.unwrap(execute.group(1)))
            up = (args[0] if args else "") if execute is not None else whole
            for m in _CALLED.finditer(up):
                helper = found.get(m.group(1) or m.group(2) or "")
                if helper is not None and helper.private and helper not in called:
                    called.append(helper)
    reader = _Reader(columns=columns)
    for method in sides + called:
        reader.method(method)
    return reader.out


Review = Callable[[list[Statement], bool], list[Hit]]


def merged_types(changes: ChangeSet, folder: str) -> pgcolumns.Columns:
    """Column types as the merged Ecto migrations of ``folder`` leave them, run in
    version order (``create table`` columns, ``add``, ``modify``, renames and SQL they
    execute); read at base, once per folder and run. A column whose type cannot be read
    is left out, so its change stays unjudged."""

    def read() -> pgcolumns.Columns:
        paths = [
            p for p in changes.base_paths((f"{folder}/*.exs",))
            if posixpath.dirname(p) == folder and ecto.may_be_migration(p)
        ]  # fmt: skip
        columns: pgcolumns.Columns = {}
        for path in sorted(paths, key=lambda p: (ecto.version(p), p)):
            text = changes.text_at_base(path)
            if text is None or not ecto.is_migration(path, text):
                continue
            for statement in up_statements(text, columns=True):
                pgcolumns.read_into(columns, statement.text)
        return columns

    return changes.fact(f"ecto-types:{folder}", read)


def hits(text: str, added: frozenset[int], review: Review) -> list[Hit]:
    """The safety rules' hits of the up side's statements on ``added`` lines, reviewed
    in Ecto's transaction unless the module disables it."""
    statements = up_statements(text)
    found = review(statements, ecto.transactional(text))
    return [h for h in found if h.line in added]


_ADAPTERS = {"postgrex": "postgres", "myxql": "mysql", "ecto_sqlite3": "sqlite"}
_DEP = re.compile(r"\{\s*:(postgrex|myxql|ecto_sqlite3)\b")


def dialect(changes: ChangeSet, default: str) -> str:
    """The database the project's merged ``mix.exs`` depends on a driver for, when it
    names one only, else ``default``."""

    def named() -> str:
        found = {_ADAPTERS[m] for m in _DEP.findall(changes.text_at_base("mix.exs") or "")}
        return found.pop() if len(found) == 1 else ""

    return changes.fact("ecto-dialect", named) or default
