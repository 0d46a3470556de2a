"""Run the round trips the plans ask for, each on its engine, each chain its own way.

SQL chains run here on a scratch database; Alembic chains run in a child process, either
through the project's ``alembic.ini`` and ``env.py`` (the application's imports work
where the project is installed) or revision by revision on their own; Django projects run
through their settings (:mod:`.django_run`). Whatever cannot run says what was missing
and how to make it run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re

from gatekeeper.checks.interface import CheckError
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
    here = s.configured == "auto" and s.postgres_here()
    postgres_ok = s.configured == "postgres" or bool(s.url) or here
    allowed = plan.Engines(s.configured, postgres_ok, s.default)
    with contextlib.ExitStack() as stack:
        pool = _Pool(stack, where, s)
        for p in plan.plans(where.changes, changed, s.max_bytes, allowed):
            if p.note:
                out.notes += [(path, p.note) for path in p.paths]
                continue
            fixed = [Problem(k, False, v) for k, v in sorted(p.not_run.items())]
            engine, ran = p.engine, _prove(where, p, pool, p.engine, s)
            if _retry_on_postgres(p, ran, s):
                if here:
                    engine, ran = "postgres", _on_postgres(where, p, pool, s, ran)
                else:
                    ran = [_how_to(pr) for pr in ran]
            label = engine + (f" ({p.dialect} files)" if p.dialect else "")
            out.problems += [(pr, label) for pr in fixed + ran]
            out.engines.update(dict.fromkeys(p.paths, engine))
        django = [m for m in changed if m.framework == DJANGO]
        if django and where.changes.text_at_head(django[0].path) is not None:
            name = s.configured if s.configured in ("sqlite", "postgres") else "sqlite"
            problems = django_run.run(where, django, pool.get(name), s)
            out.problems += [(pr, name) for pr in problems]
            out.engines.update(dict.fromkeys((m.path for m in django), name))
    return out


class _Pool:
    """One :class:`engines.Engines` per engine name, made on first use: so at most one
    scratch PostgreSQL server per gate run, started only when a chain needs it."""

    def __init__(self, stack: contextlib.ExitStack, where: Where, s: Settings) -> None:
        self._stack, self._where, self._s = stack, where, s
        self._pool: dict[str, engines.Engines] = {}
        #: why a scratch server could not start under ``auto`` (not tried again)
        self.broken = ""

    def get(self, name: str) -> engines.Engines:
        """The engines of ``name``, made on first use."""
        if name not in self._pool:
            dbs = engines.Engines(name, self._s.url, self._where.folder, self._where.remaining)
            self._pool[name] = self._stack.enter_context(dbs)
        return self._pool[name]


def _prove(where: Where, p: plan.Plan, pool: _Pool, name: str, s: Settings) -> list[Problem]:
    """The problems of a plan's own units on engine ``name``. Under ``auto`` a scratch
    server that cannot start is a "not run" saying why (a given database_url that cannot
    be reached stays an error: the policy asked for that server)."""
    if name == "postgres" and pool.broken:
        return [Problem(path, False, pool.broken) for path in p.paths]
    try:
        dbs = pool.get(name)
        # PostgreSQL is a chain's own engine: a parent it cannot fully apply here (code
        # migrations the gate does not run) still leaves a schema to prove the new ones on
        partial = name == "postgres"
        run = roundtrip.run
        problems = run(dbs.open_db, p.before, p.new, where.tick, partial=partial) if p.new else []
        if p.revisions:
            problems += _alembic(where, p, dbs, s)
    except CheckError as exc:
        if name != "postgres" or s.configured != "auto" or s.url:
            raise
        pool.broken = f"PostgreSQL is at hand but could not serve: {exc}"
        return [Problem(path, False, pool.broken) for path in p.paths]
    return problems


def _retry_on_postgres(p: plan.Plan, ran: list[Problem], s: Settings) -> bool:
    """Under ``auto``: a SQL chain proven on SQLite only as a stand-in for PostgreSQL (no
    database named, or PostgreSQL's generic files) that SQLite could not prove (it stopped
    on SQL it does not know, or failed where PostgreSQL, the chain's own engine, decides)."""
    return (
        s.configured == "auto"
        and s.default == "postgres"
        and p.engine == "sqlite"
        and p.dialect in ("", "postgres")
        and bool(p.new)
        and not p.revisions
        and bool(ran)
    )


#: PostgreSQL's words for SQL it cannot parse
_SYNTAX = re.compile(r"\bsyntax error at\b", re.IGNORECASE)


def _on_postgres(
    where: Where, p: plan.Plan, pool: _Pool, s: Settings, on_sqlite: list[Problem]
) -> list[Problem]:
    """The plan again on PostgreSQL, whose verdict stands. A chain no file or folder names
    a database for may be written for yet another one: an up PostgreSQL cannot parse
    either is "not run", not a failure."""
    on_postgres = _prove(where, p, pool, "postgres", s)
    if pool.broken:  # PostgreSQL could not start: SQLite's verdict, with the reason
        return [_how_to(pr, pool.broken) for pr in on_sqlite]
    said = {pr.path: pr.message for pr in on_sqlite}
    return [_both(pr, said.get(pr.path, ""), bool(p.dialect)) for pr in on_postgres]


def _both(pr: Problem, on_sqlite: str, named: bool) -> Problem:
    """PostgreSQL's problem, where SQLite stopped as well with both reasons."""
    message, failed = pr.message, pr.failed
    if failed and pr.step == 0 and _SYNTAX.search(message) and not named:
        message, failed = f"neither SQLite nor PostgreSQL parses its up: {message}", False
    if not failed and on_sqlite:
        message += f" (on SQLite: {on_sqlite})"
    return dataclasses.replace(pr, message=message, failed=failed)


def _how_to(pr: Problem, why: str = "") -> Problem:
    """A SQLite problem of a chain PostgreSQL should judge, saying how to have it do so
    (a failure stays a failure: SQLite's is the only verdict here)."""
    if pr.failed:
        return pr
    reason = why or f"no PostgreSQL here to run it on: {plan.POSTGRES_HOW_TO}"
    return Problem(pr.path, False, f"{pr.message}; {reason}", pr.line, pr.step)


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
