"""A PR cannot pass off an index build on a big table as one on a table it just created
(emptytable.py): a "creation" of a table merged migrations already made, a new table the
change fills from the big one through the models, or a creation that comes after the
index, all keep the lock an error."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
DB = "db/migrate"
EVENTS = (
    "class CreateEvents < ActiveRecord::Migration[7.1]\n  def change\n"
    "    create_table :events do |t|\n      t.string :name\n    end\n  end\nend\n"
)
BASE = {f"{DB}/20230101000000_create_events.rb": EVENTS}
INDEX = (
    "class IndexEvents < ActiveRecord::Migration[7.1]\n  def change\n"
    "    add_index :{table}, :name\n  end\nend\n"
)
RULE = "migrations/index-not-concurrent"


def test_recreating_a_merged_table_if_missing_does_not_make_it_empty(
    attack: AttackFactory,
) -> None:
    again = EVENTS.replace(
        "create_table :events do", "create_table :events, if_not_exists: true do"
    )
    head = {
        f"{DB}/20240101000000_ensure_events.rb": again,
        f"{DB}/20240101000100_index_events.rb": INDEX.format(table="events"),
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), RULE)


def test_a_new_table_filled_through_the_models_is_not_empty(attack: AttackFactory) -> None:
    copy = (
        "class CreateEventArchives < ActiveRecord::Migration[7.1]\n  def change\n"
        "    create_table :event_logs do |t|\n      t.string :name\n    end\n"
        "    Event.find_each { |e| EventLog.create!(name: e.name) }\n  end\nend\n"
    )
    head = {
        f"{DB}/20240101000000_create_event_logs.rb": copy,
        f"{DB}/20240101000100_index_event_logs.rb": INDEX.format(table="event_logs"),
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), RULE)


def test_a_creation_after_the_index_does_not_count(attack: AttackFactory) -> None:
    later = EVENTS.replace("CreateEvents", "CreateEventLogs").replace(":events", ":event_logs")
    head = {
        f"{DB}/20240101000000_index_event_logs.rb": INDEX.format(table="event_logs"),
        f"{DB}/20240101000100_create_event_logs.rb": later,
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), RULE)


def test_control_a_new_empty_table_indexed_later_in_the_change_does_not_block(
    attack: AttackFactory,
) -> None:
    fresh = EVENTS.replace("CreateEvents", "CreateEventLogs").replace(":events", ":event_logs")
    head = {
        f"{DB}/20240101000000_create_event_logs.rb": fresh,
        f"{DB}/20240101000100_index_event_logs.rb": INDEX.format(table="event_logs"),
    }
    verdict = attack(POLICY, BASE, head).judge()
    assert RULE not in blocking_rules(verdict)
