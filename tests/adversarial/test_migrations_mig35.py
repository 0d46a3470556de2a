"""Attacks on round 32's migration relaxations: a backfill's helper function needs no
undoing, but a PR cannot hide schema behind it (a trigger that runs the function, a
function defined without OR REPLACE)."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
BASE = {
    "app/models.py": "# invoices: id, total, label\n",
    "alembic/versions/a0_init.py": (
        "import sqlalchemy as sa\nfrom alembic import op\n"
        'revision = "a0"\ndown_revision = None\n'
        "def upgrade():\n"
        '    op.create_table("invoices", sa.Column("id", sa.Text(), primary_key=True))\n'
        "def downgrade():\n"
        '    op.drop_table("invoices")\n'
    ),
}


def _revision(up_sql: str) -> dict[str, str]:
    return {
        "alembic/versions/a1_fill.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n"
            'revision = "a1"\ndown_revision = "a0"\n'
            "def upgrade():\n"
            '    op.add_column("invoices", sa.Column("label", sa.Text(), nullable=True))\n'
            f'    op.execute("""{up_sql}""")\n'
            "def downgrade():\n"
            '    op.drop_column("invoices", "label")\n'
        )
    }


def test_a_trigger_behind_a_backfill_helper_still_needs_undoing(attack: AttackFactory) -> None:
    # the function is "called" by the UPDATE, so it passes as a helper; the trigger that
    # runs it on every later write is schema the downgrade leaves behind
    sql = (
        "CREATE OR REPLACE FUNCTION stamp() RETURNS trigger AS $$ BEGIN NEW.label = 'x'; "
        "RETURN NEW; END; $$ LANGUAGE plpgsql;\n"
        "CREATE TRIGGER t_stamp BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION stamp();\n"
        "UPDATE invoices SET label = stamp()"
    )
    assert_blocked(attack(POLICY, BASE, _revision(sql)).judge(), "migrations/down-incomplete")


def test_a_helper_without_or_replace_breaks_the_next_upgrade(attack: AttackFactory) -> None:
    sql = (
        "CREATE FUNCTION name_of(i TEXT) RETURNS TEXT AS $$ SELECT UPPER(i) $$ LANGUAGE sql;\n"
        "UPDATE invoices SET label = name_of(id)"
    )
    assert_blocked(attack(POLICY, BASE, _revision(sql)).judge(), "migrations/down-incomplete")
