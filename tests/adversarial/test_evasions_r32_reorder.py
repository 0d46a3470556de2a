"""Edits of a merged migration no release holds yet that change what its unchanged
statements mean, without adding a hazardous line (round 32, mergedview.edit_brought).

Only the statements whose lines the diff marks as added used to be reviewed, so moving the
copy below the untouched drop, deleting it, deleting a ``NOT VALID`` or ``CONCURRENTLY``
line, a ``COMMIT`` or a ``transaction:false`` / ``atomic = False`` /
``disable_ddl_transaction!`` left the hazard unreviewed, and the merged version (where it
was relieved or absent) excused nothing because nothing was reported. Each case passed the
gate on main at 315d2e3, but the last: a guard that a new migration git pairs with a
deleted merged one (a rename to another version, statements changed) is judged whole, not
as an edit of the merged one.
"""

from __future__ import annotations

from tests.adversarial.conftest import UnreleasedEdit, assert_blocked

POLICY = (
    "version: 1\nchecks:\n"
    "  migrations: {roundtrip: 'off', dialect: postgres, large_tables: ['*']}\n"
)
LOCK = "SET lock_timeout = '2s';\n"
CODE = {"app/store.py": "# reads orders.a orders.b2 orders.x\n"}
RELEASED = {
    **CODE,
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, a text, x int);\n"
    "CREATE TABLE users (id bigint primary key);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
}
UP, DOWN = "db/2_move.up.sql", "db/2_move.down.sql"
ADD = "ALTER TABLE orders ADD COLUMN b2 text;\n"
COPY = "UPDATE orders SET b2 = a;\n"
DROP = "ALTER TABLE orders DROP COLUMN a;\n"
UNDO = "ALTER TABLE orders ADD COLUMN a text;\nALTER TABLE orders DROP COLUMN b2;\n"


def _sql(up: str, down: str = UNDO) -> dict[str, str | bytes | None]:
    return {UP: up, DOWN: down}


def test_the_copy_moved_below_an_unchanged_drop_blocks(unreleased_edit: UnreleasedEdit) -> None:
    merged = _sql(LOCK + ADD + COPY + DROP)
    verdict = unreleased_edit(POLICY, RELEASED, merged, {UP: LOCK + ADD + DROP + COPY}).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_the_copy_deleted_before_an_unchanged_drop_blocks(unreleased_edit: UnreleasedEdit) -> None:
    merged = _sql(LOCK + ADD + COPY + DROP)
    verdict = unreleased_edit(POLICY, RELEASED, merged, {UP: LOCK + ADD + DROP}).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_a_not_valid_line_deleted_blocks(unreleased_edit: UnreleasedEdit) -> None:
    fk = "ALTER TABLE orders ADD CONSTRAINT fk_x FOREIGN KEY (x) REFERENCES users (id)\n"
    validate = "ALTER TABLE orders VALIDATE CONSTRAINT fk_x;\n"
    merged = _sql(LOCK + fk + "  NOT VALID\n;\n" + validate, "SELECT 1;\n")
    head = {UP: LOCK + fk + ";\n" + validate}
    verdict = unreleased_edit(POLICY, RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/constraint-not-valid")


def test_a_concurrently_line_deleted_blocks(unreleased_edit: UnreleasedEdit) -> None:
    merged = _sql("CREATE INDEX\n  CONCURRENTLY\n  idx_x ON orders (x);\n", "DROP INDEX idx_x;\n")
    head = {UP: "CREATE INDEX\n  idx_x ON orders (x);\n"}
    verdict = unreleased_edit(POLICY, RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")


DBMATE = "db/migrations/20240201000000_index.sql"
DBMATE_RELEASED = {
    **CODE,
    "db/migrations/20240101000000_init.sql": "-- migrate:up\n"
    "CREATE TABLE orders (id bigint, a text, x int);\n-- migrate:down\nDROP TABLE orders;\n",
}
INDEX = "CREATE INDEX CONCURRENTLY idx_x ON orders (x);\n"
DBMATE_DOWN = "-- migrate:down\nDROP INDEX idx_x;\nALTER TABLE orders DROP COLUMN z;\n"


def test_a_commit_deleted_before_a_concurrent_build_blocks(
    unreleased_edit: UnreleasedEdit,
) -> None:
    up = "-- migrate:up transaction:false\n" + LOCK + "BEGIN;\n"
    alter = "ALTER TABLE orders ADD COLUMN z text;\n"
    merged = {DBMATE: up + alter + "COMMIT;\n" + INDEX + DBMATE_DOWN}
    head = {DBMATE: up + alter + INDEX + "COMMIT;\n" + DBMATE_DOWN}
    verdict = unreleased_edit(POLICY, DBMATE_RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_dbmate_transaction_false_removed_blocks(unreleased_edit: UnreleasedEdit) -> None:
    down = "-- migrate:down\nDROP INDEX idx_x;\n"
    merged = {DBMATE: "-- migrate:up transaction:false\n" + INDEX + down}
    head = {DBMATE: "-- migrate:up\n" + INDEX + down}
    verdict = unreleased_edit(POLICY, DBMATE_RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


FLYWAY = "src/main/resources/db/migration"


def test_a_flyway_copy_deleted_blocks(unreleased_edit: UnreleasedEdit) -> None:
    released = {**CODE, f"{FLYWAY}/V1__init.sql": "CREATE TABLE orders (id bigint, a text);\n"}
    merged = {f"{FLYWAY}/V2__move.sql": LOCK + ADD + COPY + DROP}
    head = {f"{FLYWAY}/V2__move.sql": LOCK + ADD + DROP}
    verdict = unreleased_edit(POLICY, released, merged, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_a_diesel_copy_moved_below_the_drop_blocks(unreleased_edit: UnreleasedEdit) -> None:
    folder = "migrations/2024-02-01-000000_move"
    released = {
        **CODE,
        "migrations/2024-01-01-000000_init/up.sql": "CREATE TABLE orders (id bigint, a text);\n",
        "migrations/2024-01-01-000000_init/down.sql": "DROP TABLE orders;\n",
    }
    merged = {f"{folder}/up.sql": LOCK + ADD + COPY + DROP, f"{folder}/down.sql": UNDO}
    head = {f"{folder}/up.sql": LOCK + ADD + DROP + COPY}
    verdict = unreleased_edit(POLICY, released, merged, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


VERSIONS = "alembic/versions"


def _alembic(rev: str, down: str | None, up: str, undo: str = "    pass") -> str:
    return (
        f'"""r"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "{rev}"\n'
        f"down_revision = {down!r}\n\n\ndef upgrade():\n{up}\n\n\ndef downgrade():\n{undo}\n"
    )


ALEMBIC_RELEASED = {
    **CODE,
    "alembic.ini": "[alembic]\nscript_location = alembic\n",
    f"{VERSIONS}/a1_init.py": _alembic(
        "a1",
        None,
        '    op.create_table("orders", sa.Column("id", sa.Integer), sa.Column("a", sa.Text))',
        '    op.drop_table("orders")',
    ),
}
OP_ADD = '    op.add_column("orders", sa.Column("b2", sa.Text))\n'
OP_COPY = '    op.execute("UPDATE orders SET b2 = a")\n'
OP_DROP = '    op.drop_column("orders", "a")\n'
OP_UNDO = '    op.add_column("orders", sa.Column("a", sa.Text))\n    op.drop_column("orders", "b2")'


def test_an_alembic_copy_moved_below_the_drop_blocks(unreleased_edit: UnreleasedEdit) -> None:
    path = f"{VERSIONS}/a2_move.py"
    merged = {path: _alembic("a2", "a1", OP_ADD + OP_COPY + OP_DROP, OP_UNDO)}
    head = {path: _alembic("a2", "a1", OP_ADD + OP_DROP + OP_COPY, OP_UNDO)}
    verdict = unreleased_edit(POLICY, ALEMBIC_RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def _django(ops: str, attrs: str = "") -> str:
    return (
        "from django.contrib.postgres.operations import AddIndexConcurrently\n"
        "from django.db import migrations, models\n\n\n"
        f"class Migration(migrations.Migration):\n{attrs}"
        "    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [\n{ops}    ]\n"
    )


def test_a_django_atomic_false_removed_blocks(unreleased_edit: UnreleasedEdit) -> None:
    released = {
        **CODE,
        "shop/__init__.py": "",
        "shop/migrations/__init__.py": "",
        "shop/models.py": "class Order:\n    pass\n",
        "shop/migrations/0001_initial.py": "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = []\n    operations = [\n"
        "        migrations.CreateModel(name='Order', fields=[('id', models.AutoField("
        "primary_key=True)), ('x', models.IntegerField())]),\n    ]\n",
    }
    index = (
        "        AddIndexConcurrently(model_name='order', "
        "index=models.Index(fields=['x'], name='ix_x')),\n"
    )
    path = "shop/migrations/0002_index.py"
    merged = {path: _django(index, "    atomic = False\n")}
    verdict = unreleased_edit(POLICY, released, merged, {path: _django(index)}).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_rails_disable_ddl_transaction_removed_blocks(unreleased_edit: UnreleasedEdit) -> None:
    released = {
        **CODE,
        "Gemfile": "gem 'rails'\ngem 'pg'\n",
        "config/database.yml": "default:\n  adapter: postgresql\n",
        "db/migrate/20240101000000_create_orders.rb": "class CreateOrders < "
        "ActiveRecord::Migration[7.1]\n  def change\n    create_table :orders do |t|\n"
        "      t.integer :x\n    end\n  end\nend\n",
    }
    body = "  def change\n    add_index :orders, :x, algorithm: :concurrently\n  end\nend\n"
    head_text = "class AddIndex < ActiveRecord::Migration[7.1]\n" + body
    merged_text = head_text.replace("\n", "\n  disable_ddl_transaction!\n\n", 1)
    path = "db/migrate/20240201000000_add_index.rb"
    verdict = unreleased_edit(POLICY, released, {path: merged_text}, {path: head_text}).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_new_migration_git_pairs_with_a_deleted_merged_one_is_new(
    unreleased_edit: UnreleasedEdit,
) -> None:
    # the merged file "moves" to a new version with its index on another column: git
    # reads a rename (most lines kept), the runner a new migration, judged whole
    notes = "".join(f"-- note {n}: indexes for the order list\n" for n in range(8))
    merged = _sql(notes + LOCK + "CREATE INDEX idx_x ON orders (x);\n", "DROP INDEX idx_x;\n")
    head = {
        UP: None,
        DOWN: None,
        "db/3_index.up.sql": notes + LOCK + "CREATE INDEX idx_x ON orders (a);\n",
        "db/3_index.down.sql": "DROP INDEX idx_x;\n",
    }
    verdict = unreleased_edit(POLICY, RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")
