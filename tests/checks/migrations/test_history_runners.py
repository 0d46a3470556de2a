"""Edits of merged migrations and files a migration runner reads, as goalert and cognee
made them (round 32): the runner's own source is no migration (a0c680eca8), a merged SQL
file edited only in its layout keeps its statements (a0c680eca8), sql-migrate-format files
read by a project's own splitter are not cut like rubenv's (ceb3f44dca), a down may leave
the enum values its up added (ceb3f44dca), and ``try: ... except AlreadyExists: pass``
around one merged Alembic statement is a guard (84c7aeb1a5)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import detect, sqlsame
from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

# --- a migration tool's own source --------------------------------------------------------

TOOL_GO = """\
package migrate

import "embed"

//go:embed migrations
var fs embed.FS

func ensureTable(ctx context.Context, conn *pgx.Conn) error {
\t_, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS gorp_migrations (id text PRIMARY KEY)`)
\treturn err
}

func apply(ctx context.Context, conn *pgx.Conn, stmt string, id string) error {
\tif _, err := conn.Exec(ctx, stmt); err != nil {
\t\treturn err
\t}
\t_, err := conn.Exec(ctx, `insert into gorp_migrations (id) values ($1)`, id)
\treturn err
}
"""


GLUE_GO = """\
package migrate

import (
\t"embed"

\t"github.com/rubenv/sql-migrate/sqlparse"
)

//go:embed migrations
var fs embed.FS

func parse(data []byte) (*sqlparse.ParsedMigration, error) {
\treturn sqlparse.ParseMigration(bytes.NewReader(data))
}
"""
TOOL = "migrate/migrate.go"


def _changed(git_repo: Any, base: dict[str, str], head: dict[str, str]) -> list[str]:
    first, second = git_repo.commit(base), git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        return [m.path for m in detect.changed_migrations(changes)]


def test_the_merged_runner_rewritten_as_a_tool_is_no_migration(git_repo: Any) -> None:
    assert _changed(git_repo, {TOOL: GLUE_GO}, {TOOL: TOOL_GO}) == []


def test_a_merged_tool_edited_stays_no_migration(git_repo: Any) -> None:
    edited = TOOL_GO.replace("return err\n}\n", "return errors.Wrap(err, id)\n}\n")
    assert _changed(git_repo, {TOOL: TOOL_GO}, {TOOL: edited}) == []


@pytest.mark.parametrize(
    "base",
    [
        {},  # the PR adds it: only a merged runner's word counts
        {TOOL: "package migrate\n\nfunc quote(s string) string { return s }\n"},  # a helper
    ],
    ids=["added", "was-a-helper"],
)
def test_a_tool_shape_the_pr_writes_stays_a_migration(git_repo: Any, base: dict[str, str]) -> None:
    assert _changed(git_repo, {"README.md": "x\n", **base}, {TOOL: TOOL_GO}) == [TOOL]


@pytest.mark.parametrize(
    "text",
    [
        # no bookkeeping: a migration that reads a SQL file of its own and runs it
        TOOL_GO.replace("gorp_migrations", "users"),
        # no file read: its blind Exec is its own statement
        TOOL_GO.replace("//go:embed migrations\n", ""),
    ],
    ids=["no-bookkeeping", "no-files"],
)
def test_a_runner_missing_either_sign_is_a_migration_even_merged(git_repo: Any, text: str) -> None:
    assert _changed(git_repo, {TOOL: GLUE_GO}, {TOOL: text}) == [TOOL]


# --- a merged SQL file edited only in its layout ------------------------------------------

MERGED_SQL = """\
-- +migrate Up
-- +migrate StatementBegin
DO $do$
BEGIN
\tIF (SELECT count(*) FROM locks) > 0 THEN RAISE EXCEPTION 'locks'; END IF;
END
$do$
-- +migrate StatementEnd
WITH sent AS (SELECT 1) UPDATE t SET a = 1;
CREATE TABLE t2 (id int);

-- +migrate Down
DROP TABLE t2;
"""


@pytest.mark.parametrize(
    "edited",
    [
        MERGED_SQL.replace("$do$\n-- +migrate StatementEnd", "$do$;\n-- +migrate StatementEnd"),
        MERGED_SQL.replace("CREATE TABLE t2 (id int);", "-- t2\nCREATE TABLE t2 (\n  id int\n);"),
        MERGED_SQL.replace("DROP TABLE t2;\n", "DROP TABLE t2"),
        MERGED_SQL.replace("(id int);", "(id int);;"),
    ],
    ids=["terminator-before-end", "comment-and-layout", "last-terminator", "doubled"],
)  # fmt: skip
def test_layout_edits_keep_the_statements(edited: str) -> None:
    assert sqlsame.same_statements(detect.SQL_MIGRATE, MERGED_SQL.encode(), edited.encode())


@pytest.mark.parametrize(
    "edited",
    [
        # two statements made one: the runner sends them together
        MERGED_SQL.replace("UPDATE t SET a = 1;\n", "UPDATE t SET a = 1\n"),
        # a directive changed: the up leaves its transaction
        MERGED_SQL.replace("-- +migrate Up\n", "-- +migrate Up notransaction\n"),
        # a block opened no more: the runner cuts the DO block at its first ';' line
        MERGED_SQL.replace("-- +migrate StatementBegin\n", ""),
        # a value inside a string
        MERGED_SQL.replace("'locks'", "'locks '"),
    ],
    ids=["statements-joined", "directive", "block-marker", "string"],
)
def test_edits_of_what_runs_are_not_layout(edited: str) -> None:
    assert not sqlsame.same_statements(detect.SQL_MIGRATE, MERGED_SQL.encode(), edited.encode())


def test_a_checksummed_runner_is_never_relieved() -> None:
    before, after = b"CREATE TABLE t (id int)\n", b"CREATE TABLE t (id int);\n"
    assert sqlsame.same_statements(detect.GOOSE, before, after)
    assert not sqlsame.same_statements(detect.FLYWAY, before, after)


GOALERT = "migrate/migrations/20170712094434-notification-policy-updates.sql"


def test_a_merged_file_given_a_terminator_is_a_warning(git_repo: Any) -> None:
    edited = MERGED_SQL.replace("$do$\n-- +migrate StatementEnd", "$do$;\n-- +migrate StatementEnd")
    found = findings(git_repo, {GOALERT: MERGED_SQL}, {GOALERT: edited}, roundtrip="off")
    assert errors(found) == []
    warned = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in warned] == [Level.WARNING]


def test_a_merged_file_with_a_statement_changed_blocks(git_repo: Any) -> None:
    edited = MERGED_SQL.replace("(id int);", "(id bigint);")
    found = findings(git_repo, {GOALERT: MERGED_SQL}, {GOALERT: edited}, roundtrip="off")
    assert "history-rewritten" in errors(found)


# --- sql-migrate files read by the project's own splitter ---------------------------------

SQL_DIR = "migrate/migrations"
UNBLOCKED_FUNCTION = """\
-- +migrate Up
CREATE TABLE jobs (id int, state text);
CREATE OR REPLACE FUNCTION job_notify() RETURNS TRIGGER AS $$
DECLARE
  payload json;
BEGIN
  payload = json_build_object('state', NEW.state);
  RETURN NULL;
END;
$$
LANGUAGE plpgsql;

-- +migrate Down
DROP FUNCTION job_notify();
DROP TABLE jobs;
"""
FIRST_SQL = "-- +migrate Up\nCREATE TABLE a (id int);\n-- +migrate Down\nDROP TABLE a;\n"
GO_MOD = "module example.com/app\n\ngo 1.23\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.7.1\n)\n"
RUBENV = "\tgithub.com/rubenv/sql-migrate v1.5.2\n"


def _roundtrip(git_repo: Any, pg_url: str, go_mod: str | None) -> list[str]:
    base = {f"{SQL_DIR}/20240101000000-a.sql": FIRST_SQL}
    if go_mod is not None:
        base["go.mod"] = go_mod
    head = {f"{SQL_DIR}/20241108160105-jobs.sql": UNBLOCKED_FUNCTION}
    found = findings(git_repo, base, head, roundtrip="postgres", database_url=pg_url)
    return [f.rule for f in found if f.rule.startswith("roundtrip")]


def test_a_module_without_rubenv_splits_as_sql(git_repo: Any, pg_url: str) -> None:
    assert _roundtrip(git_repo, pg_url, GO_MOD) == []


@pytest.mark.parametrize(
    "go_mod",
    [GO_MOD.replace(")\n", RUBENV + ")\n"), None],
    ids=["module-requires-rubenv", "no-module"],
)
def test_where_rubenv_may_run_the_file_its_cuts_apply(
    git_repo: Any, pg_url: str, go_mod: str | None
) -> None:
    assert "roundtrip-failed" in _roundtrip(git_repo, pg_url, go_mod)


def test_a_pr_dropping_rubenv_from_go_mod_is_still_cut(git_repo: Any, pg_url: str) -> None:
    base = {
        f"{SQL_DIR}/20240101000000-a.sql": FIRST_SQL,
        "go.mod": GO_MOD.replace(")\n", RUBENV + ")\n"),
    }
    head = {f"{SQL_DIR}/20241108160105-jobs.sql": UNBLOCKED_FUNCTION, "go.mod": GO_MOD}
    found = findings(git_repo, base, head, roundtrip="postgres", database_url=pg_url)
    assert "roundtrip-failed" in errors(found)


# --- a down that leaves the enum values its up added --------------------------------------

ENUM_FIRST = (
    "-- +migrate Up\nCREATE TYPE job_state AS ENUM ('available', 'done');\n"
    "-- +migrate Down\nDROP TYPE job_state;\n"
)
ENUM_ADDED = (
    "-- +migrate Up\nALTER TYPE job_state ADD VALUE IF NOT EXISTS 'pending' AFTER 'available';\n"
    "-- +migrate Down\n-- PostgreSQL cannot remove 'pending': it stays.\nSELECT 1;\n"
)
AFTER_IT = "-- +migrate Up\nCREATE TABLE t (id int);\n-- +migrate Down\nDROP TABLE t;\n"


def test_a_down_leaving_added_enum_values_warns_and_the_chain_goes_on(
    git_repo: Any, pg_url: str
) -> None:
    base = {f"{SQL_DIR}/1-first.sql": ENUM_FIRST}
    head = {f"{SQL_DIR}/2-pending.sql": ENUM_ADDED, f"{SQL_DIR}/3-after.sql": AFTER_IT}
    found = findings(git_repo, base, head, roundtrip="postgres", database_url=pg_url)
    assert errors(found) == []
    left = [f for f in found if f.rule.startswith("roundtrip")]
    assert [(f.location.path if f.location else "", f.level) for f in left] == [
        (f"{SQL_DIR}/2-pending.sql", Level.WARNING)
    ]
    assert "job_state" in left[0].message


def test_a_down_leaving_another_enum_change_fails(git_repo: Any, pg_url: str) -> None:
    base = {f"{SQL_DIR}/1-first.sql": ENUM_FIRST}
    renamed = (
        "-- +migrate Up\nALTER TYPE job_state RENAME VALUE 'done' TO 'finished';\n"
        "-- +migrate Down\nSELECT 1;\n"
    )
    head = {f"{SQL_DIR}/2-renamed.sql": renamed}
    found = findings(git_repo, base, head, roundtrip="postgres", database_url=pg_url)
    assert "roundtrip-failed" in errors(found)


# --- try/except AlreadyExists around a merged Alembic statement ---------------------------

ALEMBIC = "alembic/versions/482cd6517ce4_add_default_user.py"
ALEMBIC_MERGED = '''\
"""Add default user"""
from sqlalchemy.util import await_only

from app.users import create_default_user, delete_user

revision = "482cd6517ce4"
down_revision = None


def upgrade() -> None:
    await_only(create_default_user())


def downgrade() -> None:
    await_only(delete_user("default_user@example.com"))
'''
WRAPPED = ALEMBIC_MERGED.replace(
    "    await_only(create_default_user())\n",
    "    try:\n        await_only(create_default_user())\n"
    "    except UserAlreadyExists:\n        pass  # it is fine if it exists\n",
).replace("revision =", "from fastapi_users.exceptions import UserAlreadyExists\n\nrevision =", 1)


def test_skipping_an_existing_object_is_a_warning(git_repo: Any) -> None:
    found = findings(git_repo, {ALEMBIC: ALEMBIC_MERGED}, {ALEMBIC: WRAPPED}, roundtrip="off")
    assert errors(found) == []
    assert [f.level for f in found if f.rule == "history-rewritten"] == [Level.WARNING]


@pytest.mark.parametrize(
    "edited",
    [
        # the wrapped operation changed too
        WRAPPED.replace("create_default_user())\n    except", "create_admin_user())\n    except"),
        # any exception swallowed
        WRAPPED.replace("except UserAlreadyExists:", "except Exception:"),
        # a missing object skipped: the opposite of a guard
        WRAPPED.replace("except UserAlreadyExists:", "except DoesNotExist:"),
        # the handler does something
        WRAPPED.replace("pass  # it is fine if it exists", "await_only(delete_user('x'))"),
    ],
    ids=["operation-changed", "broad-exception", "does-not-exist", "handler-acts"],
)
def test_a_wrap_beyond_skipping_what_exists_blocks(git_repo: Any, edited: str) -> None:
    found = findings(git_repo, {ALEMBIC: ALEMBIC_MERGED}, {ALEMBIC: edited}, roundtrip="off")
    assert "history-rewritten" in errors(found)


def test_a_down_leaving_enum_values_and_a_column_fails(git_repo: Any, pg_url: str) -> None:
    base = {}
    base[f"{SQL_DIR}/1-first.sql"] = (
        "-- +migrate Up\nCREATE TYPE job_state AS ENUM ('available', 'done');\n"
        "CREATE TABLE jobs (id int);\n-- +migrate Down\nDROP TABLE jobs;\nDROP TYPE job_state;\n"
    )
    both = ENUM_ADDED.replace(
        "AFTER 'available';\n", "AFTER 'available';\nALTER TABLE jobs ADD COLUMN state job_state;\n"
    )
    head = {f"{SQL_DIR}/2-pending.sql": both}
    found = findings(git_repo, base, head, roundtrip="postgres", database_url=pg_url)
    assert "roundtrip-failed" in errors(found)
