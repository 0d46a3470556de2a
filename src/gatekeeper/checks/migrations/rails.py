"""Rails (ActiveRecord) migrations: is the down there, and can Rails reverse ``change``?

A migration's ``def change`` is reversed by Rails itself, operation by operation; some
operations carry too little to be reversed (``change_column``, ``execute``, a
``remove_column`` without its type...), and rolling back then raises
``ActiveRecord::IrreversibleMigration``. Those are reported unless they sit in a
``reversible`` or ``up_only`` block (whose author said what happens each way). Ruby is
read line by line, by indentation, as Rails' generators and RuboCop lay it out; nothing
is executed. Rails migrations are not round-tripped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import hashsrc

_DEF = re.compile(r"^(\s*)def\s+(change|up|down)\b")
_BLOCK = re.compile(r"^(\s*)(?:reversible|up_only)\b.*\b(?:do|\{)")
_RAISE = re.compile(r"^\s*raise\s+(?:::)?ActiveRecord::IrreversibleMigration\b")
#: operations Rails cannot reverse from ``change`` as written: name -> what makes it
#: reversible after all (a pattern in the call), or None when nothing does
_IRREVERSIBLE: dict[str, re.Pattern[str] | None] = {
    "change_column": None,
    "execute": None,
    "remove_column": re.compile(r"^\s*remove_column\s*\(?\s*:\w+\s*,\s*:\w+\s*,\s*:\w+|type:"),
    "remove_columns": re.compile(r"type:"),
    "change_column_default": re.compile(r"\bfrom:"),
    "change_column_comment": re.compile(r"\bfrom:"),
    "change_table_comment": re.compile(r"\bfrom:"),
    "drop_table": re.compile(r"\bdo\b|\{"),
    # columns given (``:col``, ``[:a, :b]``, ``%i[a b]``) or ``column:``: Rails rebuilds it
    "remove_index": re.compile(
        r"column:|^\s*remove_index\s*\(?\s*:\w+\s*,\s*(?:[:\[]|%[iIwW][\[(])"
    ),
    "remove_foreign_key": re.compile(
        r"column:|to_table:|^\s*remove_foreign_key\s*\(?\s*:\w+\s*,\s*:"
    ),
    "remove_reference": re.compile(r"type:|foreign_key:"),
}
_CALL = re.compile(r"^\s*(" + "|".join(sorted(_IRREVERSIBLE, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class Method:
    """One ``def change`` / ``def up`` / ``def down``: its first line and body lines."""

    name: str
    line: int
    body: list[tuple[int, str]]


def methods(source: str) -> dict[str, Method]:
    """The migration's change, up and down methods (by indentation)."""
    lines = source.splitlines()
    found: dict[str, Method] = {}
    index = 0
    while index < len(lines):
        m = _DEF.match(lines[index])
        if m is None:
            index += 1
            continue
        indent, name, start = m.group(1), m.group(2), index
        body = []
        index += 1
        while index < len(lines) and lines[index] != f"{indent}end":
            body.append((index + 1, lines[index]))
            index += 1
        found.setdefault(name, Method(name, start + 1, body))
    return found


def irreversible_calls(change: Method) -> list[tuple[int, str]]:
    """(line, operation) of each call in ``change`` that Rails cannot reverse, outside
    ``reversible`` and ``up_only`` blocks."""
    out = []
    inside: str | None = None  # the indentation of the reversible block being skipped
    for number, text in change.body:
        if inside is not None:
            if text.strip() in ("end", "}") and text[: len(text) - len(text.lstrip())] == inside:
                inside = None
            continue
        block = _BLOCK.match(text)
        if block:
            inside = block.group(1)
            continue
        call = _CALL.match(text)
        if call is None:
            continue
        saving = _IRREVERSIBLE[call.group(1)]
        if saving is None or not saving.search(whole_call(change.body, number)):
            out.append((number, call.group(1)))
    return out


#: a line that leaves its call open: a trailing comma, backslash or opening bracket
_CONTINUED = re.compile(r"(?:,|\\|[(\[{])\s*$")
#: a call is read over at most this many lines (a bound on what the head can make us read)
_CALL_LINES = 200


def whole_call(body: list[tuple[int, str]], number: int) -> str:
    """The call starting at line ``number`` of ``body``, with the lines it continues on
    (while a bracket is open or a line ends with a comma, a backslash or an opening
    bracket: a long call wrapped one argument a line, as RuboCop lays it out), its
    comments removed, lines joined by newlines. What makes a call reversible or
    concurrent is then seen on whichever line it sits, and never in a comment."""
    first = bisect.bisect_left(body, number, key=lambda line: line[0])
    if first >= len(body):
        return ""
    line = code(body[first][1])
    lines, depth = [line], _depth(line)
    for _, text in body[first + 1 : first + _CALL_LINES]:
        if depth <= 0 and not _CONTINUED.search(line):
            break
        line = code(text)
        lines.append(line)
        depth += _depth(line)
    return "\n".join(lines)


def code(line: str) -> str:
    """``line`` without its comment (a ``#`` outside a string literal), right-stripped."""
    return hashsrc.code(line)


def _depth(text: str) -> int:
    """How many brackets a line opens and leaves open (strings not read)."""
    bare = re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", text)
    return sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")


def raises_only(method: Method) -> bool:
    """True when a ``down`` does nothing but raise ``IrreversibleMigration``."""
    lines = [t for _, t in method.body if t.strip() and not t.strip().startswith("#")]
    return bool(lines) and all(_RAISE.match(t) for t in lines)


_CALL_NAME = re.compile(r"^\s*((?:\w+\.)?\w+[!?]?)(?:\s*\(|\s+|$)")
_BLOCK_TAIL = re.compile(r"(?<!\s)(?:\s+do\s*(?:\|[^|]*\|)?\s*$|\s*\{\s*(?:\|[^|]*\|)?\s*$)")


def split_call(text: str) -> tuple[str, list[str]] | None:
    """A call as its name and its arguments (each stripped text, split at the commas
    outside brackets and strings; a trailing ``do |t|`` block opener left out): ``add_column
    (:users, :a, :string)`` and ``add_column :users, :a, :string`` read the same. None
    when ``text`` does not start with a call."""
    m = _CALL_NAME.match(text)
    if m is None:
        return None
    rest = _BLOCK_TAIL.sub("", " " + text[m.end() :].strip()).strip()
    if text[m.end() - 1 : m.end()] == "(" and rest.endswith(")"):
        rest = rest[:-1]
    return m.group(1), [a for a in arguments(rest) if a]


def arguments(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and string literals, each stripped."""
    return hashsrc.arguments(text)


def literal_name(arg: str) -> str | None:
    """The name a symbol or a plain string literal spells (``:slug``, ``"slug"``), else None."""
    m = re.fullmatch(r":(\w+)|\"(\w+)\"|'(\w+)'", arg.strip())
    return next((g for g in m.groups() if g), None) if m else None


#: a migration that runs outside Rails' transaction (``disable_ddl_transaction!``, or the
#: class attribute it sets)
_NO_DDL_TRANSACTION = re.compile(
    r"^\s*(?:disable_ddl_transaction!|self\.disable_ddl_transaction\s*=\s*true)", re.M
)
#: the calls that build or drop an index, and ``execute`` of raw SQL
_INDEX_CALL = re.compile(
    r"^\s*(?:add_index|remove_index|add_reference|add_belongs_to|\w+\.index|\w+\.references|"
    r"\w+\.remove_index|execute)\b"
)
#: ``algorithm: :concurrently`` (or its hash-rocket spelling) in an index call
BY_ALGORITHM = re.compile(
    r"\balgorithm:\s*:concurrently\b|[\"']?algorithm[\"']?\s*=>\s*:concurrently"
)
_RAILS_PARENT = re.compile(r"<\s*(?:::)?ActiveRecord::Migration\b")
_CONCURRENTLY_SQL = re.compile(r"\bCONCURRENTLY\b", re.IGNORECASE)


def concurrent_in_transaction(source: str, added: frozenset[int]) -> list[tuple[int, str]]:
    """The added calls of ``up``/``change`` that build or drop an index concurrently
    (``algorithm: :concurrently``, an ``execute`` of ``... CONCURRENTLY ...``) in a
    migration that keeps Rails' transaction: PostgreSQL refuses them there, so the
    migration fails. Each as (line, the call's first line)."""
    if _NO_DDL_TRANSACTION.search(source) or not _RAILS_PARENT.search(source):
        return []  # a project's own parent class may run its migrations without one
    out = []
    for name, method in methods(source).items():
        if name == "down":
            continue
        for number, line in method.body:
            if number not in added or not _INDEX_CALL.match(line):
                continue
            call = whole_call(method.body, number)
            executes = line.lstrip().startswith("execute")
            if (_CONCURRENTLY_SQL if executes else BY_ALGORITHM).search(call):
                out.append((number, line.strip()))
    return out
