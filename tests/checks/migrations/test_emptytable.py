"""A lock on a table an earlier migration of the same change creates is a warning
(emptytable.py); on a merged table, or one the change filled with rows, it blocks."""

from __future__ import annotations

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding
from gatekeeper.testing import run_check

DB = "db/migrate"
BASE = {
    f"{DB}/20240101000000_create_members.rb": (
        "class CreateMembers < ActiveRecord::Migration[7.1]\n  def change\n"
        "    create_table :members do |t|\n      t.string :name\n    end\n  end\nend\n"
    ),
    "app/models/member.rb": "class Member < ApplicationRecord\nend\n",
}
CREATE = (
    "class AddActivities < ActiveRecord::Migration[7.1]\n  def change\n"
    "    create_table :activities do |t|\n      t.string :name\n      t.timestamps\n"
    "    end\n    add_column :members, :activities_count, :integer\n  end\nend\n"
)
INDEX = (
    "class AddSlugToActivity < ActiveRecord::Migration[7.1]\n  def change\n"
    "    add_column :activities, :slug, :string\n"
    "    add_index :activities, :slug, unique: true\n  end\nend\n"
)


def _indexes(base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    found = run_check(MigrationsCheck(), base, {**base, **head}, {"roundtrip": "off"})
    return [f for f in found if f.rule in ("index-not-concurrent", "unique-constraint")]


def test_an_index_on_a_table_an_earlier_new_migration_creates_warns() -> None:
    # Growstuff 5be0153c74: two migrations of one pull request, the second indexes the first's table
    head = {
        f"{DB}/20240218000000_add_activities.rb": CREATE,
        f"{DB}/20240218053122_add_slug_to_activity.rb": INDEX,
    }
    found = _indexes(BASE, head)
    assert found and all(f.level.name == "WARNING" for f in found), found
    assert "20240218000000_add_activities.rb, new in this change too" in found[0].message


def test_the_same_index_on_a_merged_table_blocks() -> None:
    # once the creating migration is merged, activities may hold rows
    base = {**BASE, f"{DB}/20240218000000_add_activities.rb": CREATE}
    found = _indexes(base, {f"{DB}/20240218053122_add_slug_to_activity.rb": INDEX})
    assert [f.level.name for f in found] == ["ERROR"]


def test_a_table_the_change_fills_before_indexing_blocks() -> None:
    copy = CREATE.replace(
        "  end\nend\n",
        "    execute 'INSERT INTO activities (name) SELECT name FROM members'\n  end\nend\n",
    )
    head = {
        f"{DB}/20240218000000_add_activities.rb": copy,
        f"{DB}/20240218053122_add_slug_to_activity.rb": INDEX,
    }
    assert [f.level.name for f in _indexes(BASE, head)] == ["ERROR"]
