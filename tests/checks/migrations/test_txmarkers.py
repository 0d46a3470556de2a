"""Migrations run outside a transaction by a tool's setting or a project's runner
(txmarkers.py), judged end to end on real git repositories."""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import make_attack
from tests.conftest import GitRepo

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
CRATE = {
    "server/Cargo.toml": '[package]\nname = "server"\n\n[dependencies]\nsqlx = "0.8"\n',
    "server/migrations/20250101000000_init.up.sql": "CREATE TABLE runs (id bigint, job int);\n",
    "server/migrations/20250101000000_init.down.sql": "DROP TABLE runs;\n",
}
#: a migrator shaped as svix's: a name test on the marker, transactions, execute calls
RUNNER = (
    "use sqlx::Executor;\n"
    'pub const AUTOCOMMIT_SUFFIX: &str = "autocommit";\n'
    "/// runs migrations named ..._autocommit outside of a transaction\n"
    "fn apply(conn: &mut sqlx::PgConnection, m: &Migration) {\n"
    "    if !m.description.ends_with(AUTOCOMMIT_SUFFIX) { return conn.apply(m); }\n"
    "    for stmt in split(&m.sql) { conn.execute(stmt.as_str()); }\n"
    "}\n"
)
CONCURRENT = (
    "SET statement_timeout = 0;\n"
    "SET lock_timeout = '2s';\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_runs_job ON runs (job);\n"
)
MARKED = {
    "server/migrations/20250202000000_runs_job_autocommit.up.sql": CONCURRENT,
    "server/migrations/20250202000000_runs_job_autocommit.down.sql": "DROP INDEX ix_runs_job;\n",
}


def _rules(verdict: Verdict) -> tuple[list[str], list[str]]:
    """(blocking, other) migrations rules of a verdict."""
    blocking, other = [], []
    for outcome in verdict.outcomes:
        for r in outcome.results:
            if r.finding.check == "migrations":
                (blocking if r.blocking else other).append(r.finding.rule)
    return sorted(blocking), sorted(other)


def _judge(
    repo: GitRepo, base: dict[str, str], head: dict[str, str]
) -> tuple[list[str], list[str]]:
    return _rules(make_attack(repo, POLICY, base, head).judge())


def test_a_runner_the_change_ships_takes_its_marked_migration_out_of_the_transaction(
    git_repo: GitRepo,
) -> None:
    head = {**MARKED, "server/src/db/migrator.rs": RUNNER}
    blocking, other = _judge(git_repo, CRATE, head)
    assert blocking == []
    # the runner is the PR's own: a reviewer is told which file decided it
    assert "runner-outside-transaction" in other


def test_a_merged_runner_is_trusted_without_a_warning(git_repo: GitRepo) -> None:
    base = {**CRATE, "server/src/db/migrator.rs": RUNNER}
    blocking, other = _judge(git_repo, base, MARKED)
    assert blocking == []
    assert "runner-outside-transaction" not in other


def test_a_marked_name_without_a_runner_is_still_in_a_transaction(git_repo: GitRepo) -> None:
    blocking, _ = _judge(git_repo, CRATE, MARKED)
    assert blocking == ["concurrent-in-transaction"]


def test_a_runner_for_another_marker_does_not_count(git_repo: GitRepo) -> None:
    head = {**MARKED, "server/src/db/migrator.rs": RUNNER.replace('"autocommit"', '"notx"')}
    blocking, _ = _judge(git_repo, CRATE, head)
    assert blocking == ["concurrent-in-transaction"]


def test_flyway_script_configuration_turns_the_transaction_off(git_repo: GitRepo) -> None:
    base = {"db/migration/V1__init.sql": "CREATE TABLE runs (id bigint, job int);\n"}
    script = "db/migration/V2__runs_job.sql"
    index = "CREATE INDEX CONCURRENTLY ix_runs_job ON runs (job);\n"
    conf = {script + ".conf": "executeInTransaction=false\n"}
    assert _judge(git_repo, base, {script: index, **conf})[0] == []


def test_flyway_without_the_setting_wraps_the_script(git_repo: GitRepo) -> None:
    base = {"db/migration/V1__init.sql": "CREATE TABLE runs (id bigint, job int);\n"}
    script = "db/migration/V2__runs_job.sql"
    index = "CREATE INDEX CONCURRENTLY ix_runs_job ON runs (job);\n"
    conf = {script + ".conf": "executeInTransaction=true\n"}
    assert _judge(git_repo, base, {script: index, **conf})[0] == ["concurrent-in-transaction"]


GOLANG = {
    "db/1_init.up.sql": "CREATE TABLE runs (id bigint, job int);\n",
    "db/1_init.down.sql": "DROP TABLE runs;\n",
}
GOLANG_HEAD = {
    "db/2_ix.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY ix ON runs (job);\n",
    "db/2_ix.down.sql": "DROP INDEX CONCURRENTLY ix;\n",
}


def test_golang_migrate_multi_statement_mode_sends_each_statement_alone(
    git_repo: GitRepo,
) -> None:
    base = {**GOLANG, "cmd/migrate.go": 'const url = "postgres://db/app?x-multi-statement=true"\n'}
    assert _judge(git_repo, base, GOLANG_HEAD)[0] == []


def test_golang_migrate_sends_a_file_as_one_implicit_transaction(git_repo: GitRepo) -> None:
    base = {**GOLANG, "cmd/migrate.go": 'const url = "postgres://db/app?x-multi-statement=false"\n'}
    assert _judge(git_repo, base, GOLANG_HEAD)[0] == ["concurrent-in-transaction"]
