"""gobuffalo/pop's fizz migrations: ``<timestamp>_<name>.up.fizz`` beside its ``.down.fizz``
(hanko's ``backend/persistence/migrations``).

Fizz is a small language pop translates to SQL for the database it connects to; pop runs
each file in a transaction. The gate translates each statement to PostgreSQL, roughly as
pop's PostgreSQL translator does, and judges the result with the SQL files' rules; nothing
is sent to a database (no round trip). Each statement's SQL is put on the line the
statement starts on, so findings point at the fizz line that wrote it. Fizz columns are
NOT NULL unless their options say ``{"null": true}``. A statement the translation does not
know is kept as a comment (unreviewed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

#: a fizz file's name: version, name, direction
NAME = re.compile(r"^(\d+)_(.+)\.(up|down)\.fizz$")
SUFFIX = ".fizz"
#: Ory's projects keep fizz files in ``migrations/templates`` only to render the
#: per-database ``.sql`` files popx runs (those are judged); the templates run nowhere
TEMPLATES = "templates"

_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<comment>//[^\n]*|#[^\n]*)|(?P<str>"(?:\\.|[^"\\])*"|`[^`]*`)'
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w.]*)|(?P<punct>[(){}\[\],:])|(?P<other>.)",
    re.S,
)

#: fizz column types and the PostgreSQL types pop writes for them
_TYPES = {
    "string": "VARCHAR",
    "text": "TEXT",
    "integer": "INTEGER",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "uuid": "UUID",
    "timestamp": "TIMESTAMP",
    "datetime": "TIMESTAMP",
    "time": "TIMESTAMP",
    "date": "DATE",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "json": "JSONB",
    "jsonb": "JSONB",
    "blob": "BYTEA",
    "float": "DECIMAL",
    "decimal": "DECIMAL",
}

Value = str | int | float | bool | list["Value"] | dict[str, "Value"] | None


@dataclass
class Call:
    """One fizz call: its name, arguments, the line it starts on, its block's calls."""

    name: str
    args: list[Value]
    line: int
    block: list[Call] = field(default_factory=list)


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str, int]] = []
        line = 1
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "other"
            if kind not in ("space", "comment"):
                self.items.append((kind, m.group(), line))
            line += m.group().count("\n")
        self.pos = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str, int]:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def accept(self, text: str) -> bool:
        item = self.peek()
        if item is not None and item[1] == text:
            self.pos += 1
            return True
        return False


def _string(raw: str) -> str:
    if raw.startswith("`"):
        return raw[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw[1:-1])


def _value(tokens: _Tokens) -> Value:
    kind, text, _ = tokens.take()
    if kind == "str":
        return _string(text)
    if kind == "num":
        return float(text) if "." in text else int(text)
    if kind == "word":
        return {"true": True, "false": False, "nil": None}.get(text, text)
    if text == "[":
        items: list[Value] = []
        while not tokens.accept("]") and tokens.peek() is not None:
            items.append(_value(tokens))
            tokens.accept(",")
        return items
    if text == "{":
        out: dict[str, Value] = {}
        while not tokens.accept("}") and tokens.peek() is not None:
            key = _value(tokens)
            tokens.accept(":")
            out[str(key)] = _value(tokens)
            tokens.accept(",")
        return out
    raise ValueError(f"unexpected {text!r}")


def _calls(tokens: _Tokens, closing: str | None = None) -> Iterator[Call]:
    while (item := tokens.peek()) is not None:
        if closing is not None and item[1] == closing:
            tokens.take()
            return
        kind, name, line = tokens.take()
        if kind != "word" or not tokens.accept("("):
            continue  # a stray token: skipped
        args: list[Value] = []
        while not tokens.accept(")") and tokens.peek() is not None:
            args.append(_value(tokens))
            tokens.accept(",")
        call = Call(name, args, line)
        if tokens.accept("{"):
            call.block = list(_calls(tokens, "}"))
        yield call


def parse(text: str) -> list[Call]:
    """The calls of a fizz file, in order; what cannot be read ends the list."""
    tokens = _Tokens(text)
    out: list[Call] = []
    try:
        for call in _calls(tokens):
            out.append(call)
    except (ValueError, IndexError):
        pass
    return out


def _ident(name: Value) -> str:
    text = str(name)
    return text if re.fullmatch(r"[a-z_][a-z0-9_]*", text) else '"' + text.replace('"', '""') + '"'


def _literal(value: Value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _opts(args: list[Value], index: int) -> dict[str, Value]:
    found = args[index] if len(args) > index else None
    return found if isinstance(found, dict) else {}


def _names(value: Value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _column(name: Value, kind: Value, opts: dict[str, Value]) -> str:
    sql_type = _TYPES.get(str(kind).lower(), str(kind).upper())
    if sql_type == "VARCHAR":
        sql_type = f"VARCHAR({opts.get('size', 255)})"
    parts = [_ident(name), sql_type]
    if opts.get("primary"):
        parts.append("PRIMARY KEY")
    elif not opts.get("null"):
        parts.append("NOT NULL")
    if "default" in opts:
        parts.append(f"DEFAULT {_literal(opts['default'])}")
    if "default_raw" in opts:
        parts.append(f"DEFAULT {opts['default_raw']}")
    return " ".join(parts)


def _index(table: Value, columns: Value, opts: dict[str, Value]) -> str:
    cols = _names(columns)
    name = str(opts.get("name") or f"{table}_{'_'.join(cols)}_idx")
    unique = "UNIQUE " if opts.get("unique") else ""
    listed = ", ".join(map(_ident, cols))
    return f"CREATE {unique}INDEX {_ident(name)} ON {_ident(table)} ({listed});"


def _references(table: Value, column: Value, ref: Value, opts: dict[str, Value]) -> str:
    other: Value = ""
    cols: Value = ["id"]
    if isinstance(ref, dict) and ref:
        other, cols = next(iter(ref.items()))
    name = str(opts.get("name") or f"{table}_{other}_{'_'.join(_names(cols))}_fk")
    out = (
        f"CONSTRAINT {_ident(name)} FOREIGN KEY ({_ident(column)}) REFERENCES "
        f"{_ident(other)} ({', '.join(map(_ident, _names(cols)))})"
    )
    for key, clause in (("on_delete", "ON DELETE"), ("on_update", "ON UPDATE")):
        if opts.get(key):
            out += f" {clause} {str(opts[key]).upper()}"
    return out


def _create_table(call: Call) -> list[str]:
    table = call.args[0] if call.args else ""
    columns: list[str] = []
    after: list[str] = []
    timestamps = _opts(call.args, 1).get("timestamps", True) is not False
    for inner in call.block:
        method = inner.name.rsplit(".", 1)[-1]
        a = inner.args
        if method == "Column" and len(a) >= 2:
            columns.append(_column(a[0], a[1], _opts(a, 2)))
        elif method == "Timestamps":
            timestamps = True
        elif method == "DisableTimestamps":
            timestamps = False
        elif method == "PrimaryKey" and a:
            columns.append(f"PRIMARY KEY ({', '.join(_ident(v) for v in a)})")
        elif method == "Index" and a:
            after.append(_index(table, a[0], _opts(a, 1)))
        elif method == "ForeignKey" and len(a) >= 2:
            columns.append(_references(table, a[0], a[1], _opts(a, 2)))
    if timestamps and not any(c.startswith(("created_at ", "updated_at ")) for c in columns):
        columns += ["created_at TIMESTAMP NOT NULL", "updated_at TIMESTAMP NOT NULL"]
    return [f"CREATE TABLE {_ident(table)} ({', '.join(columns)});", *after]


def statement_sql(call: Call) -> list[str]:
    """The SQL statements pop sends for one fizz call (PostgreSQL); a comment for a call
    the translation does not know."""
    a, name = call.args, call.name
    t = _ident(a[0]) if a else ""
    if name == "sql" and a:
        raw = str(a[0]).strip()
        return [raw if raw.endswith(";") else raw + ";"] if raw else []
    if name == "create_table":
        return _create_table(call)
    if name == "drop_table" and a:
        return [f"DROP TABLE {t};"]
    if name == "rename_table" and len(a) >= 2:
        return [f"ALTER TABLE {t} RENAME TO {_ident(a[1])};"]
    if name == "add_column" and len(a) >= 3:
        return [f"ALTER TABLE {t} ADD COLUMN {_column(a[1], a[2], _opts(a, 3))};"]
    if name == "drop_column" and len(a) >= 2:
        return [f"ALTER TABLE {t} DROP COLUMN {_ident(a[1])};"]
    if name == "rename_column" and len(a) >= 3:
        return [f"ALTER TABLE {t} RENAME COLUMN {_ident(a[1])} TO {_ident(a[2])};"]
    if name == "change_column" and len(a) >= 3:
        return _change_column(a)
    if name == "add_index" and len(a) >= 2:
        return [_index(a[0], a[1], _opts(a, 2))]
    if name == "drop_index" and len(a) >= 2:
        return [f"DROP INDEX {_ident(a[1])};"]
    if name == "rename_index" and len(a) >= 3:
        return [f"ALTER INDEX {_ident(a[1])} RENAME TO {_ident(a[2])};"]
    if name == "add_foreign_key" and len(a) >= 3:
        return [f"ALTER TABLE {t} ADD {_references(a[0], a[1], a[2], _opts(a, 3))};"]
    if name == "drop_foreign_key" and len(a) >= 2:
        return [f"ALTER TABLE {t} DROP CONSTRAINT {_ident(a[1])};"]
    return [f"-- fizz {name}(...) not translated"]


def _change_column(a: list[Value]) -> list[str]:
    opts = _opts(a, 3)
    t, c = _ident(a[0]), _ident(a[1])
    sized = {"size": opts["size"]} if "size" in opts else {}  # a string's length, as pop
    sql_type = _column(a[1], a[2], sized).split(" ", 1)[1].replace(" NOT NULL", "")
    parts = [f"ALTER COLUMN {c} TYPE {sql_type}"]
    parts.append(f"ALTER COLUMN {c} {'DROP' if opts.get('null') else 'SET'} NOT NULL")
    if "default" in opts:
        parts.append(f"ALTER COLUMN {c} SET DEFAULT {_literal(opts['default'])}")
    return [f"ALTER TABLE {t} {', '.join(parts)};"]


def to_sql(text: str) -> str:
    """The SQL of a fizz file, each statement's SQL on the line the fizz call starts on
    (later when an earlier statement's SQL runs longer); "" for a file with no call."""
    lines: list[str] = []
    for call in parse(text):
        while len(lines) < call.line - 1:
            lines.append("")
        lines.extend(" ".join(statement_sql(call)).split("\n"))
    return "\n".join(lines) + ("\n" if lines else "")
