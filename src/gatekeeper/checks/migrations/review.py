"""Apply the safety rules to one migration: only what the change added, per framework.

Also recognises the contract step of an expand-contract plan: a drop in a PR that
changes nothing but migrations, of a name the application's code no longer mentions.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re
from collections.abc import Iterable

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.migrations import (
    alembicsql,
    backfills,
    coltypes,
    detect,
    dialects,
    djfields,
    djrebuild,
    djtables,
    djtogether,
    moves,
    opsafety,
    pgcolumns,
    prcreated,
    pyops,
    regenerated,
    safety,
    sqlmigrate,
    sqlx,
    static,
    txmarkers,
    txsteps,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DBMATE,
    DIESEL,
    DRIZZLE,
    FIZZ,
    FLYWAY,
    GOLANG_MIGRATE,
    GOOSE,
    PRISMA,
    SQL_MIGRATE,
    SQLX,
    Migration,
)
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, ignore_marks, split, strip_comments
from gatekeeper.model import Level

#: where application code is searched for a dropped name, unless the policy says
DEFAULT_CODE_PATHS = (
    "**/*.py", "**/*.rb", "**/*.go", "**/*.java", "**/*.kt", "**/*.ts", "**/*.tsx",
    "**/*.js", "**/*.cs", "**/*.php", "**/*.ex", "**/*.rs", "**/*.scala",
)  # fmt: skip
#: test code: a change to it alone ships nothing that reads the schema
TEST_FILES = (
    "**/test/**", "**/tests/**", "**/__tests__/**", "**/test_*.py", "**/*_test.*",
    "**/*.test.*", "**/*.spec.*", "**/*_spec.rb", "**/conftest.py",
)  # fmt: skip
#: stop searching after this much code (then the drop is not recognised: fail closed)
CODE_SEARCH_LIMIT = 64 * 1024 * 1024


def _sql_in_transaction(framework: str, text: str, statements: int) -> bool:
    """Whether the framework wraps the file in a transaction by default."""
    if framework in (FLYWAY, DRIZZLE, FIZZ):  # pop runs each fizz file in a transaction
        return True  # drizzle-orm's migrators run every pending migration in one transaction
    if framework == SQLX:
        return sqlx.in_transaction(text)
    if framework == GOOSE:
        return re.search(r"\+goose\s+NO\s+TRANSACTION", text, re.IGNORECASE) is None
    if framework == DBMATE:
        return re.search(r"transaction:\s*false", text) is None
    if framework == SQL_MIGRATE:
        return sqlmigrate.up_in_transaction(text)
    # golang-migrate and Prisma send the file as one multi-statement query: an implicit
    # transaction
    return framework in (GOLANG_MIGRATE, PRISMA) and statements > 1


def _sqlx_pair(changes: ChangeSet, m: Migration) -> bool:
    return m.framework == GOLANG_MIGRATE and not m.dialect and sqlx.runs_pair(changes, m.path)


def _diesel_transaction(changes: ChangeSet, m: Migration) -> bool:
    """diesel runs each migration in a transaction unless its folder's ``metadata.toml``
    says ``run_in_transaction = false``."""
    meta = changes.text_at_head(posixpath.join(posixpath.dirname(m.path), "metadata.toml"))
    return _NO_DIESEL_TX.search(meta or "") is None


_NO_DIESEL_TX = re.compile(r"^[ \t]*run_in_transaction[ \t]*=[ \t]*false\b", re.MULTILINE)
#: statements that open or end a transaction (ROLLBACK TO a savepoint stays inside one)
_TX_CONTROL = re.compile(
    r"^\s*(?:BEGIN|COMMIT|END|ROLLBACK(?!\s+TO\b))\b(?:\s+(?:TRANSACTION|DEFERRED|IMMEDIATE|"
    r"EXCLUSIVE))?\s*;?\s*$",
    re.IGNORECASE,
)


def _sqlite_nesting(statements: list[Statement], lines: frozenset[int]) -> list[Hit]:
    """SQLite cannot nest transactions: a BEGIN in a file the runner already wraps in one
    (golang-migrate's sqlite3 driver, diesel, Flyway, goose, dbmate, sql-migrate) makes the
    migration fail with "cannot start a transaction within a transaction"."""
    out = []
    for stmt in statements:
        if _TX_CONTROL.match(strip_comments(stmt.text)) and stmt.line in lines:
            message = (
                f"{' '.join(stmt.text.split())[:60]} inside the transaction the runner opens "
                "for each migration: SQLite cannot nest transactions, so the migration fails. "
                "Remove the BEGIN/COMMIT pair."
            )
            out.append(Hit("transaction-nesting", message, stmt.line, "sqlite", level=Level.ERROR))
    return out[:1]


def _unwrapped(changes: ChangeSet) -> bool:
    """Whether the repository, as merged, tells golang-migrate's SQLite drivers not to wrap
    each file in a transaction (``NoTxWrap: true`` in its Go code, ``x-no-tx-wrap=true`` in
    a database URL): then a file's own BEGIN/COMMIT is how it gets one. Read at base, so a
    pull request cannot switch the check off by naming the option."""
    found = changes.fact(
        "migrations.sqlite-no-tx-wrap",
        lambda: changes.base_files_containing(["NoTxWrap", "x-no-tx-wrap"], ["*"]),
    )
    return bool(found)


def _popx_transaction(changes: ChangeSet, m: Migration) -> bool | None:
    """In a folder of per-database files (popx), each file runs in a transaction of its
    own unless its name says ``.autocommit``; None elsewhere."""
    names = variants.folder_names(changes, m.directory)
    if m.framework != GOLANG_MIGRATE or not any(variants.parse(n) for n in names):
        return None
    return not variants.is_autocommit(m.path)


def new_before(changes: ChangeSet, m: Migration, changed: list[Migration]) -> list[Migration]:
    """The SQL migrations this change adds to ``m``'s chain ahead of it, in order (not
    those it moves: a merged migration under a new path created nothing new)."""
    return sorted(
        (
            c
            for c in changed
            if c.reads_as_sql
            and c.framework == m.framework
            and c.directory == m.directory
            and detect.sort_key(c) < detect.sort_key(m)
            and changes.bytes_at_base(changes.base_path_of(c.path)) is None
            and changes.bytes_at_head(c.path) is not None
        ),
        key=detect.sort_key,
    )


#: names looked up in the merged chain per migration, at most (the rest count as merged)
MAX_MERGED_LOOKUPS = 20


def _merged_names(changes: ChangeSet, m: Migration, names: set[str]) -> set[str]:
    """Which of ``names`` (tables the change's earlier migrations create) the merged
    migrations of ``m``'s folder already name: ``CREATE TABLE IF NOT EXISTS users`` in a
    PR does not make a merged table new. Past the bound, every name counts as merged."""
    if not names:
        return set()
    pattern = f"{m.directory}/*" if m.directory not in ("", ".") else "*"
    ordered = sorted(n for n in names if n)
    merged = set(ordered[MAX_MERGED_LOOKUPS:])
    for name in ordered[:MAX_MERGED_LOOKUPS]:
        found = changes.base_files_containing([name], [pattern])
        if found is None or found:
            merged.add(name)  # named at base (or the tree cannot tell: fail closed)
    return merged


def sql_hits(
    changes: ChangeSet, m: Migration, dialect: str, earlier: list[Migration] | None = None
) -> list[Hit]:
    """Hits for the up-side statements of a SQL migration that the change added.

    ``earlier`` are migrations new in the same change that run before it: the tables they
    create hold no rows and serve no traffic yet, so what ``m`` does to them is safe.
    """
    sides = static.sql_sides(changes, m)
    if sides is None:
        return []
    created: set[str] = set()
    added: set[tuple[str, str]] = set()
    before: list[tuple[str, list[Statement]]] = []
    for prior in earlier or []:
        prior_sides = static.sql_sides(changes, prior)
        if prior_sides is not None:
            prior_statements = split(prior_sides.up, prior_sides.up_line)
            safety.review(prior_statements, dialect, created=created)
            added |= dialects.added_columns(prior_statements)
            before.append((prior.path, prior_statements))
    # a table or column the merged chain already names is not new, whatever IF NOT EXISTS
    # statement the PR puts before the change
    created -= _merged_names(changes, m, created)
    created -= prcreated.filled_tables(changes, m, created)  # new, but rows were copied in
    fresh = {(t, c) for t, c in added if t not in created}
    added -= prcreated.merged_columns(changes, m, fresh)
    statements = split(sides.up, sides.up_line)
    in_tx = _popx_transaction(changes, m)
    # a reversible sqlx pair has golang-migrate's names; sqlx runs it, in a transaction
    runner = SQLX if in_tx is None and _sqlx_pair(changes, m) else m.framework
    if in_tx is None and m.framework == DIESEL:
        in_tx = _diesel_transaction(changes, m)
    if in_tx is None:
        text = changes.text_at_head(m.path) or ""
        in_tx = _sql_in_transaction(runner, text, len(statements))
        outside_tx = _tool_outside(changes, m, dialect, statements)
        in_tx = in_tx and not (runner == m.framework and outside_tx)
    # a project's runner that reads a word of the file's name (svix's ``_autocommit``)
    marker = txmarkers.name_marker(m.path) if in_tx else ""
    outside = txmarkers.runner(changes, marker) if marker else None
    in_tx = in_tx and outside is None
    # golang-migrate's transaction is implicit: an explicit BEGIN there is no nesting
    wrapped = in_tx and runner not in (GOLANG_MIGRATE, PRISMA)
    hits = safety.review(
        statements,
        dialect,
        in_transaction=in_tx,
        lines=changes.added_lines(m.path),
        wrapped=wrapped,
        created=created,
    )
    if dialect == "postgres":
        hits += txsteps.hits(statements, in_transaction=in_tx, lines=changes.added_lines(m.path))
    if dialect == "sqlite" and (in_tx or runner == GOLANG_MIGRATE):
        nesting = _sqlite_nesting(statements, changes.added_lines(m.path))
        if nesting and not (runner == GOLANG_MIGRATE and _unwrapped(changes)):
            hits += nesting
    if dialect == "postgres" and any(h.new_type for h in hits):
        hits = typed(hits, pgcolumns.merged_types(changes, m))
    if dialect == "postgres":
        hits = pgcolumns.no_op_not_null(hits, changes, m, [s for _, s in before], statements)
    # a column an earlier migration of the same change added holds nothing yet
    hits = [
        h
        for h in hits
        if not (h.rule == "drop-column" and tuple(t.lower() for t in h.target) in added)
    ]
    hits = moves.relieve(hits, statements, before, dialect=dialect)
    if outside is not None and not outside.merged:
        hits.append(_runner_hit(outside))
    return backfills.explain_partial(statements, hits)


def _tool_outside(
    changes: ChangeSet, m: Migration, dialect: str, statements: list[Statement]
) -> bool:
    """Whether the tool's own setting runs the file outside a transaction (txmarkers.py):
    a Flyway script configuration file or its own detection of concurrent index builds,
    golang-migrate's multi-statement mode."""
    if m.framework == FLYWAY:
        texts = [strip_comments(s.text) for s in statements]
        return txmarkers.flyway_outside(changes, m.path) or (
            dialect == "postgres" and txmarkers.flyway_detected(changes, texts)
        )
    if m.framework == GOLANG_MIGRATE and dialect == "postgres":
        return txmarkers.multi_statement(changes)
    return False


def _runner_hit(runner: txmarkers.Runner) -> Hit:
    """The warning that a runner the PR ships decided the migration's transaction."""
    message = (
        f"Read as run outside a transaction: its name carries '{runner.marker}', which "
        f"{runner.path} (new in this change) reads to run such migrations without one. "
        "Confirm that file is the project's migration runner."
    )
    return Hit("runner-outside-transaction", message, 1, runner.path, level=Level.WARNING)


def typed(hits: list[Hit], merged: pgcolumns.Columns) -> list[Hit]:
    """Type changes judged from the type the merged migrations gave the column: not
    reported when PostgreSQL only updates its catalog, weighed by the table's size when
    readers are unaffected but the table is rewritten (see coltypes.py)."""
    out: list[Hit] = []
    for hit in hits:
        table, column = hit.retyped or ("", "")
        old, new = merged.get((table.lower(), column.lower())), hit.new_type
        found = coltypes.sql_effect(old, new) if old and new else None
        if found == "catalog-only":
            continue
        if found == "rewrite-compatible" and old and new:
            message = (
                f"Changes the type of {hit.evidence} from {pgcolumns.shown(old)} to "
                f"{pgcolumns.shown(new)}: "
                "readers still read it, but PostgreSQL rewrites the table under ACCESS "
                "EXCLUSIVE to do it."
            )
            out.append(dataclasses.replace(hit, message=message, table=(table,), sized=True))
        else:
            out.append(hit)
    return out


def python_hits(changes: ChangeSet, m: Migration, source: str, dialect: str) -> list[Hit]:
    """Hits for the added operations of an Alembic revision or a Django migration."""
    added = changes.added_lines(m.path)
    try:
        if m.framework == ALEMBIC:
            info = pyops.read_alembic(source, m.path)
            in_tx = "autocommit_block" not in source
            hits = opsafety.alembic(info.upgrade_ops, dialect, in_transaction=in_tx, lines=added)
            if any(h.rule == "drop-column" for h in hits):
                tree = pyops.parse(source, m.path)
                hits = _alembic_moves(hits, tree, info.upgrade_ops, dialect)
        else:
            calls = pyops.read_django(source, m.path)
            in_tx = re.search(r"^\s*atomic\s*=\s*False", source, re.MULTILINE) is None
            exempt = _exempt_models(changes, m)
            wants_prior = any(w in source for w in ("AlterField", "RenameField", "RenameModel"))
            prior = djfields.before(changes, m.path) if wants_prior else {}
            hits = opsafety.django(
                calls, dialect, in_transaction=in_tx, lines=added, exempt=exempt, prior=prior
            )
            if "_together" in source:
                together = djtogether.before(changes, m.path)
                hits += djtogether.added_hits(calls, dialect, added, exempt, together)
            if "RenameField" in source and "RunPython" in source:
                hits = djrebuild.relieve(hits, calls, pyops.parse(source, m.path))
            hits = djtables.named(changes, m.path, hits)
    except pyops.MigrationSyntaxError:
        return []  # reported as syntax-error by the static review
    return _python_ignores(hits, source.splitlines())


def _alembic_moves(
    hits: list[Hit], tree: ast.Module, ops: list[pyops.Op], dialect: str
) -> list[Hit]:
    """Column drops whose values ``upgrade()`` copied elsewhere first (moves.py)."""
    dropped = [
        (str(op.text(0, "table_name")), str(op.text(1, "column_name")))
        if op.name == "drop_column"
        else (str(op.text(0, "table_name")),)
        for op in ops
        if op.name in ("drop_column", "drop_table")
    ]
    empty = [
        (str(op.text(0, "table_name")), str(pyops.literal_str(column.args[0])), op.line)
        for op in ops
        if op.name == "add_column"
        and isinstance(column := op.arg(1, "column"), ast.Call)
        and column.args
        and _empty_column(column)
    ]
    statements = alembicsql.alembic_statements(tree)
    return moves.relieve(hits, statements, dropped=dropped, empty=empty, dialect=dialect)


def _empty_column(column: ast.Call) -> bool:
    """An ``sa.Column`` every existing row gets as NULL: no server default, nothing
    computed, not NOT NULL."""
    said = {k.arg: k.value for k in column.keywords if k.arg}
    computed = any(
        isinstance(a, ast.Call) and pyops.call_name(a) in ("Computed", "Identity")
        for a in column.args
    )
    default = said.get("server_default")
    no_default = default is None or pyops.literal_value(default) is None
    return not computed and no_default and pyops.literal_value(said.get("nullable")) is not False


def _exempt_models(changes: ChangeSet, m: Migration) -> set[str]:
    """Models of this migration's app whose existing rows no operation can hurt: those
    declared ``managed: False`` in any of its migrations (another system owns the table)
    and those a migration added by this same change creates (the table is still empty)."""
    out: set[str] = set()
    for path in changes.head_paths([f"{posixpath.dirname(m.path)}/*.py"]):
        added = (f := changes.get(path)) is not None and f.status is FileStatus.ADDED
        text = changes.text_at_head(path)
        if not text or not (added or "managed" in text):
            continue
        try:
            calls = pyops.read_django(text, path)
        except pyops.MigrationSyntaxError:
            continue  # that file's own review reports it
        out |= opsafety.unmanaged_models(calls)
        if added:
            out |= opsafety.created_models(calls)
    return out


def _python_ignores(hits: list[Hit], lines: list[str]) -> list[Hit]:
    """Mark hits a ``# gatekeeper:ignore <rule> <reason>`` on the operation's line or just
    above names (the check decides whether to honour it: who wrote it)."""
    out: list[Hit] = []
    unexplained: set[tuple[int, str]] = set()
    for hit in hits:
        marks: dict[str, str] = {}
        first = hit.line
        for number in (hit.line - 1, hit.line):
            text = lines[number - 1] if 0 < number <= len(lines) else ""
            if number == hit.line or text.lstrip().startswith("#"):
                found = ignore_marks(text)
                first = min(first, number) if found.get(hit.rule) else first
                marks.update(found)
        ignored = f"gatekeeper:ignore {hit.rule}" if marks.get(hit.rule) else ""
        span = (first, hit.line) if ignored else (0, 0)
        out.append(dataclasses.replace(hit, ignored_by=ignored, ignore_span=span))
        unexplained |= {(hit.line, rule) for rule, reason in marks.items() if not reason}
    out += [
        Hit(
            "ignore-without-reason",
            f"`gatekeeper:ignore {rule}` has no reason, so it is not honoured.",
            line,
            rule,
        )
        for line, rule in sorted(unexplained)
    ]
    return out


def no_code_changed(
    changes: ChangeSet, changed: Iterable[Migration], code_paths: tuple[str, ...]
) -> bool:
    """True when the change touches no application code: only migrations, files outside
    ``code_paths`` (docs, a changelog), and tests (memos' migrator test learning the new
    schema version: no deployed code reads differently for it), and generated code the
    change only takes declarations out of (regenerated.py)."""
    own = {p for m in changed for p in (m.path, m.down_path) if p}
    return all(
        f.path in own
        or not match_any(f.path, code_paths)
        or match_any(f.path, TEST_FILES)
        or regenerated.only_loses_declarations(changes, f.path)
        for f in changes
    )


def _pathspecs(globs: Iterable[str]) -> list[str]:
    """Globs as the tree search takes them, where ``*`` crosses folders (``**/*.py`` ->
    ``*.py``, which also matches a file at the root); the paths found are matched against
    the globs themselves after."""
    return sorted({g.removeprefix("**/").replace("**", "*") for g in globs})


def still_used(
    changes: ChangeSet,
    names: Iterable[str],
    code_paths: tuple[str, ...],
    *,
    at_head: bool = False,
    model: str = "",
) -> bool:
    """True when any of ``names`` appears as a word in the code at base (at head with
    ``at_head``), or an ActiveRecord model class ``model`` is defined there (Rails names
    no table in its models: ``class AltchaSolution < ApplicationRecord`` reads
    ``altcha_solutions``), or when it cannot tell."""
    words = [n for n in names if n and n != "?"]
    if not words:
        return True
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    defined = re.compile(rf"^\s*class\s+(?:\w+::)*{re.escape(model)}\s*<", re.M) if model else None
    budget = CODE_SEARCH_LIMIT
    paths = changes.head_paths(code_paths) if at_head else changes.base_paths(code_paths)
    # one search of the tree for the words first: reading every code file of a large
    # repository ran out of budget, and "cannot tell" blocked drops nothing reads
    containing = changes.head_files_containing if at_head else changes.base_files_containing
    found = containing([*words, *([model] if model else [])], _pathspecs(code_paths))
    if found is not None:
        named = set(found)
        paths = [p for p in paths if p in named]
    for path in paths:
        text = changes.text_at_head(path) if at_head else changes.text_at_base(path)
        if text is None or detect.classify(path, text) is not None:
            continue  # migrations mention the names they create; only code counts
        budget -= len(text)
        if budget < 0 or pattern.search(text):
            return True
        if defined is not None and path.endswith(".rb") and defined.search(text):
            return True
    return False


def model_class(table: str) -> str:
    """The model class ActiveRecord maps to ``table`` (``altcha_solutions``:
    ``AltchaSolution``)."""
    bare = table.rsplit(".", 1)[-1].strip('`"[]')
    singular = re.sub(r"ies$", "y", bare) if bare.endswith("ies") else re.sub(r"s$", "", bare)
    return "".join(part.capitalize() for part in singular.split("_") if part)
