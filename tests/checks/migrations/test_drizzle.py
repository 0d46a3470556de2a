"""Drizzle Kit's generated SQL migrations, on real git repositories: found in a monorepo
app by their journal or by the config's ``out``, judged forward-only in the journal's
database, and a column dropped after a partial backfill reported with the rows it loses."""

from __future__ import annotations

import json
from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, backfills, detect
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import split
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

APP = "apps/web"
OUT = f"{APP}/drizzle"
CREATE = (
    'CREATE TABLE "schedule" ("id" text PRIMARY KEY, "userId" text, "scheduleType" text);'
    "\n--> statement-breakpoint\n"
    'CREATE TABLE "member" ("user_id" text, "organization_id" text, "role" text);\n'
)
#: Dokploy c73632cbe0's shape: the new column filled for some rows, the old one dropped
PARTIAL = """ALTER TABLE "schedule" ADD COLUMN "organizationId" text;--> statement-breakpoint
UPDATE "schedule" s
SET "organizationId" = m."organization_id"
FROM "member" m
WHERE s."scheduleType" = 'dokploy-server'
  AND s."userId" = m."user_id";--> statement-breakpoint
ALTER TABLE "schedule" DROP COLUMN "userId";
"""
#: the code still reads the column: the drop is no expand-contract step
CODE = {f"{APP}/server/schedule.ts": "export const owner = (s) => s.userId;\n"}


def _journal(tags: list[str], dialect: str = "postgresql") -> str:
    entries = [{"idx": i, "version": "7", "when": i, "tag": t, "breakpoints": True}
               for i, t in enumerate(tags)]  # fmt: skip
    return json.dumps({"version": "7", "dialect": dialect, "entries": entries})


def _run(
    git_repo: Any,
    base_files: dict[str, str],
    head_files: dict[str, str],
    **config: Any,
) -> list[Finding]:
    base = git_repo.commit({**CODE, **base_files})
    head = git_repo.commit(head_files)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        return list(check.run(context(changes, {**defaults(check), **config})))


def _changed(git_repo: Any, base_files: dict[str, str], head_files: dict[str, str]) -> list[str]:
    base = git_repo.commit({**CODE, **base_files})
    head = git_repo.commit(head_files)
    with changeset_from_git(git_repo.root, base, head) as changes:
        return [f"{m.framework}:{m.path}" for m in detect.changed_migrations(changes)]


def _merged(dialect: str = "postgresql") -> dict[str, str]:
    return {
        f"{OUT}/0000_init.sql": CREATE,
        f"{OUT}/meta/_journal.json": _journal(["0000_init"], dialect),
    }


def _step(sql: str, dialect: str = "postgresql") -> dict[str, str]:
    return {
        f"{OUT}/0001_step.sql": sql,
        f"{OUT}/meta/_journal.json": _journal(["0000_init", "0001_step"], dialect),
    }


def _errors(found: list[Finding]) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in found if f.level is Level.ERROR]


def test_a_sql_file_beside_a_drizzle_journal_in_an_app_folder_is_a_migration(
    git_repo: Any,
) -> None:
    changed = _changed(git_repo, _merged(), _step('ALTER TABLE "schedule" ADD COLUMN "x" text;'))
    assert changed == [f"drizzle:{OUT}/0001_step.sql"]


def test_a_numbered_sql_file_in_a_folder_with_no_journal_or_config_is_not(git_repo: Any) -> None:
    files = {f"{APP}/sql/0000_report.sql": "SELECT 1;\n"}
    assert _changed(git_repo, {}, files) == []


def test_the_config_out_folder_resolved_from_the_package_root_is_found(git_repo: Any) -> None:
    # Dokploy keeps its config in server/db/ and runs drizzle-kit from the app's folder
    config = {f"{APP}/server/db/drizzle.config.ts": 'export default { out: "drizzle" };\n'}
    changed = _changed(git_repo, config, {f"{OUT}/0000_init.sql": CREATE})
    assert changed == [f"drizzle:{OUT}/0000_init.sql"]


def test_a_config_naming_another_out_folder_claims_nothing_else(git_repo: Any) -> None:
    config = {f"{APP}/drizzle.config.ts": 'export default { out: "./migrations" };\n'}
    assert _changed(git_repo, config, {f"{OUT}/0000_init.sql": CREATE}) == []


def test_a_drop_after_a_partial_backfill_blocks_and_names_the_lost_rows(git_repo: Any) -> None:
    found = _run(git_repo, _merged(), _step(PARTIAL), roundtrip="off")
    drops = [f for f in found if f.rule == "drop-column"]
    assert len(drops) == 1, _errors(found)
    assert drops[0].level is Level.ERROR
    assert drops[0].location is not None and drops[0].location.start_line == 7
    assert "UPDATE at line 2" in drops[0].message
    assert "every other row's userId is lost" in drops[0].message
    # Drizzle is forward-only: no down is asked for
    assert not [f for f in found if f.rule in ("missing-down", "empty-down")]


def test_a_not_null_column_with_a_constant_default_passes(git_repo: Any) -> None:
    sql = 'ALTER TABLE "schedule" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;'
    found = _run(git_repo, _merged(), _step(sql), roundtrip="off")
    assert _errors(found) == []


def test_a_postgres_journal_is_not_round_tripped_on_sqlite(git_repo: Any) -> None:
    base = git_repo.commit({**CODE, **_merged()})
    head = git_repo.commit(_step('ALTER TABLE "schedule" ADD COLUMN "mtu" integer;'))
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        # under roundtrip: auto it runs on PostgreSQL where PostgreSQL is installed
        ctx = context(changes, {**defaults(check), "roundtrip": "sqlite"})
        found = list(check.run(ctx))
    notes = [f for f in found if f.rule == "roundtrip-other-dialect"]
    assert len(notes) == 1 and "PostgreSQL" in notes[0].message
    assert not [f for f in found if f.rule.startswith("roundtrip-") and f is not notes[0]]
    assert "1 no server for its journal's database here" in ctx.summary


def test_a_sqlite_journal_is_round_tripped_on_sqlite(git_repo: Any) -> None:
    sql = "ALTER TABLE `schedule` ADD `mtu` integer;"
    found = _run(git_repo, _merged("sqlite"), _step(sql, "sqlite"))
    assert not [f for f in found if f.rule.startswith("roundtrip-")], _errors(found)


def test_a_broken_sqlite_step_fails_its_round_trip(git_repo: Any) -> None:
    sql = "ALTER TABLE `no_such_table` ADD `mtu` integer;"
    found = _run(git_repo, _merged("sqlite"), _step(sql, "sqlite"))
    assert [f.rule for f in found if f.rule.startswith("roundtrip-")] == ["roundtrip-failed"]


def test_concurrently_inside_drizzles_transaction_blocks(git_repo: Any) -> None:
    sql = 'CREATE INDEX CONCURRENTLY "schedule_type_idx" ON "schedule" ("scheduleType");'
    found = _run(git_repo, _merged(), _step(sql), roundtrip="off")
    assert "concurrent-in-transaction" in {f.rule for f in found if f.level is Level.ERROR}


def _drop_hit(line: int) -> Hit:
    target = ("schedule", '"userId"')
    return Hit("drop-column", "Drops column schedule.userId.", line, "schedule.userId", target)


def test_a_full_backfill_or_one_of_another_table_is_not_called_partial() -> None:
    for sql in (
        'UPDATE "schedule" SET "organizationId" = "userId";\nALTER TABLE "schedule" DROP "userId"',
        'UPDATE "member" SET "role" = 1 WHERE "userId" = 1;\nALTER TABLE "schedule" DROP "userId"',
        'ALTER TABLE "schedule" DROP "userId";\nUPDATE "schedule" SET a = 1 WHERE "userId" = 1',
    ):
        statements = split(sql)
        drop = next(s.line for s in statements if "DROP" in s.text)
        hit = _drop_hit(drop)
        assert backfills.explain_partial(statements, [hit]) == [hit], sql


def test_a_where_that_never_reads_the_dropped_column_is_not_its_backfill() -> None:
    sql = 'UPDATE "schedule" SET "a" = 1 WHERE "id" = 1;\nALTER TABLE "schedule" DROP "userId"'
    statements = split(sql)
    hit = _drop_hit(2)
    assert backfills.explain_partial(statements, [hit]) == [hit]
    told = backfills.explain_partial(split(sql.replace('"a" = 1', '"a" = "userId"')), [hit])
    assert "UPDATE at line 1" in told[0].message


#: openstatus's shape: a libSQL (turso) config, and an ADD COLUMN whose default calls a
#: function, refused on a table holding rows (686aeb393 merged it, a06d967e7 renamed it
#: to repair it)
TURSO = {f"{APP}/drizzle.config.ts": 'export default { out: "./drizzle", dialect: "turso" };\n'}
LITE = (
    "CREATE TABLE `component` (\n\t`id` integer PRIMARY KEY NOT NULL,\n"
    "\t`aliases` text DEFAULT (json_array()) NOT NULL\n);\n--> statement-breakpoint\n"
    "CREATE INDEX `component_idx` ON `component` (`aliases`);--> statement-breakpoint\n"
)
REFUSED = "ALTER TABLE `schedule` ADD `ids` text DEFAULT (json_array()) NOT NULL;"
REPAIRED = "ALTER TABLE `schedule` ADD `ids` text DEFAULT '[]' NOT NULL;"


def test_the_merged_config_names_the_database_a_refused_add_column_is_told(
    git_repo: Any,
) -> None:
    found = _run(git_repo, {**TURSO, **_merged("sqlite")}, _step(LITE + REFUSED, "sqlite"),
                 roundtrip="off")  # fmt: skip
    [hit] = [f for f in found if f.rule == "syntax-rejected"]
    assert hit.level is Level.ERROR and hit.location is not None
    assert hit.location.start_line == 7
    assert "libSQL rejects ADD COLUMN with a default that is not a constant on a table" in (
        hit.message
    )


def test_without_a_config_the_journal_alone_names_no_database_for_the_rule(
    git_repo: Any,
) -> None:
    found = _run(git_repo, _merged("sqlite"), _step(LITE + REFUSED, "sqlite"), roundtrip="off")
    assert "syntax-rejected" not in {f.rule for f in found}


def test_libsqls_alter_column_to_is_not_called_rejected(git_repo: Any) -> None:
    sql = 'ALTER TABLE `schedule` ALTER COLUMN "userId" TO "userId" text NOT NULL;'
    found = _run(git_repo, {**TURSO, **_merged("sqlite")}, _step(sql, "sqlite"), roundtrip="off")
    assert "syntax-rejected" not in {f.rule for f in found}


def test_a_postgres_config_takes_an_expression_default(git_repo: Any) -> None:
    config = {
        f"{APP}/drizzle.config.ts": TURSO[f"{APP}/drizzle.config.ts"].replace("turso", "postgresql")
    }
    sql = 'ALTER TABLE "schedule" ADD COLUMN "seen" timestamp DEFAULT (now()) NOT NULL;'
    found = _run(git_repo, {**config, **_merged()}, _step(sql), roundtrip="off")
    assert "syntax-rejected" not in {f.rule for f in found}


def test_renaming_a_merged_migration_its_database_refused_to_repair_it_warns(
    git_repo: Any,
) -> None:
    base = {**TURSO, **_merged("sqlite"), **_step(LITE + REFUSED, "sqlite")}
    head = {
        f"{OUT}/0001_step.sql": None,
        f"{OUT}/0001_fixed.sql": LITE + REPAIRED,
        f"{OUT}/meta/_journal.json": _journal(["0000_init", "0001_fixed"], "sqlite"),
    }
    found = _run(git_repo, base, head, roundtrip="off")
    [hit] = [f for f in found if f.rule == "history-rewritten"]
    assert hit.level is Level.WARNING, hit.message
    assert f"renames {OUT}/0001_fixed.sql, a merged migration its own database refused" in (
        hit.message
    )
    assert "(merged line 7: ALTER TABLE `schedule` ADD `ids` text DEFAULT (json_array())" in (
        hit.message
    )
    assert _errors(found) == []


def test_editing_a_merged_migration_that_ran_still_blocks(git_repo: Any) -> None:
    base = {**TURSO, **_merged("sqlite"), **_step(LITE + REPAIRED, "sqlite")}
    head = {f"{OUT}/0001_step.sql": LITE + REPAIRED.replace("'[]'", "'{}'")}
    found = _run(git_repo, base, head, roundtrip="off")
    assert [f.rule for f in found if f.level is Level.ERROR] == ["history-rewritten"]
