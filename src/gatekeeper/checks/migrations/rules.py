"""The migrations check's rule catalog: ids, default levels, and the safe alternative.

``description`` says why the rule matters and, where a peer tool has the same rule, its
name (squawk's and strong_migrations' rule names are facts; the wording here is our own).
"""

from __future__ import annotations

from gatekeeper.checks.interface import rule_catalog
from gatekeeper.checks.migrations.tables import SIZE_RULES
from gatekeeper.model import Level, Rule

E, W, INFO = Level.ERROR, Level.WARNING, Level.INFO

_RULES = (
    # reversibility, static
    Rule("missing-down", E, "The migration has no down side.",
         "Write the down migration that undoes the up, or mark it "
         "`gatekeeper:irreversible <reason>` so reviewers see why it cannot be undone."),
    Rule("empty-down", E, "The down side does nothing (empty, `pass`, raises NotImplementedError).",
         "Make the down undo the up, or mark it `gatekeeper:irreversible <reason>`."),
    Rule("down-incomplete", E, "The downgrade does not undo everything the upgrade does.",
         "Add the inverse operation for each step listed to downgrade()."),
    Rule("drop-unnamed-constraint", E, "An Alembic revision drops a constraint by the name "
         "None: there is no name to drop, so the operation always fails.",
         "Name the constraint where it is created (op.create_foreign_key(\"fk_files_solution\", "
         "...), or a naming_convention on the metadata) and drop it by that name; for a "
         "constraint the database already named, look the name up and write it in."),
    Rule("irreversible", INFO, "The migration is declared irreversible, with a reason.",
         "Nothing to do; the reason is shown to reviewers."),
    Rule("runpython-without-reverse", E, "Django RunPython without reverse_code.",
         "Pass reverse_code= (migrations.RunPython.noop when nothing needs undoing)."),
    Rule("runsql-without-reverse", E, "Django RunSQL without reverse_sql.",
         "Pass reverse_sql= (migrations.RunSQL.noop when nothing needs undoing)."),
    Rule("reverse-is-noop", E, "Django RunSQL or RunPython whose reverse is a no-op: a "
         "rollback leaves what it did in place (an error for schema SQL and for a data step "
         "that deletes rows or erases stored values, a warning for a backfill).",
         "Write the real reverse (keep a copy of what a destructive step removes, to restore "
         "from), or declare that none is needed: `# gatekeeper:irreversible <reason>` in the "
         "migration (a data backfill whose column the rollback drops anyway)."),
    Rule("multiple-heads", E, "The Alembic revision graph has more than one head.",
         "Rebase the revision onto the current head, or add a merge revision "
         "(`alembic merge heads`)."),
    Rule("dangling-down-revision", E, "down_revision names a revision that does not exist.",
         "Point down_revision at an existing revision (the current head)."),
    Rule("history-rewritten", E, "A migration that is already merged was edited or removed.",
         "Leave merged migrations alone; write a new migration that makes the change."),
    Rule("down-edited", W, "The down side of a merged migration was edited or removed.",
         "Make sure the new down still undoes the up as it ran; nothing else to do (databases "
         "that ran the up are unaffected)."),
    Rule("syntax-error", E, "The migration file cannot be parsed.",
         "Fix the syntax error at the line shown."),
    Rule("syntax-rejected", E, "A statement the migration's own database refuses to run "
         "(MySQL: ADD COLUMN IF NOT EXISTS, DROP INDEX without ON <table>; PostgreSQL: "
         "MODIFY; SQLite: ALTER COLUMN, ADD/DROP CONSTRAINT, ADD COLUMN of a UNIQUE column or "
         "with a non-constant default), in a file whose name or folder, or whose Drizzle "
         "folder's merged config, says which database it is for: the migration fails on "
         "deploy.",
         "Write the statement in the form that database accepts, as the message says."),
    Rule("unreadable", E, "The migration file is binary, too large or in an unknown encoding.",
         "Keep migrations as UTF-8 text; move bulk data loads out of schema migrations. What "
         "the gate could not read it cannot call safe, so this blocks."),
    Rule("unrecognised", W, "A changed file under a folder named for migrations that no "
         "framework the gate knows claims: it was not reviewed.",
         "A SQL file that is a migration: declare its folder "
         "(`checks.migrations.frameworks.sql-folder: [\"db/changes/*.sql\"]` for versioned "
         "SQL files the project runs itself). A code file (.js, .ts, .go...) has no reader a "
         "setting can turn on: have a person review it. Not a migration: list it in "
         "`checks.migrations.exclude`."),
    # reversibility, proven
    Rule("roundtrip-failed", E, "Applying the down (or re-applying the up) failed or left "
         "a different schema.", "Make the down restore exactly the schema before the up."),
    Rule("roundtrip-other-dialect", INFO, "A chain of per-database files for a database "
         "with no server here (MySQL, CockroachDB; PostgreSQL where it is not installed) "
         "was reviewed in its dialect but not round-tripped.",
         "Nothing to do; to round-trip the PostgreSQL files too, install PostgreSQL where "
         "the gate runs (the default `checks.migrations.roundtrip: auto` then uses it) or set "
         "`checks.migrations.database_url`."),
    Rule("roundtrip-not-run", W, "The roundtrip could not run for this migration.",
         "See the reason; for PostgreSQL-only SQL install PostgreSQL where the gate runs "
         "(`checks.migrations.roundtrip: auto` uses it) or set `checks.migrations.database_url`."),
    # safety
    Rule("drop-table", E, "Dropping a table breaks code that still reads it.",
         "Expand-contract: stop using the table, deploy, then drop it in its own PR.",
         description="squawk: ban-drop-table; strong_migrations: remove_table"),
    Rule("drop-column", E, "Dropping a column breaks code (and ORMs caching it) still reading it.",
         "Expand-contract: stop reading the column (ignore it in the ORM), deploy, then drop it "
         "in its own PR.", description="squawk: ban-drop-column; strong_migrations: remove_column"),
    Rule("rename-table", E, "Renaming a table breaks running code that uses the old name.",
         "Create the new table (or a view), write to both, backfill, move reads, drop the old.",
         description="squawk: renaming-table; strong_migrations: rename_table"),
    Rule("rename-column", E, "Renaming a column breaks running code that uses the old name.",
         "Add the new column, write to both, backfill, move reads, then drop the old one.",
         description="squawk: renaming-column; strong_migrations: rename_column"),
    Rule("change-column-type", E, "Changing a column's type can rewrite the table under an "
         "exclusive lock and break readers.", "Add a new column of the new type, backfill in "
         "batches, switch reads, then drop the old column.",
         description="squawk: changing-column-type; strong_migrations: change_column"),
    Rule("add-required-column", E, "Adding a NOT NULL column without a default fails on a "
         "non-empty table.", "Add the column nullable (or with a default), backfill, then "
         "add the NOT NULL constraint.", description="squawk: adding-required-field"),
    Rule("volatile-default", W, "Adding a column with a volatile default (or a stored "
         "generated column) rewrites the table.",
         "Add the column without the default, set the default, backfill in batches.",
         description="squawk: adding-field-with-default; strong_migrations: add_column_default"),
    Rule("set-not-null", E, "SET NOT NULL scans the whole table under an exclusive lock.",
         "Add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it, then SET NOT NULL.",
         description="squawk: adding-not-nullable-field; strong_migrations: change_column_null"),
    Rule("constraint-not-valid", E, "Adding a foreign key or check constraint validates every "
         "row under a lock.", "Add it with NOT VALID, then VALIDATE CONSTRAINT in a separate "
         "migration.", description="squawk: adding-foreign-key-constraint / "
         "constraint-missing-not-valid; strong_migrations: add_foreign_key, add_check_constraint"),
    Rule("unique-constraint", E, "Adding a unique, primary-key or exclusion constraint builds "
         "its index under a lock that blocks writes.",
         "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.",
         description="squawk: disallowed-unique-constraint"),
    Rule("index-not-concurrent", E, "Creating an index without CONCURRENTLY blocks writes.",
         "CREATE INDEX CONCURRENTLY (outside a transaction).",
         description="squawk: require-concurrent-index-creation; strong_migrations: add_index"),
    Rule("delete-duplicates", E, "Deleting a table's duplicate rows (keeping one of each) "
         "loses the others for good and, on a large table, scans it under lock.",
         "Say how many rows go and which survive, or clean up in batches before the "
         "migration that adds the unique index."),
    Rule("drop-index-not-concurrent", W, "Dropping an index without CONCURRENTLY blocks reads "
         "and writes.", "DROP INDEX CONCURRENTLY.",
         description="squawk: require-concurrent-index-deletion; strong_migrations: remove_index"),
    Rule("concurrent-in-transaction", E, "CONCURRENTLY cannot run inside a transaction.",
         "Run it in a migration that disables the transaction.",
         description="squawk: ban-concurrent-index-creation-in-transaction"),
    Rule("runner-outside-transaction", W, "A migration is read as run outside a transaction "
         "because its name carries a marker word (autocommit, no_transaction...) that a runner "
         "this change adds to the project's code reads.",
         "Confirm the file named is the project's migration runner and really runs such "
         "migrations without a transaction; nothing else to do."),
    Rule("enum-value-in-transaction", W, "ALTER TYPE ... ADD VALUE inside a transaction cannot "
         "be used until commit (and fails before PostgreSQL 12).",
         "Add the enum value in its own migration, outside a transaction."),
    Rule("missing-lock-timeout", W, "DDL in a SQL migration file takes an exclusive lock "
         "without lock_timeout and can queue every query behind it (migrations written in "
         "code leave timeouts to the framework's connection setup).",
         "Start the migration with SET lock_timeout = '2s' (and statement_timeout).",
         description="squawk: require-lock-timeout"),
    Rule("transaction-nesting", W, "BEGIN/COMMIT inside a migration the framework already "
         "runs in a transaction.", "Remove the explicit BEGIN/COMMIT, or turn the framework's "
         "transaction off for this migration.", description="squawk: transaction-nesting"),
    Rule("blocking-maintenance", W, "VACUUM FULL, CLUSTER, REINDEX or REFRESH MATERIALIZED "
         "VIEW hold an exclusive lock for the whole rewrite.", "Run maintenance outside "
         "migrations; use REINDEX CONCURRENTLY, REFRESH ... CONCURRENTLY, or pg_repack."),
    Rule("truncate-cascade", E, "TRUNCATE ... CASCADE empties every referencing table too.",
         "Truncate the tables explicitly, one by one.", description="squawk: ban-truncate-cascade"),
    Rule("drop-database", E, "Dropping a database from a migration.",
         "Never drop databases from migrations.", description="squawk: ban-drop-database"),
    Rule("drop-not-null", W, "Dropping NOT NULL lets code written for the old schema read "
         "NULLs.", "Make sure every reader handles NULL first.",
         description="squawk: ban-drop-not-null"),
    Rule("add-primary-key-column", W, "Adding a primary-key column to an existing table fills "
         "and indexes every row under an exclusive lock.", "Add the column, backfill it, create "
         "a unique index CONCURRENTLY, then ADD PRIMARY KEY USING INDEX.",
         description="squawk: adding-serial-primary-key-field"),
    Rule("backfill-in-migration", W, "Data changes mixed with schema changes run in one long "
         "transaction.", "Move the backfill to its own migration or a batched job.",
         description="strong_migrations: backfilling data (no rule name)"),
    Rule("table-rebuild", E, "ALTER TABLE ... CONVERT TO CHARACTER SET (or ENGINE=) makes "
         "MySQL copy the whole table while writes wait.", "Run it with an online schema "
         "change tool (gh-ost, pt-online-schema-change), or in a maintenance window."),
    Rule("unreviewed-statement", W, "A statement no parser accepted was not reviewed for safety.",
         "Fix the statement, or mark it `gatekeeper:ignore unreviewed-statement <reason>`.",
         description="squawk: syntax-error"),
    Rule("ignore-without-reason", W, "A gatekeeper:ignore marker without a reason is not "
         "honoured.", "Write `-- gatekeeper:ignore <rule> <reason>`."),
    Rule("expand-contract", INFO, "A drop recognised as the contract step of an expand-contract "
         "plan.", "Nothing to do."),
    # lint
    Rule("sql-lint", W, "sqlfluff reports a problem in changed SQL.",
         "Fix it as sqlfluff explains, or adjust `checks.migrations.lint.rules` in the policy."),
)  # fmt: skip

#: why each deploy-safety rule matters, shown by `gatekeeper explain` before the peers' names
_WHY = {
    "missing-down": "Without a down, a bad deploy cannot be rolled back by the same tool.",
    "empty-down": "A down that does nothing passes every up/down test yet rolls nothing back.",
    "down-incomplete": "A partial down leaves objects behind, so the next up fails or drifts.",
    "history-rewritten": "Databases that already ran the old version never see the edit.",
    "drop-unnamed-constraint": "autogenerate writes op.drop_constraint(None, ...) for a "
    "constraint created without a name; the call fails every time it runs.",
    "roundtrip-failed": "The scratch run proved the down does not restore the schema.",
    "drop-table": "Running code and ORM caches still reference the table until they are "
    "redeployed.",
    "drop-column": "Running code and ORM caches still select the column until they are redeployed.",
    "rename-table": "The old name disappears at once while old code is still running.",
    "rename-column": "The old name disappears at once while old code is still running.",
    "change-column-type": "Most type changes rewrite the table under ACCESS EXCLUSIVE.",
    "add-required-column": "Existing rows have no value, so the statement fails or the "
    "application breaks.",
    "volatile-default": "Every existing row gets its own value: a full rewrite under lock.",
    "set-not-null": "PostgreSQL scans the whole table under ACCESS EXCLUSIVE to check it.",
    "constraint-not-valid": "Validation scans every row while holding a lock that blocks writes.",
    "unique-constraint": "The index is built while writes to the table wait.",
    "index-not-concurrent": "CREATE INDEX holds a SHARE lock for the whole build: writes wait.",
    "delete-duplicates": "No down brings deleted rows back, and which row survives is the "
    "migration's guess.",
    "drop-index-not-concurrent": "DROP INDEX takes ACCESS EXCLUSIVE on the table.",
    "concurrent-in-transaction": "PostgreSQL refuses CONCURRENTLY inside a transaction block.",
    "runner-outside-transaction": "The gate trusts the change's own code on how the "
    "migration runs: were that code no runner, a CONCURRENTLY statement would fail on deploy.",
    "enum-value-in-transaction": "The new value cannot be used before commit (an error before "
    "PostgreSQL 12).",
    "missing-lock-timeout": "A DDL statement waiting for its lock blocks every query queued "
    "behind it.",
    "transaction-nesting": "The inner COMMIT ends the framework's transaction early.",
    "blocking-maintenance": "The table (or view) is rewritten under an exclusive lock.",
    "truncate-cascade": "CASCADE silently empties every table that references this one.",
    "drop-database": "Data loss that no down can undo.",
    "drop-not-null": "Code written for the old schema may not expect NULLs.",
    "add-primary-key-column": "Filling and indexing the column rewrites the table under lock.",
    "backfill-in-migration": "The data change runs inside the schema change's transaction and "
    "holds its locks. A write to every row of a table (an UPDATE or DELETE without WHERE) is "
    "an error when that table is large (as for the lock rules: listed in "
    "checks.migrations.large_tables, or presumed by its name), else a warning.",
    "unreviewed-statement": "A statement nobody could parse may hide any of the other problems.",
    "table-rebuild": "Every row is re-encoded into a new copy of the table under lock.",
    "syntax-rejected": "The database stops the migration at that statement: the deploy fails "
    "(and a database without transactional DDL is left half-migrated).",
}


#: said of each rule whose harm grows with the table's size (see tables.py)
_SIZED = (
    "An error on a large table (listed in checks.migrations.large_tables, or without that "
    "list named for events, logs, messages, notifications, metrics, audits, spans or history), a "
    "warning on any other."
)


#: rules whose hits say themselves that they are weighed by size (``Hit.sized``)
_ALSO_SIZED = frozenset({"table-rebuild"})


def _describe(rule: Rule) -> Rule:
    why = _WHY.get(rule.id, "")
    sized = _SIZED if rule.id in SIZE_RULES or rule.id in _ALSO_SIZED else ""
    peers = f"Peers: {rule.description}." if rule.description else ""
    text = " ".join(part for part in (why, sized, peers) if part)
    return Rule(rule.id, rule.level, rule.summary, rule.remedy, text)


RULES = rule_catalog(*(_describe(r) for r in _RULES))
