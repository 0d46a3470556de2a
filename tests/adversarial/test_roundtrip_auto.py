"""A PostgreSQL chain cannot make its round trip skip PostgreSQL (``roundtrip: auto``).

The base repository holds a goose chain only PostgreSQL runs (``CREATE TYPE``); the PR adds
a migration whose down drops the type before the column using it, which PostgreSQL
refuses, and tries to have the chain judged elsewhere: a policy at head, files and a
Prisma lock file that look like SQLite. The round trip runs on a real scratch PostgreSQL
the gate starts (``pg_url`` proves the binaries work here, and skips where they do not).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.migrations.conftest import pg_url

__all__ = ["pg_url"]  # a fixture, imported so that pytest finds it here

POLICY = "version: 1\nchecks:\n  migrations: {safety: false}\n"
FOLDER = "db/migrations"
BASE = {
    f"{FOLDER}/00001_init.sql": (
        "-- +goose Up\nCREATE TYPE mood AS ENUM ('calm', 'angry');\n"
        "CREATE TABLE person (id int PRIMARY KEY);\n"
        "-- +goose Down\nDROP TABLE person;\nDROP TYPE mood;\n"
    ),
}
BROKEN = {
    f"{FOLDER}/00002_mood.sql": "-- +goose Up\nALTER TABLE person ADD COLUMN m mood;\n"
    "-- +goose Down\nDROP TYPE mood;\nALTER TABLE person DROP COLUMN m;\n"
}
FAILED = "migrations/roundtrip-failed"


def test_the_broken_down_blocks_under_the_default(attack: AttackFactory, pg_url: str) -> None:
    assert_blocked(attack(POLICY, BASE, BROKEN).judge(), FAILED)


def test_a_policy_at_head_cannot_send_the_chain_back_to_sqlite(
    attack: AttackFactory, pg_url: str
) -> None:
    head = {
        **BROKEN,
        ".github/gatekeeper.yml": "version: 1\nchecks:\n  migrations: {roundtrip: sqlite}\n",
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), FAILED)


def test_sqlite_looking_files_beside_the_chain_do_not_move_it(
    attack: AttackFactory, pg_url: str
) -> None:
    head = {
        **BROKEN,
        f"{FOLDER}/schema.sqlite3": "",
        f"{FOLDER}/README.md": "These migrations are for SQLite.\n",
        f"{FOLDER}/00002_mood.sqlite3.up.sql": "SELECT 1;\n",
        f"{FOLDER}/migration_lock.toml": 'provider = "sqlite"\n',
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), FAILED)


def test_sqlite_syntax_in_the_parent_chain_cannot_be_added_by_the_pr(
    attack: AttackFactory, pg_url: str
) -> None:
    # the PR cannot make SQLite run the merged chain: editing it rewrites history
    head = {
        **BROKEN,
        f"{FOLDER}/00001_init.sql": (
            "-- +goose Up\nCREATE TABLE person (id int PRIMARY KEY);\n"
            "-- +goose Down\nDROP TABLE person;\n"
        ),
    }
    verdict = attack(POLICY, BASE, head).judge()
    assert not verdict.met


def test_a_prisma_lock_rewritten_to_sqlite_keeps_the_chain_on_postgres(
    attack: AttackFactory, pg_url: str
) -> None:
    folder = "prisma/migrations"
    base = {
        f"{folder}/migration_lock.toml": 'provider = "postgresql"\n',
        f"{folder}/20240101000000_init/migration.sql": (
            'CREATE TYPE "Mood" AS ENUM (\'A\');\nCREATE TABLE "User" ("id" INT);\n'
        ),
    }
    # Prisma is forward-only: the up alone must apply, on PostgreSQL (SQLite cannot)
    head = {
        f"{folder}/migration_lock.toml": 'provider = "sqlite"\n',
        f"{folder}/20240102000000_mood/migration.sql": (
            'ALTER TABLE "User" ADD COLUMN "mood" "Mood";\n'
            'ALTER TABLE "User" ADD COLUMN "mood" "Mood";\n'
        ),
    }
    assert_blocked(attack(POLICY, base, head).judge(), FAILED)
