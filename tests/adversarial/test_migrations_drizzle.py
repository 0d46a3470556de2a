"""A Drizzle migration cannot leave PostgreSQL's rules by rewriting the journal that names
its database, nor stop being a migration by deleting the journal beside it."""

from __future__ import annotations

import json

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
OUT = "apps/web/drizzle"
CODE = {"apps/web/server/events.ts": "export const who = (e) => e.userId;\n"}


def _journal(dialect: str, *tags: str) -> str:
    entries = [{"idx": i, "version": "7", "when": i, "tag": t, "breakpoints": True}
               for i, t in enumerate(tags)]  # fmt: skip
    return json.dumps({"version": "7", "dialect": dialect, "entries": entries})


BASE = {
    **CODE,
    f"{OUT}/0000_init.sql": 'CREATE TABLE "events" ("id" text PRIMARY KEY, "userId" text);\n',
    f"{OUT}/meta/_journal.json": _journal("postgresql", "0000_init"),
}


def test_a_journal_rewritten_to_sqlite_keeps_postgres_rules(attack: AttackFactory) -> None:
    head = {
        f"{OUT}/0001_idx.sql": 'CREATE INDEX "events_user_idx" ON "events" ("userId");\n',
        f"{OUT}/meta/_journal.json": _journal("sqlite", "0000_init", "0001_idx"),
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/index-not-concurrent")


def test_a_journal_deleted_with_the_drop_keeps_the_folder_drizzles(attack: AttackFactory) -> None:
    head = {
        f"{OUT}/0001_drop.sql": 'ALTER TABLE "events" DROP COLUMN "userId";\n',
        f"{OUT}/meta/_journal.json": None,
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/drop-column")
