"""A drop on a table no release has shipped warns (unshipped.py), on real git repositories
with release tags; a table a release created, or one whose creation is unknown, blocks."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

CREATE = "CREATE TABLE safeguards (id int PRIMARY KEY, project text);\n"
UP = "SET lock_timeout = '2s';\nALTER TABLE safeguards DROP COLUMN project;\n"
DOWN = "ALTER TABLE safeguards ADD COLUMN project text;\n"
APP = {"app/models.py": "# safeguards: project\n"}  # the code still names it: no contract


def _run(git_repo: Any, *, tag_before_create: bool, tag_after_create: bool = False) -> Finding:
    git_repo.commit({**APP, "db/001_init.up.sql": "CREATE TABLE users (id int);\n",
                     "db/001_init.down.sql": "DROP TABLE users;\n"})  # fmt: skip
    if tag_before_create:
        git_repo.git("tag", "v1.0.0")
    base = git_repo.commit(
        {
            "db/002_safeguards.up.sql": CREATE,
            "db/002_safeguards.down.sql": "DROP TABLE safeguards;\n",
        }
    )
    if tag_after_create:
        git_repo.git("tag", "v1.1.0")
    head = git_repo.commit({"db/003_drop.up.sql": UP, "db/003_drop.down.sql": DOWN})
    check = MigrationsCheck()
    config = {**defaults(check), "roundtrip": "off"}
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, config)))
    drops = [f for f in found if f.rule == "drop-column"]
    assert len(drops) == 1, [f"{f.rule}: {f.message}" for f in found]
    return drops[0]


def test_a_drop_on_a_table_created_since_the_newest_release_warns(git_repo: Any) -> None:
    found = _run(git_repo, tag_before_create=True)
    assert found.level is Level.WARNING
    assert "db/002_safeguards.up.sql, merged since the newest release (v1.0.0)" in found.message


def test_a_drop_on_a_released_table_blocks(git_repo: Any) -> None:
    found = _run(git_repo, tag_before_create=True, tag_after_create=True)
    assert found.level is Level.ERROR


def test_without_release_tags_a_drop_blocks(git_repo: Any) -> None:
    found = _run(git_repo, tag_before_create=False)
    assert found.level is Level.ERROR


def test_a_table_whose_creation_is_not_found_blocks(git_repo: Any) -> None:
    # the table comes from elsewhere (a dump, another chain): nothing says it is unshipped
    git_repo.commit({**APP, "db/001_init.up.sql": "SELECT 1;\n", "db/001_init.down.sql": ""})
    git_repo.git("tag", "v1.0.0")
    base = git_repo.commit({"db/002_other.up.sql": "SELECT 2;\n", "db/002_other.down.sql": ""})
    head = git_repo.commit({"db/003_drop.up.sql": UP, "db/003_drop.down.sql": DOWN})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    assert [f.level for f in found if f.rule == "drop-column"] == [Level.ERROR]


LB = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
{body}
</databaseChangeLog>
"""


def test_a_liquibase_table_created_since_the_release_is_unshipped(git_repo: Any) -> None:
    create = (
        '  <changeSet author="a" id="1">\n    <createTable tableName="tc_safeguards">\n'
        '      <column name="id" type="INT"/>\n      <column name="project" type="TEXT"/>\n'
        "    </createTable>\n  </changeSet>"
    )
    drop = (
        '  <changeSet author="a" id="2">\n'
        '    <dropColumn tableName="tc_safeguards" columnName="project"/>\n'
        '    <rollback><addColumn tableName="tc_safeguards"><column name="project" type="TEXT"/>'
        "</addColumn></rollback>\n  </changeSet>"
    )
    git_repo.commit({**APP, "schema/changelog-1.0.xml": LB.format(body="")})
    git_repo.git("tag", "v1.0.0")
    base = git_repo.commit({"schema/changelog-1.1.xml": LB.format(body=create)})
    head = git_repo.commit({"schema/changelog-1.2.xml": LB.format(body=drop)})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    drops = [f for f in found if f.rule == "drop-column"]
    assert [f.level for f in drops] == [Level.WARNING], [f"{f.rule}: {f.message}" for f in found]
    assert "schema/changelog-1.1.xml, merged since the newest release (v1.0.0)" in drops[0].message


def test_a_table_a_released_migration_names_is_shipped(git_repo: Any) -> None:
    # an idempotent create since the release proves nothing when a released file has it
    first = "CREATE TABLE IF NOT EXISTS safeguards (id int);\n"
    git_repo.commit({**APP, "db/001_init.up.sql": first,
                     "db/001_init.down.sql": "DROP TABLE safeguards;\n"})  # fmt: skip
    git_repo.git("tag", "v1.0.0")
    again = "CREATE TABLE IF NOT EXISTS safeguards (id int, project text);\n"
    base = git_repo.commit({"db/002_again.up.sql": again, "db/002_again.down.sql": "SELECT 1;\n"})
    head = git_repo.commit({"db/003_drop.up.sql": UP, "db/003_drop.down.sql": DOWN})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    assert [f.level for f in found if f.rule == "drop-column"] == [Level.ERROR]


PRISMA = "prisma/migrations"
FEED = 'CREATE TABLE "FeedChannel" ("id" TEXT NOT NULL, PRIMARY KEY ("id"));\n'
ADD_TEXT = 'ALTER TABLE "FeedChannel" ADD COLUMN "notifyFrequency" TEXT;\n'
RECREATE = (
    'ALTER TABLE "FeedChannel" DROP COLUMN "notifyFrequency",\n'
    'ADD COLUMN "notifyFrequency" "FeedChannelNotifyFrequency" NOT NULL DEFAULT \'day\';\n'
)
SCHEMA = {
    "prisma/schema.prisma": "model FeedChannel {\n  id String @id\n  notifyFrequency String\n}\n"
}


def _prisma_drop(git_repo: Any, *, tag_after_add: bool, named_in_release: bool = False) -> Finding:
    first = FEED + ("-- notifyFrequency planned\n" if named_in_release else "")
    git_repo.commit({**SCHEMA, f"{PRISMA}/20240101000000_init/migration.sql": first})
    git_repo.git("tag", "v1.11.4")
    base = git_repo.commit({f"{PRISMA}/20240713071153_add_notify/migration.sql": ADD_TEXT})
    if tag_after_add:
        git_repo.git("tag", "v1.12.0")
    head = git_repo.commit({f"{PRISMA}/20240713082513_to_enum/migration.sql": RECREATE})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    (drop,) = [f for f in found if f.rule == "drop-column"]
    return drop


def test_a_column_added_since_the_newest_release_is_unshipped(git_repo: Any) -> None:
    # tianji 2ce5597dfe: a text column re-created as an enum the day it was added
    drop = _prisma_drop(git_repo, tag_after_add=False)
    assert drop.level is Level.WARNING
    assert "20240713071153_add_notify/migration.sql, merged since the newest release" in (
        drop.message
    )


def test_a_column_a_release_shipped_keeps_its_drop_error(git_repo: Any) -> None:
    assert _prisma_drop(git_repo, tag_after_add=True).level is Level.ERROR


def test_a_column_a_released_file_names_keeps_its_drop_error(git_repo: Any) -> None:
    # the word in a released migration: the gate cannot tell it was never a column there
    assert _prisma_drop(git_repo, tag_after_add=False, named_in_release=True).level is Level.ERROR


def _squashed(git_repo: Any, *, released: bool) -> Finding:
    """rauthy a38c0d9022: the chain was squashed into one new file after the release; the
    drop's table is unshipped only when no released file of the chain named it."""
    old = CREATE if released else "CREATE TABLE users (id int);\n"
    git_repo.commit({**APP, "db/001_init.up.sql": old, "db/001_init.down.sql": "SELECT 1;\n"})
    git_repo.git("tag", "v1.0.0")
    squash = "CREATE TABLE users (id int);\n" + CREATE
    base = git_repo.commit({"db/001_init.up.sql": None, "db/001_init.down.sql": None,
                            "db/V1__init.up.sql": squash,
                            "db/V1__init.down.sql": "DROP TABLE safeguards;\n"})  # fmt: skip
    head = git_repo.commit({"db/V2__drop.up.sql": UP, "db/V2__drop.down.sql": DOWN})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, base, head) as changes:
        found = list(check.run(context(changes, {**defaults(check), "roundtrip": "off"})))
    (drop,) = [f for f in found if f.rule == "drop-column"]
    return drop


def test_a_table_a_squashed_chain_recreates_was_shipped_by_the_release(git_repo: Any) -> None:
    assert _squashed(git_repo, released=True).level is Level.ERROR


def test_a_squashed_chain_still_tells_a_table_no_release_had(git_repo: Any) -> None:
    assert _squashed(git_repo, released=False).level is Level.WARNING
