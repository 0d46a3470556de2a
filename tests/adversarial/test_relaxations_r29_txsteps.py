"""Attacks on round 29's migration relaxations outside diesel: ``timestamp`` to
``timestamptz`` weighed by size (coltypes.py), and Flyway's own detection of a lone
concurrent index build, trusted only with the transactional lock off at base
(txmarkers.py). Each safe shape has a twin that must still block."""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
INIT = (
    "CREATE TABLE users (id bigint PRIMARY KEY, seen timestamp(6));\n"
    "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, at timestamp);\n"
)
PAIR = {"db/1_init.up.sql": INIT, "db/1_init.down.sql": "SELECT 1;\n"}
FLYWAY = {"src/main/resources/db/migration/V1__init.sql": INIT}
V2 = "src/main/resources/db/migration/V2__idx.sql"
LONE = {V2: "CREATE INDEX CONCURRENTLY e_u ON events (user_id);\n"}
LOCK_OFF = "flyway.postgresql.transactional.lock=false\n"


def _retype(attack: AttackFactory, sql: str) -> Verdict:
    head = {"db/2_t.up.sql": sql, "db/2_t.down.sql": "SELECT 1;\n"}
    return attack(POLICY, PAIR, head).judge()


def test_timestamptz_on_a_small_table_passes(attack: AttackFactory) -> None:
    assert _retype(attack, "ALTER TABLE users ALTER COLUMN seen TYPE timestamptz;\n").met


def test_timestamptz_on_a_large_table_blocks(attack: AttackFactory) -> None:
    verdict = _retype(attack, "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;\n")
    assert_blocked(verdict, "migrations/change-column-type")


def test_timestamptz_losing_precision_blocks(attack: AttackFactory) -> None:
    verdict = _retype(attack, "ALTER TABLE users ALTER COLUMN seen TYPE timestamptz(0);\n")
    assert_blocked(verdict, "migrations/change-column-type")


def test_timestamptz_back_to_timestamp_blocks(attack: AttackFactory) -> None:
    sql = (
        "ALTER TABLE users ALTER COLUMN seen TYPE timestamptz;\n"
        "ALTER TABLE users ALTER COLUMN seen TYPE timestamp;\n"
    )
    assert_blocked(_retype(attack, sql), "migrations/change-column-type")


def test_flyway_lone_build_with_the_lock_off_passes(attack: AttackFactory) -> None:
    assert attack(POLICY, {**FLYWAY, "flyway.conf": LOCK_OFF}, LONE).judge().met


def test_flyway_lone_build_with_the_default_lock_blocks(attack: AttackFactory) -> None:
    verdict = attack(POLICY, FLYWAY, LONE).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_lock_setting_the_pr_adds_is_not_trusted(attack: AttackFactory) -> None:
    verdict = attack(POLICY, FLYWAY, {**LONE, "flyway.conf": LOCK_OFF}).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_lock_setting_of_the_tests_does_not_count(attack: AttackFactory) -> None:
    base = {**FLYWAY, "src/test/resources/flyway.conf": LOCK_OFF}
    assert_blocked(attack(POLICY, base, LONE).judge(), "migrations/concurrent-in-transaction")


def test_a_build_mixed_with_other_statements_blocks(attack: AttackFactory) -> None:
    head = {V2: "ALTER TABLE users ADD COLUMN nick text;\n" + LONE[V2]}
    verdict = attack(POLICY, {**FLYWAY, "flyway.conf": LOCK_OFF}, head).judge()
    assert_blocked(verdict, "migrations/concurrent-in-transaction")


def test_a_lock_set_true_does_not_count(attack: AttackFactory) -> None:
    base = {**FLYWAY, "flyway.conf": "flyway.postgresql.transactional.lock=true\n"}
    assert_blocked(attack(POLICY, base, LONE).judge(), "migrations/concurrent-in-transaction")


NN_INIT = {
    "db/1_init.up.sql": INIT + "ALTER TABLE events ADD COLUMN kind text;\n",
    "db/1_init.down.sql": "SELECT 1;\n",
}
NN_SET = "ALTER TABLE events ALTER COLUMN kind SET NOT NULL;\n"


def _set_not_null(attack: AttackFactory, merged: str, up: str = NN_SET) -> Verdict:
    base = {**NN_INIT, "db/2_c.up.sql": merged, "db/2_c.down.sql": "SELECT 1;\n"}
    head = {"db/3_s.up.sql": up, "db/3_s.down.sql": "SELECT 1;\n"}
    return attack(POLICY, base, head).judge()


ADD_NN = "ALTER TABLE events ADD CONSTRAINT k CHECK (kind IS NOT NULL) NOT VALID;\n"
VALIDATE = "ALTER TABLE events VALIDATE CONSTRAINT k;\n"


def test_set_not_null_after_a_validated_check_passes(attack: AttackFactory) -> None:
    assert _set_not_null(attack, ADD_NN + VALIDATE).met


def test_a_check_never_validated_proves_nothing(attack: AttackFactory) -> None:
    assert_blocked(_set_not_null(attack, ADD_NN), "migrations/set-not-null")


def test_a_check_dropped_again_proves_nothing(attack: AttackFactory) -> None:
    merged = ADD_NN + VALIDATE + "ALTER TABLE events DROP CONSTRAINT k;\n"
    assert_blocked(_set_not_null(attack, merged), "migrations/set-not-null")


def test_a_weaker_check_proves_nothing(attack: AttackFactory) -> None:
    merged = ADD_NN.replace("kind IS NOT NULL", "kind IS NOT NULL OR id < 0") + VALIDATE
    assert_blocked(_set_not_null(attack, merged), "migrations/set-not-null")


def test_a_check_of_another_column_proves_nothing(attack: AttackFactory) -> None:
    merged = ADD_NN.replace("kind IS", "user_id IS") + VALIDATE
    assert_blocked(_set_not_null(attack, merged), "migrations/set-not-null")


def test_adding_validating_and_setting_in_one_transaction_blocks(attack: AttackFactory) -> None:
    up = "BEGIN;\n" + ADD_NN + VALIDATE + NN_SET + "COMMIT;\n"
    assert_blocked(_set_not_null(attack, "SELECT 1;\n", up), "migrations/constraint-not-valid")
