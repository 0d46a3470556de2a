"""Edits of a merged Rails migration that keep its ActiveRecord operations.

Rails records a migration by its version alone (no checksum), so an edit of a merged one
changes nothing for databases that ran it; what matters is whether the edit changes what
the migration does where it has not run yet. The migration is read as the sequence of
its statements, each in a normal form: comments, blank lines, whitespace and argument
layout (parentheses, line breaks, the order of keyword options, ``:name`` / ``"name"`` /
``%i[...]`` spellings, Ruby 3.1's ``limit:`` for ``limit: limit``, ``'text'`` for
``"text"`` and ``/text/`` for ``"text"`` where no character is special to either, as
RuboCop rewrites merged migrations: Growstuff's b3179a8f2d and 81060cccf7) set aside,
and the calls of a ``change_table :t do |t|`` block read
as the top-level calls they stand for (``t.string :c`` is ``add_column :t, :c, :string``,
``t.index`` is ``add_index``, ``t.remove`` is ``remove_column``...; ``bulk: true`` only
groups them into one ALTER TABLE). Two versions with the same sequence run the same
operations; anything else (an operation, a column, a type, an option, a line of Ruby
around them) differs. Heredoc bodies (SQL strings) are compared line for line.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import rails

#: a migration longer than this is not normalized (a bound on what the head can make us read)
_MAX_LINES = 5000
_HEREDOC = re.compile(r"<<[~-]?([\"'`]?)([A-Za-z_]\w*)\1")
_BLOCK_OPENER = re.compile(r"\s(do\s*(?:\|[^|]*\|)?|\{\s*(?:\|[^|]*\|)?)\s*$")
_CHANGE_TABLE = re.compile(r"^\s*change_table\b.*\bdo\s*\|\s*(\w+)\s*\|\s*$", re.DOTALL)
_KEYWORD = re.compile(r"^(?:(\w+):(?!:)|:(\w+)\s*=>|[\"'](\w+)[\"']\s*=>)\s*(.*)$", re.DOTALL)
_WORDS = re.compile(r"^%[iIwW][\[(](.*)[\])]$", re.DOTALL)
#: column types a ``change_table`` variable takes as ``t.<type> :name``
_TYPES = frozenset(
    ("bigint", "binary", "blob", "boolean", "char", "cidr", "citext", "date", "datetime",
     "daterange", "decimal", "enum", "float", "hstore", "inet", "int4range", "int8range",
     "integer", "interval", "json", "jsonb", "ltree", "macaddr", "money", "numeric",
     "numrange", "oid", "point", "primary_key", "string", "text", "time", "timestamp",
     "timestamptz", "tsrange", "tstzrange", "tsvector", "uuid", "virtual", "xml")
)  # fmt: skip
#: other ``change_table`` calls: name -> the top-level call, and whether each positional
#: name is its own call (``t.remove :a, :b`` is two ``remove_column``)
_BLOCK_CALLS: dict[str, tuple[str, bool]] = {
    "column": ("add_column", False),
    "index": ("add_index", False),
    "remove_index": ("remove_index", False),
    "rename_index": ("rename_index", False),
    "remove": ("remove_column", True),
    "rename": ("rename_column", False),
    "references": ("add_reference", True),
    "belongs_to": ("add_reference", True),
    "remove_references": ("remove_reference", True),
    "remove_belongs_to": ("remove_reference", True),
    "timestamps": ("add_timestamps", False),
    "remove_timestamps": ("remove_timestamps", False),
    "change": ("change_column", False),
    "change_default": ("change_column_default", False),
    "change_null": ("change_column_null", False),
    "foreign_key": ("add_foreign_key", False),
    "remove_foreign_key": ("remove_foreign_key", False),
    "check_constraint": ("add_check_constraint", False),
    "remove_check_constraint": ("remove_check_constraint", False),
}
#: top-level aliases
_ALIASES = {"add_belongs_to": "add_reference", "remove_belongs_to": "remove_reference"}


def same_operations(before: str, after: str) -> bool:
    """True when both versions run the same ActiveRecord operations (module docstring),
    once the guards that only skip an operation already done are set aside."""
    old, new = operations(before), operations(after)
    return old is not None and new is not None and unguarded(old) == unguarded(new)


#: a guard that returns when what the migration does is already there, in normal form:
#: ``return if column_exists?(:users, :x)`` is ``return(if column_exists?(:users,:x))``
_RETURN_GUARD = re.compile(
    r"^return\((?:if|unless) (?:column|table|index)_exists\?\((?P<args>[^()]*)\)\)$"
)
#: the same guard as the operation's modifier: ``add_index(:t,:x unless index_exists?(:t,:x))``
_MODIFIER = re.compile(
    r"^(?P<call>\w+\((?P<args>.*)) (?:if|unless) (?:column|table|index)_exists\?"
    r"\((?P<guard>[^()]*)\)\)$"
)
_EXISTENCE_OPTION = re.compile(r",if_(?:not_)?exists:true(?=[,)])")


def unguarded(ops: list[str]) -> list[str]:
    """``ops`` without the guards that make an operation idempotent: a ``return if
    column_exists?(:t, :c)`` before an operation on ``:t, :c``, the same test as the
    operation's own ``unless`` modifier, and ``if_not_exists: true``/``if_exists: true``.
    Where the migration ran, none of them changes what it did; where it has not, it
    does the same (casa 8b533a347f guarded a merged add_column that setup ran twice).
    A guard on anything else than what the migration's own operations touch stays."""
    out: list[str] = []
    for written in ops:
        op = _EXISTENCE_OPTION.sub("", written)
        modifier = _MODIFIER.match(op)
        if modifier and _leads(modifier.group("args") + ")", modifier.group("guard")):
            op = modifier.group("call") + ")"
        out.append(op)
    return [
        op
        for op in out
        if not (guard := _RETURN_GUARD.match(op))
        or not any(_on(other, guard.group("args")) for other in out if other != op)
    ]


def _on(op: str, args: str) -> bool:
    """Whether operation ``op`` (normal form) starts with the arguments ``args``."""
    opened = op.find("(")
    return opened > 0 and _leads(op[opened + 1 :], args)


def _leads(arguments: str, first: str) -> bool:
    """Whether ``arguments`` (up to the call's closing parenthesis) begin with the whole
    arguments ``first`` (``:users,:x`` leads ``:users,:x,:boolean)``, not ``:users,:xy)``)."""
    return (
        bool(first)
        and arguments.startswith(first)
        and arguments[len(first) : len(first) + 1] in (",", ")")
    )


def operations(text: str) -> list[str] | None:
    """The migration's statements in their normal form; None when it is too long."""
    lines = text.splitlines()
    if len(lines) > _MAX_LINES:
        return None
    body = list(enumerate(lines, 1))
    out: list[str] = []
    block: tuple[str, str, str] | None = None  # indentation, variable, table of change_table
    skip_to, heredoc, commented = 0, "", False
    for number, line in body:
        if commented or line.startswith("=begin"):
            commented = not line.startswith("=end")
            continue
        if heredoc:
            out.append(line.strip())
            heredoc = "" if line.strip() == heredoc else heredoc
            continue
        if number <= skip_to or not rails.code(line).strip():
            continue  # a continuation line, a comment or a blank line
        whole = rails.whole_call(body, number)
        skip_to = number + whole.count("\n")
        if (opener := _HEREDOC.search(whole)) is not None:
            heredoc = opener.group(2)
        indent = line[: len(line) - len(line.lstrip())]
        if block is not None and whole.strip() == "end" and indent == block[0]:
            block = None
            continue
        opened = _flattened_block(whole)
        if opened is not None:
            block = (indent, opened[0], opened[1])
            continue
        out += _statement(whole, block)
    return out


def _flattened_block(whole: str) -> tuple[str, str] | None:
    """(variable, table) of a ``change_table :t do |t|`` whose calls read as top-level
    ones: no option but ``bulk:``."""
    m = _CHANGE_TABLE.match(whole)
    call = rails.split_call(whole) if m else None
    if m is None or call is None or not call[1]:
        return None
    table = rails.literal_name(call[1][0])
    options = [_KEYWORD.match(a) for a in call[1][1:]]
    if table is None or any(o is None or _key(o) != "bulk" for o in options):
        return None
    return m.group(1), table


def _statement(whole: str, block: tuple[str, str, str] | None) -> list[str]:
    """The normal form of one statement (several for ``t.remove :a, :b``)."""
    call = rails.split_call(whole)
    if call is None:
        return [_spaced(whole)]
    name, args = call
    tail = _BLOCK_OPENER.search(whole)
    suffix = " " + re.sub(r"\s+", "", tail.group(1)) if tail else ""
    if block is not None and name.startswith(f"{block[1]}."):
        method = name.split(".", 1)[1]
        table = f":{block[2]}"
        if method in _TYPES:
            return [
                _form("add_column", [table, n, f":{method}", *_options(args)], suffix)
                for n in _positional(args)
            ]
        if method in _BLOCK_CALLS:
            top, each = _BLOCK_CALLS[method]
            if each:
                return [_form(top, [table, n, *_options(args)], suffix) for n in _positional(args)]
            return [_form(top, [table, *args], suffix)]
    return [_form(_ALIASES.get(name, name), args, suffix)]


def _form(name: str, args: list[str], suffix: str) -> str:
    """``name(positional..., key: value...)`` with keywords sorted, values normalized; a
    type given as ``remove_column``'s third argument read as its ``type:`` option, an
    index on a list of one column as the index on that column."""
    positional = [_value(a) for a in args if _KEYWORD.match(a) is None]
    # Ruby 3.1's shorthand: ``limit:`` alone passes the local ``limit``
    keywords = sorted(
        f"{_key(m)}:{_value(m.group(4) or _key(m))}" for a in args if (m := _KEYWORD.match(a))
    )
    if name == "remove_column" and len(positional) == 3:
        keywords = sorted([*keywords, f"type:{positional.pop()}"])
    if name in ("add_index", "remove_index") and len(positional) > 1:
        positional[1] = re.sub(r"^\[([^,\[\]]+)\]$", r"\1", positional[1])  # [:a] is :a
    return f"{name}({','.join(positional + keywords)}){suffix}"


def _positional(args: list[str]) -> list[str]:
    return [a for a in args if _KEYWORD.match(a) is None]


def _options(args: list[str]) -> list[str]:
    return [a for a in args if _KEYWORD.match(a) is not None]


def _key(m: re.Match[str]) -> str:
    return next(g for g in m.groups()[:3] if g)


def _value(text: str) -> str:
    """A value's normal form: names as symbols, word lists and arrays as ``[:a,:b]``."""
    text = text.strip()
    name = rails.literal_name(text)
    if name is not None:
        return f":{name}"
    words = _WORDS.match(text)
    if words is not None and text[1] in "iw":
        return "[" + ",".join(f":{w}" for w in words.group(1).split()) + "]"
    if text.startswith("[") and text.endswith("]"):
        return "[" + ",".join(_value(a) for a in rails.arguments(text[1:-1]) if a) + "]"
    return _spaced(text)


#: a string literal with nothing to interpolate or escape, in either quotes: ``'text'`` and
#: ``"text"`` are the same string
_PLAIN_STRING = re.compile(r"""^(?:'[^'\\"#]*'|"[^"\\#]*")$""")
#: a regular expression argument with no character special to it: ``gsub(/cms:text/, ...)``
#: finds what ``gsub("cms:text", ...)`` does
_PLAIN_REGEX = re.compile(r"(?<=[(,])/([\w: -]*)/(?![\w/])")


def _spaced(text: str) -> str:
    """``text`` with whitespace outside string literals collapsed, and dropped next to
    brackets and commas; a plain string or regular expression written in double quotes."""
    parts = re.split(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')", text.strip())
    for index, part in enumerate(parts):
        if index % 2:
            parts[index] = f'"{part[1:-1]}"' if _PLAIN_STRING.match(part) else part
            continue
        squeezed = re.sub(r"\s+", " ", part)
        squeezed = re.sub(r"\s*([()\[\]{},])\s*", r"\1", squeezed)
        parts[index] = _PLAIN_REGEX.sub(r'"\1"', squeezed)
    return "".join(parts)


#: a statement that calls a model (``User.update_all(...)``, ``Event.where(...).find_each``)
#: or binds what one returns (``tag = EventTag.find_or_create_by(...)``), in normal form
_MODEL_CALL = re.compile(r"^(?:\w+\(= )?(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*\.\w")
#: what a model chain may reach that changes the schema rather than rows
_SCHEMA_REACH = re.compile(r"\b(?:connection|execute|exec_\w+|Migration|Schema)\b")
#: a model call that deletes rows or erases values (``delete_all``, ``update_all(x: "")``)
_DESTRUCTIVE = re.compile(
    r"\.(?:delete_all|destroy_all|delete|destroy|truncate)\b"
    r"|\bupdate_all\(.*(?::\s*(?:nil|\"\"|'')|=\s*(?:NULL|''))",
    re.IGNORECASE,
)
#: blocks that only say when their statements run: left empty, they run nothing
_WHEN_BLOCKS = re.compile(r"^(?:reversible\(\) do\|\w+\||\w+\.(?:up|down)\(\) do|up_only\(\) do)$")


def same_schema_operations(before: str, after: str) -> bool:
    """True when the two versions differ only in their data steps: statements that call
    the application's models (and the blocks such a call opens), which write rows, not
    the schema (hcb commented out a backfill that failed once its model changed, and
    replaced ``with_deleted`` by ``unscoped``). Where the migration ran, its rows are
    written; where it has not, the schema it builds is the same."""
    old, new = operations(before), operations(after)
    if old is None or new is None or old == new:
        return False
    added = set(new) - set(old)
    if any(_MODEL_CALL.match(op) and _DESTRUCTIVE.search(op) for op in added):
        return False  # a data step that now deletes or blanks rows is no repair
    return _schema_only(unguarded(old)) == _schema_only(unguarded(new))


def _schema_only(ops: list[str]) -> list[str]:
    """``ops`` without model calls, the blocks they open, and the ``reversible``/
    ``dir.up``/``up_only`` blocks this leaves empty."""
    out: list[str] = []
    depth = 0  # inside a block a model call opened
    for op in ops:
        if depth:
            depth += 1 if _opens(op) else -1 if op == "end()" else 0
            continue
        if _MODEL_CALL.match(op) and not _SCHEMA_REACH.search(op):
            depth = 1 if _opens(op) else 0
            continue
        out.append(op)
    while True:
        emptied = [
            i for i in range(len(out) - 1) if _WHEN_BLOCKS.match(out[i]) and out[i + 1] == "end()"
        ]
        if not emptied:
            return out
        out = [op for i, op in enumerate(out) if i not in emptied and i - 1 not in emptied]


def _opens(op: str) -> bool:
    """Whether the statement opens a ``do`` block (its normal form ends with the block's
    opener)."""
    return bool(re.search(r"\) do(?:\|[^|]*\|)?$", op))
