"""``roundtrip: auto`` (the default): each chain on its own database's engine.

PostgreSQL chains, and chains SQLite cannot prove, run on a real scratch PostgreSQL the
check starts from the local binaries (``pg_url`` only proves they work here, and skips
where they do not); without PostgreSQL here the SQLite verdict stands and says how to
have PostgreSQL judge.
"""

from __future__ import annotations

import pytest

from gatekeeper.checks.migrations import MigrationsCheck, engines, postgres, runconfig
from gatekeeper.model import Finding
from gatekeeper.testing import changeset, context

#: a goose chain only PostgreSQL runs (CREATE TYPE): SQLite stops at its first file
BASE = {
    "db/migrations/00001_init.sql": (
        "-- +goose Up\nCREATE TYPE mood AS ENUM ('calm', 'angry');\n"
        "CREATE TABLE person (id int PRIMARY KEY);\n"
        "-- +goose Down\nDROP TABLE person;\nDROP TYPE mood;\n"
    ),
}
NEW = "db/migrations/00002_mood.sql"
#: the down drops the type before the column that uses it: PostgreSQL refuses
BROKEN = {
    NEW: "-- +goose Up\nALTER TABLE person ADD COLUMN m mood;\n"
    "-- +goose Down\nDROP TYPE mood;\nALTER TABLE person DROP COLUMN m;\n"
}
GOOD = {
    NEW: "-- +goose Up\nALTER TABLE person ADD COLUMN m mood;\n"
    "-- +goose Down\nALTER TABLE person DROP COLUMN m;\n"
}
QUIET = {"safety": False}


def _run(base: dict[str, str], head: dict[str, str], **config: object) -> list[Finding]:
    ctx = context(changeset(base, {**base, **head}), {**QUIET, **config})
    return list(MigrationsCheck().run(ctx))


def _roundtrip(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.startswith("roundtrip")]


@pytest.fixture
def no_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PostgreSQL here: no binaries found, no server named in the environment."""
    monkeypatch.setattr(postgres, "find_binaries", lambda: None)
    monkeypatch.delenv(runconfig.URL_VARIABLE, raising=False)


def test_the_default_is_auto() -> None:
    assert runconfig.Settings.read({}).configured == "auto"


def test_a_postgres_only_chain_with_a_broken_down_fails_under_the_default(pg_url: str) -> None:
    (finding,) = _roundtrip(_run(BASE, BROKEN))
    assert finding.rule == "roundtrip-failed"
    assert "on postgres" in finding.message
    assert "cannot drop type mood because other objects depend on it" in finding.message


def test_the_same_chain_with_a_good_down_passes(pg_url: str) -> None:
    ctx = context(changeset(BASE, {**BASE, **GOOD}), QUIET)
    assert _roundtrip(list(MigrationsCheck().run(ctx))) == []
    assert "roundtrip on postgres: 1 proven on postgres" in ctx.summary


def test_without_postgres_it_is_not_run_and_says_how_to_run_it(no_postgres: None) -> None:
    (finding,) = _roundtrip(_run(BASE, BROKEN))
    assert finding.rule == "roundtrip-not-run"
    assert 'near "TYPE": syntax error' in finding.message
    for advice in ("install PostgreSQL", "database_url", "roundtrip: postgres"):
        assert advice in finding.message


def test_an_explicit_sqlite_keeps_todays_behaviour(pg_url: str) -> None:
    (finding,) = _roundtrip(_run(BASE, BROKEN, roundtrip="sqlite"))
    assert finding.rule == "roundtrip-not-run"
    assert finding.message.endswith('near "TYPE": syntax error')


def test_a_sqlite_chain_stays_on_sqlite(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(engines.postgres, "ScratchServer", lambda *a: started.append(a))
    base = {"db/1_a.up.sql": "CREATE TABLE a (id int);", "db/1_a.down.sql": "DROP TABLE a;"}
    head = {"db/2_b.up.sql": "CREATE TABLE b (id int);", "db/2_b.down.sql": "DROP TABLE b;"}
    ctx = context(changeset(base, {**base, **head}), QUIET)
    assert _roundtrip(list(MigrationsCheck().run(ctx))) == []
    assert "roundtrip on sqlite: 1 proven on sqlite" in ctx.summary
    assert started == []  # no server started for a chain SQLite proves


def test_one_scratch_server_for_every_chain_that_needs_one(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[postgres.ScratchServer] = []

    class Counted(postgres.ScratchServer):
        def start(self) -> str:
            started.append(self)
            return super().start()

    monkeypatch.setattr(engines.postgres, "ScratchServer", Counted)
    other = {k.replace("db/", "other/"): v for k, v in {**BASE, **GOOD}.items()}
    base = {**BASE, **{k: v for k, v in other.items() if "00001" in k}}
    head = {**GOOD, **other}
    assert _roundtrip(_run(base, head)) == []
    assert len(started) == 1


def test_a_missing_extension_is_not_run_never_failed(pg_url: str) -> None:
    head = {
        NEW: "-- +goose Up\nCREATE EXTENSION IF NOT EXISTS gk_no_such_extension;\n"
        "ALTER TABLE person ADD COLUMN m mood;\n"
        "-- +goose Down\nDROP TYPE mood;\n"
    }
    (finding,) = _roundtrip(_run(BASE, head))
    assert finding.rule == "roundtrip-not-run"
    assert "gk_no_such_extension" in finding.message
    assert "not installed or not created on this server" in finding.message


def test_an_extension_type_the_chain_takes_for_granted_is_not_run(pg_url: str) -> None:
    head = {
        NEW: "-- +goose Up\nALTER TABLE person ADD COLUMN shape geometry(Point, 4326);\n"
        "-- +goose Down\nALTER TABLE person DROP COLUMN shape;\n"
    }
    (finding,) = _roundtrip(_run(BASE, head))
    assert finding.rule == "roundtrip-not-run"
    assert 'type "geometry" does not exist' in finding.message


def test_a_tablespace_or_role_this_server_lacks_is_not_run(pg_url: str) -> None:
    head = {
        NEW: "-- +goose Up\nCREATE TABLE fast (id int) TABLESPACE gk_ssd;\n"
        "-- +goose Down\nDROP TABLE fast;\n"
    }
    (finding,) = _roundtrip(_run(BASE, head))
    assert finding.rule == "roundtrip-not-run"
    assert 'tablespace "gk_ssd" does not exist' in finding.message
    head = {
        NEW: "-- +goose Up\nCREATE SCHEMA app AUTHORIZATION gk_app_owner;\n"
        "-- +goose Down\nDROP SCHEMA app;\n"
    }
    (finding,) = _roundtrip(_run(BASE, head))
    assert finding.rule == "roundtrip-not-run"
    assert "a role this server does not have" in finding.message


def test_grants_and_owners_naming_absent_roles_do_not_stop_the_round_trip(pg_url: str) -> None:
    # in a BEGIN block too: the skipped GRANT must not abort the file's transaction
    head = {
        NEW: "-- +goose Up\nBEGIN;\nALTER TABLE person ADD COLUMN m mood;\n"
        "GRANT SELECT ON person TO gk_reader;\nALTER TABLE person OWNER TO gk_app_owner;\n"
        "COMMIT;\n-- +goose Down\nDROP TYPE mood;\nALTER TABLE person DROP COLUMN m;\n"
    }
    (finding,) = _roundtrip(_run(BASE, head))
    assert finding.rule == "roundtrip-failed"  # the broken down is still found
    assert "cannot drop type mood" in finding.message


def test_a_dialectless_chain_sqlite_fails_on_is_judged_by_postgres(pg_url: str) -> None:
    base = {
        "db/1_a.up.sql": "CREATE TABLE a (id int, c int);\nCREATE INDEX ix ON a (c);",
        "db/1_a.down.sql": "DROP TABLE a;",
    }
    # SQLite refuses to drop an indexed column; PostgreSQL drops its index with it
    head = {
        "db/2_b.up.sql": "ALTER TABLE a DROP COLUMN c;",
        "db/2_b.down.sql": "ALTER TABLE a ADD COLUMN c int;\nCREATE INDEX ix ON a (c);",
    }
    (on_sqlite,) = _roundtrip(_run(base, head, roundtrip="sqlite"))
    assert on_sqlite.rule == "roundtrip-failed"
    assert _roundtrip(_run(base, head)) == []


def test_sql_neither_engine_parses_is_not_run(pg_url: str) -> None:
    base = {"db/1_a.up.sql": "CREATE TABLE a (id int);", "db/1_a.down.sql": "DROP TABLE a;"}
    head = {
        "db/2_b.up.sql": "ALTER TABLE a MODIFY b int NOT NULL;",
        "db/2_b.down.sql": "ALTER TABLE a DROP COLUMN b;",
    }
    (finding,) = _roundtrip(_run(base, head))
    assert finding.rule == "roundtrip-not-run"
    assert "neither SQLite nor PostgreSQL parses its up" in finding.message


def test_per_database_postgres_files_run_on_postgres(pg_url: str) -> None:
    base = {
        "m/1_a.up.sql": "CREATE TABLE a (id int);",
        "m/1_a.down.sql": "DROP TABLE a;",
        "m/1_a.sqlite3.up.sql": "CREATE TABLE a (id int);",
    }
    head = {
        "m/2_b.postgres.up.sql": "CREATE TYPE k AS ENUM ('x');\nALTER TABLE a ADD COLUMN k k;",
        "m/2_b.postgres.down.sql": "DROP TYPE k;\nALTER TABLE a DROP COLUMN k;",
    }
    (finding,) = _roundtrip(_run(base, head))
    assert finding.rule == "roundtrip-failed"
    assert "on postgres (postgres files)" in finding.message


def test_a_down_that_fails_on_sqlite_fails_on_postgres_too(pg_url: str) -> None:
    base = {"db/1_a.up.sql": "CREATE TABLE a (id int);", "db/1_a.down.sql": "DROP TABLE a;"}
    head = {"db/2_b.up.sql": "CREATE TABLE b (id int);", "db/2_b.down.sql": "DROP TABLE a;"}
    (finding,) = _roundtrip(_run(base, head))
    assert finding.rule == "roundtrip-failed"
    assert "on postgres: after up then down the schema differs" in finding.message


def test_per_database_postgres_files_without_postgres_say_how(no_postgres: None) -> None:
    base = {
        "m/1_a.up.sql": "CREATE TABLE a (id int);",
        "m/1_a.down.sql": "DROP TABLE a;",
        "m/1_a.sqlite3.up.sql": "CREATE TABLE a (id int);",
    }
    head = {
        "m/2_b.postgres.up.sql": "ALTER TABLE a ADD COLUMN k int;",
        "m/2_b.postgres.down.sql": "ALTER TABLE a DROP COLUMN k;",
    }
    (finding,) = _roundtrip(_run(base, head))
    assert finding.rule == "roundtrip-other-dialect"
    assert "install PostgreSQL" in finding.message


def test_a_prisma_chain_for_postgresql_runs_on_postgres(pg_url: str) -> None:
    folder = "prisma/migrations"
    base = {
        f"{folder}/migration_lock.toml": 'provider = "postgresql"\n',
        f"{folder}/20240101000000_init/migration.sql": 'CREATE TABLE "User" ("id" INT);\n',
    }
    head = {
        f"{folder}/20240102000000_mood/migration.sql": (
            "CREATE TYPE \"Mood\" AS ENUM ('A');\n"
            'ALTER TABLE "User" ADD COLUMN "mood" "Mood" NOT NULL DEFAULT \'A\';\n'
        ),
    }
    ctx = context(changeset(base, {**base, **head}), QUIET)
    assert _roundtrip(list(MigrationsCheck().run(ctx))) == []
    assert "proven on postgres" in ctx.summary or "up only" in str(ctx.details)


def test_a_server_that_cannot_start_is_not_run_not_an_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: postgres.ScratchServer) -> str:
        raise postgres.ServerError("initdb failed: no space left on device")

    monkeypatch.setattr(postgres.ScratchServer, "start", refuse)
    (finding,) = _roundtrip(_run(BASE, BROKEN))
    assert finding.rule == "roundtrip-not-run"
    assert "no space left on device" in finding.message
    assert 'near "TYPE": syntax error' in finding.message  # SQLite's reason stays


#: a parent PostgreSQL cannot fully apply here (it needs a table a Go migration made)
PARTIAL_BASE = {
    **BASE,
    "db/migrations/00002_code.sql": "-- +goose Up\nALTER TABLE made_in_go ADD COLUMN x int;\n"
    "-- +goose Down\nALTER TABLE made_in_go DROP COLUMN x;\n",
}


def test_on_a_partial_chain_a_down_postgres_refuses_still_fails(pg_url: str) -> None:
    head = {"db/migrations/00003_mood.sql": BROKEN[NEW]}
    (finding,) = _roundtrip(_run(PARTIAL_BASE, head))
    assert finding.rule == "roundtrip-failed"
    assert "cannot drop type mood" in finding.message
    assert 'relation "made_in_go" does not exist' in finding.message  # says how far it got


def test_on_a_partial_chain_what_the_missing_part_may_explain_is_not_run(pg_url: str) -> None:
    up_needs_it = {
        "db/migrations/00003_x.sql": "-- +goose Up\nCREATE INDEX ix ON made_in_go (x);\n"
        "-- +goose Down\nDROP INDEX ix;\n"
    }
    down_needs_it = {
        "db/migrations/00003_x.sql": "-- +goose Up\nALTER TABLE person ADD COLUMN y int;\n"
        "-- +goose Down\nALTER TABLE person DROP COLUMN y;\nDROP INDEX made_in_go_ix;\n"
    }
    for head in (up_needs_it, down_needs_it):
        (finding,) = _roundtrip(_run(PARTIAL_BASE, head))
        assert finding.rule == "roundtrip-not-run", finding.message
        assert "the chain up to the parent failed at db/migrations/00002_code.sql" in (
            finding.message
        )


def test_on_a_partial_chain_a_good_migration_passes(pg_url: str) -> None:
    head = {"db/migrations/00003_mood.sql": GOOD[NEW]}
    assert _roundtrip(_run(PARTIAL_BASE, head)) == []
