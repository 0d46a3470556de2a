"""Steps a transaction joins (txsteps.py), Flyway's own detection of a concurrent index
build (txmarkers.py), ``timestamp`` to ``timestamptz`` (coltypes.py) and a Prisma model
still declaring a dropped column (prismaread.py): probe shapes of round 29."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings

INIT = (
    "CREATE TYPE mood AS ENUM ('a', 'b');\n"
    "CREATE TABLE users (id bigint PRIMARY KEY, seen timestamp, team_id bigint);\n"
    "CREATE TABLE teams (id bigint PRIMARY KEY);\n"
    "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, kind text, at timestamp);\n"
)
GOOSE = {"db/migrations/001_init.sql": f"-- +goose Up\n{INIT}\n-- +goose Down\nSELECT 1;\n"}


def _goose(up: str) -> dict[str, str]:
    return {"db/migrations/002_next.sql": f"-- +goose Up\n{up}\n-- +goose Down\nSELECT 1;\n"}


def _pair(up: str) -> dict[str, str]:
    return {"db/migrations/002_next.up.sql": up, "db/migrations/002_next.down.sql": "SELECT 1;\n"}


PAIR_BASE = {"db/migrations/001_init.up.sql": INIT, "db/migrations/001_init.down.sql": "SELECT 1;"}
OFF = {"roundtrip": "off"}


def test_an_enum_value_used_in_its_own_transaction_is_an_error(git_repo: Any) -> None:
    head = _goose("ALTER TYPE mood ADD VALUE 'c';\nUPDATE events SET kind = 'c'::mood::text;")
    found = findings(git_repo, GOOSE, head, **OFF)
    assert [f.level for f in found if "unsafe use" in f.message] == [Level.ERROR]


def test_an_enum_value_named_only_by_ddl_on_the_type_stays_a_warning(git_repo: Any) -> None:
    up = "ALTER TYPE mood ADD VALUE 'c';\nALTER TYPE mood ADD VALUE 'd' AFTER 'c';\n"
    found = findings(git_repo, GOOSE, _goose(up + "COMMENT ON TYPE mood IS 'c';"), **OFF)
    assert errors(found) == []
    assert "enum-value-in-transaction" in {f.rule for f in found}


def test_an_explicit_transaction_joins_the_steps_too(git_repo: Any) -> None:
    up = "BEGIN;\nALTER TYPE mood ADD VALUE 'c';\nSELECT 'c'::mood;\nCOMMIT;\n"
    assert errors(findings(git_repo, PAIR_BASE, _pair(up), **OFF)) == ["enum-value-in-transaction"]


def test_validating_in_the_adding_transaction_is_weighed_by_size(git_repo: Any) -> None:
    add = "ALTER TABLE {t} ADD CONSTRAINT c FOREIGN KEY (team_id) REFERENCES teams (id) NOT VALID;"
    small = _goose(add.format(t="users") + "\nALTER TABLE users VALIDATE CONSTRAINT c;")
    found = findings(git_repo, GOOSE, small, **OFF)
    assert errors(found) == []
    assert "constraint-not-valid" in {f.rule for f in found}


def test_validating_in_a_transaction_of_its_own_passes(git_repo: Any) -> None:
    up = (
        "BEGIN;\nALTER TABLE events ADD CONSTRAINT c FOREIGN KEY (user_id) REFERENCES users (id)"
        " NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE events VALIDATE CONSTRAINT c;\nCOMMIT;\n"
    )
    found = findings(git_repo, PAIR_BASE, _pair(up), **OFF)
    assert "constraint-not-valid" not in {f.rule for f in found}


def test_timestamp_to_timestamptz_warns_on_a_small_table(git_repo: Any) -> None:
    up = "ALTER TABLE users ALTER COLUMN seen TYPE timestamptz;"
    found = findings(git_repo, PAIR_BASE, _pair(up), **OFF)
    assert errors(found) == []
    assert "change-column-type" in {f.rule for f in found}


FLYWAY = {"src/main/resources/db/migration/V1__init.sql": INIT}
V2 = "src/main/resources/db/migration/V2__idx.sql"
LONE = {V2: "CREATE INDEX CONCURRENTLY e_u ON events (user_id);\n"}
SPRING = "spring:\n  flyway:\n    postgresql:\n      transactional-lock: false\n"


def test_flyway_runs_a_lone_concurrent_build_outside_a_transaction(git_repo: Any) -> None:
    base = {**FLYWAY, "src/main/resources/application.yml": SPRING}
    assert errors(findings(git_repo, base, LONE, **OFF)) == []


def test_flyway_with_its_transactional_lock_keeps_the_error(git_repo: Any) -> None:
    assert errors(findings(git_repo, FLYWAY, LONE, **OFF)) == ["concurrent-in-transaction"]


PRISMA_SCHEMA = 'model User {\n  id Int @id\n  picture String? @map("a")\n  @@map("users")\n}\n'
PRISMA = {
    "prisma/migrations/20240101000000_init/migration.sql": "CREATE TABLE users (id int, a text);",
    "prisma/schema.prisma": PRISMA_SCHEMA,
    "src/users.ts": "export const all = () => prisma.user.findMany();\n",
}
PRISMA_DROP = {
    "prisma/migrations/20240202000000_d/migration.sql": 'ALTER TABLE "users" DROP COLUMN "a";',
}


def test_a_prisma_field_the_base_still_declares_is_read(git_repo: Any) -> None:
    head = {
        **PRISMA_DROP,
        "prisma/schema.prisma": PRISMA_SCHEMA.replace('  picture String? @map("a")\n', ""),
    }
    assert errors(findings(git_repo, PRISMA, head, **OFF)) == ["drop-column"]


def test_a_prisma_field_removed_earlier_is_the_contract_step(git_repo: Any) -> None:
    base = {
        **PRISMA,
        "prisma/schema.prisma": PRISMA_SCHEMA.replace('  picture String? @map("a")\n', ""),
    }
    found = findings(git_repo, base, PRISMA_DROP, **OFF)
    assert errors(found) == []
    assert "expand-contract" in {f.rule for f in found}


NN_ADD = "ALTER TABLE events ADD CONSTRAINT kind_nn CHECK (kind IS NOT NULL) NOT VALID;\n"
NN_SET = "ALTER TABLE events ALTER COLUMN kind SET NOT NULL;\n"


def test_set_not_null_after_a_validated_check_scans_nothing(git_repo: Any) -> None:
    base = {
        **PAIR_BASE,
        "db/migrations/002_nn.up.sql": NN_ADD,
        "db/migrations/002_nn.down.sql": "SELECT 1;",
        "db/migrations/003_v.up.sql": "ALTER TABLE events VALIDATE CONSTRAINT kind_nn;",
        "db/migrations/003_v.down.sql": "SELECT 1;",
    }
    head = {"db/migrations/004_s.up.sql": NN_SET, "db/migrations/004_s.down.sql": "SELECT 1;"}
    found = findings(git_repo, base, head, **OFF)
    assert "set-not-null" not in {f.rule for f in found}
