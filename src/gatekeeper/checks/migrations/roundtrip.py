"""Prove reversibility: up to the parent, snapshot, up, snapshot, down, compare, up, compare.

The steps are the same for every framework and engine; a :class:`Unit` says how to run
one migration's up and down on a :class:`~.catalog.Database`. The scratch database is
created here and always discarded, whatever happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gatekeeper.checks.migrations.catalog import Database, EngineError

Step = Callable[[Database], None]


@dataclass(frozen=True)
class Unit:
    """One migration as the roundtrip runs it."""

    path: str
    up: Step
    #: None when the migration has no down to prove (missing, empty, or irreversible)
    down: Step | None


@dataclass(frozen=True)
class Problem:
    """What went wrong for one migration; ``failed`` False means "could not run"."""

    path: str
    failed: bool
    message: str
    line: int | None = None


def run(
    open_db: Callable[[], Database],
    before: list[Unit],
    new: list[Unit],
    tick: Callable[[], None] = lambda: None,
) -> list[Problem]:
    """Roundtrip each of ``new`` after applying ``before``; the problems found."""
    db = open_db()
    try:
        for unit in before:
            tick()
            try:
                unit.up(db)
            except EngineError as exc:
                msg = f"the chain up to the parent failed at {unit.path}: {exc}"
                return [Problem(u.path, False, msg) for u in new]
        problems: list[Problem] = []
        for index, unit in enumerate(new):
            tick()
            problem = _prove(db, unit)
            if problem is not None:
                problems.append(problem)
                rest = new[index + 1 :]
                msg = f"not run: {unit.path} before it did not roundtrip"
                problems += [Problem(u.path, False, msg) for u in rest]
                break
        return problems
    finally:
        db.discard()


def _prove(db: Database, unit: Unit) -> Problem | None:
    step = "up"
    try:
        first = db.snapshot()
        unit.up(db)
        second = db.snapshot()
        if unit.down is None:
            return None
        step = "down"
        unit.down(db)
        diff = first.difference(db.snapshot())
        if diff:
            return Problem(unit.path, True, f"after up then down the schema differs: {diff}")
        step = "up again after down"
        unit.up(db)
        diff = second.difference(db.snapshot())
        if diff:
            return Problem(unit.path, True, f"re-applying up gives another schema: {diff}")
    except EngineError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        verb = "cannot run on" if exc.unsupported else "failed on"
        message = f"{step}{where} {verb} {db.engine}: {exc}"
        return Problem(unit.path, not exc.unsupported, message, exc.line)
    return None
