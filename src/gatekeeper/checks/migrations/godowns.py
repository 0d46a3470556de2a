"""Go migrations' downs and history (see :mod:`.gomig` for the shapes).

A goose, gormigrate or xormigrate migration needs a down that does something, unless its
up only adds or changes rows (then a do-nothing down warns: vikunja's convention for new
columns, the honest down of a data migration); a project runner and xorm's versioned steps
are forward-only. An edit of a merged Go migration is judged by what it changes: comments,
layout and a moved module path nothing; the down functions alone a ``down-edited``; the Go
around unchanged SQL a warning (an xorm step's Go is judged itself: :mod:`.goxorm`).
"""

from __future__ import annotations

import re

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import gosrc, gosteps
from gatekeeper.checks.migrations.gomig import (
    ADDITIVE_SQL,
    DESTRUCTIVE_CALL,
    EXEC,
    FORWARD_ONLY,
    HANDLE,
    STEPS,
    GoMigration,
    read,
    sql_in,
)
from gatekeeper.checks.migrations.goshapes import Side, call_args
from gatekeeper.checks.migrations.hits import FORWARD_ONLY_AFTER
from gatekeeper.checks.migrations.sqltext import irreversible_reason, strip_comments
from gatekeeper.model import Finding, Level

# --- reversibility -----------------------------------------------------------------------


def does_nothing(m: GoMigration, side: Side) -> bool:
    """A body that is empty or only ``return nil``."""
    inner = [t.text for t in m.toks[side.open + 1 : side.close] if t.text != ";"]
    return inner in ([], ["return", "nil"], ["return"])


#: calls that add schema (xorm's Sync, gorm's AutoMigrate, CreateTable, AddColumn) or rows
_ADDS = re.compile(r"(?i)sync|automigrate|create|add|^(?:update|insert|save|upsert|delete)")
#: helpers named for reading (``listLeafPartitions(ctx, db, ...)``): handed the handle to
#: look, not to change
_READS = re.compile(r"(?i)^(?:list|get|find|count|has|exists|select|query|load|read|fetch)")


def additive(m: GoMigration, up: Side) -> bool:
    """An up that only adds (tables, columns, indexes) or changes rows: its SQL is all
    CREATE, ADD, INSERT, UPDATE, DELETE (or reads), each statement's kind known; it calls
    nothing named for dropping, renaming or altering, and hands its database handle to
    no function but one of the file's own that passes the same test, or one named for
    adding or reading (``partialSync(tx, ...)``, ``listPartitions(ctx, db)``): other code
    may do anything with it. Old code ignores what such an up adds, and rows changed
    cannot be changed back by code: a rollback that does nothing is honest."""
    ok, adds = _only_adds(m, up, set())
    return ok and adds


def _only_adds(m: GoMigration, side: Side, seen: set[str]) -> tuple[bool, bool]:
    """(nothing but additions and row changes, at least one of them) in ``side``."""
    found, blind = sql_in(m, side.open, side.close, [])
    if blind:
        return False, False
    # parts known at run time may be names (a partition's); the statement's kind is not
    statements = [st for sql in found for st in sql.statements]
    if not all(ADDITIVE_SQL.match(strip_comments(st.text)) for st in statements):
        return False, False
    toks, handles = m.toks, _handles(m, side)
    adds = bool(statements)
    for k in range(side.open, side.close):
        name = toks[k].text
        if toks[k].kind != "ident" or toks[k + 1].text != "(":
            continue
        if DESTRUCTIVE_CALL.search(name):
            return False, False
        adds = adds or bool(_ADDS.search(name))
        close = gosrc.closing(toks, k + 1) or k + 1
        args = call_args(toks, k + 1, close)
        # the handle itself as an argument (``tx.Dialect()`` passes something else)
        if not any(toks[a].text in handles and toks[a + 1].text in (",", ")") for a in args):
            continue
        if name in m.funcs and name not in seen:
            ok, more = _only_adds(m, m.funcs[name], seen | {name})
            if not ok:
                return False, False
            adds = adds or more
        elif not (_ADDS.search(name) or _READS.search(name) or name in EXEC):
            return False, False
    return True, adds


def _handles(m: GoMigration, side: Side) -> set[str]:
    """The parameters of the function whose body is ``side`` that are database handles
    (``tx *gorm.DB``, ``db *sql.DB``, ``x *xorm.Engine``): what it may pass on."""
    start = side.open
    while start > 0 and m.toks[start].text != "func":
        start -= 1
    toks, out = m.toks, set()
    for k in range(start, side.open - 1):
        if toks[k].kind == "ident" and toks[k + 1].text == "*":
            kind = "".join(t.text for t in toks[k + 1 : k + 5])
            if HANDLE.match(kind):
                out.add(toks[k].text)
    return out


def forward_only(merged: list[str]) -> bool:
    """True when the folder's merged Go migrations (texts) have at least
    :data:`FORWARD_ONLY_AFTER` ups and not one down: the project upgrades forward only
    (woodpecker's xormigrate steps never fill ``Rollback``), so a new one without a down
    follows the house rule rather than forgetting one. Read at base: a PR cannot make
    its folder forward-only by deleting the downs it has."""
    ups = 0
    for text in merged:
        m = read(text)
        if m is None or m.library in FORWARD_ONLY:
            continue
        for p in m.pairs:
            if p.down is not None and not does_nothing(m, p.down):
                return False
            ups += p.up is not None and not does_nothing(m, p.up)
    return ups >= FORWARD_ONLY_AFTER


def check(
    check: BaseCheck,
    path: str,
    text: str,
    *,
    honour_marker: bool = True,
    forward: bool = False,
) -> list[Finding]:
    """A goose, gormigrate or xormigrate migration without a down, or whose down does
    nothing; a project runner's migrations and xorm's steps are forward-only (no down slot
    to fill), and so are those of a folder whose merged migrations never wrote a down
    (``forward``)."""
    m = read(text)
    if m is None or m.library in (*FORWARD_ONLY, STEPS) or forward:
        return []
    reason = irreversible_reason(text) if honour_marker else None
    out = []
    for p in m.pairs:
        if p.up is None or does_nothing(m, p.up):
            continue  # nothing to undo
        if p.down is not None and not does_nothing(m, p.down):
            continue
        if reason:
            return [check.finding("irreversible", f"Declared irreversible: {reason}",
                                  path=path, line=1, evidence=reason)]  # fmt: skip
        if p.down is None:
            msg = (
                f"{m.library} migration in {path} has no down (nil or absent): a rollback "
                "cannot undo it."
            )
            out.append(check.finding("missing-down", msg, path=path, line=p.line, evidence=path))
        elif additive(m, p.up):
            msg = (
                f"The down of {m.library} migration in {path} does nothing, and its up only "
                "adds (tables, columns, indexes) or changes rows: a rollback leaves what it "
                "added, which code written before ignores, and keeps the changed rows (take "
                "a backup if they matter; a warning, strict blocks it)."
            )
            out.append(check.finding("empty-down", msg, path=path, line=p.down.line,
                                     evidence=path, level=Level.WARNING))  # fmt: skip
        else:
            msg = (
                f"The down of {m.library} migration in {path} does nothing: a rollback "
                "leaves what the up did."
            )
            out.append(check.finding("empty-down", msg, path=path, line=p.down.line, evidence=path))
    return out


# --- history -----------------------------------------------------------------------------


def same_code(before: str, after: str) -> bool:
    """Two texts of a Go file that compile the same: equal once comments and layout are
    set aside (a copyright line, a ``//nolint`` note, gofmt's spacing), and imports
    compared by the package name code uses (a repository moved to a new module path)."""
    return _code_texts(before) == _code_texts(after)


def _code_texts(text: str) -> list[str]:
    toks = gosrc.code(gosrc.tokens(text))
    out, importing, depth = [], False, 0
    for t in toks:
        if t.text == "import" and t.kind == "ident":
            importing, depth = True, 0
        elif importing and t.text == "(":
            depth += 1
        elif importing and t.text == ")":
            depth -= 1
            importing = depth > 0
        elif importing and t.kind in ("raw", "str"):
            out.append(gosrc.literal_value(t).rsplit("/", 1)[-1])
            importing = depth > 0
            continue
        out.append(t.text)
    return out


def same_up(before: str, after: str) -> bool:
    """Two texts of a goose, gormigrate or xormigrate file that differ only inside their
    down functions (comments and layout aside): what ran on databases is unchanged."""
    old, new = read(before), read(after)
    if old is None or new is None or FORWARD_ONLY & {old.library, new.library}:
        return False
    return _outside_downs(old) == _outside_downs(new)


def _outside_downs(m: GoMigration) -> list[str]:
    downs = [p.down for p in m.pairs if p.down is not None]
    return [t.text for i, t in enumerate(m.toks) if not any(d.open < i < d.close for d in downs)]


def same_sql(before: str, after: str) -> bool:
    """Two texts of a Go migration whose SQL (every statement, layout aside) and schema
    calls (named for adding, dropping, renaming, altering) are the same: only the Go
    around them changed (an error check added, a loop refactored)."""
    return _effects(before) == _effects(after) is not None


def _effects(text: str) -> list[str] | None:
    m = read(text)
    if m is None:
        return None
    found, blind = sql_in(m, 0, len(m.toks), [])
    out = [" ".join(st.text.split()) for sql in found for st in sql.statements]
    toks = m.toks
    out += [
        toks[k].text
        for k in range(len(toks) - 1)
        if toks[k].kind == "ident"
        and toks[k + 1].text == "("
        and (DESTRUCTIVE_CALL.search(toks[k].text) or _ADDS.search(toks[k].text))
    ]
    return [*out, f"blind:{len(blind)}"]


def appends_only(before: str, after: str) -> bool:
    """A slice of steps (:mod:`.gosteps`) whose merged steps are all kept as they were:
    the PR appended steps, a new migration each, and rewrote none."""
    old, new = read(before), read(after)
    if old is None or new is None or STEPS not in (old.library, new.library):
        return False
    if old.library != new.library:
        return False
    merged = gosteps.steps(old.text, old.toks)
    return gosteps.only_appends(merged, gosteps.steps(new.text, new.toks))


def edited_step(before: str, after: str) -> tuple[int, int] | None:
    """The first merged step of a slice of SQL steps that ``after`` changed or dropped:
    (its 1-based index, its line in ``after``, or the slice's last line when dropped)."""
    old, new = read(before), read(after)
    if old is None or new is None or STEPS not in (old.library, new.library):
        return None
    merged = gosteps.steps(old.text, old.toks)
    now = gosteps.steps(new.text, new.toks)
    for i, was in enumerate(merged):
        if i >= len(now) or not gosteps.only_appends([was], [now[i]]):
            return i + 1, now[min(i, len(now) - 1)].line if now else 1
    return None
