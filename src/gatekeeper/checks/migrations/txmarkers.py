"""Migrations a runner runs outside a transaction: the tools' own settings, and a
project's runner that reads a marker word in the file's name.

What the tools document, beside the first-line markers :mod:`.review` reads (sqlx's
``-- no-transaction``, goose's ``-- +goose NO TRANSACTION``, dbmate's ``transaction:false``):

- Flyway wraps each script in a transaction unless its script configuration file, the
  script's name with ``.conf`` appended (``V3__index.sql.conf``), says
  ``executeInTransaction=false``. It ships beside the script, like a first-line marker.
- golang-migrate's PostgreSQL drivers send a file as one query, which PostgreSQL runs in
  one implicit transaction, unless multi-statement mode is on (``x-multi-statement=true``
  in the database URL, ``MultiStatementEnabled: true`` in Go): then each statement is
  sent alone. Read at base, as a setting of the deployment the PR does not choose.

Some projects replace their framework's runner to run chosen migrations outside a
transaction, chosen by a word in the file's name: svix's sqlx migrator runs a migration
whose name ends in ``autocommit`` statement by statement. A migration is taken as run
outside a transaction when

1. its file name carries one of :data:`MARKERS` as a word of its own
   (``_autocommit.up.sql``, ``-no_transaction.sql``), and
2. a source file of the project, not test code, holds that word as a string literal and
   reads as a runner: it also mentions transactions, tests a name with it (``ends_with``,
   ``endswith``, ``HasSuffix``, ``includes``...), and executes SQL or migrations.

Such a runner often ships in the PR that needs it, so it is looked for at head. The PR's
author could write one just to pass: the bar above asks for a file that at least has a
runner's shape, and a runner the merged tree does not hold gives a warning
(``runner-outside-transaction``) so that a reviewer confirms the file runs migrations.
One the merged tree holds is trusted as the base is.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.globs import match_any

#: words a file name carries to ask a project's runner for no transaction (the spelling
#: in the name must be the one the runner's literal holds)
MARKERS = (
    "autocommit", "no_transaction", "no-transaction", "notransaction", "nontransactional",
    "non_transactional", "non-transactional", "notx", "no_tx", "no-tx", "notxn", "no_txn",
    "without_transaction", "outside_transaction",
)  # fmt: skip
_NAME_MARKER = re.compile(
    r"(?:^|[._-])("
    + "|".join(re.escape(m) for m in sorted(MARKERS, key=len, reverse=True))
    + r")(?=$|[._-])",
    re.IGNORECASE,
)
#: where a runner is looked for: application code, never SQL or configuration
_CODE = (
    "*.rs", "*.go", "*.py", "*.rb", "*.ts", "*.js", "*.mjs", "*.cjs", "*.java", "*.kt",
    "*.cs", "*.php", "*.ex", "*.exs", "*.scala",
)  # fmt: skip
_TEST_CODE = (
    "**/test/**", "**/tests/**", "**/__tests__/**", "**/testdata/**", "**/spec/**",
    "**/test_*.py", "**/*_test.*", "**/*.test.*", "**/*.spec.*", "**/*_spec.rb",
    "**/conftest.py", "test/**", "tests/**", "spec/**",
)  # fmt: skip
_TRANSACTION = re.compile(r"transaction", re.IGNORECASE)
_NAME_TEST = re.compile(
    r"\b(?:ends_with|endswith|endsWith|EndsWith|HasSuffix|end_with\?|contains|Contains|"
    r"includes|include\?|starts_with|startswith|startsWith|HasPrefix|start_with\?)\b"
)
_EXECUTES = re.compile(r"\b(?:execute\w*|exec\w*|Exec\w*|migrat\w*|Migrat\w*)\b", re.IGNORECASE)
#: candidate files read per marker, at most
MAX_FILES = 20
#: bytes of a candidate read, at most
MAX_BYTES = 512 * 1024


def name_marker(path: str) -> str:
    """The marker word the migration's file name carries ("" when none), as written."""
    name = posixpath.basename(path)
    for ext in (".up.sql", ".down.sql", ".sql"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    found = _NAME_MARKER.findall(name)
    return found[-1] if found else ""


@dataclass(frozen=True, slots=True)
class Runner:
    """A project file that runs migrations named with ``marker`` outside a transaction."""

    path: str
    marker: str
    #: the merged tree holds it too (else only the PR's head does)
    merged: bool


def runner(changes: ChangeSet, marker: str) -> Runner | None:
    """The project's runner for migrations named with ``marker``, at head (None when no
    file has a runner's shape); read once per run and marker."""
    return changes.fact(f"migrations.tx-runner:{marker.lower()}", lambda: _runner(changes, marker))


def _runner(changes: ChangeSet, marker: str) -> Runner | None:
    head = _runners(changes, marker, at_base=False)
    if not head:
        return None
    base = set(_runners(changes, marker, at_base=True))
    merged = [p for p in head if p in base]
    return Runner(merged[0], marker, True) if merged else Runner(head[0], marker, False)


def _runners(changes: ChangeSet, marker: str, *, at_base: bool) -> list[str]:
    find = changes.base_files_containing if at_base else changes.head_files_containing
    read = changes.text_at_base if at_base else changes.text_at_head
    found = find([marker], list(_CODE)) or []
    literal = re.compile(r"""["'`][._-]?""" + re.escape(marker) + r"""["'`]""", re.IGNORECASE)
    out = []
    for path in [p for p in found if not match_any(p, _TEST_CODE)][:MAX_FILES]:
        text = (read(path) or "")[:MAX_BYTES]
        if (
            literal.search(text)
            and _TRANSACTION.search(text)
            and _NAME_TEST.search(text)
            and _EXECUTES.search(text)
        ):
            out.append(path)
    return out


def flyway_outside(changes: ChangeSet, path: str) -> bool:
    """Whether Flyway's script configuration file for ``path`` (``<script>.conf``, at
    head: it ships with the script) says ``executeInTransaction=false``."""
    conf = changes.text_at_head(path + ".conf") or ""
    return _FLYWAY_NO_TX.search(conf) is not None


_FLYWAY_NO_TX = re.compile(r"^[ \t]*executeInTransaction[ \t]*=[ \t]*false\b", re.I | re.M)


def flyway_detected(changes: ChangeSet, statements: list[str]) -> bool:
    """Whether Flyway runs a script outside a transaction on its own: every statement is
    one its PostgreSQL parser takes out of a transaction (``CREATE [UNIQUE] INDEX
    CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``), and the merged configuration turns off
    the transaction-level advisory lock (``postgresql.transactional.lock=false``), without
    which the concurrent build waits forever for Flyway's own open transaction. A script
    mixing them with other statements is refused by Flyway (unless ``mixed``), so it is
    not relieved."""
    if not statements or not all(_FLYWAY_CONCURRENT.match(" ".join(s.split())) for s in statements):
        return False
    return changes.fact("migrations.flyway-session-lock", lambda: _session_lock(changes))


def _session_lock(changes: ChangeSet) -> bool:
    words = ["transactional", "FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK", "transactional-lock"]
    found = changes.base_files_containing(words, _CONFIG_FILES)
    for path in (found or [])[:MAX_FILES]:
        if match_any(path, _TEST_CODE):
            continue
        if _LOCK_OFF.search((changes.text_at_base(path) or "")[:MAX_BYTES]):
            return True
    return False


_FLYWAY_CONCURRENT = re.compile(r"(?:CREATE|DROP)(?: UNIQUE)? INDEX CONCURRENTLY\b", re.I)
#: where Flyway's settings live (its own files, Spring Boot's, an environment, a build)
_CONFIG_FILES = ("*.conf", "*.toml", "*.yml", "*.yaml", "*.properties", "*.env", ".env*",
                 "*.gradle", "*.kts", "*.xml", "Dockerfile*")  # fmt: skip
#: Flyway's ``postgresql.transactional.lock`` (Spring: ``...postgresql.transactional-lock``,
#: nested in YAML; the environment: ``FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK``) set false
_LOCK_OFF = re.compile(r"transactional[._-]lock\W*?[:=]\s*['\"]?false\b", re.IGNORECASE)


def multi_statement(changes: ChangeSet) -> bool:
    """Whether the merged tree turns golang-migrate's multi-statement mode on (each
    statement of a file sent alone, so none shares an implicit transaction)."""
    return changes.fact("migrations.golang-multi-statement", lambda: _multi_statement(changes))


def _multi_statement(changes: ChangeSet) -> bool:
    found = changes.base_files_containing(["x-multi-statement", "MultiStatementEnabled"], ["*"])
    for path in (found or [])[:MAX_FILES]:
        if match_any(path, _TEST_CODE):
            continue
        if _MULTI_ON.search((changes.text_at_base(path) or "")[:MAX_BYTES]):
            return True
    return False


_MULTI_ON = re.compile(
    r"x-multi-statement=(?:true|1)\b|MultiStatementEnabled\s*:\s*true\b", re.IGNORECASE
)


def kysely_setup(changes: ChangeSet) -> Runner | None:
    """The project file that builds Kysely's ``Migrator`` with ``disableTransactions:
    true`` (then no migration runs in a transaction), at head; ``merged`` when the merged
    tree holds it too. None when no file does. Read once per run."""
    return changes.fact("migrations.kysely-no-tx", lambda: _kysely_setup(changes))


def _kysely_setup(changes: ChangeSet) -> Runner | None:
    head = _setups(changes, at_base=False)
    if not head:
        return None
    base = set(_setups(changes, at_base=True))
    merged = [p for p in head if p in base]
    return Runner((merged or head)[0], _KYSELY_OPTION, bool(merged))


_KYSELY_OPTION = "disableTransactions"
_KYSELY_OFF = re.compile(r"\bdisableTransactions\s*:\s*true\b")
_KYSELY_MIGRATOR = re.compile(r"\bnew\s+Migrator\s*\(")
_JS = ("*.ts", "*.js", "*.mjs", "*.cjs", "*.mts", "*.cts")


def _setups(changes: ChangeSet, *, at_base: bool) -> list[str]:
    find = changes.base_files_containing if at_base else changes.head_files_containing
    read = changes.text_at_base if at_base else changes.text_at_head
    found = find([_KYSELY_OPTION], list(_JS)) or []
    out = []
    for path in [p for p in found if not match_any(p, _TEST_CODE)][:MAX_FILES]:
        text = (read(path) or "")[:MAX_BYTES]
        if _KYSELY_OFF.search(text) and _KYSELY_MIGRATOR.search(text):
            out.append(path)
    return out
