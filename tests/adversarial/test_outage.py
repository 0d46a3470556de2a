"""Attacks that ride on an outage: what was found must survive a part that cannot run.

When the OSV service was unreachable the whole security check became one check-error:
the secret and bandit findings of the same PR were thrown away, and ``on_error: warn``
(which the remedy suggested) then merged a committed secret. Now each part fails on its
own, findings already made always stand, and ``on_error`` can be set per part. The OSV
service here is a real address where nothing listens (connection refused at once).
"""

from __future__ import annotations

import pytest

from gatekeeper.errors import PolicyError
from gatekeeper.model import Severity, Status, Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules, text_of

DEAD_OSV = "http://127.0.0.1:9/v1/query"
TOKEN = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
SQL = 'import os\nQ = f"SELECT * FROM t WHERE id = {os.getpid()}"\n'  # nosec B608 - test input

POLICY = """\
version: 1
checks:
  security:
    on_error: {on_error}
    dependencies: {{osv_url: "{osv}", timeout: 5{part}}}
"""
BASE = {"requirements.txt": "six==1.15.0\n", "app/db.py": "import os\n"}


def _policy(on_error: str = "block", part: str = "") -> str:
    extra = f", on_error: {part}" if part else ""
    return POLICY.format(on_error=on_error, osv=DEAD_OSV, part=extra)


def _security(verdict: Verdict) -> list[tuple[str, Severity]]:
    outcome = next(o for o in verdict.outcomes if o.check == "security")
    assert outcome.status is Status.ERROR
    return sorted((r.finding.rule, r.severity) for r in outcome.results)


def test_a_committed_secret_blocks_although_osv_is_down_and_errors_only_warn(
    attack: AttackFactory,
) -> None:
    head = {"requirements.txt": "six==1.16.0\n", "app/settings.py": f'TOKEN = "{TOKEN}"\n'}
    verdict = attack(_policy(on_error="warn"), BASE, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
    assert ("check-error", Severity.WARN) in _security(verdict)
    assert TOKEN not in text_of(verdict)


def test_a_bandit_finding_survives_the_outage(attack: AttackFactory) -> None:
    head = {"requirements.txt": "six==1.16.0\n", "app/db.py": SQL}
    verdict = attack(_policy(on_error="warn"), BASE, head).judge()
    assert_blocked(verdict, "security/bandit-b608")


def test_per_part_on_error_warns_for_that_part_only(attack: AttackFactory) -> None:
    head = {"requirements.txt": "six==1.16.0\n", "app/settings.py": f'TOKEN = "{TOKEN}"\n'}
    verdict = attack(_policy(part="warn"), BASE, head).judge()
    assert_blocked(verdict, "security/secret-github-token")
    assert "security/check-error" not in blocking_rules(verdict)
    assert "dependencies part could not run" in text_of(verdict)


def test_the_outage_blocks_by_default(attack: AttackFactory) -> None:
    verdict = attack(_policy(), BASE, {"requirements.txt": "six==1.16.0\n"}).judge()
    assert_blocked(verdict, "security/check-error")
    assert "could not be reached" in text_of(verdict)


def test_an_accepted_outage_with_nothing_found_does_not_block(attack: AttackFactory) -> None:
    verdict = attack(_policy(part="warn"), BASE, {"requirements.txt": "six==1.16.0\n"}).judge()
    assert verdict.met, blocking_rules(verdict)
    assert _security(verdict) == [("check-error", Severity.WARN)]


@pytest.mark.parametrize("where", ["checks", "overrides"])
def test_rules_check_error_is_refused_naming_on_error(attack: AttackFactory, where: str) -> None:
    block = "security: {rules: {check-error: warn}}"
    policy = (
        f"version: 1\nchecks:\n  {block}\n"
        if where == "checks"
        else "version: 1\nchecks: {security: {}}\noverrides:\n"
        f"  - when: {{author: agent}}\n    checks: {{{block}}}\n"
    )
    case = attack(policy, BASE, {"requirements.txt": "six==1.16.0\n"})
    with pytest.raises(PolicyError, match=r"rules\.check-error: .*checks\.security\.on_error"):
        case.judge()
