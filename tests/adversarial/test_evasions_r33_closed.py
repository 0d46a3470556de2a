"""Paths this stop closed, each an attack that turned the gate green before it (the first
two fail on 58a779a): a variable read through a bare Dotenvy ``env!`` in an Elixir config
that imports Dotenvy, and one read through ``Dotenvy.env!`` without the import. The last
guards this stop's relaxation of committed env files: a file kept as ``.env.dev.txt`` is a
template, yet a random value in it still blocks as a secret."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV = "version: 1\nchecks:\n  env-vars: {}\n"
SECRETS = "version: 1\nchecks:\n  security: {bandit: false, dependencies: false, secrets: block}\n"
BASE = {"README.md": "x\n", "config/runtime.exs": "import Config\nimport Dotenvy\n"}


def test_a_variable_read_through_dotenvy_env_bang_blocks(attack: AttackFactory) -> None:
    head = {
        "config/runtime.exs": "import Config\nimport Dotenvy\n\n"
        'config :app, token: env!("APP_SIGNING_TOKEN", :string!)\n'
    }
    assert_blocked(attack(ENV, BASE, head).judge(), "env-vars/undocumented")


def test_a_qualified_dotenvy_read_blocks_without_the_import(attack: AttackFactory) -> None:
    base = {"README.md": "x\n", "config/runtime.exs": "import Config\n"}
    head = {
        "config/runtime.exs": "import Config\n\n"
        'config :app, limit: Dotenvy.env!("APP_PURGE_LIMIT", :integer, 100)\n'
    }
    assert_blocked(attack(ENV, base, head).judge(), "env-vars/undocumented")


def test_a_random_key_in_an_env_file_kept_as_text_still_blocks(attack: AttackFactory) -> None:
    head = {"config/.env.dev.txt": "MAPS_API_KEY=Zx8kLm2QwR7tYp4vB9nCq3Wd\n"}
    assert_blocked(
        attack(SECRETS, {"README.md": "x\n"}, head).judge(), "security/secret-high-entropy"
    )
