"""What a safety rule reports about one statement, and the SQL facts the rules share."""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.model import Level

#: functions whose value differs per row: a default using one rewrites the table
VOLATILE = frozenset(
    {"random", "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "clock_timestamp",
     "timeofday", "nextval", "txid_current"}
)  # fmt: skip
#: merged migrations written as code (Go, Ruby, Liquibase changesets) a folder needs, none
#: with a down, before its project counts as forward-only by convention; read at base, so
#: a change cannot set its own (SQL file pairs need one: static.FORWARD_ONLY_AFTER)
FORWARD_ONLY_AFTER = 3
SERIAL_TYPES = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule a statement breaks; ``target`` names the dropped table/column if any."""

    rule: str
    message: str
    line: int
    evidence: str
    target: tuple[str, ...] = ()
    #: overrides the rule's default level when the evidence is weaker (Django AlterField)
    level: Level | None = None
    #: a ``gatekeeper:ignore`` marker names this hit's rule: the marker, and the lines from
    #: the marker to the end of what it covers (the check asks who wrote them)
    ignored_by: str = ""
    ignore_span: tuple[int, int] = (0, 0)
    #: the names of the table a lock or rewrite holds (its DB name first, then others it
    #: is known by: a Django model's name), for the rules whose harm grows with its size
    table: tuple[str, ...] = ()
    #: the harm of this hit is only the lock its rewrite holds, whatever its rule: it is
    #: weighed by the table's size like the rules in tables.SIZE_RULES
    sized: bool = False
    #: for a SQL type change without USING, the new type as PostgreSQL's parser spells
    #: it (``("int8", ())``): the caller, which can read the merged history, judges it
    new_type: tuple[str, tuple[int, ...]] | None = None
    #: the (table, column) whose type ``new_type`` is, as the statement names them
    retyped: tuple[str, str] | None = None
    #: the relaxation that made this hit a warning (``moves.RELAXED``), which the policy
    #: may refuse: the check then restores the rule's own level
    relaxed: str = ""
