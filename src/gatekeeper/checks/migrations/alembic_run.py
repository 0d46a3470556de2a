"""Run Alembic revisions without their project: Alembic's Operations on a MigrationContext.

No ``env.py``, no ``alembic.ini``, no version table: each revision file is compiled on
its own and its ``upgrade()``/``downgrade()`` are called with ``op`` bound to a scratch
connection. A revision that imports the application cannot be run this way and is
reported as such instead of being half-run.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from gatekeeper.checks.migrations import pyops
from gatekeeper.checks.migrations.catalog import Database, EngineError
from gatekeeper.checks.migrations.sqlite import is_unsupported


class NotIsolated(Exception):
    """The revision needs something a scratch run cannot provide."""


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
        for child in children.get(path, ()):
            pending[child] -= 1
            if pending[child] == 0:
                heapq.heappush(ready, (files[child].revision or child, child))
    return out


def load(path: str, source: str, info: pyops.AlembicFile) -> dict[str, Any]:
    """Execute the revision module in a namespace of its own; raise NotIsolated."""
    if info.foreign_imports:
        raise NotIsolated(
            f"{path} imports {', '.join(info.foreign_imports)}: cannot run in isolation "
            "(keep migrations free of application imports)"
        )
    namespace: dict[str, Any] = {
        "__name__": f"gatekeeper_revision_{info.revision}",
        "__file__": path,
    }
    try:
        exec(compile(source, path, "exec"), namespace)  # the migration under review
    except Exception as exc:  # any failure to load means it cannot be run here
        raise NotIsolated(f"{path} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    return namespace


class AlembicRunner:
    """Calls revision functions with ``op`` bound to a database; one engine per database."""

    def __init__(self) -> None:
        self._engines: dict[str, Any] = {}

    def step(self, func: Callable[[], object]) -> Callable[[Database], None]:
        """A roundtrip step that calls ``func`` (an upgrade or downgrade)."""

        def run(db: Database) -> None:
            self._call(db, func)

        return run

    def _call(self, db: Database, func: Callable[[], object]) -> None:
        from alembic.operations import Operations
        from alembic.runtime.migration import MigrationContext
        from sqlalchemy import create_engine

        url = db.sqlalchemy_url()
        engine = self._engines.get(url)
        if engine is None:
            engine = self._engines[url] = create_engine(url, poolclass=_null_pool())
        try:
            with engine.begin() as conn:
                context = MigrationContext.configure(conn)
                with Operations.context(context):
                    func()
        except NotImplementedError as exc:
            raise EngineError(f"not supported here: {exc}", unsupported=True) from exc
        except Exception as exc:  # the revision's own code failed
            message = _short(exc)
            raise EngineError(message, unsupported=is_unsupported(message)) from exc

    def close(self) -> None:
        """Dispose of every engine."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _short(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else f"{type(exc).__name__}: {exc}"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
