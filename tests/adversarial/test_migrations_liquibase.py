"""Attacks on the Liquibase review: a destructive change hidden in a new changeset of a
changelog already merged, an applied changeset edited in place, a changelog made
unreadable or expanding so the gate skips it."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
HEADER = '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
MERGED = (
    HEADER
    + '  <changeSet id="1" author="team">\n'
    + '    <createTable tableName="users">\n'
    + '      <column name="id" type="bigint"/>\n'
    + '      <column name="email" type="text"/>\n'
    + "    </createTable>\n"
    + "  </changeSet>\n"
)
CODE = {"src/main/java/User.java": "class User { String email; }\n"}
BASE = {**CODE, "src/main/resources/db/changelog/users.xml": MERGED + "</databaseChangeLog>\n"}


def test_a_drop_column_hidden_in_a_new_changeset_of_a_merged_file_is_blocked(
    attack: AttackFactory,
) -> None:
    # the file is old, the changeset new: the review is per changeset, not per file
    sneaky = (
        MERGED
        + "  <!-- housekeeping: tidy up comments -->\n"
        + '  <changeSet id="2" author="bot">\n'
        + '    <dropColumn tableName="users" columnName="email"/>\n'
        + "    <rollback/>\n"
        + "  </changeSet>\n"
        + "</databaseChangeLog>\n"
    )
    head = {**CODE, "src/main/resources/db/changelog/users.xml": sneaky}
    verdict = attack(POLICY, BASE, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_editing_an_applied_changeset_is_blocked(attack: AttackFactory) -> None:
    edited = MERGED.replace('name="email" type="text"', 'name="email" type="varchar(20)"')
    head = {**CODE, "src/main/resources/db/changelog/users.xml": edited + "</databaseChangeLog>\n"}
    verdict = attack(POLICY, BASE, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_an_applied_changeset_moved_to_a_new_id_is_blocked(attack: AttackFactory) -> None:
    # renaming the id makes Liquibase run it again as new, and forget the old one
    moved = MERGED.replace('id="1"', 'id="1b"')
    head = {**CODE, "src/main/resources/db/changelog/users.xml": moved + "</databaseChangeLog>\n"}
    verdict = attack(POLICY, BASE, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_changelog_the_parser_refuses_blocks(attack: AttackFactory) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "a"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        + HEADER
        + '  <changeSet id="9" author="bot"><sql>&b; DROP TABLE users;</sql></changeSet>\n'
        + "</databaseChangeLog>\n"
    )
    head = {**CODE, "src/main/resources/db/changelog/bomb.xml": bomb}
    verdict = attack(POLICY, BASE, {**BASE, **head}).judge()
    assert_blocked(verdict, "migrations/syntax-error")
