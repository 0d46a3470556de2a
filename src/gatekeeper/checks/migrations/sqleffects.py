"""What literal SQL in an Alembic ``op.execute`` does, as the effects the up/down pairing
compares (``("+index", "ix_a")``).

Only statements whose whole meaning a pattern can hold are read: creating or dropping
an index or a table, adding or dropping one column. Anything else is ``("execute",)``,
which the pairing matches loosely (raw SQL against raw SQL, the round trip proves it).
Data changes and session statements undo nothing and need no undoing: no effect. Nor
does a backfill's helper function (:func:`backfill_helpers`): ``CREATE OR REPLACE
FUNCTION f`` that a data change of the same up calls (bitcart's ``get_name``, which its
``UPDATE invoices SET payment_id = ...`` computes with). Left behind by a down, it is
called by nothing the old release runs, and OR REPLACE lets the next up run again.
"""

from __future__ import annotations

import re
from typing import TypeVar

from gatekeeper.checks.migrations.sqltext import is_noop, split, strip_comments

Effect = tuple[str, ...]
T = TypeVar("T")

_NAME = r'((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?)'
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("+index", re.compile(
        rf"CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?{_NAME} ON ", re.I)),
    ("-index", re.compile(
        rf"DROP INDEX (?:CONCURRENTLY )?(?:IF EXISTS )?{_NAME}(?: CASCADE| RESTRICT)?$", re.I)),
    ("+table", re.compile(rf"CREATE TABLE (?:IF NOT EXISTS )?{_NAME} ?\(", re.I)),
    ("-table", re.compile(rf"DROP TABLE (?:IF EXISTS )?{_NAME}(?: CASCADE| RESTRICT)?$", re.I)),
)  # fmt: skip
#: ADD/DROP of one column (the statement's whitespace is collapsed to single spaces first)
_COLUMN = re.compile(
    rf"ALTER TABLE (?:IF EXISTS )?(?:ONLY )?{_NAME} (ADD|DROP) (?:COLUMN )?"
    rf"(?:IF (?:NOT )?EXISTS )?{_NAME}(.*)$",
    re.I,
)
#: words after ADD/DROP that name something other than a column
_NOT_COLUMNS = frozenset({"constraint", "primary", "unique", "foreign", "check", "default",
                          "index", "key", "partition"})  # fmt: skip
#: a statement that changes rows: undone by undoing the schema it fills, if at all
DML = re.compile(r"^\s*(?:UPDATE|INSERT|DELETE)\b", re.IGNORECASE)
#: a function (re)defined so that running it again replaces it: the name
_REPLACED_FUNCTION = re.compile(rf"CREATE OR REPLACE FUNCTION {_NAME} ?\(", re.I)
#: a name called in SQL text: ``f(`` (words such as COALESCE come along: harmless, only a
#: name some statement of the up defines as a function counts)
_CALL = re.compile(r'([\w$]+)"? ?\(')


def backfill_helpers(sqls: list[str]) -> frozenset[str]:
    """The functions the up's SQL (``sqls``) both defines with ``CREATE OR REPLACE
    FUNCTION`` and calls in a data change (UPDATE, INSERT, DELETE): helpers of the backfill,
    lower-cased. A function a trigger, a default or a view uses is called from schema, not
    from a data change, and is not one."""
    defined: set[str] = set()
    called: set[str] = set()
    for sql in sqls:
        for statement in split(sql):
            text = " ".join(strip_comments(statement.text).split())
            if m := _REPLACED_FUNCTION.match(text):
                defined.add(_bare(m.group(1)))
            elif DML.match(text):
                called.update(c.lower() for c in _CALL.findall(text))
    return frozenset(defined & called)


def effects(sql: str, helpers: frozenset[str] = frozenset()) -> list[Effect]:
    """The effects of each statement of ``sql``, in order; ``helpers``: the functions of
    :func:`backfill_helpers`, whose definitions have none."""
    out: list[Effect] = []
    for statement in split(sql):
        text = " ".join(strip_comments(statement.text).split()).rstrip(";")
        if not text or DML.match(text) or is_noop(text):
            continue
        m = _REPLACED_FUNCTION.match(text)
        if m is not None and _bare(m.group(1)) in helpers:
            continue
        out.append(_one(text))
    return out


def _one(text: str) -> Effect:
    for kind, pattern in _PATTERNS:
        if m := pattern.match(text):
            return (kind, _bare(m.group(1)))
    m = _COLUMN.match(text)
    if m is None or "," in text or m.group(3).lower() in _NOT_COLUMNS:
        return ("execute",)
    drop = m.group(2).upper() == "DROP"
    if drop and m.group(4).strip().upper() not in ("", "CASCADE", "RESTRICT"):
        return ("execute",)
    return ("-column" if drop else "+column", _bare(m.group(1)), _bare(m.group(3)))


def _bare(name: str) -> str:
    """A name without quotes or schema, lowercased (how the pairing compares names)."""
    return name.rsplit(".", 1)[-1].strip('"`').lower()


def net(found: list[tuple[Effect, T]]) -> list[tuple[Effect, T]]:
    """``found`` (effects with what caused them) without the drops of an object the same
    side then creates again: an up that drops a leftover index and builds it anew leaves
    just the new index to undo."""
    out: list[tuple[Effect, T]] = []
    for i, (eff, cause) in enumerate(found):
        again = ("+" + eff[0][1:], *eff[1:])
        if eff[0][0] == "-" and any(later == again for later, _ in found[i + 1 :]):
            continue
        out.append((eff, cause))
    return out
