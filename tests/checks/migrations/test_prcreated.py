"""Dropping what an earlier migration of the same change created warns (prcreated.py); a
column or table that merged migrations may have created blocks."""

from __future__ import annotations

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding
from gatekeeper.testing import run_check

APP = {"app/models.py": "# projects: cors\n"}
MIG = "prisma/migrations"
INIT = {
    f"{MIG}/20240101000000_init/migration.sql": (
        'CREATE TABLE "projects" ("id" TEXT NOT NULL);\n'
        'CREATE TABLE "clients" ("id" TEXT NOT NULL, "cors" TEXT);\n'
    ),
    f"{MIG}/migration_lock.toml": 'provider = "postgresql"\n',
}
ADD = 'ALTER TABLE "projects" ADD COLUMN "cors" TEXT,\nADD COLUMN "domain" TEXT;\n'
RETYPE = (
    'ALTER TABLE "projects" DROP COLUMN "cors",\n'
    'ADD COLUMN "cors" TEXT[] DEFAULT ARRAY[]::TEXT[];\n'
)


def _drops(base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    found = run_check(MigrationsCheck(), {**APP, **base}, {**APP, **base, **head},
                      {"roundtrip": "off"})  # fmt: skip
    return [f for f in found if f.rule in ("drop-column", "drop-table")]


def test_a_column_an_earlier_new_migration_added_is_not_dropped_data() -> None:
    # cors is merged on clients, which says nothing of projects.cors
    head = {
        f"{MIG}/20240201000000_settings/migration.sql": ADD,
        f"{MIG}/20240201000100_cors_array/migration.sql": RETYPE,
    }
    assert _drops(INIT, head) == []


def test_an_orm_column_an_earlier_new_migration_added_drops_with_a_warning() -> None:
    def revision(rev: str, down: str, body: str) -> str:
        return (
            f"from alembic import op\nimport sqlalchemy as sa\nrevision = '{rev}'\n"
            f"down_revision = {down}\n\n\ndef upgrade():\n    {body}\n\n\n"
            "def downgrade():\n    pass\n"
        )

    init = revision("r0", "None", "op.create_table('projects', sa.Column('id', sa.Text()))")
    add = revision("r1", "'r0'", "op.add_column('projects', sa.Column('cors', sa.Text()))")
    drop = revision("r2", "'r1'", "op.drop_column('projects', 'cors')")
    base = {"migrations/versions/r0_init.py": init}
    head = {"migrations/versions/r1_add.py": add, "migrations/versions/r2_drop.py": drop}
    found = _drops(base, head)
    assert [f.level.name for f in found] == ["WARNING"]
    assert "migrations/versions/r1_add.py, new in this change too" in found[0].message
    # the same drop once r1 is merged: a database may hold values
    merged = _drops(
        {**base, "migrations/versions/r1_add.py": add}, {"migrations/versions/r2_drop.py": drop}
    )
    assert [f.level.name for f in merged] == ["ERROR"]


def test_a_column_a_merged_migration_added_blocks() -> None:
    base = {**INIT, f"{MIG}/20240201000000_settings/migration.sql": ADD}
    found = _drops(base, {f"{MIG}/20240201000100_cors_array/migration.sql": RETYPE})
    assert [f.level.name for f in found] == ["ERROR"]


DRAFTS = 'CREATE TABLE "drafts" ("id" TEXT, "cors" TEXT);\n'


def test_a_table_or_its_column_an_earlier_new_migration_created_drops_without_blocking() -> None:
    head = {
        f"{MIG}/20240201000000_drafts/migration.sql": DRAFTS,
        f"{MIG}/20240201000100_no_cors/migration.sql": 'ALTER TABLE "drafts" DROP COLUMN "cors";\n',
        f"{MIG}/20240201000200_no_drafts/migration.sql": 'DROP TABLE "drafts";\n',
    }
    assert "ERROR" not in [f.level.name for f in _drops(INIT, head)]


# --- round 29: a new column the change filled with stored values -----------------------

FILLED = 'ALTER TABLE "projects" ADD COLUMN "cors" TEXT;\nUPDATE "projects" SET "cors" = "id";\n'


def test_a_new_column_backfilled_with_a_constant_is_still_no_data() -> None:
    head = {
        f"{MIG}/20240201000000_settings/migration.sql": (
            'ALTER TABLE "projects" ADD COLUMN "cors" TEXT;\n'
            'UPDATE "projects" SET "cors" = \'*\' WHERE "cors" IS NULL;\n'
        ),
        f"{MIG}/20240201000100_cors_array/migration.sql": RETYPE,
    }
    assert _drops(INIT, head) == []


def test_a_new_column_filled_from_stored_values_then_dropped_blocks() -> None:
    head = {
        f"{MIG}/20240201000000_settings/migration.sql": FILLED,
        f"{MIG}/20240201000100_cors_array/migration.sql": RETYPE,
    }
    assert [f.level.name for f in _drops(INIT, head)] == ["ERROR"]
