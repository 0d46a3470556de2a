"""A slice of SQL steps (autobrr's ``postgres_migrate.go``) cannot hide a destructive
step from the gate by building it instead of writing it as a literal, nor rewrite a
merged step while appending a new one."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
APP = {"internal/app/models.go": "package app\n\n// release.title, filter\n"}
PATH = "internal/database/postgres_migrate.go"
STEP1 = "`ALTER TABLE filter ADD COLUMN tags TEXT;`"
STEP2 = "`CREATE TABLE notification (id SERIAL PRIMARY KEY);`"


def _file(*steps: str, extra: str = "") -> str:
    body = "".join(f"\t{s},\n" for s in steps)
    return (
        "package database\n\n"
        'import "fmt"\n\n'
        f"{extra}"
        "const postgresSchema = `CREATE TABLE filter (id SERIAL PRIMARY KEY);`\n\n"
        f"var postgresMigrations = []string{{\n\t``,\n{body}}}\n\n"
        "var _ = fmt.Sprintf\n"
    )


def test_a_drop_built_with_sprintf_in_an_appended_step_blocks(attack: AttackFactory) -> None:
    base = {**APP, PATH: _file(STEP1, STEP2)}
    built = 'fmt.Sprintf("ALTER TABLE %s DROP COLUMN title", `"release"`)'
    head = {**APP, PATH: _file(STEP1, STEP2, built)}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_a_merged_step_edited_beside_a_new_one_blocks(attack: AttackFactory) -> None:
    base = {**APP, PATH: _file(STEP1, STEP2)}
    edited = "`ALTER TABLE filter DROP COLUMN tags;`"
    head = {**APP, PATH: _file(edited, STEP2, "`ALTER TABLE filter ADD COLUMN year INT;`")}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")
