"""Doctrine Migrations (PHP), on real git repositories: found by their shape wherever they
live, their SQL strings and Schema API calls reviewed with the shared rules, their downs
judged by the folder's habit, edits to merged ones judged as history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect, doctrine
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults
from tests.conftest import GitRepo

FOLDER = "module/Core/migrations"
HEADER = (
    "<?php\n\ndeclare(strict_types=1);\n\nnamespace AppMigrations;\n\n"
    "use Doctrine\\DBAL\\Schema\\Schema;\nuse Doctrine\\DBAL\\Types\\Types;\n"
    "use Doctrine\\Migrations\\AbstractMigration;\n\n"
)


def php(version: str, up: str, down: str | None = None, extra: str = "") -> str:
    """A migration class ``Version<version>`` with the given method bodies."""
    body = f"    public function up(Schema $schema): void\n    {{\n{_indent(up)}    }}\n"
    if down is not None:
        body += f"\n    public function down(Schema $schema): void\n    {{\n{_indent(down)}    }}\n"
    return f"{HEADER}final class Version{version} extends AbstractMigration\n{{\n{extra}{body}}}\n"


def _indent(code: str) -> str:
    return "".join(f"        {line}\n" for line in code.splitlines())


def path(version: str) -> str:
    return f"{FOLDER}/Version{version}.php"


CREATE_USERS = php(
    "20240101000000",
    "$t = $schema->createTable('users');\n$t->addColumn('id', Types::INTEGER);\n"
    "$t->addColumn('email', Types::STRING);",
    "$schema->dropTable('users');",
)
#: application code that still reads every column and table the tests drop
CODE = {"src/User.php": "<?php\n// users.email, settings, events\n"}
#: a folder whose merged migrations write downs
MERGED = {
    **CODE,
    path("20240101000000"): CREATE_USERS,
    path("20240102000000"): php(
        "20240102000000",
        "$schema->createTable('events')->addColumn('id', Types::INTEGER);",
        "$schema->dropTable('events');",
    ),
    path("20240103000000"): php(
        "20240103000000",
        "$schema->createTable('settings')->addColumn('id', Types::INTEGER);",
        "$schema->dropTable('settings');",
    ),
}
V = "20250101000000"


def run(tmp_path: Path, base: dict[str, str], head: dict[str, str | None]) -> list[Finding]:
    """The findings of a fresh repository holding ``base`` then ``head``."""
    git_repo = GitRepo(tmp_path / f"repo{len(list(tmp_path.iterdir()))}")
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    config = {**defaults(check), "roundtrip": "off"}
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, config)))


def rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level in (None, f.level))


# --- detection ---------------------------------------------------------------------------


def test_a_version_class_extending_abstract_migration_is_doctrine() -> None:
    m = detect.classify("db/migrations/Version20240101000000.php", CREATE_USERS)
    assert m is not None and m.framework == detect.DOCTRINE and m.version == "20240101000000"


def test_laravel_and_look_alikes_are_not_doctrine() -> None:
    laravel = (
        "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\n"
        "return new class extends Migration {\n  public function up(): void {}\n};\n"
    )
    found = detect.classify("database/migrations/2024_01_01_000000_x.php", laravel)
    assert found is not None and found.framework == detect.LARAVEL
    other = CREATE_USERS.replace(
        "Doctrine\\Migrations\\AbstractMigration", "App\\AbstractMigration"
    )
    assert detect.classify(path(V), other) is None  # someone else's AbstractMigration
    assert detect.classify(f"{FOLDER}/Users.php", CREATE_USERS) is None  # not a version name


# --- safety -------------------------------------------------------------------------------


def test_a_schema_api_drop_column_blocks(tmp_path: Path) -> None:
    up = "$schema->getTable('users')->dropColumn('email');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, "// nothing\n")})
    drop = [f for f in found if f.rule == "drop-column"]
    assert drop and drop[0].level is Level.ERROR and "users.email" in drop[0].message


def test_columns_of_a_table_created_in_the_same_up_are_not_drops(tmp_path: Path) -> None:
    up = (
        "$t = $schema->createTable('tags');\n$t->addColumn('id', Types::INTEGER);\n"
        "$t->dropColumn('id');"
    )
    found = run(tmp_path, MERGED, {path(V): php(V, up, "$schema->dropTable('tags');")})
    assert rules(found) == []


def test_add_sql_is_reviewed_like_a_sql_file(tmp_path: Path) -> None:
    up = (
        "$this->addSql('DROP TABLE settings');\n"
        '$this->addSql("ALTER TABLE users DROP COLUMN email");'
    )
    found = run(tmp_path, MERGED, {path(V): php(V, up, "$this->addSql('SELECT 1');")})
    assert {"drop-table", "drop-column"} <= set(rules(found, Level.ERROR))


def test_sql_strings_join_constants_and_heredocs(tmp_path: Path) -> None:
    extra = "    private const TABLE = 'users';\n\n"
    up = "$this->addSql(<<<'SQL'\n    CREATE INDEX ix_email ON \nSQL . self::TABLE . ' (email)');"
    found = run(
        tmp_path, MERGED, {path(V): php(V, up, "$this->addSql('DROP INDEX ix_email');", extra)}
    )
    assert "index-not-concurrent" in rules(found)


def test_concurrently_needs_a_non_transactional_migration(tmp_path: Path) -> None:
    up = "$this->addSql('CREATE INDEX CONCURRENTLY ix ON events (id)');"
    down = "$this->addSql('DROP INDEX ix');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert "concurrent-in-transaction" in rules(found, Level.ERROR)
    off = "    public function isTransactional(): bool\n    {\n        return false;\n    }\n\n"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down, off)})
    assert "concurrent-in-transaction" not in rules(found)


def test_a_not_null_column_without_default_on_an_existing_table_blocks(tmp_path: Path) -> None:
    up = "$schema->getTable('users')->addColumn('age', Types::INTEGER);"
    down = "$schema->getTable('users')->dropColumn('age');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.ERROR) == ["add-required-column"]


def test_a_nullable_or_defaulted_column_is_fine(tmp_path: Path) -> None:
    down = "$schema->getTable('users')->dropColumn('age');"
    for options in (
        "['notnull' => false]",
        "['default' => 0]",
        "['notnull' => true, 'default' => 1]",
    ):
        up = f"$schema->getTable('users')->addColumn('age', Types::INTEGER, {options});"
        found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
        assert "add-required-column" not in rules(found), options


def test_an_index_is_weighed_by_the_table_size(tmp_path: Path) -> None:
    down = "$schema->getTable('events')->dropIndex('ix');"
    up = "$events = $schema->getTable('events');\n$events->addIndex(['id'], 'ix');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.ERROR) == ["index-not-concurrent"]  # events: presumed large
    up = "$schema->getTable('settings')->addUniqueIndex(['id'], 'ix');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.WARNING) == ["index-not-concurrent"]
    assert rules(found, Level.ERROR) == []


def test_a_type_change_warns_and_set_not_null_is_weighed(tmp_path: Path) -> None:
    up = (
        "$t = $schema->getTable('events');\n"
        "$t->modifyColumn('id', ['type' => Type::getType(Types::BIGINT)]);\n"
        "$t->getColumn('id')->setNotnull(true);"
    )
    down = (
        "$schema->getTable('events')->modifyColumn('id', "
        "['type' => Type::getType(Types::INTEGER)]);"
    )
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.WARNING) == ["change-column-type"]
    assert rules(found, Level.ERROR) == ["set-not-null"]


def test_a_platform_guard_sets_the_dialect(tmp_path: Path) -> None:
    guard = (
        "$this->abortIf(!$this->connection->getDatabasePlatform() instanceof "
        "\\Doctrine\\DBAL\\Platforms\\MySQLPlatform, 'MySQL only');\n"
    )
    up = guard + "$schema->getTable('events')->addColumn('age', Types::INTEGER);\n"
    up += "$schema->getTable('events')->addIndex(['age'], 'ix');"
    down = "$schema->getTable('events')->dropColumn('age');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found) == []  # MySQL fills the column and builds the index online


def test_a_drop_after_a_merged_move_of_every_row_warns(tmp_path: Path) -> None:
    move = php(
        "20240104000000",
        "$rows = $this->connection->createQueryBuilder()->select('id')->from('settings')"
        "->executeQuery();\n"
        "while ($row = $rows->fetchAssociative()) {\n"
        "    $this->connection->createQueryBuilder()->insert('options')"
        "->values(['id' => $row['id']])->executeStatement();\n}",
    )
    up = "$schema->dropTable('settings');"
    base = {**MERGED, path("20240104000000"): move}
    found = run(tmp_path, base, {path(V): php(V, up, "$schema->createTable('settings');")})
    assert rules(found) == ["drop-table"]
    assert found[0].level is Level.WARNING and "Version20240104000000" in found[0].message
    filtered = move.replace("->from('settings')", "->from('settings')->where('id > 5')")
    found = run(
        tmp_path,
        {**MERGED, path("20240104000000"): filtered},
        {path(V): php(V, up, "$schema->createTable('settings');")},
    )
    assert rules(found, Level.ERROR) == ["drop-table"]


# --- reversibility -------------------------------------------------------------------------


ADD = "$schema->getTable('users')->addColumn('nick', Types::STRING, ['notnull' => false]);"
#: a schema change that is no addition and fires no other rule
CHANGE = "$schema->getTable('users')->renameIndex('users_email', 'idx_users_email');"


def test_a_missing_down_blocks_where_the_folder_writes_downs(tmp_path: Path) -> None:
    found = run(tmp_path, MERGED, {path(V): php(V, CHANGE)})
    assert rules(found, Level.ERROR) == ["missing-down"]


def test_a_missing_down_warns_where_the_folder_mostly_has_none(tmp_path: Path) -> None:
    # two of three merged migrations have no down: the habit, so a warning
    base = {**MERGED, **{path(v): php(v, ADD.replace("nick", f"c{v}"))
                         for v in ("20240102000000", "20240103000000")}}  # fmt: skip
    found = run(tmp_path, base, {path(V): php(V, ADD)})
    assert rules(found, Level.WARNING) == ["missing-down"]
    assert rules(found, Level.ERROR) == []


def test_no_down_is_asked_where_the_folder_never_writes_one(tmp_path: Path) -> None:
    base = {path(v): php(v, ADD.replace("nick", f"c{v}"))
            for v in ("20240101000000", "20240102000000", "20240103000000")}  # fmt: skip
    assert run(tmp_path, base, {path(V): php(V, ADD)}) == []


def test_a_data_only_up_that_fills_empty_values_without_down_warns(tmp_path: Path) -> None:
    up = "$this->addSql(\"UPDATE users SET email = '' WHERE email IS NULL\");"
    found = run(tmp_path, MERGED, {path(V): php(V, up)})
    assert rules(found, Level.WARNING) == ["missing-down"]
    assert rules(found, Level.ERROR) == []


def test_a_down_that_throws_is_a_declared_irreversible_step(tmp_path: Path) -> None:
    for down in ("$this->throwIrreversibleMigrationException();",
                 "throw new IrreversibleMigrationException('no way back');"):  # fmt: skip
        found = run(tmp_path, MERGED, {path(V): php(V, ADD, down)})
        assert rules(found) == ["irreversible"], down
        assert found[0].level is Level.INFO


def test_an_empty_down_blocks_unless_the_up_only_widens(tmp_path: Path) -> None:
    found = run(tmp_path, MERGED, {path(V): php(V, CHANGE, "// nothing to do\n")})
    assert rules(found, Level.ERROR) == ["empty-down"]
    up = "$schema->getTable('users')->getColumn('email')->setType(Type::getType(Types::TEXT));"
    found = run(tmp_path, MERGED, {path(V): php(V, up, "// cannot narrow back\n")})
    assert "empty-down" in rules(found, Level.WARNING)
    assert rules(found, Level.ERROR) == []


def test_a_guard_alone_is_no_down(tmp_path: Path) -> None:
    found = run(tmp_path, MERGED, {path(V): php(V, CHANGE, "$this->skipIf(true, 'later');")})
    assert rules(found, Level.ERROR) == ["empty-down"]


def test_the_roundtrip_says_php_is_not_run(git_repo: Any) -> None:
    first = git_repo.commit(MERGED)
    second = git_repo.commit(
        {path(V): php(V, ADD, "$schema->getTable('users')->dropColumn('nick');")}
    )
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        ctx = context(changes, defaults(check))
        assert list(check.run(ctx)) == []  # not a failure...
    assert "not available for Doctrine migrations (PHP is not run here)" in repr(
        ctx.details
    )  # ...and not silent


# --- history ------------------------------------------------------------------------------


def test_editing_a_merged_migration_rewrites_history(tmp_path: Path) -> None:
    edited = CREATE_USERS.replace("'email'", "'mail'")
    found = run(tmp_path, MERGED, {path("20240101000000"): edited})
    assert rules(found, Level.ERROR) == ["history-rewritten"]


def test_comments_and_layout_are_not_history(tmp_path: Path) -> None:
    edited = CREATE_USERS.replace("final class", "/** Creates users. */\nfinal class")
    edited = edited.replace("$t->addColumn('id'", "$t->addColumn(  'id'")
    assert run(tmp_path, MERGED, {path("20240101000000"): edited}) == []


def test_an_edit_to_the_down_alone_is_a_down_edit(tmp_path: Path) -> None:
    edited = CREATE_USERS.replace(
        "$schema->dropTable('users');", "$this->addSql('DROP TABLE users');"
    )
    found = run(tmp_path, MERGED, {path("20240101000000"): edited})
    assert rules(found) == ["down-edited"]


def test_the_reader_reads_names_through_constants() -> None:
    text = php(
        V,
        "$t = $schema->getTable(self::TABLE);\n$t->dropColumn(self::COLUMN);",
        extra=(
            "    private const string TABLE = 'users';\n"
            "    private const COLUMN = 'e' . 'mail';\n\n"
        ),
    )
    d = doctrine.read(text)
    hits = doctrine.hits(d, "postgres", frozenset(range(1, 100)), lambda s, tx: [])
    assert [(h.rule, h.target) for h in hits] == [("drop-column", ("users", "email"))]


def test_a_table_made_by_the_class_own_helper_is_new(tmp_path: Path) -> None:
    helper = (
        "    private function withId(Schema $schema, string $name): Table\n    {\n"
        "        $table = $schema->createTable($name);\n"
        "        $table->addColumn('id', Types::BIGINT);\n        return $table;\n    }\n\n"
    )
    up = "$rules = $this->withId($schema, 'rules');\n$rules->addColumn('priority', Types::INTEGER);"
    found = run(tmp_path, MERGED, {path(V): php(V, up, "$schema->dropTable('rules');", helper)})
    assert rules(found) == []


def test_a_merged_migration_moved_unchanged_keeps_its_identity(tmp_path: Path) -> None:
    moved = {
        path("20240101000000"): None,
        "data/migrations/Version20240101000000.php": CREATE_USERS,
    }
    assert run(tmp_path, MERGED, moved) == []


def test_sql_built_at_run_time_is_said_unreviewed(tmp_path: Path) -> None:
    up = "$this->addSql(sprintf('DROP TABLE %s', $this->table()));"
    found = run(
        tmp_path, MERGED, {path(V): php(V, up, "$this->addSql('CREATE TABLE t (id INT)');")}
    )
    assert rules(found, Level.WARNING) == ["unreviewed-statement"]
    assert "sprintf" in found[0].message
    literal = run(
        tmp_path,
        MERGED,
        {
            path(V): php(
                V, "$this->addSql('CREATE TABLE t (id INT)');", "$this->addSql('DROP TABLE t');"
            )
        },
    )
    assert rules(literal) == []


def test_the_older_guard_by_platform_name_sets_the_dialect() -> None:
    guard = (
        "$this->abortIf('mysql' !== $this->connection->getDatabasePlatform()->getName(), "
        "'MySQL only');\n$schema->getTable('events')->addIndex(['id'], 'ix');"
    )
    assert doctrine.read(php(V, guard)).platform == "mysql"
    commented = (
        "// $this->abortIf('mysql' !== $this->connection->getDatabasePlatform()->getName());"
    )
    assert doctrine.read(php(V, commented)).platform == ""


def test_renames_block_on_existing_tables_only(tmp_path: Path) -> None:
    up = (
        "$schema->getTable('users')->renameColumn('email', 'mail');\n"
        "$schema->renameTable('settings', 'options');"
    )
    down = "$schema->renameTable('options', 'settings');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.ERROR) == ["rename-column", "rename-table"]
    fresh = "$t = $schema->createTable('tags');\n$t->renameColumn('a', 'b');"
    found = run(tmp_path, MERGED, {path(V): php(V, fresh, "$schema->dropTable('tags');")})
    assert rules(found) == []


def test_foreign_keys_and_index_drops_on_postgres(tmp_path: Path) -> None:
    up = (
        "$events = $schema->getTable('events');\n"
        "$events->addForeignKeyConstraint('users', ['user_id'], ['id']);\n"
        "$events->dropIndex('ix_old');\n"
        "$schema->getTable('users')->getColumn('email')->setNotnull(false);"
    )
    down = "$schema->getTable('events')->addIndex(['id'], 'ix_old');"
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.ERROR) == ["constraint-not-valid"]  # events: presumed large
    assert rules(found, Level.WARNING) == ["drop-index-not-concurrent", "drop-not-null"]
    fresh = (
        "$t = $schema->createTable('tags');\n"
        "$t->addForeignKeyConstraint('users', ['user_id'], ['id']);\n$t->addIndex(['id']);"
    )
    found = run(tmp_path, MERGED, {path(V): php(V, fresh, "$schema->dropTable('tags');")})
    assert rules(found) == []


def test_the_merged_symfony_configuration_names_the_database(tmp_path: Path) -> None:
    up = "$schema->getTable('events')->addColumn('age', Types::INTEGER);"
    down = "$schema->getTable('events')->dropColumn('age');"
    env = {".env": 'APP_ENV=dev\nDATABASE_URL="mysql://app:secret@127.0.0.1:3306/app"\n'}
    assert run(tmp_path, {**MERGED, **env}, {path(V): php(V, up, down)}) == []
    found = run(tmp_path, MERGED, {path(V): php(V, up, down)})
    assert rules(found, Level.ERROR) == ["add-required-column"]


def test_an_edit_leaving_sql_and_schema_calls_alone_warns(tmp_path: Path) -> None:
    fill = php(
        "20240104000000",
        "$this->addSql('UPDATE users SET email = lower(nick) WHERE email IS NULL');",
        "// rows cannot be changed back\n",
    )
    base = {**MERGED, path("20240104000000"): fill}
    edited = fill.replace(
        "$this->addSql('UPDATE", "$this->skipIf(false);\n        $this->addSql('UPDATE"
    )
    found = run(tmp_path, base, {path("20240104000000"): edited})
    assert "history-rewritten" in rules(found, Level.WARNING)  # beside the merged empty-down
    assert rules(found, Level.ERROR) == []
    changed = fill.replace("lower(nick)", "upper(nick)")
    found = run(tmp_path, base, {path("20240104000000"): changed})
    assert rules(found, Level.ERROR) == ["history-rewritten"]
