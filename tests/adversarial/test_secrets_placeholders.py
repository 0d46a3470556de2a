"""Attacks on the secrets part's notion of a placeholder: a PR that dresses a real
credential up as a test fixture or a mock must still be blocked."""

from __future__ import annotations

from tests.adversarial.conftest import SECRETS_ONLY, AttackFactory, assert_blocked, text_of
from tests.fake_tokens import AWS, GH


def test_a_real_key_in_a_test_file_is_still_a_secret(attack: AttackFactory) -> None:
    head = {"tests/fixtures/test_s3.py": f"KEY = '{AWS}'  # fixture for the S3 tests\n"}
    verdict = attack(SECRETS_ONLY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-aws-access-key")
    assert AWS not in text_of(verdict)


def test_calling_a_token_fake_or_mocked_does_not_hide_it(attack: AttackFactory) -> None:
    head = {
        "tests/test_mock_github.py": f"MOCK_TOKEN = 'fake-{GH}'\n",
        "app/dummy_client.py": f"dummy = {{'mocked': True, 'token': '{GH}'}}\n",
    }
    verdict = attack(SECRETS_ONLY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
    found = [
        r.finding.location.path
        for r in verdict.results
        if r.finding.rule == "secret-github-token" and r.finding.location
    ]
    assert sorted(found) == ["app/dummy_client.py", "tests/test_mock_github.py"]
