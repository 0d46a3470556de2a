"""A merged index build the edit only renames (or makes ``IF NOT EXISTS``) is the merged
hazard, pre-existing (round 32, renamed.py). The attacks: what changes more than the
name, or adds a second build beside the renamed one, still blocks.
"""

from __future__ import annotations

from tests.adversarial.conftest import UnreleasedEdit, assert_blocked

POLICY = (
    "version: 1\nchecks:\n"
    "  migrations: {roundtrip: 'off', dialect: postgres, large_tables: ['*']}\n"
)
LOCK = "SET lock_timeout = '2s';\n"
RELEASED = {
    "app/store.py": "# reads orders.x orders.legacy\n",
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, x int, legacy text);\n"
    "CREATE TABLE users (id bigint);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
}
UP, DOWN = "db/2_index.up.sql", "db/2_index.down.sql"
MERGED = {UP: LOCK + "CREATE INDEX idx_old ON orders (x);\n", DOWN: "DROP INDEX idx_old;\n"}
RULE = "migrations/index-not-concurrent"


def _edit(unreleased_edit: UnreleasedEdit, up: str) -> object:
    return unreleased_edit(POLICY, RELEASED, MERGED, {UP: LOCK + up}).judge()


def test_a_renamed_index_on_another_column_blocks(unreleased_edit: UnreleasedEdit) -> None:
    assert_blocked(_edit(unreleased_edit, "CREATE INDEX idx_new ON orders (legacy);\n"), RULE)


def test_a_renamed_index_on_another_table_blocks(unreleased_edit: UnreleasedEdit) -> None:
    assert_blocked(_edit(unreleased_edit, "CREATE INDEX idx_new ON users (id);\n"), RULE)


def test_a_unique_index_behind_if_not_exists_blocks(unreleased_edit: UnreleasedEdit) -> None:
    up = "CREATE UNIQUE INDEX IF NOT EXISTS idx_old ON orders (x);\n"
    assert_blocked(_edit(unreleased_edit, up), RULE)


def test_a_second_build_beside_the_renamed_one_blocks(unreleased_edit: UnreleasedEdit) -> None:
    up = "CREATE INDEX idx_new ON orders (x);\nCREATE INDEX idx_two ON orders (x);\n"
    assert_blocked(_edit(unreleased_edit, up), RULE)


def test_an_alembic_index_renamed_onto_other_columns_blocks(
    unreleased_edit: UnreleasedEdit,
) -> None:
    released = {
        "app/store.py": "# reads orders.x orders.a\n",
        "alembic.ini": "[alembic]\nscript_location = alembic\n",
        "alembic/versions/a1_init.py": _alembic(
            "a1", None, '    op.create_table("orders", sa.Column("x", sa.Integer))'
        ),
    }
    path = "alembic/versions/a2_index.py"
    merged = {path: _alembic("a2", "a1", '    op.create_index("ix_x", "orders", ["x"])')}
    head = {path: _alembic("a2", "a1", '    op.create_index("ix_y", "orders", ["a"])')}
    assert_blocked(unreleased_edit(POLICY, released, merged, head).judge(), RULE)


def _alembic(rev: str, down: str | None, up: str) -> str:
    return (
        f'"""r"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "{rev}"\n'
        f"down_revision = {down!r}\n\n\ndef upgrade():\n{up}\n\n\ndef downgrade():\n    pass\n"
    )


def test_a_line_changed_in_a_merged_statement_no_parser_read_is_reviewed(
    unreleased_edit: UnreleasedEdit,
) -> None:
    # the kept lines of an unreadable merged statement stay unreviewed (as on main); a
    # line the fix changes there is reviewed
    broken = "ALTER TABLE orders ADD COLUMN y int,\nALTER TABLE orders RENAME COLUMN x TO y;\n"
    merged = {UP: LOCK + broken, DOWN: "SELECT 1;\n"}
    head = {
        UP: LOCK + "ALTER TABLE orders ADD COLUMN y int;\n"
        "ALTER TABLE orders RENAME COLUMN legacy TO y2;\n"
    }
    verdict = unreleased_edit(POLICY, RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/rename-column")
