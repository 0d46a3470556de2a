"""``locked:``: what a file that extends a locking file may and may not change.

The locking file here is a repository file (``org/base.yml``) so each case stays small;
tests/policy/test_central.py and the CLI and action tests lock from a central file.
"""

from __future__ import annotations

import json

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PolicyError
from gatekeeper.plugins import discover
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.model import Policy

SRC = ".github/gatekeeper.yml"
BASE = "org/base.yml"
CHECKS = discover().classes()
AGENT = PullRequest(author="Copilot", head_ref="copilot/x")


def load(base: str, top: str, pr: PullRequest | None = None) -> Policy:
    text = f"version: 1\nextends: [{BASE}]\n{top}"
    return load_policy(
        text, source=SRC, checks=CHECKS, pr=pr or PullRequest(), read_file={BASE: base}.get
    )


def errors(base: str, top: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load(base, top)
    return str(info.value).splitlines()


LOCK_SEVERITY = """\
version: 1
locked: [checks.security.severity]
checks:
  security: {severity: block}
"""


def test_a_lowered_severity_names_both_files_and_lines() -> None:
    assert errors(LOCK_SEVERITY, "checks:\n  security: {severity: warn}\n") == [
        f"{SRC}:4: checks.security.severity: 'warn' loosens a locked key: {BASE}:2 locks "
        "checks.security.severity (here 'block'; a severity may only be raised: "
        "off < info < warn < block)"
    ]


def test_a_severity_may_be_raised_and_other_keys_stay_free() -> None:
    base = LOCK_SEVERITY.replace("severity: block}", "severity: warn}")
    policy = load(base, "checks:\n  security: {severity: block, timeout: 60}\n")
    assert policy.check("security").severity.value == "block"
    assert policy.check("security").timeout == 60


def test_turning_the_check_off_loosens_every_key_at_once() -> None:
    (message,) = errors(LOCK_SEVERITY, "checks:\n  security: false\n")
    assert message.startswith(f"{SRC}:4: checks.security.enabled: false loosens a locked key")
    assert "the check may not be turned off" in message


def test_an_override_that_lowers_a_locked_key_is_refused_whatever_its_when() -> None:
    top = (
        "overrides:\n  - when: {labels: [hotfix]}\n    checks:\n      security: {severity: info}\n"
    )
    (message,) = errors(LOCK_SEVERITY, top)
    assert message.startswith(
        f"{SRC}:6: overrides[0].checks.security.severity: 'info' loosens a locked key: {BASE}:2"
    )


def test_an_override_in_the_locking_file_itself_is_its_own_business() -> None:
    base = (
        LOCK_SEVERITY
        + "overrides:\n  - when: {author: human}\n    checks: {security: {severity: warn}}\n"
    )
    assert load(base, "").check("security").severity.value == "warn"


LOCK_DIFF_MIN = """\
version: 1
locked:
  - {key: checks.coverage.diff_min, allow: higher}
  - checks.coverage.total_max_drop
checks:
  coverage: {diff_min: 80, total_max_drop: 0.5}
"""


def test_a_number_may_go_the_way_the_lock_allows() -> None:
    policy = load(LOCK_DIFF_MIN, "checks:\n  coverage: {diff_min: 95}\n")
    assert policy.check("coverage").config["diff_min"] == 95
    (message,) = errors(LOCK_DIFF_MIN, "checks:\n  coverage: {diff_min: 79.5}\n")
    assert message == (
        f"{SRC}:4: checks.coverage.diff_min: 79.5 loosens a locked key: {BASE}:3 locks "
        "checks.coverage.diff_min (here 80; it may only be raised)"
    )


def test_a_number_locked_without_allow_may_not_change_either_way() -> None:
    for value in ("0.1", "1"):
        (message,) = errors(LOCK_DIFF_MIN, f"checks:\n  coverage: {{total_max_drop: {value}}}\n")
        assert f"total_max_drop: {value} loosens a locked key" in message
        assert message.endswith("(here 0.5; it may not change)")
    assert load(LOCK_DIFF_MIN, "checks:\n  coverage: {total_max_drop: 0.5}\n")


def test_an_agent_tier_may_raise_a_locked_number() -> None:
    top = "overrides:\n  - when: {author: agent}\n    checks: {coverage: {diff_min: 90}}\n"
    assert load(LOCK_DIFF_MIN, top, AGENT).check("coverage").config["diff_min"] == 90


@pytest.mark.parametrize(
    ("allow", "value", "ok"),
    [
        ("more", '["a/**", "b/**"]', True),
        ("more", '["b/**"]', False),
        ("fewer", "[]", True),
        ("fewer", '["a/**", "c/**"]', False),
        ("", '["a/**"]', True),
        ("", '["a/**", "b/**"]', False),
    ],
)
def test_lists(allow: str, value: str, ok: bool) -> None:
    lock = (
        f"{{key: checks.review.sensitive, allow: {allow}}}" if allow else "checks.review.sensitive"
    )
    base = f'version: 1\nlocked: [{lock}]\nchecks:\n  review: {{sensitive: ["a/**"]}}\n'
    top = f"checks:\n  review: {{sensitive: {value}}}\n"
    if ok:
        assert load(base, top).check("review").config["sensitive"] == json.loads(value)
    else:
        (message,) = errors(base, top)
        assert "checks.review.sensitive: a list loosens a locked key" in message


LOCK_BLOCK = """\
version: 1
locked: [checks.security]
checks:
  security:
    severity: warn
    secrets: {on_error: warn}
"""


@pytest.mark.parametrize(
    ("top", "key"),
    [
        ("  security: {bandit: {min_severity: high}}\n", "checks.security.bandit.min_severity"),
        ("  security: {exclude: ['**']}\n", "checks.security.exclude"),
        (
            "  security: {rules: {secret-private-key: warn}}\n",
            "checks.security.rules.secret-private-key",
        ),
        ("  security: {secrets: {trust_pr_suppressions: true}}\n", "checks.security.secrets"),
        ("  security: {secrets: off}\n", "checks.security.secrets"),
        ("  security: {severity: info}\n", "checks.security.severity"),
    ],
)
def test_a_locked_block_keeps_every_value_beneath_it(top: str, key: str) -> None:
    found = errors(LOCK_BLOCK, "checks:\n" + top)
    assert any(f": {key}" in line and "locks checks.security " in line for line in found), found


@pytest.mark.parametrize(
    "top",
    [
        "  security: {severity: block}\n",
        "  security: {secrets: {on_error: block}}\n",
        "  security: {rules: {secret-private-key: block}}\n",
        "  security: {timeout: 600, exclude: []}\n",  # the defaults, written out
    ],
)
def test_a_locked_block_may_get_stricter(top: str) -> None:
    assert load(LOCK_BLOCK, "checks:\n" + top).check("security").enabled


def test_waivers_locked_for_one_check() -> None:
    base = "version: 1\nlocked: [waivers.security]\n"
    top = (
        "waivers:\n"
        "  - {rule: openapi/*, reason: r, approved_by: '@a', expires: 2030-01-01}\n"
        "  - {rule: security/secret-private-key, reason: r, approved_by: '@a',"
        " expires: 2030-01-01}\n"
        "  - {rule: '*/check-error', reason: r, approved_by: '@a', expires: 2030-01-01}\n"
    )
    found = errors(base, top)
    assert [line.split(": ", 2)[1] for line in found] == ["waivers[1]", "waivers[2]"]
    assert found[0].startswith(
        f"{SRC}:5: waivers[1]: adds a waiver: {BASE}:2 locks waivers.security"
    )


def test_waivers_locked_keep_the_locking_files_own() -> None:
    base = (
        "version: 1\nlocked: [waivers]\n"
        "waivers:\n  - {rule: openapi/*, reason: r, approved_by: '@a', expires: 2030-01-01}\n"
    )
    assert len(load(base, "").waivers) == 1
    assert load(base, "waivers: []\n").waivers == ()  # removing one is stricter
    same = "waivers:\n  - {rule: openapi/*, reason: r, approved_by: '@a', expires: 2030-01-01}\n"
    assert len(load(base, same).waivers) == 1
    (message,) = errors(base, same.replace("2030", "2031"))
    assert "waivers[0]: adds a waiver" in message


def test_a_later_file_cannot_unlock() -> None:
    top = "locked: []\nchecks:\n  security: {severity: warn}\n"
    assert "loosens a locked key" in errors(LOCK_SEVERITY, top)[0]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("checks.secrity", "locked[0]: checks has no check 'secrity'; did you mean 'security'?"),
        (
            "checks.coverage.diffmin",
            "locked[0]: checks.coverage has no key 'diffmin'; did you mean",
        ),
        ("{key: checks.coverage.diff_min, allow: up}", "allow: 'up' is not one of higher, lower"),
        ("{key: checks.pr.severity, allow: higher}", "allow: higher needs a number"),
        ("{key: checks.review.sensitive, allow: lower}", "allow: lower needs a number"),
        ("{key: checks.coverage.diff_min, allow: more}", "allow: more needs a list"),
        ("{key: checks.pr, allows: higher}", "unknown key 'allows'; did you mean 'allow'?"),
        ("waivers.x", "waivers.<check>: 'x' is not an installed check"),
        ("version", "'version' cannot be locked"),
        ("3", "a lock is a dotted key"),
        ("checks.security.rules.nope", "checks.security.rules has no key 'nope'"),
    ],
)
def test_malformed_locks(entry: str, message: str) -> None:
    found = errors(f"version: 1\nlocked:\n  - {entry}\n", "")
    assert len(found) == 1 and found[0].startswith(f"{BASE}:3: ") and message in found[0], found


def test_a_list_that_is_not_a_list() -> None:
    assert errors("version: 1\nlocked: checks.pr\n", "") == [
        f"{BASE}:2: locked: 'checks.pr' is not a list of keys"
    ]


def test_keys_outside_checks_can_be_locked() -> None:
    base = (
        "version: 1\nlocked: [agents.default, annotations.max, plugins]\nagents: {default: agent}\n"
    )
    assert len(errors(base, "agents: {default: human}\n")) == 1
    assert len(errors(base, "annotations: {max: 5}\n")) == 1
    assert len(errors(base, "plugins: [checks/x.py]\n")) == 1
    assert load(base, "agents: {default: agent, logins: [bot]}\n").agents.logins == ("bot",)


def test_locks_are_listed_on_the_policy() -> None:
    policy = load(LOCK_DIFF_MIN, "")
    assert [(lock.key, lock.allow, lock.source, lock.line) for lock in policy.locks] == [
        ("checks.coverage.diff_min", "higher", BASE, 3),
        ("checks.coverage.total_max_drop", "", BASE, 4),
    ]
    assert "locked" not in policy.document
