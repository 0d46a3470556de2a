"""A column dropped after its values were copied elsewhere is a warning (moves.py); a PR
cannot dress a real loss up as such a move: each attack keeps drop-column blocking."""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
#: code that still reads the columns (else a drop is an expand-contract step)
CODE = {"app/models.py": "class Org:\n    ai: bool\n\nclass User:\n    avatar: str\n"}
BASE = {
    **CODE,
    "db/migrations/000001_orgs.up.sql": "CREATE TABLE orgs (id int PRIMARY KEY, ai boolean);\n",
    "db/migrations/000001_orgs.down.sql": "DROP TABLE orgs;\n",
}
DOWN = "ALTER TABLE orgs ADD COLUMN ai boolean;\nALTER TABLE orgs DROP COLUMN tools;\n"


def _judge(attack: AttackFactory, up: str, policy: str = POLICY) -> Verdict:
    head = {
        "db/migrations/000002_move.up.sql": "SET lock_timeout = '2s';\n" + up,
        "db/migrations/000002_move.down.sql": DOWN,
    }
    return attack(policy, BASE, head).judge()


def _drops(verdict: Verdict) -> list[tuple[bool, str]]:
    return [
        (r.blocking, r.finding.message)
        for r in verdict.results
        if r.finding.qualified_rule == "migrations/drop-column"
    ]


ADD = "ALTER TABLE orgs ADD COLUMN tools boolean NOT NULL DEFAULT false;\n"
DROP = "ALTER TABLE orgs DROP COLUMN ai;\n"


def test_a_whole_copy_before_the_drop_is_a_warning(attack: AttackFactory) -> None:
    verdict = _judge(attack, ADD + "UPDATE orgs SET tools = ai;\n" + DROP)
    [(blocking, message)] = _drops(verdict)
    assert not blocking
    assert "copied first" in message and "orgs.tools" in message


def test_a_copy_reading_another_column_is_no_move(attack: AttackFactory) -> None:
    verdict = _judge(attack, ADD + "UPDATE orgs SET tools = (id > 0);\n" + DROP)
    assert_blocked(verdict, "migrations/drop-column")


def test_an_update_writing_the_dropped_column_itself_is_no_move(attack: AttackFactory) -> None:
    verdict = _judge(attack, ADD + "UPDATE orgs SET ai = ai OR tools;\n" + DROP)
    assert_blocked(verdict, "migrations/drop-column")


def test_a_copy_of_some_rows_is_a_loss_of_the_others(attack: AttackFactory) -> None:
    verdict = _judge(attack, ADD + "UPDATE orgs SET tools = ai WHERE id < 100;\n" + DROP)
    assert_blocked(verdict, "migrations/drop-column")


def test_a_copy_into_a_column_dropped_too_is_no_move(attack: AttackFactory) -> None:
    up = ADD + "UPDATE orgs SET tools = ai;\n" + DROP + "ALTER TABLE orgs DROP COLUMN tools;\n"
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_copy_into_a_table_dropped_after_is_no_move(attack: AttackFactory) -> None:
    up = (
        "CREATE TABLE ai_flags (org int, ai boolean);\n"
        "INSERT INTO ai_flags (org, ai) SELECT id, ai FROM orgs;\n"
        + DROP
        + "DROP TABLE ai_flags;\n"
    )
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_copy_after_the_drop_copies_nothing(attack: AttackFactory) -> None:
    # (the database refuses it; the gate must not read it as a move either)
    verdict = _judge(attack, ADD + DROP + "UPDATE orgs SET tools = ai;\n")
    assert_blocked(verdict, "migrations/drop-column")


def test_a_copy_in_a_comment_runs_nothing(attack: AttackFactory) -> None:
    verdict = _judge(attack, ADD + "-- UPDATE orgs SET tools = ai;\n" + DROP)
    assert_blocked(verdict, "migrations/drop-column")


def test_values_inserted_without_their_rows_are_no_move(attack: AttackFactory) -> None:
    up = "CREATE TABLE seen (ai boolean);\nINSERT INTO seen (ai) SELECT ai FROM orgs;\n" + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_copy_joined_to_another_table_is_no_move(attack: AttackFactory) -> None:
    up = ADD + "UPDATE orgs SET tools = o.ai FROM old_orgs o WHERE o.id = orgs.id;\n" + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_copy_written_over_before_the_drop_is_lost(attack: AttackFactory) -> None:
    up = ADD + "UPDATE orgs SET tools = ai;\nUPDATE orgs SET tools = false;\n" + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_rows_copied_into_a_table_then_emptied_are_lost(attack: AttackFactory) -> None:
    up = (
        "CREATE TABLE ai_flags (org int, ai boolean);\n"
        "INSERT INTO ai_flags (org, ai) SELECT id, ai FROM orgs;\n"
        "DELETE FROM ai_flags;\n" + DROP
    )
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_subquery_reading_another_table_is_no_move(attack: AttackFactory) -> None:
    # the word ai is read, but from a backup table: orgs.ai itself goes nowhere
    up = ADD + "UPDATE orgs SET tools = (SELECT b.ai FROM orgs_backup b LIMIT 1);\n" + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_the_policy_may_keep_a_moved_drop_blocking(attack: AttackFactory) -> None:
    policy = POLICY.replace("dialect: postgres", "dialect: postgres, drop_after_copy: false")
    verdict = _judge(attack, ADD + "UPDATE orgs SET tools = ai;\n" + DROP, policy)
    assert_blocked(verdict, "migrations/drop-column")


def test_strict_keeps_a_moved_drop_blocking(attack: AttackFactory) -> None:
    policy = "version: 1\nextends: [strict]\nchecks:\n  migrations: {roundtrip: 'off'}\n"
    verdict = _judge(attack, ADD + "UPDATE orgs SET tools = ai;\n" + DROP, policy)
    assert_blocked(verdict, "migrations/drop-column")


# --- Alembic -------------------------------------------------------------------------------

REVISION = (
    'from alembic import op\nimport sqlalchemy as sa\nrevision = "r2"\ndown_revision = "r1"\n'
)
ALEMBIC_BASE = {
    **CODE,
    "migrations/versions/r1_users.py": (
        'from alembic import op\nimport sqlalchemy as sa\nrevision = "r1"\ndown_revision = None\n'
        "def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer()))\n"
        "def downgrade():\n    op.drop_table('users')\n"
    ),
}
DOWNGRADE = "def downgrade():\n    op.add_column('users', sa.Column('avatar', sa.Text()))\n"


def _alembic(attack: AttackFactory, upgrade: str) -> Verdict:
    head = {"migrations/versions/r2_move.py": REVISION + upgrade + DOWNGRADE}
    return attack(POLICY, ALEMBIC_BASE, head).judge()


def test_an_alembic_copy_through_a_named_query_is_a_warning(attack: AttackFactory) -> None:
    upgrade = (
        "def upgrade():\n"
        "    conn = op.get_bind()\n"
        "    query = \"UPDATE users SET details = details || jsonb_build_object('a', avatar) "
        'WHERE 1=1"\n'
        "    conn.execute(query)\n"
        "    op.drop_column('users', 'avatar')\n"
    )
    [(blocking, message)] = _drops(_alembic(attack, upgrade))
    assert not blocking and "users.details" in message


def test_an_alembic_query_assigned_after_it_runs_copies_nothing(attack: AttackFactory) -> None:
    upgrade = (
        "def upgrade():\n"
        "    query = 'SELECT 1'\n"
        "    op.execute(query)\n"
        "    query = 'UPDATE users SET details = avatar'\n"
        "    op.drop_column('users', 'avatar')\n"
    )
    assert_blocked(_alembic(attack, upgrade), "migrations/drop-column")


def test_an_alembic_copy_in_a_branch_may_not_run(attack: AttackFactory) -> None:
    upgrade = (
        "def upgrade():\n"
        "    if op.get_bind().dialect.name == 'sqlite':\n"
        "        op.execute('UPDATE users SET details = avatar')\n"
        "    op.drop_column('users', 'avatar')\n"
    )
    assert_blocked(_alembic(attack, upgrade), "migrations/drop-column")


# --- a boolean kept as a mark (dispatch's case_cost_type.default) ---------------------------

MARK = "ALTER TABLE orgs ADD COLUMN plan text;\nUPDATE orgs SET plan = 'ai' WHERE ai = true;\n"


def test_a_flag_marked_in_a_new_empty_column_is_a_warning(attack: AttackFactory) -> None:
    [(blocking, message)] = _drops(_judge(attack, MARK + DROP))
    assert not blocking and "where it is true" in message and "orgs.plan" in message


def test_a_mark_in_a_column_with_a_default_blurs_the_rows_left_out(attack: AttackFactory) -> None:
    up = MARK.replace("plan text", "plan text DEFAULT 'ai'") + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_mark_in_a_column_that_already_held_values_is_no_move(attack: AttackFactory) -> None:
    up = MARK.replace("ALTER TABLE orgs ADD COLUMN plan text;\n", "") + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_mark_of_one_value_of_a_column_that_is_no_flag_loses_the_rest(
    attack: AttackFactory,
) -> None:
    up = MARK.replace("WHERE ai = true", "WHERE ai = 'x'") + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_mark_of_some_flagged_rows_loses_the_others(attack: AttackFactory) -> None:
    up = MARK.replace("WHERE ai = true", "WHERE ai = true AND id < 10") + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_mark_that_writes_a_column_may_write_null(attack: AttackFactory) -> None:
    # a row whose name is NULL reads like a row the WHERE left out
    up = MARK.replace("plan = 'ai'", "plan = name") + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_a_mark_added_after_the_update_marks_nothing(attack: AttackFactory) -> None:
    up = "UPDATE orgs SET plan = 'ai' WHERE ai;\nALTER TABLE orgs ADD COLUMN plan text;\n" + DROP
    assert_blocked(_judge(attack, up), "migrations/drop-column")


def test_on_mysql_a_flag_compared_with_true_may_be_any_integer(attack: AttackFactory) -> None:
    policy = POLICY.replace("dialect: postgres", "dialect: mysql")
    assert_blocked(_judge(attack, MARK + DROP, policy), "migrations/drop-column")


def test_an_alembic_flag_marked_in_a_column_it_adds_is_a_warning(attack: AttackFactory) -> None:
    upgrade = (
        "def upgrade():\n"
        "    op.add_column('users', sa.Column('kind', sa.String(), nullable=True))\n"
        "    op.execute('UPDATE users SET kind = \\'New\\' WHERE \"avatar\" = true')\n"
        "    op.drop_column('users', 'avatar')\n"
    )
    [(blocking, message)] = _drops(_alembic(attack, upgrade))
    assert not blocking and "users.kind" in message


def test_an_alembic_mark_in_a_column_with_a_server_default_is_no_move(
    attack: AttackFactory,
) -> None:
    upgrade = (
        "def upgrade():\n"
        "    op.add_column('users', sa.Column('kind', sa.String(), server_default='Old'))\n"
        "    op.execute('UPDATE users SET kind = \\'New\\' WHERE \"avatar\" = true')\n"
        "    op.drop_column('users', 'avatar')\n"
    )
    assert_blocked(_alembic(attack, upgrade), "migrations/drop-column")
