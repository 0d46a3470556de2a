"""A Doctrine migration (PHP) is reviewed, not skipped: a dropped column blocks, a down
that only looks like one (its code inside a comment or a string) is still empty, and a
configuration the PR writes cannot move the review to another database's rules."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
FOLDER = "migrations"
CODE = {"src/Entity/User.php": "<?php\n// reads users.email and events\n"}


def _php(version: str, up: str, down: str) -> str:
    return (
        "<?php\n\nnamespace DoctrineMigrations;\n\nuse Doctrine\\DBAL\\Schema\\Schema;\n"
        "use Doctrine\\Migrations\\AbstractMigration;\n\n"
        f"final class Version{version} extends AbstractMigration\n{{\n"
        f"    public function up(Schema $schema): void\n    {{\n        {up}\n    }}\n\n"
        f"    public function down(Schema $schema): void\n    {{\n        {down}\n    }}\n}}\n"
    )


BASE = {
    **CODE,
    f"{FOLDER}/Version20240101000000.php": _php(
        "20240101000000",
        "$this->addSql('CREATE TABLE users (id INT, email TEXT)');",
        "$this->addSql('DROP TABLE users');",
    ),
}


def test_a_doctrine_migration_dropping_a_column_blocks(attack: AttackFactory) -> None:
    head = {
        f"{FOLDER}/Version20240201000000.php": _php(
            "20240201000000",
            "$schema->getTable('users')->dropColumn('email');",
            "$this->addSql('ALTER TABLE users ADD email TEXT');",
        )
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/drop-column")


def test_a_down_whose_code_is_in_a_comment_is_empty(attack: AttackFactory) -> None:
    # a NOT NULL column old code's inserts fail on: not an addition a down may skip
    down = "/* } $this->addSql('ALTER TABLE users DROP nick'); { */ $x = '}';"
    up = "$this->addSql('ALTER TABLE users ADD nick TEXT NOT NULL');"
    head = {f"{FOLDER}/Version20240201000000.php": _php("20240201000000", up, down)}
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/empty-down")


def test_a_database_url_the_pr_writes_keeps_postgres_rules(attack: AttackFactory) -> None:
    head = {
        ".env": "DATABASE_URL=mysql://app@db/app\n",
        f"{FOLDER}/Version20240201000000.php": _php(
            "20240201000000",
            "$schema->getTable('users')->addColumn('age', 'integer');",
            "$schema->getTable('users')->dropColumn('age');",
        ),
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), "migrations/add-required-column")
