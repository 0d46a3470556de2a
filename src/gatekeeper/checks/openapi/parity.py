"""Score the engine against oasdiff's own test expectations (the corpus' ``parity.json``).

Each entry names two files of oasdiff's ``data/`` folder and the rule ids its test expects
to see (``expect_ids``), not to see (``absent_ids``), or that nothing is reported. An entry
that ran a single oasdiff handler is compared on that handler's ids only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper.checks.openapi.engine import Options, compare, load_spec
from gatekeeper.checks.openapi.load import SpecError
from gatekeeper.checks.openapi.rules import HANDLERS, LEVELS
from gatekeeper.model import Level

_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}
_MIN = {"INFO": 0, "WARN": 1, "ERR": 2}

#: Tests that ran with a deprecation policy the entry does not record (oasdiff's
#: ``WithDeprecation(30, 100)``, read from the test source): we run them with the same.
POLICY_ENTRIES = {
    "checker/check_api_deprecation_test.go::TestBreaking_DeprecationWithoutSunsetWithPolicy",
    "checker/check_request_parameter_deprecation_test.go::"
    "TestBreaking_ParameterDeprecationWithoutSunsetWithPolicy",
    "checker/check_request_property_deprecation_test.go::"
    "TestRequestPropertyDeprecation_WithoutSunsetWithPolicy",
    "checker/check_response_property_deprecation_test.go::"
    "TestResponsePropertyDeprecation_WithoutSunsetWithPolicy",
}

_NOT_EQUAL = (
    "the extraction took a require.NotEqual id for an expected one; the test wants the "
    "annotation-only id, which we report"
)
#: Entries whose recorded expectation we knowingly do not meet, with the reason.
KNOWN_EXCEPTIONS: dict[str, str] = {
    "checker/check_request_property_all_of_updated_test.go::"
    "TestRequestPropertyAllOfAdded_AnnotationOnly_EmitsInfo": _NOT_EQUAL,
    "checker/check_request_property_all_of_updated_test.go::"
    "TestRequestPropertyAllOfAdded_AnnotationOnly_AtProperty_EmitsInfo": _NOT_EQUAL,
    "checker/check_response_property_all_of_updated_test.go::"
    "TestResponsePropertyAllOfAdded_AnnotationOnly_EmitsInfoWithDistinctId": _NOT_EQUAL,
    "checker/check_media_type_schema_existence_test.go::TestMediaTypeSchemaExistence": (
        "the test diffs both directions; the entry merged their ids into one direction"
    ),
    "checker/nullable_wrapping_test.go::TestParameterTypeArrayNullability": (
        "the test diffs both directions; the entry merged their ids into one direction"
    ),
    "checker/check_request_parameter_removed_test.go::"
    "TestBreaking_RemoveParameterWithInvalidSunset": (
        "the entry swapped base and revision (the test removes the parameter); in the "
        "test's direction we report request-parameter-sunset-parse"
    ),
    "checker/check_request_parameters_max_items_updated_test.go::"
    "TestBreaking_RequestParameterMaxItemsWithoutFlatten": (
        "we always merge path-level parameters into their operations (what a client "
        "sends), like oasdiff with flattening on"
    ),
}


@dataclass
class Score:
    """How many entries passed, and what the failing ones expected and got."""

    total: int = 0
    passed: int = 0
    #: failing entries listed in KNOWN_EXCEPTIONS (not counted as passed, not printed)
    excepted: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)


def _reader(root: Path) -> Any:
    def read(path: str) -> bytes | None:
        p = root / path
        return p.read_bytes() if p.is_file() else None

    return read


def ids_for(root: Path, base: str, revision: str, options: Options | None = None) -> set[str]:
    """Rule ids the engine reports between two corpus files (paths relative to ``root``)."""
    read = _reader(root)
    changes = compare(load_spec(base, read), load_spec(revision, read), options)
    return {c.rule for c in changes}


def judge(entry: dict[str, Any], ids: set[str]) -> bool:
    """Whether the reported ids meet the entry's expectation."""
    handler, min_level = entry.get("single_check"), entry.get("min_level")
    wanted = set(entry.get("expect_ids", []))
    if handler:
        # rules.json names one handler per id; an id the entry expects counts wherever it comes from
        ids = {i for i in ids if HANDLERS.get(i) == handler or i in wanted}
    # oasdiff's breaking-changes call stops at warnings unless a test asks for more
    expected_levels = [_RANK[LEVELS[i]] for i in entry.get("expect_ids", []) if i in LEVELS]
    floor = _MIN[min_level] if min_level else min([1, *expected_levels])
    ids = {i for i in ids if i not in LEVELS or _RANK[LEVELS[i]] >= floor}
    if entry.get("expect_no_findings") and ids:
        return False
    expected = {i for i in entry.get("expect_ids", []) if i in LEVELS}
    return expected <= ids and not (set(entry.get("absent_ids", [])) & ids)


def score(root: Path, today: dt.date | None = None) -> Score:
    """Run every entry of ``root/parity.json``."""
    entries = json.loads((root / "parity.json").read_text(encoding="utf-8"))
    result = Score(total=len(entries))
    options = Options(today=today or dt.date.today())
    policy = Options(today=options.today, deprecation_days_beta=30, deprecation_days_stable=100)
    for entry in entries:
        try:
            chosen = policy if entry["name"] in POLICY_ENTRIES else options
            ids = ids_for(root, entry["base"], entry["revision"], chosen)
        except SpecError as exc:
            ids = {f"<load error: {exc.message}>"}
        if judge(entry, ids):
            result.passed += 1
        elif entry["name"] in KNOWN_EXCEPTIONS:
            result.excepted += 1
        else:
            handler = entry.get("single_check")
            shown = sorted(
                i for i in ids if not handler or HANDLERS.get(i) == handler or i.startswith("<")
            )
            missing = sorted(set(entry.get("expect_ids", [])) - ids)
            extra = sorted(set(entry.get("absent_ids", [])) & ids)
            result.failures.append(
                {
                    "name": entry["name"],
                    "handler": handler,
                    "missing": missing,
                    "unwanted": extra,
                    "no_findings": entry.get("expect_no_findings"),
                    "got": shown,
                }
            )
    return result
