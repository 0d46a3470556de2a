"""Where round 15 relaxed a migrations rule (Rails contract steps, forward-only goose and
Diesel folders, leftover and copied-back drops, per-database file names, constraints put
back around a row rewrite), a PR cannot claim the relaxation for itself: every fact it
rests on is read at base, and a comment is not a keyword."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
PG = {"config/database.yml": "production:\n  adapter: postgresql\n"}


def _rails(name: str, body: str) -> str:
    return f"class {name} < ActiveRecord::Migration[8.0]\n{body}end\n"


def test_a_comment_saying_concurrently_does_not_make_a_rails_index_concurrent(
    attack: AttackFactory,
) -> None:
    head = {"db/migrate/20240101000000_ix.rb": _rails(
        "Ix", "  def change\n    add_index :events, :code # algorithm: :concurrently\n  end\n"
    )}  # fmt: skip
    assert_blocked(attack(POLICY, PG, head).judge(), "migrations/index-not-concurrent")


def test_ignoring_a_column_in_the_same_pr_does_not_make_its_drop_a_contract_step(
    attack: AttackFactory,
) -> None:
    model = "class Invoice < ApplicationRecord\n  def total = amount\nend\n"
    head = {
        "app/models/invoice.rb": model.replace(
            "  def", "  self.ignored_columns += %w[amount]\n  def"
        ),
        "db/migrate/20240101000000_drop_amount.rb": _rails(
            "DropAmount", "  def up\n    remove_column :invoices, :amount\n  end\n"
        ),
    }
    verdict = attack(POLICY, {**PG, "app/models/invoice.rb": model}, head).judge()
    assert_blocked(verdict, "migrations/missing-down")


def test_deleting_the_model_in_the_same_pr_does_not_make_its_table_unnamed(
    attack: AttackFactory,
) -> None:
    base = {
        **PG,
        "app/models/customer_snapshot.rb": "class CustomerSnapshot < ApplicationRecord\nend\n",
    }
    head = {
        "app/models/customer_snapshot.rb": None,
        "db/migrate/20240101000000_drop_snapshots.rb": _rails(
            "DropSnapshots", "  def up\n    drop_table :customer_snapshots\n  end\n"
        ),
    }
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/missing-down")


def test_a_pr_cannot_strip_the_merged_goose_downs_to_make_its_folder_forward_only(
    attack: AttackFactory,
) -> None:
    def goose(table: str, down: bool) -> str:
        tail = f"-- +goose Down\nDROP TABLE {table};\n" if down else ""
        return f"-- +goose Up\nCREATE TABLE {table} (id int);\n{tail}"

    base = {f"db/migrations/00{i}_t{i}.sql": goose(f"t{i}", True) for i in range(1, 4)}
    head = {f"db/migrations/00{i}_t{i}.sql": goose(f"t{i}", False) for i in range(1, 4)}
    head["db/migrations/004_t4.sql"] = goose("t4", False)
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/missing-down")


def test_a_pr_cannot_hide_the_migration_that_created_a_table_it_drops(
    attack: AttackFactory,
) -> None:
    base = {
        "app/models.py": "# archives\n",
        "migrations/2021-01-01-000000_archives/up.sql": "CREATE TABLE archives (id int);",
        "migrations/2021-01-01-000000_archives/down.sql": "DROP TABLE archives;",
    }
    head = {
        "migrations/2021-01-01-000000_archives/up.sql": "SELECT 1;",
        "migrations/2026-01-01-000000_again/up.sql": (
            "SET lock_timeout = '2s';\nDROP TABLE IF EXISTS archives;\n"
            "CREATE TABLE archives (id int, at int);\n"
        ),
        "migrations/2026-01-01-000000_again/down.sql": "DROP TABLE archives;",
    }
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/drop-table")


def test_copying_rows_out_to_a_backup_without_copying_them_back_is_a_drop(
    attack: AttackFactory,
) -> None:
    head = {
        "db/2_x.up.sql": (
            "SET lock_timeout = '2s';\n"
            "CREATE TABLE bkp (id int);\nINSERT INTO bkp (id) SELECT id FROM consent;\n"
            "DROP TABLE consent;\nCREATE TABLE consent (id int, subject text);\n"
            "INSERT INTO other (id) SELECT id FROM bkp;\n"
        ),
        "db/2_x.down.sql": "SELECT 1;",
    }
    base = {"app/models.py": "# consent\n", "db/1_c.up.sql": "CREATE TABLE consent (id int);",
            "db/1_c.down.sql": "DROP TABLE consent;"}  # fmt: skip
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/drop-table")


def test_per_database_files_added_by_the_pr_do_not_lift_postgres_rules(
    attack: AttackFactory,
) -> None:
    base = {"store/V0001.Init.up.sql": "CREATE TABLE audit_logs (id int);",
            "store/V0001.Init.down.sql": "DROP TABLE audit_logs;"}  # fmt: skip
    head = {
        "store/V0002.Ix.sqlite.up.sql": "SELECT 1;",
        "store/V0002.Ix.mysql.up.sql": (
            "SET lock_timeout = '2s';\nCREATE INDEX ix_at ON audit_logs (id);\n"
        ),
        "store/V0002.Ix.all.down.sql": "DROP INDEX ix_at;",
    }
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/index-not-concurrent")


def test_a_constraint_made_again_under_another_name_keeps_an_empty_downgrade_blocking(
    attack: AttackFactory,
) -> None:
    head = {"migrations/versions/r1_lower.py": (
        "import sqlalchemy as sa\nfrom alembic import op\nrevision = 'r1'\ndown_revision = None\n"
        "user = sa.Table('user', sa.MetaData(), sa.Column('email', sa.String()))\n"
        "def upgrade():\n"
        "    conn = op.get_bind()\n"
        "    with op.batch_alter_table('alias') as batch:\n"
        "        batch.drop_constraint('alias_owner_fkey', type_='foreignkey')\n"
        "    conn.execute(user.update().values(email='x'))\n"
        "    with op.batch_alter_table('alias') as batch:\n"
        "        batch.create_unique_constraint('alias_owner_key', ['owner'])\n"
        "def downgrade():\n    pass\n"
    )}  # fmt: skip
    assert_blocked(attack(POLICY, {"README.md": "x\n"}, head).judge(), "migrations/empty-down")


def test_strict_blocks_a_missing_down_that_the_folder_habit_made_a_warning(
    attack: AttackFactory,
) -> None:
    # two of three merged goose files have no Down: under recommended a new file without
    # one is the folder's habit (a warning); strict takes the cautious side and blocks
    base = {
        "db/migrations/001_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n"
        "-- +goose Down\nDROP TABLE a;\n",
        "db/migrations/002_b.sql": "-- +goose Up\nCREATE TABLE b (id int);\n",
        "db/migrations/003_c.sql": "-- +goose Up\nCREATE TABLE c (id int);\n",
    }
    head = {**base, "db/migrations/004_d.sql": "-- +goose Up\nALTER TABLE a ADD COLUMN d int;\n"}
    strict = "version: 1\nextends: [strict]\nchecks:\n  migrations: {roundtrip: 'off'}\n"
    assert_blocked(attack(strict, base, head).judge(), "migrations/missing-down")
    relaxed = attack(POLICY, base, head).judge()
    assert "migrations/missing-down" not in [
        r.finding.qualified_rule for r in relaxed.results if r.blocking
    ]
