"""Edits of a merged Rails migration that only guard its own operations (railsedits.py):
the guard skips what is already done, so where the migration ran nothing changes and
where it has not it does the same (casa 8b533a347f). Each integration case is a real
two-commit repository."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.migrations import railsedits
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

PATH = "db/migrate/20230610153139_add_email_flag_to_users.rb"


def _migration(body: str) -> str:
    return (
        "class AddEmailFlagToUsers < ActiveRecord::Migration[7.0]\n"
        f"  def change\n{body}  end\nend\n"
    )


MERGED = _migration("    add_column :users, :email_flag, :boolean, default: false\n")


@pytest.mark.parametrize(
    "guarded",
    [
        "    return if column_exists?(:users, :email_flag)\n"
        "    add_column :users, :email_flag, :boolean, default: false\n",
        "    add_column :users, :email_flag, :boolean, default: false unless "
        "column_exists?(:users, :email_flag)\n",
        "    add_column :users, :email_flag, :boolean, default: false, if_not_exists: true\n",
    ],
    ids=["return-if", "unless-modifier", "if-not-exists"],
)
def test_a_guard_on_the_migrations_own_operation_is_no_rewrite(git_repo: Any, guarded: str) -> None:
    found = findings(git_repo, {PATH: MERGED}, {PATH: _migration(guarded)}, roundtrip="off")
    assert errors(found) == []
    assert [f.level for f in found if f.rule == "history-rewritten"] == [Level.WARNING]


@pytest.mark.parametrize(
    "guarded",
    [
        # a guard on another column skips the add wherever that column exists
        "    return if column_exists?(:users, :email)\n"
        "    add_column :users, :email_flag, :boolean, default: false\n",
        # a name that only starts like the column's
        "    add_column :users, :email_flag, :boolean, default: false unless "
        "column_exists?(:users, :email)\n",
        # the guard kept, the operation changed
        "    return if column_exists?(:users, :email_flag)\n"
        "    add_column :users, :email_flag, :boolean, default: true\n",
    ],
    ids=["other-column", "prefix-of-the-column", "operation-changed"],
)
def test_a_guard_on_anything_else_or_a_changed_operation_stays_a_rewrite(
    git_repo: Any, guarded: str
) -> None:
    found = findings(git_repo, {PATH: MERGED}, {PATH: _migration(guarded)}, roundtrip="off")
    assert errors(found) == ["history-rewritten"]


def test_guards_are_read_in_normal_form() -> None:
    ops = railsedits.operations(
        _migration(
            "    add_index :users, :x unless index_exists?(:users, :x)\n"
            "    create_table :t, if_not_exists: true do |t|\n    end\n"
        )
    )
    assert ops is not None
    assert "add_index(:users,:x)" in railsedits.unguarded(ops)
    assert "create_table(:t) do|t|" in railsedits.unguarded(ops)


BACKFILLED = _migration(
    "    add_column :users, :access_level, :integer, default: 0, null: false\n"
    "    reversible do |dir|\n      dir.up do\n"
    '        User.update_all("access_level = CASE WHEN admin_at IS NOT NULL THEN 1 ELSE 0 END")\n'
    "      end\n    end\n"
    "    Event.where(teen: true).find_each do |e|\n      e.tags << teens\n    end\n"
)


@pytest.mark.parametrize(
    "edited",
    [
        # hcb 3183fc1a4f: the backfills commented out once their models had changed
        _migration(
            "    add_column :users, :access_level, :integer, default: 0, null: false\n"
            "    # reversible do |dir|\n    #   dir.up do\n    #     User.update_all('x')\n"
            "    #   end\n    # end\n"
        ),
        # hcb fe81f9870b: a scope the model lost replaced by one it has
        BACKFILLED.replace("User.update_all", "User.unscoped.update_all"),
    ],
    ids=["backfills-commented-out", "model-scope-changed"],
)
def test_an_edit_of_the_data_steps_alone_warns(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {PATH: BACKFILLED}, {PATH: edited}, roundtrip="off")
    assert errors(found) == []
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]
    assert "only its data steps" in warned[0].message


@pytest.mark.parametrize(
    "edited",
    [
        # the backfill removed and the column's default changed with it
        _migration("    add_column :users, :access_level, :integer, default: 1, null: false\n"),
        # a model's connection reaches the schema: not a data step
        BACKFILLED.replace(
            "User.update_all(", "User.connection.execute('ALTER TABLE users ADD x int'); ("
        ),
        # a schema operation inside the reversible block
        BACKFILLED.replace(
            "        User.update_all",
            "        add_index :users, :access_level\n        User.update_all",
        ),
        # a data step that now blanks or deletes rows is no repair
        BACKFILLED.replace("User.update_all(", "User.update_all(access_level: nil); ("),
        BACKFILLED.replace("User.update_all(", "User.where(admin: false).delete_all; ("),
    ],
    ids=[
        "schema-changed-too",
        "model-connection",
        "schema-in-reversible",
        "now-blanks-values",
        "now-deletes-rows",
    ],
)
def test_an_edit_beyond_the_data_steps_stays_a_rewrite(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {PATH: BACKFILLED}, {PATH: edited}, roundtrip="off")
    assert "history-rewritten" in errors(found)


# Growstuff b3179a8f2d and 81060cccf7: RuboCop's rewrites of merged migrations
RUBOCOP_BEFORE = (
    "class UpgradeCms < ActiveRecord::Migration[5.2]\n  def change\n    limit = 16_777_215\n"
    "    create_table :comfy_cms_fragments do |t|\n"
    "      t.string  :identifier,      null: false\n"
    "      t.text    :content_cache,   limit: limit\n    end\n"
    "    layout.content = layout.content.gsub(/cms:rich_text/, 'cms:wysiwyg')\n  end\nend\n"
)
RUBOCOP_AFTER = (
    "class UpgradeCms < ActiveRecord::Migration[5.2]\n  def change\n    limit = 16_777_215\n"
    "    create_table :comfy_cms_fragments do |t|\n"
    "      t.string  :identifier, null: false\n"
    "      t.text(:content_cache, limit:)\n    end\n"
    '    layout.content = layout.content.gsub("cms:rich_text", "cms:wysiwyg")\n  end\nend\n'
)


def test_rubocops_shorthand_quotes_and_plain_regex_are_the_same_operations() -> None:
    assert railsedits.same_operations(RUBOCOP_BEFORE, RUBOCOP_AFTER)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("limit:)", "limit: 255)"),  # another value than the local's
        ('gsub("cms:rich_text"', 'gsub("cms:rich.text"'),  # another text
        ('gsub("cms:rich_text"', "gsub(/cms:rich.text/"),  # "." is special to a regex
        ('"cms:wysiwyg"', '"cms:#{kind}"'),  # interpolated
    ],
    ids=["shorthand-other-value", "other-text", "special-regex", "interpolation"],
)
def test_a_changed_value_behind_the_same_spelling_is_a_rewrite(old: str, new: str) -> None:
    assert not railsedits.same_operations(RUBOCOP_BEFORE, RUBOCOP_AFTER.replace(old, new))


def test_a_rubocop_reformat_of_a_merged_migration_does_not_block(git_repo: Any) -> None:
    path = "db/migrate/20191119020643_upgrade_cms.rb"
    found = findings(git_repo, {path: RUBOCOP_BEFORE}, {path: RUBOCOP_AFTER}, roundtrip="off")
    assert "history-rewritten" not in errors(found)
