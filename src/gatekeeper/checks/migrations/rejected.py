"""SQL that the migration's own database refuses to run (``syntax-rejected``).

A file written for one database in another's syntax fails on deploy, whatever its safety:
MySQL has no ``IF NOT EXISTS`` on a column and wants ``DROP INDEX <name> ON <table>``;
PostgreSQL has no ``MODIFY``; SQLite's ``ALTER TABLE`` cannot alter a column or a
constraint, and its ``ADD COLUMN`` cannot add a PRIMARY KEY or UNIQUE column, nor (on a
table that holds rows) one whose default is not a constant (``CURRENT_TIMESTAMP``, a
function call in parentheses). The rule speaks only when the file's database is known from
where the file is, never guessed from its SQL: its per-database name (``*.mysql.up.sql``),
its folder (``migrations/mysql/``, ``db/migration_mysql``) or the merged drizzle config of
its folder (:func:`drizzle_rules`). MariaDB, which accepts most of what MySQL refuses
here, is its own dialect: a name or folder that says ``mariadb`` is read as such; so is
libSQL (drizzle's ``turso``), whose ``ALTER COLUMN <name> TO <definition>`` SQLite lacks.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable, Iterable
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
    #: refused only on a table that holds rows (SQLite checks an added column's default
    #: against the rows it must fill): a table created earlier in the same file is empty
    with_rows: bool = False
    #: a further test of the match (a default SQLite can or cannot reduce to a constant)
    test: Callable[[re.Match[str]], bool] | None = None


def _form(
    pattern: str,
    what: str,
    accepted: str,
    *,
    with_rows: bool = False,
    test: Callable[[re.Match[str]], bool] | None = None,
) -> Form:
    return Form(re.compile(pattern, re.I | re.S), what, accepted, with_rows, test)


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
#: SQLite's ADD COLUMN (one column per statement): the column's name, then its definition
_ADD_COLUMN = (
    rf"{_ALTER}ADD\s+(?:COLUMN\s+)?(?!(?:CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK)\b){_NAME}\s"
)
#: a parenthesised expression, up to three levels deep
_PARENS = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
#: what SQLite reduces to a constant: a signed number, a string, a blob, NULL, TRUE or
#: FALSE, in any parentheses (strings are blanked to '' before matching)
_CONSTANT = re.compile(
    r"[\s(+-]*(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|0x[0-9a-f]+|x?''|NULL|TRUE|FALSE)"
    r"[\s)]*",
    re.I,
)


def _not_constant(m: re.Match[str]) -> bool:
    """A default SQLite cannot reduce to a constant: CURRENT_TIME/DATE/TIMESTAMP, or a
    parenthesised expression other than a literal (a function call, an operator)."""
    default = m.group("default")
    return not default.startswith("(") or _CONSTANT.fullmatch(default) is None


_SQLITE_ADD_COLUMN = (
    _form(
        rf"{_ADD_COLUMN}.*(?<![\w`\"\[])(?:PRIMARY\s+KEY|UNIQUE)(?![\w`\"\]])",
        "ADD COLUMN ... PRIMARY KEY / UNIQUE",
        "adding the column without it, then CREATE UNIQUE INDEX on it (or the table rebuild)",
    ),
    _form(
        rf"{_ADD_COLUMN}.*?\bDEFAULT\s*(?P<default>{_PARENS}|CURRENT_(?:TIME|DATE|TIMESTAMP)\b)",
        "ADD COLUMN with a default that is not a constant",
        "a constant default (a number or a quoted string), then an UPDATE that fills the "
        "rows, or the table rebuild",
        with_rows=True,
        test=_not_constant,
    ),
)
_SQLITE = (
    _form(rf"{_ALTER}ADD\s+CONSTRAINT\b", "ALTER TABLE ... ADD CONSTRAINT", _SQLITE_REBUILD),
    _form(rf"{_ALTER}DROP\s+CONSTRAINT\b", "ALTER TABLE ... DROP CONSTRAINT", _SQLITE_REBUILD),
    _form(rf"{_ALTER}(?:MODIFY|CHANGE)\s+", "ALTER TABLE ... MODIFY/CHANGE", _SQLITE_REBUILD),
    *_SQLITE_ADD_COLUMN,
    _ADD_IF,
    _DROP_COLUMN_IF,
    _CONCURRENTLY,
)
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
        *_SQLITE,
    ),
    # libSQL (Turso) accepts ALTER COLUMN <name> TO <new definition>, drizzle-kit's form
    "libsql": (
        _form(rf"{_ALTER}ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?!TO\b)\w",
              "ALTER TABLE ... ALTER COLUMN other than ALTER COLUMN <name> TO <definition>",
              "ALTER COLUMN <name> TO <name> <full definition>, or the table rebuild"),
        *_SQLITE,
    ),
}  # fmt: skip
LABEL = {"mysql": "MySQL", "mariadb": "MariaDB", "postgres": "PostgreSQL", "sqlite": "SQLite",
         "libsql": "libSQL"}  # fmt: skip
#: databases whose DDL is transactional, so a statement they refuse undoes what the
#: migration did before it (each migration tool here runs a file in one transaction)
TRANSACTIONAL = frozenset({"postgres", "sqlite", "libsql"})
#: a drizzle config's ``dialect`` as this rule reads it
_DRIZZLE = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite", "turso": "libsql"}


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
    #: refused only where the table holds rows (see :attr:`Form.with_rows`)
    with_rows: bool = False


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


def drizzle_rules(config_dialect: str) -> str:
    """How this rule reads the database a drizzle config names ("" when unknown)."""
    return _DRIZZLE.get(config_dialect, "")


def _rules(runner: str) -> str:
    rules = variants.FOLDER_RULES.get(runner, runner)
    return rules if rules in FORMS else ""


def rejections(
    statements: Iterable[Statement], dialect: str, lines: frozenset[int]
) -> list[Rejection]:
    """The statements on ``lines`` (those a change added) that ``dialect`` rejects. A form
    refused only on a table holding rows is not told of a table the file created earlier."""
    forms = FORMS.get(dialect, ())
    out = []
    created: set[str] = set()
    for stmt in statements:
        text = " ".join(_without_strings(strip_comments(stmt.text)).split())
        made = _CREATE_TABLE.match(text)
        if made:
            created.add(_bare(made.group(1)))
        if not forms or not lines & set(range(stmt.line, stmt.end_line + 1)):
            continue
        form = _refused(forms, text, created)
        if form is None:
            continue
        shown = " ".join(strip_comments(stmt.text).split())
        shown = shown if len(shown) <= 100 else shown[:97] + "..."
        span = None
        if stmt.ignores().get("syntax-rejected"):  # a marker with a reason
            span = (max(1, stmt.line - stmt.comments.count("\n") - 1), stmt.end_line)
        found = Rejection(stmt.line, shown, form.what, dialect, form.accepted, span)
        out.append(dataclasses.replace(found, with_rows=form.with_rows))
    return out


def _refused(forms: Iterable[Form], text: str, created: set[str]) -> Form | None:
    """The first form that refuses ``text`` (whitespace-collapsed, strings blanked)."""
    for form in forms:
        m = form.pattern.search(text)
        if m is None or (form.test is not None and not form.test(m)):
            continue
        if form.with_rows and _altered(text) in created:
            continue  # the file made the table: it is empty, and SQLite takes the column
        return form
    return None


_CREATE_TABLE = re.compile(
    rf"^CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?({_NAME})", re.I
)
_ALTERED = re.compile(rf"^ALTER\s+TABLE\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?({_NAME})", re.I)


def _altered(text: str) -> str:
    m = _ALTERED.match(text)
    return _bare(m.group(1)) if m else ""


def _bare(name: str) -> str:
    """A table's name without its schema and quotes, in lower case."""
    return name.rsplit(".", 1)[-1].strip('`"[]').lower()


def _without_strings(sql: str) -> str:
    """Quoted literals blanked, so a default or a comment string cannot match a form."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)
