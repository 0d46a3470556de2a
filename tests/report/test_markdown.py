"""The Markdown reporter: checklist first, folded details, escaping, and the size cap."""

from __future__ import annotations

import re
from dataclasses import replace
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
from gatekeeper.report.links import SourceLinks
from gatekeeper.report.markdown import (
    LIMIT,
    MAX_DETAILS,
    MAX_TOP,
    MAX_WAIVED,
    MarkdownReporter,
    code,
    escape,
)
from tests.adversarial.rendered import render_markdown
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


def test_verdict_then_what_blocks_then_the_checklist_then_the_folds() -> None:
    text = render(not_met_verdict())
    lines = text.splitlines()
    assert lines[0] == "## ❌ Definition of Done: not met (5 blocking)"
    order = ["**What blocks the merge** (5):", "**Checklist** (7 checks, by outcome):", "<details>"]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    assert render(met_verdict()).startswith("## ✅ Definition of Done: met\n")
    assert "What blocks the merge" not in render(met_verdict())


def test_blocking_findings_are_items_with_rule_place_message_and_fix() -> None:
    text = render(not_met_verdict())
    top = text[text.index("**What blocks the merge**") : text.index("**Checklist**")]
    assert (
        "* `migrations/drop-column` at `db/migrations/0042 café ünïcode.sql:3-5`: Dropping"
        " column users.email \\| loses &lt;data&gt; `now`\\\n  **Fix:** Split into two releases.\n"
        in top
    )
    assert "* `migrations/irreversible`: The migration cannot be rolled back\n" in top
    assert top.count("\n* ") == 5  # each blocking finding once, the errored check's too
    folds = text[text.index("<details>") :]
    assert "* ❌ block · `migrations/drop-column` at `db/x.sql:9`: Control" in folds
    assert "* ℹ️ info · `cochange/missing` at `src/api/users.py`: src/api changed" in folds
    assert not [line for line in text.splitlines() if line.startswith("|")]  # no table rows
    assert_well_formed(text)


def test_the_checklist_is_ordered_by_outcome_without_checkboxes() -> None:
    checklist = _checklist(render(not_met_verdict()))
    assert [line.split("`")[1] for line in checklist] == [
        "coverage", "migrations", "security",  # blocking
        "sarif",  # could not run
        "cochange", "openapi",  # passed
        "env-vars",  # not applicable
    ]  # fmt: skip
    order = [line.split("`")[1] for line in _checklist(render(met_verdict()))]
    assert order == ["coverage", "openapi", "security", "env-vars"]  # warned, passed, skipped
    assert "⚠️ **Coverage**" in render(met_verdict())
    for verdict in (met_verdict(), not_met_verdict()):
        assert "[x]" not in render(verdict) and "[ ]" not in render(verdict)


def _checklist(text: str) -> list[str]:
    after = text[text.index("**Checklist**") :].split("\n\n")[1]
    return after.splitlines()


def test_counts_are_worded_in_the_singular_when_there_is_one() -> None:
    text = render(met_verdict())
    assert "· 1 warning ·" in text and "· 0 notices ·" in text
    one = Verdict(met=True, outcomes=(CheckOutcome("x", "X", Status.PASSED),))
    assert "**Checklist** (1 check, by outcome):" in render(one)


def test_the_policy_digest_is_labelled() -> None:
    text = render(not_met_verdict())
    assert "policy `.github/gatekeeper.yml` (digest `0123456789ab`)" in text
    at_base = replace(not_met_verdict(), policy_source=".github/gatekeeper.yml (at base 0a1b2c)")
    assert "policy `.github/gatekeeper.yml` (at base 0a1b2c, digest `0123456789ab`)" in render(
        at_base
    )
    preset = replace(not_met_verdict(), policy_source="built-in default policy", policy_digest="")
    assert "policy `built-in default policy`\n" in render(preset)


def test_an_errored_check_is_shown_once() -> None:
    text = render(not_met_verdict())
    # the checklist line and the fold's title (the check's summary), and the finding
    # above and in the fold; no "Error:" line repeats it
    assert text.count("ruff.sarif is not valid JSON (line 3)") == 4
    assert "**Error:**" not in text
    # without a check-error finding to show it, the reason goes in the fold
    bare = CheckOutcome("x", "X", Status.ERROR, error="tool missing")
    assert "**Error:** tool missing" in render(Verdict(met=False, outcomes=(bare,)))


def test_locations_link_to_their_lines_at_the_head_commit() -> None:
    verdict = not_met_verdict()
    links = SourceLinks.parse("https://github.example", "acme/shop", verdict.head)
    text = MarkdownReporter(links).render(verdict)
    blob = "https://github.example/acme/shop/blob/" + "b" * 40
    assert f"[`db/migrations/0042 café ünïcode.sql:3-5`]({blob}/db/migrations/" in text
    assert "0042%20caf%C3%A9%20%C3%BCn%C3%AFcode.sql#L3-L5)" in text
    assert f"[`src/db.py:12`]({blob}/src/db.py#L12)" in text
    assert f"[`src/api/users.py`]({blob}/src/api/users.py)" in text  # no line, no anchor
    assert f"[`openapi.yaml:88`]({blob}/openapi.yaml#L88)" in text  # waived, in its fold
    doc = render_markdown(text)
    assert doc.links and all(link.startswith(blob + "/") for link in doc.links)
    # locally (no repository known) the place is plain text
    assert render_markdown(render(verdict)).links == []
    assert "`src/db.py:12`" in render(verdict)


def test_code_in_remedies_renders_as_code() -> None:
    remedy = "Add it to `checks.security.secrets.allowlist`, or run `grep -E 'a|b'` first."
    f = finding("security", "secret", "a key", "a.py", 3, remedy=remedy)
    verdict = Verdict(
        met=False,
        outcomes=(CheckOutcome("security", "S", Status.FAILED, (Result(f, Severity.BLOCK),)),),
    )
    doc = render_markdown(render(verdict))
    assert doc.rows == []  # not in a table cell, where GitHub's pipe rules apply
    assert doc.code.count("checks.security.secrets.allowlist") == 2  # above and in the fold
    assert doc.code.count("grep -E 'a|b'") == 2  # a pipe in code needs no escape here
    assert not [t for t in doc.text if "`" in t or "\\" in t], doc.text


def test_more_blocking_findings_than_the_top_shows_are_counted() -> None:
    results = tuple(
        Result(finding("chk", "r", f"m{i}", f"f{i:02d}.py", 1), Severity.BLOCK)
        for i in range(MAX_TOP + 3)
    )
    text = render(Verdict(met=False, outcomes=(CheckOutcome("chk", "C", Status.FAILED, results),)))
    top = text[: text.index("**Checklist**")]
    assert top.count("\n* `chk/r`") == MAX_TOP
    assert "…and 3 more blocking findings, listed under their checks below." in top
    assert text.count("* ❌ block · ") == MAX_TOP + 3  # all of them in the fold


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
    shown = text.count("* ❌ block · ")
    assert 100 < shown < 5000
    assert f"…and {5000 - shown} more findings" in text
    assert f"…and {5000 - MAX_TOP} more blocking findings" in text
    # blocking findings took the space; the warnings are only counted
    assert "* ⚠️ warn · " not in text
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
    # check bbb's fold comes after aaa's many warnings, yet all its blocking items show
    assert text.count("* ❌ block · ") == 10
    assert "* ⚠️ warn · " in text and "more findings" in text


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
    assert text.count("* ❌ block · ") + _more(text, "findings") == len(results)
    top = text[: text.index("**Checklist**")]
    assert top.count("\n* `chk/rule`") + _more(top, "blocking finding") == len(results)
    doc = render_markdown(text)
    assert doc.foreign_html == [] and doc.links == []
    assert len(doc.items) == top.count("\n* `chk/rule`") + text.count("* ❌ block · ") + 1


def _more(text: str, what: str) -> int:
    match = re.search(rf"…and (\d+) more {what}", text)
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
