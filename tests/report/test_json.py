"""The JSON reporter and its published schema (docs/report.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict
from gatekeeper.report.json import SCHEMA_ID, JsonReporter
from tests.report.verdicts import FIXTURES, finding, not_met_verdict

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"


def load(verdict: Verdict) -> Any:
    return json.loads(JsonReporter().render(verdict))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_fixture_validates_against_the_schema(name: str, validator: Any) -> None:
    validator.validate(load(FIXTURES[name]()))


def test_schema_rejects_what_it_should(validator: Any) -> None:
    data = load(not_met_verdict())
    data["outcomes"][0]["findings"][0]["severity"] = "fatal"
    assert not validator.is_valid(data)
    data = load(not_met_verdict())
    data["surprise"] = 1
    assert not validator.is_valid(data)
    data = load(not_met_verdict())
    del data["outcomes"][0]["findings"][0]["fingerprint"]
    assert not validator.is_valid(data)


def test_layout_sorted_keys_indent_and_trailing_newline() -> None:
    text = JsonReporter().render(not_met_verdict())
    assert text.endswith("}\n")
    assert text.startswith('{\n  "base": ')
    data = json.loads(text)
    assert json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
    assert data["schema"] == SCHEMA_ID
    assert data["met"] is False
    assert data["policy"] == {"digest": "0123456789abcdef", "source": ".github/gatekeeper.yml"}
    assert data["pr"] == {
        "agent": True,
        "agent_signal": "branch codex/drop-email",
        "number": 42,
        "title": "Drop e-mail column 🚀 <b>now</b>",
    }
    assert data["counts"]["blocking"] == 5


def test_findings_carry_the_judgement() -> None:
    data = load(not_met_verdict())
    by_check = {o["check"]: o for o in data["outcomes"]}
    waived = by_check["openapi"]["findings"][0]
    assert waived["rule"] == "openapi/response-property-removed"
    assert waived["waived"] is True
    assert waived["waiver"]["expires"] == "2027-01-31"
    assert waived["waiver"]["approved_by"] == "@org/api-leads"
    security = by_check["security"]["findings"]
    # sorted by path: src/db.py (new) before src/old.py (already at base)
    assert [(f["path"], f["pre_existing"]) for f in security] == [
        ("src/db.py", False),
        ("src/old.py", True),
    ]
    nowhere = by_check["migrations"]["findings"][-1]
    assert (nowhere["path"], nowhere["start_line"], nowhere["end_line"]) == (None, None, None)
    first = by_check["migrations"]["findings"][0]
    assert (first["start_line"], first["end_line"], first["level"], first["severity"]) == (
        3,
        5,
        "error",
        "block",
    )
    assert by_check["sarif"]["status"] == "error"
    assert "not valid JSON" in by_check["sarif"]["error"]
    assert data["expired_waivers"][0]["rule"] == "security/sql-injection"
    assert data["notes"] == ["Policy read from base commit aaaaaaa."]


def test_a_non_utf8_file_name_still_gives_writable_json() -> None:
    f = finding("c", "r", "odd name", "caf\udce9.py", 1)
    verdict = Verdict(
        met=False, outcomes=(CheckOutcome("c", "C", Status.FAILED, (Result(f, Severity.BLOCK),)),)
    )
    text = JsonReporter().render(verdict)
    text.encode("utf-8")
    assert json.loads(text)["outcomes"][0]["findings"][0]["path"] == "caf\udce9.py"


def test_durations_stay_out_so_the_same_inputs_give_the_same_bytes() -> None:
    verdict = Verdict(met=True, outcomes=(CheckOutcome("c", "C", Status.PASSED, duration=1.23456),))
    assert "duration" not in load(verdict)["outcomes"][0]
