"""The safety rules' hits of one migration, read as its framework writes it.

:func:`framework_hits` dispatches a changed migration to its framework's reader (Rails and
Ruby SQL strings, Node, Go, Liquibase, Doctrine, Laravel, Ecto, EF Core, SQL files per
database,
Alembic and Django per folder dialect) and returns the :class:`Hit` objects the safety
review found in what the change added; what relieves or refuses them is decided by the
check (reliefs.py). Also the readers of merged state the reversibility review shares:
a Go folder's merged files (:func:`merged_go`) and which Liquibase changesets are new
(:func:`changesets`).
"""

from __future__ import annotations

import dataclasses
import posixpath

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import (
    detect,
    doctrine,
    drizzle,
    ectoops,
    efcore,
    gohits,
    gomig,
    gosteps,
    laravel,
    laravelcols,
    lbcolumns,
    lbreview,
    liquibase,
    moves,
    nodefolder,
    nodemig,
    pgcolumns,
    rails,
    railsops,
    railsrefs,
    railstypes,
    review,
    rubysql,
    safety,
    seqtypes,
    sqltext,
    txmarkers,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    DOCTRINE,
    ECTO,
    EF_CORE,
    GO,
    LARAVEL,
    LIQUIBASE,
    NODE,
    RAILS,
    RUBY_SQL,
    Migration,
)
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Level


def framework_hits(
    changes: ChangeSet,
    m: Migration,
    text: str,
    dialect: str,
    code_paths: tuple[str, ...],
    changed: list[Migration],
) -> list[Hit]:
    """The safety rules' hits of one migration, read as its framework writes it."""
    if m.framework in (RAILS, RUBY_SQL):
        hits = _ruby_hits(changes, m, text, dialect, code_paths, changed)
    elif m.framework == NODE:
        hits = _node_hits(changes, m, text, dialect)
    elif m.framework == GO:
        hits = _go_hits(changes, m, text, dialect)
    elif m.framework == LIQUIBASE:
        hits = _liquibase_hits(changes, m, text, dialect)
    elif m.framework == DOCTRINE:
        hits = _doctrine_hits(changes, m, text, dialect)
    elif m.framework == LARAVEL:
        rules = laravel.dialect(changes, dialect)
        read = laravel.read(text)
        hits = laravel.hits(read, rules, changes.added_lines(m.path), sql_review(rules))
        hits = laravelcols.judged(hits, read.up_side, changes, m.path, rules)
    elif m.framework == ECTO:
        rules = ectoops.dialect(changes, dialect)
        review_sql = sql_review(rules)
        hits = ectoops.hits(text, changes.added_lines(m.path), review_sql)
        if rules == "postgres" and any(h.new_type for h in hits):
            folder = posixpath.dirname(m.path)
            hits = review.typed(hits, ectoops.merged_types(changes, folder))
        hits = _ecto_moves(changes, m, text, rules, hits)
    elif m.framework == EF_CORE:
        rules = efcore.dialect(changes, m.directory, dialect)
        hits = efcore.hits(efcore.read(text), rules, changes.added_lines(m.path), sql_review(rules))
    elif m.reads_as_sql:
        # a per-database file in its database's dialect; a generic file beside such
        # files in the dialect of each database that runs it
        runners = detect.databases(changes, m, variants.from_policy(dialect))
        earlier = review.new_before(changes, m, changed)
        hits = []
        for runner in runners:
            rules = variants.FOLDER_RULES.get(runner, dialect)
            hits += [h for h in review.sql_hits(changes, m, rules, earlier) if h not in hits]
    else:
        # one Alembic chain per database (``versions/postgresql/``, ``versions/sqlite/``)
        # is judged in its folder's dialect, like per-database SQL files; only a folder
        # merged before, so a PR cannot name a new one to leave PostgreSQL's rules
        folder = variants.folder_dialect(m.path)
        merged = folder and variants.folder_names(changes, posixpath.dirname(m.path), at_base=True)
        rules = variants.FOLDER_RULES.get(folder, dialect) if merged else dialect
        hits = review.python_hits(changes, m, text, rules)
    return hits


def _node_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Node migration's hits, judged in the database a merged drizzle config names for
    its folder when one does (else the policy's)."""
    rules = variants.RULES_DIALECT.get(drizzle.config_dialect(changes, m.directory), dialect)
    node = nodemig.read(text)
    setup = None
    if node.library == nodemig.KYSELY and node.in_transaction:
        setup = txmarkers.kysely_setup(changes)  # a Migrator built without transactions
        node = dataclasses.replace(node, in_transaction=setup is None)
    merged = None
    if node.library == nodemig.KNEX and ".alter(" in text:
        merged = nodemig.merged_columns(_earlier_at_base(changes, m))
    # the tables its SQL creates are remembered across its literals, as in the other code
    # migrations (sql_review): an index on a table created a query earlier locks nothing
    # (Flowise's TypeORM CREATE TABLE then CREATE INDEX, each its own queryRunner.query)
    created: set[str] = set()
    found = nodemig.hits(
        node,
        rules,
        changes.added_lines(m.path),
        lambda statements, in_tx: safety.review(
            statements,
            rules,
            in_transaction=in_tx,
            wrapped=in_tx,
            lock_timeout_rule=False,
            created=created,
        ),
        merged,
    )
    if node.up is not None and "changeColumn" in text:
        known = seqtypes.columns_in(_earlier_at_base(changes, m))
        found = seqtypes.judged(found, node.up.body, node.up.line, known, rules)
    if rules == "postgres" and any(h.new_type for h in found):
        found = review.typed(found, nodefolder.types_before(changes, m, node))
    if setup is not None and not setup.merged:
        message = (
            f"Read as run outside a transaction: {setup.path} (new in this change) builds "
            "Kysely's Migrator with disableTransactions: true. Confirm that is the Migrator "
            "the deployment runs."
        )
        found.append(Hit("runner-outside-transaction", message, 1, setup.path, level=Level.WARNING))
    return found


def _earlier_at_base(changes: ChangeSet, m: Migration) -> list[str]:
    """The texts, at base, of the merged migrations of ``m``'s chain before it."""
    earlier = [
        e.path for e in detect.chain(changes, m, at_base=True)
        if (detect.sort_key(e), e.path) < (detect.sort_key(m), m.path)
    ]  # fmt: skip
    return [changes.text_at_base(p) or "" for p in earlier]


def _go_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Go migration's hits, in each dialect its package (as merged) is written for; an
    xorm step's SQL for one database (gohits.dialect_branches) in that one's alone."""
    go = gomig.read(text)
    if go is None:
        return []
    hits: list[Hit] = []
    named = gosteps.dialect_of(m.path) if go.library == gomig.STEPS else None
    added = changes.added_lines(m.path)
    # an xorm step's branches for one database (``case schemas.SQLITE:``) in its dialect
    own: dict[str, frozenset[int]] = {}
    branches = gohits.dialect_branches(go) if gomig.xorm_step(m.path, text) else []
    for first, last, rules in branches:
        own[rules] = own.get(rules, frozenset()) | frozenset(range(first, last + 1))
    elsewhere = added.difference(*own.values())
    dialects = [named] if named else gohits.dialects(merged_go(changes, m), dialect)
    passes = [(rules, elsewhere) for rules in dialects]
    for rules, lines in passes + [(r, added & own[r]) for r in sorted(own)]:
        found = gohits.hits(go, lines, sql_review(rules))
        hits += [h for h in found if h not in hits]
    return hits


def _doctrine_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Doctrine migration's hits in its database (doctrine.dialect); a table dropped
    after a merged migration moved its rows out is told so (doctrine.moved_out)."""
    d = doctrine.read(text)
    rules = doctrine.dialect(changes, d, dialect)
    review_sql = sql_review(rules)
    found = doctrine.hits(d, rules, changes.added_lines(m.path), review_sql)
    if rules == "postgres" and any(h.new_type for h in found):
        found = review.typed(found, _doctrine_types(changes, m))
    return [doctrine.moved_out(changes, m.path, h) for h in found]


def _doctrine_types(changes: ChangeSet, m: Migration) -> pgcolumns.Columns:
    """Column types as the SQL strings of the Doctrine migrations merged before ``m`` in
    its folder leave them (read at base, in version order), for a type change's old type."""
    folder = posixpath.dirname(m.path)
    columns: pgcolumns.Columns = {}
    earlier = [
        p for p in changes.base_paths([f"{folder}/Version*.php" if folder else "Version*.php"])
        if posixpath.dirname(p) == folder and doctrine.version(p) < doctrine.version(m.path)
    ]  # fmt: skip
    for path in sorted(earlier, key=doctrine.version):
        side = doctrine.read(changes.text_at_base(path) or "").up_side
        for s in side.sql if side else ():
            pgcolumns.read_into(columns, s.sql)
    return columns


def _ruby_hits(
    changes: ChangeSet,
    m: Migration,
    text: str,
    dialect: str,
    code_paths: tuple[str, ...],
    changed: list[Migration],
) -> list[Hit]:
    """The SQL strings a Ruby migration runs, in the project's database. Of a Rails
    migration (reviewed for reversibility, its ActiveRecord calls for the drops and
    renames any database suffers, railsops) only the MySQL table rebuilds its ``execute``
    strings ask for, and on PostgreSQL its index builds without ``algorithm:
    :concurrently``."""
    rules = rubysql.dialect(changes, dialect)
    added = changes.added_lines(m.path)
    drops = railsops.changed_drops(changes, m, code_paths, changed) if m.framework == RAILS else []
    if m.framework == RAILS:  # a change_column judged against db/schema.rb at base
        drops = railstypes.change_hits(changes, text, added, rules) + drops
    if m.framework == RAILS and rules == "postgres":
        refused = [
            Hit("concurrent-in-transaction", _IN_RAILS_TX.format(call=call[:80]), line, call)
            for line, call in rails.concurrent_in_transaction(text, added)
        ]
        return railsops.index_hits(text, added) + railsrefs.hits(text, added) + refused + drops
    if m.framework == RAILS and rules not in ("mysql", "mariadb"):
        return drops
    review_sql = sql_review(rules)
    found = rubysql.hits(text, added, lambda s: review_sql(s, False))
    if m.framework == RAILS:
        return [h for h in found if h.rule == "table-rebuild"] + drops
    return found


_IN_RAILS_TX = (
    "{call}: CONCURRENTLY inside the transaction Rails opens for each migration; "
    "PostgreSQL refuses it, so the migration fails. Add disable_ddl_transaction! to the class."
)


def merged_go(changes: ChangeSet, m: Migration) -> list[str]:
    """The texts of the Go files of ``m``'s folder as merged (read once per run)."""
    folder = posixpath.dirname(m.path)

    def read() -> list[str]:
        return [
            changes.text_at_base(p) or ""
            for p in changes.base_paths((f"{folder}/*.go" if folder else "*.go",))
            if posixpath.dirname(p) == folder
        ]

    return changes.fact(f"merged-go:{folder}", read)


def changesets(
    changes: ChangeSet, m: Migration, log: liquibase.Changelog
) -> list[tuple[liquibase.ChangeSet, bool]]:
    """The changelog's changesets with whether each is new (absent from the merged file,
    or the file new): what the PR adds."""
    base = changes.text_at_base(changes.base_path_of(m.path))
    known: set[tuple[str, str]] = set()
    if base is not None:
        try:
            known = {cs.key for cs in liquibase.parse(m.path, base).changesets}
        except liquibase.ChangelogError:
            known = set()  # the merged file was unreadable: all of it is judged
    return [(cs, cs.key not in known) for cs in log.changesets]


def _liquibase_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """The new changesets' hits (an edited merged one: its added lines)."""
    try:
        log = liquibase.parse(m.path, text)
    except liquibase.ChangelogError:
        return []  # reported by the review
    created: set[str] = set()

    def review_sql(statements: list[sqltext.Statement], rules: str, in_tx: bool) -> list[Hit]:
        return safety.review(
            statements, rules, in_transaction=in_tx, wrapped=in_tx, created=created
        )

    def read_file(change: liquibase.Change) -> str | None:
        name = change.attrs.get("path", "")
        if change.attrs.get("relativeToChangelogFile", "").lower() == "true":
            name = posixpath.normpath(posixpath.join(posixpath.dirname(m.path), name))
        return changes.text_at_head(name) if name else None

    found = lbreview.hits(
        changesets(changes, m, log), dialect, changes.added_lines(m.path), review_sql, read_file
    )
    if any(h.new_type for h in found):  # set for PostgreSQL's changesets only
        found = review.typed(found, lbcolumns.merged_types(changes, m.path))
    return found


def _ecto_moves(
    changes: ChangeSet, m: Migration, text: str, rules: str, hits: list[Hit]
) -> list[Hit]:
    """``hits`` with the column drops whose values the up side copied first relieved
    (moves.py), as for SQL files. A boolean the merged migrations declare (``add
    :use_cookies, :boolean``) may be kept as a mark in any database: its rows hold true,
    false or NULL, whatever ``= TRUE`` means there."""
    if not any(h.rule == "drop-column" and h.level is not Level.WARNING for h in hits):
        return hits
    types = ectoops.merged_types(changes, posixpath.dirname(m.path))
    booleans = [k for k, (name, _) in types.items() if name == "bool"]
    statements = ectoops.up_statements(text)
    return moves.relieve(hits, statements, dialect=rules, booleans=booleans)


def sql_review(rules: str) -> gohits.SqlReview:
    """The SQL review of one migration written in code (Go, Ruby, PHP, Elixir) in one
    dialect; the tables its SQL creates are remembered across its literals (an index on a
    new table locks nothing). As for Python and Node migrations, ``missing-lock-timeout``
    is not asked: the framework's connection setup sets the session's timeouts, out of
    the diff's sight, and a warning on every such migration would be noise."""
    created: set[str] = set()

    def review_sql(statements: list[sqltext.Statement], in_tx: bool) -> list[Hit]:
        return safety.review(
            statements,
            rules,
            in_transaction=in_tx,
            wrapped=in_tx,
            created=created,
            lock_timeout_rule=False,
        )

    return review_sql
