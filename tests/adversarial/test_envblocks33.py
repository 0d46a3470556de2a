"""Attacks on the relaxations of probe envblocks33: a Symfony env parameter is a reference,
not a secret, so a PR author wraps a credential in one; each must still block.

Part-DB's ``access_key: '%env(string:settings:exchange_rate:fixerApiKey)%'`` names where
the value comes from. A random run put in a parameter's place is no name, and a token of a
known format keeps its own rule wherever it sits.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    blocking_rules,
)
from tests.fake_tokens import GH

S = "q8ZrX4vLp2Tn7WcB9kYd"


@pytest.mark.parametrize(
    "value",
    [
        f"%env({S})%",
        f"%env(string:{S})%",
        f"%env(string:settings:fixer:{S})%",
        f"%env(default:{S}:FIXER_KEY)%",
        f"{S}%env(FIXER_KEY)%",
    ],
)
def test_a_random_run_inside_an_env_parameter_still_blocks(
    attack: AttackFactory, value: str
) -> None:
    yml = f"florianv_swap:\n  fixer:\n    access_key: '{value}'\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"config/packages/swap.yaml": yml}).judge()
    assert GENERIC_SECRET in blocking_rules(verdict), value


def test_a_known_token_inside_an_env_parameter_still_blocks(attack: AttackFactory) -> None:
    yml = f"github:\n  token: '%env(string:{GH})%'\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"config/packages/github.yaml": yml}).judge()
    assert blocking_rules(verdict), "a GitHub token wrapped in %env()% passed"


@pytest.mark.parametrize(
    "added",
    [
        # a switch's name over a credential, not over 0 or 1
        f"STRIPE_SECRET_ENABLED={S}\n",
        # an elision after enough of a key to use is no elision
        f'SAML_SP_PRIVATE_KEY="{S}..."\n',
        # capitals under a secret's name
        "ADMIN_PASSWORD=HUNTERTWO\n",
    ],
)
def test_a_credential_in_a_committed_env_file_dressed_as_a_setting_still_blocks(
    attack: AttackFactory, added: str
) -> None:
    base = {".env": "APP_ENV=prod\n", **README_ONLY}
    verdict = attack(SECRETS_ONLY, base, {".env": base[".env"] + added}).judge()
    assert "security/env-file-committed" in blocking_rules(verdict), added


ENV_ONLY = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"


@pytest.mark.parametrize(
    "read",
    [
        # Cargo's prefix on a variable read at run time is the PR's own name
        'std::env::var("CARGO_PKG_API_TOKEN")',
        # a compile-time read of a name Cargo does not set is still a variable
        'env!("STREAMS_API_TOKEN")',
    ],
)
def test_cargos_names_do_not_hide_a_new_variable(attack: AttackFactory, read: str) -> None:
    head = {
        "packages/server/Cargo.toml": "[package]\nname = 'server'\n",
        "packages/server/src/main.rs": (
            f'fn main() {{\n    let v = {read};\n    let n = env!("CARGO_PKG_NAME");\n}}\n'
        ),
    }
    verdict = attack(ENV_ONLY, README_ONLY, head).judge()
    assert "env-vars/undocumented" in blocking_rules(verdict), read
    assert "CARGO_PKG_NAME" not in str([r.finding.message for r in verdict.results])


def test_opentelemetrys_prefix_does_not_hide_a_new_variable(attack: AttackFactory) -> None:
    # only the specification's own names are well known, not every OTEL_ one
    src = 'fn t() {\n    let k = std::env::var("OTEL_EXPORTER_OTLP_API_TOKEN");\n}\n'
    verdict = attack(ENV_ONLY, README_ONLY, {"src/telemetry.rs": src}).judge()
    assert "env-vars/undocumented" in blocking_rules(verdict)


@pytest.mark.parametrize(
    "main",
    [
        # the PR marks the module for tests, but compiles the same file again by #[path]
        '#[cfg(test)]\nmod settings;\n#[path = "settings.rs"]\nmod live_settings;\nfn main() {}\n',
        # for tests in one crate root, for real in the other
        "#[cfg(test)]\nmod settings;\nfn main() {}\n",
    ],
)
def test_a_test_only_declaration_does_not_hide_a_compiled_module(
    attack: AttackFactory, main: str
) -> None:
    head = {
        "src/main.rs": main,
        "src/lib.rs": "pub mod settings;\n" if "path" not in main else "pub fn x() {}\n",
        "src/settings.rs": (
            'pub fn token() -> String {\n    std::env::var("NEW_API_TOKEN").unwrap()\n}\n'
        ),
    }
    verdict = attack(ENV_ONLY, README_ONLY, head).judge()
    assert "env-vars/undocumented" in blocking_rules(verdict)


def test_a_ci_script_reading_the_same_name_does_not_excuse_the_product(
    attack: AttackFactory,
) -> None:
    # the PR reads NEW_API_TOKEN in the product and in a CI script: the product's read blocks
    head = {
        ".github/scripts/smoke.py": 'import os\nos.environ["NEW_API_TOKEN"]\n',
        "app/settings.py": 'import os\nTOKEN = os.environ["NEW_API_TOKEN"]\n',
    }
    verdict = attack(ENV_ONLY, README_ONLY, head).judge()
    assert "env-vars/undocumented" in blocking_rules(verdict)


def test_a_test_compose_stack_does_not_excuse_the_shipped_one(attack: AttackFactory) -> None:
    # the same new variable in the e2e stack and in the compose file the project ships
    env = "services:\n  app:\n    environment:\n      - TOKEN=${NEW_API_TOKEN}\n"
    head = {"compose-e2e-test.yml": env, "docker-compose.yml": env}
    verdict = attack(ENV_ONLY, README_ONLY, head).judge()
    assert "env-vars/undocumented" in blocking_rules(verdict)


def test_a_random_run_under_a_symfony_parameter_path_still_blocks(attack: AttackFactory) -> None:
    yml = f"oauth:\n  private_key: '%kernel.project_dir%/{S}'\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"config/packages/oauth.yaml": yml}).judge()
    assert GENERIC_SECRET in blocking_rules(verdict)
