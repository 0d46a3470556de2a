"""The contract step of an expand-contract plan in a diesel project (dieselread.py): a
column no code reads any more is dropped while the PR regenerates the print_schema file,
and the column's name is a word the code uses for other things (crates.io)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.checks.migrations import dieselread, sqlparse
from gatekeeper.model import Level
from tests.checks.migrations import dieselproject as dp
from tests.checks.migrations.runs import errors, findings


def test_the_contract_step_with_its_regenerated_schema_file_passes(git_repo: Any) -> None:
    found = findings(git_repo, dp.BASE, dp.HEAD, roundtrip="off")
    assert errors(found) == []
    assert [f.rule for f in found if f.rule == "expand-contract"] == ["expand-contract"]


def test_a_schema_file_that_gains_a_token_is_code_changed(git_repo: Any) -> None:
    head = {**dp.HEAD, "src/schema.rs": dp.HEAD["src/schema.rs"].replace("Int4", "Int8")}
    assert errors(findings(git_repo, dp.BASE, head, roundtrip="off")) == ["drop-column"]


def test_a_print_schema_file_is_read_from_every_section() -> None:
    assert dieselread.declares(dp.SCHEMA, "versions", "checksum")
    assert not dieselread.declares(dp.HEAD["src/schema.rs"], "versions", "checksum")
    assert not dieselread.declares(dp.SCHEMA, "crates", "checksum")
    renamed = 'diesel::table! { versions (id) { #[sql_name = "type"] type_ -> Text, } }'
    assert dieselread.declares(renamed, "versions", "type")


@pytest.mark.parametrize(
    "source",
    [
        "fn f() { versions::table.select(versions::checksum) }",
        "fn f() { versions::table.select(versions::columns::checksum) }",
        "fn f() { versions::table.filter(versions :: dsl :: checksum.is_null()) }",
        "fn f() { diesel::insert_into(versions::table).returning(versions::all_columns) }",
        "use crate::schema::versions::dsl::*;\nfn f() { versions.select(checksum) }",
        "use crate::schema::versions::{self, checksum};\nfn f() { checksum }",
        "#[derive(Queryable, Selectable)]\n#[diesel(table_name = versions)]\n"
        "pub struct V { pub id: i32, pub checksum: Option<String> }",
        '#[derive(Insertable)]\n#[table_name = "versions"]\n'
        "struct NewV<'a> { checksum: &'a str }",
        "#[derive(Queryable)]\npub struct Version { pub id: i32, pub checksum: String }",
        "#[derive(AsChangeset)]\n#[diesel(table_name = crate::schema::versions)]\n"
        "struct Up { #[diesel(column_name = checksum)] sum: String }",
        "#[derive(QueryableByName)]\nstruct Row { #[diesel(sql_type = Text)] checksum: String }",
        "#[derive(Queryable)]\n#[diesel(table_name = versions)]\nstruct T(i32, String);",
        'fn f() { diesel::sql_query("SELECT checksum FROM versions WHERE id = $1") }',
        'fn f() { versions::table.select(sql::<Text>("checksum")) }',
        'fn f() { let q = format!("SELECT checksum FROM {table}"); }',
        'fn f() { conn.batch_execute(r#"UPDATE versions SET checksum = NULL"#) }',
        "diesel::table! { versions (id) { id -> Int4, checksum -> Text, } }",
    ],
)
def test_each_way_rust_reads_a_column(source: str) -> None:
    assert dieselread.rust_reads(source, "versions", "checksum")


@pytest.mark.parametrize(
    "source",
    [
        dp.API,
        dp.MODELS,
        "// versions::checksum is gone\nfn f() {}",
        "/* use crate::schema::versions::dsl::*; */ fn f() { let checksum = 1; }",
        "#[derive(HasQuery)]\n#[diesel(table_name = users)]\n"
        "pub struct User { #[diesel(select_expression = oauth::avatar.nullable())]\n"
        "pub checksum: Option<String> }",
        "#[derive(Queryable)]\n#[diesel(table_name = crates)]\npub struct C { pub checksum: i32 }",
        'fn f() { sql::<BigInt>("SUM(crate_versions.checksum)") }',
        'fn f() { diesel::sql_query("SELECT checksum FROM crate_files") }',
        'fn f() { bail!("checksum mismatch, update the index") }',
        "fn f() { let c = '\"'; let checksum = c; }",
    ],
)
def test_what_is_no_read_of_the_column(source: str) -> None:
    assert not dieselread.rust_reads(source, "versions", "checksum")


@pytest.mark.parametrize(
    ("sql", "read"),
    [
        ("SELECT v.checksum FROM versions v", True),
        ("SELECT checksum FROM versions", True),
        ("UPDATE versions SET checksum = NULL", True),
        ("INSERT INTO versions (num, checksum) VALUES ($1, $2)", True),
        ("SELECT f.checksum FROM versions v JOIN files f ON f.id = v.id", False),
        ("SELECT checksum FROM files", False),
        (
            "INSERT INTO files (checksum) SELECT 1 FROM versions ON CONFLICT (id) DO UPDATE "
            "SET checksum = files.checksum + EXCLUDED.checksum",
            False,
        ),
        ("SELECT x.checksum FROM versions", True),  # an unknown qualifier: fail closed
        ("CREATE FUNCTION f() RETURNS int AS $$ SELECT checksum FROM t $$ LANGUAGE sql", True),
        ("this is not sql checksum", True),
    ],
)
def test_sql_reads_the_column_of_its_table(sql: str, read: bool) -> None:
    assert sqlparse.reads(sql, "versions", "checksum") is read


def test_a_frontend_package_reads_no_column_but_one_with_a_driver_may(git_repo: Any) -> None:
    base = {**dp.BASE, "app/package.json": '{"dependencies": {"pg": "8.0.0"}}\n'}
    found = findings(git_repo, base, dp.HEAD, roundtrip="off")
    assert errors(found) == ["drop-column"]


def test_a_relieved_drop_is_info_not_a_warning(git_repo: Any) -> None:
    found = findings(git_repo, dp.BASE, dp.HEAD, roundtrip="off")
    assert all(f.level is Level.INFO for f in found if f.rule == "expand-contract")
