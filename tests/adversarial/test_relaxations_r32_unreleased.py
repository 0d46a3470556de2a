"""Attacks on this stop's relaxations of the migrations check: a dropped column no release
has shipped warns, a folder whose newest three merged migrations have no down has stopped
writing them, and a Laravel ``$table->after(...)`` group is read as the columns it adds.

Each case dresses a real hazard in the relaxed shape: the PR writes the empty downs that
would make the habit, a released migration names the dropped column, a group's closure
names its Blueprint otherwise so its columns go unread. They guard the relaxations: each
blocks now, as the hazard it hides did before them."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, make_unreleased_edit
from tests.conftest import GitRepo

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"


def _sql(n: int, up: str, down: str) -> dict[str, str]:
    return {f"db/{n:03d}_step.up.sql": up, f"db/{n:03d}_step.down.sql": down}


def test_empty_downs_the_pull_request_writes_make_no_habit(attack: AttackFactory) -> None:
    base = {
        **_sql(1, "CREATE TABLE users (id int);", "DROP TABLE users;"),
        **_sql(2, "ALTER TABLE users ADD COLUMN a int;", "ALTER TABLE users DROP COLUMN a;"),
    }
    head = {
        **_sql(3, "ALTER TABLE users ADD COLUMN b int;", ""),
        **_sql(4, "ALTER TABLE users ADD COLUMN c int;", ""),
        **_sql(5, "ALTER TABLE users ADD COLUMN d int;", ""),
        **_sql(6, "ALTER TABLE users ADD COLUMN e int NOT NULL DEFAULT 0;", ""),
    }
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/empty-down")


def test_a_column_a_released_migration_names_keeps_its_drop_error(git_repo: GitRepo) -> None:
    released = {
        **_sql(1, "CREATE TABLE users (id int, email text);", "DROP TABLE users;"),
        "app/user.py": "# users.email\n",
    }
    merged = _sql(2, "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;", "SELECT 1;")
    head = _sql(3, "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;",
                "ALTER TABLE users ADD COLUMN email text;")  # fmt: skip
    verdict = make_unreleased_edit(git_repo, POLICY, released, merged, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


LARAVEL = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n"
    "use Illuminate\\Database\\Schema\\Blueprint;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
    "return new class extends Migration\n{{\n    public function up(): void\n    {{\n{up}    }}\n\n"
    "    public function down(): void\n    {{\n    }}\n}};\n"
)


def test_a_group_whose_closure_renames_its_blueprint_still_needs_a_down(
    attack: AttackFactory,
) -> None:
    up = (
        "        Schema::table('users', function (Blueprint $table) {\n"
        "            $table->after('email', function (Blueprint $t) {\n"
        "                $t->string('nick');\n            });\n        });\n"
    )
    created = LARAVEL.format(
        up="        Schema::create('users', function (Blueprint $table) {\n"
        "            $table->id();\n        });\n"
    ).replace("    {\n    }\n}", "    {\n        Schema::drop('users');\n    }\n}")
    base = {"database/migrations/2024_01_01_000000_users.php": created}
    head = {"database/migrations/2025_01_01_000000_nick.php": LARAVEL.format(up=up)}
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/empty-down")
