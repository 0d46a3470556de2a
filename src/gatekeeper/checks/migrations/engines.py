"""Choose the roundtrip engine: SQLite in the scratch folder, or PostgreSQL (a given
server, else a scratch server started on first use and stopped at the end)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.migrations import postgres
from gatekeeper.checks.migrations.catalog import Database
from gatekeeper.checks.migrations.sqlite import SqliteDatabase


class Engines:
    """Fresh scratch databases on one engine; a server it started is stopped on exit."""

    def __init__(
        self,
        engine: str,
        database_url: str | None,
        folder: Path,
        remaining: Callable[[], float] = lambda: 300.0,
    ) -> None:
        self.engine = engine
        self._remaining = remaining
        self._url = database_url
        self._folder = folder
        self._server: postgres.ScratchServer | None = None
        self._admin: str | None = None

    def __enter__(self) -> Engines:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.stop()

    def open_db(self, folder: Path | None = None) -> Database:
        """A new, empty database (raises CheckError when the server is unusable); a SQLite
        file in ``folder`` is one round-trip children write (see :func:`attach_spec`)."""
        if self.engine == "sqlite":
            timeout = max(1.0, self._remaining())
            return SqliteDatabase(folder or self._folder, timeout, shared=folder is not None)
        try:
            timeout = max(1.0, self._remaining())
            return postgres.PostgresDatabase(self.admin(), self.owner(), timeout)
        except postgres.ServerError as exc:
            raise CheckError(f"roundtrip on PostgreSQL: {exc}") from exc

    def owner(self) -> str | None:
        """The unprivileged role migrations run as on our own scratch server (None on a
        given server, where the URL's user is used as it is)."""
        return postgres.MIGRATOR if self._server is not None else None

    def admin(self) -> str:
        """Connection string of a database the scratch databases are created from."""
        if self._admin is None:
            self._admin = self._connect()
        return self._admin

    def _connect(self) -> str:
        if importlib.util.find_spec("psycopg") is None:
            raise CheckError(
                "roundtrip: postgres needs psycopg: pip install 'dod-gatekeeper[migrations]', "
                "or set `roundtrip: sqlite`"
            )
        if self._url:
            try:
                postgres.connect(self._url).close()
            except postgres.ServerError as exc:
                raise CheckError(
                    f"database_url cannot be reached ({exc}); check the URL and that the "
                    "server is up, or set `roundtrip: sqlite`"
                ) from exc
            return self._url
        bindir = postgres.find_binaries()
        if bindir is None:
            raise CheckError(
                "roundtrip: postgres needs a database_url or the PostgreSQL binaries (initdb, "
                "pg_ctl) on PATH; install them, set database_url, or set `roundtrip: sqlite`"
            )
        self._server = postgres.ScratchServer(bindir)
        try:
            return self._server.start()
        except postgres.ServerError as exc:
            raise CheckError(f"{exc}; set database_url or `roundtrip: sqlite`") from exc


def attach_spec(db: Database) -> dict[str, str]:
    """How a round-trip child reaches ``db``, a database the gate opened (and snapshots)."""
    path = getattr(db, "path", None)
    if path is not None:
        return {"engine": "sqlite", "path": str(path)}
    if isinstance(db, postgres.PostgresDatabase):
        return {"engine": "postgres", "conninfo": db.own_conninfo()}
    raise TypeError(f"no way for a child to reach a {type(db).__name__}")


@dataclass(frozen=True)
class SqliteFile:
    """A SQLite file the gate made, as a child sees it: its URL, nothing to snapshot."""

    path: Path
    engine: str = "sqlite"

    def sqlalchemy_url(self) -> str:
        """``sqlite:///<file>``."""
        return f"sqlite:///{self.path}"

    def params(self) -> dict[str, str]:
        """The connection parameters, as :meth:`.postgres.PostgresDatabase.params` gives
        them: a file has only a database name, its path."""
        return {"host": "", "port": "", "user": "", "password": "", "database": str(self.path)}


def attach(spec: dict[str, str]) -> SqliteFile | postgres.PostgresDatabase:
    """The database :func:`attach_spec` describes (in a child process)."""
    if spec["engine"] == "sqlite":
        return SqliteFile(Path(spec["path"]))
    return postgres.PostgresDatabase.attach(spec["conninfo"])
