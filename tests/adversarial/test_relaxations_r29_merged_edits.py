"""An edited merged (unreleased) migration is judged for what the edit brings (round 28,
mergedview.py): the hazards its merged version already showed as errors are pre-existing.

pelican's fix to an unreleased Laravel migration moved its ``dropColumn('disk')`` below the
backfill, and hawkbit's added one column to a multi-clause ``ALTER TABLE ... DROP COLUMN``:
both were blocked for the drops the merged file already had. The attacks below show that
what the edit brings, a drop a marker waived at base, or the same drop in a new file
still blocks.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
DROP = "migrations/drop-column"
LOCK = "SET lock_timeout = '2s';\n"
BASE = {
    # the code still reads every column: no drop here is a contract step
    "app/store.py": "# reads orders.a orders.b orders.c orders.legacy orders.notes\n",
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, a text, b text, c text, legacy text);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\n",
    "db/2_trim.down.sql": "SELECT 1;\n",
}


def _drops(verdict: object) -> list[str]:
    results = getattr(verdict, "results", [])
    return sorted(
        r.finding.message for r in results if r.blocking and r.finding.rule == "drop-column"
    )


def test_an_edit_beside_a_merged_drop_does_not_block_for_it(attack: AttackFactory) -> None:
    base = {**BASE, "db/2_trim.up.sql": "ALTER TABLE orders DROP COLUMN a;\n"}
    head = {"db/2_trim.up.sql": LOCK + "ALTER TABLE orders DROP COLUMN a; -- the old notes field\n"}
    verdict = attack(POLICY, base, head).judge()
    assert DROP not in blocking_rules(verdict)


def test_a_clause_added_to_a_merged_multi_column_drop_blocks_alone(
    attack: AttackFactory,
) -> None:
    base = {**BASE, "db/2_trim.up.sql": LOCK + "ALTER TABLE orders DROP COLUMN a, DROP COLUMN b;\n"}
    head = {
        "db/2_trim.up.sql": LOCK
        + "ALTER TABLE orders DROP COLUMN a, DROP COLUMN b, DROP COLUMN c;\n"
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, DROP)
    assert _drops(verdict) == ["Drops column orders.c."]


def test_the_same_drop_in_a_new_migration_is_not_excused_by_a_merged_one(
    attack: AttackFactory,
) -> None:
    base = {**BASE, "db/2_trim.up.sql": "ALTER TABLE orders DROP COLUMN a;\n"}
    head = {
        "db/3_again.up.sql": LOCK + "ALTER TABLE orders DROP COLUMN a;\n",
        "db/3_again.down.sql": "SELECT 1;\n",
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, DROP)


def test_a_merged_drop_waived_by_a_marker_excuses_nothing(attack: AttackFactory) -> None:
    # the merged file's marker waived its drop there; the edit removes the marker: the drop
    # was never an error the team accepted, and now nothing waives it
    marked = "-- gatekeeper:ignore drop-column the column was never written\n"
    base = {**BASE, "db/2_trim.up.sql": marked + "ALTER TABLE orders DROP COLUMN a;\n"}
    head = {"db/2_trim.up.sql": LOCK + "ALTER TABLE orders DROP COLUMN a; -- trimmed\n"}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, DROP)
