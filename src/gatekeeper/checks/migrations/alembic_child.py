"""The child process that roundtrips Alembic revisions (started by ``alembic_run``).

Reads a JSON job on stdin, writes the problems as JSON to the job's result file. What
the revisions print goes to stderr, never into the result.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any

from gatekeeper.checks.migrations import alembic_project, child, engines, pyops, roundtrip
from gatekeeper.checks.migrations.alembic_run import AlembicRunner, NotIsolated, Revision, load
from gatekeeper.checks.migrations.roundtrip import Problem, Unit


def _units(revisions: list[Revision], runner: AlembicRunner) -> tuple[list[Unit], list[Unit]]:
    before: list[Unit] = []
    new: list[Unit] = []
    for rev in revisions:
        namespace = load(rev.path, rev.source, pyops.read_alembic(rev.source, rev.path))
        upgrade, downgrade = namespace.get("upgrade"), namespace.get("downgrade")
        if not callable(upgrade):
            raise NotIsolated(f"{rev.path} has no upgrade()")
        down = runner.step(downgrade) if rev.provable and callable(downgrade) else None
        unit = Unit(rev.path, runner.step(upgrade), down if rev.new else None)
        (new if rev.new else before).append(unit)
    return before, new


def run(job: dict[str, Any]) -> list[Problem]:
    """The problems of roundtripping the job's new revisions."""
    revisions = [Revision(**r) for r in job["revisions"]]
    runner = AlembicRunner()
    try:
        try:
            before, new = _units(revisions, runner)
        except (NotIsolated, pyops.MigrationSyntaxError) as exc:
            return [Problem(r.path, False, str(exc)) for r in revisions if r.new]
        return roundtrip.run(lambda: engines.open_from_spec(job["db"]), before, new)
    except Exception as exc:  # the database could not be opened: say so, do not crash
        message = f"{type(exc).__name__}: {exc}"
        return [Problem(r.path, False, message) for r in revisions if r.new]
    finally:
        runner.close()


def run_project(job: dict[str, Any]) -> child.Answer:
    """Round-trip through the project's alembic.ini and env.py (see alembic_project)."""
    # the project's folders come after the gate's own: the PR cannot stand in for gatekeeper
    sys.path.extend(p for p in job["paths"] if p not in sys.path)
    new = [r["path"] for r in job["revisions"] if r["new"]]
    try:
        db = engines.open_from_spec(job["db"])
    except Exception as exc:  # the database could not be opened: say so, do not crash
        return child.Answer([Problem(p, False, f"{type(exc).__name__}: {exc}") for p in new])
    return alembic_project.run_in_child(job, db)


def main() -> int:
    """Entry point of ``python -m gatekeeper.checks.migrations.alembic_child``."""
    job = json.loads(sys.stdin.read())
    with contextlib.redirect_stdout(sys.stderr):
        answer = run_project(job) if job.get("kind") == "project" else child.Answer(run(job))
    child.write_answer(job["result"], answer.problems, answer.unloadable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
