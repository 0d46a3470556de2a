"""Attacks on what the gate calls test code: under ``recommended`` bandit's findings in
tests, private keys and generic high-entropy values in test folders are warnings (code
that never runs in production, keys made for local test servers, fixtures). A pull
request must not get that treatment for code or keys that are not tests', for a
credential a scanner names, nor widen it for itself."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

POLICY = """\
version: 1
checks:
  security: {dependencies: false, sensitive: false}
"""
WIDER = POLICY.replace("sensitive: false}", "sensitive: false, bandit: {test_files: ['**']},"
                       " secrets: {test_files: ['**']}}")  # fmt: skip
# Built from pieces so that this repository holds no whole key a scanner would flag.
PEM = "\n".join(
    ["-----BEGIN RSA " + "PRIVATE KEY-----", "MIIEowIBAAKCAQEA7" + "q" * 47,
     "Zm9vYmFyYmF6cXV4" * 4, "-----END RSA " + "PRIVATE KEY-----"]
)  # fmt: skip
SQL = 'def q(c, n):\n    return c.execute(f"DELETE FROM t WHERE id = {n}")\n'


def test_a_pr_cannot_call_everything_test_code(attack: AttackFactory) -> None:
    # the PR widens test_files in the policy it edits: the base's policy judges it
    head = {
        ".github/gatekeeper.yml": WIDER,
        "deploy/server.pem": PEM + "\n",
        "app/db.py": "import sqlite3\n\n\n" + SQL,
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-private-key", "security/bandit-b608")
    assert "MIIEowIBAAKCAQEA7" not in text_of(verdict)


def test_a_service_token_in_a_test_folder_still_blocks(attack: AttackFactory) -> None:
    key = "AKIA" + "2E3F4G5H6I7J2K3L"
    head = {"tests/fixtures/aws.py": f"KEY = '{key}'\n", "tests/tls/server.pem": PEM + "\n"}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    # the AWS key blocks; the test server's key pair is a warning, still reported
    assert blocking_rules(verdict) == ["security/secret-aws-access-key"]
    warned = [r.finding for r in verdict.results if r.finding.rule == "secret-private-key"]
    assert [f.location.path for f in warned if f.location] == ["tests/tls/server.pem"]


def test_a_url_password_in_a_test_folder_blocks_beside_a_warned_fixture(
    attack: AttackFactory,
) -> None:
    # the generic rule also matches the whole URL; its warning in test code must not
    # stand in for detect-secrets' blocking finding on the password inside it
    url = "postgres://admin:" + "Zx8kLm2Qp9vRt4Wq" + "@db.internal.net/app"
    head = {
        "tests/test_db.py": f'db_password = "{url}"\n',
        "tests/test_api.py": 'api_token = "' + "Qp9vRt4WqZx8kLm2" + '"\n',
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert blocking_rules(verdict) == ["security/secret-detected"]
    warned = [r.finding for r in verdict.results if r.finding.rule == "secret-high-entropy"]
    assert [f.location.path for f in warned if f.location] == ["tests/test_api.py"]
    assert "Zx8kLm2Qp9vRt4Wq" not in text_of(verdict)
    assert "Qp9vRt4WqZx8kLm2" not in text_of(verdict)


def test_test_code_copied_into_the_application_is_judged_there(attack: AttackFactory) -> None:
    # git's copy detection would pair app/db.py with the test it was copied from and call
    # none of its lines added; the gate reads a copy as the new file it is
    test = "import sqlite3\n\n\n" + SQL
    base = {"tests/test_db.py": test}
    head = {"tests/test_db.py": test + "\n\ndef test_more():\n    pass\n", "app/db.py": test}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "security/bandit-b608")
