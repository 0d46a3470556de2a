"""Attacks on round 29's one relaxation of the generic rule, and on the limits of its new
bare-value reader.

The relaxation: a base64 value (quoted or bare) that decodes to printable text is judged
by that text, so ``cGFzc3dvcmQ=`` (``password``) in a Kubernetes Secret's ``data:`` is a
placeholder like ``password`` itself. Encoding gives a PR nothing: the text is judged by
the same rule as if it were written plain, so base64 of a random password, of a token of
a named format, or of random bytes still blocks. The bare reader's limits (names that say
metadata, example files) never hide a token of a named format.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    blocking_rules,
)
from tests.checks.security.helpers import rules, run_part
from tests.fake_tokens import GH


def _b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def test_no_random_password_passes_for_text_once_encoded() -> None:
    # the property: base64 of a generated password is judged as that password, which fires
    rng = random.Random(29)
    alphabet = string.ascii_letters + string.digits + "!#%&*+-=?@^_~"
    for n in (12, 16, 20, 24, 32):
        for _ in range(20):
            password = "".join(rng.choice(alphabet) for _ in range(n))
            if password.isalpha():
                continue  # letters alone may spell a word; judged elsewhere
            for path, text in (
                ("k8s/secret.yaml", f"data:\n  password: {_b64(password)}\n"),
                ("app/config.py", f'PASSWORD = "{_b64(password)}"\n'),
            ):
                found = run_part("secrets", README_ONLY, {**README_ONLY, path: text})
                assert rules(found) == ["secret-high-entropy"], (password, path)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # base64 of a random password, quoted in code and bare in a Secret
        ("app/config.py", f'DB_PASSWORD = "{_b64("Vq8#zR2!xL9mWp4T")}"\n'),
        ("k8s/secret.yaml", f"kind: Secret\ndata:\n  password: {_b64('Vq8#zR2!xL9mWp4T')}\n"),
        # base64 of random bytes (an AES key) decodes to no text
        ("k8s/secret.yaml", f"data:\n  encryption_key: {_b64(bytes(range(7, 255, 8)))}\n"),
        # base64 of a GitHub token
        ("k8s/secret.yaml", f"data:\n  token: {_b64(GH)}\n"),
    ],
)
def test_an_encoded_secret_still_blocks(attack: AttackFactory, path: str, text: str) -> None:
    verdict = attack(SECRETS_ONLY, README_ONLY, {path: text}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]


@pytest.mark.parametrize(
    "line",
    [
        # a secret in a secret store reference's place, or after an ARN's resource
        "AWS_SECRET_ACCESS_KEY: op://Zx8kLm2Qp9vRt4Wq/aws/key",
        "DB_PASSWORD: arn:aws:secretsmanager:us-east-1:123456789012:secret:Zx8kLm2Qp9vRt4Wq",
        # a generated password after a user, or after a product's name and a count
        "AUTH_STRING: admin:Zx8kLm2Qp9vR",
        "ADMIN_PASSWORD: Harbor12345Zx8kQ",
        "ADMIN_PASSWORD: parentpassword1!Zx8kQ2",
        # a salt is no metadata: Rails' key derivation salt is a secret
        "ENCRYPTION_KEY_DERIVATION_SALT: q3pkZx8kLm2Qp9vRt4WqAb3dE6gHPf7x",
    ],
)
def test_a_secret_dressed_as_a_reference_or_default_still_blocks(
    attack: AttackFactory, line: str
) -> None:
    yml = "services:\n  app:\n    environment:\n      " + line + "\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"docker-compose.yml": yml}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # translations and example folders are not read bare
        ("config/locales/de.yml", f"de:\n  api_token: {GH}\n"),
        ("config/examples/dev.yml", f"api_token: {GH}\n"),
        # a name that says metadata, an example file, a file read only for quoted values
        ("config/app.yml", f"token_url: {GH}\n"),
        ("config/app.example.yml", f"api_token: {GH}\n"),
        (".env.example", f"GITHUB_TOKEN={GH}\n"),
        ("docs/setup.md", f"export GITHUB_TOKEN={GH}\n"),
        ("meta.yml", f"author: {GH}\n"),
    ],
)
def test_a_named_token_where_bare_values_are_not_judged_still_blocks(
    attack: AttackFactory, path: str, text: str
) -> None:
    verdict = attack(SECRETS_ONLY, README_ONLY, {path: text}).judge()
    assert "security/secret-github-token" in blocking_rules(verdict)
