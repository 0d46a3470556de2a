"""The terminal reporter: checklist, blocking first, capped lists, colour only on request."""

from __future__ import annotations

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict, Waiver
from gatekeeper.report.terminal import MAX_LISTED, TerminalReporter
from gatekeeper.report.wrap import Line, columns, wrap
from tests.report.verdicts import EXPIRED, finding, huge_verdict, met_verdict, not_met_verdict


def render(
    verdict: Verdict, color: bool = False, width: int | None = None, verbose: bool = False
) -> str:
    return TerminalReporter(color=color, width=width, verbose=verbose).render(verdict)


def test_one_line_per_check_with_its_symbol_by_outcome() -> None:
    lines = render(not_met_verdict()).splitlines()
    marks = {line.split()[1]: line.split()[0] for line in lines[3:10]}
    order = [line.split()[1] for line in lines[3:10]]
    assert order == [
        "coverage",
        "migrations",
        "security",
        "sarif",
        "cochange",
        "openapi",
        "env-vars",
    ]
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
    assert text.index("Blocking (5):") < text.index("Also:")
    assert text.rstrip("\n").splitlines()[-1] == "Definition of Done: not met (5 blocking)"
    assert "→ Split into two releases." in text
    assert "(no location)  migrations/irreversible" in text
    met = render(met_verdict())
    assert met.rstrip("\n").splitlines()[-1] == "Definition of Done: met"
    assert "Blocking" not in met
    assert "Warnings (1):" in met


def test_an_errored_check_is_listed_once() -> None:
    text = render(not_met_verdict())
    assert "sarif/check-error" in text  # among what blocks, with its reason
    assert "Errors (" not in text
    assert text.count("ruff.sarif is not valid JSON (line 3)") == 2  # checklist, finding


def test_pre_existing_waived_and_expired_waivers_are_reported() -> None:
    text = render(not_met_verdict())
    assert "1 notice, 1 pre-existing (not blocking), 1 waived (--verbose lists them)" in text
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


def test_verbose_lists_notices_waivers_with_who_and_why_and_pre_existing() -> None:
    quiet = render(not_met_verdict())
    assert "Notices" not in quiet and "Waived (" not in quiet and "v2 sunset" not in quiet
    text = render(not_met_verdict(), verbose=True)
    assert "Also:" not in text
    assert "Notices (1):\n  i src/api/users.py  cochange/missing\n      src/api changed" in text
    assert (
        "Waived (1):\n  ~ openapi.yaml:88  openapi/response-property-removed\n"
        "      GET /users: property `email` removed\n"
        "      waived by @org/api-leads until 2027-01-31: v2 sunset | ADR-0012 <approved>\n"
    ) in text
    assert "Pre-existing, not blocking (1):\n  · src/old.py:7  security/sql-injection" in text
    forever = Waiver(rule="a/b", reason="vendored code", approved_by="@org/leads")
    f = finding("a", "b", "m", "x.py", 1)
    waived = Verdict(
        met=True,
        outcomes=(
            CheckOutcome("a", "A", Status.PASSED, (Result(f, Severity.BLOCK, waiver=forever),)),
        ),
    )
    assert "      waived by @org/leads: vendored code" in render(waived, verbose=True)


def test_lines_wrap_at_the_width_with_a_hanging_indent() -> None:
    text = render(not_met_verdict(), width=60)
    lines = text.splitlines()
    assert all(columns(line) <= 60 for line in lines), [x for x in lines if columns(x) > 60]
    assert "‼ sarif       SARIF import: error: ruff.sarif is not valid" in lines
    assert "              JSON (line 3): run the tool again or fix its" in lines
    assert "  ✖ db/migrations/0042 café ünïcode.sql:3-5" in lines  # whole, rule on the next
    assert "    migrations/drop-column" in lines
    assert render(not_met_verdict()) == render(not_met_verdict(), width=None)
    assert max(columns(line) for line in render(not_met_verdict()).splitlines()) > 60


def test_a_location_is_never_cut_even_with_spaces_in_its_path() -> None:
    path = "docs/api guide/very long folder name/file with spaces.md"
    f = finding("docs", "stale", f"{path} mentions a removed endpoint", path, 12, remedy="x")
    verdict = Verdict(
        met=False,
        outcomes=(CheckOutcome("docs", "Docs", Status.FAILED, (Result(f, Severity.BLOCK),)),),
    )
    for width in (20, 40, 50, 80):
        text = render(verdict, width=width)
        assert f"{path}:12" in text, (width, text)
        assert text.count(path) == 2  # in the location and, whole, in the message
        for line in text.splitlines():  # a line overflows only with the path on it
            assert columns(line) <= max(width, 20) or path in line, (width, line)


def test_wide_characters_and_colour_codes_are_counted_as_a_terminal_shows_them() -> None:
    assert columns("日本語") == 6
    assert columns("\x1b[31m✖\x1b[0m ok") == 4
    assert columns("❤\ufe0f") == 1
    lines = wrap(Line("日本語 日本語 日本語 日本語", 2), 20)
    assert lines == ["日本語 日本語 日本語", "  日本語"]  # 20 columns fit, 27 do not
    assert wrap(Line("a" * 30 + " b", 4), 25) == ["a" * 30, "    b"]  # never cut a word


def test_colour_survives_wrapping() -> None:
    text = render(not_met_verdict(), color=True, width=50)
    assert "\x1b[31m✖\x1b[0m migrations  Migrations: 3 blocking" in text
    assert all(columns(line) <= 50 for line in text.splitlines() if "/" not in line)
