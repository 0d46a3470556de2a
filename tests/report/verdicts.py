"""Fixture verdicts the reporter tests and golden files are built from.

Durations are 0 so the golden files stay byte-identical from run to run.
"""

from __future__ import annotations

from datetime import date

from gatekeeper.model import (
    Bullet,
    BulletList,
    CheckOutcome,
    Finding,
    Heading,
    Level,
    Location,
    Result,
    Rule,
    Severity,
    Status,
    Verdict,
    Waiver,
    code,
    fingerprint,
    inline,
)


def finding(
    check: str,
    rule: str,
    message: str,
    path: str | None = None,
    start: int | None = None,
    end: int | None = None,
    *,
    level: Level = Level.ERROR,
    remedy: str = "",
) -> Finding:
    """A finding with a fingerprint derived from its identity (as checks compute them)."""
    location = Location(path, start, end) if path is not None else None
    return Finding(
        check=check,
        rule=rule,
        message=message,
        level=level,
        location=location,
        fingerprint=fingerprint(check, rule, path, message),
        remedy=remedy,
    )


RULES = {
    "migrations/drop-column": Rule(
        id="drop-column",
        level=Level.ERROR,
        summary="A migration drops a column that running code may still read",
        remedy="Deploy code that stops reading the column first, then drop it in a later release.",
        description="Dropping a column loses data and breaks the previous release during deploy.",
        help_uri="https://example.invalid/rules/migrations/drop-column",
        tags=("data-loss", "migrations"),
    ),
    "security/sql-injection": Rule(
        id="sql-injection",
        level=Level.ERROR,
        summary="SQL built from string formatting",
        remedy="Use bound parameters.",
        tags=("security", "CWE-89"),
        security_severity="8.8",
    ),
    "coverage/diff-coverage": Rule(
        id="diff-coverage", level=Level.WARNING, summary="Changed lines are not covered by tests"
    ),
    "openapi/response-property-removed": Rule(
        id="response-property-removed",
        level=Level.ERROR,
        summary="A response property was removed",
    ),
    "cochange/missing": Rule(id="missing", level=Level.INFO, summary="A co-change is missing"),
}

WAIVER = Waiver(
    rule="openapi/response-property-removed",
    reason="v2 sunset | ADR-0012 <approved>",
    approved_by="@org/api-leads",
    path="openapi.yaml",
    expires=date(2027, 1, 31),
)
EXPIRED = Waiver(
    rule="security/sql-injection",
    reason="legacy report query, rewrite planned",
    approved_by="@org/security",
    path="src/reports/**",
    expires=date(2026, 1, 1),
)


def met_verdict() -> Verdict:
    """Everything fine: a pass with details, a warning, a skip, a pre-existing finding."""
    pre = finding("security", "sql-injection", "Query built with an f-string", "src/old.py", 40)
    warn = finding(
        "coverage",
        "diff-coverage",
        "3 changed lines are not covered",
        "src/app.py",
        10,
        14,
        level=Level.WARNING,
        remedy="Add a test that exercises the new branch.",
    )
    return Verdict(
        met=True,
        outcomes=(
            CheckOutcome(
                "openapi",
                "API contract",
                Status.PASSED,
                summary="no breaking changes",
                details=(
                    Heading(inline("API changelog")),
                    BulletList((Bullet(inline("added ", code("GET /users/{id}"))),)),
                ),
            ),
            CheckOutcome(
                "security", "Security", Status.PASSED, (Result(pre, Severity.BLOCK, True),)
            ),
            CheckOutcome(
                "coverage",
                "Coverage",
                Status.WARNED,
                (Result(warn, Severity.WARN),),
                summary="diff coverage 78% (minimum 80%)",
            ),
            CheckOutcome("env-vars", "Environment variables", Status.SKIPPED),
        ),
        base="1111111111111111111111111111111111111111",
        head="2222222222222222222222222222222222222222",
        policy_source=".github/gatekeeper.yml",
        policy_digest="abcdef0123456789",
        pr_title="Add user lookup",
        pr_number=7,
        rules={
            k: v
            for k, v in RULES.items()
            if k in ("security/sql-injection", "coverage/diff-coverage")
        },
    )


def _not_met_outcomes() -> tuple[CheckOutcome, ...]:
    drop = finding(
        "migrations",
        "drop-column",
        "Dropping column users.email | loses <data> `now`",
        "db/migrations/0042 café ünïcode.sql",
        3,
        5,
        remedy="Split into two releases.",
    )
    evil = finding(
        "migrations", "drop-column", "Control \x1b[31mred\x00 and\ttab\nnewline", "db/x.sql", 9
    )
    nowhere = finding("migrations", "irreversible", "The migration cannot be rolled back")
    removed = finding(
        "openapi",
        "response-property-removed",
        "GET /users: property `email` removed",
        "openapi.yaml",
        88,
    )
    sqli = finding("security", "sql-injection", "Query built with an f-string", "src/db.py", 12)
    note = finding(
        "cochange", "missing", "src/api changed without docs/", "src/api/users.py", level=Level.INFO
    )
    old = finding("security", "sql-injection", "Query built with %", "src/old.py", 7)
    return (
        CheckOutcome(
            "migrations",
            "Migrations",
            Status.FAILED,
            (
                Result(drop, Severity.BLOCK),
                Result(evil, Severity.BLOCK),
                Result(nowhere, Severity.BLOCK),
            ),
            duration=1.25,
        ),
        CheckOutcome(
            "openapi",
            "API contract",
            Status.PASSED,
            (Result(removed, Severity.BLOCK, waiver=WAIVER),),
            summary="1 breaking change, waived",
        ),
        CheckOutcome(
            "security",
            "Security",
            Status.FAILED,
            (Result(sqli, Severity.BLOCK), Result(old, Severity.BLOCK, pre_existing=True)),
        ),
        CheckOutcome("cochange", "Co-changes", Status.PASSED, (Result(note, Severity.INFO),)),
        CheckOutcome(
            "coverage", "Coverage", Status.FAILED, summary="diff coverage 41% < 80% required"
        ),
        CheckOutcome(
            "sarif",
            "SARIF import",
            Status.ERROR,
            # as the engine builds it: an error outcome carries one check-error finding
            (
                Result(
                    finding(
                        "sarif",
                        "check-error",
                        "The SARIF import check could not run:"
                        " ruff.sarif is not valid JSON (line 3)",
                    ),
                    Severity.BLOCK,
                ),
            ),
            error="ruff.sarif is not valid JSON (line 3): run the tool again or fix its path",
        ),
        CheckOutcome(
            "env-vars", "Environment variables", Status.SKIPPED, summary="no .env files changed"
        ),
    )


def not_met_verdict() -> Verdict:
    """Blocked: blocking findings (unicode, escapes, no location), waived, pre-existing,
    an info finding, a failed check without findings, an error, expired waivers, notes."""
    return Verdict(
        met=False,
        outcomes=_not_met_outcomes(),
        base="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        head="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        policy_source=".github/gatekeeper.yml",
        policy_digest="0123456789abcdef",
        pr_title="Drop e-mail column 🚀 <b>now</b>",
        pr_number=42,
        agent_signal="branch codex/drop-email",
        expired_waivers=(EXPIRED,),
        notes=("Policy read from base commit aaaaaaa.",),
        rules=RULES,
    )


def huge_verdict(count: int = 5000) -> Verdict:
    """Thousands of blocking findings in one check, some warnings in another."""
    many = tuple(
        Result(
            finding(
                "security",
                "sql-injection",
                f"Query {i} built with an f-string",
                f"src/gen/m{i:05d}.py",
                i + 1,
            ),
            Severity.BLOCK,
        )
        for i in range(count)
    )
    warns = tuple(
        Result(
            finding(
                "coverage",
                "diff-coverage",
                f"line block {i} uncovered",
                "src/app.py",
                i + 1,
                level=Level.WARNING,
            ),
            Severity.WARN,
        )
        for i in range(10)
    )
    return Verdict(
        met=False,
        outcomes=(
            CheckOutcome("security", "Security", Status.FAILED, many),
            CheckOutcome("coverage", "Coverage", Status.WARNED, warns),
        ),
        base="c" * 40,
        head="d" * 40,
        policy_source="policy.yml",
        rules=RULES,
    )


FIXTURES = {"met": met_verdict, "not_met": not_met_verdict, "huge": huge_verdict}
