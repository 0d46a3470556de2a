"""A committed env file's version numbers are inert (secret_envfile.py); a PR cannot pass
a credential off as one: under a secret's name, with a token in the suffix, or with more
than a version's digits, the value still blocks."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import SECRETS_ONLY, AttackFactory, assert_blocked


@pytest.mark.parametrize(
    "line",
    [
        "DB_PASSWORD=3.2.4",
        "BUILD=3.2.4-k3j9x8q2m7p4w1z5",
        "BUILD=3.2.4.1.9.2.7",
        "BUILD=31337.20481.65535.2",
    ],
    ids=["secret-name", "token-suffix", "too-many-parts", "wide-parts"],
)
def test_a_credential_dressed_as_a_version_still_blocks(attack: AttackFactory, line: str) -> None:
    head = {".devcontainer/.env": f"# image\n{line}\n"}
    assert_blocked(
        attack(SECRETS_ONLY, {"README.md": "x\n"}, head).judge(), "security/env-file-committed"
    )
