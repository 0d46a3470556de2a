"""Attacks on round 27's relaxation for log calls in a merged Python migration.

An edit that only rewords, adds or removes a log line of a merged revision (fides
renaming the index in ``logger.info(...)``) no longer rewrites history. Each case shows
a pull request cannot dress a change to what the upgrade runs as a log call: a call
whose arguments run something, a "logger" the project defines or rebinds, a builtin a
star import may shadow. The code before this round blocked these too (it blocked the
honest edits as well); the cases that pass now and failed before are in
tests/checks/migrations/cases/alembic.yml.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
PATH = "app/migrations/versions/a1_init.py"


def _revision(imports: str, upgrade: str) -> str:
    return (
        f"import sqlalchemy as sa\nfrom alembic import op\n{imports}\n"
        "revision = 'a1'\ndown_revision = None\n\n\n"
        f"def upgrade():\n    op.create_index('ix', 't', ['a'])\n    {upgrade}\n\n\n"
        "def downgrade():\n    op.drop_index('ix', 't')\n"
    )


LOGURU = "from loguru import logger\n"
OLD = _revision(LOGURU, "logger.info('Index created')")


def _judge(attack: AttackFactory, new: str, old: str = OLD) -> None:
    verdict = attack(MIGRATIONS, {PATH: old}, {PATH: new}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_log_call_whose_argument_runs_sql_rewrites_history(attack: AttackFactory) -> None:
    _judge(attack, _revision(LOGURU, "logger.info(op.execute('DROP TABLE audit'))"))


def test_an_f_string_that_calls_something_rewrites_history(attack: AttackFactory) -> None:
    call = "logger.info(f\"{op.get_bind().execute(sa.text('DELETE FROM t'))}\")"
    _judge(attack, _revision(LOGURU, call))


def test_a_logger_the_project_defines_may_do_anything(attack: AttackFactory) -> None:
    # not a logging library's: its info() may run SQL
    old = _revision("from app.db import logger\n", "logger.info('Index created')")
    new = _revision("from app.db import logger\n", "logger.info('DROP TABLE audit')")
    _judge(attack, new, old)


def test_a_logger_rebound_in_the_module_is_not_one(attack: AttackFactory) -> None:
    shim = LOGURU + "logger = op\n"
    old = _revision(shim, "logger.info('Index created')")
    _judge(attack, _revision(shim, "logger.execute('DROP TABLE audit')"), old)
    _judge(attack, _revision(shim, "logger.info('DROP TABLE audit')"), old)


def test_a_logger_bound_by_an_upgrade_parameter_is_not_one(attack: AttackFactory) -> None:
    old = OLD.replace("def upgrade():", "def upgrade(logger=op):")
    new = old.replace("logger.info('Index created')", "logger.info('Index ix created')")
    _judge(attack, new, old)


def test_a_method_that_is_not_a_level_is_not_set_aside(attack: AttackFactory) -> None:
    _judge(attack, _revision(LOGURU, "logger.remove()"))


def test_print_under_a_star_import_may_be_anything(attack: AttackFactory) -> None:
    star = "from app.helpers import *\n"
    old = _revision(star, "pass")
    _judge(attack, _revision(star, "print('DROP TABLE audit')"), old)


def test_a_log_line_beside_a_changed_statement_still_blocks(attack: AttackFactory) -> None:
    new = OLD.replace("'Index created'", "'Index ix created'").replace("['a']", "['a', 'b']")
    _judge(attack, new)
