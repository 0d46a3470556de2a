"""Check summaries (the checklist's lines) say "1 rule", "1 warning", "1 result": no "(s)"."""

from __future__ import annotations

from gatekeeper.checks.cochange import CochangeCheck
from gatekeeper.checks.openapi.check import _summary as openapi_summary
from gatekeeper.checks.sarif.check import Filtered
from gatekeeper.checks.sarif.check import _summary as sarif_summary
from gatekeeper.model import Finding, Level
from gatekeeper.testing import changeset, context

RULE = {"when": ["src/**"], "require": ["tests/**"], "message": "tests"}


def _cochange_summary(items: int) -> str:
    ctx = context(changeset({}, {"src/a.py": "x\n"}), {"items": [RULE] * items})
    list(CochangeCheck().run(ctx))
    return ctx.summary


def test_cochange_counts_rules() -> None:
    assert _cochange_summary(1) == "0 of 1 rule satisfied"
    assert _cochange_summary(2) == "0 of 2 rules satisfied"


def _finding(level: Level) -> Finding:
    return Finding("openapi", "r", "m", level, None, "fp")


def test_openapi_counts_warnings_and_changes() -> None:
    one_each = [_finding(Level.ERROR), _finding(Level.WARNING), _finding(Level.INFO)]
    assert openapi_summary(one_each) == "1 breaking, 1 warning, 1 other API change"
    two = [_finding(Level.WARNING)] * 2 + [_finding(Level.INFO)] * 2
    assert openapi_summary(two) == "0 breaking, 2 warnings, 2 other API changes"


def test_sarif_counts_results() -> None:
    one = Filtered((_finding(Level.ERROR),))
    assert sarif_summary(1, one) == "1 new result from 1 SARIF file"
    assert sarif_summary(2, Filtered(())) == "0 new results from 2 SARIF files"
