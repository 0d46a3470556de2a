"""What a Laravel column was before a ``->change()`` redeclared it.

``$table->string('name', 255)->change()`` carries only the column's new definition; whether
it widens (a longer ``VARCHAR``, ``TEXT``: PostgreSQL only updates its catalog), narrows
(a value that does not fit fails the deploy) or retypes depends on the old one. The old
one is in the folder's merged migrations, read at base so a pull request cannot supply
its own history: the last ``Schema::create``/``table`` call that declared the column.
A length Laravel fills in itself (``string('name')``: ``Schema::defaultStringLength``,
which the application may change) is not known, so such a column keeps the warning.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import laravelops as ops
from gatekeeper.checks.migrations.hits import Hit

#: the numbers written after the column's name: ``('name', 255)``, ``('total', 12, 2)``
_SIZES = re.compile(r"""^\(\s*['"][^'"]*['"]\s*((?:,\s*\d+\s*)*)[,)]""")
_VARCHAR = frozenset({"string", "char"})
_TEXT = frozenset({"text", "tinyText", "mediumText", "longText"})
#: integer columns by width (unsigned ones read as their signed kind)
_INT_WIDTH = {"tinyInteger": 1, "smallInteger": 2, "mediumInteger": 3, "integer": 4,
              "bigInteger": 8}  # fmt: skip
#: families a value cannot cross without a cast a reader notices
_FAMILY = {
    **dict.fromkeys((*_VARCHAR, *_TEXT), "string"),
    **dict.fromkeys(_INT_WIDTH, "integer"),
    "decimal": "decimal", "boolean": "boolean", "date": "date", "dateTime": "datetime",
    "timestamp": "datetime", "json": "json", "jsonb": "json", "uuid": "uuid",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    """A column's declared kind and the sizes written with it (None: none written)."""

    kind: str
    sizes: tuple[int, ...] | None
    nullable: bool


def declared(call: ops.Call) -> Column:
    """The column a Blueprint column call declares."""
    kind = call.op.removeprefix("unsigned")
    kind = kind[0].lower() + kind[1:] if kind != call.op else kind
    found = _SIZES.match(call.rest)
    sizes = tuple(int(n) for n in re.findall(r"\d+", found.group(1))) if found else ()
    return Column(kind, sizes or None, ops.nullable(call))


def merged(changes: ChangeSet, path: str) -> dict[tuple[str, str], Column]:
    """Each column's last declaration in the migrations merged in ``path``'s folder before
    it (by file name), by (table, column); one read per folder per run."""
    from gatekeeper.checks.migrations import laravel

    folder = posixpath.dirname(path)

    def read() -> list[tuple[str, dict[tuple[str, str], Column]]]:
        out = []
        for p in sorted(changes.base_paths([f"{folder}/*.php" if folder else "*.php"])):
            text = changes.text_at_base(p)
            if posixpath.dirname(p) != folder or not laravel.is_migration(p, text):
                continue
            side = laravel.read(text or "").up_side
            cols = {
                (c.table, c.args[0]): declared(c)
                for c in (side.calls if side else ())
                if c.op in laravel.COLUMN_TYPES and c.args and c.args[0]
            }
            out.append((posixpath.basename(p), cols))
        return out

    known: dict[tuple[str, str], Column] = {}
    name = posixpath.basename(path)
    for file, cols in changes.fact(f"migrations.laravelcols:{folder}", read):
        if file < name:
            known.update(cols)
    return known


def change_hits(call: ops.Call, old: Column, dialect: str) -> list[Hit] | None:
    """What ``->change()`` does to a column declared ``old`` as merged: no type finding
    when it keeps or widens the type on PostgreSQL, an error when it narrows or crosses
    families, a size-weighed one for a wider integer (a rewrite readers survive), and
    ``set-not-null`` when it drops ``->nullable()``. None: the old size is Laravel's own
    default, so the caller keeps its warning."""
    new = declared(call)
    where = f"{call.table}.{call.args[0]}"
    hits: list[Hit] = []
    if old.nullable and not new.nullable:
        msg = (
            f"Redeclares {where} with ->change() without ->nullable(), which the merged "
            "migrations gave it: SET NOT NULL scans the table under an exclusive lock."
        )
        hits.append(Hit("set-not-null", msg, call.line, where, table=(call.table,)))
    found = retype_hits(call.table, str(call.args[0]), call.line, old, new, dialect)
    return None if found is None else [*hits, *found]


def retype_hits(
    table: str,
    name: str,
    line: int,
    old: Column,
    new: Column,
    dialect: str,
    *,
    how: str = "->change()",
    source: str = "merged migrations declare it",
) -> list[Hit] | None:
    """The ``change-column-type`` finding of changing ``table.name`` from ``old`` to
    ``new`` (``how``: the call that does it, ``source``: where ``old`` was read): none
    for the same type or a widening on PostgreSQL, size-weighed for a rewrite readers
    survive, an error for a narrowing or another family; None when not known."""
    where = f"{table}.{name}"
    effect = _effect(old, new, dialect)
    if effect is None:
        return None
    if effect == "same" or (effect == "wider" and dialect == "postgres"):
        return []
    change = f"from {_shown(old)} (as {source}) to {_shown(new)}"
    if effect in ("wider", "rewrite"):
        msg = f"Changes {where} {change} with {how}: wider, but the table is rewritten."
        return [Hit("change-column-type", msg, line, where, table=(table,), sized=True)]
    msg = (
        f"Changes {where} {change} with {how}: a value that does not fit or cast "
        "fails the deploy, and code written for the old type may break; add a new column, "
        "backfill it and move readers to it (expand-contract)."
    )
    return [Hit("change-column-type", msg, line, where, table=(table,))]


def _effect(old: Column, new: Column, dialect: str) -> str | None:
    """ "same", "wider", "other" (narrower or another family), or None (not known)."""
    if (old.kind, old.sizes) == (new.kind, new.sizes):
        return "same"
    if old.kind in _VARCHAR and new.kind in _TEXT:
        return "wider"
    if old.kind in _TEXT and new.kind in _TEXT:
        # one TEXT type on PostgreSQL; MySQL's are widths of it (LONGTEXT to TEXT cuts)
        return "same" if dialect == "postgres" else None
    if old.kind in _VARCHAR and new.kind in _VARCHAR:
        if old.sizes is None or new.sizes is None:
            return None
        return "wider" if new.sizes[0] >= old.sizes[0] else "other"
    if old.kind in _INT_WIDTH and new.kind in _INT_WIDTH:
        return "rewrite" if _INT_WIDTH[new.kind] >= _INT_WIDTH[old.kind] else "other"
    if old.kind == new.kind == "decimal" and old.sizes and new.sizes and len(old.sizes) == 2:
        same_scale = len(new.sizes) == 2 and new.sizes[1] == old.sizes[1]
        return "wider" if same_scale and new.sizes[0] >= old.sizes[0] else "other"
    families = (_FAMILY.get(old.kind), _FAMILY.get(new.kind))
    if None not in families and families[0] != families[1]:
        return "other"
    if old.kind in _TEXT and new.kind in _VARCHAR:
        return "other"
    return None


def judged(
    hits: list[Hit], side: ops.Side | None, changes: ChangeSet, path: str, dialect: str
) -> list[Hit]:
    """``hits`` with the warning of each ``->change()`` of a column the merged migrations
    declare replaced by what :func:`change_hits` reads from the old declaration."""
    from gatekeeper.checks.migrations import laravel

    calls = {
        (c.line, f"{c.table}.{c.args[0]}"): c
        for c in (side.calls if side else ())
        if c.op in laravel.COLUMN_TYPES and ops.changes_column(c) and c.args and c.args[0]
    }
    if not calls:
        return hits
    known = merged(changes, path)
    out: list[Hit] = []
    for hit in hits:
        call = calls.get((hit.line, hit.evidence)) if hit.rule == "change-column-type" else None
        old = known.get((call.table, str(call.args[0]))) if call else None
        found = change_hits(call, old, dialect) if call and old else None
        out += [hit] if found is None else found
    return out


def _shown(c: Column) -> str:
    return f"{c.kind}({', '.join(map(str, c.sizes))})" if c.sizes else c.kind
