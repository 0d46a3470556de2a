"""An EF Core migration (C#) is reviewed, not skipped: a PR that mimics the reader's
relaxations must still be blocked. A migration named like a generated Designer file is
still a migration; Npgsql's concurrent annotation written in a comment builds no index
concurrently; a delete of rows whose reference is empty is no loss only when that is all
its WHERE says; a .csproj the PR rewrites to SQLite cannot move the review off PostgreSQL."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
FOLDER = "App.Data/Migrations"
PROJECT = (
    '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n'
    '    <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="8.0.0" />\n'
    "  </ItemGroup>\n</Project>\n"
)


def _cs(name: str, up: str, down: str) -> str:
    return (
        "using Microsoft.EntityFrameworkCore.Migrations;\n\nnamespace App.Data.Migrations\n{\n"
        f"    public partial class {name} : Migration\n    {{\n"
        "        protected override void Up(MigrationBuilder migrationBuilder)\n"
        f"        {{\n            {up}\n        }}\n\n"
        "        protected override void Down(MigrationBuilder migrationBuilder)\n"
        f"        {{\n            {down}\n        }}\n"
        "        protected override void BuildTargetModel(ModelBuilder modelBuilder) { }\n"
        "    }\n}\n"
    )


BASE = {
    "App.Data/App.Data.csproj": PROJECT,
    "App.Data/User.cs": "// reads Events.Email and Events.TeamId\n",
    f"{FOLDER}/20240101000000_Init.cs": _cs(
        "Init",
        'migrationBuilder.CreateTable(name: "Events", columns: table => new { Id = '
        "table.Column<int>(nullable: false), Email = table.Column<string>(nullable: true), "
        "TeamId = table.Column<string>(nullable: true) });",
        'migrationBuilder.DropTable(name: "Events");',
    ),
}
NEW = f"{FOLDER}/20250101000000_Step.cs"
INDEX = 'migrationBuilder.CreateIndex(name: "IX_Events_Email", table: "Events", column: "Email")'
DROP_INDEX = 'migrationBuilder.DropIndex(name: "IX_Events_Email", table: "Events");'


def test_a_migration_named_as_a_designer_file_is_still_reviewed(attack: AttackFactory) -> None:
    hidden = f"{FOLDER}/20250101000000_Step.Designer.cs"
    up = 'migrationBuilder.DropColumn(name: "Email", table: "Events");'
    down = 'migrationBuilder.AddColumn<string>(name: "Email", table: "Events", nullable: true);'
    found = attack(POLICY, BASE, {hidden: _cs("Step", up, down)}).judge()
    assert_blocked(found, "migrations/drop-column")


def test_the_concurrent_annotation_in_a_comment_builds_nothing_concurrently(
    attack: AttackFactory,
) -> None:
    up = INDEX + '; // .Annotation("Npgsql:CreatedConcurrently", true)'
    found = attack(POLICY, BASE, {NEW: _cs("Step", up, DROP_INDEX)}).judge()
    assert_blocked(found, "migrations/index-not-concurrent")


def test_an_empty_reference_joined_by_or_still_deletes_data(attack: AttackFactory) -> None:
    up = (
        'migrationBuilder.Sql("DELETE FROM \\"Events\\" WHERE \\"TeamId\\" = \'\' '
        'OR \\"Email\\" IS NOT NULL;");'
    )
    found = attack(POLICY, BASE, {NEW: _cs("Step", up, "")}).judge()
    assert_blocked(found, "migrations/empty-down")


def test_rows_chosen_by_a_value_column_are_data(attack: AttackFactory) -> None:
    up = 'migrationBuilder.Sql("DELETE FROM \\"Events\\" WHERE \\"Email\\" IS NULL;");'
    found = attack(POLICY, BASE, {NEW: _cs("Step", up, "")}).judge()
    assert_blocked(found, "migrations/empty-down")


def test_a_project_file_the_pr_rewrites_cannot_leave_postgres(attack: AttackFactory) -> None:
    sqlite = PROJECT.replace(
        "Npgsql.EntityFrameworkCore.PostgreSQL", "Microsoft.EntityFrameworkCore.Sqlite"
    )
    head = {"App.Data/App.Data.csproj": sqlite, NEW: _cs("Step", INDEX + ";", DROP_INDEX)}
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/index-not-concurrent")


def test_a_drop_moved_into_a_helper_method_is_still_read(attack: AttackFactory) -> None:
    text = _cs("Step", "DropEmail(migrationBuilder);", "").replace(
        "        protected override void BuildTargetModel",
        "        private static void DropEmail(MigrationBuilder b)\n        {\n"
        '            b.DropColumn(name: "Email", table: "Events");\n        }\n'
        "        protected override void BuildTargetModel",
    )
    found = attack(POLICY, BASE, {NEW: text}).judge()
    assert_blocked(found, "migrations/drop-column")


def test_a_builder_handed_to_code_outside_the_class_leaves_no_additive_up(
    attack: AttackFactory,
) -> None:
    found = attack(POLICY, BASE, {NEW: _cs("Step", "Scripts.Run(migrationBuilder);", "")}).judge()
    assert_blocked(found, "migrations/empty-down")
