"""Every format of every fixture verdict, compared byte-for-byte with tests/report/golden."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gatekeeper.report import SourceLinks, render
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


def test_linked_markdown_matches_golden(golden: Callable[[str, str], None]) -> None:
    """The PR comment as the action renders it: locations linked to their lines."""
    verdict = not_met_verdict()
    links = SourceLinks.parse("https://github.com", "acme/shop", verdict.head)
    golden("not_met.linked.md", render("markdown", verdict, links=links))


def test_verbose_wrapped_terminal_matches_golden(golden: Callable[[str, str], None]) -> None:
    """``gatekeeper run --verbose`` on an 80-column terminal."""
    golden("not_met.verbose80.txt", render("terminal", not_met_verdict(), verbose=True, width=80))
