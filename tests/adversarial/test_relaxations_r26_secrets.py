"""Attacks on round 26's relaxations of the secrets part: a key prefix spelled in words
and joined by namespace separators (``casdoor:device_auth:``) is no secret, and a URL to a
local or compose host with a default password, added to an env file the base had, is a
development default.

Each case hides a real credential in the relaxed shape: a token among namespace words, a
value whose separators and name say "prefix" but whose parts are random, a DSN whose host
is local but whose password is strong, or whose password is a default but whose host is
elsewhere. They guard the relaxations, so they pass on the code before this round too.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    assert_blocked,
    blocking_rules,
    text_of,
)
from tests.fake_tokens import AWS, JWT, RANDOM, SLACK, STRIPE

ENV = "security/env-file-committed"


def test_named_tokens_under_a_prefix_name_between_namespace_words_still_block(
    attack: AttackFactory,
) -> None:
    go = (
        f'const stripeKeyPrefix = "billing:stripe:{STRIPE}"\n'
        f'const slackTokenNamespace = "chat:{SLACK}:"\n'
        f'const awsKeyPrefix = "aws/{AWS}/"\n'
        f'const sessionAuthPrefix = "session.{JWT}."\n'
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"object/keys.go": go}).judge()
    assert_blocked(
        verdict,
        "security/secret-stripe-live-key",
        "security/secret-slack-token",
        "security/secret-aws-access-key",
        "security/secret-jwt",
    )
    for token in (STRIPE, SLACK, AWS, JWT):
        assert token not in text_of(verdict)


@pytest.mark.parametrize(
    "value",
    [
        f"casdoor:device_auth:{RANDOM}",  # a random tail after the prefix
        f"{RANDOM[:12].lower()}:device_auth:",  # a lower-cased random head
        "cache:k3j9x2m8q7z4w1:",  # letters and digits interleaved, as generated
        "app:qzvkxmplrtbnwhjd:session:",  # random lower-case letters: no word
        f"casdoor::{RANDOM}",  # a doubled separator before the token
    ],
)
def test_a_random_part_among_namespace_words_still_blocks(
    attack: AttackFactory, value: str
) -> None:
    go = f'const deviceAuthRedisPrefix = "{value}"\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"object/device_auth_store.go": go}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]


def test_a_user_and_password_joined_by_a_colon_still_blocks(attack: AttackFactory) -> None:
    # two parts and a colon under a plain secret's name are basic auth's user:password
    code = 'AUTH = "deploy:tunnel7x"\napi_credentials = "ops:Quarantine9"\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"app/settings.py": code}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET, GENERIC_SECRET]


TEMPLATE = {"server/development.env": "# Example .env file for development\nAPP_MODE=dev\n"}


@pytest.mark.parametrize(
    "line",
    [
        # a strong password on this machine is still a password someone chose
        f"DATABASE_URL=postgresql://postgres:{RANDOM}@localhost/postgres\n",
        f"SVIX_REDIS_DSN=redis://:{RANDOM}@redis:6379\n",
        # default credentials on a host elsewhere open that host to anyone
        "DATABASE_URL=postgresql://postgres:postgres@db.internal.example.com/postgres\n",
        "DATABASE_URL=postgresql://postgres:postgres@34.120.5.17:5432/postgres\n",
        "DATABASE_URL=postgresql://postgres:postgres@localhost.example.com/postgres\n",
        # a credential smuggled past the userinfo: query, second host, percent-encoding
        f"REDIS_URL=redis://localhost:6379/0?password={RANDOM}\n",
        "MONGO_URL=mongodb://root:root@localhost,mongo.example.com/app\n",
        f"DATABASE_URL=postgresql://postgres:post%67res{RANDOM[:6]}@localhost/postgres\n",
        # a default DSN does not hide a secret beside it
        f"DATABASE_URL=postgresql://postgres:postgres@localhost/postgres\nAPI_KEY={RANDOM}\n",
    ],
)
def test_a_dsn_that_is_no_development_default_still_blocks_in_a_template(
    attack: AttackFactory, line: str
) -> None:
    head = {"server/development.env": TEMPLATE["server/development.env"] + line}
    verdict = attack(SECRETS_ONLY, TEMPLATE, head).judge()
    assert_blocked(verdict, ENV)
    assert RANDOM not in text_of(verdict)


def test_a_new_env_file_of_local_defaults_is_still_a_committed_env_file(
    attack: AttackFactory,
) -> None:
    # the relaxation reads what a PR adds to a template the base had; a new .env is whole
    head = {".env": "DATABASE_URL=postgresql://postgres:postgres@localhost/postgres\n"}
    assert_blocked(attack(SECRETS_ONLY, README_ONLY, head).judge(), ENV)
