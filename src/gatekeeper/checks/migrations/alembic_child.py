"""The child process that runs one step of an Alembic round trip (started by
``alembic_run`` or ``alembic_project``).

Reads a JSON job on stdin, does the job's one step on the scratch database the gate
opened, and writes a report (:func:`.child.write_report`): whether the step failed, or
why the revisions or the project cannot be loaded. What the code prints goes to stderr,
never into the report. The gate compares the schema itself, so a report can only make
the verdict stricter.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from typing import Any

from gatekeeper.checks.migrations import alembic_project, child, engines, pyops
from gatekeeper.checks.migrations.alembic_run import AlembicRunner, NotIsolated, Revision, load
from gatekeeper.checks.migrations.catalog import EngineError

Functions = dict[str, tuple[Callable[[], object], Callable[[], object] | None]]


def _functions(revisions: list[Revision]) -> Functions:
    """upgrade() and downgrade() of every revision, by path; raise NotIsolated."""
    out: Functions = {}
    for rev in revisions:
        namespace = load(rev.path, rev.source, pyops.read_alembic(rev.source, rev.path))
        upgrade, downgrade = namespace.get("upgrade"), namespace.get("downgrade")
        if not callable(upgrade):
            raise NotIsolated(f"{rev.path} has no upgrade()")
        out[rev.path] = (upgrade, downgrade if callable(downgrade) else None)
    return out


def run(job: dict[str, Any]) -> tuple[EngineError | None, str]:
    """Do the job's step on the revisions alone: (its failure or None, why the revisions
    cannot be loaded or "")."""
    revisions = [Revision(**r) for r in job["revisions"]]
    step = job["step"]
    runner = AlembicRunner()
    try:
        # the first step loads every revision (one that cannot be loaded stops the round
        # trip before anything runs); later ones load only the revisions they run
        wanted = set(step["paths"])
        try:
            functions = _functions([r for r in revisions if step.get("first") or r.path in wanted])
        except (NotIsolated, pyops.MigrationSyntaxError) as exc:
            return None, str(exc)
        db = engines.attach(job["db"])
        chain = not any(r.new and r.path in step["paths"] for r in revisions)
        for path in step["paths"]:
            upgrade, downgrade = functions[path]
            func = upgrade if step["action"] == "up" else downgrade
            if func is None:
                raise EngineError(f"{path} has no downgrade()")
            try:
                runner.call(db, func)
            except EngineError as exc:
                if not chain and len(step["paths"]) == 1:
                    raise
                # several files: a line would not say which one (the parent finds out)
                said = str(exc) if not chain else f"{path}: {exc}"
                raise EngineError(said, unsupported=exc.unsupported) from exc
        return None, ""
    except EngineError as exc:
        return exc, ""
    except Exception as exc:  # the database could not be reached: say so, do not crash
        return EngineError(f"{type(exc).__name__}: {exc}", unsupported=True), ""
    finally:
        runner.close()


def main() -> int:
    """Entry point of ``python -m gatekeeper.checks.migrations.alembic_child``."""
    job = json.loads(sys.stdin.read())
    with contextlib.redirect_stdout(sys.stderr):
        if job.get("kind") == "project":
            # the project's folders come after the gate's own: the PR cannot stand in for
            # gatekeeper
            sys.path.extend(p for p in job["paths"] if p not in sys.path)
            error, unloadable = alembic_project.run_in_child(job)
        else:
            error, unloadable = run(job)
    child.write_report(job["result"], error, unloadable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
