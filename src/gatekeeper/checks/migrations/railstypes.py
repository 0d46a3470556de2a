"""Rails ``change_column`` judged against the column as merged: widen, rewrite or narrow.

``change_column :users, :name, :string, limit: 50`` carries only the new definition;
whether it widens (a longer ``varchar``, ``text``: PostgreSQL only updates its catalog),
rewrites the table while readers keep working (``integer`` to ``bigint``) or narrows and
retypes existing values (a value that does not fit fails the deploy, code reading the old
type breaks) depends on the old one. The old one is read from ``db/schema.rb`` at base,
which Rails dumps after every merged migration, so a pull request cannot supply its own;
a column it does not list (a ``structure.sql`` project, a table created in the same pull
request) is not judged, as before. Types are mapped onto Laravel's kinds so one judgement
(:mod:`.laravelcols`) serves both frameworks.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import laravelcols, rails, railsops
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.laravelcols import Column

SCHEMA = "db/schema.rb"
_TABLE = re.compile(r"""^\s*create_table\s+["'](\w+)["']""")
_COLUMN = re.compile(r"""^\s*t\.(\w+)\s+["'](\w+)["'](.*)$""")
_LIMIT = re.compile(r"\blimit:\s*(\d+)")
_PRECISION = re.compile(r"\bprecision:\s*(\d+)")
_SCALE = re.compile(r"\bscale:\s*(\d+)")
#: Rails column types as Laravel's kinds (an integer's kind follows its ``limit:``)
_KIND = {"string": "string", "text": "text", "integer": "integer", "bigint": "bigInteger",
         "decimal": "decimal", "numeric": "decimal", "boolean": "boolean", "date": "date",
         "datetime": "dateTime", "timestamp": "timestamp", "json": "json", "jsonb": "jsonb",
         "uuid": "uuid"}  # fmt: skip
_INT_BY_LIMIT = {1: "tinyInteger", 2: "smallInteger", 3: "mediumInteger", 4: "integer",
                 8: "bigInteger"}  # fmt: skip


def column(kind: str, options: str, dialect: str) -> Column | None:
    """The column a Rails type and its options declare; None for a type not mapped."""
    base = _KIND.get(kind)
    if base is None:
        return None
    limit = _LIMIT.search(options)
    if base == "integer" and limit:
        base = _INT_BY_LIMIT.get(int(limit.group(1)), "")
        if not base:
            return None
    sizes: tuple[int, ...] | None = None
    if base == "string":
        if limit:
            sizes = (int(limit.group(1)),)
        elif dialect == "postgres":
            base = "text"  # varchar without a length: the same storage as text
        else:
            return None  # MySQL's default 255 (or the adapter's): not known here
    elif base == "decimal":
        p, s = _PRECISION.search(options), _SCALE.search(options)
        sizes = (int(p.group(1)), int(s.group(1)) if s else 0) if p else None
    nullable = not re.search(r"\bnull:\s*false\b", options)
    return Column(base, sizes, nullable)


def schema_columns(text: str, dialect: str) -> dict[tuple[str, str], Column]:
    """Each column ``db/schema.rb`` lists, by (table, column)."""
    out: dict[tuple[str, str], Column] = {}
    table = ""
    for line in text.splitlines():
        created = _TABLE.match(line)
        if created is not None:
            table = created.group(1)
            continue
        m = _COLUMN.match(line)
        if m is not None and table:
            found = column(m.group(1), m.group(3), dialect)
            if found is not None:
                out[(table, m.group(2))] = found
    return out


def change_hits(changes: ChangeSet, text: str, added: frozenset[int], dialect: str) -> list[Hit]:
    """``change-column-type`` for each added ``change_column`` of ``def up``/``change``
    that narrows or retypes a column ``db/schema.rb`` lists at base (an error), or
    rewrites it with a wider integer (weighed by the table's size); nothing for a
    widening, or a column or type not known."""
    method = rails.methods(text)
    found = method.get("up") or method.get("change")
    if found is None:
        return []
    calls = [c for c in railsops.calls(found) if c[0] in added
             and (c[2] == "change_column" or (c[1] and c[2] == "change"))]  # fmt: skip
    if not calls:
        return []
    schema = changes.text_at_base(SCHEMA)
    known = changes.fact(f"migrations.railstypes:{dialect}",
                         lambda: schema_columns(schema or "", dialect))  # fmt: skip
    out: list[Hit] = []
    for line, block_table, op, args in calls:
        names = [rails.literal_name(a) for a in args[:3]]
        table = block_table
        if table is None:
            table, names = names[0], names[1:]
        if table is None or len(names) < 2 or not names[0] or not names[1]:
            continue
        old = known.get((table, names[0]))
        options = ", ".join(args[3:] if op == "change_column" else args[2:])
        new = column(names[1], options, dialect)
        if old is None or new is None:
            continue
        new = Column(new.kind, new.sizes, old.nullable)  # change_column keeps null: as is
        out += (
            laravelcols.retype_hits(
                table,
                names[0],
                line,
                old,
                new,
                dialect,
                how="change_column",
                source="db/schema.rb lists it at base",
            )
            or []
        )
    return out
