"""The PostgreSQL roundtrip engine: a scratch database on a given server or on a scratch
server started from the local PostgreSQL binaries (initdb + pg_ctl, unix socket only).

Every roundtrip gets a database of its own, created and dropped here; nothing else on
the server is touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

from gatekeeper.checks.migrations.catalog import Catalog, EngineError, Fact
from gatekeeper.checks.migrations.sqltext import strip_comments

#: SQLSTATE classes/codes that mean the server lacks something, not that the migration is wrong
_UNSUPPORTED_CLASS = "0A"  # feature_not_supported (e.g. an extension that is not installed)
#: undefined_file (an extension's files are missing); insufficient_privilege (the scratch
#: role is no superuser: a migration that needs one cannot be proven here); query_canceled
#: (the check's time limit ran out)
_UNSUPPORTED_CODES = frozenset({"58P01", "42501", "57014"})
#: what a migration may take from the server it was written for and a scratch server has
#: not: the PR did not cause it, so a round trip stopped by it is "not run" (the reason
#: says which), never "failed"
_ENVIRONMENT = (
    (re.compile(r'\brole "[^"]*" does not exist'), "a role this server does not have"),
    (re.compile(r'\btablespace "[^"]*" does not exist'), "a tablespace this server does not have"),
    (
        re.compile(
            r'extension "[^"]*" is not available|could not open extension control file|'
            r'\blanguage "[^"]*" does not exist|\baccess method "[^"]*" does not exist|'
            r'\btype "(?:\w+\.)?(?:geometry|geography|raster|box2d|box3d|vector|halfvec|'
            r'sparsevec|citext|hstore|ltree|cube|earth|lquery|ltxtquery)" does not exist|'
            r"\bfunction (?:\w+\.)?(?:st_\w+|create_hypertable|add_\w+_policy|"
            r"uuid_generate_v\d\w*|gen_salt|crypt|digest|hmac|similarity|earth_\w+)\(",
            re.IGNORECASE,
        ),
        "an extension not installed or not created on this server",
    ),
)
#: statements that only grant, revoke or hand over ownership: nothing the round trip
#: compares; where the role they name is not on this server, they are skipped
_PRIVILEGES = re.compile(
    r"^\s*(?:GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\b|^\s*ALTER\b[^;]*\bOWNER\s+TO\b",
    re.IGNORECASE | re.DOTALL,
)
#: no_active_sql_transaction: a statement that only means something inside a transaction
_NO_TRANSACTION = "25P01"
#: psycopg's TransactionStatus.INERROR: a block whose statement failed
_FAILED_BLOCK = 3
SCRATCH_USER = "gatekeeper"
#: the role migrations run as on a scratch server: it owns its database and nothing else,
#: so a migration cannot reach the machine (COPY ... PROGRAM) or other databases
MIGRATOR = "gk_migrator"


class ServerError(Exception):
    """The server cannot be started or reached; the message says what to do."""


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    candidates.sort(key=lambda p: [int(x) for x in re.findall(r"\d+", p)] or [0])
    return Path(candidates[-1]).parent if candidates else None


def mask(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class ScratchServer:
    """A throwaway PostgreSQL cluster in a temp folder, reachable on a unix socket."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="gk-pg-"))
        self.port = 5432
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root: drop to the postgres user
            user = _service_user()
            shutil.chown(self.folder, user, user)
            # the socket lives here: a migration child running as another user must reach
            # it (the data folder inside stays the server's alone)
            os.chmod(self.folder, 0o711)
            self._as_user = ["runuser", "-u", user, "--"]

    def _run(self, *args: str, timeout: float = 60.0) -> None:
        proc = subprocess.run(
            [*self._as_user, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise ServerError(f"{Path(args[0]).name} failed: {' / '.join(tail)}")

    def start(self) -> str:
        """Create and start the cluster; the admin conninfo."""
        data = self.folder / "data"
        try:
            self._run(
                str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", SCRATCH_USER,
                "-E", "UTF8", "--no-sync", "--no-instructions",
            )  # fmt: skip
            options = f"-k {self.folder} -c listen_addresses='' -p {self.port} -F"
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                "-l", str(self.folder / "server.log"), "start",
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ServerError(f"cannot start a scratch PostgreSQL: {exc}") from exc
        with connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {MIGRATOR} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB")
        return self.conninfo()

    def conninfo(self) -> str:
        """Connection string of the ``postgres`` database on this server."""
        return f"host={self.folder} port={self.port} user={SCRATCH_USER} dbname=postgres"

    def stop(self) -> None:
        """Stop the server (fast) and delete its folder."""
        # already stopped, or never started: the folder goes either way
        with contextlib.suppress(ServerError, OSError, subprocess.TimeoutExpired):
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                "-w", "stop",
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _service_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerError("running as root and no 'postgres' user to run PostgreSQL as")


def connect(conninfo: str, **kwargs: Any) -> Any:
    """A psycopg connection, or :class:`ServerError` saying the server cannot be reached."""
    import psycopg

    try:
        return psycopg.connect(conninfo, connect_timeout=10, **kwargs)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServerError(f"cannot connect to {mask(conninfo)}: {first}") from exc


def _environment(message: str) -> str:
    """What the server lacks, when ``message`` says it lacks something a migration may
    take for granted ("" otherwise)."""
    return next((why for pattern, why in _ENVIRONMENT if pattern.search(message)), "")


def _engine_error(message: str, state: str, line: int) -> EngineError:
    """The error of a statement: "unsupported" when the server, not the migration, is
    the cause (the reason then says what the server lacks)."""
    lacking = _environment(message)
    if lacking:
        message = f"{message} ({lacking}: not something the change caused)"
    unsupported = bool(lacking) or state.startswith(_UNSUPPORTED_CLASS)
    return EngineError(message, line=line, unsupported=unsupported or state in _UNSUPPORTED_CODES)


class PostgresDatabase:
    """A fresh database on the server behind ``admin`` (a conninfo or URL)."""

    engine = "postgres"

    def __init__(self, admin: str, owner: str | None = None, timeout: float | None = None) -> None:
        from psycopg.conninfo import make_conninfo

        self._admin = admin
        self.name = f"gk_scratch_{uuid.uuid4().hex[:12]}"
        owned = f" OWNER {owner}" if owner else ""
        import psycopg

        with connect(admin, autocommit=True) as conn:
            try:
                conn.execute(f'CREATE DATABASE "{self.name}"{owned}'.encode())
            except psycopg.Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise ServerError(
                    f"cannot create a scratch database on {mask(admin)}: {first} (its user "
                    "needs the CREATEDB privilege)"
                ) from exc
        extra = {"user": owner} if owner else {}
        self._conninfo = make_conninfo(admin, dbname=self.name, **extra)
        # a statement may not outlive the check's time limit (a migration can still SET its own)
        limit = {"options": f"-c statement_timeout={int(timeout * 1000)}"} if timeout else {}
        self._conn = connect(self._conninfo, autocommit=True, **limit)

    @classmethod
    def attach(cls, conninfo: str) -> PostgresDatabase:
        """The database of ``conninfo``, made by the gate, as a round-trip child reaches it:
        its URL and parameters, no connection of its own (the gate snapshots it)."""
        from psycopg.conninfo import conninfo_to_dict

        db = cls.__new__(cls)
        db._admin = ""
        db._conninfo = conninfo
        db.name = str(conninfo_to_dict(conninfo).get("dbname") or "")
        return db

    def own_conninfo(self) -> str:
        """How to connect to this database (as its owner)."""
        return str(self._conninfo)

    def execute(self, statements: list[tuple[str, int]]) -> None:
        """Run each statement as sent (autocommit; the file's own BEGIN/COMMIT apply)."""
        import psycopg

        for sql, line in statements:
            privileges = _PRIVILEGES.match(strip_comments(sql)) is not None
            in_block = self._conn.info.transaction_status != 0
            if privileges and in_block:  # a skipped GRANT must not abort the file's block
                self._conn.execute(b"SAVEPOINT gk_privileges")
            try:
                self._conn.execute(sql.encode("utf-8"))  # bytes: no client-side placeholders
            except psycopg.Error as exc:
                message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                state = exc.sqlstate or ""
                if privileges and (state == "42501" or _environment(message)):
                    if in_block:
                        self._conn.execute(b"ROLLBACK TO SAVEPOINT gk_privileges")
                    continue
                if state == _NO_TRANSACTION:
                    # LOCK TABLE, SAVEPOINT: the runner's own transaction around the file
                    # (goose, dbmate, Flyway) is not opened here; alone they change nothing
                    continue
                if self._conn.info.transaction_status == _FAILED_BLOCK:
                    self._conn.rollback()  # the file's own block is lost, as on its server
                raise _engine_error(message, state, line) from exc

    def snapshot(self) -> Catalog:
        """Tables, columns, indexes, constraints, enums, sequences and views, as a set."""
        from gatekeeper.checks.migrations.pgcatalog import QUERIES

        facts: set[Fact] = set()
        if self._conn.info.transaction_status != 0:  # a failed BEGIN block in the file
            self._conn.rollback()
        for kind, query in QUERIES:
            for row in self._conn.execute(query):
                facts.add((kind, *(str(v) if v is not None else "" for v in row)))
        return Catalog(frozenset(facts))

    def params(self) -> dict[str, str]:
        """host, port, user, password and database of this database: the one source of
        them for a round trip's child (Django's DATABASES, the ``environment`` values)."""
        from psycopg.conninfo import conninfo_to_dict

        given = conninfo_to_dict(self._conninfo)
        keys = {"host": "host", "port": "port", "user": "user", "password": "password"}
        out = {k: str(given.get(v) or "") for k, v in keys.items()}
        return {**out, "database": self.name}

    def sqlalchemy_url(self) -> str:
        """A ``postgresql+psycopg`` URL for this database."""
        from psycopg.conninfo import conninfo_to_dict
        from sqlalchemy.engine import URL

        params = conninfo_to_dict(self._conninfo)
        query = {k: str(v) for k, v in params.items() if k in ("host", "port", "sslmode")}
        url = URL.create(
            "postgresql+psycopg",
            username=str(params.get("user") or "") or None,
            password=str(params.get("password") or "") or None,
            database=self.name,
            query=query,
        )
        rendered = url.render_as_string(hide_password=False)
        # a socket folder is spelled as it is (host=/tmp/...): env.py files hand the URL to
        # configparser, where a percent-escape is an interpolation error
        address, _, tail = rendered.partition("?")
        return address + ("?" + tail.replace("%2F", "/") if tail else "")

    def discard(self) -> None:
        """Close the connection and drop the database."""
        self._conn.close()
        with connect(self._admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
