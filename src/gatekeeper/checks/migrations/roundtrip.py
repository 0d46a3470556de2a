"""Prove reversibility: up to the parent, snapshot, up, snapshot, down, compare, up, compare.

The steps are the same for every framework and engine; a :class:`Unit` says how to run
one migration's up and down on a :class:`~.catalog.Database`. The snapshots and the
comparisons are always taken here, in the gate's process: when a step runs the PR's own
code in a child process, the child can report that its step failed, never that the round
trip held. The scratch database is created here and always discarded, whatever happens.
"""

from __future__ import annotations

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


def run(
    open_db: Callable[[], Database],
    before: list[Unit],
    new: list[Unit],
    tick: Callable[[], None] = lambda: None,
) -> list[Problem]:
    """Roundtrip each of ``new`` after applying ``before``; the problems found."""
    db = open_db()
    paths = [p for u in new for p in (u.path, *u.members)]
    try:
        for unit in before:
            tick()
            try:
                unit.up(db)
            except EngineError as exc:
                at = f" at {unit.path}" if unit.path else ""  # "": the child names it
                msg = f"the chain up to the parent failed{at}: {exc}"
                return [Problem(p, False, msg) for p in paths]
        problems: list[Problem] = []
        for index, unit in enumerate(new):
            tick()
            problem = prove(db, unit)
            if problem is not None:
                problems.append(problem)
                rest = [p for u in new[index + 1 :] for p in (u.path, *u.members)]
                msg = f"not run: {unit.path} before it did not roundtrip"
                problems += [Problem(p, False, msg) for p in (*unit.members, *rest)]
                break
        return problems
    finally:
        db.discard()


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
        if problem is not None:
            return problem
        step = 2
        return _compare(db, unit, unit.again or unit.up, second, words.again)
    except EngineError as exc:
        message = _failure(exc, db, unit, step)
        return Problem(exc.path or unit.path, not exc.unsupported, message, exc.line, step)


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
