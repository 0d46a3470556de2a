"""Attacks on round 33's relaxations, each mimicking one to carry a real problem through:

- a shell expansion's fallback is judged alone: a secret written as the fallback blocks;
- a bandit finding is matched a second time on its node with the strings emptied: a
  flagged call that now interpolates something else is new;
- a SQLite down that puts a column back nullable is a leftover warning: one that puts it
  back with another type still fails the round trip;
- an integer column whose rows equal to TRUE were marked still loses its other values;
- Rails' add_reference is read for its index and key: ``index: false`` does not hide the
  foreign key it still validates on a large table.

They guard the relaxations, so most also pass on the code before this round.
"""

from __future__ import annotations

from gatekeeper.model import Level
from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    UnreleasedEdit,
    assert_blocked,
)
from tests.fake_tokens import RANDOM

BANDIT_ONLY = """\
version: 1
checks:
  security: {secrets: false, dependencies: false, sensitive: false}
"""
MIGRATIONS = """\
version: 1
checks:
  migrations: {roundtrip: sqlite}
"""
RAILS = """\
version: 1
checks:
  migrations: {roundtrip: "off"}
"""


def test_a_secret_written_as_a_shell_fallback_still_blocks(attack: AttackFactory) -> None:
    script = f'#!/bin/sh\nAPI_SECRET="${{API_SECRET:-{RANDOM}}}"\nexec app\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"docker/entrypoint": script}).judge()
    assert_blocked(verdict, GENERIC_SECRET)


TAGS = (
    "from django.utils.safestring import mark_safe\n\n\n"
    "def link(identifier, label):\n"
    "    return mark_safe(f'<a href=\"{identifier}\">{identifier}</a>')\n"
)


def test_a_flagged_call_made_to_interpolate_user_input_still_blocks(
    attack: AttackFactory,
) -> None:
    head = TAGS.replace("{identifier}</a>", "{label}</a>")
    verdict = attack(BANDIT_ONLY, {"app/tags.py": TAGS}, {"app/tags.py": head}).judge()
    assert_blocked(verdict, "security/bandit-b308")


SCHEMA = "CREATE TABLE repos (id integer PRIMARY KEY, importing boolean NOT NULL DEFAULT false);"


def test_a_down_that_restores_a_column_retyped_still_fails(attack: AttackFactory) -> None:
    base = {"db/1_init.up.sql": SCHEMA, "db/1_init.down.sql": "DROP TABLE repos;"}
    head = {
        "db/2_drop.up.sql": "ALTER TABLE repos DROP COLUMN importing;",
        "db/2_drop.down.sql": "ALTER TABLE repos ADD COLUMN importing text;",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/roundtrip-failed")


def test_an_integer_marked_like_a_flag_still_blocks_its_drop(attack: AttackFactory) -> None:
    policy = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: sqlite}\n"
    base = {
        "db/1_init.up.sql": "CREATE TABLE repos (id integer PRIMARY KEY, tier integer);",
        "db/1_init.down.sql": "DROP TABLE repos;",
    }
    head = {
        "app/tiers.py": "PAID = 1\n",
        "db/2_state.up.sql": (
            "ALTER TABLE repos ADD COLUMN paid boolean;\n"
            "UPDATE repos SET paid = TRUE WHERE tier = TRUE;\n"
            "ALTER TABLE repos DROP COLUMN tier;"
        ),
        "db/2_state.down.sql": "ALTER TABLE repos ADD COLUMN tier integer;",
    }
    assert_blocked(attack(policy, base, head).judge(), "migrations/drop-column")


def test_a_reference_without_its_index_still_validates_its_key(attack: AttackFactory) -> None:
    migration = (
        "class AddUploadToEvents < ActiveRecord::Migration[8.0]\n"
        "  def change\n"
        "    add_reference :events, :upload, index: false, foreign_key: true\n"
        "  end\nend\n"
    )
    base = {"config/database.yml": "production:\n  adapter: postgresql\n"}
    head = {"db/migrate/20250513184040_add_upload_to_events.rb": migration}
    assert_blocked(attack(RAILS, base, head).judge(), "migrations/constraint-not-valid")


SERIES = {"db/V1__schema.sql": "CREATE TABLE tc_actions (id bigint, at timestamptz NOT NULL);"}
TIMESCALE = (
    "SELECT create_hypertable('tc_actions', 'at', if_not_exists => TRUE);\n"
    "SET lock_timeout = '2s';\nCREATE INDEX ix_actions_at ON tc_actions (at);\n"
)
POSTGRES = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"


def _index_levels(verdict: object) -> list[Level]:
    return [
        r.finding.level
        for r in verdict.results  # type: ignore[attr-defined]
        if r.finding.qualified_rule == "migrations/index-not-concurrent"
    ]


def test_a_hypertable_the_judged_file_makes_does_not_size_its_own_index(
    unreleased_edit: UnreleasedEdit,
) -> None:
    # traccar 8040a23fd9: one unreleased changelog makes tc_actions a hypertable in one
    # branch and indexes it plainly in another; the file does not size itself
    merged = {"db/V2__timescale.sql": TIMESCALE.split("\n", maxsplit=1)[0] + "\n"}
    head = {"db/V2__timescale.sql": TIMESCALE}
    verdict = unreleased_edit(POSTGRES, SERIES, merged, head).judge()
    assert _index_levels(verdict) == [Level.WARNING]


def test_a_hypertable_an_earlier_file_made_still_sizes_the_index(attack: AttackFactory) -> None:
    base = {**SERIES, "db/V2__timescale.sql": TIMESCALE.split("\n", maxsplit=1)[0] + "\n"}
    head = {"db/V3__index.sql": "SET lock_timeout = '2s';\nCREATE INDEX ix_at ON tc_actions (at);"}
    assert_blocked(attack(POSTGRES, base, head).judge(), "migrations/index-not-concurrent")


ENVVARS = "version: 1\nchecks:\n  env-vars: {}\n"


def test_a_variable_hidden_behind_a_java_constant_still_blocks(attack: AttackFactory) -> None:
    # before round 33 a read through a constant was a computed name (info only)
    java = (
        "package org.example;\n\npublic class Settings {\n"
        '    static final String DIR_VAR = "APP_LOGGING_DIR";\n'
        "    static String dir() { return System.getenv(DIR_VAR); }\n}\n"
    )
    head = {"src/main/java/org/example/Settings.java": java}
    verdict = attack(ENVVARS, {"README.md": "# app\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
