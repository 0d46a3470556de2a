"""The Markdown reporter: checklist first, folded details, escaping, and the size cap."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from gatekeeper.model import (
    Block,
    Bullet,
    BulletList,
    CheckOutcome,
    Heading,
    Level,
    Paragraph,
    Result,
    Severity,
    Status,
    Table,
    Verdict,
    Waiver,
    inline,
    strong,
)
from gatekeeper.model import code as code_span
from gatekeeper.report.markdown import (
    LIMIT,
    MAX_DETAILS,
    MAX_WAIVED,
    MarkdownReporter,
    code,
    escape,
)
from tests.report.verdicts import (
    EXPIRED,
    WAIVER,
    finding,
    huge_verdict,
    met_verdict,
    not_met_verdict,
)

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def render(verdict: Verdict) -> str:
    return MarkdownReporter().render(verdict)


def assert_well_formed(text: str) -> None:
    """Under the cap, every <details> closed, every table row complete."""
    assert len(text.encode("utf-8")) <= LIMIT
    assert text.count("<details>") == text.count("</details>")
    assert text.count("<summary>") == text.count("</summary>")
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.endswith("|"), line
            assert len(_UNESCAPED_PIPE.findall(line)) == 5, line


def test_title_then_checklist_first() -> None:
    lines = render(not_met_verdict()).splitlines()
    assert lines[0] == "## ❌ Definition of Done: not met (5 blocking)"
    checklist = [line for line in lines if line.startswith("- [")]
    assert checklist[0] == "- [x] ✅ **Co-changes** (`cochange`): passed"
    assert "- [ ] ‼️ **SARIF import** (`sarif`): error: ruff.sarif" in "\n".join(checklist)
    assert "- [ ] ❌ **Migrations** (`migrations`): 3 blocking" in checklist
    first_fold = next(i for i, line in enumerate(lines) if line == "<details>")
    assert all(i < first_fold for i, line in enumerate(lines) if line.startswith("- ["))
    assert render(met_verdict()).startswith("## ✅ Definition of Done: met\n")


def test_findings_table_with_locations_and_remedies() -> None:
    text = render(not_met_verdict())
    assert (
        "| ❌ block | `migrations/drop-column` | `db/migrations/0042 café ünïcode.sql:3-5` |"
        in text
    )
    assert "<br>**Fix:** Split into two releases. |" in text
    assert "| ❌ block | `migrations/irreversible` | — |" in text
    assert "| ℹ️ info | `cochange/missing` | `src/api/users.py` |" in text
    assert_well_formed(text)


def test_messages_are_escaped() -> None:
    text = render(not_met_verdict())
    # a backticked word stays code; everything else is escaped
    assert r"users.email \| loses &lt;data&gt; `now`" in text
    assert "<data>" not in text
    assert "&lt;b&gt;now&lt;/b&gt;" in text  # the PR title too
    assert "\x1b" not in text and "\x00" not in text


def test_escape_and_code_helpers() -> None:
    assert escape("a|b") == r"a\|b"
    assert escape("<script>&") == "&lt;script&gt;&amp;"
    assert escape("*bold* _it_ [x](y) ~s~ \\") == r"\*bold\* \_it\_ \[x\](y) \~s\~ \\"
    assert escape("two\nlines") == "two lines"
    assert escape("@app.route and @org/team") == "@\u200bapp.route and @\u200borg/team"
    assert escape("mail dev@example.com, @ alone") == "mail dev@example.com, @ alone"
    assert code("a.py") == "`a.py`"
    assert code("we`ird") == "``we`ird``"
    assert code("`lead") == "`` `lead ``"
    assert code("a|b") == r"`a\|b`"
    assert code("ends`") == "`` ends` ``"


def test_waivers_details_preexisting_and_errors_are_in_the_folds() -> None:
    text = render(not_met_verdict())
    assert "**Waived** (1):" in text
    assert (
        r"v2 sunset \| ADR-0012 &lt;approved&gt; (approved by `@org/api-leads`, expires 2027-01-31)"
        in text
    )
    assert "1 pre-existing finding (already at base, not blocking)." in text
    assert "**Error:** ruff.sarif is not valid JSON" in text
    assert "### Expired waivers (1)" in text
    assert f"`{EXPIRED.rule}` on `{EXPIRED.path}`, no longer applied" in text
    assert "> Policy read from base commit aaaaaaa." in text
    assert "### API changelog\n\n- added `GET /users/{id}`" in render(met_verdict())


def test_a_check_with_nothing_to_say_gets_no_fold() -> None:
    text = render(not_met_verdict())
    assert "<code>env-vars</code>" not in text
    assert "<code>coverage</code>" not in text  # failed on a threshold: its summary says it all


def test_huge_verdict_is_cut_under_the_limit_with_a_count() -> None:
    text = render(huge_verdict())
    assert_well_formed(text)
    shown = text.count("| ❌ block |")
    assert 100 < shown < 5000
    assert f"…and {5000 - shown} more findings" in text
    # blocking rows took the space; the warnings are only counted
    assert "| ⚠️ warn |" not in text
    assert "…and 10 more findings" in text


def test_overlong_details_are_replaced_by_a_pointer() -> None:
    details = (Paragraph(inline("x" * (MAX_DETAILS + 1))),)
    outcome = CheckOutcome("openapi", "API", Status.PASSED, details=details)
    text = render(Verdict(met=True, outcomes=(outcome,)))
    assert "too long to show here" in text
    assert "xxxx" not in text


def test_waived_and_expired_lists_are_capped() -> None:
    f = finding("openapi", "response-property-removed", "gone", "openapi.yaml", 1)
    waived = tuple(Result(f, Severity.BLOCK, waiver=WAIVER) for _ in range(MAX_WAIVED + 4))
    no_expiry = Waiver(rule="a/b", reason="r", approved_by="me")
    verdict = Verdict(
        met=True,
        outcomes=(CheckOutcome("openapi", "API", Status.PASSED, waived),),
        expired_waivers=(EXPIRED,) * (MAX_WAIVED + 2) + (no_expiry,),
    )
    text = render(verdict)
    assert "…and 4 more waived findings" in text
    assert "…and 3 more expired waivers" in text


def test_too_many_checks_keep_only_the_checklist() -> None:
    outcomes = tuple(
        CheckOutcome(
            f"check-{i:04d}",
            f"Check {i}",
            Status.ERROR,
            (Result(finding(f"check-{i:04d}", "check-error", "could not run"), Severity.BLOCK),),
            error="tool missing " + "y" * 200,
        )
        for i in range(1500)
    )
    text = render(Verdict(met=False, outcomes=outcomes))
    assert_well_formed(text)
    assert "<details>" not in text
    assert text.endswith(
        "_Details omitted: too long for one comment; the JSON report has them all._\n"
    )
    assert text.startswith("## ❌ Definition of Done: not met (1500 blocking)")


def test_row_budget_serves_every_checks_blocking_rows_first() -> None:
    big = "z" * 400
    a = tuple(
        Result(finding("aaa", "r", f"{big}{i}", f"a{i}.py", 1, level=Level.WARNING), Severity.WARN)
        for i in range(200)
    )
    b = tuple(
        Result(finding("bbb", "r", f"{big}{i}", f"b{i}.py", 1), Severity.BLOCK) for i in range(10)
    )
    verdict = Verdict(
        met=False,
        outcomes=(
            CheckOutcome("aaa", "A", Status.WARNED, a),
            CheckOutcome("bbb", "B", Status.FAILED, b),
        ),
    )
    text = render(verdict)
    assert_well_formed(text)
    assert text.count("| ❌ block |") == 10  # check bbb sorts last, yet all its blocking rows show
    assert "| ⚠️ warn |" in text and "more findings" in text


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x1F9FF)
    | st.sampled_from("|<>`*_[]\\\n"),
    max_size=60,
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(messages=st.lists(_text, min_size=1, max_size=8), copies=st.integers(1, 1500))
def test_any_messages_stay_well_formed(messages: list[str], copies: int) -> None:
    results = tuple(
        Result(finding("chk", "rule", m, f"p{i}|`x`.py", i + 1, remedy=m), Severity.BLOCK)
        for i, m in enumerate(messages * copies)
    )
    text = render(
        Verdict(met=False, outcomes=(CheckOutcome("chk", "T|<x>", Status.FAILED, results),))
    )
    assert_well_formed(text)
    assert text.count("| ❌ block |") + _more(text) == len(results)


def _more(text: str) -> int:
    match = re.search(r"…and (\d+) more findings", text)
    return int(match.group(1)) if match else 0


def test_expiry_dates_render_in_iso_form() -> None:
    w = Waiver(rule="x/y", reason="r", approved_by="a", expires=date(2030, 12, 31))
    text = render(Verdict(met=True, outcomes=(), expired_waivers=(w,)))
    assert "expires 2030-12-31" in text


def _with_details(*blocks: Block) -> str:
    return render(
        Verdict(met=True, outcomes=(CheckOutcome("x", "X", Status.PASSED, details=blocks),))
    )


def test_details_cannot_break_the_folds() -> None:
    text = _with_details(Paragraph(inline("before </details> <SUMMARY>x</summary> <details open>")))
    assert text.count("<details>") == text.count("</details>") == 1
    assert "&lt;/details&gt; &lt;SUMMARY&gt;x&lt;/summary&gt; &lt;details open&gt;" in text


def test_details_cannot_open_a_code_fence_or_a_heading() -> None:
    text = _with_details(
        Paragraph(inline("```diff")),
        BulletList((Bullet(inline("# Definition of Done: met"), (inline("~~~"),)),)),
        Heading(inline(code_span("```"), " and ", strong("**bold**"))),
    )
    assert "\n```diff" not in text and "\n~~~" not in text
    assert "\\# Definition of Done: met" in text
    assert "**\\*\\*bold\\*\\***" in text


def test_details_tables_keep_their_shape() -> None:
    table = Table(
        ("file", "lines"),
        ((inline(code_span("a|b.py")), inline("3")), (inline("x | y"),)),
        numeric=frozenset({1}),
    )
    text = _with_details(table)
    assert "| file | lines |\n|---|---:|\n| `a\\|b.py` | 3 |\n| x \\| y | — |" in text
