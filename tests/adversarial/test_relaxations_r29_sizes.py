"""Attacks on round 32's hub reading (hubs.py): a table many other tables reference is no
longer presumed large because the merged migrations came back to index it often.

The references are read at base, from the merged migrations (and a Rails schema dump):
a pull request cannot make a growing table a hub by adding tables that point at it,
or by editing the merged files or the schema dump; and the signs a
hub does not lift (a concurrent index the team built, a name that says events) stay.
Each case blocks on main's code too (the presumption it attacks is older than the relief).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"


def _up(name: str, sql: str) -> dict[str, str]:
    return {f"db/{name}.up.sql": sql, f"db/{name}.down.sql": "SELECT 1;"}


#: positions, created and then indexed by five later migrations: a growing table
MERGED = _up("001_init", "CREATE TABLE positions (id int PRIMARY KEY, car int, drive int);")
for _i in range(2, 7):
    MERGED |= _up(f"00{_i}_ix", f"CREATE INDEX ix{_i} ON positions (car, drive);")
INDEX = _up("900_ix", "SET lock_timeout = '2s';\nCREATE INDEX ix_new ON positions (drive);")


def _referrers(prefix: str, table: str = "positions") -> dict[str, str]:
    files: dict[str, str] = {}
    for i in range(12):
        sql = f"CREATE TABLE r{i} (id int, position_id int REFERENCES {table} (id));"
        files |= _up(f"{prefix}{i:02d}_r", sql)
    return files


def test_tables_the_pr_adds_do_not_make_a_growing_table_a_hub(attack: AttackFactory) -> None:
    head = {**MERGED, **_referrers("800_"), **INDEX}
    assert_blocked(attack(MIGRATIONS, MERGED, head).judge(), "migrations/index-not-concurrent")


def test_references_written_into_the_merged_migrations_by_the_pr_do_not_count(
    attack: AttackFactory,
) -> None:
    head = dict(MERGED)
    for i in range(2, 7):
        head[f"db/00{i}_ix.up.sql"] += "".join(
            f"\nCREATE TABLE m{i}_{j} (p int REFERENCES positions (id));" for j in range(3)
        )
    assert_blocked(
        attack(MIGRATIONS, MERGED, {**head, **INDEX}).judge(), "migrations/index-not-concurrent"
    )


def test_a_schema_dump_the_pr_rewrites_does_not_count(attack: AttackFactory) -> None:
    def rails(stamp: int, body: str) -> dict[str, str]:
        name = f"M{stamp}"
        text = f"class {name} < ActiveRecord::Migration[7.1]\n  def change\n{body}  end\nend\n"
        return {f"db/migrate/20240101{stamp:06d}_m{stamp}.rb": text}

    base = rails(0, "    create_table :positions do |t|\n      t.integer :car\n    end\n")
    for i in range(1, 6):
        base |= rails(i, f"    add_index :positions, :c{i}\n")
    table = '  create_table "r{}" do |t|\n    t.bigint "position_id"\n  end\n'
    dump = "".join(table.format(i) for i in range(12))
    head = {
        **base,
        "db/schema.rb": f"ActiveRecord::Schema[7.1].define(version: 1) do\n{dump}end\n",
        **rails(900, "    add_index :positions, :x\n"),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/index-not-concurrent")


def test_a_hub_the_team_indexed_concurrently_still_blocks(attack: AttackFactory) -> None:
    base = {**MERGED, **_referrers("100_")}
    base["db/002_ix.up.sql"] = "CREATE INDEX CONCURRENTLY ix2 ON positions (car, drive);"
    assert_blocked(
        attack(MIGRATIONS, base, {**base, **INDEX}).judge(), "migrations/index-not-concurrent"
    )


def test_a_hub_named_for_what_happens_still_blocks(attack: AttackFactory) -> None:
    def events(files: dict[str, str]) -> dict[str, str]:
        return {k: v.replace("positions", "events") for k, v in files.items()}

    base = events({**MERGED, **_referrers("100_")})
    verdict = attack(MIGRATIONS, base, {**base, **events(INDEX)}).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")
