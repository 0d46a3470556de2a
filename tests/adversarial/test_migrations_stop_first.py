"""A drop cannot pass as harmless while code still reads what it drops: the contract step
of an expand-contract plan looks for a dropped table's model class too, and
``deploy: stop-first`` relieves only the drops whose every reader the PR removed (read at
head, where the PR's own code is)."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

ROLLING = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
STOP_FIRST = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', deploy: stop-first}\n"
MODEL = "app/models/altcha_solution.rb"
MODEL_TEXT = "class AltchaSolution < ApplicationRecord\n  def self.verify(x) = x\nend\n"
USER = "app/controllers/signups_controller.rb"
PATH = "db/migrate/20250101000000_drop_altcha_solutions.rb"
DROP = (
    "class DropAltchaSolutions < ActiveRecord::Migration[7.2]\n  def change\n"
    "    drop_table :altcha_solutions do |t|\n      t.string :key\n    end\n  end\nend\n"
)
SQL = "db/20250101000000_drop.up.sql"


def test_a_table_dropped_while_its_model_stays_is_no_contract_step(
    attack: AttackFactory,
) -> None:
    # only a migration changes, and no code names "altcha_solutions": the old test took
    # that for the contract step, though the model class still reads the table
    base = {MODEL: MODEL_TEXT, USER: "AltchaSolution.verify(params)\n", "Gemfile": "gem 'rails'\n"}
    head = {**base, PATH: DROP}
    assert_blocked(attack(ROLLING, base, head).judge(), "migrations/drop-table")


def test_stop_first_does_not_relieve_a_drop_code_at_head_still_reads(
    attack: AttackFactory,
) -> None:
    base = {MODEL: MODEL_TEXT, USER: "AltchaSolution.verify(params)\n", "Gemfile": "gem 'rails'\n"}
    head = {MODEL: MODEL_TEXT, USER: "true\n", "Gemfile": "gem 'rails'\n", PATH: DROP}
    assert_blocked(attack(STOP_FIRST, base, head).judge(), "migrations/drop-table")


def test_stop_first_relieves_only_under_its_own_setting(attack: AttackFactory) -> None:
    base = {"app/repo.py": "def load(db):\n    return db.run('SELECT legacy_flag FROM users')\n"}
    head = {
        "app/repo.py": "def load(db):\n    return db.run('SELECT id FROM users')\n",
        SQL: "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN legacy_flag;\n",
        "db/20250101000000_drop.down.sql": "ALTER TABLE users ADD COLUMN legacy_flag boolean;\n",
    }
    assert_blocked(attack(ROLLING, base, head).judge(), "migrations/drop-column")
    relieved = attack(STOP_FIRST, base, head).judge()
    assert "migrations/drop-column" not in blocking_rules(relieved)
