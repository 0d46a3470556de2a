"""Prove reversibility: up to the parent, snapshot, up, snapshot, down, compare, up, compare.

The steps are the same for every framework and engine; a :class:`Unit` says how to run
one migration's up and down on a :class:`~.catalog.Database`. The snapshots and the
comparisons are always taken here, in the gate's process: when a step runs the PR's own
code in a child process, the child can report that its step failed, never that the round
trip held. The scratch database is created here and always discarded, whatever happens.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from gatekeeper.checks.migrations.catalog import Catalog, Database, EngineError

Step = Callable[[Database], None]


class Unproven(EngineError):
    """A step whose runner did not report that it ran (it stopped, timed out, or says it
    could not run): the snapshots decide. Where a comparison is due, a schema that is not
    back fails the round trip whatever the runner said; otherwise it is "not run"."""

    def __init__(self, message: str, *, line: int | None = None, path: str = "") -> None:
        super().__init__(message, line=line, unsupported=True, path=path)


@dataclass(frozen=True)
class Words:
    """How a unit's findings say what went wrong: the defaults speak of up and down; a
    framework whose steps are named otherwise (Django's "migrating forward") says so."""

    #: up, down and up again, as a failure names them
    steps: tuple[str, str, str] = ("up", "down", "up again after down")
    #: an up that changed nothing: followed by what the unit says it surely changes
    nothing: str = "up changed nothing in the schema, though it"
    back: str = "after up then down the schema differs"
    again: str = "re-applying up gives another schema"
    #: the steps' errors already say which step failed and where (Django's children
    #: name the migration): taken as they are
    told: bool = False


@dataclass(frozen=True)
class Unit:
    """One migration as the roundtrip runs it."""

    path: str
    up: Step
    #: None when the migration has no down to prove (missing, empty, or irreversible)
    down: Step | None
    #: what the up's own operations say it changes in the schema ("" when nothing sure):
    #: an up that then changes nothing did not run, whatever its runner reported
    changes: str = ""
    #: other migrations run by the same steps (a group proven together)
    members: tuple[str, ...] = ()
    #: the step that applies up again after down (None: ``up`` itself)
    again: Step | None = None
    words: Words = Words()


@dataclass(frozen=True)
class Problem:
    """What went wrong for one migration; ``failed`` False means "could not run"."""

    path: str
    failed: bool
    message: str
    line: int | None = None
    #: the step that stopped (0 up, 1 down, 2 up again), None when not a step's error
    step: int | None = None
    #: the round trip held, but the down left functions behind (a warning, not a failure)
    leftover: bool = False


def run(
    open_db: Callable[[], Database],
    before: list[Unit],
    new: list[Unit],
    tick: Callable[[], None] = lambda: None,
    *,
    partial: bool = False,
) -> list[Problem]:
    """Roundtrip each of ``new`` after applying ``before``; the problems found.

    With ``partial``, a migration of the chain up to the parent that fails is left as far
    as it got and the rest of the chain still applied (a chain with migrations written as
    code the gate does not run, a step that needs what this server lacks): the new units
    are then proven on that schema, and only what cannot depend on the missing part
    fails them (see :func:`_on_partial`)."""
    db = open_db()
    paths = [p for u in new for p in (u.path, *u.members)]
    stopped = ""
    try:
        for unit in before:
            tick()
            try:
                unit.up(db)
            except EngineError as exc:
                at = f" at {unit.path}" if unit.path else ""  # "": the child names it
                msg = f"the chain up to the parent failed{at}: {exc}"
                if not partial:
                    return [Problem(p, False, msg) for p in paths]
                stopped = stopped or msg
        problems = _prove_all(db, new, tick)
        return [_on_partial(p, stopped) for p in problems] if stopped else problems
    finally:
        db.discard()


#: PostgreSQL's words for an object that is not there: on a partial chain, maybe one of
#: the migrations that did not apply here would have made it
_MISSING = re.compile(r"\bdoes not exist\b")


def _on_partial(problem: Problem, stopped: str) -> Problem:
    """A problem found on a chain that did not fully apply: an up that fails, or a step
    that misses an object, may be the missing part's doing ("not run", both reasons
    said); a down that fails otherwise (PostgreSQL refuses to drop what the up left in
    use), or a schema not back after a down that ran, is the migration's own."""
    if problem.failed and problem.step != 0 and not _MISSING.search(problem.message):
        message = f"{problem.message} (proven on the chain as far as it applies here: {stopped})"
        return dataclasses.replace(problem, message=message)
    message = f"{stopped}; on the rest of the chain: {problem.message}"
    return Problem(problem.path, False, message, problem.line, problem.step)


def _prove_all(db: Database, new: list[Unit], tick: Callable[[], None]) -> list[Problem]:
    """Each of ``new`` in turn on ``db``; after the first problem, the rest are not run
    (after a leftover, a warning whose unit ended applied, they are)."""
    problems: list[Problem] = []
    for index, unit in enumerate(new):
        tick()
        problem = prove(db, unit)
        if problem is not None and problem.leftover:
            problems.append(problem)  # a warning, the up applied again: the rest can run
        elif problem is not None:
            problems.append(problem)
            rest = [p for u in new[index + 1 :] for p in (u.path, *u.members)]
            msg = f"not run: {unit.path} before it did not roundtrip"
            problems += [Problem(p, False, msg) for p in (*unit.members, *rest)]
            break
    return problems


def prove(db: Database, unit: Unit) -> Problem | None:
    """Up, down and up again on ``db``, its schema snapshotted and compared here between
    the steps; the problem found (None: the unit round-trips)."""
    words, step = unit.words, 0
    try:
        first = db.snapshot()
        unit.up(db)
        second = db.snapshot()
        if unit.changes and first == second:
            return Problem(unit.path, True, f"{words.nothing} {unit.changes}")
        if unit.down is None:
            return None
        step = 1
        problem = _compare(db, unit, unit.down, first, words.back)
        left = _left_behind(first, db.snapshot()) if problem is not None else None
        if problem is not None and left is None:
            return problem
        step = 2
        again = _compare(db, unit, unit.again or unit.up, second, words.again)
        if again is not None or left is None:
            return again
        return Problem(unit.path, True, left, step=1, leftover=True)
    except EngineError as exc:
        message = _failure(exc, db, unit, step)
        return Problem(exc.path or unit.path, not exc.unsupported, message, exc.line, step)


def _left_behind(want: Catalog, got: Catalog) -> str | None:
    """What a down may leave behind, said as a warning, when that is all that differs
    after it (the caller then proves up again); None for any other difference."""
    functions = _functions_left(want, got)
    if functions is not None:
        return (
            f"the down leaves {functions} behind; the up replaces it, so up, down and up "
            "again work, but a rollback keeps code the schema no longer uses (drop it in "
            "the down)"
        )
    loosened = _nullable_again(want, got)
    if loosened is not None:
        return (
            f"the down restores {loosened} without its NOT NULL; up, down and up again "
            "work, and after a rollback the old code still writes the column, but the "
            "schema no longer refuses an empty one (add NOT NULL with a default in the "
            "down, or rebuild the table, to restore it as it was)"
        )
    values = _enum_values_left(want, got)
    if values is not None:
        return (
            f"the down leaves the values the up added to {values} in place (PostgreSQL "
            "drops no value of an enum without rebuilding the type); up, down and up again "
            "work, and a rollback keeps values the old code never writes"
        )
    return None


def _nullable_again(want: Catalog, got: Catalog) -> str | None:
    """The columns a down put back nullable where they were NOT NULL, when that is all
    that differs (same type and default: gitness's SQLite downs re-add a dropped ``NOT
    NULL`` column plainly, as SQLite adds no NOT NULL column without a default); else
    None. A column put back stricter than it was, or retyped, is no such leftover: the
    old code's writes could fail on it."""
    missing, extra = want.facts - got.facts, got.facts - want.facts
    if not missing or any(f[0] != "column" or len(f) != 6 for f in missing | extra):
        return None
    wanted = {f[1:3]: f for f in missing}
    found = {f[1:3]: f for f in extra}
    if wanted.keys() != found.keys() or len(wanted) != len(missing) or len(found) != len(extra):
        return None
    for key, was in wanted.items():
        now = found[key]
        if (was[3], was[5]) != (now[3], now[5]) or (was[4], now[4]) != ("not null", "null"):
            return None
    return ", ".join(f"{t}.{c}" for t, c in sorted(wanted))


def _enum_values_left(want: Catalog, got: Catalog) -> str | None:
    """The enums whose values ``got`` has beyond ``want``, when that is all that differs:
    each keeps its values in their order, new ones among them (River's migration 004 adds
    ``pending`` to ``river_job_state`` and says its down cannot remove it); else None."""
    missing, extra = want.facts - got.facts, got.facts - want.facts
    if not missing or any(f[0] != "enum" for f in missing | extra):
        return None
    wanted = {f[1]: f[2].split(",") for f in missing if len(f) == 3}
    found = {f[1]: f[2].split(",") for f in extra if len(f) == 3}
    if wanted.keys() != found.keys() or len(wanted) != len(missing) or len(found) != len(extra):
        return None
    for name, labels in wanted.items():
        rest = iter(found[name])
        if not all(label in rest for label in labels):
            return None  # a value gone or reordered: not one only added
    return ", ".join(sorted(wanted))


def _functions_left(want: Catalog, got: Catalog) -> str | None:
    """The functions ``got`` has beyond ``want`` when that is all that differs (bitmagnet's
    down drops its queue table and type but not the trigger's function, which holds no
    data and which the up creates with ``OR REPLACE``), else None."""
    extra = got.facts - want.facts
    if not extra or want.facts - got.facts or any(f[0] != "function" for f in extra):
        return None
    names = sorted(f[1] for f in extra)
    return ("function " if len(names) == 1 else "functions ") + ", ".join(names)


def _failure(exc: EngineError, db: Database, unit: Unit, step: int) -> str:
    if unit.words.told:
        return str(exc)
    where = f" (line {exc.line})" if exc.line else ""
    verb = "cannot run on" if exc.unsupported else "failed on"
    return f"{unit.words.steps[step]}{where} {verb} {db.engine}: {exc}"


def _compare(db: Database, unit: Unit, run: Step, want: Catalog, said: str) -> Problem | None:
    """Run a step, then compare the schema with ``want``; an :class:`Unproven` step is
    judged by the comparison first (a schema that is not back fails, whatever the reason)."""
    unproven: Unproven | None = None
    try:
        run(db)
    except Unproven as exc:
        unproven = exc
    diff = want.difference(db.snapshot())
    if diff:
        note = f" (its runner: {unproven})" if unproven is not None else ""
        return Problem(unit.path, True, f"{said}: {diff}{note}")
    if unproven is not None:
        raise unproven
    return None
