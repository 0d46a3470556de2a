"""knex's column definitions in a Node migration, and what an ``.alter()`` of one does.

A knex side defines columns inside ``createTable``/``alterTable``/``table`` callbacks
(``table.float("ping", 20, 2).notNullable().alter()``). An ``.alter()`` redefines the
whole column, so what it does is read against the column as it was: its last definition
in the folder's merged migrations (:func:`merged_columns`), else the one the change's own
down restores. A wider type is a rewrite readers survive; a narrower one, or NOT NULL on
a nullable column, is an error.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.nodefile import KNEX, Side, read
from gatekeeper.checks.migrations.nodescan import COMMENTS
from gatekeeper.model import Level

#: a knex column definition, ``table.float("ping", 20, 2)``, and the calls chained to it
#: (``.notNullable().defaultTo(0).alter()``)
_KNEX_DEF = re.compile(
    r"\b(?P<var>\w+)\s*\.\s*(?P<type>\w+)\s*\(\s*(?P<q>[`'\"])(?P<column>[^`'\"\n]{1,100})(?P=q)"
    r"(?P<args>[^()]{0,300})\)(?P<chain>(?:\s*\.\s*\w+\s*\([^()]{0,200}\))*)"
)
#: the table a knex callback defines or changes (created tables hold no rows yet)
_KNEX_OWNER = re.compile(
    r"\.\s*(?P<op>createTable|createTableIfNotExists|alterTable|table)\s*\(\s*"
    r"[`'\"](?P<table>[^`'\"\n]{1,100})[`'\"]"
)
#: knex's column types, by family: integers by width, text, floating and fixed point
_KNEX_INTEGERS = {"tinyint": 1, "smallint": 2, "mediumint": 3, "integer": 4, "int": 4,
                  "increments": 4, "biginteger": 8, "bigint": 8, "bigincrements": 8}  # fmt: skip
_KNEX_TEXT = frozenset({"string", "text", "enu", "enum"})
_KNEX_NUMBERS = frozenset({"float", "double", "decimal"})
_KNEX_TYPES = frozenset({*_KNEX_INTEGERS, *_KNEX_TEXT, *_KNEX_NUMBERS, "boolean", "date",
                         "datetime", "timestamp", "time", "json", "jsonb", "uuid", "binary",
                         "specifictype"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class KnexColumn:
    """One column a knex side defines: its table, type as written, and what is chained."""

    table: str
    column: str
    #: the builder method, lower-cased (``biginteger``, ``string``), and its other arguments
    #: with spaces removed (``20,2``)
    type: str
    args: str
    not_null: bool
    altered: bool
    line: int
    #: read from a merged migration (not from the change's own down)
    merged: bool = False

    @property
    def spelled(self) -> str:
        return f"{self.type}({self.args})" if self.args else self.type


def knex_columns(side: Side) -> list[KnexColumn]:
    """The columns a knex side defines inside ``createTable``/``alterTable``/``table``
    callbacks, in order."""
    code = COMMENTS.sub(lambda c: " " * len(c.group()), side.body)
    owners = [(o.start(), o.group("table")) for o in _KNEX_OWNER.finditer(code)]
    out = []
    for d in _KNEX_DEF.finditer(code):
        kind = d.group("type").lower()
        table = [t for at, t in owners if at < d.start()]
        if kind not in _KNEX_TYPES or not table:
            continue
        chained = re.findall(r"\.\s*(\w+)\s*\(", d.group("chain"))
        out.append(KnexColumn(
            table=table[-1],
            column=d.group("column"),
            type="enu" if kind == "enum" else kind,
            args=re.sub(r"\s+", "", d.group("args")).lstrip(","),
            not_null="notNullable" in chained,
            altered="alter" in chained,
            line=side.line + code.count("\n", 0, d.start()),
        ))  # fmt: skip
    return out


def merged_columns(texts: Iterable[str]) -> dict[tuple[str, str], KnexColumn]:
    """(table, column) -> its last definition in the ups of ``texts`` (merged knex
    migrations, in apply order), whether made or altered."""
    out: dict[tuple[str, str], KnexColumn] = {}
    for text in texts:
        m = read(text)
        if m.library == KNEX and m.up is not None:
            out.update({(c.table, c.column): dataclasses.replace(c, merged=True)
                        for c in knex_columns(m.up)})  # fmt: skip
    return out


def alter_hits(new: KnexColumn, known: Mapping[tuple[str, str], KnexColumn]) -> list[Hit]:
    """What a column's ``.alter()`` does, read against the column as it was: its last
    definition in the merged migrations, else the one the down restores (knex redefines the
    whole column: the down's ``.alter()`` is the column as it was). Without either, only a
    warning that the type may change."""
    where = f"{new.table}.{new.column}"
    old = known.get((new.table, new.column))
    if old is None:
        msg = (
            f"Changes column {where} with knex .alter(), and neither a merged migration nor "
            "the down defines it: if its type changes, the table is rewritten."
        )
        return [Hit("change-column-type", msg, new.line, where, level=Level.WARNING)]
    out = []
    if (old.type, old.args) != (new.type, new.args):
        said = "as merged migrations define it" if old.merged else "as its down restores it"
        change = f"from {old.spelled} ({said}) to {new.spelled}"
        if _widens(old, new):
            msg = (
                f"Changes the type of {where} {change} with knex .alter(): readers can still "
                "read it, but the table is rewritten (copied by MySQL, rebuilt by knex on "
                "SQLite, rewritten under ACCESS EXCLUSIVE by PostgreSQL)."
            )
            out.append(Hit("change-column-type", msg, new.line, where, table=(new.table,),
                           sized=True))  # fmt: skip
        else:
            msg = (
                f"Changes the type of {where} {change} with knex .alter(): the table is "
                "rewritten, and values or code written for the old type may not fit the new."
            )
            out.append(Hit("change-column-type", msg, new.line, where, table=(new.table,)))
    if new.not_null and not old.not_null:
        said = "merged migrations left it nullable" if old.merged else "its down leaves it nullable"
        msg = (
            f"Sets NOT NULL on {where} with knex .alter() ({said}): the "
            "whole table is checked under lock, and the up fails on a row holding NULL."
        )
        out.append(Hit("set-not-null", msg, new.line, where, table=(new.table,)))
    return out


def _numbers(args: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", args)]


def _widens(old: KnexColumn, new: KnexColumn) -> bool:
    """True when every value of the old type fits the new one: a wider integer, longer
    text (an enum's values fit a string), a float or decimal with more digits before the
    point and as many after it."""
    if old.type in _KNEX_INTEGERS and new.type in _KNEX_INTEGERS:
        return _KNEX_INTEGERS[new.type] >= _KNEX_INTEGERS[old.type]
    if old.type in _KNEX_TEXT and new.type in ("text", "string"):
        if new.type == "text" or old.type == "enu":
            return True
        before, after = _numbers(old.args) or [255], _numbers(new.args) or [255]
        return old.type == "string" and after[0] >= before[0]
    if old.type in _KNEX_NUMBERS and new.type in _KNEX_NUMBERS:
        if new.type == "double":
            return old.type in ("float", "double")
        if old.type != new.type:
            return False
        before, after = _numbers(old.args) or [8, 2], _numbers(new.args) or [8, 2]
        before, after = [*before, 2][:2], [*after, 2][:2]
        return after[1] == before[1] and after[0] >= before[0]
    return False
