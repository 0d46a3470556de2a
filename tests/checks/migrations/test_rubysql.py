"""Ruby migrations of a project's own runner (Postal's per-mail-server message databases),
on real git repositories: found by their shape, judged forward-only when the folder never
writes a down, their SQL strings reviewed in MySQL when the project runs MySQL; and the
MySQL table rebuild (``CONVERT TO CHARACTER SET``, ``ENGINE=``) in every MySQL review."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect, rubysql, safety
from gatekeeper.checks.migrations.sqltext import split
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

FOLDER = "lib/app/message_db/migrations"
GEMFILE = {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\ngem 'mysql2'\n"}


def _migration(klass: str, body: str, down: str = "") -> str:
    lines = "\n".join(f"          {x}" for x in body.splitlines())
    downs = f"\n        def down\n          {down}\n        end\n" if down else ""
    return (
        "module App\n  module MessageDB\n    module Migrations\n"
        f"      class {klass} < App::MessageDB::Migration\n"
        f"        def up\n{lines}\n        end\n{downs}"
        "      end\n    end\n  end\nend\n"
    )


def _q(sql: str) -> str:
    return f'@database.query("{sql}")'


#: three merged migrations, none with a down: the runner goes forward only
MERGED = {
    f"{FOLDER}/01_create_messages.rb": _migration(
        "CreateMessages", _q("CREATE TABLE `#{@database.database_name}`.`messages` (id int)")
    ),
    f"{FOLDER}/02_create_clicks.rb": _migration(
        "CreateClicks", _q("CREATE TABLE `#{@database.database_name}`.`clicks` (id int)")
    ),
    f"{FOLDER}/03_create_links.rb": _migration(
        "CreateLinks", _q("CREATE TABLE `#{@database.database_name}`.`links` (id int)")
    ),
}
DB = "`#{@database.database_name}`"
CONVERT = "\n".join(
    _q(f"ALTER TABLE {DB}.`{t}` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for t in ("clicks", "links")
)


def _run(git_repo: Any, base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, defaults(check))))


def _rules(found: list[Finding], level: Level | None = None) -> list[str]:
    """rule:table (the word after "table " in the message) or rule:path, of each finding."""
    out = []
    for f in found:
        if level in (None, f.level):
            where = f.message.split("table ", 1)[1].split(":")[0] if "table " in f.message else ""
            out.append(f"{f.rule}:{where or (f.location.path if f.location else '')}")
    return sorted(out)


def test_convert_to_charset_in_a_message_db_migration_blocks(git_repo: Any) -> None:
    head = {f"{FOLDER}/04_convert_to_utf8mb4.rb": _migration("ConvertToUtf8mb4", CONVERT)}
    found = _run(git_repo, {**GEMFILE, **MERGED}, head)
    # clicks is named for events: presumed large, an error; links is not: a warning
    assert _rules(found, Level.ERROR) == ["table-rebuild:clicks"]
    assert _rules(found, Level.WARNING) == ["table-rebuild:links"]
    assert not [f for f in found if f.rule == "missing-down"]  # forward-only folder
    rebuild = next(f for f in found if "table clicks" in f.message)
    assert rebuild.location is not None and rebuild.location.start_line == 6


def test_an_online_add_column_in_a_message_db_migration_passes(git_repo: Any) -> None:
    add = _q(f"ALTER TABLE {DB}.`messages` ADD COLUMN `parsed` tinyint DEFAULT 0")
    head = {f"{FOLDER}/04_add_parsed.rb": _migration("AddParsed", add)}
    assert _run(git_repo, {**GEMFILE, **MERGED}, head) == []


def test_a_folder_that_writes_downs_asks_for_one(git_repo: Any) -> None:
    merged = {
        p: _migration("M", _q("CREATE TABLE t (id int)"), down=_q("DROP TABLE t")) for p in MERGED
    }
    add = _q(f"ALTER TABLE {DB}.`messages` ADD COLUMN `parsed` tinyint DEFAULT 0")
    head = {f"{FOLDER}/04_add_parsed.rb": _migration("AddParsed", add)}
    found = _run(git_repo, {**GEMFILE, **merged}, head)
    assert _rules(found, Level.ERROR) == [f"missing-down:{FOLDER}/04_add_parsed.rb"]


def test_rails_execute_convert_to_charset_is_a_rebuild_on_mysql(git_repo: Any) -> None:
    rails = (
        "class ConvertEvents < ActiveRecord::Migration[7.1]\n  def up\n"
        '    execute "ALTER TABLE events CONVERT TO CHARACTER SET utf8mb4"\n  end\n\n'
        "  def down\n  end\nend\n"
    )
    path = "db/migrate/20240101000000_convert_events.rb"
    found = _run(git_repo, GEMFILE, {path: rails})
    assert "table-rebuild:events" in _rules(found, Level.ERROR)
    # the same migration in a PostgreSQL project: no MySQL rule applies
    git_repo.commit({"Gemfile": "gem 'pg'\n", path: None})
    found = _run(git_repo, {}, {path: rails})
    assert not [f for f in found if f.rule == "table-rebuild"]


def test_detection_needs_the_shape() -> None:
    text = _migration("X", CONVERT)
    assert detect.classify(f"{FOLDER}/19_x.rb", text) == detect.Migration(
        detect.RUBY_SQL, f"{FOLDER}/19_x.rb", "19"
    )
    # Rails' own folder, an unnumbered file, or an up that runs no SQL string: not one
    assert detect.classify("db/migrate/19_x.rb", text) is None
    assert detect.classify(f"{FOLDER}/x.rb", text) is None
    assert detect.classify(f"{FOLDER}/19_x.rb", _migration("X", "puts 1")) is None


def test_sql_strings_are_read_with_interpolation_and_heredocs() -> None:
    text = _migration(
        "X", f"{_q(f'ALTER TABLE {DB}.`a` ENGINE=InnoDB')}\nexecute <<~SQL\n  DROP TABLE b\nSQL"
    )
    assert rubysql.sql_in(text) == [
        (6, "ALTER TABLE `runtime_value`.`a` ENGINE=InnoDB"),
        (7, "            DROP TABLE b"),
    ]


def test_mysql_rebuild_rules() -> None:
    def rules(sql: str) -> list[tuple[str, Level | None]]:
        return [(h.rule, h.level) for h in safety.review(split(sql), "mysql")]

    assert rules("ALTER TABLE t ENGINE=InnoDB") == [("table-rebuild", None)]
    assert rules("ALTER TABLE t CONVERT TO CHARSET utf8mb4") == [("table-rebuild", None)]
    assert rules("ALTER TABLE t CHARACTER SET utf8mb4") == [("table-rebuild", Level.WARNING)]
    # asked online, MySQL refuses rather than copy under a lock; a database default
    # rewrites nothing
    assert rules("ALTER TABLE t CONVERT TO CHARSET utf8mb4, ALGORITHM=INPLACE, LOCK=NONE") == []
    assert rules("ALTER DATABASE d CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci") == []
    # created in the same migration: nothing to copy
    assert rules("CREATE TABLE t (id int); ALTER TABLE t CONVERT TO CHARSET utf8mb4") == []
