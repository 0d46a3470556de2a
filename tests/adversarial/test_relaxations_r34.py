"""Attacks on round 31's relaxations (this stop): each reading that turns a repair of a
shipped migration, a template's blank or a format into a warning must not let an author
rewrite what runs, or commit a secret, behind the same shape.

- Alembic existence guards (pyguards.py): a guard that names the object but also
  changes what the migration does where it has not run is still a rewrite.
- Rails data steps (railsedits.same_schema_operations): a "model call" that reaches the
  schema through the connection is no data step.
- A migration restored to its released text (history._as_released): only the released
  text itself, byte for byte.
- A blank to fill (``to_fill``) is a placeholder only as a whole word.
"""

from __future__ import annotations

from tests.adversarial.conftest import (
    SECRETS_ONLY,
    AttackFactory,
    UnreleasedEdit,
    assert_blocked,
)

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
ALEMBIC = "alembic/versions/a1_trees.py"


def _revision(upgrade: str) -> str:
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1'\n"
        f"down_revision = None\n\n\ndef upgrade():\n{upgrade}\n\n"
        "def downgrade():\n    op.drop_column('trees', 'enabled')\n"
    )


ADD = "    op.add_column('trees', sa.Column('enabled', sa.Integer(), nullable=True))\n"
PROBE = "    cols = [c['name'] for c in sa.inspect(op.get_bind()).get_columns('trees')]\n"


def test_a_guard_around_a_new_operation_on_the_same_table_is_a_rewrite(
    attack: AttackFactory,
) -> None:
    # the guard names 'trees' and 'enabled', but the block it opens also drops a column
    sneaky = _revision(
        PROBE + "    if 'enabled' not in cols:\n"
        "        op.drop_column('trees', 'owner')\n" + ADD.replace("    op.", "        op.")
    )
    base = {ALEMBIC: _revision(ADD)}
    verdict = attack(POLICY, base, {ALEMBIC: sneaky}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_guard_that_returns_early_on_a_table_it_does_not_touch_is_a_rewrite(
    attack: AttackFactory,
) -> None:
    # "if the users table exists, skip": on every real database the column is never added
    sneaky = _revision(
        "    if sa.inspect(op.get_bind()).has_table('users'):\n        return\n" + ADD
    )
    verdict = attack(POLICY, {ALEMBIC: _revision(ADD)}, {ALEMBIC: sneaky}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


RAILS = "db/migrate/20230811160940_add_access_level_to_users.rb"


def _rails(body: str) -> str:
    return (
        "class AddAccessLevelToUsers < ActiveRecord::Migration[7.0]\n  def change\n"
        "    add_column :users, :access_level, :integer, default: 0, null: false\n"
        f"{body}  end\nend\n"
    )


def test_a_model_call_that_reaches_the_schema_is_no_data_step(attack: AttackFactory) -> None:
    merged = _rails("    User.update_all(access_level: 1)\n")
    sneaky = _rails("    User.connection.execute('DROP TABLE sessions')\n")
    verdict = attack(POLICY, {RAILS: merged}, {RAILS: sneaky}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_data_step_turned_into_a_schema_operation_is_a_rewrite(attack: AttackFactory) -> None:
    merged = _rails("    User.update_all(access_level: 1)\n")
    sneaky = _rails("    remove_column :users, :admin_at\n")
    verdict = attack(POLICY, {RAILS: merged}, {RAILS: sneaky}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


ECTO = "priv/repo/migrations/20240117234740_add_groups.exs"


def _ecto(extra: str) -> str:
    return (
        "defmodule App.Repo.Migrations.AddGroups do\n  use Ecto.Migration\n\n  def change do\n"
        f"    create table(:groups) do\n      add :label, :string\n{extra}    end\n  end\nend\n"
    )


def test_restoring_only_part_of_the_released_text_is_a_rewrite(
    unreleased_edit: UnreleasedEdit,
) -> None:
    # the release shipped the table with a status column; the edit drops it again, which
    # is not the released text whatever else it restores
    released = {"mix.exs": "defmodule App.MixProject do\nend\n", ECTO: _ecto("")}
    merged = {ECTO: _ecto("      add :status, :string\n")}
    head = {ECTO: _ecto("      add :state, :string\n")}
    verdict = unreleased_edit(POLICY, released, merged, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_secret_that_merely_holds_the_letters_of_a_blank_still_blocks(
    attack: AttackFactory,
) -> None:
    base = {"deploy.env": "SMTP_HOST=smtp.example.com\n"}
    added = "API_SECRET=Xq7to_fillRz9Lm2Pw4K\n"
    verdict = attack(SECRETS_ONLY, base, {"deploy.env": base["deploy.env"] + added}).judge()
    assert_blocked(verdict, "security/env-file-committed")


ENV_ONLY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"


def test_an_app_setting_named_like_a_runner_variable_still_blocks(attack: AttackFactory) -> None:
    # RUNNER_* was allowed whole as GitHub's runner prefix: an application's own
    # RUNNER_API_TOKEN hid behind it (nango's RUNNER_TYPE); only the runner's names pass now
    src = (
        "export const token = process.env.RUNNER_API_TOKEN;\n"
        "export const tmp = process.env.RUNNER_TEMP;\n"
    )
    verdict = attack(ENV_ONLY, {"README.md": "# app\n"}, {"src/runner.ts": src}).judge()
    assert_blocked(verdict, "env-vars/undocumented")
    assert "RUNNER_TEMP" not in str([r.finding.message for r in verdict.results if r.blocking])
