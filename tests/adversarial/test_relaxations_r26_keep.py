"""keephq/keep's f3ecc7411f38 fills a new column from ``NOT is_confirmed`` inside
``with op.batch_alter_table(...)`` and then drops ``is_confirmed``: a move, a warning
(moves.py). A copy that does not carry every row's value, or not in the same upgrade, or
through a function that keeps only part of it, still blocks."""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
#: code that still reads the column (else the drop is an expand-contract step)
CODE = {"app/models.py": "class Incident:\n    is_confirmed: bool\n    title: str\n"}
REVISION = (
    'from alembic import op\nimport sqlalchemy as sa\nrevision = "r2"\ndown_revision = "r1"\n'
)
BASE = {
    **CODE,
    "migrations/versions/r1_incident.py": (
        'from alembic import op\nimport sqlalchemy as sa\nrevision = "r1"\ndown_revision = None\n'
        "def upgrade():\n    op.create_table('incident', sa.Column('id', sa.Integer()),\n"
        "        sa.Column('is_confirmed', sa.Boolean()), sa.Column('title', sa.Text()))\n"
        "    op.create_table('audit', sa.Column('id', sa.Integer()))\n"
        "def downgrade():\n    op.drop_table('audit')\n    op.drop_table('incident')\n"
    ),
}
ADD = (
    "def upgrade():\n"
    "    with op.batch_alter_table('incident', schema=None) as batch_op:\n"
    "        batch_op.add_column(sa.Column('is_candidate', sa.Boolean(),"
    " server_default=sa.false(), nullable=False))\n"
)
DROP = (
    "    with op.batch_alter_table('incident', schema=None) as batch_op:\n"
    "        batch_op.drop_column('is_confirmed')\n"
)
DOWNGRADE = (
    "def downgrade():\n"
    "    with op.batch_alter_table('incident', schema=None) as batch_op:\n"
    "        batch_op.add_column(sa.Column('is_confirmed', sa.BOOLEAN(), nullable=True))\n"
    "        batch_op.execute('UPDATE incident SET is_confirmed = not is_candidate')\n"
    "        batch_op.drop_column('is_candidate')\n"
)


def _copy(sql: str) -> str:
    return (
        "    with op.batch_alter_table('incident', schema=None) as batch_op:\n"
        f'        batch_op.execute("""{sql}""")\n'
    )


def _judge(attack: AttackFactory, upgrade: str, downgrade: str = DOWNGRADE) -> Verdict:
    head = {"migrations/versions/r2_candidate.py": REVISION + upgrade + downgrade}
    return attack(POLICY, BASE, head).judge()


def _drops(verdict: Verdict) -> list[tuple[bool, str]]:
    return [
        (r.blocking, r.finding.message)
        for r in verdict.results
        if r.finding.qualified_rule == "migrations/drop-column"
    ]


def test_keeps_negated_copy_in_a_batch_block_is_a_move(attack: AttackFactory) -> None:
    upgrade = ADD + _copy("UPDATE incident SET is_candidate = not is_confirmed") + DROP
    [(blocking, message)] = _drops(_judge(attack, upgrade))
    assert not blocking
    assert "copied first" in message and "incident.is_candidate" in message


@pytest.mark.parametrize(
    "value",
    ["CAST(is_confirmed AS boolean)", "COALESCE(is_confirmed, false)",
     "CASE WHEN is_confirmed THEN false ELSE true END"],
)  # fmt: skip
def test_a_cast_or_coalesce_of_the_column_alone_is_a_move(
    attack: AttackFactory, value: str
) -> None:
    upgrade = ADD + _copy(f"UPDATE incident SET is_candidate = {value}") + DROP
    [(blocking, _)] = _drops(_judge(attack, upgrade))
    assert not blocking


def test_a_copy_whose_where_leaves_rows_out_blocks(attack: AttackFactory) -> None:
    sql = "UPDATE incident SET is_candidate = not is_confirmed WHERE id < 100"
    assert_blocked(_judge(attack, ADD + _copy(sql) + DROP), "migrations/drop-column")


def test_a_copy_from_another_column_blocks(attack: AttackFactory) -> None:
    sql = "UPDATE incident SET is_candidate = (title = '')"
    assert_blocked(_judge(attack, ADD + _copy(sql) + DROP), "migrations/drop-column")


def test_a_copy_mixing_another_column_in_blocks(attack: AttackFactory) -> None:
    sql = "UPDATE incident SET is_candidate = is_confirmed AND title = ''"
    assert_blocked(_judge(attack, ADD + _copy(sql) + DROP), "migrations/drop-column")


def test_a_copy_into_another_table_blocks(attack: AttackFactory) -> None:
    sql = "UPDATE audit SET id = is_confirmed"
    assert_blocked(_judge(attack, ADD + _copy(sql) + DROP), "migrations/drop-column")


def test_a_copy_only_in_the_downgrade_blocks(attack: AttackFactory) -> None:
    downgrade = DOWNGRADE + "    op.execute('UPDATE incident SET is_candidate = is_confirmed')\n"
    assert_blocked(_judge(attack, ADD + DROP, downgrade), "migrations/drop-column")


def test_a_copy_in_a_helper_upgrade_may_not_call_blocks(attack: AttackFactory) -> None:
    helper = "def _fill():\n    op.execute('UPDATE incident SET is_candidate = not is_confirmed')\n"
    assert_blocked(_judge(attack, helper + ADD + DROP), "migrations/drop-column")


def test_a_copy_in_a_loop_inside_a_batch_block_blocks(attack: AttackFactory) -> None:
    upgrade = (
        ADD
        + (
            "    with op.batch_alter_table('incident', schema=None) as batch_op:\n"
            "        for _ in []:\n"
            "            batch_op.execute('UPDATE incident SET is_candidate = is_confirmed')\n"
        )
        + DROP
    )
    assert_blocked(_judge(attack, upgrade), "migrations/drop-column")


@pytest.mark.parametrize("value", ["title IS NOT NULL", "(length(title) > 0)", "title = 'x'"])
def test_a_lossy_function_of_the_column_blocks(attack: AttackFactory, value: str) -> None:
    upgrade = (
        ADD + _copy(f"UPDATE incident SET is_candidate = {value}")
        + DROP.replace("is_confirmed", "title")
    )  # fmt: skip
    assert_blocked(_judge(attack, upgrade), "migrations/drop-column")


@pytest.mark.parametrize("value", ["title IS NOT NULL", "md5(title)", "title LIKE 'x%'"])
def test_a_lossy_function_outside_a_batch_block_blocks(attack: AttackFactory, value: str) -> None:
    upgrade = (
        "def upgrade():\n"
        "    op.add_column('incident', sa.Column('is_candidate', sa.Text()))\n"
        f'    op.execute("UPDATE incident SET is_candidate = {value}")\n'
        "    op.drop_column('incident', 'title')\n"
    )
    assert_blocked(_judge(attack, upgrade), "migrations/drop-column")


def test_a_plain_copy_outside_a_batch_block_is_a_move(attack: AttackFactory) -> None:
    upgrade = (
        "def upgrade():\n"
        "    op.add_column('incident', sa.Column('is_candidate', sa.Text()))\n"
        '    op.execute("UPDATE incident SET is_candidate = lower(title)")\n'
        "    op.drop_column('incident', 'title')\n"
    )
    [(blocking, message)] = _drops(_judge(attack, upgrade))
    assert not blocking and "incident.is_candidate" in message
