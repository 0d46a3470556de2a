"""What a Go migration's up does that the safety rules weigh (see :mod:`.gomig`).

Its SQL string expressions, outside the down functions, reviewed like a SQL file's
statements in the dialects its package is written for; parts only known at run time
reported; and the ORM calls that drop, rename or retype (xorm's ``DropTables``, gorm's
``Migrator().DropColumn``/``AlterColumn``, a project's ``dropTableColumn`` helper).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from gatekeeper.checks.migrations import gomig, gosrc
from gatekeeper.checks.migrations.gomig import GoMigration
from gatekeeper.checks.migrations.goshapes import Side, line_of
from gatekeeper.checks.migrations.gosrc import Token
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement
from gatekeeper.checks.migrations.tables import SIZE_RULES
from gatekeeper.model import Level

_SCHEMA_CALLS = (
    (re.compile(r"(?i)^drop\w*colum"), "drop-column"),
    (re.compile(r"(?i)^drop_?tables?$|^dropTableIfExists$"), "drop-table"),
    (re.compile(r"(?i)^rename\w*colum"), "rename-column"),
    (re.compile(r"(?i)^rename_?table"), "rename-table"),
    (re.compile(r"(?i)^(?:alter|modify|change)\w*colum"), "change-column-type"),
)

SqlReview = Callable[[list[Statement], bool], list[Hit]]


def hits(m: GoMigration, added: frozenset[int], sql_review: SqlReview) -> list[Hit]:
    """Hits on ``added`` lines outside the down functions: the SQL reviewed like a SQL
    file's, SQL the gate could not read, and the ORM's destructive schema calls."""
    downs = [p.down for p in m.pairs if p.down is not None]
    if m.library == gomig.STEPS:  # the steps alone: the schema constant is no migration
        found, blind = _steps_sql(m)
    else:
        found, blind = gomig.sql_in(m, 0, len(m.toks), downs)
    out: list[Hit] = []
    for sql in found:
        reviewed = sql_review(sql.statements, m.in_transaction)
        if not sql.runtime:
            out += reviewed
            continue
        out += [_unknown_table(h) for h in reviewed]
        parts = ", ".join(sql.runtime[:3])
        msg = (
            f"SQL built at run time ({parts}): the gate reviewed it with those parts "
            "unknown; check what they can be."
        )
        out.append(Hit("unreviewed-statement", msg, sql.line, parts, level=Level.WARNING))
    for line in blind:
        msg = "SQL executed from a value only known at run time: the gate could not read it."
        out.append(Hit("unreviewed-statement", msg, line, f"line {line}", level=Level.WARNING))
    out += _schema_calls(m, downs) if m.library != gomig.STEPS else []
    return [h for h in out if h.line in added]


def _steps_sql(m: GoMigration) -> tuple[list[gomig.Sql], list[int]]:
    """The SQL of each step of a slice (:mod:`.gosteps`), and the lines of steps with no
    literal SQL at all (a variable, a call): those the gate cannot read."""
    found: list[gomig.Sql] = []
    blind: list[int] = []
    for p in m.pairs:
        if p.up is None:
            continue
        sql, _ = gomig.sql_in(m, p.up.open, p.up.close + 1, [])
        found += sql
        if not sql and m.toks[p.up.open].kind not in ("raw", "str"):
            blind.append(p.line)
    return found, blind


def _unknown_table(hit: Hit) -> Hit:
    """A hit on a table named at run time: a lock on it cannot be weighed by size (a
    warning), and a drop of it is no expand-contract step (the code cannot be searched
    for a name nobody knows)."""
    if not any(gosrc.RUNTIME in t for t in (*hit.table, *hit.target)):
        return hit
    message = hit.message.replace(gosrc.RUNTIME, "<run-time value>")
    if hit.rule in SIZE_RULES or hit.sized:
        message += " The table is named at run time: a warning."
        return replace(hit, table=(), target=(), level=Level.WARNING, message=message)
    return replace(hit, target=(), message=message)


def _schema_calls(m: GoMigration, skip: list[Side]) -> list[Hit]:
    toks, out = m.toks, []
    for i in range(1, len(toks) - 1):
        t = toks[i]
        if t.kind != "ident" or toks[i + 1].text != "(" or toks[i - 1].text == "func":
            continue
        rule = next((r for pattern, r in _SCHEMA_CALLS if pattern.search(t.text)), None)
        if rule is None or any(s.open <= i <= s.close for s in skip):
            continue
        close = gosrc.closing(toks, i + 1) or i + 1
        inner = toks[i + 2 : close]
        names = [gosrc.literal_value(x) for x in inner if x.kind in ("raw", "str")]
        types = [x.text for k, x in enumerate(inner[:-1]) if x.kind == "ident"
                 and inner[k + 1].text == "{"]  # fmt: skip
        out.append(_call_hit(rule, t.text, types + names, line_of(m.text, t)))
    return out


def _call_hit(rule: str, call: str, names: list[str], line: int) -> Hit:
    table = names[0] if names else "?"
    column = names[1] if len(names) > 1 else "?"
    where = f"{table}.{column}"
    if rule == "drop-column":
        return Hit(rule, f"{call} drops column {where}.", line, where, (table, column))
    if rule == "drop-table":
        return Hit(rule, f"{call} drops table {', '.join(names) or '?'}.", line, table, (table,))
    if rule == "rename-column":
        return Hit(rule, f"{call} renames column {where}.", line, where)
    if rule == "rename-table":
        return Hit(rule, f"{call} renames table {table}.", line, table)
    msg = f"{call} changes column {where}: if its type changes, the table is rewritten."
    return Hit(rule, msg, line, where, level=Level.WARNING)


# --- dialect -----------------------------------------------------------------------------

_DRIVERS = (
    ("postgres", re.compile(r"(?i)postgres|\bpgx\b|lib/pq\b")),
    ("mysql", re.compile(r"(?i)mysql|mariadb")),
    ("sqlite", re.compile(r"(?i)sqlite")),
)


def dialects(texts: list[str], default: str) -> list[str]:
    """The dialects a Go migrations package is judged in: the policy's, unless the
    package (as merged) names database drivers and PostgreSQL is not among them; then
    each one it names (writefreely's migrations branch on MySQL and SQLite)."""
    named = [d for d, pattern in _DRIVERS if any(pattern.search(t) for t in texts)]
    if not named or "postgres" in named:
        return [default]
    return named


#: xorm's database types (``schemas.MYSQL``, old ``core.POSTGRES``) and gitea's tests on
#: them (``setting.Database.Type.IsSQLite3()``): the dialect of the SQL inside
_DB_TYPES = {"MYSQL": "mysql", "POSTGRES": "postgres", "SQLITE": "sqlite", "MSSQL": "tsql"}
_DB_TESTS = {"IsMySQL": "mysql", "IsPostgreSQL": "postgres", "IsSQLite3": "sqlite",
             "IsMSSQL": "tsql"}  # fmt: skip


def dialect_branches(m: GoMigration) -> list[tuple[int, int, str]]:
    """The lines of the branches an xorm step writes for one database: a ``case
    schemas.SQLITE:`` clause of a switch on the database type, the block of an ``if``
    that tests for one (``== schemas.MYSQL``, ``.IsPostgreSQL()``). ``(first line, last
    line, dialect)``: their SQL is judged in that database's dialect alone."""
    toks, out = m.toks, []
    for i, t in enumerate(toks):
        if t.kind != "ident":
            continue
        span = _case_clause(toks, i) if t.text == "case" else None
        if t.text == "if":
            span = _if_block(toks, i)
        if span is not None:
            first, last = (line_of(m.text, toks[k]) for k in span[:2])
            out.append((first, last, span[2]))
    return out


def _db_type(toks: list[Token], k: int) -> str | None:
    """The dialect ``toks[k]`` starts naming (``schemas . SQLITE``), if any."""
    if k + 2 >= len(toks) or toks[k].text not in ("schemas", "core") or toks[k + 1].text != ".":
        return None
    return _DB_TYPES.get(toks[k + 2].text)


def _case_clause(toks: list[Token], i: int) -> tuple[int, int, str] | None:
    """``case schemas.X:``: from its colon to the next clause or the switch's end."""
    rules = _db_type(toks, i + 1)
    if rules is None or i + 4 >= len(toks) or toks[i + 4].text != ":":
        return None  # several types in one clause: judged as before
    depth, k = 0, i - 1
    while k >= 0 and not (toks[k].text == "{" and depth == 0):
        depth += {"}": 1, "{": -1}.get(toks[k].text, 0)
        k -= 1
    switch_end = gosrc.closing(toks, k) if k >= 0 else None
    if switch_end is None:
        return None
    depth, j = 0, i + 5
    while j < switch_end and not (depth == 0 and toks[j].text in ("case", "default")):
        depth += {"{": 1, "}": -1}.get(toks[j].text, 0)
        j += 1
    return (i + 4, j - 1, rules) if j - 1 > i + 4 else None


def _if_block(toks: list[Token], i: int) -> tuple[int, int, str] | None:
    """``if <a test for one database> {...}``: the block, else part aside."""
    k = i + 1
    while k < len(toks) and toks[k].text != "{":
        k += 1
    cond = toks[i + 1 : k]
    if k >= len(toks) or any(t.text in ("!", "!=", "||", ";") for t in cond):
        return None
    tested = {_DB_TESTS[t.text] for t in cond if t.text in _DB_TESTS}
    if any(t.text == "==" for t in cond):
        tested |= {d for n in range(len(cond)) if (d := _db_type(cond, n))}
    end = gosrc.closing(toks, k)
    return (k, end, tested.pop()) if len(tested) == 1 and end is not None else None
