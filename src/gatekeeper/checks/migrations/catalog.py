"""Schema snapshots compared as sets, never as dump text.

A catalog is a set of facts: a table exists; a column has this type, nullability and
default; an index covers these columns; a constraint is defined so. Two schemas are the
same when their sets are equal, whatever order the engine lists them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

Fact = tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """The schema of a database at one moment."""

    facts: frozenset[Fact]

    def difference(self, other: Catalog, *, limit: int = 8) -> str:
        """What ``other`` lacks and what it has extra, relative to this catalog ("" if equal)."""
        missing = sorted(self.facts - other.facts)
        extra = sorted(other.facts - self.facts)
        parts = []
        if missing:
            parts.append("missing " + _listing(missing, limit))
        if extra:
            parts.append("unexpected " + _listing(extra, limit))
        return "; ".join(parts)


def _listing(facts: list[Fact], limit: int) -> str:
    shown = ", ".join(describe(f) for f in facts[:limit])
    more = len(facts) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def describe(fact: Fact) -> str:
    """A fact as a reader would say it: ``column users.email text NULL default 'x'``."""
    kind, *rest = fact
    if kind == "column":
        table, name, type_, nullable, default = rest
        text = f"column {table}.{name} {type_} {'NULL' if nullable == 'null' else 'NOT NULL'}"
        return text + (f" default {default}" if default else "")
    if kind == "table":
        return f"table {rest[0]}"
    return f"{kind} " + " ".join(rest)


class EngineError(Exception):
    """A statement or operation failed on the scratch database.

    ``unsupported`` marks failures of the engine rather than of the migration (SQLite not
    knowing a Postgres keyword, a missing extension): those make the roundtrip "not run",
    not "failed". ``path`` names the migration it happened in when a step ran several
    ("": the one the step is for).
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        unsupported: bool = False,
        path: str = "",
    ):
        super().__init__(message)
        self.line = line
        self.unsupported = unsupported
        self.path = path


class Database(Protocol):
    """A scratch database a roundtrip runs on; discarded afterwards."""

    #: "sqlite" or "postgres"
    engine: str

    def execute(self, statements: list[tuple[str, int]]) -> None:
        """Run (sql, line) statements in order; raise :class:`EngineError` on failure."""

    def snapshot(self) -> Catalog:
        """The schema as it is now."""

    def sqlalchemy_url(self) -> str:
        """A SQLAlchemy URL for the same database (for Alembic)."""

    def discard(self) -> None:
        """Drop the database and everything in it."""


class WithoutTable:
    """A scratch database whose snapshots leave out one table, in any schema: the record
    a framework keeps of applied migrations (Alembic's ``alembic_version``, Django's
    ``django_migrations``), which changes with every step and is no part of the schema
    under review."""

    def __init__(self, db: Database, table: str) -> None:
        self.db = db
        self.table = table
        self.engine = db.engine

    def execute(self, statements: list[tuple[str, int]]) -> None:
        """Run the statements on the database."""
        self.db.execute(statements)

    def snapshot(self) -> Catalog:
        """The schema without the table (its columns, indexes... are facts about it too)."""
        facts = self.db.snapshot().facts
        return Catalog(
            frozenset(f for f in facts if len(f) < 2 or f[1].rsplit(".", 1)[-1] != self.table)
        )

    def sqlalchemy_url(self) -> str:
        """The database's URL."""
        return self.db.sqlalchemy_url()

    def discard(self) -> None:
        """Drop the database."""
        self.db.discard()
