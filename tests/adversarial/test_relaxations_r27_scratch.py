"""Attacks on round 27's relaxation for komga: dropping a table whose name marks it as
scratch space (``temp``/``tmp``/``scratch`` as a word of its own) is a warning, not a
data-loss block (scratch.py).

The hole left open on purpose: a team that names a table of real data ``tmp_...`` loses
it with a warning only. The name is the team's own statement, the drop is still reported
by name, and every other rule (a rename into a scratch name, a dropped column) keeps its
level.
"""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
CODE = "app/store.py"
DROP_TABLE = "migrations/drop-table"


def _base(table: str) -> dict[str, str]:
    return {
        CODE: f"# reads {table}\n",
        "db/1_init.up.sql": f"CREATE TABLE {table} (id bigint, v text);\n",
        "db/1_init.down.sql": f"DROP TABLE {table};\n",
    }


def _drop(sql: str) -> dict[str, str]:
    return {
        "db/2_drop.up.sql": "SET lock_timeout = '2s';\n" + sql,
        "db/2_drop.down.sql": "SELECT 1;\n",
    }


def _warned(verdict: Verdict, rule: str) -> bool:
    return any(
        r.finding.qualified_rule == rule and not r.blocking
        for o in verdict.outcomes
        for r in o.results
    )


@pytest.mark.parametrize(
    "table", ["temperature", "templates", "attempts", "tempo", "contempt", "tmpl_items"]
)
def test_names_that_only_contain_the_letters_block(attack: AttackFactory, table: str) -> None:
    verdict = attack(POLICY, _base(table), _drop(f"DROP TABLE {table};\n")).judge()
    assert_blocked(verdict, DROP_TABLE)


def test_a_word_run_together_is_not_a_scratch_name(attack: AttackFactory) -> None:
    table = "tempstringlist"
    verdict = attack(POLICY, _base(table), _drop(f"DROP TABLE {table};\n")).judge()
    assert_blocked(verdict, DROP_TABLE)


def test_renaming_a_real_table_into_a_scratch_name_still_blocks(attack: AttackFactory) -> None:
    head = _drop("ALTER TABLE orders RENAME TO tmp_orders;\nDROP TABLE tmp_orders;\n")
    verdict = attack(POLICY, _base("orders"), head).judge()
    assert not verdict.met


def test_a_scratch_named_column_of_a_real_table_still_blocks(attack: AttackFactory) -> None:
    base = {**_base("orders"), CODE: "# reads orders.tmp_total\n"}
    base["db/1_init.up.sql"] = "CREATE TABLE orders (id bigint, tmp_total int);\n"
    verdict = attack(POLICY, base, _drop("ALTER TABLE orders DROP COLUMN tmp_total;\n")).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_the_hole_a_real_table_named_tmp_drops_with_a_warning_naming_it(
    attack: AttackFactory,
) -> None:
    verdict = attack(POLICY, _base("tmp_orders"), _drop("DROP TABLE tmp_orders;\n")).judge()
    assert verdict.met
    assert _warned(verdict, DROP_TABLE)
