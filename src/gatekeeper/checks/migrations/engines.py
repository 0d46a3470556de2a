"""Choose the roundtrip engine: SQLite in the scratch folder, or PostgreSQL (a given
server, else a scratch server started on first use and stopped at the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.migrations import postgres
from gatekeeper.checks.migrations.catalog import Database
from gatekeeper.checks.migrations.sqlite import SqliteDatabase


@contextmanager
def opener(engine: str, database_url: str | None, folder: Path) -> Iterator[Callable[[], Database]]:
    """A factory of fresh scratch databases; servers it started are stopped on exit."""
    if engine == "sqlite":
        yield lambda: SqliteDatabase(folder)
        return
    servers: list[postgres.ScratchServer] = []
    admin: list[str] = []

    def open_db() -> Database:
        if not admin:
            admin.append(_admin(database_url, servers))
        try:
            return postgres.PostgresDatabase(admin[0])
        except postgres.ServerError as exc:
            raise CheckError(f"roundtrip on PostgreSQL: {exc}") from exc

    try:
        yield open_db
    finally:
        for server in servers:
            server.stop()


def _admin(database_url: str | None, servers: list[postgres.ScratchServer]) -> str:
    if database_url:
        try:
            postgres.connect(database_url).close()
        except postgres.ServerError as exc:
            raise CheckError(
                f"database_url cannot be reached ({exc}); check the URL and that the server "
                "is up, or set `roundtrip: sqlite`"
            ) from exc
        return database_url
    bindir = postgres.find_binaries()
    if bindir is None:
        raise CheckError(
            "roundtrip: postgres needs a database_url or the PostgreSQL binaries (initdb, "
            "pg_ctl) on PATH; install them, set database_url, or set `roundtrip: sqlite`"
        )
    server = postgres.ScratchServer(bindir)
    servers.append(server)
    try:
        return server.start()
    except postgres.ServerError as exc:
        raise CheckError(f"{exc}; set database_url or `roundtrip: sqlite`") from exc
