"""A Laravel migration (PHP) is reviewed, not skipped as unrecognised: a dropped column
blocks, an up that overwrites stored values with a down whose only code is a comment
blocks, and a `.env.example` the PR writes cannot move the review to MySQL's rules."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
FOLDER = "database/migrations"
CODE = {"app/Models/User.php": "<?php\n// reads users.email and users.admin\n"}


def _php(up: str, down: str) -> str:
    return (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n"
        "use Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\DB;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        f"    public function up(): void\n    {{\n        {up}\n    }}\n\n"
        f"    public function down(): void\n    {{\n        {down}\n    }}\n}};\n"
    )


BASE = {
    **CODE,
    f"{FOLDER}/2024_01_01_000000_create_users_table.php": _php(
        "Schema::create('users', function (Blueprint $table) { $table->id(); "
        "$table->string('email'); $table->boolean('admin')->default(false); });",
        "Schema::dropIfExists('users');",
    ),
}
NEW = f"{FOLDER}/2024_02_01_000000_step.php"


def test_a_laravel_migration_dropping_a_column_blocks(attack: AttackFactory) -> None:
    up = "Schema::table('users', function (Blueprint $table) { $table->dropColumn('email'); });"
    down = "Schema::table('users', function (Blueprint $t) { $t->string('email'); });"
    assert_blocked(attack(POLICY, BASE, {NEW: _php(up, down)}).judge(), "migrations/drop-column")


def test_an_overwriting_update_with_a_commented_down_blocks(attack: AttackFactory) -> None:
    up = "DB::table('users')->where('email', 'like', '%@x')->update(['admin' => 0]);"
    down = "/* DB::table('users')->update(['admin' => 1]); */ $x = '}';"
    assert_blocked(attack(POLICY, BASE, {NEW: _php(up, down)}).judge(), "migrations/empty-down")


def test_an_env_example_the_pr_writes_keeps_postgres_rules(attack: AttackFactory) -> None:
    up = "Schema::table('users', function (Blueprint $table) { $table->integer('age'); });"
    down = "Schema::table('users', function (Blueprint $table) { $table->dropColumn('age'); });"
    head = {".env.example": "DB_CONNECTION=mysql\n", NEW: _php(up, down)}
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/add-required-column")
