"""Run Alembic revisions without their project, in child processes of their own.

No ``env.py``, no ``alembic.ini``, no version table: each revision file is compiled on
its own and its ``upgrade()``/``downgrade()`` are called with ``op`` bound to a scratch
connection through Alembic's Operations on a MigrationContext. That code comes from the
change under review, so it runs in separate Python processes started by
:func:`gatekeeper.sandbox.run_untrusted` (no credentials, another user when the gate is
root, the check's time limit, a memory cap), one per step of the round trip; the gate
snapshots the scratch database between them and compares (:mod:`.roundtrip`). A revision that
imports the application is reported before anything runs ("cannot run in isolation").
"""

from __future__ import annotations

import ast
import dataclasses
import heapq
import importlib.util
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gatekeeper.checks.migrations import child, pyops, roundtrip
from gatekeeper.checks.migrations.catalog import EngineError
from gatekeeper.checks.migrations.engines import Engines
from gatekeeper.checks.migrations.roundtrip import Problem, Unit
from gatekeeper.checks.migrations.sqlite import is_unsupported

#: the module the child process runs
CHILD_MODULE = "gatekeeper.checks.migrations.alembic_child"


class NotIsolated(Exception):
    """The revision needs something a scratch run cannot provide."""


@dataclass(frozen=True)
class Revision:
    """One revision file as the child runs it."""

    path: str
    source: str
    #: True for the revisions the change added or edited (the ones roundtripped)
    new: bool
    #: False when there is no down to prove (missing, empty, declared irreversible)
    provable: bool
    #: its revision id and the revisions it builds on (for runs through Alembic itself)
    revision: str = ""
    parents: list[str] = field(default_factory=list)


def order(files: dict[str, pyops.AlembicFile]) -> list[str]:
    """Paths in apply order (parents first; ties broken by revision id for determinism)."""
    by_rev = {info.revision: path for path, info in files.items() if info.revision}
    children: dict[str, list[str]] = {}
    pending: dict[str, int] = {}
    for path, info in files.items():
        parents = [by_rev[r] for r in info.down_revisions if r in by_rev]
        pending[path] = len(parents)
        for parent in parents:
            children.setdefault(parent, []).append(path)
    ready = [(files[p].revision or p, p) for p, n in pending.items() if n == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, path = heapq.heappop(ready)
        out.append(path)
        for kid in children.get(path, ()):
            pending[kid] -= 1
            if pending[kid] == 0:
                heapq.heappush(ready, (files[kid].revision or kid, kid))
    return out


def application_imports(
    imports: tuple[str, ...], in_repository: Callable[[str], bool]
) -> list[str]:
    """The imports a scratch run cannot satisfy: relative ones, the repository's own
    packages, and packages not installed here (installed libraries are fine)."""
    out = []
    for name in imports:
        top = name.split(".", 1)[0]
        if not top or in_repository(top) or importlib.util.find_spec(top) is None:
            out.append(name)
    return out


def foreign_message(path: str, names: list[str]) -> str:
    """Why a revision cannot be run here: it imports the application, or a library that
    is not installed beside gatekeeper (autogenerate adds ``import sqlmodel...`` lines)."""
    return (
        f"{path} imports {', '.join(names)}: cannot run in isolation (install the "
        "libraries migrations use where gatekeeper runs; keep the application's own "
        "modules out of migrations)"
    )


# --- parent side ---------------------------------------------------------------------------

#: more new revisions than this are proven together (up all, down all, up all): each
#: child costs half a second of imports, and one revision on its own takes three
GROUP_ABOVE = 4
#: ``op`` calls whose effect a snapshot always shows
_SURE = ("create_table", "drop_table", "add_column", "drop_column", "create_index",
         "drop_index", "rename_table")  # fmt: skip


def run_isolated(
    revisions: list[Revision], dbs: Engines, folder: Path, timeout: float, checkout: Path
) -> list[Problem]:
    """Roundtrip the new revisions, each file on its own, one child process per step (see
    :mod:`.child`); the schema is compared here. ``checkout`` decides the child's user."""
    new = [r for r in revisions if r.new]
    missing = [m for m in ("alembic", "sqlalchemy") if importlib.util.find_spec(m) is None]
    if missing:
        why = f"needs {' and '.join(missing)}: pip install 'dod-gatekeeper[migrations]'"
        return [Problem(r.path, False, why) for r in new]
    spawn = child.Spawn(CHILD_MODULE, folder, timeout, checkout)
    grouped = len(new) > GROUP_ABOVE and all(r.provable for r in new)
    steps, problems = _trip(revisions, dbs, spawn, grouped)
    first = steps.first
    if first is not None and first.unloadable:
        return [Problem(r.path, False, first.unloadable) for r in new]
    if grouped and any(p.failed for p in problems):
        # a group's steps run all its revisions in one child each, so its snapshots cannot
        # tell which revision broke: prove them one by one on a fresh database (only when
        # the group failed, so a sound chain still costs three children) to name it
        left = dataclasses.replace(spawn, timeout=steps.deadline - time.monotonic())
        alone = _trip(revisions, dbs, left, grouped=False)[1]
        if any(p.failed for p in alone):
            return alone
    return problems


def _trip(
    revisions: list[Revision], dbs: Engines, spawn: child.Spawn, grouped: bool
) -> tuple[child.Steps, list[Problem]]:
    """One round trip on a fresh scratch database: the new revisions as one unit when
    ``grouped`` (up all, down all, up all), else one unit each."""
    new = [r for r in revisions if r.new]
    job = {"kind": "isolated", "revisions": [asdict(r) for r in revisions]}
    steps = child.Steps(job, spawn)
    before = [r.path for r in revisions if not r.new]
    chain = [Unit("", steps.step({"action": "up", "paths": before}), None)] if before else []
    units = [_unit(new, steps)] if grouped else [_unit([r], steps) for r in new]
    return steps, roundtrip.run(lambda: steps.open(dbs), chain, units)


def _unit(group: list[Revision], steps: child.Steps) -> Unit:
    first, paths = group[0], [r.path for r in group]
    up = steps.step({"action": "up", "paths": paths})
    down = steps.step({"action": "down", "paths": paths[::-1]}) if first.provable else None
    changes = next((c for c in map(sure_change, group) if c), "")
    return Unit(first.path, up, down, changes, tuple(paths[1:]))


def sure_change(revision: Revision) -> str:
    """What ``upgrade()`` surely changes in the schema: its first unconditional ``op`` call
    a snapshot always shows ("" when there is none, or the file does not parse)."""
    try:
        tree = ast.parse(revision.source)
    except (SyntaxError, ValueError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            for stmt in node.body:
                call = stmt.value if isinstance(stmt, ast.Expr) else None
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "op"
                    and call.func.attr in _SURE
                    and not any(k.arg == "if_not_exists" for k in call.keywords)
                ):
                    return f"calls op.{call.func.attr} (line {call.lineno})"
    return ""


# --- child side ----------------------------------------------------------------------------


def load(path: str, source: str, info: pyops.AlembicFile) -> dict[str, Any]:
    """Execute the revision module in a namespace of its own; raise NotIsolated.

    The parent has already refused revisions that import the application
    (:func:`application_imports`); an import that still fails is reported here.
    """
    namespace: dict[str, Any] = {
        "__name__": f"gatekeeper_revision_{info.revision}",
        "__file__": path,
    }
    try:
        exec(compile(source, path, "exec"), namespace)  # the migration under review, isolated
    except Exception as exc:  # any failure to load means it cannot be run here
        raise NotIsolated(f"{path} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    return namespace


class Reachable(Protocol):
    """A database as a child reaches it."""

    def sqlalchemy_url(self) -> str:
        """Its SQLAlchemy URL."""


class AlembicRunner:
    """Calls revision functions with ``op`` bound to a database; one engine per database."""

    def __init__(self) -> None:
        self._engines: dict[str, Any] = {}

    def call(self, db: Reachable, func: Callable[[], object]) -> None:
        """Call ``func`` (an upgrade or downgrade) with ``op`` bound to ``db``; raise
        :class:`EngineError` when it fails."""
        from alembic.operations import Operations
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        url = db.sqlalchemy_url()
        engine = self._engines.get(url)
        if engine is None:
            engine = self._engines[url] = create_engine(url, poolclass=NullPool)
            if url.startswith("sqlite"):
                _tune_sqlite(engine)
        try:
            connection = engine.connect()
        except Exception as exc:  # the gate's database, not the revision, is the problem
            message = f"the scratch database cannot be reached: {short_error(exc)}"
            raise EngineError(message, unsupported=True) from exc
        try:
            # the context owns the transaction, as under env.py, so that a revision's
            # autocommit_block() can end it and start another
            with connection as conn:
                context = MigrationContext.configure(conn, opts={"transactional_ddl": True})
                with Operations.context(context), context.begin_transaction():
                    func()
        except NotImplementedError as exc:
            raise EngineError(f"not supported here: {exc}", unsupported=True) from exc
        except Exception as exc:  # the revision's own code failed
            message = short_error(exc)
            line = line_in(exc, func)
            raise EngineError(message, line=line, unsupported=is_unsupported(message)) from exc

    def close(self) -> None:
        """Dispose of every engine."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def line_in(exc: BaseException, func: Callable[[], object]) -> int | None:
    """The line of ``func``'s file where ``exc`` passed last (the revision's own statement
    that failed, so the finding points at it); None when it never passed there."""
    code = getattr(func, "__code__", None)
    line = None
    for frame, number in traceback.walk_tb(exc.__traceback__):
        if code is not None and frame.f_code.co_filename == code.co_filename:
            line = number
    return line


def _tune_sqlite(engine: Any) -> None:
    from sqlalchemy import event

    from gatekeeper.checks.migrations.sqlite import tune

    event.listen(engine, "connect", lambda conn, _record: tune(conn))


def short_error(exc: BaseException) -> str:
    """The first line of a database error: the driver's own message (SQLAlchemy keeps it
    in ``orig``) rather than the wrapped one with the statement and a link."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else f"{type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
