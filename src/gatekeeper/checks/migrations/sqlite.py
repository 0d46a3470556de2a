"""The SQLite roundtrip engine: a database file in the scratch folder, deleted afterwards."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
import uuid
from pathlib import Path

from gatekeeper.checks.migrations.catalog import Catalog, EngineError, Fact
from gatekeeper.checks.migrations.sqltext import strip_comments

#: SQLite messages that mean "this engine cannot do it", not "the migration is wrong"
_UNSUPPORTED = re.compile(
    r"syntax error|no such module|no such function|not supported|unrecognized token|"
    r"no such collation|unknown database|cannot [^\n]{0,200}? in a transaction|not authorized|"
    r"authorization denied|^interrupted$|"
    # SQLAlchemy's SQLite compiler cannot write it (a column comment): the engine's limit
    r"^UnsupportedCompilationError: .{0,300}can't render element",
    re.IGNORECASE,
)


#: statements that set session options or permissions: no schema effect, and SQLite does
#: not know them, so the roundtrip skips them (SET lock_timeout is what we recommend)
_NO_SCHEMA_EFFECT = re.compile(r"^\s*(?:SET|RESET|GRANT|REVOKE|COMMENT\s+ON)\b", re.IGNORECASE)


def is_unsupported(message: str) -> bool:
    """True when a SQLite error is the engine's limit rather than the migration's fault."""
    return _UNSUPPORTED.search(message) is not None


class SqliteDatabase:
    """A fresh SQLite database file under ``folder``."""

    engine = "sqlite"

    def __init__(self, folder: Path, timeout: float | None = None, *, shared: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        #: written by round-trip children (the PR's code): each snapshot opens the file
        #: afresh (a connection kept open would go on reading a file swapped under it) and
        #: never through a symbolic link
        self.shared = shared
        self.path = folder / f"roundtrip-{uuid.uuid4().hex[:12]}.sqlite3"
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        tune(self._conn)
        self._conn.set_authorizer(_authorize)
        if timeout is not None:
            # abort a statement that would run past the check's time limit
            deadline = time.monotonic() + timeout
            self._conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        #: table facts by (name, CREATE text): SQLite keeps a table's full definition in
        #: its CREATE text, so an unchanged text means unchanged facts (snapshots stay
        #: cheap on long chains)
        self._cache: dict[tuple[str, str], set[Fact]] = {}

    def execute(self, statements: list[tuple[str, int]]) -> None:
        """Run each statement in autocommit mode (the file's own BEGIN/COMMIT still work)."""
        for sql, line in statements:
            if _NO_SCHEMA_EFFECT.match(strip_comments(sql)):
                continue
            try:
                self._conn.execute(sql)
            except sqlite3.Error as exc:
                message = str(exc)
                if message in ("not authorized", "authorization denied"):
                    message = "ATTACH (or VACUUM INTO) would write outside the scratch database"
                elif message == "interrupted":
                    message = "stopped at the check's time limit"
                raise EngineError(message, line=line, unsupported=is_unsupported(str(exc))) from exc

    def snapshot(self) -> Catalog:
        """Tables, columns, indexes, foreign keys, views and triggers, as a set."""
        if not self.shared:
            return self._facts(self._conn)
        try:
            info = os.lstat(self.path)
            if not stat.S_ISREG(info.st_mode):
                raise EngineError("the scratch database is no longer a regular file")
            conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise EngineError(f"the scratch database cannot be read: {exc}") from exc
        try:
            return self._facts(conn)
        except sqlite3.Error as exc:
            raise EngineError(f"the scratch database cannot be read: {exc}") from exc
        finally:
            conn.close()

    def _facts(self, conn: sqlite3.Connection) -> Catalog:
        facts: set[Fact] = set()
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for kind, name, table, sql in rows:
            if kind == "table":
                facts.add(("table", name))
                key = (name, str(sql))
                if key not in self._cache:
                    self._cache[key] = _table_facts(conn, name) | _check_facts(name, str(sql))
                facts |= self._cache[key]
            elif kind in ("view", "trigger"):
                facts.add((kind, name, " ".join(str(sql).split())))
            elif kind == "index" and sql is not None:
                facts.add(("index", table, name, _index_definition(conn, name, str(sql))))
        return Catalog(frozenset(_keys_named(facts)))

    def sqlalchemy_url(self) -> str:
        """``sqlite:///<file>``."""
        return f"sqlite:///{self.path}"

    def discard(self) -> None:
        """Close and delete the database file (and its journal)."""
        self._conn.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def tune(conn: sqlite3.Connection) -> None:
    """A scratch database needs no durability: skip the fsyncs (each commit costs ms)."""
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")


def _authorize(action: int, *_args: object) -> int:
    """Deny ATTACH/DETACH: a migration could otherwise create files anywhere on disk."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _check_facts(table: str, sql: str) -> set[Fact]:
    """CHECK constraints, which SQLite keeps only in the CREATE text (no pragma lists them)."""
    if "check" not in sql.lower():
        return set()
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return {("check", table, "unparsed: " + " ".join(sql.split()))}
    return {
        ("check", table, c.this.sql(dialect="sqlite"))
        for c in tree.find_all(exp.CheckColumnConstraint)
    }


_WHERE = re.compile(r"\bWHERE\b(.*)$", re.IGNORECASE | re.DOTALL)
#: defaults that are keywords, which SQLite keeps as they were spelled
_KEYWORD_DEFAULTS = frozenset(
    {"true", "false", "null", "current_timestamp", "current_date", "current_time"}
)


def _index_definition(conn: sqlite3.Connection, name: str, sql: str) -> str:
    """What an index is, not how its CREATE was spelled: unique or not, its keys with
    their order and collation, and its WHERE clause (``(nid ASC)`` is ``(nid)``)."""
    quoted = '"' + name.replace('"', '""') + '"'
    keys = []
    for _seq, _cid, column, desc, collation, key in conn.execute(f"PRAGMA index_xinfo({quoted})"):
        if not key:
            continue  # the rowid every index carries
        if column is None:  # an expression: only its text says what it is
            return " ".join(strip_comments(sql).split()).lower()
        collate = "" if collation == "BINARY" else f" collate {collation}"
        keys.append(f"{column}{' desc' if desc else ''}{collate}")
    unique = "unique " if re.match(r"\s*CREATE\s+UNIQUE\b", sql, re.IGNORECASE) else ""
    where = _WHERE.search(strip_comments(sql))
    partial = f" where {' '.join(where.group(1).split()).lower()}" if where else ""
    return f"{unique}({', '.join(keys)}){partial}"


def _keys_named(facts: set[Fact]) -> set[Fact]:
    """``facts`` with each foreign key that names only its parent table (``REFERENCES
    registries``, which means the parent's primary key) said with that key's column, as
    one that names it is: the two are the same constraint. A parent whose key has several
    columns, or none, is left as it was."""
    keys: dict[str, list[str]] = {}
    for fact in facts:
        if fact[0] == "primary key":
            keys.setdefault(fact[1], []).append(fact[2])
    named = set()
    for fact in facts:
        implicit = fact[0] == "foreign key" and fact[2].endswith(".None")
        key = keys.get(fact[2].rsplit(" -> ", 1)[-1][: -len(".None")], []) if implicit else []
        if len(key) == 1:
            named.add((fact[0], fact[1], fact[2][: -len("None")] + key[0], *fact[3:]))
        else:
            named.add(fact)
    return named


def _table_facts(conn: sqlite3.Connection, table: str) -> set[Fact]:
    facts: set[Fact] = set()
    quoted = '"' + table.replace('"', '""') + '"'
    for _cid, name, type_, notnull, default, pk, _hidden in conn.execute(
        f"PRAGMA table_xinfo({quoted})"
    ):
        nullable = "not null" if notnull or pk else "null"
        said = str(default or "")
        if said.lower() in _KEYWORD_DEFAULTS:  # ``DEFAULT false`` is ``DEFAULT FALSE``
            said = said.lower()
        facts.add(("column", table, name, str(type_).lower(), nullable, said))
        if pk:
            facts.add(("primary key", table, name))
    for row in conn.execute(f"PRAGMA foreign_key_list({quoted})"):
        _id, _seq, ref, src, dst, on_update, on_delete, _match = row
        facts.add(("foreign key", table, f"{src} -> {ref}.{dst}", on_update, on_delete))
    for _seq, name, unique, origin, _partial in conn.execute(f"PRAGMA index_list({quoted})"):
        if origin != "c":  # implicit indexes of UNIQUE / PRIMARY KEY constraints
            index = '"' + str(name).replace('"', '""') + '"'
            cols = ",".join(str(r[2]) for r in conn.execute(f"PRAGMA index_info({index})"))
            facts.add(("unique" if unique else "index", table, f"({cols})"))
    return facts
