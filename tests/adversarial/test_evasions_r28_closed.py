"""Paths round 28 closed, each an attack that turned the gate green before it (every test
here fails on 9d8063f): a setting read through Airflow's configuration, a plain index on a
tracer's spans, an enum value used in the transaction that adds it, a foreign key validated
in the transaction that added it on a large table, and a column dropped while the Prisma
model at base still maps it (the client selects every declared field)."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
ENV = "version: 1\nchecks:\n  env-vars: {}\n"
LOCK = "SET lock_timeout = '2s';\n"


def test_a_new_airflow_option_documented_nowhere_blocks(attack: AttackFactory) -> None:
    dag = "from airflow.configuration import conf\n\nURL = conf.get('app', 'web_url')\n{new}"
    base = {
        "airflow.cfg.example": "[core]\nparallelism = 4\n\n[app]\nweb_url = http://x\n",
        "dags/app.py": dag.format(new=""),
    }
    head = {"dags/app.py": dag.format(new="LIMIT = conf.getint('app', 'parallelism')\n")}
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_plain_index_on_spans_blocks(attack: AttackFactory) -> None:
    base = {
        "db/1_init.up.sql": "CREATE TABLE spans (id bigint, session_id bigint);\n",
        "db/1_init.down.sql": "DROP TABLE spans;\n",
    }
    head = {
        "db/2_ix.up.sql": LOCK + "CREATE INDEX ix_spans_session ON spans (session_id);\n",
        "db/2_ix.down.sql": "DROP INDEX ix_spans_session;\n",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/index-not-concurrent")


GOOSE_INIT = (
    "-- +goose Up\nCREATE TYPE mood AS ENUM ('a', 'b');\n"
    "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, kind text);\n"
    "CREATE TABLE users (id bigint PRIMARY KEY);\n-- +goose Down\nSELECT 1;\n"
)


def _goose(up: str) -> dict[str, str]:
    return {"db/migrations/002_next.sql": f"-- +goose Up\n{LOCK}{up}\n-- +goose Down\nSELECT 1;\n"}


def test_an_enum_value_used_in_its_own_transaction_blocks(attack: AttackFactory) -> None:
    base = {"db/migrations/001_init.sql": GOOSE_INIT}
    head = _goose("ALTER TYPE mood ADD VALUE 'c';\nUPDATE events SET kind = 'c'::mood::text;")
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/enum-value-in-transaction")


def test_validating_in_the_adding_transaction_on_a_large_table_blocks(
    attack: AttackFactory,
) -> None:
    base = {"db/migrations/001_init.sql": GOOSE_INIT}
    head = _goose(
        "ALTER TABLE events ADD CONSTRAINT c FOREIGN KEY (user_id) REFERENCES users (id)"
        " NOT VALID;\nALTER TABLE events VALIDATE CONSTRAINT c;"
    )
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/constraint-not-valid")


def test_a_column_the_prisma_model_still_maps_at_base_blocks(attack: AttackFactory) -> None:
    schema = 'model User {\n  id Int @id\n  picture String? @map("a")\n  @@map("users")\n}\n'
    init = "CREATE TABLE users (id int, a text);"
    base = {
        "prisma/migrations/20240101000000_init/migration.sql": init,
        "prisma/schema.prisma": schema,
        "src/users.ts": "export const all = () => prisma.user.findMany();\n",
    }
    head = {
        "prisma/migrations/20240202000000_d/migration.sql": 'ALTER TABLE "users" DROP COLUMN "a";',
        "prisma/schema.prisma": schema.replace('  picture String? @map("a")\n', ""),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/drop-column")
