"""Attacks on round 28's Liquibase relaxations (tolgee): a ``modifyDataType`` that widens
a PostgreSQL column (``varchar(255)`` to ``varchar(511)`` or ``text``), judged from the
type the merged changelogs gave the column, and a folder that is forward only although
one merged changeset (a change of rows) has a rollback.

The widening is known only from the merged changesets, not from what the PR writes: a
narrowing, a column whose type the merged changelogs never give (or give only for another
database, or give differently in two files), a type an ``sql`` changeset changed since
the column was made, all keep ``change-column-type``. A schema changeset with a rollback
keeps the folder's habit of writing rollbacks, and so ``missing-down``.
"""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
LOG = "db/changelog/schema.xml"
HEAD = '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
TYPE = "migrations/change-column-type"
DOWN = "migrations/missing-down"


def _create(column_type: str, dbms: str = "") -> str:
    where = f' dbms="{dbms}"' if dbms else ""
    return (
        f'  <changeSet id="1" author="a"{where}>\n    <createTable tableName="llm_provider">\n'
        '      <column name="id" type="BIGINT"/>\n'
        f'      <column name="api_key" type="{column_type}"/>\n'
        "    </createTable>\n  </changeSet>\n"
    )


def _forward(rollback_on: str = "") -> str:
    """Three schema changesets without a rollback, and a change of rows with one (or,
    with ``rollback_on="schema"``, a schema changeset with one)."""
    out = "".join(
        f'  <changeSet id="s{i}" author="a">\n    <sql>CREATE INDEX i{i} ON llm_provider (id)'
        "</sql>\n  </changeSet>\n"
        for i in range(3)
    )
    out += (
        '  <changeSet id="d" author="a">\n    <sql>INSERT INTO llm_provider (id) VALUES (1)'
        "</sql>\n    <rollback>DELETE FROM llm_provider WHERE id = 1</rollback>\n"
        "  </changeSet>\n"
    )
    if rollback_on == "schema":
        out += (
            '  <changeSet id="r" author="a">\n    <sql>CREATE INDEX ir ON llm_provider (id)'
            "</sql>\n    <rollback>DROP INDEX ir</rollback>\n  </changeSet>\n"
        )
    return out


def _judge(
    attack: AttackFactory, merged: str, new_type: str, extra: dict[str, str] | None = None
) -> Verdict:
    base = {"app/Model.java": "// llm_provider\n", LOG: HEAD + merged + "</databaseChangeLog>\n"}
    base.update(extra or {})
    change = (
        '  <changeSet id="w" author="a">\n    <modifyDataType tableName="llm_provider" '
        f'columnName="api_key" newDataType="{new_type}"/>\n  </changeSet>\n'
    )
    head = {LOG: HEAD + merged + change + "</databaseChangeLog>\n"}
    return attack(POLICY, base, head).judge()


def test_a_longer_varchar_or_text_in_a_forward_only_folder_passes(attack: AttackFactory) -> None:
    for new in ("varchar(511)", "text", "VARCHAR"):
        found = blocking_rules(_judge(attack, _create("VARCHAR(255)") + _forward(), new))
        assert TYPE not in found and DOWN not in found, (new, found)


def test_a_narrower_varchar_blocks(attack: AttackFactory) -> None:
    assert_blocked(_judge(attack, _create("VARCHAR(255)") + _forward(), "varchar(100)"), TYPE)


def test_text_to_a_bounded_varchar_blocks(attack: AttackFactory) -> None:
    assert_blocked(_judge(attack, _create("TEXT") + _forward(), "varchar(511)"), TYPE)


def test_a_column_the_merged_changelogs_never_type_blocks(attack: AttackFactory) -> None:
    assert_blocked(_judge(attack, _forward(), "text"), TYPE)


def test_a_type_given_only_for_another_database_blocks(attack: AttackFactory) -> None:
    merged = _create("VARCHAR(255)", dbms="h2") + _forward()
    assert_blocked(_judge(attack, merged, "text"), TYPE)


def test_a_type_an_sql_changeset_changed_since_blocks(attack: AttackFactory) -> None:
    retype = (
        '  <changeSet id="x" author="a">\n    <sql>ALTER TABLE llm_provider ALTER COLUMN '
        "api_key TYPE integer USING 0</sql>\n  </changeSet>\n"
    )
    merged = _create("VARCHAR(255)") + retype + _forward()
    assert_blocked(_judge(attack, merged, "varchar(511)"), TYPE)


def test_two_files_typing_the_column_differently_block(attack: AttackFactory) -> None:
    other = HEAD + _create("INTEGER").replace('id="1"', 'id="o"') + "</databaseChangeLog>\n"
    verdict = _judge(
        attack, _create("VARCHAR(255)") + _forward(), "text", {"db/changelog/other.xml": other}
    )
    assert_blocked(verdict, TYPE)


def test_a_folder_with_a_rollback_on_a_schema_changeset_keeps_missing_down(
    attack: AttackFactory,
) -> None:
    merged = _create("VARCHAR(255)") + _forward(rollback_on="schema")
    verdict = _judge(attack, merged, "varchar(511)")
    assert_blocked(verdict, DOWN)
    assert TYPE not in blocking_rules(verdict)
