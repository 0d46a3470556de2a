"""Attacks on round 29's diesel-aware reader (dieselread.py): the contract step of a
diesel project passes with its regenerated print_schema file, but not when code at base
still reads the column, when the schema file still declares it, when the PR removes the
reader itself (old code runs during the deploy), or when the PR brings the facts in."""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.migrations import dieselproject as dp

DROP_COLUMN = "migrations/drop-column"
READER = "fn sums() { versions::table.select(versions::checksum) }\n"


def _judge(attack: AttackFactory, base: dict[str, str], head: dict[str, str | None]) -> Verdict:
    return attack(dp.POLICY, base, head).judge()


def test_the_contract_step_passes(attack: AttackFactory) -> None:
    assert _judge(attack, dp.BASE, dp.HEAD).met


def test_rust_code_at_base_still_reading_the_column_blocks(attack: AttackFactory) -> None:
    base = {**dp.BASE, "src/stats.rs": READER}
    assert_blocked(_judge(attack, base, dp.HEAD), DROP_COLUMN)


def test_a_schema_file_still_declaring_the_column_blocks(attack: AttackFactory) -> None:
    head = {k: v for k, v in dp.HEAD.items() if k != "src/schema.rs"}
    assert_blocked(_judge(attack, dp.BASE, head), DROP_COLUMN)


def test_a_raw_sql_string_reading_the_column_blocks(attack: AttackFactory) -> None:
    sql = 'fn f() { diesel::sql_query("SELECT id, checksum FROM versions") }\n'
    assert_blocked(_judge(attack, {**dp.BASE, "src/raw.rs": sql}, dp.HEAD), DROP_COLUMN)


def test_a_sql_file_the_code_loads_blocks(attack: AttackFactory) -> None:
    base = {
        **dp.BASE,
        "src/queries/stale.sql": "SELECT id FROM versions WHERE checksum IS NULL;\n",
        "src/stale.rs": 'const Q: &str = include_str!("queries/stale.sql");\n',
    }
    assert_blocked(_judge(attack, base, dp.HEAD), DROP_COLUMN)


def test_removing_the_reader_in_the_same_pr_blocks(attack: AttackFactory) -> None:
    base = {**dp.BASE, "src/stats.rs": READER}
    head = {**dp.HEAD, "src/stats.rs": "fn sums() {}\n"}
    assert_blocked(_judge(attack, base, head), DROP_COLUMN)


def test_a_diesel_toml_the_pr_adds_is_not_trusted(attack: AttackFactory) -> None:
    base = {k: v for k, v in dp.BASE.items() if k != "diesel.toml"}
    head = {**dp.HEAD, "diesel.toml": dp.BASE["diesel.toml"]}
    assert_blocked(_judge(attack, base, head), DROP_COLUMN)


def test_code_smuggled_into_the_schema_file_blocks(attack: AttackFactory) -> None:
    schema = dp.HEAD["src/schema.rs"] + "pub fn planted() { std::process::exit(0) }\n"
    assert_blocked(_judge(attack, dp.BASE, {**dp.HEAD, "src/schema.rs": schema}), DROP_COLUMN)


def test_a_second_backend_language_still_counts(attack: AttackFactory) -> None:
    base = {**dp.BASE, "worker/sums.py": "row = db.fetch('versions')\nprint(row.checksum)\n"}
    assert_blocked(_judge(attack, base, dp.HEAD), DROP_COLUMN)


def test_a_node_package_with_a_database_client_still_counts(attack: AttackFactory) -> None:
    base = {**dp.BASE, "app/package.json": '{"dependencies": {"knex": "3.0.0"}}\n'}
    assert_blocked(_judge(attack, base, dp.HEAD), DROP_COLUMN)


def test_a_safety_assured_comment_is_not_the_evidence(attack: AttackFactory) -> None:
    base = {**dp.BASE, "src/stats.rs": READER}
    head = {
        **dp.HEAD,
        f"{dp.DROP}/up.sql": "-- safety-assured:start\nALTER TABLE versions DROP COLUMN "
        "checksum;\n-- safety-assured:end\n",
    }
    assert_blocked(_judge(attack, base, head), DROP_COLUMN)
