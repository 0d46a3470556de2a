"""Attacks on round 27's reading of the tables a team came back to index.

Commented-out SQL and ``CREATE INDEX IF NOT EXISTS`` of an index an earlier merged
migration built no longer count as the team indexing a table again (crates.io's users).
Each case shows a pull request cannot use that to make a large table small: the
evidence is read at base, so commenting out or rewriting the merged index migrations in
the PR changes nothing, and an index built again after it was dropped still counts.
The code before this round blocked these too; the cases that pass now and failed
before are in tests/checks/migrations/cases/sizes.yml.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"


def _folder(name: str, up: str, down: str = "SELECT 1;") -> dict[str, str]:
    return {f"migrations/{name}/up.sql": up, f"migrations/{name}/down.sql": down}


MERGED = {
    **_folder("2024-01-01-000000_init", "CREATE TABLE accounts (id int, a int, b int);"),
    **{
        k: v
        for i in range(1, 6)
        for k, v in _folder(
            f"2024-01-0{i + 1}-000000_ix{i}", f"CREATE INDEX ix{i} ON accounts (a, b);"
        ).items()
    },
}
NOT_NULL = _folder(
    "2024-02-01-000000_nn",
    "SET lock_timeout = '2s';\nALTER TABLE accounts ALTER COLUMN a SET NOT NULL;",
    "ALTER TABLE accounts ALTER COLUMN a DROP NOT NULL;",
)


def test_commenting_out_the_merged_indexes_in_the_pr_keeps_the_table_large(
    attack: AttackFactory,
) -> None:
    head = {k: (f"-- {v}" if "_ix" in k and k.endswith("up.sql") else v) for k, v in MERGED.items()}
    verdict = attack(MIGRATIONS, MERGED, {**head, **NOT_NULL}).judge()
    assert_blocked(verdict, "migrations/set-not-null")


def test_turning_merged_indexes_into_repairs_in_the_pr_changes_nothing(
    attack: AttackFactory,
) -> None:
    head = {
        k: v.replace("CREATE INDEX ix", "CREATE INDEX IF NOT EXISTS ix1 ON accounts (a); --")
        for k, v in MERGED.items()
    }
    verdict = attack(MIGRATIONS, MERGED, {**head, **NOT_NULL}).judge()
    assert_blocked(verdict, "migrations/set-not-null")


def test_a_repair_named_like_an_index_of_another_chain_still_counts(
    attack: AttackFactory,
) -> None:
    # four real indexes, and IF NOT EXISTS under a name no earlier migration built
    base = {k: v for k, v in MERGED.items() if "_ix5" not in k}
    base.update(
        _folder("2024-01-06-000000_ix5", "CREATE INDEX IF NOT EXISTS ix_new ON accounts (b);")
    )
    verdict = attack(MIGRATIONS, base, {**base, **NOT_NULL}).judge()
    assert_blocked(verdict, "migrations/set-not-null")


def test_an_index_dropped_then_built_again_if_not_exists_counts(attack: AttackFactory) -> None:
    base = {k: v for k, v in MERGED.items() if "_ix5" not in k}
    base.update(_folder("2024-01-06-000000_drop", "DROP INDEX IF EXISTS ix1;"))
    base.update(
        _folder("2024-01-06-100000_ix1", "CREATE INDEX IF NOT EXISTS ix1 ON accounts (b, a);")
    )
    verdict = attack(MIGRATIONS, base, {**base, **NOT_NULL}).judge()
    assert_blocked(verdict, "migrations/set-not-null")
