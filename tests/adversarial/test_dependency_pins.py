"""Attacks on the dependency audit: a vulnerable version moved where the audit does not look.

pip installs the versions a constraints file (``-c``) pins; the audit used to skip ``-c``
lines and files named ``constraints*.txt``, so a PR could keep ``requirements.txt`` clean
and pin the vulnerable release there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.security.conftest import FIXTURES
from tests.checks.security.osv_server import OsvServer, serve

POLICY = """\
version: 1
checks:
  security: {{dependencies: {{osv_url: "{url}"}}, bandit: false, sensitive: false}}
"""


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    yield from serve(FIXTURES / "osv")


def test_a_vulnerable_pin_in_a_constraints_file_blocks(
    attack: AttackFactory, osv: OsvServer
) -> None:
    base = {"requirements.txt": "-c constraints.txt\nrequests\n", "constraints.txt": "\n"}
    head = {"constraints.txt": "requests==2.19.1\n"}
    verdict = attack(POLICY.format(url=osv.url), base, head).judge()
    assert_blocked(verdict, "security/vulnerable-dependency")


def test_a_constraints_file_no_requirement_names_is_audited_too(
    attack: AttackFactory, osv: OsvServer
) -> None:
    base = {"requirements.txt": "requests==2.20.0\n"}
    head = {"deploy/constraints-prod.txt": "requests==2.19.1\n"}
    verdict = attack(POLICY.format(url=osv.url), base, head).judge()
    assert_blocked(verdict, "security/vulnerable-dependency")
