"""MikroORM migrations, on real git repositories: a ``Migration`` subclass from
``@mikro-orm/migrations`` whose ``up()`` runs ``this.addSql('...')``, reviewed as that SQL,
in a transaction unless the class's ``isTransactional()`` returns false."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import detect
from gatekeeper.model import Finding
from tests.checks.migrations import runs

FOLDER = "src/migrations"
#: the code still reads every column: a drop is no expand-contract step
CODE = {"src/entities/event.ts": "export const cols = ['user_id', 'payload'];\n"}
FIRST = f"{FOLDER}/Migration20240101000000.ts"
PATH = f"{FOLDER}/Migration20240201000000.ts"


def _mikro(version: str, up: str, down: str | None, extra: str = "") -> str:
    text = (
        "import { Migration } from '@mikro-orm/migrations';\n\n"
        f"export class Migration{version} extends Migration {{\n{extra}"
        f"  override async up(): Promise<void> {{\n    this.addSql(`{up}`);\n  }}\n"
    )
    if down is not None:
        text += f"\n  override async down(): Promise<void> {{\n    this.addSql(`{down}`);\n  }}\n"
    return text + "}\n"


BASE = {
    **CODE,
    FIRST: _mikro(
        "20240101000000",
        "create table events (id bigint primary key, user_id bigint, payload text);",
        "drop table events;",
    ),
}
NO_TX = "  isTransactional(): boolean {\n    return false;\n  }\n\n"
CONCURRENTLY = "create index concurrently events_user_idx on events (user_id);"


def _run(git_repo: Any, head: dict[str, Any]) -> list[Finding]:
    return runs.findings(git_repo, BASE, head)


def test_a_mikro_orm_migration_is_claimed(git_repo: Any) -> None:
    first = git_repo.commit({"README.md": "x\n"})
    second = git_repo.commit(BASE)
    with changeset_from_git(git_repo.root, first, second) as changes:
        assert [m.framework for m in detect.changed_migrations(changes)] == ["node"]


def test_a_plain_index_on_an_existing_table_blocks(git_repo: Any) -> None:
    up = "create index events_user_idx on events (user_id);"
    found = _run(git_repo, {PATH: _mikro("20240201000000", up, "drop index events_user_idx;")})
    assert "index-not-concurrent" in runs.errors(found)


def test_an_added_nullable_column_passes(git_repo: Any) -> None:
    up = "alter table events add column note text;"
    down = "alter table events drop column note;"
    assert runs.errors(_run(git_repo, {PATH: _mikro("20240201000000", up, down)})) == []


def test_concurrently_runs_in_the_migrations_transaction(git_repo: Any) -> None:
    found = _run(git_repo, {PATH: _mikro("20240201000000", CONCURRENTLY, "drop index x;")})
    assert "concurrent-in-transaction" in runs.errors(found)


def test_a_class_that_is_not_transactional_builds_concurrently(git_repo: Any) -> None:
    text = _mikro("20240201000000", CONCURRENTLY, "drop index x;", extra=NO_TX)
    assert runs.errors(_run(git_repo, {PATH: text})) == []


def test_a_migration_without_a_down_blocks(git_repo: Any) -> None:
    up = "alter table events add column note text;"
    assert "missing-down" in runs.errors(_run(git_repo, {PATH: _mikro("20240201000000", up, None)}))
