"""Attacks on round 25's relaxations of the secrets part: a JSON Reference to a schema,
a name that ends in ``Id``, end-to-end ``suites/`` folders as test code, and a Python
docstring or ``if TESTING:`` block as documentation or test configuration.

Each relaxation quiets or downgrades the generic high-entropy rule in one kind of place;
each case puts a real credential in that same kind of place and shows it still blocks:
a token of a named format everywhere, a random value wherever the shape only resembles the
relaxed one. They guard the relaxations, so they pass on the code before this round too.
"""

from __future__ import annotations

from tests.adversarial.conftest import (
    GENERIC_SECRET,
    README_ONLY,
    SECRETS_ONLY,
    AttackFactory,
    assert_blocked,
    blocking_rules,
    text_of,
)
from tests.fake_tokens import AWS, GH, RANDOM


def test_a_real_key_as_an_openapi_example_still_blocks(attack: AttackFactory) -> None:
    spec = (
        '{"components": {"schemas": {"AWSSecretParameter": {"properties": {\n'
        f'  "access_key_id": {{"type": "string", "example": "{AWS}"}},\n'
        f'  "token": {{"type": "string", "default": "{GH}"}}\n'
        "}}}}}\n"
    )
    verdict = attack(SECRETS_ONLY, README_ONLY, {"fern/openapi/api.json": spec}).judge()
    assert_blocked(verdict, "security/secret-aws-access-key", "security/secret-github-token")
    assert AWS not in text_of(verdict)


def test_a_random_value_dressed_as_a_schema_reference_still_blocks(
    attack: AttackFactory,
) -> None:
    # "#/" and slashes do not make a reference: every segment must read as a name
    head = {
        "openapi.json": f'{{"mapping": {{"aws_secret": "#/components/schemas/{RANDOM}"}}}}\n',
        "app/settings.py": f'API_SECRET = "#/{RANDOM[:12]}/{RANDOM[12:]}"\n',
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    assert blocking_rules(verdict).count(GENERIC_SECRET) == 2


def test_naming_a_secret_an_id_does_not_hide_vaults_secret_id(attack: AttackFactory) -> None:
    # AppRole's secret_id is a password; so is anything whose id-word follows "secret"
    head = {
        "deploy/vault.py": f'VAULT_SECRET_ID = "{RANDOM}"\nclientSecretId = "{RANDOM}x"\n',
        "app/webauthn.yaml": f'credentialId: "{GH}"\n',
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    assert blocking_rules(verdict).count(GENERIC_SECRET) == 2
    assert_blocked(verdict, "security/secret-github-token")


def test_a_credential_id_beside_the_credential_hides_only_the_id(attack: AttackFactory) -> None:
    head = {
        "config/webauthn.json": (
            f'{{"credentialId": "zoBGAEy968vwQe4AA7sTMbj2grpWyzWCZ8GqunMwiZs=", '
            f'"privateKey": "{RANDOM}"}}\n'
        )
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    found = [r.finding.message for r in verdict.results if r.blocking]
    assert len(found) == 1 and found[0].startswith("value of privateKey")


def test_a_service_token_in_an_e2e_suite_still_blocks(attack: AttackFactory) -> None:
    head = {
        "internal/suites/Standalone/configuration.yml": f"github:\n  token: {GH}\n",
        "internal/suites/common/s3.env.yml": f"aws_access_key_id: {AWS}\n",
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    assert_blocked(verdict, "security/secret-github-token", "security/secret-aws-access-key")


def test_a_named_token_in_a_docstring_still_blocks(attack: AttackFactory) -> None:
    code = f'def login():\n    """Log in.\n\n    token: "{GH}"\n    """\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"app/auth.py": code}).judge()
    assert_blocked(verdict, "security/secret-github-token")


def test_strings_that_only_look_like_docstrings_still_block(attack: AttackFactory) -> None:
    secret = f'    "access_token": "{RANDOM}",\n'
    head = {
        # a string the code reads
        "app/a.py": f'BODY = """\n{secret}"""\n',
        # a string after the first statement is no docstring
        "app/b.py": f'def f():\n    x = 1\n    """\n{secret}    """\n',
        # code sharing the docstring's closing line
        "app/c.py": f'def f():\n    """Doc\n    """; access_token = "{RANDOM}"\n',
        # a lone carriage return makes Python and git number the lines apart
        "app/d.py": f'def f():\n    """Doc\r    """\n    access_token = "{RANDOM}"\n',
        # other languages' doc comments are not read as documentation
        "app/e.js": f"/**\n * Sample:\n{secret} */\n",
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    blocked = {
        r.finding.location.path
        for r in verdict.results
        if r.blocking and r.finding.rule == "secret-high-entropy" and r.finding.location
    }
    assert blocked == set(head)


def test_only_a_bare_testing_flag_makes_a_branch_test_configuration(
    attack: AttackFactory,
) -> None:
    secret = f'    SIGNING_SECRET = "{RANDOM}"\n'
    head = {
        "settings/a.py": f"if not TESTING:\n{secret}",
        "settings/b.py": f"if TESTING:\n    pass\nelse:\n{secret}",
        "settings/c.py": f"if TESTING or True:\n{secret}",
        "settings/d.py": f"if DEBUG:\n{secret}",
        "settings/e.py": f"if TESTING == False:\n{secret}",
    }
    verdict = attack(SECRETS_ONLY, README_ONLY, head).judge()
    blocked = {
        r.finding.location.path
        for r in verdict.results
        if r.blocking and r.finding.rule == "secret-high-entropy" and r.finding.location
    }
    assert blocked == set(head)


def test_a_named_token_or_key_under_if_testing_still_blocks(attack: AttackFactory) -> None:
    pem = (
        "-----BEGIN RSA "
        + "PRIVATE KEY-----\\n"
        + "Zm9vYmFyYmF6cXV4" * 4
        + "\\n-----END RSA "
        + "PRIVATE KEY-----"
    )
    code = f'if TESTING:\n    GITHUB_TOKEN = "{GH}"\n    SIGNING_KEY = "{pem}"\n'
    verdict = attack(SECRETS_ONLY, README_ONLY, {"settings/dev.py": code}).judge()
    assert_blocked(verdict, "security/secret-github-token", "security/secret-private-key")
