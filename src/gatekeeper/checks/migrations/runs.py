"""Run the round trips the plans ask for, each on its engine, each chain its own way.

SQL chains run here on a scratch database; Alembic chains run in a child process, either
through the project's ``alembic.ini`` and ``env.py`` (the application's imports work
where the project is installed) or revision by revision on their own; Django projects run
through their settings (:mod:`.django_run`). Whatever cannot run says what was missing
and how to make it run.
"""

from __future__ import annotations

import contextlib

from gatekeeper.checks.migrations import (
    alembic_project,
    alembic_run,
    django_run,
    engines,
    plan,
    roundtrip,
)
from gatekeeper.checks.migrations.detect import DJANGO, Migration
from gatekeeper.checks.migrations.roundtrip import Problem
from gatekeeper.checks.migrations.runconfig import Outcome, Settings, Where


def run_all(where: Where, changed: list[Migration], s: Settings) -> Outcome:
    """Round-trip every changed chain."""
    out = Outcome()
    allowed = plan.Engines(s.configured, s.configured == "postgres" or bool(s.url), s.default)
    with contextlib.ExitStack() as stack:
        pool: dict[str, engines.Engines] = {}

        def engine(name: str) -> engines.Engines:
            if name not in pool:
                dbs = engines.Engines(name, s.url, where.folder, where.remaining)
                pool[name] = stack.enter_context(dbs)
            return pool[name]

        for p in plan.plans(where.changes, changed, s.max_bytes, allowed):
            if p.note:
                out.notes += [(path, p.note) for path in p.paths]
                continue
            dbs = engine(p.engine)
            problems = [Problem(k, False, v) for k, v in sorted(p.not_run.items())]
            if p.new:
                problems += roundtrip.run(dbs.open_db, p.before, p.new, where.tick)
            if p.revisions:
                problems += _alembic(where, p, dbs, s)
            label = p.engine + (f" ({p.dialect} files)" if p.dialect else "")
            out.problems += [(pr, label) for pr in problems]
        django = [m for m in changed if m.framework == DJANGO]
        if django and where.changes.text_at_head(django[0].path) is not None:
            dbs = engine(s.configured)
            problems = django_run.run(where, django, dbs, s)
            out.problems += [(pr, s.configured) for pr in problems]
    return out


def _alembic(where: Where, p: plan.Plan, dbs: engines.Engines, s: Settings) -> list[Problem]:
    """Through the project's env.py when there is one (mode ``auto``/``project``), else
    each revision on its own (``isolated``, or ``auto`` without a project)."""
    new = [r.path for r in p.revisions if r.new]
    mode = str(s.alembic.get("mode", "auto"))
    configured = s.alembic.get("config")
    project = None
    if mode != "isolated":
        project = alembic_project.find(where.changes, p.folder, configured)
    if project is None:
        if mode == "project":
            why = (
                f"no alembic.ini whose script_location holds {p.folder} and its env.py was "
                "found: set checks.migrations.alembic.config to the ini's path"
            )
            return [Problem(path, False, why) for path in new]
        if p.isolation:
            why = f"{p.isolation}; add the project's alembic.ini, or {alembic_project.HOW_TO}"
            return [Problem(path, False, why) for path in new]
        return _isolated(where, p, dbs)
    how = (where.folder, where.remaining(), where.changes.root)
    passed = alembic_project.passed_environment(list(s.pass_env))
    answer = alembic_project.run(project, p.revisions, dbs, how, s.environment, passed)
    if not answer.unloadable:
        return answer.problems
    if mode == "auto" and not p.isolation:
        return _isolated(where, p, dbs)  # env.py cannot load here; the revisions alone can
    why = f"{answer.unloadable} ({project.ini}); {alembic_project.HOW_TO}"
    return [Problem(path, False, why) for path in new]


def _isolated(where: Where, p: plan.Plan, dbs: engines.Engines) -> list[Problem]:
    timeout = where.remaining()
    root = where.changes.root
    return alembic_run.run_isolated(p.revisions, dbs, where.folder, timeout, root)
