"""What Doctrine and Laravel migrations share once read: the read itself, the folder's
habit of writing downs, the review of their SQL strings, the finding of a missing or
empty down, and the history helpers.

Each framework's module (:mod:`.doctrine`, :mod:`.laravel`) finds its files, reads its
own API into a side (:mod:`.doctrineops`, :mod:`.laravelops`) and says what its up is;
this module holds what is the same once that is done, so that the two judge a down by
one rule (:func:`down_level`).
"""

from __future__ import annotations

import dataclasses
import enum
import posixpath
import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import sqlwrites
from gatekeeper.checks.migrations.habit import Downs, newest_without
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.php import Method, Source, SqlString
from gatekeeper.checks.migrations.sqleffects import DML
from gatekeeper.checks.migrations.sqltext import (
    Statement,
    irreversible_reason,
    is_session,
    split,
    strip_comments,
)
from gatekeeper.model import Finding, Level

#: merged migrations of a folder read for its habit, at most
MAX_READ = 400
#: how the caller reviews SQL statements in one dialect (in a transaction or not)
SqlReview = Callable[[list[Statement], bool], list[Hit]]


C = TypeVar("C")
#: tables (``(t, "*")``) and columns (``(t, c)``) a migration creates
Made = frozenset[tuple[str, str]] | set[tuple[str, str]]


@dataclasses.dataclass(frozen=True, slots=True)
class Side(Generic[C]):
    """What one method (``up`` or ``down``) does: the framework's calls ``C`` that change
    the schema, its SQL strings, and the rows it writes."""

    calls: tuple[C, ...]
    sql: tuple[SqlString, ...]
    #: SQL calls whose text the gate could not read (built at run time): line, argument
    unread_sql: tuple[tuple[int, str], ...]
    #: it writes rows (the framework's query builder or connection, Eloquent)
    writes_rows: bool
    #: the writes of rows read through the framework's API (what they set and filter)
    writes: tuple[sqlwrites.RowWrite, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Read(Generic[C]):
    """A PHP migration read: its methods and what ``up`` and ``down`` do."""

    src: Source
    up: Method | None
    down: Method | None
    up_side: Side[C] | None
    down_side: Side[C] | None
    transactional: bool
    #: the database the file guards itself to ("" when none)
    platform: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Framework:
    """How a framework's migrations speak of their downs."""

    #: "Doctrine", "Laravel"
    name: str
    #: what a class without a ``down()`` does on rollback, a sentence
    default_down: str
    #: what in a ``down()`` declares the step irreversible
    throws: re.Pattern[str]
    #: how a finding says the down throws
    thrown: str


def version(name: re.Pattern[str], path: str) -> str:
    """The timestamp ``name`` (the framework's file name pattern) finds in the file's name."""
    m = name.match(posixpath.basename(path))
    return m.group(1) if m else posixpath.basename(path)


# --- what a side does -------------------------------------------------------------------


def does_nothing(side: Side[C]) -> bool:
    """A side that changes nothing: no schema call, no SQL, no row written."""
    return not (side.calls or side.sql or side.unread_sql or side.writes_rows)


def statements(side: Side[C]) -> list[str]:
    """The side's SQL statements, comments stripped."""
    return [strip_comments(st.text) for s in side.sql for st in split(s.sql)]


def data_only(side: Side[C]) -> bool:
    """The side changes rows and no schema: no schema call, every SQL string is UPDATE,
    INSERT or DELETE (or a session statement), and some row is written."""
    if side.calls or side.unread_sql:
        return False
    found = statements(side)
    if not all(DML.match(s) or is_session(s) for s in found):
        return False
    return side.writes_rows or any(DML.match(s) for s in found)


def working_down(d: Read[C], throws: re.Pattern[str]) -> bool:
    """The migration has a down that does something and does not throw."""
    return (
        d.down is not None
        and d.down_side is not None
        and not (does_nothing(d.down_side) or throws.search(d.src.body(d.down)) is not None)
    )


# --- what the up is, and what its empty down means ----------------------------------------


class Up(enum.Enum):
    """What an up does, as far as a down that does nothing is concerned."""

    #: only adds what old code ignores: new tables, nullable or defaulted columns, indexes
    ADDS = "only adds (tables, nullable or defaulted columns, indexes)"
    #: only makes columns an unbounded type (Doctrine's TEXT, BLOB)
    WIDENS = "only widens columns to an unbounded type (TEXT, BLOB)"
    #: writes rows and destroys none: inserts, fills values that were empty
    FILLS = "only writes rows and overwrites none (inserts, fills empty values)"
    #: writes over rows: an update not limited to empty values, a delete
    DESTROYS = "overwrites or deletes stored rows"
    #: drops a table, a column, an index or a key
    DROPS = "drops what it cannot give back"
    #: any other schema change (a rename, a type or constraint change)
    CHANGES = "changes the schema"


def down_level(up: Up, lost: str = "") -> tuple[Level, str]:
    """The one rule both PHP readers judge an empty or missing down by, with the sentence
    that says why: an up that only adds, widens or fills warns (its down is derivable,
    and what it did is safe to leave in place); one that writes over stored rows
    (``lost`` names them) blocks, as does any other schema change, unless the step is
    declared irreversible (a down that throws, a ``gatekeeper:irreversible`` marker)."""
    if up is Up.DESTROYS:
        return Level.ERROR, (
            f" Its up overwrites stored values ({lost}): no down can give them back (take "
            "a backup, and make the down throw to declare it irreversible, or mark it "
            "`gatekeeper:irreversible <reason>`)."
        )
    if up is Up.ADDS:
        return Level.WARNING, (
            " Its up only adds (tables, nullable or defaulted columns, indexes): code of "
            "the release before ignores them, so a rollback that leaves them breaks "
            "nothing (a warning)."
        )
    if up is Up.WIDENS:
        return Level.WARNING, (
            " Its up only widens columns to an unbounded type (TEXT, BLOB): code of the "
            "release before reads and writes them as it did, so a rollback that leaves "
            "them wide loses nothing (a warning)."
        )
    if up is Up.FILLS:
        return Level.WARNING, (
            " Its up only writes rows and overwrites none (inserts, values that were "
            "empty): no schema is left to undo (a warning)."
        )
    return Level.ERROR, ""


def judge_up(
    side: Side[C],
    schema_adds: bool,
    made: set[tuple[str, str]],
    *,
    widens: bool = False,
    drops: bool = False,
) -> tuple[Up, str]:
    """What ``side`` (an up) is, and what it writes over ("" when nothing):
    ``schema_adds``, whether each of its framework calls only adds; ``made``, the
    ``(table, column)`` those calls create (``(table, "*")`` for a table), which hold
    nothing to lose."""
    found = statements(side)
    new = set(made) | made_by_sql(side)
    over = [sqlwrites.lost(s, new) for s in found] + [sqlwrites.written_over(w, new)
                                                      for w in side.writes]  # fmt: skip
    lost = ", ".join(x for x in over if x)
    if lost:
        return Up.DESTROYS, lost
    if data_only(side):
        return Up.FILLS, ""
    if widens:
        return Up.WIDENS, ""
    sql_adds = all(sqlwrites.adds_only(s) or DML.match(s) or is_session(s) for s in found)
    if schema_adds and sql_adds and not side.unread_sql:
        return Up.ADDS, ""
    return (Up.DROPS if drops else Up.CHANGES), ""


def made_by_sql(side: Side[C]) -> set[tuple[str, str]]:
    """The tables (``(t, "*")``) and columns (``(t, c)``) the side's SQL strings create."""
    return set().union(*(sqlwrites.fresh(s) for s in statements(side)))


def made_in_change(
    changes: ChangeSet,
    own: str,
    named: Callable[[str], bool],
    version: Callable[[str], str],
    made: Callable[[str], set[tuple[str, str]]],
) -> set[tuple[str, str]]:
    """The tables and columns the change's other new migrations of ``own``'s folder, older
    than it, create (``made`` reads them from a text, at head): a backfill in the same
    change can overwrite no value in them (shlink adds a column, then fills it in the
    next migration)."""
    folder = posixpath.dirname(own)
    out: set[tuple[str, str]] = set()
    for f in changes.matching((f"{folder}/*" if folder else "*",), include_deleted=False):
        if f.status is not FileStatus.ADDED or posixpath.dirname(f.path) != folder:
            continue
        if f.path != own and named(f.path) and version(f.path) < version(own):
            out |= made(changes.text_at_head(f.path) or "")
    return out


# --- the folder's habit -----------------------------------------------------------------


def downs(
    changes: ChangeSet,
    key: str,
    pattern: str,
    own: str,
    named: Callable[[str], bool],
    accept: Callable[[str, str | None], bool],
    works: Callable[[str], bool | None],
) -> tuple[int, int, int]:
    """How a folder's merged migrations stand: (with a working down, without, the newest
    in a row without: :attr:`.Downs.newest_without`), ``own``,
    the migration judged, left out. ``pattern``: the folder's files (``folder/*.php``),
    ``named``: a path worth reading, ``accept``: a path and text that are a migration,
    ``works``: whether a migration's down works (None when its up does nothing). Read at
    base, once per run (the fact ``key``)."""
    folder = posixpath.dirname(pattern)

    def read_all() -> dict[str, bool]:
        out: dict[str, bool] = {}
        for path in sorted(changes.base_paths((pattern,)))[-MAX_READ:]:
            if posixpath.dirname(path) != folder or not named(path):
                continue
            text = changes.text_at_base(path)
            if not accept(path, text):
                continue
            verdict = works(text or "")
            if verdict is not None:
                out[path] = verdict
        return out

    found: dict[str, bool] = changes.fact(key, read_all)
    working = sum(1 for path, ok in found.items() if ok and path != own)
    without = sum(1 for path, ok in found.items() if not ok and path != own)
    return working, without, newest_without(ok for path, ok in found.items() if path != own)


# --- reversibility ----------------------------------------------------------------------


def reversibility(
    check: BaseCheck,
    path: str,
    text: str,
    d: Read[C],
    habit: Downs,
    fw: Framework,
    judge: Callable[[Read[C]], tuple[Up, str]],
    *,
    honour_marker: bool = True,
) -> list[Finding]:
    """Missing, empty or throwing ``down`` of ``d``, a ``fw`` migration: judged by what its
    up is (``judge``, then :func:`down_level`) and by the folder's ``habit`` (read at
    base, as for SQL folders in convention.py). A folder that never writes downs asks for
    none; one that mostly does not makes an error a warning."""
    if d.up is None or d.up_side is None or does_nothing(d.up_side) or working_down(d, fw.throws):
        return []
    kind, lost = judge(d)
    reason = irreversible_reason(text) if honour_marker else None
    if reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    if d.down is not None and fw.throws.search(d.src.body(d.down)) is not None:
        said = f"its down throws {fw.thrown} (the up {kind.value})"
        return [check.finding("irreversible", f"Declared irreversible: {said}.", path=path,
                              line=d.down.line, evidence=said)]  # fmt: skip
    if habit.forward_only():
        return []
    level, message = down_level(kind, lost)
    if d.down is None:
        rule, line = "missing-down", d.up.line
        message = f"{fw.name} migration {path} has an up and no down: {fw.default_down}{message}"
    else:
        rule, line = "empty-down", d.down.line
        message = (
            f"The down of {fw.name} migration {path} does nothing: a rollback leaves what "
            f"the up did.{message}"
        )
    if level is Level.ERROR and habit.mostly_without():
        message += habit.note()
        level = Level.WARNING
    return [check.finding(rule, message, path=path, line=line, evidence=path, level=level)]


# --- safety -----------------------------------------------------------------------------


def sql_hits(side: Side[C], in_transaction: bool, review: SqlReview) -> list[Hit]:
    """The side's SQL strings reviewed like a SQL file's, each statement on the line of
    its call."""
    out: list[Hit] = []
    for s in side.sql:
        found = [dataclasses.replace(st, line=s.line, end_line=s.line) for st in split(s.sql)]
        out += [h for h in review(found, in_transaction) if h not in out]
    return out


def unread_hits(side: Side[C]) -> list[Hit]:
    """One hit for each SQL text the side builds at run time: not reviewed."""
    out: list[Hit] = []
    for line, arg in side.unread_sql:
        msg = (
            f"SQL built at run time ({arg[:80]}) is run here: the gate cannot read it, so "
            "it was not reviewed."
        )
        out.append(Hit("unreviewed-statement", msg, line, f"runtime-sql:{arg[:200]}"))
    return out


# --- configuration ----------------------------------------------------------------------


def named_dialect(
    changes: ChangeSet,
    key: str,
    configs: Sequence[str],
    patterns: Sequence[re.Pattern[str]],
    names: dict[str, str],
) -> str:
    """The database the merged ``configs`` name, when they name one only ("" otherwise):
    each of ``patterns`` finds a driver word, ``names`` maps it to a dialect. Read once
    per run (the fact ``key``)."""

    def read_config() -> str:
        named: set[str] = set()
        for path in configs:
            text = changes.text_at_base(path) or ""
            for word in (w for p in patterns for w in p.findall(text)):
                if word.lower() in names:
                    named.add(names[word.lower()])
        return named.pop() if len(named) == 1 else ""

    found: str = changes.fact(key, read_config)
    return found


# --- history ----------------------------------------------------------------------------


def effects(side: Side[C] | None, calls: Callable[[C], str]) -> list[str] | None:
    """What an up runs, layout aside: its SQL statements, then each of its calls as
    ``calls`` spells it; None without an up."""
    if side is None:
        return None
    found = [" ".join(st.text.split()) for s in side.sql for st in split(s.sql)]
    return found + [calls(c) for c in side.calls]
