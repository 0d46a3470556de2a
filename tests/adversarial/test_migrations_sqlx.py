"""A sqlx migration or a versioned SQL file of a project's own migrator cannot slip past
the gate by following no other framework's naming: a drop of a column the code still
reads blocks, and an edit of a shipped file is a history rewrite. A Cargo.toml the PR
rewrites cannot move a merged crate's folder to another database's rules either."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
CRATE = "crates/server-store"
CODE = {"src/user.rs": "pub struct User { pub email: String }\n"}
BASE = {
    **CODE,
    f"{CRATE}/Cargo.toml": '[package]\nname = "server-store"\n[dependencies]\n'
    'sqlx = { version = "0.8", features = ["postgres"] }\n',
    f"{CRATE}/migrations/20240101000000_users.sql": "create table users (id bigint, email text);\n",
}


def test_a_sqlx_migration_dropping_a_column_blocks(attack: AttackFactory) -> None:
    head = {f"{CRATE}/migrations/20240202000000_drop.sql": "alter table users drop column email;\n"}
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/drop-column")


def test_a_manifest_rewritten_to_sqlite_keeps_postgres_rules(attack: AttackFactory) -> None:
    head = {
        f"{CRATE}/Cargo.toml": '[package]\nname = "server-store"\n[dependencies]\n'
        'sqlx = { version = "0.8", features = ["sqlite"] }\n',
        f"{CRATE}/migrations/20240202000000_idx.sql": "create index ue on users (email);\n",
    }
    verdict = attack(POLICY, BASE, head).judge()
    # PostgreSQL's rules still read it: the index is built without CONCURRENTLY inside
    # sqlx's transaction (a warning on a table not presumed large), never SQLite's
    rules = [r.finding.rule for r in verdict.results]
    assert "index-not-concurrent" in rules


def test_editing_a_shipped_versioned_sql_file_blocks(attack: AttackFactory) -> None:
    base = {
        **CODE,
        "db/sql/migrations/v2.9.6.sql": "create table runner (id int, webhook text);\n",
        "db/sql/migrations/v2.9.7.sql": "create table hook (id int);\n",
    }
    built = attack(POLICY, base, {"db/sql/migrations/v2.9.6.sql":
                                  "create table runner (id int, integration text);\n"})  # fmt: skip
    built.repo.git("tag", "v2.9.8", built.base)
    assert_blocked(built.judge(), "migrations/history-rewritten")
