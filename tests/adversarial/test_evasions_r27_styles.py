"""Attacks that read a new setting, or build an index, in a style the gate did not read
before round 27's probes.

Each style was a way to turn the gate green without hiding anything: a change that starts
reading an undocumented variable through envalid, a Spring placeholder, click's
``envvar=`` or a figment struct, or that builds a plain index through node-pg-migrate,
was simply not seen. Every case blocks now; every case passed on the code before.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
BASE = {"README.md": "# app\n", ".env.example": "APP_PORT=8080\n"}

#: (label, files the change adds): each starts reading SECRET_SAUCE_URL, documented nowhere
READS = [
    (
        "envalid",
        {
            "src/env.ts": (
                "import { cleanEnv, str } from 'envalid'\n"
                "export const env = cleanEnv(process.env, { SECRET_SAUCE_URL: str() })\n"
            )
        },
    ),
    (
        "spring placeholder",
        {"src/main/resources/application.yml": "sauce:\n  url: ${SECRET_SAUCE_URL}\n"},
    ),
    (
        "click envvar",
        {
            "app/cli.py": (
                "import click\n\n\n@click.command()\n"
                "@click.option('--url', envvar='SECRET_SAUCE_URL')\n"
                "def main(url):\n    print(url)\n"
            )
        },
    ),
    (
        "rails erb yaml",
        {"config/sauce.yml": "production:\n  url: <%= ENV['SECRET_SAUCE_URL'] %>\n"},
    ),
    (
        "figment struct",
        {
            "src/config.rs": (
                "use figment::{Figment, providers::Env};\n"
                "use serde::Deserialize;\n\n"
                "#[derive(Deserialize)]\npub struct Config {\n    pub sauce_url: String,\n}\n\n"
                "pub fn load() -> Result<Config, figment::Error> {\n"
                '    Figment::new().merge(Env::prefixed("SECRET_")).extract()\n}\n'
            )
        },
    ),
]


@pytest.mark.parametrize(("label", "head"), READS, ids=[label for label, _ in READS])
def test_a_read_in_a_newly_read_style_is_seen(
    attack: AttackFactory, label: str, head: dict[str, str]
) -> None:
    verdict = attack(ENV, BASE, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")


MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
PGM_BASE = {
    "package.json": '{"name": "app", "dependencies": {"node-pg-migrate": "^7.0.0"}}\n',
    "migrations/1700000000000_events.js": (
        "exports.up = (pgm) => {\n"
        "  pgm.createTable('events', { id: 'id', user_id: 'bigint' });\n};\n\n"
        "exports.down = (pgm) => {\n  pgm.dropTable('events');\n};\n"
    ),
}


def test_a_plain_index_built_through_node_pg_migrate_blocks(attack: AttackFactory) -> None:
    head = {
        "migrations/1700000000001_index.js": (
            "exports.up = (pgm) => {\n  pgm.createIndex('events', 'user_id');\n};\n\n"
            "exports.down = (pgm) => {\n  pgm.dropIndex('events', 'user_id');\n};\n"
        )
    }
    verdict = attack(MIGRATIONS, PGM_BASE, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")
