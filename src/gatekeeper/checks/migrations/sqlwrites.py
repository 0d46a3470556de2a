"""What one SQL statement of a migration adds, and what it writes over: the facts the PHP
readers (:mod:`.phpmig`) weigh an empty down by.

An up that only *adds* (a new table, a nullable or defaulted column, an index, a key)
leaves nothing old code trips on: its down is derivable and a rollback that keeps the
additions breaks nothing. An up that *writes over* rows (an UPDATE whose WHERE does not
limit each column it sets to empty ones, a DELETE) loses what they held: no down written
later can give it back. Statements are read with parentheses and quoted text masked, so
a subquery's WHERE or a string holding ``OR`` is not taken for the statement's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations.sqltext import strip_comments

#: a name as SQL writes it: bare, quoted or backquoted, with an optional schema
_NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+))?'
_CREATES = re.compile(
    r"^CREATE\s+(?:(?:UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\b|^CREATE\s+(?:TEMPORARY\s+)?TABLE\b"
    r"|^CREATE\s+(?:SEQUENCE|TYPE|EXTENSION|SCHEMA)\b|^COMMENT\s+ON\b"
    # a new view (not OR REPLACE: that changes one old code may read)
    r"|^CREATE\s+(?:MATERIALIZED\s+)?VIEW\b",
    re.IGNORECASE,
)
_CREATE_TABLE = re.compile(
    rf"^CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})", re.IGNORECASE
)
_ALTER = re.compile(rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?({_NAME})\s+", re.IGNORECASE)
_ADD = re.compile(rf"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})?", re.IGNORECASE)
#: what ADD adds when it is not a column
_NOT_COLUMN = frozenset({"constraint", "index", "key", "unique", "foreign", "primary",
                         "fulltext", "spatial", "check"})  # fmt: skip
_UPDATE = re.compile(rf"^UPDATE\s+(?:ONLY\s+)?({_NAME})(?:\s+(?:AS\s+)?\w+)?\s+SET\s+",
                     re.IGNORECASE)  # fmt: skip
_DELETE = re.compile(rf"^DELETE\s+(?:FROM\s+)?({_NAME})", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s(?:WHERE|FROM|RETURNING|ORDER\s+BY|LIMIT)\s", re.IGNORECASE)
_SET_COLUMN = re.compile(rf"^\s*(?:{_NAME}\.)?(\"[^\"]+\"|`[^`]+`|[\w$]+)\s*=")
_EMPTY = re.compile(
    rf"(?:{_NAME}\.)?(\"[^\"]+\"|`[^`]+`|[\w$]+)\s+IS\s+NULL\b"
    rf"|(?:{_NAME}\.)?(\"[^\"]+\"|`[^`]+`|[\w$]+)\s*=\s*''",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RowWrite:
    """One write of rows a migration makes through its framework's API: the table, the
    columns it sets (none for a delete), the columns its filter limits to empty values
    (NULL or ''), and whether it deletes."""

    table: str
    line: int
    columns: tuple[str, ...] = ()
    only_empty: frozenset[str] = frozenset()
    deletes: bool = False


def bare(name: str) -> str:
    """A name without quotes or schema, lowercased."""
    return name.rsplit(".", 1)[-1].strip('"`[]').lower()


def adds_only(statement: str) -> bool:
    """The statement creates something new (a table, an index, a type) or adds to a table
    only what old code ignores: nullable or defaulted columns, indexes, keys."""
    text = " ".join(statement.split()).rstrip(";")
    if _CREATES.match(text):
        return True
    alter = _ALTER.match(text)
    if alter is None:
        return False
    for clause in _top_level(text[alter.end() :], ","):
        add = _ADD.match(clause.strip())
        if add is None:
            return False
        word = (add.group(1) or "").lower()
        if word in _NOT_COLUMN:
            continue
        rest = clause[add.end() :] if add.group(1) else clause
        required = re.search(r"\bNOT\s+NULL\b", rest, re.IGNORECASE)
        if required and not re.search(r"\bDEFAULT\b|\bAUTO_INCREMENT\b|\bSERIAL\b", rest, re.I):
            return False
    return True


def fresh(statement: str) -> set[tuple[str, str]]:
    """What the statement makes that holds nothing yet: ``(table, column)`` of an added
    column, ``(table, "*")`` of a created table."""
    text = " ".join(statement.split()).rstrip(";")
    made = _CREATE_TABLE.match(text)
    if made is not None:
        return {(bare(made.group(1)), "*")}
    alter = _ALTER.match(text)
    if alter is None:
        return set()
    table, out = bare(alter.group(1)), set()
    for clause in _top_level(text[alter.end() :], ","):
        add = _ADD.match(clause.strip())
        if add is not None and add.group(1) and add.group(1).lower() not in _NOT_COLUMN:
            out.add((table, bare(add.group(1))))
    return out


def lost(statement: str, new: set[tuple[str, str]]) -> str:
    """What the statement writes over ("t.c", "the rows of t it deletes"), "" when
    nothing: a DELETE, or an UPDATE of a column its WHERE does not limit to empty values;
    ``new``: columns and tables the same up made (``fresh``), which held nothing to lose."""
    text = " ".join(statement.split()).rstrip(";")
    deleted = _DELETE.match(text)
    if deleted is not None:
        table = bare(deleted.group(1))
        return "" if (table, "*") in new else f"the rows of {table} it deletes"
    update = _UPDATE.match(text)
    if update is None:
        # an UPDATE of a shape not read here (a join, a CTE): what it sets is not known
        return "the rows it updates" if re.match(r"UPDATE\b", text, re.IGNORECASE) else ""
    masked = _mask(text)
    end = _CLAUSE_END.search(masked, update.end())
    assignments = _top_level(text[update.end() : end.start() if end else len(text)], ",")
    columns = [bare(m.group(1)) if (m := _SET_COLUMN.match(a)) else "?" for a in assignments]
    where = re.search(r"\sWHERE\s", masked[update.end() :], re.IGNORECASE)
    empty: set[str] = set()
    if where is not None:
        condition = masked[update.end() + where.end() :]
        if not re.search(r"\bOR\b", condition, re.IGNORECASE):
            empty = {bare(a or b) for a, b in _EMPTY.findall(condition)}
    return written_over(RowWrite(bare(update.group(1)), 0, tuple(columns), frozenset(empty)), new)


_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?({_NAME})", re.IGNORECASE)


def target(statement: str) -> str | None:
    """The table an UPDATE, DELETE or TRUNCATE writes (as written), None for any other
    statement."""
    text = " ".join(statement.split())
    for pattern in (_UPDATE, _DELETE, _TRUNCATE):
        m = pattern.match(text)
        if m is not None:
            return m.group(1)
    return None


def destroyed(statement: str, new: set[tuple[str, str]]) -> str:
    """What the statement destroys, "" when nothing: the rows a ``DELETE`` or ``TRUNCATE``
    removes, or the values an ``UPDATE`` erases (sets to NULL or '') in a column that
    held them (not one of ``new``) for rows chosen by the column's own value (``SET url =
    NULL WHERE url NOT LIKE 'http%'``). An UPDATE that writes another value (a remap, a
    recomputation) or erases every row's or rows chosen by other columns (a reset of
    state, a stale copy cleared) is no evidence of a loss: reviewers read those as fixes."""
    text = " ".join(strip_comments(statement).split()).rstrip(";")
    if (truncated := _TRUNCATE.match(text)) is not None:
        return f"every row of {bare(truncated.group(1))} (TRUNCATE)"
    if _DELETE.match(text):
        return lost(text, new)
    update = _UPDATE.match(text)
    if update is None:
        return ""
    masked = _mask(text)
    end = _CLAUSE_END.search(masked, update.end())
    where = re.search(r"\sWHERE\s", masked[update.end() :], re.IGNORECASE)
    condition = text[update.end() + where.end() :] if where else ""
    table = bare(update.group(1))
    masked_condition = masked[update.end() + where.end() :] if where else ""
    empty: set[str] = set()
    if not re.search(r"\bOR\b", masked_condition, re.IGNORECASE):
        empty = {bare(a or b) for a, b in _EMPTY.findall(masked_condition)}
    out = []
    for assignment in _top_level(text[update.end() : end.start() if end else len(text)], ","):
        m = _SET_COLUMN.match(assignment)
        value = assignment[m.end() :].strip().upper() if m else ""
        if m is None or value not in ("NULL", "''"):
            continue
        column = bare(m.group(1))
        if (table, column) in new or (table, "*") in new:
            continue
        if column in empty:
            continue  # ``WHERE c IS NULL``: nothing there to lose
        if where and _chosen_by_itself(condition, column):
            out.append(f"{update.group(1)}.{column}")
    return ", ".join(out)


def _chosen_by_itself(condition: str, column: str) -> bool:
    """Whether a WHERE picks rows by ``column``'s own value (``url NOT LIKE 'http%'``):
    values judged wrong and thrown away. A test of presence (``url IS NOT NULL``) reads
    no value."""
    text = re.sub(r"'(?:[^']|'')*'", " ", condition).replace('"', " ").replace("`", " ")
    name = rf"(?<![\w$.])(?:[\w$]+\.)?{re.escape(column)}(?![\w$])"
    return re.search(rf"{name}(?!\s+IS\s)", text, re.IGNORECASE) is not None


#: one condition that a reference column is empty: ``"WalletId" = ''``, ``owner_id IS NULL``
_EMPTY_REFERENCE = re.compile(
    r"^(?:[\w$\"`]+\.)?[\"`]?(?:[\w$]*[a-z0-9]Id|[\w$]*_(?:id|ID)|Id|id)[\"`]?"
    r"\s*(?:=\s*''|(?i:IS\s+NULL))$"
)


def deletes_unreferenced(statement: str) -> bool:
    """A ``DELETE`` whose WHERE only picks rows whose reference column is empty (each
    condition, joined by AND, ``<x>Id = ''`` or ``<x>_id IS NULL``): rows that point at
    nothing, which no code reaches through what they belong to (btcpayserver's wallet
    objects saved with an empty WalletId). Rows chosen by any other column, or by OR,
    are data."""
    text = " ".join(strip_comments(statement).split()).rstrip(";")
    if _DELETE.match(text) is None:
        return False
    where = re.search(r"\sWHERE\s", text, re.IGNORECASE)
    if where is None:
        return False
    conditions = re.split(r"\s+AND\s+", text[where.end() :].strip(), flags=re.IGNORECASE)
    return all(_EMPTY_REFERENCE.match(c.strip().strip("()").strip()) for c in conditions)


def written_over(write: RowWrite, new: set[tuple[str, str]]) -> str:
    """What a write of rows loses ("t.c", "the rows of t it deletes"), "" when nothing
    (see :func:`lost`)."""
    table = bare(write.table)
    if (table, "*") in new:
        return ""
    if write.deletes:
        return f"the rows of {write.table} it deletes"
    kept = {bare(c) for c in write.only_empty} | {c for t, c in new if t == table}
    over = [c for c in write.columns if bare(c) not in kept]
    return ", ".join(f"{write.table}.{c}" for c in over)


#: a WHERE that bounds nothing: always true, or only NULL tests (``WHERE queued_at IS
#: NULL`` right after adding ``queued_at`` matches every row)
_UNBOUNDED_WHERE = re.compile(
    r"\s*(?:true|1\s*=\s*1|[\w.\"`]+\s+is\s+(?:not\s+)?null"
    r"(?:\s+(?:and|or)\s+[\w.\"`]+\s+is\s+(?:not\s+)?null)*)\s*;?\s*",
    re.IGNORECASE,
)


def writes_every_row(statement: str) -> bool:
    """Whether an UPDATE or DELETE writes every row of its table: it has no WHERE of its
    own (one inside a subquery bounds the subquery), or one that bounds nothing."""
    text = strip_comments(statement)
    where = re.search(r"\bWHERE\b", _mask(text), re.IGNORECASE)
    return where is None or _UNBOUNDED_WHERE.fullmatch(text[where.end() :]) is not None


def _top_level(text: str, sep: str) -> list[str]:
    """``text`` split at each ``sep`` outside parentheses and quotes."""
    masked = _mask(text)
    out, start = [], 0
    for i, c in enumerate(masked):
        if c == sep:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [part for part in out if part.strip()]


def _mask(text: str) -> str:
    """``text`` with what is inside parentheses and quotes blanked (``_``), same length."""
    out: list[str] = []
    depth, quote = 0, ""
    for c in text:
        if quote:
            out.append(c if c == quote else "_")
            quote = "" if c == quote else quote
        elif c in "'\"`":
            quote = c
            out.append(c)
        elif c == "(":
            depth += 1
            out.append(c if depth == 1 else "_")
        elif c == ")":
            depth = max(0, depth - 1)
            out.append(c if depth == 0 else "_")
        else:
            out.append("_" if depth else c)
    return "".join(out)
