"""SQL that the migration's own database refuses to run (``syntax-rejected``).

A file written for one database in another's syntax fails on deploy, whatever its safety:
MySQL has no ``IF NOT EXISTS`` on a column and wants ``DROP INDEX <name> ON <table>``;
PostgreSQL has no ``MODIFY``; SQLite's ``ALTER TABLE`` cannot alter a column or a
constraint. The rule speaks only when the file's database is known from where the file
is, never guessed from its SQL: its per-database name (``*.mysql.up.sql``) or its folder
(``migrations/mysql/``, ``db/migration_mysql``). MariaDB, which accepts most of what MySQL
refuses here, is its own dialect: a name or folder that says ``mariadb`` is read as such.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.checks.migrations import variants
from gatekeeper.checks.migrations.sqltext import Statement, strip_comments

_NAME = r"(?:[`\"\[]?[\w$]+[`\"\]]?\.)?[`\"\[]?[\w$]+[`\"\]]?"
_ALTER = rf"^ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?{_NAME}\s+"
#: an action of ALTER TABLE: right after the table's name or after a comma
_ACTION = rf"{_ALTER}(?:.*,\s*)?"
_INDEX = r"^CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+"


@dataclass(frozen=True, slots=True)
class Form:
    """A statement form a database rejects: what it is, and what the database accepts."""

    pattern: re.Pattern[str]
    what: str
    accepted: str


def _form(pattern: str, what: str, accepted: str) -> Form:
    return Form(re.compile(pattern, re.I | re.S), what, accepted)


_ADD_IF = _form(
    rf"{_ACTION}ADD\s+(?:COLUMN\s+)?IF\s+NOT\s+EXISTS\b",
    "ADD COLUMN IF NOT EXISTS",
    "a plain ADD COLUMN (the migration tool already runs each version once)",
)
_DROP_COLUMN_IF = _form(
    rf"{_ACTION}DROP\s+(?:COLUMN\s+)?IF\s+EXISTS\b",
    "DROP COLUMN IF EXISTS",
    "a plain DROP COLUMN",
)
_CONCURRENTLY = _form(
    rf"{_INDEX}CONCURRENTLY\b", "CREATE INDEX CONCURRENTLY", "CREATE INDEX without CONCURRENTLY"
)
_DROP_INDEX_NO_TABLE = _form(
    rf"^DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?{_NAME}\s*$",
    "DROP INDEX without ON <table>",
    "DROP INDEX <name> ON <table> (index names belong to their table)",
)
_ALTER_COLUMN_PG = _form(
    rf"{_ACTION}ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?:(?:SET\s+DATA\s+)?TYPE|SET\s+NOT\s+NULL|DROP\s+NOT\s+NULL)\b",
    "ALTER COLUMN ... TYPE / SET NOT NULL / DROP NOT NULL",
    "MODIFY [COLUMN] <name> <full definition> (ALTER COLUMN only sets or drops a default)",
)
_MYSQL_ONLY = (
    _form(
        rf"{_INDEX}IF\s+NOT\s+EXISTS\b",
        "CREATE INDEX IF NOT EXISTS",
        "a plain CREATE INDEX",
    ),
    _form(
        r"^DROP\s+INDEX\s+IF\s+EXISTS\b",
        "DROP INDEX IF EXISTS",
        "DROP INDEX <name> ON <table>, without IF EXISTS",
    ),
    _ADD_IF,
    _DROP_COLUMN_IF,
)
_MYSQL_FAMILY = (_DROP_INDEX_NO_TABLE, _CONCURRENTLY, _ALTER_COLUMN_PG)
_SQLITE_REBUILD = "the table rebuild (create the new table, copy the rows, drop the old one, " \
    "rename the new one)"  # fmt: skip
FORMS: dict[str, tuple[Form, ...]] = {
    "mysql": (*_MYSQL_ONLY, *_MYSQL_FAMILY),
    "mariadb": _MYSQL_FAMILY,
    "postgres": (
        _form(
            rf"^DROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?{_NAME}\s+ON\s+",
            "DROP INDEX ... ON <table>",
            "DROP INDEX <name> (index names belong to the schema)",
        ),
        _form(
            rf"{_ACTION}(?:MODIFY|CHANGE)\s+(?:COLUMN\s+)?{_NAME}\s+\w",
            "ALTER TABLE ... MODIFY/CHANGE",
            "ALTER COLUMN <name> TYPE ... / SET NOT NULL / DROP NOT NULL, RENAME COLUMN",
        ),
    ),
    "sqlite": (
        _form(rf"{_ALTER}ALTER\s+(?:COLUMN\s+)?{_NAME}\s+\w", "ALTER TABLE ... ALTER COLUMN",
              _SQLITE_REBUILD),
        _form(rf"{_ALTER}ADD\s+CONSTRAINT\b", "ALTER TABLE ... ADD CONSTRAINT", _SQLITE_REBUILD),
        _form(rf"{_ALTER}DROP\s+CONSTRAINT\b", "ALTER TABLE ... DROP CONSTRAINT",
              _SQLITE_REBUILD),
        _form(rf"{_ALTER}(?:MODIFY|CHANGE)\s+", "ALTER TABLE ... MODIFY/CHANGE", _SQLITE_REBUILD),
        _ADD_IF,
        _DROP_COLUMN_IF,
        _CONCURRENTLY,
    ),
}  # fmt: skip
LABEL = {"mysql": "MySQL", "mariadb": "MariaDB", "postgres": "PostgreSQL", "sqlite": "SQLite"}


@dataclass(frozen=True, slots=True)
class Rejection:
    """One statement the database refuses: where, what, and the form it accepts."""

    line: int
    statement: str
    what: str
    dialect: str
    accepted: str
    #: the lines a ``gatekeeper:ignore syntax-rejected <reason>`` above it covers, if any
    ignore_span: tuple[int, int] | None = None


def dialect_of(path: str, names: frozenset[str]) -> str:
    """The database ``path`` is written for, as this rule reads it ("" when unknown): its
    per-database file name first, then its folder; ``names`` are the files beside it (a
    generic file beside per-database ones serves several databases and has none)."""
    name = posixpath.basename(path)
    own = variants.parse(name)
    if own is not None and own.dialect:
        return "mariadb" if ".mariadb." in name.lower() else _rules(own.dialect)
    if variants.dialects_in(names):
        return ""
    token = variants.folder_token(path)
    if not token:
        return ""
    return "mariadb" if token == "mariadb" else _rules(variants.FOLDERS[token])


def _rules(runner: str) -> str:
    rules = variants.FOLDER_RULES.get(runner, runner)
    return rules if rules in FORMS else ""


def rejections(
    statements: Iterable[Statement], dialect: str, lines: frozenset[int]
) -> list[Rejection]:
    """The statements on ``lines`` (those a change added) that ``dialect`` rejects."""
    forms = FORMS.get(dialect, ())
    out = []
    for stmt in statements:
        if not forms or not lines & set(range(stmt.line, stmt.end_line + 1)):
            continue
        text = " ".join(_without_strings(strip_comments(stmt.text)).split())
        for form in forms:
            if form.pattern.search(text):
                shown = " ".join(strip_comments(stmt.text).split())
                shown = shown if len(shown) <= 100 else shown[:97] + "..."
                span = None
                if stmt.ignores().get("syntax-rejected"):  # a marker with a reason
                    span = (max(1, stmt.line - stmt.comments.count("\n") - 1), stmt.end_line)
                out.append(Rejection(stmt.line, shown, form.what, dialect, form.accepted, span))
                break
    return out


def _without_strings(sql: str) -> str:
    """Quoted literals blanked, so a default or a comment string cannot match a form."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)
