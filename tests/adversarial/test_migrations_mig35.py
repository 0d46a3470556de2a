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


SQL_POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"


def _renamed_app(referrers: int) -> dict[str, str]:
    """accounts indexed again by five later migrations, ``referrers`` tables pointing at it,
    then renamed to members."""
    files = {"db/001_init.up.sql": "CREATE TABLE accounts (id int PRIMARY KEY, a int, b int);"}
    for i in range(2, 7):
        files[f"db/00{i}_ix.up.sql"] = f"CREATE INDEX ix{i} ON accounts (a, b);"
    for i in range(referrers):
        files[f"db/1{i:02d}_t.up.sql"] = f"CREATE TABLE t{i} (id int, r int REFERENCES accounts);"
    files["db/800_rename.up.sql"] = "ALTER TABLE accounts RENAME TO members;"
    return files


def test_referrers_the_pr_adds_under_a_former_name_make_no_hub(attack: AttackFactory) -> None:
    # the tenth reference, written by the PR under the table's old name, is read at head
    # only: the renamed table stays large by its merged index migrations
    base = _renamed_app(9)
    head = {
        "db/850_t.up.sql": "CREATE TABLE t99 (id int, a_id int REFERENCES accounts);",
        "db/850_t.down.sql": "DROP TABLE t99;",
        "db/900_ix.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX ix_x ON members (b);",
        "db/900_ix.down.sql": "DROP INDEX ix_x;",
    }
    assert_blocked(attack(SQL_POLICY, base, head).judge(), "migrations/index-not-concurrent")


LARAVEL_POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
LARAVEL_HEADER = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n"
    "use Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
)


def _laravel(up: str, down: str) -> str:
    return (
        f"{LARAVEL_HEADER}return new class extends Migration\n{{\n"
        f"    public function up(): void\n    {{\n{up}\n    }}\n\n"
        f"    public function down(): void\n    {{\n{down}\n    }}\n}};\n"
    )


LARAVEL_BASE = {
    "app/Models/Ssl.php": "<?php\n// ssls: certificate, certificate_path\n",
    "database/migrations/2024_01_01_000000_create_ssls.php": _laravel(
        "Schema::create('ssls', function (Blueprint $t) { $t->id(); $t->text('certificate'); });",
        "Schema::drop('ssls');",
    ),
}
MOVE_UP = (
    "Schema::table('ssls', function (Blueprint $t) {\n"
    "    $t->string('certificate_path')->nullable();\n"
    "});\n"
    "foreach (Ssl::all() as $ssl) {\n"
    "    $ssl->certificate_path = $ssl->certificate;\n"
    "    $ssl->certificate = null;\n"
    "    $ssl->save();\n"
    "}"
)


def test_a_down_naming_the_erased_column_in_a_comment_restores_nothing(
    attack: AttackFactory,
) -> None:
    down = (
        "// certificate: restored by the next deploy\n"
        "Schema::table('ssls', function (Blueprint $t) { $t->dropColumn('certificate_path'); });"
    )
    head = {"database/migrations/2025_01_31_000000_move.php": _laravel(MOVE_UP, down)}
    assert_blocked(attack(LARAVEL_POLICY, LARAVEL_BASE, head).judge(), "migrations/down-incomplete")
