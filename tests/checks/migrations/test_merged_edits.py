"""An edit of a migration merged since the newest release is judged for what it changed
(mergedview.py, renamed.py): the whole head file is reviewed, and what the merged version
had at the same level, or under another name only, is not new. The shapes a reviewer
passes: layout, comments, ``IF [NOT] EXISTS``, independent statements swapped, the copy
moved above its drop, an index renamed. What they must not pass is in
tests/adversarial/test_evasions_r32_reorder.py and test_relaxations_r29_renamed_index.py.
"""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import (
    assert_blocked,
    blocking_rules,
    make_unreleased_edit,
    text_of,
)
from tests.conftest import GitRepo

POLICY = (
    "version: 1\nchecks:\n"
    "  migrations: {roundtrip: 'off', dialect: postgres, large_tables: ['*']}\n"
)
LOCK = "SET lock_timeout = '2s';\n"
RELEASED = {
    "app/store.py": "# reads orders.a orders.b2 orders.c2 orders.x\n",
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, a text, x int);\n"
    "CREATE TABLE users (id bigint primary key);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
}
UP, DOWN = "db/2_edit.up.sql", "db/2_edit.down.sql"
ADD = "ALTER TABLE orders ADD COLUMN b2 text;\n"
ADD_C = "ALTER TABLE orders ADD COLUMN c2 text;\n"
COPY = "UPDATE orders SET b2 = a;\n"
DROP = "ALTER TABLE orders DROP COLUMN a;\n"
INDEX = "CREATE INDEX idx_old ON orders (x);\n"
FK = "ALTER TABLE orders ADD CONSTRAINT fk_x FOREIGN KEY (x) REFERENCES users (id) NOT VALID;\n"
VALIDATE = "ALTER TABLE orders VALIDATE CONSTRAINT fk_x;\n"


def _passes(verdict: Verdict) -> None:
    blocking = [r for r in blocking_rules(verdict) if r.startswith("migrations/")]
    assert not blocking, blocking


@pytest.mark.parametrize(
    ("merged", "head"),
    [
        pytest.param(ADD + DROP, ADD + "-- a goes\n" + DROP, id="comment-beside-a-merged-drop"),
        pytest.param(ADD + DROP, ADD + "ALTER TABLE orders\n    DROP COLUMN a;\n", id="reflow"),
        pytest.param(ADD + DROP, ADD + DROP.replace("COLUMN", "COLUMN IF EXISTS"), id="if-exists"),
        pytest.param(ADD + ADD_C + DROP, ADD_C + ADD + DROP, id="independent-statements-swapped"),
        pytest.param(ADD + DROP + COPY, ADD + COPY + DROP, id="copy-moved-above-the-drop"),
        pytest.param(
            ADD + COPY + DROP,
            ADD.replace("text", "varchar(200)") + COPY + DROP,
            id="edit-elsewhere",
        ),
        pytest.param(INDEX, INDEX.replace("idx_old", "idx_new"), id="index-renamed"),
        pytest.param(INDEX, INDEX.replace("INDEX", "INDEX IF NOT EXISTS"), id="if-not-exists"),
        pytest.param(
            FK + VALIDATE,
            FK.replace(" ADD", "\n  ADD").replace(" NOT VALID", "\n  NOT VALID") + VALIDATE,
            id="not-valid-reformatted",
        ),
    ],
)
def test_an_edit_that_changes_no_hazard_passes(git_repo: GitRepo, merged: str, head: str) -> None:
    undo = "SELECT 1;\n"
    verdict = make_unreleased_edit(
        git_repo, POLICY, RELEASED, {UP: LOCK + merged, DOWN: undo}, {UP: LOCK + head}
    )
    _passes(verdict.judge())


def test_the_copy_moved_below_the_drop_blocks(git_repo: GitRepo) -> None:
    merged = {UP: LOCK + ADD + COPY + DROP, DOWN: "SELECT 1;\n"}
    verdict = make_unreleased_edit(
        git_repo, POLICY, RELEASED, merged, {UP: LOCK + ADD + DROP + COPY}
    ).judge()
    assert_blocked(verdict, "migrations/drop-column")


def _alembic(up: str) -> str:
    index = "ix_y" if "ix_y" in up else "ix_x"
    return (
        '"""r"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a2"\n'
        "down_revision = 'a1'\n\n\ndef upgrade():\n"
        f'{up}\n\n\ndef downgrade():\n    op.drop_index("{index}")\n'
    )


ALEMBIC_RELEASED = {
    "app/store.py": "# reads orders.x\n",
    "alembic.ini": "[alembic]\nscript_location = alembic\n",
    "alembic/versions/a1_init.py": '"""r"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
    'revision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n'
    '    op.create_table("orders", sa.Column("x", sa.Integer))\n\n\n'
    'def downgrade():\n    op.drop_table("orders")\n',
}


@pytest.mark.parametrize(
    ("merged", "head"),
    [
        pytest.param(
            '    op.create_index("ix_x", "orders", ["x"])',
            '    op.create_index("ix_y", "orders", ["x"])',
            id="one-line",
        ),
        pytest.param(
            '    op.create_index(\n        "ix_x",\n        "orders",\n        ["x"],\n    )',
            '    op.create_index(\n        "ix_y",\n        "orders",\n        ["x"],\n    )',
            id="several-lines",
        ),
    ],
)
def test_an_alembic_index_renamed_passes(git_repo: GitRepo, merged: str, head: str) -> None:
    path = "alembic/versions/a2_index.py"
    edit = make_unreleased_edit(
        git_repo, POLICY, ALEMBIC_RELEASED, {path: _alembic(merged)}, {path: _alembic(head)}
    )
    _passes(edit.judge())


def test_a_marker_the_edit_writes_is_counted_once(git_repo: GitRepo) -> None:
    # the whole file's review meets the PR's marker again; the details count it once
    marker = "-- gatekeeper:ignore drop-column the column was never written\n"
    merged = {UP: LOCK + ADD, DOWN: "SELECT 1;\n"}
    head = {UP: LOCK + ADD + marker + DROP}
    verdict = make_unreleased_edit(git_repo, POLICY, RELEASED, merged, head).judge()
    assert_blocked(verdict, "migrations/drop-column")
    assert "Suppressions written in this PR: 1 reported" in text_of(verdict)


def test_an_unreleased_migration_renumbered_as_it_was_passes(git_repo: GitRepo) -> None:
    # two branches took version 2: one renumbers its unreleased migration (git pairs the
    # files), statements kept, one reflowed
    notes = "".join(f"-- note {n}: the order list's index\n" for n in range(8))
    merged = {UP: notes + LOCK + INDEX, DOWN: "DROP INDEX idx_old;\n"}
    head = {
        UP: None,
        DOWN: None,
        "db/3_edit.up.sql": notes + LOCK + INDEX.replace(" ON", "\n    ON"),
        "db/3_edit.down.sql": "DROP INDEX idx_old;\n",
    }
    _passes(make_unreleased_edit(git_repo, POLICY, RELEASED, merged, head).judge())


BROKEN = "ALTER TABLE orders DROP COLUMN a,\nALTER TABLE orders RENAME COLUMN x TO y;\n"


def test_a_merged_statement_no_parser_read_fixed_keeps_its_lines_unreviewed(
    git_repo: GitRepo,
) -> None:
    # umami 31b059d: a comma for a semicolon; the fix adds the drop's line, and the kept
    # rename line was never reviewed in the merged version: only the added line is judged
    merged = {UP: LOCK + ADD + COPY + BROKEN, DOWN: "SELECT 1;\n"}
    head = {UP: LOCK + ADD + COPY + BROKEN.replace(",\n", ";\n", 1)}
    verdict = make_unreleased_edit(git_repo, POLICY, RELEASED, merged, head).judge()
    assert "migrations/rename-column" not in blocking_rules(verdict)
