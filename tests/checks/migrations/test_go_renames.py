"""A Go migration file renamed in a real git repository: gormigrate and xormigrate know
a migration by the ID its struct carries, goose by the version in the file name."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.testing import context, defaults

XORM = """package migration

import (
    "src.techknowlogick.com/xormigrate"
    "xorm.io/xorm"
)

var fixOrgs = xormigrate.Migration{
    ID: "fix-orgs-users-match",
    MigrateSession: func(sess *xorm.Session) error {
        _, err := sess.Exec(`UPDATE orgs SET is_user = true WHERE name = 'x'`)
        return err
    },
}
"""
GOOSE = """package migrations

import (
    "database/sql"

    "github.com/pressly/goose/v3"
)

func init() {
    goose.AddMigration(upFixOrgs, downFixOrgs)
}

func upFixOrgs(tx *sql.Tx) error {
    _, err := tx.Exec(`ALTER TABLE orgs ADD COLUMN is_user boolean`)
    return err
}

func downFixOrgs(tx *sql.Tx) error {
    _, err := tx.Exec(`ALTER TABLE orgs DROP COLUMN is_user`)
    return err
}
"""


def _rules(git_repo: Any, old: str, new: str, text: str) -> list[str]:
    base = git_repo.commit({old: text})
    head = git_repo.commit({old: None, new: text})
    check = MigrationsCheck()
    config = {**defaults(check), "roundtrip": "off"}
    with changeset_from_git(git_repo.root, base, head) as changes:
        return sorted(f.rule for f in check.run(context(changes, config)))


def test_a_renumbered_xormigrate_file_keeps_its_id(git_repo: Any) -> None:
    folder = "server/store/datastore/migration"
    rules = _rules(git_repo, f"{folder}/019_fix_orgs.go", f"{folder}/018_fix_orgs.go", XORM)
    assert "history-rewritten" not in rules, rules


def test_a_renumbered_goose_file_is_a_new_version(git_repo: Any) -> None:
    rules = _rules(git_repo, "db/migrations/00019_fix.go", "db/migrations/00018_fix.go", GOOSE)
    assert "history-rewritten" in rules, rules


STEPS = "package database\n\nvar m = []string{\n\t``,\n\t`ALTER TABLE a ADD COLUMN b int;`,\n}\n"


def test_the_edited_step_of_a_slice_is_named() -> None:
    from gatekeeper.checks.migrations import godowns

    edited = STEPS.replace("b int", "b bigint")
    assert godowns.edited_step(STEPS, edited) == (2, 5)
    appended = STEPS.replace("int;`,\n", "int;`,\n\t`DROP TABLE a;`,\n")
    assert godowns.edited_step(STEPS, appended) is None
    assert godowns.appends_only(STEPS, appended)
