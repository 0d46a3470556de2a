"""The SARIF reporter, validated against the official SARIF 2.1.0 schema (fixtures/README.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper import __version__
from gatekeeper.model import CheckOutcome, Level, Location, Result, Rule, Severity, Status, Verdict
from gatekeeper.report.sarif import FINGERPRINT_KEY, MAX_RESULTS, SarifReporter
from tests.report.verdicts import FIXTURES, RULES, WAIVER, finding, met_verdict, not_met_verdict

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    raw = SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the stored SARIF schema was edited"
    schema = json.loads(raw)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def load(verdict: Verdict) -> Any:
    return json.loads(SarifReporter().render(verdict))


def run_of(verdict: Verdict) -> Any:
    return load(verdict)["runs"][0]


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_fixture_is_valid_sarif(name: str, validator: Any) -> None:
    validator.validate(load(FIXTURES[name]()))


def test_the_schema_catches_a_broken_log(validator: Any) -> None:
    data = load(not_met_verdict())
    data["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(data)
    data = load(not_met_verdict())
    located = next(r for r in data["runs"][0]["results"] if r["ruleId"] == "migrations/drop-column")
    located["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not validator.is_valid(data)


def test_driver_and_rules() -> None:
    run = run_of(not_met_verdict())
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("gatekeeper", __version__)
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids)
    assert "migrations/irreversible" in ids  # not in the catalog, still described
    rules = {r["id"]: r for r in driver["rules"]}
    sqli = rules["security/sql-injection"]
    assert sqli["shortDescription"]["text"] == RULES["security/sql-injection"].summary
    assert sqli["help"]["text"] == "Use bound parameters."
    assert sqli["defaultConfiguration"]["level"] == "error"
    assert sqli["properties"] == {"security-severity": "8.8", "tags": ["CWE-89", "security"]}
    drop = rules["migrations/drop-column"]
    assert drop["helpUri"].endswith("/drop-column")
    assert drop["fullDescription"]["text"].startswith("Dropping a column")
    assert rules["coverage/diff-coverage"]["defaultConfiguration"]["level"] == "warning"
    assert rules["cochange/missing"]["defaultConfiguration"]["level"] == "note"
    assert "properties" not in rules["cochange/missing"]
    assert rules["migrations/irreversible"] == {
        "id": "migrations/irreversible",
        "shortDescription": {"text": "migrations/irreversible"},
    }
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_levels_fingerprints_baseline_and_suppressions() -> None:
    results = run_of(not_met_verdict())["results"]
    by_message = {r["message"]["text"]: r for r in results}
    drop = by_message["Dropping column users.email | loses <data> `now`"]
    assert drop["level"] == "error"
    assert drop["baselineState"] == "new"
    assert drop["partialFingerprints"] == {
        FINGERPRINT_KEY: drop["partialFingerprints"][FINGERPRINT_KEY]
    }
    assert len(drop["partialFingerprints"][FINGERPRINT_KEY]) == 20
    location = drop["locations"][0]["physicalLocation"]
    assert (
        location["artifactLocation"]["uri"]
        == "db/migrations/0042%20caf%C3%A9%20%C3%BCn%C3%AFcode.sql"
    )
    assert location["region"] == {"startLine": 3, "endLine": 5}
    assert drop["properties"]["remedy"] == "Split into two releases."
    assert by_message["Query built with %"]["baselineState"] == "unchanged"
    assert by_message["src/api changed without docs/"]["level"] == "note"
    assert (
        "region"
        not in by_message["src/api changed without docs/"]["locations"][0]["physicalLocation"]
    )
    pr_wide = by_message["The migration cannot be rolled back"]
    assert pr_wide["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": ".github/gatekeeper.yml"}}}
    ]
    assert pr_wide["properties"]["pullRequestWide"] is True
    assert "pullRequestWide" not in drop["properties"]
    waived = by_message["GET /users: property `email` removed"]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "v2 sunset | ADR-0012 <approved>"
            " (approved by @org/api-leads; expires 2027-01-31)",
        }
    ]
    assert "suppressions" not in drop


def test_severity_maps_through_the_interface_table() -> None:
    f = finding("c", "r", "m", "a.py", 1)
    outcome = CheckOutcome(
        "c", "C", Status.WARNED, tuple(Result(f, s) for s in (Severity.WARN, Severity.OFF))
    )
    levels = [r["level"] for r in run_of(Verdict(met=True, outcomes=(outcome,)))["results"]]
    assert sorted(levels) == ["none", "warning"]


def test_errored_checks_become_tool_notifications() -> None:
    invocation = run_of(not_met_verdict())["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["descriptor"] == {"id": "sarif"}
    assert note["level"] == "error"
    assert run_of(met_verdict())["invocations"] == [{"executionSuccessful": True}]
    silent = Verdict(met=False, outcomes=(CheckOutcome("x", "X", Status.ERROR),))
    assert "the x check could not run" in json.dumps(run_of(silent)["invocations"])


def test_odd_regions_and_non_utf8_paths() -> None:
    backwards = replace(finding("c", "r", "m", "a.py"), location=Location("a.py", 5, 2))
    bad_end = Result(backwards, Severity.BLOCK)
    odd = Result(finding("c", "r", "n", "caf\udce9 #1.py", 0), Severity.BLOCK)
    verdict = Verdict(met=False, outcomes=(CheckOutcome("c", "C", Status.FAILED, (bad_end, odd)),))
    text = SarifReporter().render(verdict)
    text.encode("utf-8")
    results = json.loads(text)["runs"][0]["results"]
    regions = [r["locations"][0]["physicalLocation"].get("region") for r in results]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert {"startLine": 5} in regions and None in regions
    assert "caf%E9%20%231.py" in uris


def test_a_bare_catalog_entry_and_a_surrogate_in_a_message(validator: Any) -> None:
    f = finding("c", "bare", "bad byte \udce9 in name", "a.py", 1)
    verdict = Verdict(
        met=False,
        outcomes=(CheckOutcome("c", "C", Status.FAILED, (Result(f, Severity.BLOCK),)),),
        rules={"c/bare": Rule(id="bare", level=Level.ERROR, summary="")},
    )
    text = SarifReporter().render(verdict)
    text.encode("utf-8")
    data = json.loads(text)
    validator.validate(data)
    [rule] = data["runs"][0]["tool"]["driver"]["rules"]
    assert rule == {
        "id": "c/bare",
        "shortDescription": {"text": "c/bare"},
        "defaultConfiguration": {"level": "error"},
    }
    assert data["runs"][0]["results"][0]["message"]["text"] == "bad byte \udce9 in name"


@pytest.mark.parametrize(
    ("source", "pinned"),
    [
        (".github/gatekeeper.yml", True),
        ("policy.yaml", True),
        ("built-in default policy", False),
        ("/etc/gatekeeper.yml", False),
        ("../elsewhere/policy.yml", False),
        ("preset:strict.yml", False),
    ],
)
def test_findings_without_location_are_pinned_to_a_repository_policy_only(
    source: str, pinned: bool
) -> None:
    f = finding("pr", "title", "Title lacks a ticket")
    verdict = Verdict(
        met=False,
        outcomes=(CheckOutcome("pr", "PR", Status.FAILED, (Result(f, Severity.BLOCK),)),),
        policy_source=source,
    )
    result = run_of(verdict)["results"][0]
    if pinned:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == source
    else:
        assert "locations" not in result


def test_results_past_the_code_scanning_cap_drop_the_least_important(validator: Any) -> None:
    def many(rule: str, n: int, **kw: Any) -> tuple[Result, ...]:
        return tuple(
            Result(finding("c", rule, f"m{i}", f"{rule}/{i:05d}.py", 1), **kw) for i in range(n)
        )

    results = (
        many("old", 300, severity=Severity.BLOCK, pre_existing=True)
        + many("new", MAX_RESULTS - 100, severity=Severity.BLOCK)
        + many("waived", 20, severity=Severity.BLOCK, waiver=WAIVER)
        + many("warn", 150, severity=Severity.WARN)
    )
    verdict = Verdict(met=False, outcomes=(CheckOutcome("c", "C", Status.FAILED, results),))
    data = load(verdict)
    validator.validate(data)
    run = data["runs"][0]
    kept = [r["ruleId"] for r in run["results"]]
    assert len(kept) == MAX_RESULTS
    assert kept.count("c/new") == MAX_RESULTS - 100
    assert kept.count("c/warn") == 100
    assert "c/old" not in kept and "c/waived" not in kept
    assert run["properties"]["omittedResults"] == 370
    assert kept == sorted(kept, key=["c/new", "c/warn"].index)  # still in canonical order
