"""Laravel migrations (PHP), on real git repositories: found by their name and class, their
schema builder calls and SQL strings reviewed with the shared rules, their downs judged
by the folder's habit (an up that overwrites stored values blocks), edits to merged ones
judged as history."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect, laravel
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults
from tests.conftest import GitRepo

FOLDER = "database/migrations"
HEADER = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n"
    "use Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\DB;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n\n"
)


def php(up: str, down: str | None = None) -> str:
    """An anonymous migration class with the given method bodies."""
    body = f"    public function up(): void\n    {{\n{_indent(up)}    }}\n"
    if down is not None:
        body += f"\n    public function down(): void\n    {{\n{_indent(down)}    }}\n"
    return f"{HEADER}return new class extends Migration\n{{\n{body}}};\n"


def _indent(code: str) -> str:
    return "".join(f"        {line}\n" for line in code.splitlines())


def path(stamp: str, name: str = "step") -> str:
    return f"{FOLDER}/{stamp}_{name}.php"


def table(name: str, body: str, op: str = "table") -> str:
    return f"Schema::{op}('{name}', function (Blueprint $table) {{\n    {body}\n}});"


CODE = {"app/User.php": "<?php\n// users.email, users.nick, settings, events\n"}
MERGED = {
    **CODE,
    path("2024_01_01_000000", "create_users"): php(
        table("users", "$table->id();\n    $table->string('email');", "create"),
        "Schema::dropIfExists('users');",
    ),
    path("2024_01_02_000000", "create_events"): php(
        table("events", "$table->id();", "create"), "Schema::drop('events');"
    ),
    path("2024_01_03_000000", "create_settings"): php(
        table("settings", "$table->id();", "create"), "Schema::drop('settings');"
    ),
}
NEW = path("2025_01_01_000000")


def run(
    tmp_path: Path, base: dict[str, str], head: dict[str, str | None], dialect: str = "postgres"
) -> list[Finding]:
    """The findings of a fresh repository holding ``base`` then ``head``."""
    git_repo = GitRepo(tmp_path / f"repo{len(list(tmp_path.iterdir()))}")
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    config = {**defaults(check), "roundtrip": "off", "dialect": dialect}
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, config)))


def rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level in (None, f.level))


# --- detection --------------------------------------------------------------------------


def test_a_laravel_migration_is_recognised_by_name_folder_and_class() -> None:
    text = php("Schema::drop('x');", "")
    m = detect.classify(NEW, text)
    assert m is not None and m.framework == detect.LARAVEL
    assert m.version == "2025_01_01_000000"
    named = text.replace("return new class extends Migration", "class AddX extends Migration")
    assert detect.classify(NEW, named) is not None


def test_a_php_file_not_shaped_like_one_is_not_a_laravel_migration() -> None:
    text = php("Schema::drop('x');", "")
    assert detect.classify("app/2025_01_01_000000_step.php", text) is None  # no migrations/
    assert detect.classify(f"{FOLDER}/step.php", text) is None  # no timestamp
    foreign = text.replace("use Illuminate\\Database\\Migrations\\Migration;\n", "")
    assert detect.classify(NEW, foreign) is None  # some other Migration class
    assert laravel.is_migration(NEW, text)


def test_a_laravel_migration_is_no_longer_unrecognised(tmp_path: Path) -> None:
    head = {NEW: php(table("users", "$table->string('nick')->nullable();"), "")}
    found = run(tmp_path, MERGED, head)
    assert "unrecognised" not in rules(found)


# --- safety -----------------------------------------------------------------------------


def test_drop_column_and_drop_table_fire(tmp_path: Path) -> None:
    up = table("users", "$table->dropColumn(['email', 'nick']);") + "\nSchema::drop('events');"
    found = run(tmp_path, MERGED, {NEW: php(up, "Schema::create('events', fn ($t) => 1);")})
    drops = sorted(f.message for f in found if f.rule in ("drop-column", "drop-table"))
    assert drops == ["Drops column users.email.", "Drops column users.nick.", "Drops table events."]


def test_a_table_created_in_the_same_up_has_nothing_to_break(tmp_path: Path) -> None:
    up = table("things", "$table->id();\n    $table->boolean('done');", "create")
    found = run(tmp_path, MERGED, {NEW: php(up, "Schema::dropIfExists('things');")})
    assert rules(found, Level.ERROR) == []


def test_renames_fire(tmp_path: Path) -> None:
    up = (
        table("users", "$table->renameColumn('email', 'mail');")
        + "\nSchema::rename('events', 'e');"
    )
    found = run(tmp_path, MERGED, {NEW: php(up, "Schema::rename('e', 'events');")})
    assert {"rename-column", "rename-table"} <= set(rules(found, Level.ERROR))


def test_a_required_column_fires_on_postgres_not_on_mysql_or_when_nullable(tmp_path: Path) -> None:
    up = table("users", "$table->boolean('admin');")
    down = table("users", "$table->dropColumn('admin');")
    assert "add-required-column" in rules(run(tmp_path, MERGED, {NEW: php(up, down)}))
    on_mysql = run(tmp_path, MERGED, {NEW: php(up, down)}, dialect="mysql")
    assert "add-required-column" not in rules(on_mysql)
    for safe in ("->nullable()", "->default(false)"):
        fine = table("users", f"$table->boolean('admin'){safe};")
        assert "add-required-column" not in rules(run(tmp_path, MERGED, {NEW: php(fine, down)}))


def test_a_changed_column_warns(tmp_path: Path) -> None:
    # no merged migration declares users.nick: its old type is not known
    up = table("users", "$table->text('nick')->change();")
    down = table("users", "$table->string('nick')->change();")
    found = run(tmp_path, MERGED, {NEW: php(up, down)})
    assert rules(found, Level.WARNING) == ["change-column-type"]
    assert rules(found, Level.ERROR) == []


def test_sql_strings_go_through_the_sql_review(tmp_path: Path) -> None:
    up = "DB::statement('ALTER TABLE users DROP COLUMN email');"
    down = "DB::statement('ALTER TABLE users ADD COLUMN email text');"
    found = run(tmp_path, MERGED, {NEW: php(up, down)})
    assert "drop-column" in rules(found, Level.ERROR)


# --- reversibility ----------------------------------------------------------------------


def test_an_update_overwriting_stored_values_with_an_empty_down_blocks(tmp_path: Path) -> None:
    up = "DB::table('users')\n    ->where('role', '=', 'shelf')\n    ->update(['admin' => 0]);"
    found = run(tmp_path, MERGED, {NEW: php(up, "// cannot know the old values")})
    assert rules(found, Level.ERROR) == ["empty-down"]
    assert "overwrites stored values (users.admin)" in found[0].message
    missing = run(tmp_path, MERGED, {NEW: php(up)})
    assert rules(missing, Level.ERROR) == ["missing-down"]


def test_an_update_filling_empty_values_only_warns(tmp_path: Path) -> None:
    up = "DB::table('pages')\n    ->where('editor', '=', '')\n    ->update(['editor' => 'md']);"
    found = run(tmp_path, MERGED, {NEW: php(up, "// nothing to undo")})
    assert rules(found) == ["empty-down"]
    assert rules(found, Level.ERROR) == []


def test_a_schema_change_with_an_empty_down_blocks_and_a_working_down_passes(
    tmp_path: Path,
) -> None:
    up = table("users", "$table->string('nick');")
    assert rules(run(tmp_path, MERGED, {NEW: php(up, "")}, "mysql"), Level.ERROR) == ["empty-down"]
    down = table("users", "$table->dropColumn('nick');")
    assert rules(run(tmp_path, MERGED, {NEW: php(up, down)}, "mysql")) == []


def test_an_up_that_only_adds_what_old_code_ignores_warns_with_an_empty_down(
    tmp_path: Path,
) -> None:
    up = (
        table(
            "users",
            "$table->string('nick')->nullable()->after('email');\n    $table->index('nick');",
        )
        + "\n"
        + table("things", "$table->id();\n    $table->boolean('done');", "create")
    )
    found = run(tmp_path, MERGED, {NEW: php(up, "//")})
    assert [(f.rule, f.level) for f in found if f.rule == "empty-down"] == [
        ("empty-down", Level.WARNING)
    ]


def test_a_folder_that_rarely_writes_downs_is_not_asked_for_one(tmp_path: Path) -> None:
    base = {
        **CODE,
        **{
            path(f"2024_01_{i:02d}_000000", f"s{i}"): php(table(f"t{i}", "$table->id();", "create"))
            for i in range(1, 6)
        },
    }
    up = "DB::table('users')->update(['admin' => 0]);"
    assert rules(run(tmp_path, base, {NEW: php(up)})) == []


# --- history ----------------------------------------------------------------------------


def test_an_edit_to_a_merged_migration_is_history(tmp_path: Path) -> None:
    merged = path("2024_01_02_000000", "create_events")
    edited = php(table("events", "$table->id();\n    $table->string('kind');", "create"))
    found = run(tmp_path, MERGED, {merged: edited + ""})
    assert "history-rewritten" in rules(found)


def test_a_comment_only_edit_to_a_merged_migration_is_not(tmp_path: Path) -> None:
    merged = path("2024_01_02_000000", "create_events")
    found = run(
        tmp_path,
        MERGED,
        {merged: MERGED[merged].replace("    public", "    // tidied\n    public")},
    )
    assert "history-rewritten" not in rules(found)


def test_the_classes_own_helper_methods_are_part_of_the_up(tmp_path: Path) -> None:
    text = php("$this->dropEmail();", "").replace(
        "    public function up",
        "    private function dropEmail(): void\n    {\n"
        "        Schema::table('users', fn (Blueprint $table) => $table->dropColumn('email'));\n"
        "    }\n\n    public function up",
    )
    hyphenated = path("2025_01_01_000000", "drop-user_email")
    assert detect.classify(hyphenated, text) is not None
    assert "drop-column" in rules(run(tmp_path, MERGED, {hyphenated: text}), Level.ERROR)


def test_a_package_migration_subclass_is_read_in_a_laravel_app_only(tmp_path: Path) -> None:
    text = php(table("users", "$table->dropColumn('email');"), "").replace(
        "extends Migration", "extends AiMigration"
    )
    composer = '{"require": {"php": "^8.2", "laravel/framework": "^11.0"}}\n'
    in_app = run(tmp_path, {**MERGED, "composer.json": composer}, {NEW: text})
    assert "drop-column" in rules(in_app, Level.ERROR)
    elsewhere = run(tmp_path, MERGED, {NEW: text})
    assert rules(elsewhere) == ["unrecognised"]


# --- the newest migrations' habit, and column groups --------------------------------------

STOPPED = {
    **MERGED,  # the generated first migrations, each with its down
    path("2024_01_04_000000", "create_jobs"): php(
        table("jobs", "$table->id();", "create"), "Schema::drop('jobs');"
    ),
    path("2024_11_01_000000", "add_a"): php(table("users", "$table->string('a')->nullable();")),
    path("2024_11_02_000000", "add_b"): php(table("users", "$table->string('b')->nullable();"), ""),
    path("2025_05_01_000000", "reset"): php("DB::table('users')->update(['a' => null]);", ""),
}


def test_a_folder_whose_newest_three_migrations_have_no_down_warns(tmp_path: Path) -> None:
    # speedtest-tracker 1fec5d05a5: the skeleton's create migrations have downs, the
    # project's own newest three have none
    up = table("users", "$table->string('nick');")
    found = run(tmp_path, STOPPED, {NEW: php(up, "")}, "mysql")
    (empty,) = [f for f in found if f.rule == "empty-down"]
    assert empty.level is Level.WARNING
    assert "the newest 3 of the folder's 7 merged migrations have none" in empty.message
    # with a working down among the newest three, the folder still writes downs
    working = {**STOPPED, path("2025_05_01_000000", "reset"): php("Schema::drop('x');", "//")}
    working[path("2024_11_02_000000", "add_b")] = php(
        table("users", "$table->string('b')->nullable();"),
        table("users", "$table->dropColumn('b');"),
    )
    assert rules(run(tmp_path, working, {NEW: php(up, "")}, "mysql"), Level.ERROR) == ["empty-down"]


def test_columns_placed_after_another_are_read_from_the_group(tmp_path: Path) -> None:
    # speedtest-tracker 1fec5d05a5: `$table->after('upload', function (Blueprint $table)
    # {...})` only places the nullable columns it adds
    group = (
        "Schema::table('users', function (Blueprint $table) {\n"
        "    $table->after('email', function (Blueprint $table) {\n"
        "        $table->unsignedBigInteger('{col}'){mod};\n    }});\n}});"
    )
    nullable = group.replace("{col}", "bytes").replace("{mod}", "->nullable()")
    found = run(tmp_path, MERGED, {NEW: php(nullable, "//")})
    assert [(f.rule, f.level) for f in found] == [("empty-down", Level.WARNING)]
    # a required column in the group, or a group whose closure names its Blueprint
    # otherwise (its columns unread), is still an up that needs its down
    required = group.replace("{col}", "bytes").replace("{mod}", "")
    renamed = nullable.replace(
        "function (Blueprint $table) {\n        $table->", "function (Blueprint $t) {\n        $t->"
    )
    for up in (required, renamed):
        assert "empty-down" in rules(run(tmp_path, MERGED, {NEW: php(up, "//")}), Level.ERROR)
