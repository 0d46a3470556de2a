"""A PR that moves merged migrations to another folder: what was already wrong with them
at base is pre-existing under their new paths, not new (the base side is read under the
path each file had there)."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.testing import context, defaults

UP = "CREATE TABLE notes (id integer PRIMARY KEY, body text);\n"


def _run(git_repo: Any, moved: dict[str, str | None]) -> tuple[list[str], list[str]]:
    """The rules found at head, and those of them the base already had."""
    old = {"db/migrations/000001_notes.up.sql": UP, "db/migrations/000001_notes.down.sql": ""}
    base = git_repo.commit(old)
    head = git_repo.commit(moved)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, {**defaults(check), "roundtrip": "off"})
        found = list(check.run(ctx))
    existing = [f.rule for f in found if f.fingerprint in ctx.existing_at_base]
    return sorted(f.rule for f in found), sorted(existing)


def test_an_empty_down_moved_with_its_folder_is_pre_existing(git_repo: Any) -> None:
    moved: dict[str, str | None] = {
        "db/migrations/000001_notes.up.sql": None,
        "db/migrations/000001_notes.down.sql": None,
        "sql/migrations/000001_notes.up.sql": UP,
        "sql/migrations/000001_notes.down.sql": "",
    }
    found, existing = _run(git_repo, moved)
    assert "empty-down" in found, found
    assert "empty-down" in existing, (found, existing)


def test_a_down_emptied_while_moving_is_new(git_repo: Any) -> None:
    # the base had a working down: emptying it in the move is the PR's own doing
    old = {
        "db/migrations/000001_notes.up.sql": UP,
        "db/migrations/000001_notes.down.sql": "DROP TABLE notes;\n",
    }
    base = git_repo.commit(old)
    head = git_repo.commit({
        "db/migrations/000001_notes.up.sql": None,
        "db/migrations/000001_notes.down.sql": None,
        "sql/migrations/000001_notes.up.sql": UP,
        "sql/migrations/000001_notes.down.sql": "",
    })  # fmt: skip
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, {**defaults(check), "roundtrip": "off"})
        found = list(check.run(ctx))
    empty = [f for f in found if f.rule == "empty-down"]
    assert empty and not any(f.fingerprint in ctx.existing_at_base for f in empty), found


TYPEORM = """import { MigrationInterface, QueryRunner } from "typeorm";
export class AddNotes1700000000000 implements MigrationInterface {
  name = "AddNotes1700000000000";
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "notes" ("id" integer PRIMARY KEY, "body" text)`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notes"`);
  }
}
"""
KNEX = """exports.up = function (knex) {
  return knex.schema.createTable("notes", (t) => { t.increments("id"); t.text("body"); });
};
exports.down = function (knex) {
  return knex.schema.dropTable("notes");
};
"""


def _rewritten(git_repo: Any, old: dict[str, str], new: dict[str, str | None]) -> list[str]:
    base = git_repo.commit(old)
    head = git_repo.commit({**dict.fromkeys(old), **new})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, {**defaults(check), "roundtrip": "off"})
        return sorted(f.rule for f in check.run(ctx) if f.rule == "history-rewritten")


def test_a_typeorm_migration_moved_unchanged_keeps_its_name(git_repo: Any) -> None:
    # TypeORM records the migration's name (its class), not its path
    old = {"server/migration/1700000000000-AddNotes.ts": TYPEORM}
    new = {"server/migration/sqlite/1700000000000-AddNotes.ts": TYPEORM}
    assert _rewritten(git_repo, old, new) == []


def test_a_typeorm_migration_moved_and_edited_is_rewritten(git_repo: Any) -> None:
    old = {"server/migration/1700000000000-AddNotes.ts": TYPEORM}
    edited = TYPEORM.replace('"body" text', '"body" text NOT NULL')
    new = {"server/migration/sqlite/1700000000000-AddNotes.ts": edited}
    assert _rewritten(git_repo, old, new) == ["history-rewritten"]


def test_a_knex_migration_moved_under_its_file_name_is_the_same(git_repo: Any) -> None:
    # knex records the file name alone
    old = {"db/migrations/20240101120000_notes.js": KNEX}
    new = {"server/db/knex_migrations/20240101120000_notes.js": KNEX}
    assert _rewritten(git_repo, old, new) == []


def test_a_knex_migration_renamed_is_another_migration(git_repo: Any) -> None:
    old = {"db/migrations/20240101120000_notes.js": KNEX}
    new = {"server/db/migrations/20240101120000_create_notes.js": KNEX}
    assert _rewritten(git_repo, old, new) == ["history-rewritten"]
