"""Waivers are validated like ``rules:``: each problem is a policy error at its line."""

from __future__ import annotations

from datetime import date

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PolicyError
from gatekeeper.plugins import discover
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.model import Policy

SRC = ".github/gatekeeper.yml"
CHECKS = discover().classes()
OK = "reason: r, approved_by: '@org/leads', expires: 2030-01-31"


def load(items: str) -> Policy:
    text = f"version: 1\nwaivers:\n{items}"
    return load_policy(text, source=SRC, checks=CHECKS, pr=PullRequest())


def error_of(items: str) -> str:
    with pytest.raises(PolicyError) as info:
        load(items)
    return str(info.value)


@pytest.mark.parametrize(
    "rule",
    [
        "openapi/response-required-property-removed",
        "openapi/*",
        "security/secret-*",
        "*/check-error",
        "migrations/check-error",
        "sarif/any-rule-another-tool-reports",  # rule ids come from the tool
        "command/ruff-f401",  # a command's SARIF report, likewise
        "*/secret-private-key",
    ],
)
def test_waivers_that_can_match(rule: str) -> None:
    (waiver,) = load(f"  - {{rule: '{rule}', {OK}}}\n").waivers
    assert waiver.rule == rule and waiver.expires == date(2030, 1, 31)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "opnapi/response-required-property-removed",
            "waivers[0].rule: 'opnapi/response-required-property-removed': no installed check "
            "is called 'opnapi'; did you mean 'openapi'? (`gatekeeper checks` lists them)",
        ),
        (
            "security/secret-privte-key",
            "waivers[0].rule: 'security/secret-privte-key': the security check has no rule "
            "'secret-privte-key'; did you mean 'secret-private-key'? "
            "(`gatekeeper checks security` lists its rules)",
        ),
        ("sec*/nothing-*", "the security check has no rule 'nothing-*'"),
        ("x*/y", "no installed check is called 'x*'"),
    ],
)
def test_waivers_that_can_never_match(rule: str, message: str) -> None:
    found = error_of(f"  - {{rule: '{rule}', {OK}}}\n")
    assert found.startswith(f"{SRC}:3: ") and message in found, found


def test_an_expiry_is_required_unless_permanent() -> None:
    assert error_of("  - {rule: openapi/*, reason: r, approved_by: '@a'}\n") == (
        f"{SRC}:3: waivers[0]: missing 'expires' (the last day it applies, YYYY-MM-DD): a "
        "waiver ends, unless it says 'permanent: true' and its reason says why"
    )
    forever = "  - {rule: openapi/*, reason: vendored spec, approved_by: '@a', permanent: true}\n"
    (waiver,) = load(forever).waivers
    assert waiver.expires is None
    assert "missing 'expires'" in error_of(forever.replace("true", "false"))
    both = forever.replace("permanent: true", "permanent: true, expires: 2030-01-01")
    assert error_of(both) == (
        f"{SRC}:3: waivers[0].permanent: a permanent waiver has no 'expires': keep one of them"
    )
    assert "permanent: 'yes' is not true/false" in error_of(forever.replace("true", "'yes'"))


@pytest.mark.parametrize(
    ("who", "bad"),
    [
        ("@org/", "@org/"),
        ("@/leads", "@/leads"),
        ("@", "@"),
        ("@org/leads/x", "@org/leads/x"),
        ("Jane (@jane-doe), @org/", "@org/"),
        ("@-x", "@-x"),
    ],
)
def test_malformed_handles(who: str, bad: str) -> None:
    found = error_of(
        f"  - {{rule: openapi/*, reason: r, approved_by: '{who}', expires: 2030-01-01}}\n"
    )
    assert found == (
        f"{SRC}:3: waivers[0].approved_by: '{bad}' is not a GitHub login (@alice) or team "
        "(@org/team-slug)"
    )


@pytest.mark.parametrize(
    "who",
    ["@org/api-leads", "@alice", "Jane Doe (CTO)", "jane@example.com", "@alice, @org/sec_team"],
)
def test_approvers_that_are_fine(who: str) -> None:
    assert load(f"  - {{rule: openapi/*, reason: r, approved_by: '{who}', expires: 2030-01-01}}\n")


def test_each_waiver_is_placed_at_its_own_line() -> None:
    items = (
        f"  - {{rule: openapi/*, {OK}}}\n  - rule: opnapi/*\n    reason: r\n    approved_by: '@a'\n"
    )
    assert error_of(items).splitlines() == [
        f"{SRC}:4: waivers[1]: missing 'expires' (the last day it applies, YYYY-MM-DD): a "
        "waiver ends, unless it says 'permanent: true' and its reason says why",
        f"{SRC}:4: waivers[1].rule: 'opnapi/*': no installed check is called 'opnapi'; did you "
        "mean 'openapi'? (`gatekeeper checks` lists them)",
    ]


def test_checks_with_rule_ids_from_another_tool_take_any_rule_under_rules() -> None:
    text = "version: 1\nchecks:\n  sarif: {files: [r.sarif], rules: {ruff-f401: block}}\n"
    policy = load_policy(text, source=SRC, checks=CHECKS, pr=PullRequest())
    assert policy.check("sarif").rules["ruff-f401"].value == "block"
