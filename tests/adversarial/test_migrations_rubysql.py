"""A project's own Ruby SQL migrations (Postal's message databases) cannot leave MySQL's
rules by switching the Gemfile's database gem in the same change, nor escape the ask for a
down by deleting the downs of the merged migrations beside them."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n"
FOLDER = "lib/app/message_db/migrations"


def _migration(sql: str, down: str = "") -> str:
    downs = f'  def down\n    @database.query("{down}")\n  end\n' if down else ""
    return f'class M < Migration\n  def up\n    @database.query("{sql}")\n  end\n{downs}end\n'


MERGED = {
    f"{FOLDER}/0{n}_create_{t}.rb": _migration(f"CREATE TABLE {t} (id int)")
    for n, t in ((1, "messages"), (2, "clicks"), (3, "links"))
}
CONVERT = {f"{FOLDER}/04_convert.rb": _migration("ALTER TABLE clicks CONVERT TO CHARSET utf8mb4")}


def test_a_gemfile_switched_to_pg_keeps_mysql_rules(attack: AttackFactory) -> None:
    base = {**MERGED, "Gemfile": "gem 'mysql2'\n"}
    head = {**CONVERT, "Gemfile": "gem 'pg'\n"}
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/table-rebuild")


def test_downs_deleted_with_the_new_migration_still_ask_for_one(attack: AttackFactory) -> None:
    merged = {p: _migration("CREATE TABLE t (id int)", "DROP TABLE t") for p in MERGED}
    stripped = {p: _migration("CREATE TABLE t (id int)") for p in MERGED}
    head = {**stripped, f"{FOLDER}/04_add.rb": _migration("ALTER TABLE links ADD COLUMN x int")}
    assert_blocked(attack(POLICY, {**merged, "Gemfile": "gem 'mysql2'\n"}, head).judge(),
                   "migrations/missing-down")  # fmt: skip
