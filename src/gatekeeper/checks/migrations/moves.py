"""A column dropped after its values were copied elsewhere: moved, not lost.

formbricks' ``replace_is_ai_enabled_with_dual_toggles`` adds two columns, fills both from
``isAIEnabled`` (``UPDATE "Organization" SET a = "isAIEnabled", b = "isAIEnabled"``) and
then drops ``isAIEnabled``: every row's value lives on in the new columns, so the drop
loses nothing. Such a drop is a warning that says where the values went
(``checks.migrations.drop_after_copy: false``, as ``strict`` sets, keeps it an error).

A copy counts for a drop of ``t.c`` when all of this holds:

- it runs before the drop: earlier in the same migration, or in a migration the same
  change adds ahead of it;
- it copies every row: ``UPDATE t SET ...`` or ``INSERT INTO other (...) SELECT ... FROM
  t`` with no join, no second table, no subquery, no limit, and no WHERE but one that
  keeps every row (``1 = 1``, ``TRUE``) or leaves out only rows where ``c`` is NULL (they
  have nothing to carry), for an INSERT also those where it is the empty string (stash's
  ``studio_urls``: a row left out of a list table reads as no value, as '' did); a partial
  copy is told by :mod:`.backfills` and still blocks;
- an assigned value (or a selected one) reads ``c``, and the column written is another
  one: not ``c`` itself, not a column or table the same migration drops too; an INSERT
  also selects something other than ``c`` (a key: values without their rows are no copy).

On PostgreSQL a boolean may be kept as a mark rather than copied (``_marked``): Netflix/
dispatch sets ``model_type = 'New' WHERE "default" = true`` in a column it has just added
with no default, then drops ``default``; the rows left out read NULL there, so true and
not-true rows stay apart.

The statements are read as text; one longer than :data:`MAX_STATEMENT` is not read (no
copy: the drop stays an error).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.keeps import keeps, words
from gatekeeper.checks.migrations.sqltext import Statement, strip_comments
from gatekeeper.model import Level

#: longer statements are not searched for a copy (the patterns stay linear in practice)
MAX_STATEMENT = 20_000
#: marks a hit this module relaxed (the check keeps it an error when the policy says so)
RELAXED = "drop-after-copy"

_PART = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_NAME = rf"({_PART}(?:\.{_PART})?)"
_ALIAS = r"(?:\s+(?:AS\s+)?(?!SET\b|WHERE\b)([\w$]+))?"
_UPDATE = re.compile(rf"^\s*UPDATE\s+(?:ONLY\s+)?{_NAME}{_ALIAS}\s+SET\s+(.*)$", re.I | re.S)
_INSERT = re.compile(
    rf"^\s*INSERT\s+INTO\s+{_NAME}\s*(?:\(([^()]*)\))?\s*SELECT\s+(.*?)\s+FROM\s+{_NAME}"
    rf"{_ALIAS}\s*(?:\bWHERE\s+(.*))?$",
    re.I | re.S,
)
#: what makes a copy read other rows or keep only some
_NOT_WHOLE = re.compile(
    r"\b(?:FROM|JOIN|SELECT|LIMIT|RETURNING|UNION|GROUP|HAVING|DISTINCT|CONFLICT|OFFSET)\b", re.I
)
#: the WHERE of a mark: the flag alone (``flag``, ``NOT flag``, ``flag = true``, ``flag IS FALSE``)
_FLAG = re.compile(
    r"^\s*(?P<not>NOT\s+)?(?:[\w$]+\.)?(?P<name>[\w$]+)"
    r"(?:\s*(?:=|\bIS\b)\s*(?P<value>TRUE|FALSE))?\s*$",
    re.I,
)
#: a value that reads nothing and is not NULL (strings are blanked before: '' stays, any
#: other becomes '_' and a digest of it, so two equal strings stay equal)
_CONSTANT = re.compile(
    r"^\s*(?:'(?:_[0-9a-f]*)?'|-?\d+(?:\.\d+)?|TRUE|FALSE)(?:\s*::\s*[\w ]+)?\s*$", re.I
)
_ADD = re.compile(rf"^\s*ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}(.*)$", re.I | re.S)
_FILLED = re.compile(r"\b(?:DEFAULT|GENERATED|NOT\s+NULL|AS)\b", re.I)
#: what follows a column's name when it is added with a constant default and nothing else
_DEFAULTED = re.compile(
    r"^\s*[A-Za-z_][\w ]*?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+NOT\s+NULL)?"
    r"\s+DEFAULT\s+('(?:_[0-9a-f]*)?'|-?\d+(?:\.\d+)?|TRUE|FALSE)(?:\s+NOT\s+NULL)?\s*$",
    re.I,
)
_EVERY_ROW = re.compile(r"^\s*(?:1\s*=\s*1|TRUE)\s*$", re.I)
_ASSIGN = re.compile(rf"^\s*{_NAME}\s*=(?!=)(.*)$", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
#: a test that leaves out a row with nothing to carry: NULL, or for an INSERT also ''
_NULL_LEFT = r"IS\s+NOT\s+NULL"
_EMPTY_LEFT = r"(?:<>|!=)\s*''"
_AND = re.compile(r"\bAND\b", re.I)
_ALTER = re.compile(rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s", re.I)
_DROP_COLUMN = re.compile(rf"\bDROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_EMPTIED = re.compile(rf"^\s*(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?{_NAME}", re.I)
_DROP_TABLE = re.compile(rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_NOT_COLUMNS = frozenset({"constraint", "index", "primary", "unique", "foreign", "check",
                          "default", "not", "key", "partition", "expression"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Copy:
    """One whole-table copy: the table read, what it writes from which value, the filter
    it keeps (a WHERE that may only drop NULLs of the copied column), and where it is."""

    source: str
    #: (written table, written column or "" when the INSERT names none, value expression)
    writes: tuple[tuple[str, str, str], ...]
    where: str
    line: int
    place: str
    #: an INSERT: its select list must carry more than the copied column (a key)
    insert: bool = False


def relieve(
    hits: list[Hit],
    statements: Sequence[Statement],
    earlier: Sequence[tuple[str, Sequence[Statement]]] = (),
    dropped: Iterable[tuple[str, ...]] = (),
    empty: Iterable[tuple[str, str, int]] = (),
    dialect: str = "postgres",
    booleans: Iterable[tuple[str, str]] = (),
) -> list[Hit]:
    """``hits`` with each column drop whose values a copy carried elsewhere first made a
    warning saying where they went. ``earlier``: (path, statements) of migrations the
    change adds ahead of this one; ``dropped``: targets (table,) or (table, column) the
    migration drops in ways its statements do not show (Alembic ``op.drop_column``);
    ``empty``: (table, column, line) of columns it adds with no default that way. Marks of
    a boolean (``_marked``) count only where comparing with TRUE proves the column is one
    (PostgreSQL, CockroachDB: elsewhere ``= true`` is ``= 1`` of any integer), or where
    ``booleans``, the (table, column) the merged migrations declare boolean, holds it."""
    drops = [h for h in hits if h.rule == "drop-column" and len(h.target) == 2]
    if not drops:
        return hits
    copies = [c for path, prior in earlier for c in _copies(prior, f"{path} line ")]
    copies += _copies(statements, "line ")
    if not copies:
        return hits
    everything = [*(s for _, prior in earlier for s in prior), *statements]
    known = [*dropped, *(h.target for h in hits if h.rule.startswith("drop-"))]
    gone = _dropped(statements, known) | _overwritten(everything)
    fresh = {(bare(t), bare(c), line, "") for t, c, line in empty}
    fresh |= set(_fresh_columns(statements))
    flags = {(bare(t), bare(c)) for t, c in booleans}
    return [_moved(h, copies, gone, fresh, flags, dialect)
            if h in drops and h.level is not Level.WARNING else h
            for h in hits]  # fmt: skip


def _moved(
    hit: Hit,
    copies: list[Copy],
    gone: set[tuple[str, ...]],
    fresh: set[tuple[str, str, int, str]],
    flags: set[tuple[str, str]],
    dialect: str,
) -> Hit:
    table, column = bare(hit.target[0]), bare(hit.target[1])
    if dialect not in ("postgres", "cockroach") and (table, column) not in flags:
        fresh = set()
    for copy in copies:
        if (copy.place == "line " and copy.line >= hit.line) or copy.source.lower() != table:
            continue
        into, flag = _carried(copy, column, gone), ""
        if not into and copy.place == "line ":
            into, flag = _marked(copy, column, gone, fresh)
        if not into:
            continue
        shown = ", ".join(f"{t}.{c}" if c else t for t, c in into)
        if flag:
            said = (f"The rows where it is {flag} were marked first ({copy.place}{copy.line}: "
                    f"in {shown}, which this migration added, the other rows reading NULL or its "
                    "default there): the drop moves that flag, "
                    "it does not lose it.")  # fmt: skip
        else:
            said = (f"Its values were copied first ({copy.place}{copy.line}: into {shown}): "
                    "the drop moves them, it does not lose them.")  # fmt: skip
        message = f"{hit.message} {said}"
        return dataclasses.replace(hit, level=Level.WARNING, message=message, relaxed=RELAXED)
    return hit


def _carried(copy: Copy, column: str, gone: set[tuple[str, ...]]) -> list[tuple[str, str]]:
    """Where a copy carries every row's value of ``column`` to."""
    if copy.where and not _only_nulls_left(copy.where, column, empty=copy.insert):
        return []
    reads = re.compile(rf"(?<![\w$]){re.escape(column)}(?![\w$])", re.I)
    if copy.insert and all(reads.search(words(v)) for _, _, v in copy.writes):
        return []  # the values without the rows they belonged to
    return [
        (t, c)
        for t, c, value in copy.writes
        if reads.search(words(value))
        and keeps(value, column, c)
        and (t.lower(), c.lower()) != (copy.source.lower(), column)
        and (t.lower(),) not in gone
        and (t.lower(), c.lower()) not in gone
    ]


def _marked(
    copy: Copy, column: str, gone: set[tuple[str, ...]], fresh: set[tuple[str, str, int, str]]
) -> tuple[list[tuple[str, str]], str]:
    """A boolean column's value kept as a mark: ``UPDATE t SET kind = 'New' WHERE flag =
    true`` into a column the migration added just before with no default, so the rows
    the WHERE leaves out still read NULL there and the two sets stay apart (dispatch's
    ``case_cost_type.default``), or with a constant default other than the mark (they
    read the default: pinchflat's ``cookie_behaviour``, 'disabled' beside
    'all_operations'). Only constants are written; the WHERE is the flag alone."""
    m = _FLAG.match(words(copy.where))
    if copy.insert or m is None or m.group("name").lower() != column:
        return [], ""
    negated = bool(m.group("not")) != (m.group("value") or "true").lower().endswith("false")
    if not all(_CONSTANT.match(value) for _, _, value in copy.writes):
        return [], ""
    into = [
        (t, c)
        for t, c, value in copy.writes
        if any(
            (ft, fc) == (t.lower(), c.lower()) and at < copy.line and _apart(default, value)
            for ft, fc, at, default in fresh
        )
        and (t.lower(), c.lower()) not in gone
    ]
    return into, "false" if negated else "true"


def _apart(default: str, value: str) -> bool:
    """Whether a mark ``value`` differs from what the rows left out read: NULL (no
    ``default``), or another constant."""
    return not default or default.strip().lower() != value.strip().lower()


def _only_nulls_left(where: str, column: str, *, empty: bool = False) -> bool:
    """A WHERE that keeps every row, or leaves out only those where ``column`` is NULL
    (with ``empty``, also those where it is ''): each of its ANDed tests is one of these.
    Strings were blanked, a non-empty one to '_...', so ``c <> 'x'`` is no such test."""
    text = words(where)
    if _EVERY_ROW.match(text):
        return True
    tests = f"{_NULL_LEFT}|{_EMPTY_LEFT}" if empty else _NULL_LEFT
    one = re.compile(rf"^\s*(?:[\w$]+\s*\.\s*)?{re.escape(column)}\s*(?:{tests})\s*$", re.I)
    return all(one.match(part) for part in _AND.split(text))


def _copies(statements: Iterable[Statement], place: str) -> list[Copy]:
    out = []
    for stmt in statements:
        if len(stmt.text) > MAX_STATEMENT:
            continue
        text = _STRING.sub(_blank, strip_comments(stmt.text)).strip().rstrip(";")
        if m := _UPDATE.match(text):
            copy = _update(m, stmt.line, place)
        elif m := _INSERT.match(text):
            copy = _insert(m, stmt.line, place)
        else:
            continue
        if copy is not None:
            out.append(copy)
    return out


def _blank(m: re.Match[str]) -> str:
    """A string literal as the copies read it: '' stays, any other is '_' and a digest."""
    text = m.group()
    return "''" if text == "''" else f"'_{hashlib.sha1(text.encode()).hexdigest()[:12]}'"


def _update(m: re.Match[str], line: int, place: str) -> Copy | None:
    table, rest = shown(m.group(1)), m.group(3)
    where = ""
    found = re.search(r"\bWHERE\b", rest, re.I)
    if found:
        rest, where = rest[: found.start()], rest[found.end() :]
    if _NOT_WHOLE.search(rest) or _NOT_WHOLE.search(where):
        return None
    writes = []
    for part in _top_level(rest):
        if a := _ASSIGN.match(part):
            writes.append((shown(m.group(1)), shown(a.group(1)), a.group(2)))
    return Copy(table, tuple(writes), where, line, place) if writes else None


def _insert(m: re.Match[str], line: int, place: str) -> Copy | None:
    into, names, selected, source = m.group(1), m.group(2), m.group(3), m.group(4)
    where = m.group(6) or ""
    if _NOT_WHOLE.search(selected) or _NOT_WHOLE.search(where):
        return None
    values = _top_level(selected)
    columns = [shown(n) for n in _top_level(names)] if names else []
    if len(columns) != len(values):
        columns = [""] * len(values)
    writes = tuple((shown(into), c, v) for c, v in zip(columns, values, strict=True))
    return Copy(shown(source), writes, where, line, place, insert=True)


def _overwritten(statements: Iterable[Statement]) -> set[tuple[str, ...]]:
    """Columns, as (table, column), that two UPDATEs or more write (a copy may be written
    over), and tables, as (table,), a DELETE or TRUNCATE empties (the copied rows with it)."""
    seen: dict[tuple[str, str], int] = {}
    out: set[tuple[str, ...]] = set()
    for stmt in statements:
        text = _STRING.sub("''", strip_comments(stmt.text))
        if m := _EMPTIED.match(text):
            out.add((bare(m.group(1)),))
        elif m := _UPDATE.match(text):
            for part in _top_level(m.group(3)):
                if a := _ASSIGN.match(part):
                    key = (bare(m.group(1)), bare(a.group(1)))
                    seen[key] = seen.get(key, 0) + 1
    return out | {k for k, n in seen.items() if n > 1}


def _dropped(
    statements: Iterable[Statement], known: Iterable[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """Tables, as (table,), and columns, as (table, column), the migration drops."""
    out = {tuple(bare(p) for p in t) for t in known if t}
    for stmt in statements:
        text = strip_comments(stmt.text)
        if m := _DROP_TABLE.match(text):
            out.add((bare(m.group(1)),))
        elif m := _ALTER.match(text):
            for d in _DROP_COLUMN.finditer(text[m.end() :]):
                if bare(d.group(1)) not in _NOT_COLUMNS:
                    out.add((bare(m.group(1)), bare(d.group(1))))
    return out


def _fresh_columns(statements: Iterable[Statement]) -> list[tuple[str, str, int, str]]:
    """(table, column, line, default) of the columns the statements add with no default
    (every row already there holds NULL in them; default "") or with a constant one
    (every row holds it; default that constant, strings blanked as copies read them)."""
    out = []
    for stmt in statements:
        text = _STRING.sub(_blank, strip_comments(stmt.text))
        if not (m := _ALTER.match(text)):
            continue
        for part in _top_level(text[m.end() :]):
            a = _ADD.match(part)
            if a is None or bare(a.group(1)) in _NOT_COLUMNS:
                continue
            default = ""
            if _FILLED.search(a.group(2)):
                if (d := _DEFAULTED.match(a.group(2))) is None:
                    continue
                default = d.group(1)
            out.append((bare(m.group(1)), bare(a.group(1)), stmt.line, default))
    return out


def _top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses (strings already blanked)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def shown(name: str) -> str:
    """A name without quotes or schema, as written."""
    return name.strip().rsplit(".", 1)[-1].strip('"`[]')


def bare(name: str) -> str:
    """A name without quotes or schema, lowercased."""
    return shown(name).lower()
