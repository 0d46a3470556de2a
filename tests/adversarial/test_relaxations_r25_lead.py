"""Attacks on the relaxations round 25 made outside the helpers' files: a GitHub token
whose checksum does not hold is no GitHub token, a Python 3.14 ``except A, B:`` is
scanned as bracketed, and a Django project's ``settings/test.py`` is test code.

Each case puts what an agent would want through in that same place and shows the gate
still blocks: a token GitHub issued (its checksum holds) anywhere, a forged one under a
secret's name in application code, a shell call hidden in a PEP 758 file, a service token
in test settings. The first two fail on the code before round 25: a made-up token was
always a GitHub token there, and a PEP 758 file was never scanned.
"""

from __future__ import annotations

import sys

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = """\
version: 1
checks:
  security: {dependencies: false, sensitive: false}
"""
BASE = {"README.md": "x\n"}
# Built from pieces so that this repository holds no whole token a scanner would flag.
ISSUED = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"  # its CRC32 checksum holds
FORGED = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a"  # GitHub's docs example
AWS = "AKIA" + "2E3F4G5H6I7J2K3L"


def test_a_forged_token_under_a_secret_name_blocks_as_a_value(attack: AttackFactory) -> None:
    """Breaking the checksum takes a token out of the GitHub rule only: in application
    code under a secret's name it is a high-entropy value, and blocks as one."""
    head = {"app/client.py": f'github_token = "{FORGED}"\n'}
    verdict = attack(POLICY, BASE, head).judge()
    assert blocking_rules(verdict) == ["security/secret-high-entropy"]


def test_an_issued_token_blocks_in_test_code_and_test_settings(attack: AttackFactory) -> None:
    head = {
        "tests/test_api.py": f'TOKEN = "{ISSUED}"\n',
        "site/settings/test.py": f'AWS_ACCESS_KEY_ID = "{AWS}"\n',
    }
    verdict = attack(POLICY, BASE, head).judge()
    assert_blocked(verdict, "security/secret-github-token", "security/secret-aws-access-key")


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python parses PEP 758 itself")
def test_a_shell_call_in_a_pep_758_file_is_found(attack: AttackFactory) -> None:
    """A file an older Python cannot parse was a python-unparseable block; now that it is
    scanned as bracketed, what it hides is reported, on its own line."""
    code = (
        "import subprocess\n\n\ndef run(cmd):\n    try:\n"
        "        return subprocess.call(cmd, shell=True)\n"
        "    except ValueError, TypeError:\n        return None\n"
    )
    verdict = attack(POLICY, BASE, {"app/run.py": code}).judge()
    assert blocking_rules(verdict) == ["security/bandit-b602"]
