"""The ``migrationBuilder`` calls of an EF Core migration's ``Up`` or ``Down``, read.

An EF Core migration says what it does with ``MigrationBuilder`` operations
(``AddColumn<T>``, ``CreateIndex``, ``AlterColumn<T>``, ``Sql``, ``UpdateData``...) whose
arguments the generator writes as named arguments of literals. Each call is read into an
:class:`EfCall` (its operation, line, arguments as written) without running anything;
:mod:`.efcoresql` then says it as the SQL the provider would run, so that the check's
SQL rules judge it as they judge any other framework's statements. A call the reader
does not know stays a call (:attr:`Side.calls`): it changes something the gate cannot
name, so an empty ``Down`` after it is not excused as additive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gatekeeper.checks.migrations.csharp import Source
from gatekeeper.checks.migrations.gosrc import RUNTIME
from gatekeeper.checks.migrations.php import Method, closing

#: where a positional argument sits in each operation's signature (the rest are named
#: by the generator; hand-written code names the first ones positionally at most)
POSITIONS: dict[str, tuple[str, ...]] = {
    "Sql": ("sql", "suppressTransaction"),
    "RenameTable": ("name", "schema", "newName"),
    "InsertData": ("table", "columns", "values"),
    "UpdateData": ("table", "keyColumns", "keyValues", "columns", "values"),
    "DeleteData": ("table", "keyColumns", "keyValues"),
    "EnsureSchema": ("name",),
    "DropSchema": ("name",),
}
_DEFAULT_POSITIONS = ("name", "table")
#: calls on the builder that ask, not change (``if (migrationBuilder.IsNpgsql())``)
_QUERIES = frozenset({"IsNpgsql", "IsSqlite", "IsSqlServer", "IsMySql", "IsCosmos",
                      "IsInMemory", "IsOracle", "GetType", "ToString", "Equals"})  # fmt: skip
_NAMED = re.compile(r"\s*([A-Za-z_]\w*)\s*:(?!:)")
_ANNOTATION = re.compile(r"\s*\.\s*(?:Annotation|OldAnnotation)\s*\(")
_COLUMN = re.compile(r"([A-Za-z_]\w*)\s*=\s*\w+\s*\.\s*Column\s*<([^()]*?)>\s*\(")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a ``CreateTable``: its name, C# type, and arguments as written."""

    name: str
    clr: str
    args: dict[str, str]
    strings: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class EfCall:
    """One ``migrationBuilder.Op<T>(...)`` call: its arguments' code by parameter name
    (a string literal's value in :attr:`strings`), its ``.Annotation(...)`` pairs."""

    op: str
    line: int
    generic: str
    args: dict[str, str]
    strings: dict[str, str | None]
    annotations: dict[str, str] = field(default_factory=dict)
    columns: tuple[Column, ...] = ()

    def text(self, name: str) -> str | None:
        """The string a parameter is given (None when it is not a literal or absent)."""
        return self.strings.get(name)

    def name(self, param: str) -> str:
        """A name the call gives (a table's, a column's): "?" when not literal."""
        value = self.strings.get(param)
        return "?" if value is None or RUNTIME in value else value

    def flag(self, name: str) -> bool | None:
        """A boolean parameter: True or False as written, None when absent or computed."""
        value = self.args.get(name, "").strip()
        return {"true": True, "false": False}.get(value)

    def has(self, name: str) -> bool:
        """The call passes ``name`` (named or positionally), other than as ``null``."""
        return name in self.args and self.args[name].strip() != "null"

    def names(self, single: str, plural: str) -> tuple[str, ...]:
        """The names a ``column:``/``columns: new[] { ... }`` pair of parameters gives."""
        if self.text(single) is not None:
            return (self.name(single),)
        return quoted(self.args.get(plural, ""))


@dataclass(frozen=True, slots=True)
class Side:
    """The calls of one method, and what made it unreadable (a call it could not split)."""

    method: Method
    calls: tuple[EfCall, ...]


def read_side(src: Source, method: Method) -> Side:
    """Every builder call of ``method``, in order, with those of the class's own methods
    it hands the builder to (``AddTables(migrationBuilder)``); a builder handed to code
    outside the class (``base.Up(migrationBuilder)``, a static helper) is a call of that
    name, which no rule knows."""
    methods = src.methods()
    seen = [method]
    calls: list[EfCall] = []
    for current in seen:
        param = re.escape(src.parameters.get(current.name, "migrationBuilder"))
        body = src.body(current)
        found: list[tuple[int, EfCall]] = []
        for m in re.finditer(rf"\b{param}\s*\.\s*(\w+)\s*(?:<([^()]*?)>)?\s*\(", body):
            if m.group(1) not in _QUERIES:
                open_paren = current.start + m.end() - 1
                found.append((m.start(), _call(src, m.group(1), m.group(2) or "", open_paren)))
        for m in re.finditer(rf"\b{param}\s*(?=[,)])", body):
            name = _callee(body, m.start())
            helper = methods.get(name)
            if helper is not None:
                seen += [] if helper in seen else [helper]
                continue
            if name:
                line = src.line_of(current.start + m.start())
                found.append((m.start(), EfCall(name, line, "", {}, {})))
        calls += [call for _, call in sorted(found, key=lambda pair: pair[0])]
    return Side(method, tuple(calls))


_CALLEE = re.compile(r"([A-Za-z_][\w.]*)\s*$")


def _callee(code: str, at: int) -> str:
    """The name of the call whose arguments hold the offset ``at`` ("" when it is in no
    call's brackets, or in a statement's control parentheses: ``if (...)``)."""
    depth = 0
    for i in range(at - 1, max(-1, at - 2000), -1):
        c = code[i]
        if c in ")]}":
            depth += 1
        elif c in "[{;":
            if depth == 0:
                return ""
            depth -= 1
        elif c == "(":
            if depth == 0:
                m = _CALLEE.search(code[max(0, i - 200) : i])
                name = m.group(1) if m else ""
                return "" if name in ("if", "while", "for", "foreach", "switch", "using") else name
            depth -= 1
    return ""


def _call(src: Source, op: str, generic: str, open_paren: int) -> EfCall:
    args: dict[str, str] = {}
    strings: dict[str, str | None] = {}
    positions = POSITIONS.get(op, _DEFAULT_POSITIONS)
    spans = src.arguments(open_paren)
    for index, (first, end) in enumerate(spans):
        named = _NAMED.match(src.code, first, end)
        start = named.end() if named is not None else first
        if named is not None:
            key = named.group(1)
        else:
            key = positions[index] if index < len(positions) else f"#{index}"
        args[key] = src.text[start:end].strip()
        strings[key] = src.string_at(start, end)
    columns: tuple[Column, ...] = ()
    if op == "CreateTable" and "columns" in args:
        columns = _columns(src, *_span_of(spans, src, "columns", positions))
    return EfCall(
        op,
        src.line_of(open_paren),
        generic.strip(),
        args,
        strings,
        _annotations(src, open_paren),
        columns,
    )


def _span_of(
    spans: list[tuple[int, int]], src: Source, key: str, positions: tuple[str, ...]
) -> tuple[int, int]:
    for index, (start, end) in enumerate(spans):
        named = _NAMED.match(src.code, start, end)
        if (named and named.group(1) == key) or (
            not named and index < len(positions) and positions[index] == key
        ):
            return start, end
    return 0, 0


def _columns(src: Source, start: int, end: int) -> tuple[Column, ...]:
    """The columns of ``columns: table => new { Id = table.Column<int>(...), ... }``."""
    out = []
    code = src.code[start:end]
    for m in _COLUMN.finditer(code):
        open_paren = start + m.end() - 1
        args: dict[str, str] = {}
        strings: dict[str, str | None] = {}
        for a, b in src.arguments(open_paren):
            named = _NAMED.match(src.code, a, b)
            if named is not None:
                args[named.group(1)] = src.text[named.end() : b].strip()
                strings[named.group(1)] = src.string_at(named.end(), b)
        name = strings.get("name") or m.group(1)
        out.append(Column(name, m.group(2).strip(), args, strings))
    return tuple(out)


def _annotations(src: Source, open_paren: int) -> dict[str, str]:
    """The ``.Annotation("Npgsql:CreatedConcurrently", true)`` chained after the call."""
    out: dict[str, str] = {}
    end = _close(src, open_paren)
    while end is not None:
        m = _ANNOTATION.match(src.code, end + 1)
        if m is None:
            break
        spans = src.arguments(m.end() - 1)
        if len(spans) >= 2:
            key = src.string_at(*spans[0])
            if key is not None:
                out[key] = src.text[spans[1][0] : spans[1][1]].strip()
        end = _close(src, m.end() - 1)
    return out


def _close(src: Source, open_paren: int) -> int | None:
    return closing(src.code, open_paren, "(", ")")


def quoted(code: str) -> tuple[str, ...]:
    """The string literals in ``new[] { "A", "B" }`` (plain ones only)."""
    return tuple(re.findall(r'"((?:[^"\\\n]|\\.)*)"', code))
