"""The terminal reporter: checklist, blocking first, capped lists, colour only on request."""

from __future__ import annotations

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict
from gatekeeper.report.terminal import MAX_LISTED, TerminalReporter
from tests.report.verdicts import EXPIRED, finding, huge_verdict, met_verdict, not_met_verdict


def render(verdict: Verdict, color: bool = False) -> str:
    return TerminalReporter(color=color).render(verdict)


def test_one_line_per_check_with_its_symbol() -> None:
    lines = render(not_met_verdict()).splitlines()
    marks = {line.split()[1]: line.split()[0] for line in lines[3:10]}
    assert marks == {
        "cochange": "✔",
        "coverage": "✖",
        "env-vars": "–",
        "migrations": "✖",
        "openapi": "✔",
        "sarif": "‼",
        "security": "✖",
    }
    assert "! coverage" in render(met_verdict())


def test_blocking_before_warnings_and_final_line_last() -> None:
    text = render(not_met_verdict())
    assert text.index("Blocking (5):") < text.index("Errors (1):") < text.index("Also:")
    assert text.rstrip("\n").splitlines()[-1] == "Definition of Done: not met (5 blocking)"
    assert "→ Split into two releases." in text
    assert "(no location)  migrations/irreversible" in text
    met = render(met_verdict())
    assert met.rstrip("\n").splitlines()[-1] == "Definition of Done: met"
    assert "Blocking" not in met
    assert "Warnings (1):" in met


def test_pre_existing_waived_and_expired_waivers_are_reported() -> None:
    text = render(not_met_verdict())
    assert "1 pre-existing (not blocking), 1 waived" in text
    assert f"{EXPIRED.rule} on {EXPIRED.path}: expired 2026-01-01" in text
    assert "Note: Policy read from base commit" in text


def test_long_lists_are_capped() -> None:
    text = render(huge_verdict())
    assert text.count("✖ src/gen/") == MAX_LISTED
    assert f"… and {5000 - MAX_LISTED} more" in text
    many = tuple(EXPIRED for _ in range(MAX_LISTED + 3))
    expired = render(Verdict(met=True, outcomes=(), expired_waivers=many))
    assert "… and 3 more" in expired


def test_no_escape_codes_without_colour_even_from_findings() -> None:
    plain = render(not_met_verdict())
    assert "\x1b" not in plain
    assert "\\x1b[31mred\\x00" in plain  # the finding's own escape is shown, not obeyed


def test_colour_marks_status_and_verdict() -> None:
    text = render(not_met_verdict(), color=True)
    assert "\x1b[31m✖\x1b[0m" in text
    assert "\x1b[1;31m‼\x1b[0m" in text
    assert text.rstrip("\n").endswith(
        "\x1b[1m\x1b[31mDefinition of Done: not met (5 blocking)\x1b[0m"
    )
    assert "\x1b[1m\x1b[32mDefinition of Done: met\x1b[0m" in render(met_verdict(), color=True)


def test_no_checks_and_error_without_message() -> None:
    text = render(Verdict(met=True, outcomes=()))
    assert "(no checks ran)" in text
    crashed = Verdict(met=False, outcomes=(CheckOutcome("x", "x", Status.ERROR),))
    assert "x: the check could not run" in render(crashed)


def test_title_equal_to_id_is_not_repeated() -> None:
    f = finding("pr", "title", "Title lacks a ticket", level=finding("a", "b", "c").level)
    verdict = Verdict(
        met=False, outcomes=(CheckOutcome("pr", "pr", Status.FAILED, (Result(f, Severity.BLOCK),)),)
    )
    assert "✖ pr  1 blocking" in render(verdict)


def test_duration_is_shown() -> None:
    verdict = Verdict(met=True, outcomes=(CheckOutcome("x", "X", Status.PASSED, duration=2.5),))
    assert "(2.5s)" in render(verdict)
