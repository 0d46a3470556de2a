"""A Rails migration cannot hide a drop from the gate with the author's own words: a
``safety_assured`` block, an ``ignored_columns`` line the same PR adds to the model, a
type written in a comment so the drop looks reversible (a drop of a column the model
ignored at base is a contract step, reported as a warning all the same); nor pass off a changed
operation as a rewrite that keeps them."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
MODEL = "app/models/rubygem.rb"
USED = "class Rubygem < ApplicationRecord\n  def to_param = slug || name\nend\n"
UNUSED = "class Rubygem < ApplicationRecord\n  def to_param = name\nend\n"
IGNORING = (
    "class Rubygem < ApplicationRecord\n  self.ignored_columns += %w[slug]\n"
    "  def to_param = name\nend\n"
)
PATH = "db/migrate/20230824182001_remove_slug_from_rubygems.rb"


def _migration(body: str) -> str:
    return f"class RemoveSlug < ActiveRecord::Migration[7.0]\n  def change\n{body}  end\nend\n"


def test_safety_assured_does_not_hide_a_drop(attack: AttackFactory) -> None:
    head = {
        MODEL: UNUSED,
        PATH: _migration("    safety_assured { remove_column :rubygems, :slug, :string }\n"),
    }
    assert_blocked(attack(POLICY, {MODEL: USED}, head).judge(), "migrations/drop-column")


def test_a_safety_assured_block_does_not_hide_a_drop(attack: AttackFactory) -> None:
    block = "    safety_assured do\n      remove_column :rubygems, :slug, :string\n    end\n"
    head = {MODEL: UNUSED, PATH: _migration(block)}
    assert_blocked(attack(POLICY, {MODEL: USED}, head).judge(), "migrations/drop-column")


def test_ignored_columns_added_by_the_same_pr_does_not_exempt(attack: AttackFactory) -> None:
    head = {MODEL: IGNORING, PATH: _migration("    remove_column :rubygems, :slug, :string\n")}
    assert_blocked(attack(POLICY, {MODEL: USED}, head).judge(), "migrations/drop-column")


def test_ignored_columns_at_base_is_the_safe_drop(attack: AttackFactory) -> None:
    head = {MODEL: UNUSED, PATH: _migration("    remove_column :rubygems, :slug, :string\n")}
    verdict = attack(POLICY, {MODEL: IGNORING}, head).judge()
    assert "migrations/drop-column" not in blocking_rules(verdict)


def test_a_type_in_a_comment_does_not_make_a_drop_reversible(attack: AttackFactory) -> None:
    body = "    remove_column :rubygems, :slug # type: :string\n"
    verdict = attack(POLICY, {MODEL: USED}, {MODEL: UNUSED, PATH: _migration(body)}).judge()
    assert_blocked(verdict, "migrations/down-incomplete")
    # on a column the model ignored at base the drop is a contract step: a warning, but
    # still reported as one a rollback cannot undo, the comment notwithstanding
    later = PATH.replace("20230824182001", "20230901000000")  # the same repository
    verdict = attack(POLICY, {MODEL: IGNORING}, {later: _migration(body)}).judge()
    found = [r.finding for r in verdict.results if r.finding.rule == "down-incomplete"]
    assert len(found) == 1 and "contract step" in found[0].message


def test_a_rewrite_that_changes_an_option_is_a_rewrite(attack: AttackFactory) -> None:
    merged = _migration(
        "    change_table :users, bulk: true do |t|\n      t.string :token\n    end\n"
    )
    edited = _migration("    add_column :users, :token, :string, null: false, default: ''\n")
    verdict = attack(POLICY, {PATH: merged}, {PATH: edited}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")
