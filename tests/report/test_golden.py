"""Every format of every fixture verdict, compared byte-for-byte with tests/report/golden."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gatekeeper.report import render
from tests.report.verdicts import huge_verdict, met_verdict, not_met_verdict

SUFFIX = {
    "json": "json",
    "junit": "junit.xml",
    "markdown": "md",
    "sarif": "sarif",
    "terminal": "txt",
}

CASES = [
    (name, fmt)
    for name in ("met", "not_met")
    for fmt in ("json", "junit", "markdown", "sarif", "terminal")
]


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_small_verdicts_match_golden(
    name: str, fmt: str, golden: Callable[[str, str], None]
) -> None:
    verdict = {"met": met_verdict, "not_met": not_met_verdict}[name]()
    golden(f"{name}.{SUFFIX[fmt]}", render(fmt, verdict))


def test_colour_terminal_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("not_met.color.txt", render("terminal", not_met_verdict(), color=True))


@pytest.mark.parametrize("fmt", ["markdown", "terminal"])
def test_huge_verdict_matches_golden(fmt: str, golden: Callable[[str, str], None]) -> None:
    golden(f"huge.{SUFFIX[fmt]}", render(fmt, huge_verdict()))
