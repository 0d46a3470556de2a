"""The child process that runs one step of a Django round trip (started by ``django_run``).

Reads a JSON job on stdin; loads the project's settings with the default database
replaced by the scratch one the gate opened; migrates to the base state, forward, back or
forward again (the job's step) with Django's own executor; writes a report with
:func:`.child.write_report`. The gate snapshots and compares the schema between steps.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gatekeeper.checks.migrations import alembic_project, child, engines
from gatekeeper.checks.migrations.catalog import EngineError
from gatekeeper.checks.migrations.django_run import STEPS
from gatekeeper.checks.migrations.roundtrip import Problem

Node = tuple[str, str]
Target = tuple[str, str | None]


def database_settings(db: Any) -> tuple[dict[str, Any], str]:
    """Django's DATABASES entry for the scratch database, and its URL (for DATABASE_URL
    and the other variables a project's settings may read it from); both from the
    database's own :meth:`params`."""
    params = db.params()
    if db.engine == "sqlite":
        name = params["database"]
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}, f"sqlite:///{name}"
    entry = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params["database"],
        "USER": params["user"],
        "PASSWORD": params["password"],
        "HOST": params["host"],
        "PORT": params["port"],
    }
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    host = params["host"] if not params["host"].startswith("/") else ""
    query = f"?host={params['host']}" if not host and params["host"] else ""
    port = f":{params['port']}" if params["port"] and host else ""
    url = f"postgres://{auth}@{host}{port}/{params['database']}{query}"
    return entry, url


def load(job: dict[str, Any], db: Any) -> str:
    """Set up Django on the scratch database; "" or why the project cannot be loaded."""
    entry, url = database_settings(db)
    for name, template in job["environment"].items():
        os.environ[name] = alembic_project.render(template, url, db.params())
    os.environ["DJANGO_SETTINGS_MODULE"] = job["settings"]
    try:
        import django
        from django.conf import settings

        _ = settings.DATABASES  # loads the settings module
        settings.DATABASES = {"default": entry}
        settings.DATABASE_ROUTERS = []
        django.setup()
    except BaseException as exc:  # whatever the settings raise means they cannot load here
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"the settings {job['settings']} could not be loaded: {_short(exc)}"
    return ""


def run(job: dict[str, Any]) -> tuple[EngineError | None, str, dict[str, Any]]:
    """Do the job's step (in the child process): (its failure or None, why the project
    cannot be loaded or "", what the gate needs to know: the changed files' graph nodes)."""
    sys.path.extend(p for p in job["paths"] if p not in sys.path)
    relative = dict(zip(job["migrations"], job["relative"], strict=True))
    try:
        db = engines.attach(job["db"])
    except Exception as exc:  # the database cannot be reached: say so, do not crash
        return EngineError(f"{type(exc).__name__}: {exc}", unsupported=True), "", {}
    try:
        why = load(job, db)
        if why:
            return None, why, {}
        return _step(relative, int(job["step"]["index"]))
    except Exception as exc:  # the project's own code failed outside a migration step
        message = f"the round trip could not run: {_short(exc)}"
        return EngineError(message, unsupported=True), "", {}
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()


def _nodes(relative: dict[str, str]) -> tuple[dict[Node, str], list[str]]:
    """The graph node of each changed file ((app label, name) -> path), and the files that
    belong to no installed app."""
    from django.apps import apps

    folders = {str(Path(c.path).resolve() / "migrations"): c.label for c in apps.get_app_configs()}
    nodes, strays = {}, []
    for absolute, path in relative.items():
        file = Path(absolute).resolve()
        label = folders.get(str(file.parent))
        if label is None:
            strays.append(path)
        else:
            nodes[(label, file.stem)] = path
    return nodes, strays


def _step(relative: dict[str, str], index: int) -> tuple[EngineError | None, str, dict[str, Any]]:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    nodes, strays = _nodes(relative)
    connection = connections["default"]
    graph = MigrationExecutor(connection).loader.graph
    found = {n: p for n, p in nodes.items() if n in graph.nodes}
    info = {"nodes": {p: list(n) for n, p in found.items()}, "strays": strays}
    if not found:
        return None, "", info
    base, head = targets(graph, set(found))
    goal: list[Target] = list(base) if index % 2 == 0 else [(a, n) for a, n in head]
    tracker = _Tracker(found, found[min(found)], connection.vendor)
    try:
        MigrationExecutor(connection, tracker).migrate(goal)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        problem = tracker.problem(STEPS[index], exc)
        error = EngineError(problem.message, unsupported=not problem.failed)
        return error, "", {**info, "path": problem.path}
    return None, "", info


def targets(graph: Any, new: set[Node]) -> tuple[list[Target], list[Node]]:
    """(base state, head): per app, the last migration neither changed nor depending on a
    changed one (None: none of the app's), and the graph's leaves."""
    affected: set[Node] = set()
    for changed in new:
        # what unapplying a node undoes: the node and everything that depends on it
        affected |= set(graph.backwards_plan(changed))
    head = sorted(graph.leaf_nodes())
    base: dict[str, str | None] = {}
    for app, name in head:
        node: Node | None = (app, name)
        while node is not None and node in affected:
            parents = sorted(p.key for p in graph.node_map[node].parents if p.key[0] == app)
            node = parents[0] if parents else None
        if app not in base or base[app] is None:
            base[app] = node[1] if node is not None else None
    return sorted(base.items(), key=lambda t: t[0]), head


class _Tracker:
    """Follows Django's progress, to name the migration a failure happened in."""

    def __init__(self, nodes: dict[Node, str], first: str, vendor: str = "") -> None:
        self.nodes = nodes
        self.first = first
        self.vendor = vendor
        self.current: Node | None = None
        self.migration: Any = None

    def __call__(self, action: str, migration: Any = None, fake: bool = False) -> None:
        if action in ("apply_start", "unapply_start") and migration is not None:
            self.current = (migration.app_label, migration.name)
            self.migration = migration

    def problem(self, what: str, exc: BaseException) -> Problem:
        from django.db.migrations.exceptions import IrreversibleError

        node = self.current
        path = self.nodes.get(node, self.first) if node else self.first
        where = f" at {node[0]}.{node[1]}" if node else ""
        message = f"{what} failed{where}: {_short(exc)}"
        if self.vendor == "sqlite" and postgres_only(self.migration, exc):
            message += (
                " (the migration is written for PostgreSQL, which SQLite cannot run: set "
                "roundtrip: postgres to prove it there)"
            )
            return Problem(path, False, message)
        # an irreversible operation is reported by the static review; here it only means
        # the down could not be proven
        return Problem(path, not isinstance(exc, IrreversibleError | ImportError), message)


#: SQLite's words for SQL it does not know (PostgreSQL's syntax, functions, types)
_SQLITE_UNKNOWN = ("syntax error", "no such function", "unrecognized token", "no such module")


def postgres_only(migration: Any, exc: BaseException) -> bool:
    """Whether a step failed on SQLite because the migration is PostgreSQL's: it uses an
    operation of ``django.contrib.postgres`` (``AddIndexConcurrently``, extensions,
    ``AddConstraintNotValid``), or SQLite refused the SQL of a ``RunSQL`` as unknown
    syntax. A failure on what SQLite does know (a missing column, a constraint) is no
    such thing: it stays a failure."""
    if migration is None:
        return False
    # where it was raised, not what the migration holds: a harmless PostgreSQL operation
    # beside a broken one must not turn the broken one's failure into "not run"
    frames = [(f.f_code.co_filename.replace("\\", "/"), f.f_code.co_name) for f, _ in
              traceback.walk_tb(exc.__traceback__)]  # fmt: skip
    if any("/django/contrib/postgres/" in file for file, _ in frames):
        return True
    text = str(exc).lower()
    in_run_sql = any(file.endswith("/migrations/operations/special.py") and name == "_run_sql"
                     for file, name in frames)  # fmt: skip
    return in_run_sql and any(word in text for word in _SQLITE_UNKNOWN)


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def main(read: Callable[[], str] = sys.stdin.read) -> int:
    """Entry point of ``python -m gatekeeper.checks.migrations.django_child``."""
    job = json.loads(read())
    with contextlib.redirect_stdout(sys.stderr):
        error, unloadable, info = run(job)
    child.write_report(job["result"], error, unloadable, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
