"""Rails migrations' ActiveRecord calls reviewed for locks, and their up-only contract steps.

``add_index :events, ...`` runs ``CREATE INDEX`` inside the migration: on PostgreSQL
writes to the table wait for the whole build unless the call says ``algorithm:
:concurrently`` (``disable_ddl_transaction!`` alone only lets it say so). The calls are
read line by line like :mod:`.rails` reads them (``rails.whole_call``: a call continues
while its brackets are open or its line ends with a comma); ``t.index`` inside
``change_table`` is the same build. An index on a table the migration itself creates locks nothing.

A ``def up`` with no ``def down`` is the contract step of an expand-contract plan, which
a reviewer passes, when all it does is drop indexes (rebuilt at will), columns the model
at base already told ActiveRecord to ignore (``ignored_columns``, strong_migrations'
safe drop) or tables the code at base no longer names (their model was removed in an
earlier change). Everything is read at base, so a PR cannot make its own drop look old.

Drops and renames (``remove_column``, ``t.remove``, ``remove_reference``, ``rename_column``,
``rename_table``, ``drop_table``) are reported as the SQL they run is for any framework
(``drop-column``...), with the same two safe drops as exceptions; ``safety_assured`` is
the author's own word and exempts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, rails, railsedits
from gatekeeper.checks.migrations.hits import Hit

_CREATE = re.compile(r"^\s*create_table\s*\(?\s*[:\"'](\w+)")
_ADD_INDEX = re.compile(r"^\s*add_index\b")
_ADD_INDEX_TABLE = re.compile(r"^\s*add_index\s*\(?\s*[:\"'](\w+)")
_CHANGE_TABLE = re.compile(r"^(\s*)change_table\s*\(?\s*[:\"'](\w+)[\"']?.*\bdo\b")
_T_INDEX = re.compile(r"^\s*\w+\.index\b")


@dataclass(frozen=True, slots=True)
class UpLine:
    """A line of ``def up``/``def change``, with what surrounds it."""

    number: int
    line: str
    body: list[tuple[int, str]]  # the method's body, for :func:`rails.whole_call`
    block: str | None  # the table of the enclosing ``change_table`` block
    created: frozenset[str]  # the tables the method creates, lower-cased


def up_lines(text: str) -> Iterator[UpLine]:
    """Each line of the migration's ``def up``/``def change`` that is no ``change_table``
    opening or closing, with the table of the block it sits in."""
    found = rails.methods(text)
    for name in ("up", "change"):
        method = found.get(name)
        if method is None:
            continue
        body = method.body
        created = frozenset(m.group(1).lower() for _, t in body if (m := _CREATE.match(t)))
        block: tuple[str, str] | None = None  # (indentation, table) of a change_table
        for number, line in body:
            if block is not None and line.rstrip() == f"{block[0]}end":
                block = None
                continue
            opened = _CHANGE_TABLE.match(line)
            if opened:
                block = (opened.group(1), opened.group(2))
                continue
            yield UpLine(number, line, body, block[1] if block else None, created)


def index_hits(text: str, added: frozenset[int], *, with_concurrent: bool = False) -> list[Hit]:
    """``index-not-concurrent`` for each added ``add_index`` (or ``t.index`` in a
    ``change_table``) of ``def up``/``def change`` without ``algorithm: :concurrently``
    on a table the migration does not create (``with_concurrent``: with it too, for the
    count of a table's later indexes, precedent.py)."""
    out: list[Hit] = []
    for up in up_lines(text):
        table = None
        if up.block is not None and _T_INDEX.match(up.line):
            table = up.block
        elif _ADD_INDEX.match(up.line):
            named = _ADD_INDEX_TABLE.match(rails.whole_call(up.body, up.number))
            table = named.group(1) if named else "?"
        if table is None or up.number not in added or table.lower() in up.created:
            continue
        if not with_concurrent and rails.BY_ALGORITHM.search(rails.whole_call(up.body, up.number)):
            continue
        msg = (
            f"Builds an index on {table} without algorithm: :concurrently: writes to "
            f"{table} wait for the whole build."
        )
        out.append(Hit("index-not-concurrent", msg, up.number, table, table=(table,)))
    return out


# --- up-only contract steps ---------------------------------------------------------------

_REMOVE_INDEX = re.compile(r"^\s*remove_index\b")
_REMOVE_COLUMN = re.compile(r"^\s*remove_column\s*\(?\s*[:\"'](\w+)[\"']?\s*,\s*[:\"'](\w+)")
_DROP_TABLE = re.compile(
    r"^\s*drop_table\s*\(?\s*[:\"'](\w+)[\"']?\s*(?:,\s*if_exists:\s*true\s*)?\)?\s*$"
)
_WRAPPER = re.compile(r"^\s*(?:safety_assured\s*(?:do|\{)|end|\}|disable_ddl_transaction!)\s*$")
_CONSTANT = re.compile(r"(?<![:\w])([A-Z][A-Z0-9_]*)\b")
#: an ``ignored_columns`` assignment and what follows, up to 60 lines: a ``%w[...]`` list
#: of a dozen columns, one a line (human-essentials' partner profile), is read to its end
_IGNORED = re.compile(r"ignored_columns\s*(?:\+?=|<<)\s*(?P<list>[^\n]*(?:\n[^\n]*){0,60})")
_SCHEMA_DUMPS = ("schema.rb", "structure.sql")


def contract_step(changes: ChangeSet, up: rails.Method, code_paths: tuple[str, ...]) -> str | None:
    """Why a ``def up`` without a down only contracts (None when it does anything else):
    every statement drops an index, a column ignored by its model at base, or a table
    the code at base no longer names."""
    reasons: set[str] = set()
    ignored: dict[str, list[str]] = {}  # table -> the ignored columns dropped, in order
    for _, line in up.body:
        code = line.split("#", 1)[0].rstrip()
        if not code.strip() or _WRAPPER.match(code):
            continue
        if _REMOVE_INDEX.match(code):
            reasons.add("drops indexes, which can be rebuilt")
        elif (col := _REMOVE_COLUMN.match(code)) is not None:
            if not _ignored_at_base(changes, col.group(1), col.group(2)):
                return None
            ignored.setdefault(col.group(1), []).append(col.group(2))
        elif (table := _DROP_TABLE.match(code)) is not None:
            if _named_in_code(changes, table.group(1), code_paths):
                return None
            reasons.add(f"drops {table.group(1)}, which no code at base names")
        else:
            return None
    for owner, columns in ignored.items():
        listed = columns[0] if len(columns) == 1 else "{" + ", ".join(columns) + "}"
        reasons.add(f"drops {owner}.{listed}, which its model ignored at base")
    return "; ".join(sorted(reasons)) or None


def _model_names(table: str) -> list[str]:
    """The names code uses for ``table``: itself, its singular, its model class."""
    singular = re.sub(r"ies$", "y", table) if table.endswith("ies") else re.sub(r"s$", "", table)
    camel = "".join(part.capitalize() for part in singular.split("_"))
    return [table, singular, camel]


def _ignored_at_base(changes: ChangeSet, table: str, column: str) -> bool:
    """True when a model of ``table`` at base lists ``column`` in ``ignored_columns``."""
    names = _model_names(table)
    owner = re.compile(
        rf"^\s*class\s+(?:\w+::)*{re.escape(names[2])}\b|table_name\s*=\s*[\"']{re.escape(table)}[\"']",
        re.MULTILINE,
    )
    for path in changes.base_files_containing(["ignored_columns"], ["**/*.rb"]) or []:
        text = changes.text_at_base(path) or ""
        if not owner.search(text):
            continue
        for m in _IGNORED.finditer(text):
            listed = _list_text(m.group("list"))
            for constant in _CONSTANT.findall(listed):  # ``+= API_SCOPES``, set in the file
                defined = re.search(rf"^\s*{constant}\s*=\s*(.*)", text, re.MULTILINE | re.DOTALL)
                listed += " " + _list_text(defined.group(1)[:2000]) if defined else ""
            if re.search(rf"[\"':]{re.escape(column)}\b|\b{re.escape(column)}\b", listed):
                return True
    return False


def _list_text(text: str) -> str:
    """The list an assignment's value starts with: up to its closing bracket when it opens
    one (``%w[a b]``, ``["a",\n "b"]``), else its first line."""
    opened = re.match(r"\s*(?:%[iIwW])?([\[(])", text)
    if opened is None:
        return text.split("\n", 1)[0]
    close = "]" if opened.group(1) == "[" else ")"
    return text.split(close, 1)[0]


def _named_in_code(changes: ChangeSet, table: str, code_paths: tuple[str, ...]) -> bool:
    """True when code at base (not migrations, not schema dumps) names ``table`` or its
    model, or when the search cannot tell (fail closed)."""
    names = _model_names(table)
    found = changes.base_files_containing(names, code_paths)
    if found is None:
        return True
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)
    for path in found:
        text = changes.text_at_base(path)
        if text is None or path.rsplit("/", 1)[-1] in _SCHEMA_DUMPS:
            continue
        if detect.classify(path, text) is not None:
            continue  # migrations name the tables they create
        if pattern.search(text):
            return True
    return False


# --- drops and renames --------------------------------------------------------------------

#: calls (top level, or on the variable of a ``change_table`` block) that drop or rename
#: columns of the table they name: call -> what it does
_COLUMN_DROPS = {
    "remove_column": "column",
    "remove_columns": "columns",
    "remove_reference": "reference",
    "remove_references": "reference",
    "remove_belongs_to": "reference",
    "remove_timestamps": "timestamps",
}
_BLOCK_DROPS = {
    "remove": "columns",
    "remove_references": "reference",
    "remove_belongs_to": "reference",
    "remove_timestamps": "timestamps",
}
_ADDS = re.compile(r"^(create_table|add_column|add_reference|add_timestamps)\(:(\w+)(?:,:(\w+))?")
_KEYWORD = re.compile(r"^\w+:(?!:)|^:?\w+\s*=>|^[\"']\w+[\"']\s*=>")
#: a block on one line whose body runs on the way up: ``safety_assured { remove_column ... }``
_ONE_LINE_BLOCK = re.compile(
    r"^\s*(?:safety_assured|up_only|\w+\.up)\s*(?:\{(.*)\}|\bdo\b(.*)\bend)\s*$", re.DOTALL
)
_DOWN_BLOCK = re.compile(r"^(\s*)\w+\.down\s+do\b")
_DOWN_LINE = re.compile(r"^\s*\w+\.down\s*\{")


@dataclass(frozen=True)
class Before:
    """What the change did before a migration's calls run: the drops the merged version
    of its file already made (``(rule, evidence)``), and the ``(table, column)`` pairs
    earlier migrations new in the change add (``(table, "*")`` for a table they create)."""

    merged: frozenset[tuple[str, str]] = frozenset()
    fresh: frozenset[tuple[str, str]] = frozenset()


def drop_hits(
    changes: ChangeSet,
    text: str,
    added: frozenset[int],
    code_paths: tuple[str, ...],
    before: Before = Before(),
) -> list[Hit]:
    """``drop-column``, ``rename-column``, ``rename-table`` and ``drop-table`` for the
    added ActiveRecord calls of ``def change`` / ``def up`` (not those of a ``dir.down``
    block), as the SQL they run is reported for any other framework. ``safety_assured``
    exempts nothing: it is the author's own word. A column the model of its table lists
    in ``ignored_columns`` at base is no hit (strong_migrations' safe drop: running code
    no longer selects it), nor a table no code at base names (its model was removed in an
    earlier change), nor anything on a table the migration creates or on a column an
    earlier migration of the change adds (it holds nothing yet), nor a drop the merged
    version of an edited migration already made (its edit is judged as history)."""
    found = rails.methods(text)
    out: list[Hit] = []
    for name in ("change", "up"):
        method = found.get(name)
        if method is None:
            continue
        created = {m.group(1).lower() for _, t in method.body if (m := _CREATE.match(t))}
        for number, table, op, args in _calls(method):
            if number in added:
                hits = _drop_hit(changes, number, table, op, args, code_paths)
                out += [h for h in hits if not _before(h, created, before)]
    return out


def changed_drops(
    changes: ChangeSet,
    m: detect.Migration,
    code_paths: tuple[str, ...],
    changed: list[detect.Migration],
) -> list[Hit]:
    """The drops and renames of ``m`` at head (:func:`drop_hits`), knowing what its merged
    version already dropped and what the Rails migrations the change adds before it add."""
    text = changes.text_at_head(m.path) or ""
    merged = changes.text_at_base(changes.base_path_of(m.path))
    fresh: set[tuple[str, str]] = set()
    for earlier in changed:
        new = changes.bytes_at_base(changes.base_path_of(earlier.path)) is None
        if (
            earlier.framework == m.framework
            and new
            and detect.sort_key(earlier) < detect.sort_key(m)
        ):
            fresh |= added_names(changes.text_at_head(earlier.path) or "")
    before = Before(
        merged=merged_drops(changes, merged, code_paths) if merged else frozenset(),
        fresh=frozenset(fresh),
    )
    return drop_hits(changes, text, changes.added_lines(m.path), code_paths, before)


def _before(hit: Hit, created: set[str], before: Before) -> bool:
    """True when what ``hit`` drops or renames is no running code's yet, or the merged
    file already dropped it."""
    table, _, column = hit.evidence.lower().partition(".")
    fresh = {(t.lower(), c.lower()) for t, c in before.fresh}
    return (
        table in created
        or (table, "*") in fresh
        or (bool(column) and (table, column) in fresh)
        or (hit.rule, hit.evidence) in before.merged
    )


def merged_drops(
    changes: ChangeSet, text: str, code_paths: tuple[str, ...]
) -> frozenset[tuple[str, str]]:
    """The ``(rule, evidence)`` of every drop and rename the merged ``text`` makes."""
    every = frozenset(range(1, text.count("\n") + 2))
    return frozenset((h.rule, h.evidence) for h in drop_hits(changes, text, every, code_paths))


def added_names(text: str) -> set[tuple[str, str]]:
    """The ``(table, column)`` pairs a migration adds, ``(table, "*")`` for the tables it
    creates (read through railsedits' normal form, so ``change_table`` blocks count)."""
    out: set[tuple[str, str]] = set()
    for form in railsedits.operations(text) or []:
        m = _ADDS.match(form)
        if m is None:
            continue
        op, table, column = m.groups()
        if op == "create_table":
            out.add((table, "*"))
        elif op == "add_reference":
            out |= {(table, f"{column}_id"), (table, f"{column}_type")}
        elif op == "add_timestamps":
            out |= {(table, "created_at"), (table, "updated_at")}
        elif column:
            out.add((table, column))
    return out


def calls(method: rails.Method) -> list[tuple[int, str | None, str, list[str]]]:
    """(line, table of the enclosing ``change_table`` or None, call, arguments) of each
    call of ``method`` outside ``dir.down`` blocks."""
    return _calls(method)


def _calls(method: rails.Method) -> list[tuple[int, str | None, str, list[str]]]:
    """(line, table of the enclosing ``change_table`` or None, call, arguments) of each
    call of ``method`` outside ``dir.down`` blocks."""
    out: list[tuple[int, str | None, str, list[str]]] = []
    block: tuple[str, str, str] | None = None  # indentation, variable, table of change_table
    down: str | None = None  # indentation of a dir.down block being skipped
    skip_to = 0  # the last line of the call read before: its lines start no call
    for number, line in method.body:
        if number <= skip_to:
            continue
        if down is not None:
            if line.rstrip() == f"{down}end":
                down = None
            continue
        if (opened := _DOWN_BLOCK.match(line)) is not None:
            down = opened.group(1)
            continue
        if _DOWN_LINE.match(line):
            continue
        if block is not None and line.rstrip() == f"{block[0]}end":
            block = None
            continue
        whole = rails.whole_call(method.body, number)
        skip_to = number + whole.count("\n")
        wrapped = _ONE_LINE_BLOCK.match(whole)
        call = rails.split_call((wrapped.group(1) or wrapped.group(2)) if wrapped else whole)
        if call is None:
            continue
        op, args = call
        if op == "change_table" and args and (table := rails.literal_name(args[0])):
            variable = re.search(r"\|\s*(\w+)\s*\|", line)
            indent = line[: len(line) - len(line.lstrip())]
            block = (indent, variable.group(1) if variable else "t", table)
        elif block is not None and op.startswith(f"{block[1]}."):
            out.append((number, block[2], op.split(".", 1)[1], args))
        elif "." not in op:
            out.append((number, None, op, args))
    return out


def _drop_hit(
    changes: ChangeSet,
    number: int,
    block_table: str | None,
    op: str,
    args: list[str],
    code_paths: tuple[str, ...],
) -> list[Hit]:
    """The hits of one call (``block_table``: the table of its ``change_table`` block)."""
    positional = [n for a in args if not _KEYWORD.match(a) for n in _names(a)]
    if block_table is not None:
        positional = [block_table, *positional]
        kind = _BLOCK_DROPS.get(op)
        op = "rename_column" if op == "rename" else ""
    else:
        kind = _COLUMN_DROPS.get(op)
    table, rest = (positional or ["?"])[0], positional[1:]
    if kind is not None:
        return [
            Hit("drop-column", f"Drops column {table}.{c}.", number, f"{table}.{c}", (table, c))
            for c in _dropped(kind, rest, args)
            if table == "?" or c == "?" or not _ignored_at_base(changes, table, c)
        ]
    if op == "rename_column":
        old, new = [*rest, "?", "?"][:2]
        msg = f"Renames column {table}.{old} to {new}."
        return [Hit("rename-column", msg, number, f"{table}.{old}")]
    if op == "rename_table":
        new = (rest or ["?"])[0]
        return [Hit("rename-table", f"Renames table {table} to {new}.", number, table)]
    if op == "drop_table":
        return [
            Hit("drop-table", f"Drops table {t}.", number, t, (t,))
            for t in positional
            if t == "?" or _named_in_code(changes, t, code_paths)
        ]
    return []


def _names(arg: str) -> list[str]:
    """The names an argument spells: ``:a``, ``"a"``, ``%i[a b]``, ``[:a, :b]``, a splat
    of those (``*%i[a b]``); ``?`` for what is not a literal."""
    arg = arg.strip().removeprefix("*").strip()
    words = re.fullmatch(r"%[iIwW](?:\[([^\]]*)\]|\(([^)]*)\))", arg)
    if words is not None:
        return (words.group(1) or words.group(2) or "").split() or ["?"]
    if arg.startswith("[") and arg.endswith("]"):
        return [rails.literal_name(a) or "?" for a in rails.arguments(arg[1:-1]) if a] or ["?"]
    return [rails.literal_name(arg) or "?"]


def _dropped(kind: str, names: list[str], args: list[str]) -> list[str]:
    """The columns a drop of ``kind`` removes."""
    if kind == "timestamps":
        return ["created_at", "updated_at"]
    if kind == "column":
        return names[:1] or ["?"]
    if kind == "columns":
        return names or ["?"]
    polymorphic = any(re.match(r"^(?:polymorphic:|:polymorphic\s*=>)\s*true", a) for a in args)
    return [f"{n}{suffix}" for n in names for suffix in ("_id", "_type")[: 1 + polymorphic]]
