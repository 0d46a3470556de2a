"""Attacks on round 26's relaxations of the generic secret rule: a value that spells its
own name (``USER_API_KEY_CREATE__SUCCESS: 'USER_API_KEY_CREATE__SUCCESS'``), an
identifier spelled in words (``OAuth2EndpointAuth``) and a phrase of a human language
(``API-nøgle``) are no generated secrets.

Generated keys must not pass for any of them: random base62 and base64url strings of
many lengths (a fixed seed, so the property holds the same way on every run), the token
formats we name, and words with a random tail. A value under a password's name keeps
being judged, since people choose passwords in words.
"""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.checks.security.secret_formats import (
    entropy,
    looks_random,
    spelled_identifier,
    symbolic_constant,
)
from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    assert_blocked,
    blocking_rules,
    text_of,
)
from tests.fake_tokens import AWS, GH, JWT, SLACK, STRIPE

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"[:6] + "Zx8kLm2Qp9vRt4Wq7H"
HEX = "f0cb4953bec053e6e616" + "febf2c2392ff60bd02c4"

BASE62 = string.ascii_letters + string.digits
BASE64URL = BASE62 + "-_"
LENGTHS = (8, 10, 12, 16, 20, 24, 32, 40, 64)


def _draws(alphabet: str, seed: int, per_length: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(alphabet) for _ in range(n)) for n in LENGTHS for _ in range(per_length)
    ]


@pytest.mark.parametrize(("alphabet", "seed"), [(BASE62, 2026), (BASE64URL, 26)])
def test_no_random_draw_passes_for_an_identifier_or_a_phrase(alphabet: str, seed: int) -> None:
    # the property: the relaxations accept no generated key, whatever its length
    for value in _draws(alphabet, seed):
        for name in ("api_key", "authToken", "client_secret", "oauth2_endpoint_auth"):
            assert not spelled_identifier(name, value), value
            assert not symbolic_constant(name, value), value
        if not value.isalpha():
            # letters alone under twenty are words to the rule since before this round
            assert looks_random(value), value


def test_random_keys_in_a_constants_file_all_still_block(attack: AttackFactory) -> None:
    # the same draws end to end, in the file the relaxation was made for; letters alone
    # and values of low entropy were let through before this round
    draws = _draws(BASE62, 7, per_length=8)
    values = [v for v in draws if len(v) >= 12 and not v.isalpha() and entropy(v) >= 3][:40]
    js = "export default {\n" + "".join(
        f"  SERVICE_{i}_API_KEY: '{v}',\n" for i, v in enumerate(values)
    )
    verdict = attack(
        SECRETS_ONLY, README_ONLY, {"client/src/constants/ActionTypes.js": js + "};\n"}
    )
    found = blocking_rules(verdict.judge())
    assert found == [GENERIC_SECRET] * len(values)


def test_named_token_formats_under_identifier_names_still_block(attack: AttackFactory) -> None:
    # a named format is found whatever the name or the shape of its neighbours
    code = (
        f'AWS_ACCESS_KEY_ID = "{AWS}"\n'
        f'SLACK_BOT_TOKEN = "{SLACK}"\n'
        f'STRIPE_API_KEY = "{STRIPE}"\n'
        f'GITHUB_TOKEN = "{GH}"\n'
        f'AUTH_HEADER = "Bearer {JWT}"\n'
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"app/settings.py": code}).judge()
    assert_blocked(
        verdict,
        "security/secret-aws-access-key",
        "security/secret-slack-token",
        "security/secret-stripe-live-key",
        "security/secret-github-token",
        "security/secret-jwt",
    )
    for token in (AWS, SLACK, STRIPE, GH, JWT):
        assert token not in text_of(verdict)


@pytest.mark.parametrize(
    "line",
    [
        # a generated key under an identifier's name, in a constants file's shape
        f"  AWS_SECRET_ACCESS_KEY: '{AWS_SECRET}',\n",
        f"  SIGNING_SECRET: '{HEX}',\n",
        # words, then a random tail: every word must read as one
        "  OAUTH2_ENDPOINT_AUTH: 'OAuth2EndpointAuthZx8kLm2Q',\n",
        "  authToken: 'OAuth2Zx8kLm2Qp9vRt',\n",
        "  authToken: 'Zx8kLmQpVvRtWq2Endpoint',\n",
        # an identifier in the key's place, the key in the value's
        "  USER_API_KEY_CREATE__SUCCESS: 'USER_API_KEY_CREATE__Zx8kLm2Qp9vR',\n",
        # a password in words is what a person chooses
        "  adminPassword: 'CorrectHorse42Battery',\n",
        "  DB_PASSWD: 'Summer24Winter.Staple',\n",
        # a generated key behind a word of another script, or in a hyphenated term
        "  apiKey_title: 'ключ-Zx8kLm2Qp9vRt4Wq',\n",
        "  apiKey_title: 'API-Zx8kLm2Qp9vR',\n",
    ],
)
def test_a_key_in_an_identifiers_clothes_still_blocks(attack: AttackFactory, line: str) -> None:
    js = "export default {\n" + line + "};\n"
    verdict = attack(SECRETS_ONLY, README_ONLY, {"client/src/constants/ActionTypes.js": js}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]
