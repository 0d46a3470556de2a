"""sqlx crates and folders of versioned SQL files, on real git repositories: recognised
by their crate or their folder's name, reviewed forward-only in the database the folder
or crate names, a shipped file's edit blocked, a never-applied one's fix a warning; and a
file under a migrations folder that no framework claims named, never skipped in silence."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

MANIFEST = '[package]\nname = "server"\n\n[dependencies]\nsqlx = { version = "0.8", features = '
PG_CRATE = "crates/app-server-postgres"
LITE_CRATE = "crates/app-client"
#: the code still reads the column: a drop is no expand-contract step
CODE = {"src/user.rs": "pub struct User { pub email: String, pub verified_at: i64 }\n"}
USERS = "create table users (id bigint primary key, email text, verified_at timestamp);\n"


def _pg_crate(**files: str) -> dict[str, str]:
    return {
        f"{PG_CRATE}/Cargo.toml": MANIFEST + '["postgres", "runtime-tokio"] }\n',
        f"{PG_CRATE}/src/lib.rs": 'sqlx::migrate!("./migrations").run(&pool).await?;\n',
        f"{PG_CRATE}/migrations/20240101000000_users.sql": USERS,
        **{f"{PG_CRATE}/migrations/{k}": v for k, v in files.items()},
    }


def _lite_crate(**files: str) -> dict[str, str]:
    return {
        f"{LITE_CRATE}/Cargo.toml": MANIFEST + '["sqlite", "regexp"] }\n',
        f"{LITE_CRATE}/record-migrations/20240101000000_users.sql": USERS,
        **{f"{LITE_CRATE}/record-migrations/{k}": v for k, v in files.items()},
    }


def _changed(git_repo: Any, base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = detect.changed_migrations(changes)
        return [f"{m.framework}:{m.dialect}:{m.version}:{m.path}" for m in found]


def _run(
    git_repo: Any, base: dict[str, Any], head: dict[str, Any], tag: str = "", **config: Any
) -> list[Finding]:
    first = git_repo.commit({**CODE, **base})
    if tag:
        git_repo.git("tag", tag)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, {**defaults(check), **config})))


def _rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level is None or f.level is level)


# detection


def test_a_sqlx_crate_folder_is_recognised_with_its_crates_database(git_repo: Any) -> None:
    head = {f"{PG_CRATE}/migrations/20240202000000_verified.sql": "select 1;\n"}
    assert _changed(git_repo, _pg_crate(), head) == [
        f"sqlx:postgres:20240202000000:{PG_CRATE}/migrations/20240202000000_verified.sql"
    ]


def test_a_named_sqlx_folder_takes_the_database_of_the_crates_features(git_repo: Any) -> None:
    path = f"{LITE_CRATE}/record-migrations/20240202000000_kind.sql"
    assert _changed(git_repo, _lite_crate(), {path: "select 1;\n"}) == [
        f"sqlx:sqlite3:20240202000000:{path}"
    ]


def test_a_folder_a_migrate_macro_names_is_sqlx_whatever_its_name(git_repo: Any) -> None:
    base = {
        "svc/Cargo.toml": MANIFEST + '["postgres"] }\n',
        "svc/src/db.rs": 'sqlx::migrate!("./schema-steps").run(&pool).await?;\n',
        "svc/schema-steps/20240101000000_users.sql": USERS,
    }
    path = "svc/schema-steps/20240202000000_more.sql"
    assert _changed(git_repo, base, {path: "select 1;\n"}) == [
        f"sqlx:postgres:20240202000000:{path}"
    ]


def test_a_crate_without_sqlx_is_no_sqlx_crate(git_repo: Any) -> None:
    base = {"svc/Cargo.toml": '[package]\nname = "svc"\n', "svc/data/20240101_x.sql": USERS}
    assert _changed(git_repo, base, {"svc/data/20240202_y.sql": "select 1;\n"}) == []


def test_sqlx_reversible_files_pair_as_golang_migrate(git_repo: Any) -> None:
    head = {
        f"{PG_CRATE}/migrations/20240202000000_v.up.sql": "alter table users add c int;\n",
        f"{PG_CRATE}/migrations/20240202000000_v.down.sql": "alter table users drop c;\n",
    }
    found = _changed(git_repo, _pg_crate(), head)
    assert [f.split(":")[0] for f in found] == ["golang-migrate"]


def test_a_folder_of_versioned_sql_files_is_a_sql_folder(git_repo: Any) -> None:
    base = {"db/sql/migrations/v2.9.6.sql": USERS, "db/sql/migrations/v2.10.1.sql": USERS}
    found = _changed(git_repo, base, {"db/sql/migrations/v2.10.23.sql": "select 1;\n"})
    assert found == ["sql-folder::2.10.23:db/sql/migrations/v2.10.23.sql"]


def test_versioned_sql_outside_a_migrations_folder_is_no_migration(git_repo: Any) -> None:
    assert _changed(git_repo, {"README.md": "x\n"}, {"db/reports/0001_q.sql": "select 1;\n"}) == []


def test_sql_renderings_in_a_django_migrations_package_are_no_chain(git_repo: Any) -> None:
    base = {"cl/alerts/migrations/__init__.py": "", "cl/alerts/migrations/0001_a.py": "x = 1\n"}
    head = {"cl/alerts/migrations/0002_b.sql": "create index i on t (c);\n"}
    assert _changed(git_repo, base, head) == []


def test_the_sql_folder_chain_sorts_versions_numerically(git_repo: Any) -> None:
    base = {f"db/migrations/v2.{n}.0.sql": f"create table t{n} (id int);\n" for n in (9, 10, 2)}
    first = git_repo.commit(base)
    second = git_repo.commit({"db/migrations/v2.11.0.sql": "create table t11 (id int);\n"})
    with changeset_from_git(git_repo.root, first, second) as changes:
        (m,) = detect.changed_migrations(changes)
        chain = [c.version for c in detect.chain(changes, m)]
    assert chain == ["2.2.0", "2.9.0", "2.10.0", "2.11.0"]


# review


def test_a_sqlx_postgres_drop_column_blocks(git_repo: Any) -> None:
    head = {f"{PG_CRATE}/migrations/20240202000000_d.sql": "alter table users drop column email;\n"}
    found = _run(git_repo, _pg_crate(), head, roundtrip="off")
    assert "drop-column" in _rules(found, Level.ERROR)
    assert "missing-down" not in _rules(found)  # forward-only


def test_an_additive_sqlx_migration_passes(git_repo: Any) -> None:
    head = {f"{PG_CRATE}/migrations/20240202000000_a.sql": "alter table users add column c int;\n"}
    assert _rules(_run(git_repo, _pg_crate(), head, roundtrip="off"), Level.ERROR) == []


def test_a_sqlx_sqlite_migration_is_applied_on_sqlite(git_repo: Any) -> None:
    path = f"{LITE_CRATE}/record-migrations/20240202000000_k.sql"
    head = {path: "alter table users add k text;\n"}
    found = _run(git_repo, _lite_crate(), head, roundtrip="sqlite")
    assert _rules(found, Level.ERROR) == []


def test_a_sqlx_sqlite_migration_sqlite_refuses_is_rejected(git_repo: Any) -> None:
    head = {
        f"{LITE_CRATE}/record-migrations/20240202000000_d.sql": (
            "alter table users drop column if exists verified_at;\n"
        )
    }
    found = _run(git_repo, _lite_crate(), head, roundtrip="off")
    assert "syntax-rejected" in _rules(found, Level.ERROR)


def test_sqlx_no_transaction_lets_an_index_build_concurrently(git_repo: Any) -> None:
    sql = "create index concurrently users_email on users (email);\n"
    path = f"{PG_CRATE}/migrations/20240202000000_i.sql"
    wrapped = _run(git_repo, _pg_crate(), {path: sql}, roundtrip="off")
    assert "concurrent-in-transaction" in _rules(wrapped, Level.ERROR)


def test_sqlx_no_transaction_marker_is_honoured(git_repo: Any) -> None:
    sql = "-- no-transaction\ncreate index concurrently users_email on users (email);\n"
    path = f"{PG_CRATE}/migrations/20240202000000_i.sql"
    found = _run(git_repo, _pg_crate(), {path: sql}, roundtrip="off")
    assert "concurrent-in-transaction" not in _rules(found)


_CONCURRENTLY = "create index concurrently users_email on users (email);\n"


def _pair(folder: str, up: str) -> dict[str, str]:
    return {
        f"{folder}/20240202000000_i.up.sql": up,
        f"{folder}/20240202000000_i.down.sql": ("drop index users_email;\n"),
    }


def test_a_reversible_sqlx_pair_runs_in_sqlxs_transaction(git_repo: Any) -> None:
    # golang-migrate's names, but sqlx runs the pair: in a transaction, lone statement or not
    head = _pair(f"{PG_CRATE}/migrations", _CONCURRENTLY)
    found = _run(git_repo, _pg_crate(), head, roundtrip="off")
    assert "concurrent-in-transaction" in _rules(found, Level.ERROR)


def test_a_reversible_sqlx_pair_honours_no_transaction(git_repo: Any) -> None:
    head = _pair(f"{PG_CRATE}/migrations", "-- no-transaction\n" + _CONCURRENTLY)
    found = _run(git_repo, _pg_crate(), head, roundtrip="off")
    assert "concurrent-in-transaction" not in _rules(found)


def test_a_golang_migrate_pair_beside_a_crate_without_sqlx_stays_golang_migrate(
    git_repo: Any,
) -> None:
    # no sqlx in the manifest: golang-migrate sends a lone statement without a transaction
    base = {"svc/Cargo.toml": '[package]\nname = "svc"\n', "svc/migrations/1_u.up.sql": USERS,
            "svc/migrations/1_u.down.sql": "drop table users;\n"}  # fmt: skip
    found = _run(git_repo, base, _pair("svc/migrations", _CONCURRENTLY), roundtrip="off")
    assert "concurrent-in-transaction" not in _rules(found)


def test_a_sql_folder_is_reviewed_but_not_run(git_repo: Any) -> None:
    base = {"db/migrations/v1.0.0.sql": USERS}
    head = {"db/migrations/v1.1.0.sql": "alter table users drop column email;\n"}
    found = _run(git_repo, base, head, roundtrip="sqlite")
    assert "drop-column" in _rules(found, Level.ERROR)
    assert not {"missing-down", "roundtrip-failed", "roundtrip-not-run"} & set(_rules(found))


# history


def test_editing_a_shipped_sql_folder_migration_rewrites_history(git_repo: Any) -> None:
    base = {"db/sql/migrations/v2.9.6.sql": USERS, "db/sql/migrations/v2.9.7.sql": "select 1;\n"}
    head = {"db/sql/migrations/v2.9.6.sql": USERS.replace("email", "mail")}
    found = _run(git_repo, base, head, tag="v2.9.8", roundtrip="off")
    assert "history-rewritten" in _rules(found, Level.ERROR)


def test_editing_an_unshipped_sql_folder_migration_is_a_warning(git_repo: Any) -> None:
    base = {"db/sql/migrations/v2.9.6.sql": USERS}
    git_repo.commit(base)
    git_repo.git("tag", "v2.9.5")
    found = _run(
        git_repo,
        {"db/sql/migrations/v2.9.7.sql": "select 1;\n"},
        {"db/sql/migrations/v2.9.7.sql": "select 2;\n"},
        roundtrip="off",
    )
    assert "history-rewritten" in _rules(found, Level.WARNING)
    assert "history-rewritten" not in _rules(found, Level.ERROR)


def test_fixing_a_merged_sqlx_migration_its_database_refused_is_a_warning(git_repo: Any) -> None:
    path = "20240202000000_drop.sql"
    broken = "drop table if exists tokens;\nalter table users drop column if exists verified_at;\n"
    fixed = "drop table if exists tokens;\nalter table users drop column verified_at;\n"
    found = _run(
        git_repo, _lite_crate(**{path: broken}), {f"{LITE_CRATE}/record-migrations/{path}": fixed},
        tag="v1.0.0", roundtrip="off",
    )  # fmt: skip
    history = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in history] == [Level.WARNING]
    assert "no database applied it" in history[0].message


def test_editing_a_merged_sqlx_migration_that_ran_rewrites_history(git_repo: Any) -> None:
    path = "20240202000000_add.sql"
    found = _run(
        git_repo, _lite_crate(**{path: "alter table users add k text;\n"}),
        {f"{LITE_CRATE}/record-migrations/{path}": "alter table users add k integer;\n"},
        tag="v1.0.0", roundtrip="off",
    )  # fmt: skip
    assert "history-rewritten" in _rules(found, Level.ERROR)


#: a PostgreSQL trigger, then a backfill and the drop it prepares (AppFlowy-Cloud's
#: af_workspace_namespace migration)
TRIGGERED = (
    "create table names (name text primary key, email text);\n"
    "create trigger stamp before update on names\nfor each row\nexecute function stamp();\n"
    "insert into names (name)\nselect email from users;\n"
    "alter table users drop column verified_at;\n"
)


def test_fixing_the_backfill_of_a_merged_migration_is_not_judged_for_its_drop(
    git_repo: Any,
) -> None:
    # the drop was judged when the migration was added; the edit touches the backfill only
    path = "20240202000000_names.sql"
    fixed = TRIGGERED.replace("(name)\nselect email", "(name, email)\nselect email, email")
    found = _run(
        git_repo, _pg_crate(**{path: TRIGGERED}), {f"{PG_CRATE}/migrations/{path}": fixed},
        roundtrip="off",
    )  # fmt: skip
    assert "drop-column" not in _rules(found)


# unrecognised


def test_an_unclaimed_sql_file_under_migrations_is_named(git_repo: Any) -> None:
    found = _run(git_repo, {"README.md": "x\n"}, {"db/migrations/add_users.sql": USERS})
    (finding,) = [f for f in found if f.rule == "unrecognised"]
    assert finding.level is Level.WARNING
    assert "db/migrations/add_users.sql" in finding.message
    assert "frameworks.sql-folder" in finding.message


def test_an_unclaimed_versioned_code_file_under_migrations_is_named(git_repo: Any) -> None:
    head = {"server/migrations/20240101-add-users.js": "module.exports = {};\n"}
    found = _run(git_repo, {"README.md": "x\n"}, head)
    assert _rules(found) == ["unrecognised"]


def test_code_files_named_by_a_prefixed_version_are_named(git_repo: Any) -> None:
    # sea-orm's and FluentMigrator's files, which no reader claims: never passed in silence
    head = {
        "migration/src/m20240201_000001_add_index.rs": "pub struct Migration;\n",
        "src/Migrations/M0002_AddIndex.cs": "public class M0002 : Migration {}\n",
        "db/migrations/0002_drop_events.cql": "DROP TABLE events;\n",
    }
    found = _run(git_repo, {"README.md": "x\n"}, head)
    assert _rules(found) == ["unrecognised"] * 3


def test_helpers_named_by_a_word_are_not_named(git_repo: Any) -> None:
    head = {
        "migration/src/main.rs": "fn main() {}\n",
        "migration/src/lib.rs": "pub struct Migrator;\n",
        "src/Migrations/MigrationRunner.cs": "public class Runner {}\n",
        "src/migrations/mod.rs": "mod m1;\n",
    }
    assert _rules(_run(git_repo, {"README.md": "x\n"}, head)) == []


def test_helpers_tests_packages_and_schema_dumps_are_not_named(git_repo: Any) -> None:
    """Python packages named migrations, fixtures, docs, dumps and runners are no migrations."""
    head = {
        "app/migrations/__init__.py": "",
        "app/migrations/helpers.py": "def f(): pass\n",
        "app/migrations/0003_notes.sql": "create index i on t (c);\n",  # a Python package
        "store/migration/sqlite/LATEST.sql": USERS,
        "db/migrations/testdata/0001_rows.sql": "insert into t values (1);\n",
        "db/migrations/tests/test_0001.py": "def test(): pass\n",
        "docs/migrations/0001_guide.sql": "select 1;\n",
        "db/migrations/runner.go": "package migrations\n",
    }
    assert _rules(_run(git_repo, {"README.md": "x\n"}, head)) == []


def test_a_folder_the_policy_declares_is_read_as_a_sql_folder(git_repo: Any) -> None:
    base = {"db/changes/0001_users.sql": USERS}
    head = {"db/changes/0002_drop.sql": "alter table users drop column email;\n"}
    declared = {"frameworks": {"sql-folder": ["db/changes/*.sql"]}, "roundtrip": "off"}
    assert "drop-column" in _rules(_run(git_repo, base, head, **declared), Level.ERROR)


def test_a_framework_the_policy_turns_off_still_claims_its_files(git_repo: Any) -> None:
    base = {"db/migrations/0001_users.up.sql": USERS, "db/migrations/0001_users.down.sql": ""}
    head = {"db/migrations/0002_x.up.sql": "select 1;\n", "db/migrations/0002_x.down.sql": ""}
    found = _run(git_repo, base, head, frameworks={"golang-migrate": []}, roundtrip="off")
    assert "unrecognised" not in _rules(found)


def test_a_sqlx_sqlite_migration_whose_up_fails_on_sqlite_fails_the_roundtrip(
    git_repo: Any,
) -> None:
    path = f"{LITE_CRATE}/record-migrations/20240202000000_k.sql"
    head = {path: "alter table no_such_table add k text;\n"}
    found = _run(git_repo, _lite_crate(), head, roundtrip="sqlite")
    assert "roundtrip-failed" in _rules(found, Level.ERROR)


def test_the_table_says_a_sql_folder_is_not_run_and_sqlx_is_applied_up_only(
    git_repo: Any,
) -> None:
    from gatekeeper.report.escape import md_blocks

    path = f"{LITE_CRATE}/record-migrations/20240202000000_k.sql"
    base = {**CODE, **_lite_crate(), "db/migrations/v1.0.0.sql": USERS}
    head = {path: "alter table users add k text;\n", "db/migrations/v1.1.0.sql": "select 1;\n"}
    first, second = git_repo.commit(base), git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        ctx = context(changes, {**defaults(check), "roundtrip": "sqlite"})
        list(check.run(ctx))
    table = md_blocks(ctx.details)
    assert "not run (the project's own runner; reviewed statically)" in table
    assert "up applied on sqlite (forward-only)" in table
    assert ctx.summary.startswith("2 migrations changed (1 sql-folder, 1 sqlx)")


# a ClickHouse materialized view recreated (mviews.py)

MV = (
    "CREATE MATERIALIZED VIEW umami.stats_mv TO umami.stats AS\n"
    "SELECT website_id, count() AS views FROM umami.website_event GROUP BY website_id;\n"
)


#: the code reads the view: its drop is no expand-contract step
STATS = {"src/stats.ts": "export const q = 'SELECT * FROM stats_mv';\n"}


def test_a_materialized_view_dropped_and_recreated_is_a_warning(git_repo: Any) -> None:
    base = {**STATS, "db/clickhouse/schema.sql": MV, "db/clickhouse/migrations/01_a.sql": "-- a\n"}
    head = {"db/clickhouse/migrations/02_b.sql": "DROP TABLE umami.stats_mv;\n\n" + MV}
    found = _run(git_repo, base, head, roundtrip="off")
    (drop,) = [f for f in found if f.rule == "drop-table"]
    assert drop.level is Level.WARNING
    assert "materialized view" in drop.message


def test_a_table_dropped_for_a_view_of_its_name_keeps_the_error(git_repo: Any) -> None:
    table = "CREATE TABLE umami.stats_mv (website_id UUID, views UInt64) ENGINE = MergeTree;\n"
    base = {**STATS, "db/clickhouse/schema.sql": table}
    head = {"db/clickhouse/migrations/02_b.sql": "DROP TABLE umami.stats_mv;\n\n" + MV}
    found = _run(git_repo, base, head, roundtrip="off")
    assert "drop-table" in _rules(found, Level.ERROR)
