"""The SQL a Node migration's side runs: each literal handed to ``queryRunner.query``,
``knex.raw``, ``sequelize.query``, ``db.runSql`` or a ``sql`...``` template given to a
database handle, split into statements (a template's interpolations read through the
names the file binds); the side's schema-builder calls whole; and whether a side only
changes rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gatekeeper.checks.migrations.nodefile import Side
from gatekeeper.checks.migrations.nodescan import (
    COMMENTS,
    call_end,
    expression_end,
    string_end,
    template_pieces,
)
from gatekeeper.checks.migrations.sqleffects import DML
from gatekeeper.checks.migrations.sqltext import TEMPLATE_PLACEHOLDER, Statement, split

#: schema work through the libraries' builders (anything but rows)
_SCHEMA_CALL = re.compile(
    r"\.schema\b|\b(?:queryInterface|queryRunner|db)\s*\.\s*(?:add|remove|change|rename|create|"
    r"drop)\w*\s*\("
)
#: row changes through the builders
_ROW_CALL = re.compile(
    r"\.(?:del|delete|update|insert|bulkInsert|bulkDelete|bulkUpdate|truncate|"
    r"insertInto|updateTable|deleteFrom)\s*\("
)


#: the library's handle passed to other code (``await migrateAll(queryInterface)``), which
#: may do anything with it out of the gate's sight (not Kysely's ``.execute(db)``, which
#: runs the query it ends)
_HANDED = re.compile(
    r"(?<!execute)\(\s*(?:[^()]{0,300},\s*)?(?:queryInterface|queryRunner|knex|trx|transaction|db)\s*[,)]"
)


def data_only(side: Side, bindings: Mapping[str, tuple[str, ...]] | None = None) -> bool:
    """A side that changes rows and no schema: its SQL literals are all UPDATE, INSERT or
    DELETE, it calls no schema builder nor hands the library's handle to other code, and
    it changes some rows."""
    code = COMMENTS.sub("", side.body)
    if _SCHEMA_CALL.search(code) or _HANDED.search(code):
        return False
    literals = sql_literals(code, side.line, bindings or {})
    if any(lit.unknown for lit in literals):
        return False  # SQL built at run time: it may be anything
    statements = [st for lit in literals for variant in lit.variants for st in variant]
    if any(not DML.match(st.text) for st in statements):
        return False
    return bool(statements) or bool(_ROW_CALL.search(code))


#: SQL executed by the libraries: the first argument, a string or template literal, or a
#: ``sql`...``` template given to a database handle (``db.run(sql`...`)``)
_SQL_CALL = re.compile(
    r"\.(?:(?:query|raw|runSql|addSql|sql)\s*(?:<[^()`]{0,200}>\s*)?\(\s*(?:sql\s*(?=`))?|"
    r"(?:run|execute|exec|all|get|any|one|many|maybeOne|oneFirst|anyFirst|manyFirst|"
    r"maybeOneFirst|exists)\s*(?:<[^()`]{0,200}>\s*)?\(\s*sql\s*(?=`))"
    r"(?P<q>[`'\"])"
)


#: Kysely's raw SQL: a ``sql`...``` template whose ``.execute(db)`` follows it
_KYSELY_TAG = re.compile(r"(?<![\w.$])sql\s*(?:<[^`()]{0,200}>\s*)?(?P<q>`)")
_EXECUTED = re.compile(r"\s*\.\s*execute\s*\(")


def _literal_starts(code: str) -> list[tuple[int, str]]:
    """Where each SQL literal a side runs opens (the index of its quote), and the quote."""
    found = [(m.end() - 1, m.group("q")) for m in _SQL_CALL.finditer(code)]
    for m in _KYSELY_TAG.finditer(code):
        start = m.end() - 1
        if _EXECUTED.match(code, string_end(code, start) + 1):
            found.append((start, "`"))
    return sorted(set(found))


@dataclass(frozen=True, slots=True)
class Literal:
    """One SQL literal a side runs, as each reading of its interpolations makes it."""

    variants: list[list[Statement]]
    #: an interpolation the file binds to no string literal: read as a placeholder name
    #: (the statements around it still reviewed; one it stands in for is out of sight)
    unknown: bool


#: how many readings of a template's interpolations are reviewed at most
_READINGS = 2


def sql_literals(body: str, first: int, bindings: Mapping[str, tuple[str, ...]]) -> list[Literal]:
    """Each SQL literal the side runs, split into statements. A template's ``${name}``
    bound to string literals is read as each of them in turn (the first values of every
    name, then the last: each value read once); any other interpolation becomes the
    placeholder identifier, so the statement around it is still split and reviewed (and
    reported as unreviewed when no parser accepts it) rather than skipped."""
    out = []
    for start, quote in _literal_starts(body):
        end = string_end(body, start)
        sql = body[start + 1 : end]
        line = first + body.count("\n", 0, start)
        if quote != "`" or "${" not in sql:
            out.append(Literal([split(sql, line)], unknown=False))
            continue
        pieces = template_pieces(sql)
        names = {p[1].strip() for p in pieces if p[0] == "expr"}
        unknown = any(n not in bindings for n in names)
        variants = []
        for k in range(_READINGS):
            text = "".join(
                part if kind == "text"
                else (bindings[part.strip()][min(k, len(bindings[part.strip()]) - 1)]
                      if part.strip() in bindings else TEMPLATE_PLACEHOLDER)
                for kind, part in pieces
            )  # fmt: skip
            statements = split(text, line)
            if statements not in variants:
                variants.append(statements)
        out.append(Literal(variants, unknown=unknown))
    return out


def sql_texts(side: Side, bindings: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The SQL each literal of a side runs, in its first reading (:func:`sql_literals`)."""
    return [
        ";\n".join(st.text for st in lit.variants[0])
        for lit in sql_literals(side.body, side.line, bindings)
    ]


def literal_texts(side: Side) -> list[str]:
    """The SQL literals a side runs, as written (interpolations kept), comments aside."""
    code = COMMENTS.sub(" ", side.body)
    out = []
    for start, _ in _literal_starts(code):
        out.append(code[start + 1 : string_end(code, start)])
    return out


#: where schema work starts: the builders' entry points (``knex.schema``, ``trx.schema``)
#: and the handles' methods (``queryInterface.addColumn(``, ``queryRunner.dropTable(``)
_SCHEMA_START = re.compile(
    r"\.\s*schema\b|\b(?:queryInterface|queryRunner|db|pool)\s*\.\s*\w+\s*(?:<[^()]{0,200}>\s*)?\("
)


def schema_calls(side: Side) -> list[str]:
    """Each schema-builder call of a side, whole (``knex.schema.alterTable("t", (table) =>
    {...})``, ``queryInterface.addColumn(...)``), comments aside."""
    code = COMMENTS.sub(" ", side.body)
    return [
        code[m.start() : _call_or_expression_end(code, m)] for m in _SCHEMA_START.finditer(code)
    ]


def _call_or_expression_end(code: str, m: re.Match[str]) -> int:
    """Where a schema call found at ``m`` ends: after its closing bracket when ``m`` ends
    at its ``(`` (``queryInterface.addColumn(...)``: stopping at the first ``,`` kept only
    the table, so an edit of the options went unseen), else at the end of the
    ``.schema`` chain's expression."""
    if code[m.end() - 1] == "(":
        close = call_end(code, m.end())
        return len(code) if close is None else close + 1
    return expression_end(code, m.end())
