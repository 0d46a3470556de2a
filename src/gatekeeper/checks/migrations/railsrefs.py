"""Rails calls that lock a table without naming the lock: a reference and a foreign key.

``add_reference :heartbeats, :upload, foreign_key: true`` reads as adding one column, yet
since Rails 5 it also builds an index on that column (``index: true`` is the default)
and, with ``foreign_key:``, adds a constraint PostgreSQL checks against every existing
row. The index build blocks the table's writes for its whole length unless it is given
``index: {algorithm: :concurrently}``; the check blocks writes to both tables unless the
key is added with ``validate: false`` and validated in a later migration. ``t.references``
and ``t.belongs_to`` in a ``change_table`` block, and ``add_foreign_key`` itself, do the
same. strong_migrations asks for both steps; hackatime's ``add_reference :heartbeats``
on its busiest table did neither.

Only calls on existing tables count (a table the migration creates is empty), and only
on PostgreSQL (safetyhits.py calls this where railsops' index review runs). Each hit is
sized like the others (tables.py): an error on a table presumed or listed large, a
warning elsewhere.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import rails, railsops
from gatekeeper.checks.migrations.hits import Hit

_ADD_REFERENCE = re.compile(
    r"^\s*add_(?:reference|belongs_to)\s*\(?\s*[:\"'](\w+)[\"']?\s*,\s*[:\"'](\w+)"
)
_T_REFERENCE = re.compile(r"^\s*\w+\.(?:references|belongs_to)\s*\(?\s*[:\"'](\w+)")
_ADD_FOREIGN_KEY = re.compile(r"^\s*add_foreign_key\s*\(?\s*[:\"'](\w+)")
_NO_INDEX = re.compile(r"\bindex:\s*(?:false|nil)\b|[\"']index[\"']\s*=>\s*(?:false|nil)\b")
_WITH_KEY = re.compile(
    r"\bforeign_key:\s*(?!false\b|nil\b)\S|[\"']foreign_key[\"']\s*=>\s*(?!false\b|nil\b)\S"
)
_NOT_VALIDATED = re.compile(r"\bvalidate:\s*false\b|[\"']validate[\"']\s*=>\s*false\b")


def hits(text: str, added: frozenset[int]) -> list[Hit]:
    """``index-not-concurrent`` and ``constraint-not-valid`` for the added reference and
    foreign-key calls of ``def up``/``def change`` on tables the migration does not create."""
    out: list[Hit] = []
    for up in railsops.up_lines(text):
        if up.number in added:
            call = rails.whole_call(up.body, up.number)
            out += _call_hits(call, up.number, up.block, up.created)
    return out


def _reference(call: str, block: str | None) -> tuple[str, str] | None:
    """(table, column) of an ``add_reference`` call, or of ``t.references`` in a block."""
    if (m := _ADD_REFERENCE.match(call)) is not None:
        return m.group(1), m.group(2) + "_id"
    if block is not None and (m := _T_REFERENCE.match(call)) is not None:
        return block, m.group(1) + "_id"
    return None


def _call_hits(call: str, number: int, block: str | None, created: frozenset[str]) -> list[Hit]:
    reference = _reference(call, block)
    if reference is not None:
        table, column = reference
        if table.lower() in created:
            return []
        out = []
        if not _NO_INDEX.search(call) and not rails.BY_ALGORITHM.search(call):
            msg = (
                f"Adds the reference {table}.{column}, which Rails indexes by default, without "
                f"index: {{algorithm: :concurrently}}: writes to {table} wait for the whole build."
            )
            out.append(Hit("index-not-concurrent", msg, number, table, table=(table,)))
        if _WITH_KEY.search(call) and not _NOT_VALIDATED.search(call):
            out.append(_unvalidated(table, column, number))
        return out
    key = _ADD_FOREIGN_KEY.match(call)
    if key is None or key.group(1).lower() in created or _NOT_VALIDATED.search(call):
        return []
    return [_unvalidated(key.group(1), "", number)]


def _unvalidated(table: str, column: str, number: int) -> Hit:
    named = f" on {table}.{column}" if column else f" on {table}"
    msg = (
        f"Adds a foreign key{named} without validate: false: every row is checked under a lock "
        f"that blocks writes to {table} (add it with validate: false, then "
        "validate_foreign_key in a later migration)."
    )
    return Hit("constraint-not-valid", msg, number, table, table=(table,))
