"""Edits of a merged Alembic revision that only test whether its own objects exist
(pyguards.py): where the revision ran nothing changes, where it has not and the object
is missing it does the same (gramps-web-api fc635ca7da). Each integration case is a
real two-commit repository."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from gatekeeper.checks.migrations import pyguards
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

PATH = "alembic/versions/22c8d1fba959_add_trees_enabled.py"
HEAD = "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '22c8d1fba959'\n"
HEAD += "down_revision = None\n\n\n"


def _revision(upgrade: str, imports: str = "") -> str:
    down = "    op.drop_column('trees', 'enabled')\n"
    if "create_table" in upgrade:
        down += "    op.drop_table('trees')\n"
    return imports + HEAD + f"def upgrade():\n{upgrade}\n\ndef downgrade():\n{down}"


ADD = "    op.add_column('trees', sa.Column('enabled', sa.Integer(), nullable=True))\n"
MERGED = _revision(ADD)
INSPECTOR = "from sqlalchemy.engine.reflection import Inspector\n"
PROBE = (
    "    conn = op.get_bind()\n"
    "    inspector = Inspector.from_engine(conn)\n"
    "    columns = [col['name'] for col in inspector.get_columns('trees')]\n"
)


@pytest.mark.parametrize(
    "guarded",
    [
        # gramps' early return, with black's quotes and reordered imports
        _revision(
            PROBE + '    if "enabled" in columns:\n        return None\n\n'
            '    op.add_column(\n        "trees", sa.Column("enabled", sa.Integer(), '
            "nullable=True)\n    )\n",
            INSPECTOR,
        ).replace(
            "from alembic import op\nimport sqlalchemy as sa\n",
            "import sqlalchemy as sa\nfrom alembic import op\n",
        ),
        # the operation wrapped in the test, sa.inspect instead of the Inspector
        _revision(
            "    existing = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('trees')}\n"
            "    if 'enabled' not in existing:\n" + ADD.replace("    op.", "        op.")
        ),
        # has_table around a create
        _revision(
            "    if not sa.inspect(op.get_bind()).has_table('trees'):\n"
            "        op.create_table('trees', sa.Column('id', sa.String()))\n" + ADD
        ),
    ],
    ids=["return-if-exists", "wrapped-in-not-in", "has-table"],
)
def test_an_existence_guard_on_the_revisions_own_objects_is_no_rewrite(
    git_repo: Any, guarded: str
) -> None:
    before = (
        MERGED
        if "has_table" not in guarded
        else _revision("    op.create_table('trees', sa.Column('id', sa.String()))\n" + ADD)
    )
    found = findings(git_repo, {PATH: before}, {PATH: guarded}, roundtrip="off")
    assert errors(found) == []
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]
    assert "already exist" in warned[0].message


@pytest.mark.parametrize(
    "guarded",
    [
        # a guard on another column skips the add wherever that column exists
        _revision(PROBE + "    if 'enabled_at' in columns:\n        return\n" + ADD, INSPECTOR),
        # a guard reading another table
        _revision(
            PROBE.replace("get_columns('trees')", "get_columns('users')")
            + "    if 'enabled' in columns:\n        return\n"
            + ADD,
            INSPECTOR,
        ),
        # a switch on the dialect is a behaviour, not a guard
        _revision("    if op.get_bind().dialect.name == 'sqlite':\n        return\n" + ADD),
        # a test that queries the data, not the schema
        _revision(
            "    if op.get_bind().execute(sa.text('SELECT 1 FROM trees')).first():\n"
            "        return\n" + ADD
        ),
        # the guard kept, the operation changed
        _revision(
            PROBE
            + "    if 'enabled' in columns:\n        return\n"
            + ADD.replace("nullable=True", "server_default='1', nullable=True"),
            INSPECTOR,
        ),
        # a guarded block that also does something the merged revision did not
        _revision(
            "    if not sa.inspect(op.get_bind()).has_table('trees'):\n"
            "        op.execute('DELETE FROM trees')\n" + ADD
        ),
    ],
    ids=["other-column", "other-table", "dialect", "data-query", "operation-changed", "extra-step"],
)
def test_a_guard_on_anything_else_or_a_changed_operation_stays_a_rewrite(
    git_repo: Any, guarded: str
) -> None:
    found = findings(git_repo, {PATH: MERGED}, {PATH: guarded}, roundtrip="off")
    assert errors(found) == ["history-rewritten"]


def test_unguarded_sets_aside_only_the_guard_and_its_probes() -> None:
    before = ast.parse(MERGED)
    after = ast.parse(
        _revision(PROBE + "    if 'enabled' in columns:\n        return\n" + ADD, INSPECTOR)
    )
    assert pyguards.same_unguarded(before, after)
    # the probe stays when something else reads it
    kept = ast.parse(
        _revision(
            PROBE + "    if 'enabled' in columns:\n        return\n" + ADD + "    print(conn)\n",
            INSPECTOR,
        )
    )
    assert not pyguards.same_unguarded(ast.parse(MERGED), kept)
