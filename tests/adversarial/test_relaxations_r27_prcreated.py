"""Attacks on round 27's relaxation for OpenPanel: dropping a column (or table) that an
earlier migration added by the same change created is a warning, not data loss
(prcreated.py).

The relief needs both migrations new, in one folder, the creator first, and nothing merged
that could have created the name; each case below breaks one of those and must block.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
MIG = "prisma/migrations"
LOCK = {f"{MIG}/migration_lock.toml": 'provider = "postgresql"\n'}
CODE = {"src/projects.ts": "// projects.cors\n"}
INIT = 'CREATE TABLE "projects" ("id" TEXT NOT NULL);\n'
ADD = 'ALTER TABLE "projects" ADD COLUMN IF NOT EXISTS "cors" TEXT;\n'
DROP = 'ALTER TABLE "projects" DROP COLUMN "cors";\n'
DROP_COLUMN = "migrations/drop-column"


def _mig(name: str, sql: str) -> dict[str, str]:
    return {f"{MIG}/{name}/migration.sql": sql}


BASE = {**LOCK, **CODE, **_mig("20240101000000_init", INIT)}


def test_a_column_merged_migrations_created_blocks_even_if_re_added(
    attack: AttackFactory,
) -> None:
    # the merged history already created projects.cors: an idempotent re-add proves nothing
    base = {**BASE, **_mig("20240102000000_cors", 'ALTER TABLE "projects" ADD "cors" TEXT;\n')}
    head = {**_mig("20240201000000_again", ADD), **_mig("20240201000100_drop", DROP)}
    assert_blocked(attack(POLICY, base, head).judge(), DROP_COLUMN)


def test_a_column_in_the_merged_create_table_blocks(attack: AttackFactory) -> None:
    base = {**BASE, **_mig("20240101000000_init", INIT.replace("NULL)", 'NULL, "cors" TEXT)'))}
    head = {**_mig("20240201000000_again", ADD), **_mig("20240201000100_drop", DROP)}
    assert_blocked(attack(POLICY, base, head).judge(), DROP_COLUMN)


def test_a_creator_after_the_drop_relieves_nothing(attack: AttackFactory) -> None:
    # the column comes from outside the chain (a dump); the change's ADD runs after the drop
    head = {**_mig("20240201000000_drop", DROP), **_mig("20240201000100_add", ADD)}
    assert_blocked(attack(POLICY, BASE, head).judge(), DROP_COLUMN)


def test_a_creator_in_another_folder_relieves_nothing(attack: AttackFactory) -> None:
    head = {
        "other/migrations/20240201000000_add/migration.sql": ADD,
        "other/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        **_mig("20240201000100_drop", DROP),
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), DROP_COLUMN)


def test_a_merged_creator_edited_in_the_change_still_blocks(attack: AttackFactory) -> None:
    # the column is removed from a merged migration's text: the base still says it exists
    base = {**BASE, **_mig("20240102000000_cors", 'ALTER TABLE "projects" ADD "cors" TEXT;\n')}
    head = {
        **_mig("20240102000000_cors", "SELECT 1;\n"),
        **_mig("20240201000000_add", ADD),
        **_mig("20240201000100_drop", DROP),
    }
    assert_blocked(attack(POLICY, base, head).judge(), DROP_COLUMN)


def test_the_same_column_name_on_another_table_is_not_this_one(attack: AttackFactory) -> None:
    # cors merged on clients; the change adds it to projects and drops it: relieved, and
    # a drop of clients.cors in the same change still blocks
    clients = 'CREATE TABLE "clients" ("id" TEXT, "cors" TEXT);\n'
    base = {**BASE, **_mig("20240102000000_clients", clients), "src/c.ts": "// clients.cors\n"}
    head = {
        **_mig("20240201000000_add", ADD),
        **_mig("20240201000100_drop", DROP + 'ALTER TABLE "clients" DROP COLUMN "cors";\n'),
    }
    verdict = attack(POLICY, base, head).judge()
    blocking = [r.finding for r in verdict.results if r.blocking]
    assert [f.message.split(".")[0:2] for f in blocking if f.rule == "drop-column"] == [
        ["Drops column clients", "cors"]
    ]
