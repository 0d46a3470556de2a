"""Laravel ups that move values out of a column (laravelmoves.py): a down that never
writes the column back loses them on a rollback; one that copies them back does not."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.model import Level
from tests.checks.migrations.test_laravel import MERGED, NEW, php, rules, run, table

#: vito 262c5e040d's shape: add the new column, move each row's value, erase the old one
ELOQUENT_UP = (
    table("users", "$table->string('email_path')->nullable();")
    + "\nUser::query()->chunk(100, function ($users) {\n"
    "    foreach ($users as $user) {\n"
    "        $user->email_path = $user->email;\n"
    "        $user->email = null;\n"
    "        $user->save();\n"
    "    }\n"
    "});"
)
DROP_NEW = table("users", "$table->dropColumn('email_path');")


def test_a_down_that_only_drops_where_the_values_went_blocks(tmp_path: Path) -> None:
    found = run(tmp_path, MERGED, {NEW: php(ELOQUENT_UP, DROP_NEW)})
    assert rules(found, Level.ERROR) == ["down-incomplete"]
    (finding,) = [f for f in found if f.rule == "down-incomplete"]
    assert "email (copied to email_path, then erased)" in finding.message
    assert "takes the copy in email_path with it" in finding.message


def test_a_down_that_copies_the_values_back_passes(tmp_path: Path) -> None:
    back = (
        "User::query()->chunk(100, function ($users) {\n"
        "    foreach ($users as $user) {\n"
        "        $user->email = $user->email_path;\n"
        "        $user->save();\n"
        "    }\n"
        "});\n" + DROP_NEW
    )
    assert "down-incomplete" not in rules(run(tmp_path, MERGED, {NEW: php(ELOQUENT_UP, back)}))


def test_erasing_without_a_copy_elsewhere_is_no_move(tmp_path: Path) -> None:
    up = ELOQUENT_UP.replace("$user->email_path = $user->email;", "$user->email_path = 'x';")
    assert "down-incomplete" not in rules(run(tmp_path, MERGED, {NEW: php(up, DROP_NEW)}))


def test_a_move_in_sql_strings_counts_too(tmp_path: Path) -> None:
    up = (
        table("users", "$table->string('email_path')->nullable();")
        + "\nDB::statement('UPDATE users SET email_path = email');"
        + "\nDB::statement('UPDATE users SET email = NULL');"
    )
    found = run(tmp_path, MERGED, {NEW: php(up, DROP_NEW)})
    assert rules(found, Level.ERROR) == ["down-incomplete"]
    back = "DB::statement('UPDATE users SET email = email_path');\n" + DROP_NEW
    assert "down-incomplete" not in rules(run(tmp_path, MERGED, {NEW: php(up, back)}))
