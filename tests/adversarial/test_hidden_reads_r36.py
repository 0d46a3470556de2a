"""Reads a PR could hide from the env-vars check before this round, each now blocked: a
variable read through a Rust macro named for the environment (trieve's ``get_env!``, a
miss of round 32), and one read by a settings field whose type is defined in the
repository, which must not pass as a library object kept on the settings."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

ENV_ONLY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"


def test_a_variable_read_through_an_env_macro_blocks(attack: AttackFactory) -> None:
    src = (
        "macro_rules! get_env {\n    ($name:expr, $msg:expr) => {\n"
        "        std::env::var($name).expect($msg)\n    };\n}\n\n"
        "pub fn url() -> String {\n"
        '    get_env!("CLICKHOUSE_URL", "CLICKHOUSE_URL should be set")\n}\n'
    )
    verdict = attack(ENV_ONLY, {"README.md": "# app\n"}, {"server/src/lib.rs": src}).judge()
    assert_blocked(verdict, "env-vars/undocumented")


def test_a_settings_field_of_the_repositorys_own_type_still_blocks(
    attack: AttackFactory,
) -> None:
    head = {
        "app/__init__.py": "",
        "app/kinds.py": "import enum\n\n\nclass Kind(str, enum.Enum):\n    A = 'a'\n",
        "app/settings.py": (
            "from pydantic import BaseSettings\n\nfrom app.kinds import Kind\n\n\n"
            "class Settings(BaseSettings):\n    billing_kind: Kind = None\n"
        ),
    }
    verdict = attack(ENV_ONLY, {"README.md": "# app\n"}, head).judge()
    assert_blocked(verdict, "env-vars/undocumented")
