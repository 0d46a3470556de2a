"""Existence guards written into a merged migration's statements (existguards.py): where
it ran nothing changes, where it has not it runs the same statements, skipping an object
already there (firezone a987056541, 2523bedd19; pixelfed 4a97e8003f). Each integration
case is a real two-commit repository."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.migrations import existguards
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

ECTO = "priv/repo/migrations/20220124162404_add_uuids.exs"
MERGED = """\
defmodule App.Repo.Migrations.AddUuids do
  use Ecto.Migration

  def change do
    execute("CREATE EXTENSION pgcrypto", "DROP EXTENSION pgcrypto")
    create(index(:actors, [:account_id, :type], name: :actors_account_type))
  end
end
"""


@pytest.mark.parametrize(
    "edited",
    [
        MERGED.replace("CREATE EXTENSION pgcrypto", "CREATE EXTENSION IF NOT EXISTS pgcrypto"),
        MERGED.replace("create(index", "create_if_not_exists(index"),
        MERGED.replace("DROP EXTENSION", "DROP EXTENSION IF EXISTS").replace(
            "CREATE EXTENSION", "CREATE EXTENSION IF NOT EXISTS"
        ),
    ],
    ids=["sql-if-not-exists", "ecto-create-if-not-exists", "both-sides"],
)
def test_guards_alone_are_a_warning(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {ECTO: MERGED}, {ECTO: edited}, roundtrip="off")
    assert errors(found) == []
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]
    assert "IF NOT EXISTS" in warned[0].message


@pytest.mark.parametrize(
    "edited",
    [
        # the guard added and the index's columns changed with it
        MERGED.replace("create(index", "create_if_not_exists(index").replace(
            ":type]", ":type, :name]"
        ),
        # another extension behind the guard
        MERGED.replace("CREATE EXTENSION pgcrypto", "CREATE EXTENSION IF NOT EXISTS citext"),
        # a guard where no create or drop stands: a condition of the author's
        MERGED.replace(
            'execute("CREATE', 'execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE'
        ),
        # a drop made a create: the guarded form of another call
        MERGED.replace("create(index", "drop_if_exists(index"),
    ],
    ids=["columns-changed", "other-extension", "other-condition", "other-call"],
)
def test_an_edit_beyond_the_guards_stays_a_rewrite(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {ECTO: MERGED}, {ECTO: edited}, roundtrip="off")
    assert "history-rewritten" in errors(found)


def test_laravel_drop_constraint_if_exists() -> None:
    before = 'DB::statement("ALTER TABLE statuses DROP CONSTRAINT statuses_visibility_check");'
    after = before.replace("DROP CONSTRAINT", "DROP CONSTRAINT IF EXISTS")
    assert existguards.only_guards_added("laravel", before, after)


def test_a_checksummed_file_is_never_relieved() -> None:
    before = "CREATE TABLE t (id int);\n"
    after = "CREATE TABLE IF NOT EXISTS t (id int);\n"
    assert existguards.only_guards_added("goose", before, after)
    assert not existguards.only_guards_added("flyway", before, after)
    assert not existguards.only_guards_added("sqlx", before, after)
