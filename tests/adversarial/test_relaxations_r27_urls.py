"""Attacks on round 27's relaxation of the secrets part: an address with no credential in
it (``"social_authorization_host": "https://social.kobobooks.com:8443"``) is no secret,
port or not, whatever the key's name says.

Each case hides a credential in or beside the relaxed shape: a password in the URL's
user information, a token in its query or fragment, a token as the whole userinfo, a
value under a non-network scheme, and a real key under an ``authorization`` name next to
an endpoint map. They must all still block; they pass on the code before this round too.
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
from tests.fake_tokens import RANDOM


@pytest.mark.parametrize(
    "url",
    [
        f"https://social.kobobooks.com:8443/?access_token={RANDOM}",  # a token in the query
        f"https://social.kobobooks.com:8443/cb#token={RANDOM}",  # in the fragment
        f"https://social.kobobooks.com:8443/v1?q={RANDOM}",  # a long token, any name
        f"https://social.kobobooks.com:8443/?sig={RANDOM[:10]}&exp=1",  # a short signature
        f"otpauth://totp/kobo:8443?secret={RANDOM[:16].upper()}",  # no network address
    ],
)
def test_a_token_in_an_endpoint_url_still_blocks(attack: AttackFactory, url: str) -> None:
    kotlin = f'val resources = """{{\n    "social_authorization_host": "{url}",\n}}"""\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/KoboProxy.kt": kotlin}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]
    assert RANDOM[:10] not in text_of(verdict) and RANDOM[:10].upper() not in text_of(verdict)


def test_a_password_in_an_endpoint_urls_userinfo_still_blocks(attack: AttackFactory) -> None:
    # detect-secrets names basic-auth credentials; the URL relaxation must not hide them
    url = f"https://kobo:{RANDOM}@social.kobobooks.com:8443"
    kotlin = f'val resources = """{{\n    "social_host": "{url}",\n}}"""\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/KoboProxy.kt": kotlin}).judge()
    assert blocking_rules(verdict)
    assert RANDOM not in text_of(verdict)


def test_a_token_as_the_whole_userinfo_still_blocks(attack: AttackFactory) -> None:
    kotlin = f'val authorization_url = "https://{RANDOM}@social.kobobooks.com:8443"\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/KoboProxy.kt": kotlin}).judge()
    assert blocking_rules(verdict) == [GENERIC_SECRET]


def test_a_real_key_under_an_authorization_name_beside_endpoints_still_blocks(
    attack: AttackFactory,
) -> None:
    kotlin = (
        'val resources = """{\n'
        '    "social_authorization_host": "https://social.kobobooks.com:8443",\n'
        f'    "social_authorization_key": "{RANDOM}",\n'
        f'    "authorization": "{RANDOM[::-1]}:8443",\n'
        '}"""\n'
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"src/KoboProxy.kt": kotlin}).judge()
    assert_blocked(verdict, GENERIC_SECRET)
    assert blocking_rules(verdict).count(GENERIC_SECRET) >= 2  # the key and the one with a port
