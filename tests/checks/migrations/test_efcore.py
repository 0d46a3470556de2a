"""EF Core migrations (C#), on real git repositories: found by their name and class (their
Designer and model snapshot are not migrations), their builder calls said as the provider's
SQL and judged by the shared rules in the database the .csproj names, their Down judged as
the PHP readers judge theirs and paired with Up, edits to merged ones judged as history."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect, efcore
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults
from tests.conftest import GitRepo

FOLDER = "App.Data/Migrations"
NPGSQL = (
    '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n'
    '    <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="8.0.0" />\n'
    "  </ItemGroup>\n</Project>\n"
)
SQLITE = NPGSQL.replace(
    "Npgsql.EntityFrameworkCore.PostgreSQL", "Microsoft.EntityFrameworkCore.Sqlite"
)


def cs(name: str, up: str, down: str | None = "") -> str:
    """A migration class ``name`` with the given Up and Down bodies (no Down when None)."""
    body = (
        "        protected override void Up(MigrationBuilder migrationBuilder)\n"
        f"        {{\n{_indent(up)}        }}\n"
    )
    if down is not None:
        body += (
            "\n        protected override void Down(MigrationBuilder migrationBuilder)\n"
            f"        {{\n{_indent(down)}        }}\n"
        )
    return (
        "\ufeffusing Microsoft.EntityFrameworkCore.Migrations;\n\n#nullable disable\n\n"
        "namespace App.Data.Migrations\n{\n    /// <inheritdoc />\n"
        f"    public partial class {name} : Migration\n    {{\n{body}    }}\n}}\n"
    )


def designer(name: str) -> str:
    return (
        "using Microsoft.EntityFrameworkCore;\n"
        "using Microsoft.EntityFrameworkCore.Infrastructure;\n"
        f'namespace App.Data.Migrations\n{{\n    [Migration("{name}")]\n'
        f"    partial class {name.split('_', 1)[1]}\n    {{\n"
        "        protected override void BuildTargetModel(ModelBuilder modelBuilder)\n"
        '        {\n            modelBuilder.HasAnnotation("ProductVersion", "8.0.0");\n'
        "        }\n    }\n}\n"
    )


def _indent(code: str) -> str:
    return "".join(f"            {line}\n" if line else "\n" for line in code.splitlines())


def path(stamp: str, name: str = "Step") -> str:
    return f"{FOLDER}/{stamp}_{name}.cs"


CREATE_USERS = """migrationBuilder.CreateTable(
    name: "Users",
    columns: table => new
    {
        Id = table.Column<int>(type: "integer", nullable: false),
        Email = table.Column<string>(type: "text", nullable: true)
    },
    constraints: table =>
    {
        table.PrimaryKey("PK_Users", x => x.Id);
    });"""
MERGED = {
    "App.Data/App.Data.csproj": NPGSQL,
    "App.Data/User.cs": "// reads Users.Email\n",
    path("20240101000000", "Init"): cs(
        "Init", CREATE_USERS, 'migrationBuilder.DropTable(name: "Users");'
    ),
}
NEW = path("20250101000000")


def run(tmp_path: Path, base: dict[str, str], head: dict[str, str | None]) -> list[Finding]:
    """The findings of a fresh repository holding ``base`` then ``head``."""
    git_repo = GitRepo(tmp_path / f"repo{len(list(tmp_path.iterdir()))}")
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    config = {**defaults(check), "roundtrip": "off", "dialect": "postgres"}
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, config)))


def rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level in (None, f.level))


# --- detection --------------------------------------------------------------------------


def test_a_migration_is_known_by_its_name_and_class_and_its_generated_files_are_not() -> None:
    text = cs("AddFoo", 'migrationBuilder.DropTable(name: "Foo");')
    m = detect.classify(path("20240101120000", "AddFoo"), text)
    assert m is not None and (m.framework, m.version) == ("efcore", "20240101120000")
    named = path("20240101120000", "AddFoo.Designer")
    assert detect.classify(named, designer("20240101120000_AddFoo")) is None
    assert efcore.generated(named, designer("20240101120000_AddFoo"))
    # jellyfin's own migration routines share the naming but not the class
    routine = (
        "public class DisableThrottling : IMigrationRoutine\n{\n    public void Perform() {}\n}\n"
    )
    assert detect.classify(path("20250420050000", "DisableThrottling"), routine) is None


def test_a_migration_with_its_designer_and_snapshot_is_no_longer_unrecognised(
    tmp_path: Path,
) -> None:
    snapshot = designer("x_AppModelSnapshot").replace("BuildTargetModel", "BuildModel")
    head = {
        NEW: cs("Step", 'migrationBuilder.AddColumn<string>(name: "Nick", table: "Users", '
                'type: "text", nullable: true);',
                'migrationBuilder.DropColumn(name: "Nick", table: "Users");'),
        path("20250101000000", "Step.Designer"): designer("20250101000000_Step"),
        f"{FOLDER}/AppModelSnapshot.cs": snapshot,
    }  # fmt: skip
    assert rules(run(tmp_path, MERGED, head)) == []


# --- reversibility ----------------------------------------------------------------------


def test_an_additive_up_with_an_empty_down_only_warns_and_a_pragma_says_nothing(
    tmp_path: Path,
) -> None:
    view = (
        'migrationBuilder.Sql("""\n    CREATE TABLE lang (id TEXT PRIMARY KEY);\n'
        '    CREATE VIEW v AS SELECT id FROM lang;\n    """);'
    )
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", view)}), Level.ERROR) == []
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", view)})) == ["empty-down"]
    pragma = "migrationBuilder.Sql(\"PRAGMA journal_mode = 'WAL';\");"
    sqlite = {**MERGED, "App.Data/App.Data.csproj": SQLITE}
    assert rules(run(tmp_path, sqlite, {NEW: cs("Step", pragma)})) == []


def test_a_type_change_without_down_blocks_and_a_down_undoing_something_else_is_incomplete(
    tmp_path: Path,
) -> None:
    alter = (
        'migrationBuilder.AlterColumn<int>(name: "Email", table: "Users", type: "integer", '
        'nullable: true, oldClrType: typeof(string), oldType: "text", oldNullable: true);'
    )
    assert "missing-down" in rules(
        run(tmp_path, MERGED, {NEW: cs("Step", alter, None)}), Level.ERROR
    )
    other = 'migrationBuilder.DropIndex(name: "IX_Users_Email", table: "Users");'
    found = run(tmp_path, MERGED, {NEW: cs("Step", alter, other)})
    incomplete = [f for f in found if f.rule == "down-incomplete"]
    assert incomplete and "AlterColumn users.email" in incomplete[0].message
    undone = alter.replace('type: "integer"', 'type: "text"').replace(
        'oldType: "text"', 'oldType: "integer"'
    )
    assert "down-incomplete" not in rules(run(tmp_path, MERGED, {NEW: cs("Step", alter, undone)}))


def test_a_raw_sql_drop_with_an_empty_down_blocks(tmp_path: Path) -> None:
    up = (
        'migrationBuilder.Sql("""\n    ALTER TABLE "Users" ADD COLUMN "EmailNew" TEXT;\n'
        '    UPDATE "Users" SET "EmailNew" = lower("Email");\n'
        '    ALTER TABLE "Users" DROP COLUMN "Email";\n    """);'
    )
    found = run(tmp_path, MERGED, {NEW: cs("Step", up)})
    assert "empty-down" in rules(found, Level.ERROR)
    assert "drop-column" in rules(found)


def test_data_writes_with_an_empty_down(tmp_path: Path) -> None:
    # a value written over another is no evidence of a loss (as for Alembic's SQL); a
    # deleted row is
    update = (
        'migrationBuilder.UpdateData(table: "Users", keyColumn: "Id", keyValue: 1, '
        'column: "Email", value: "a@b.c");'
    )
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", update)})) == ["empty-down"]
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", update)}), Level.ERROR) == []
    delete = 'migrationBuilder.DeleteData(table: "Users", keyColumn: "Id", keyValue: 1);'
    assert "empty-down" in rules(run(tmp_path, MERGED, {NEW: cs("Step", delete)}), Level.ERROR)
    orphans = 'migrationBuilder.Sql("DELETE FROM \\"Users\\" WHERE \\"TeamId\\"=\'\';");'
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", orphans)}), Level.ERROR) == []
    users = 'migrationBuilder.Sql("DELETE FROM \\"Users\\" WHERE \\"Email\\" IS NULL;");'
    assert "empty-down" in rules(run(tmp_path, MERGED, {NEW: cs("Step", users)}), Level.ERROR)


def test_a_generated_pair_of_up_and_down_passes(tmp_path: Path) -> None:
    up = (
        CREATE_USERS.replace('"Users"', '"Teams"').replace("PK_Users", "PK_Teams")
        + '\nmigrationBuilder.CreateIndex(name: "IX_Teams_Email", table: "Teams", column: "Email");'
    )
    assert (
        rules(
            run(
                tmp_path,
                MERGED,
                {NEW: cs("Step", up, 'migrationBuilder.DropTable(name: "Teams");')},
            )
        )
        == []
    )


def test_what_postgres_drops_with_a_column_or_table_needs_no_undoing(tmp_path: Path) -> None:
    up = (
        'migrationBuilder.AddColumn<string>(name: "Ref", table: "Users", nullable: true);\n'
        'migrationBuilder.Sql("""\n    CREATE UNIQUE INDEX ix_users_id_ref\n'
        '    ON "Users" ("Id", "Ref")\n'
        '    WHERE "Ref" IS NOT NULL;\n    CREATE TABLE t (id text);\n'
        '    CREATE INDEX ix_t_id ON t (id);\n    """);'
    )
    down = (
        'migrationBuilder.DropColumn(name: "Ref", table: "Users");\n'
        'migrationBuilder.Sql("DROP TABLE IF EXISTS t;");'
    )
    assert "down-incomplete" not in rules(run(tmp_path, MERGED, {NEW: cs("Step", up, down)}))
    kept = down.replace('migrationBuilder.DropColumn(name: "Ref", table: "Users");\n', "")
    found = run(tmp_path, MERGED, {NEW: cs("Step", up, kept)})
    assert "down-incomplete" in rules(found, Level.ERROR)


# --- safety, in the project's database ----------------------------------------------------


INDEX = 'migrationBuilder.CreateIndex(name: "IX_Users_Email", table: "Users", column: "Email");'
DROP_INDEX = 'migrationBuilder.DropIndex(name: "IX_Users_Email", table: "Users");'


def test_an_index_on_an_existing_postgres_table_needs_npgsqls_concurrent_annotation(
    tmp_path: Path,
) -> None:
    assert "index-not-concurrent" in rules(
        run(tmp_path, MERGED, {NEW: cs("Step", INDEX, DROP_INDEX)})
    )
    concurrent = INDEX[:-1] + '\n    .Annotation("Npgsql:CreatedConcurrently", true);'
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", concurrent, DROP_INDEX)})) == []


def test_a_sqlite_project_is_judged_by_sqlites_rules(tmp_path: Path) -> None:
    base = {**MERGED, "App.Data/App.Data.csproj": SQLITE}
    assert rules(run(tmp_path, base, {NEW: cs("Step", INDEX, DROP_INDEX)})) == []


def test_a_referenced_project_names_the_provider_before_a_design_time_factory(
    tmp_path: Path,
) -> None:
    # btcpayserver: the data project references the one holding Npgsql; its design-time
    # factory calls UseSqlite
    data = (
        '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <ProjectReference '
        'Include="..\\App.Abstractions\\App.Abstractions.csproj" />\n  </ItemGroup>\n</Project>\n'
    )
    base = {
        **MERGED,
        "App.Data/App.Data.csproj": data,
        "App.Abstractions/App.Abstractions.csproj": NPGSQL,
        "App.Data/AppDbContext.cs": 'class F { void M(B b) { b.UseSqlite("Data Source=x"); } }\n',
    }
    assert "index-not-concurrent" in rules(
        run(tmp_path, base, {NEW: cs("Step", INDEX, DROP_INDEX)})
    )
    alone = {**base, "App.Abstractions/App.Abstractions.csproj": "<Project />\n"}
    assert rules(run(tmp_path, alone, {NEW: cs("Step", INDEX, DROP_INDEX)})) == []


def test_required_columns_fire_without_a_default_only(tmp_path: Path) -> None:
    add = (
        'migrationBuilder.AddColumn<int>(name: "Age", table: "Users", type: "integer", '
        "nullable: false{});"
    )
    down = 'migrationBuilder.DropColumn(name: "Age", table: "Users");'
    assert "add-required-column" in rules(
        run(tmp_path, MERGED, {NEW: cs("Step", add.format(""), down)})
    )
    defaulted = add.format(", defaultValue: 0")
    assert rules(run(tmp_path, MERGED, {NEW: cs("Step", defaulted, down)})) == []


def test_a_verbatim_string_is_read_as_sql(tmp_path: Path) -> None:
    up = 'migrationBuilder.Sql(@"ALTER TABLE ""Users"" DROP COLUMN ""Email"";");'
    down = 'migrationBuilder.AddColumn<string>(name: "Email", table: "Users", nullable: true);'
    assert "drop-column" in rules(run(tmp_path, MERGED, {NEW: cs("Step", up, down)}), Level.ERROR)


def test_what_the_reader_cannot_read_is_said(tmp_path: Path) -> None:
    up = (
        'migrationBuilder.Sql($"UPDATE \\"Users\\" SET \\"Email\\" = \'{Domain}\'");\n'
        'migrationBuilder.DropIndexIfExists("IX_Users_Email");'
    )
    found = run(tmp_path, MERGED, {NEW: cs("Step", up, "")})
    unreviewed = [f for f in found if f.rule == "unreviewed-statement"]
    assert len(unreviewed) == 2 and all(f.level is Level.WARNING for f in unreviewed)
    # and an empty Down after what it cannot read is no additive up
    assert "empty-down" in rules(found, Level.ERROR)


def test_the_summary_says_the_review_was_static() -> None:
    from gatekeeper.checks.migrations import details

    m = detect.Migration("efcore", NEW, "20250101000000")
    _, table = details.render([m], [], "sqlite", set())
    assert "reviewed statically" in str(table)


# --- history ----------------------------------------------------------------------------


MERGED_PATH = path("20240101000000", "Init")


def test_an_edit_to_a_merged_migration_is_history(tmp_path: Path) -> None:
    edited = MERGED[MERGED_PATH].replace("nullable: true)", "nullable: false)")
    assert "history-rewritten" in rules(run(tmp_path, MERGED, {MERGED_PATH: edited}), Level.ERROR)


def test_comments_layout_and_generated_files_are_not_history(tmp_path: Path) -> None:
    tidied = (
        MERGED[MERGED_PATH].replace("\ufeff", "").replace("        {\n", "        { // tidied\n")
    )
    assert rules(run(tmp_path, MERGED, {MERGED_PATH: tidied})) == []
    base = {**MERGED, path("20240101000000", "Init.Designer"): designer("20240101000000_Init")}
    regenerated = designer("20240101000000_Init").replace("8.0.0", "9.0.0")
    assert rules(run(tmp_path, base, {path("20240101000000", "Init.Designer"): regenerated})) == []


def test_an_edit_of_down_alone_is_a_warning(tmp_path: Path) -> None:
    edited = MERGED[MERGED_PATH].replace(
        'migrationBuilder.DropTable(name: "Users");',
        'migrationBuilder.DropTable(name: "Users", schema: "public");',
    )
    found = run(tmp_path, MERGED, {MERGED_PATH: edited})
    assert rules(found) == ["down-edited"]
