"""Attacks on round 25's TypeORM changes: a table rebuild spread over one query per
statement, moves of merged migrations where the framework names a migration by its
class, and variables documented in prose.

Each relaxation lets something pass that used to block, and each case shows a pull
request cannot use it to carry a data loss, a rewritten migration or an undocumented
variable past the gate. The cases on SQL files fail on the code before this round (a
rebuild that copied nothing passed there).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = (
    "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: sqlite}\n  security: false\n"
)

INIT = """import { MigrationInterface, QueryRunner } from "typeorm";
export class Init1700000000000 implements MigrationInterface {
  name = "Init1700000000000";
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "blocklist" ("id" integer PRIMARY KEY, "title" varchar)`);
  }
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "blocklist"`);
  }
}
"""
ENTITY = {"src/entity/Blocklist.ts": "@Entity('blocklist') export class Blocklist {}\n"}


def _rebuild(copy: str) -> str:
    return (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        "export class AddTags1700000000001 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        '    await queryRunner.query(`CREATE TABLE "temporary_blocklist" ("id" integer, '
        '"title" varchar, "tags" varchar)`);\n'
        f"{copy}"
        '    await queryRunner.query(`DROP TABLE "blocklist"`);\n'
        '    await queryRunner.query(`ALTER TABLE "temporary_blocklist" RENAME TO "blocklist"`);\n'
        "  }\n"
        "  public async down(queryRunner: QueryRunner): Promise<void> {\n"
        '    await queryRunner.query(`ALTER TABLE "blocklist" DROP COLUMN "tags"`);\n'
        "  }\n"
        "}\n"
    )


def test_a_typeorm_rebuild_that_copies_no_rows_is_a_drop(attack: AttackFactory) -> None:
    base = {**ENTITY, "src/migrations/1700000000000-Init.ts": INIT}
    head = {**base, "src/migrations/1700000000001-AddTags.ts": _rebuild("")}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-table")


def test_a_typeorm_rebuild_that_copies_some_rows_is_a_drop(attack: AttackFactory) -> None:
    copy = (
        '    await queryRunner.query(`INSERT INTO "temporary_blocklist"("id", "title") '
        'SELECT "id", "title" FROM "blocklist" WHERE "id" > 100`);\n'
    )
    base = {**ENTITY, "src/migrations/1700000000000-Init.ts": INIT}
    head = {**base, "src/migrations/1700000000001-AddTags.ts": _rebuild(copy)}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-table")


def test_a_typeorm_rebuild_that_leaves_a_column_out_is_a_drop(attack: AttackFactory) -> None:
    # the rows survive the rebuild, the left-out column's values do not
    copy = (
        '    await queryRunner.query(`INSERT INTO "temporary_blocklist"("id") '
        'SELECT "id" FROM "blocklist"`);\n'
    )
    dropped = _rebuild(copy).replace('"title" varchar, "tags" varchar', '"tags" varchar')
    dropped = dropped.replace(
        '    await queryRunner.query(`ALTER TABLE "blocklist" DROP COLUMN "tags"`);\n',
        '    await queryRunner.query(`ALTER TABLE "blocklist" RENAME TO "temporary_blocklist"`);\n'
        '    await queryRunner.query(`CREATE TABLE "blocklist" ("id" integer PRIMARY KEY, '
        '"title" varchar)`);\n',
    )
    # the code still reads the column: no expand-contract step
    entity = {"src/entity/Blocklist.ts": "@Entity('blocklist') class Blocklist { title }\n"}
    base = {**entity, "src/migrations/1700000000000-Init.ts": INIT}
    head = {**base, "src/migrations/1700000000001-AddTags.ts": dropped}
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-column")


def test_a_sql_rebuild_that_copies_no_rows_is_a_drop(attack: AttackFactory) -> None:
    # before, create-drop-rename passed as a rebuild whether or not a row was copied
    base = {
        "app/users.py": "TABLE = 'users'\n",
        "migrations/0001_users.up.sql": "CREATE TABLE users (id int, email text);\n",
        "migrations/0001_users.down.sql": "DROP TABLE users;\n",
    }
    head = {
        **base,
        "migrations/0002_rebuild.up.sql": (
            "CREATE TABLE users_new (id int, email text, name text);\n"
            "DROP TABLE users;\n"
            "ALTER TABLE users_new RENAME TO users;\n"
        ),
        "migrations/0002_rebuild.down.sql": "ALTER TABLE users DROP COLUMN name;\n",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-table")


def test_moving_a_typeorm_migration_does_not_cover_an_edit_made_in_the_move(
    attack: AttackFactory,
) -> None:
    # TypeORM knows the migration by name: moving it is harmless, editing what it runs is not
    base = {**ENTITY, "server/migration/1700000000000-Init.ts": INIT}
    edited = INIT.replace('"title" varchar', '"title" varchar NOT NULL')
    head = {
        "server/migration/1700000000000-Init.ts": None,
        "server/migration/sqlite/1700000000000-Init.ts": edited,
    }
    case = attack(MIGRATIONS, base, head)
    case.repo.git("tag", "v1.0.0", case.base)
    assert_blocked(case.judge(), "migrations/history-rewritten")


def test_moving_a_knex_migration_under_another_file_name_is_a_new_migration(
    attack: AttackFactory,
) -> None:
    # knex records the file name: a new one runs the migration again on every database
    knex = (
        "exports.up = (knex) => knex.schema.createTable('notes', (t) => { t.increments('id'); });\n"
        "exports.down = (knex) => knex.schema.dropTable('notes');\n"
    )
    base = {"db/migrations/20240101120000_notes.js": knex}
    head = {
        "db/migrations/20240101120000_notes.js": None,
        "server/migrations/20240101120000_create_notes.js": knex,
    }
    case = attack(MIGRATIONS, base, head)
    case.repo.git("tag", "v1.0.0", case.base)
    assert_blocked(case.judge(), "migrations/history-rewritten")


ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"


def test_a_code_comment_calling_it_an_environment_variable_documents_nothing(
    attack: AttackFactory,
) -> None:
    # the prose rule reads the docs; the reading code's own comment is no documentation
    head = {
        "server/lib/settings.ts": (
            "// the BILLING_API_KEY environment variable overrides the stored key\n"
            "export const key = process.env.BILLING_API_KEY;\n"
        )
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


def test_a_name_away_from_the_words_environment_variable_is_not_documented(
    attack: AttackFactory,
) -> None:
    head = {
        "server/lib/settings.ts": "export const key = process.env.BILLING_API_KEY;\n",
        "docs/settings.md": (
            "Environment variables are listed on the next page. BILLING_API_KEY is used "
            "by the billing job.\n"
        ),
    }
    assert_blocked(attack(ENV, {"README.md": "x\n"}, head).judge(), "env-vars/undocumented")


OPENAPI = "version: 1\nchecks:\n  openapi: {specs: [api.yml]}\n  security: false\n"
SETTINGS_API = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /settings/network:
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/NetworkSettings'}}}
    post:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/NetworkSettings'}}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/NetworkSettings'}}}
components:
  schemas:
    NetworkSettings:
      type: object
      properties:
        trustProxy: {type: boolean}
        forceIpv4First: {type: boolean}
"""


def test_removing_a_setting_clients_read_and_save_back_blocks(attack: AttackFactory) -> None:
    # before, each half (request, response) was a warning and the removal passed
    head = {"api.yml": SETTINGS_API.replace("        forceIpv4First: {type: boolean}\n", "")}
    assert_blocked(
        attack(OPENAPI, {"api.yml": SETTINGS_API}, head).judge(),
        "openapi/response-optional-property-removed",
    )
