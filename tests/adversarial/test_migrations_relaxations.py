"""Where round 8 to 10 relaxed a migrations rule (data-only empty downs, per-database
Alembic folders, forward-only folders), a PR cannot claim the relaxation for itself."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
REVISION = 'from alembic import op\nrevision = "r1"\ndown_revision = None\n'


def test_schema_work_handed_to_imported_code_keeps_an_empty_down_blocking(
    attack: AttackFactory,
) -> None:
    head = {
        "migrations/versions/r1_fill.py": (
            "import sqlalchemy as sa\n" + REVISION + "from app.ddl import apply\n"
            "def upgrade():\n"
            "    conn = op.get_bind()\n"
            "    t = sa.Table('t', sa.MetaData(), autoload_with=conn)\n"
            "    apply(conn)  # drops a column, out of the gate's sight\n"
            "    conn.execute(t.update().values(x=1))\n"
            "def downgrade():\n"
            "    pass\n"
        )
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/empty-down")


def test_a_new_folder_named_for_sqlite_does_not_lift_postgres_rules(
    attack: AttackFactory,
) -> None:
    base = {"migrations/versions/r0_init.py": REVISION.replace('"r1"', '"r0"')
            + "def upgrade():\n    op.create_table('events')\n"
            "def downgrade():\n    op.drop_table('events')\n"}  # fmt: skip
    head = {
        "migrations/versions/sqlite/r1_ix.py": REVISION
        + "def upgrade():\n    op.execute('CREATE INDEX ix_e ON events (at)')\n"
        "def downgrade():\n    op.execute('DROP INDEX ix_e')\n"
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")


def test_a_pr_cannot_make_its_own_folder_forward_only(attack: AttackFactory) -> None:
    head = {f"db/00{i}_t{i}.up.sql": f"CREATE TABLE t{i} (id int);\n" for i in range(1, 5)}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/missing-down")


def test_a_pr_cannot_rewrite_the_history_an_alter_field_is_judged_against(
    attack: AttackFactory,
) -> None:
    # AlterField is judged against the field's merged declaration: editing 0001 in the
    # same PR to claim the index was always there does not hide the CREATE INDEX
    initial = (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.CreateModel('AuditEvent', fields=[\n"
        "        ('at', models.DateTimeField(%s)),\n"
        "    ])]\n"
    )
    base = {"audit/migrations/0001_initial.py": initial % ""}
    head = {
        "audit/migrations/0001_initial.py": initial % "db_index=True",
        "audit/migrations/0002_at_index.py": (
            "from django.db import migrations, models\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.AlterField('auditevent', 'at',\n"
            "        models.DateTimeField(db_index=True))]\n"
        ),
    }
    policy = POLICY.replace("dialect: postgres", "dialect: postgres, large_tables: ['*']")
    verdict = attack(policy, base, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")


def test_a_pr_cannot_name_no_tx_wrap_to_lift_the_sqlite_nesting_error(
    attack: AttackFactory,
) -> None:
    # the exemption is for repositories whose merged code turns golang-migrate's wrapping
    # off; a PR that writes NoTxWrap beside its own BEGIN is judged by the base
    policy = POLICY.replace("dialect: postgres", "dialect: sqlite")
    head = {
        "internal/db/migrate.go": "package db\nvar cfg = sqlite.Config{NoTxWrap: true}\n",
        "db/0002_t.up.sql": "BEGIN TRANSACTION;\nCREATE TABLE t (id int);\nCOMMIT;\n",
        "db/0002_t.down.sql": "DROP TABLE t;\n",
    }
    verdict = attack(policy, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/transaction-nesting")


def test_a_pr_cannot_make_a_released_table_look_unshipped(
    attack: AttackFactory, git_repo: object
) -> None:
    # a drop on a table created since the newest release only warns; the creation is
    # looked for at base, so a CREATE TABLE the PR writes itself does not make users new
    git_repo.commit({"db/001_users.up.sql": "CREATE TABLE users (id int, email text);\n",  # type: ignore[attr-defined]
                     "db/001_users.down.sql": "DROP TABLE users;\n",
                     "app/models.py": "# users: email\n"})  # fmt: skip
    git_repo.git("tag", "v1.0.0")  # type: ignore[attr-defined]
    head = {
        "db/002_again.up.sql": "CREATE TABLE IF NOT EXISTS users (id int, email text);\n",
        "db/002_again.down.sql": "SELECT 1;\n",
        "db/003_drop.up.sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n",
        "db/003_drop.down.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_a_pr_cannot_claim_a_merged_column_as_its_own(attack: AttackFactory) -> None:
    # a column added earlier in the same PR holds nothing yet; ADD COLUMN IF NOT EXISTS of
    # a column the merged chain made does not make dropping it harmless
    base = {"db/001_users.up.sql": "CREATE TABLE users (id int, email text);\n",
            "db/001_users.down.sql": "DROP TABLE users;\n",
            "app/models.py": "# users: email\n"}  # fmt: skip
    head = {
        "db/002_again.up.sql": "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\n",
        "db/002_again.down.sql": "SELECT 1;\n",
        "db/003_drop.up.sql": "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n",
        "db/003_drop.down.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


DECLARED = (
    'from alembic import op\nrevision = "r1"\ndown_revision = None\n'
    "def upgrade():\n    op.add_column('sessions', op.f('raw_line'))\n"
    "def downgrade():\n"
    "    raise NotImplementedError(\n"
    '        "Downgrading would discard session history. "\n'
    '        "Restore the database from a backup before rolling back."\n'
    "    )\n"
)


def test_a_downgrade_raising_with_a_reason_the_pr_wrote_needs_approval(
    attack: AttackFactory,
) -> None:
    # the reason declares the revision irreversible like a gatekeeper:irreversible marker,
    # and like one the PR wrote it is not taken on the author's word
    verdict = attack(POLICY, {"README.md": "x\n"}, {"migrations/versions/r1.py": DECLARED}).judge()
    assert_blocked(verdict, "migrations/empty-down")
    assert "suppressed in this PR by `raise NotImplementedError(...)`" in text_of(verdict)


def test_a_policy_trusting_pr_markers_takes_the_reason_as_declared(attack: AttackFactory) -> None:
    trusting = POLICY.replace(
        "dialect: postgres}", "dialect: postgres, trust_pr_suppressions: true}"
    )
    verdict = attack(
        trusting, {"README.md": "x\n"}, {"migrations/versions/r1.py": DECLARED}
    ).judge()
    assert "migrations/empty-down" not in blocking_rules(verdict)
    assert "Restore the database from a backup" in text_of(verdict)


def test_a_bare_raise_is_no_declaration(attack: AttackFactory) -> None:
    bare = (
        DECLARED.split("def downgrade():", maxsplit=1)[0]
        + "def downgrade():\n    raise NotImplementedError\n"
    )
    trusting = POLICY.replace(
        "dialect: postgres}", "dialect: postgres, trust_pr_suppressions: true}"
    )
    verdict = attack(trusting, {"README.md": "x\n"}, {"migrations/versions/r1.py": bare}).judge()
    assert_blocked(verdict, "migrations/empty-down")


def test_sql_after_a_second_goose_up_marker_is_not_a_down_only_edit(attack: AttackFactory) -> None:
    # an edit below `-- +goose Down` only warns; an Up marker written there starts up SQL
    # again, so smuggling a statement into a merged file that way is still a rewrite
    merged = (
        "-- +goose Up\nCREATE INDEX ix_t ON tuple (user_id);\n\n-- +goose Down\nDROP INDEX ix_t;\n"
    )
    path = "assets/migrations/postgres/003_ix.sql"
    head = {path: merged + "-- +goose Up\nDROP TABLE tuple;\n"}
    verdict = attack(POLICY, {path: merged}, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_drop_in_a_db_migrate_sql_literal_is_blocked(attack: AttackFactory) -> None:
    # db-migrate files are read since round 15: a DROP handed to db.runSql is reviewed
    up = (
        "exports.up = function (db, callback) {\n"
        "  db.runSql('ALTER TABLE users DROP COLUMN email;', callback);\n};\n"
        "exports.down = function (db, callback) {\n"
        "  db.runSql('ALTER TABLE users ADD COLUMN email text;', callback);\n};\n"
    )
    base = {"src/models/user.js": "// users.email is read here\n"}
    verdict = attack(POLICY, base, {"src/migrations/20240101000000-drop-email.js": up}).judge()
    assert_blocked(verdict, "migrations/drop-column")
