"""The bandit part: only findings the change introduced, thresholds, nosec, config at base."""

from __future__ import annotations

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.security import SecurityCheck
from gatekeeper.checks.security.bandit_scan import RULES
from gatekeeper.model import Level

from .helpers import rules, run_part, where

SQL_OLD = 'def q(c, n):\n    return c.execute("SELECT * FROM t WHERE n = %s" % n)\n'
SQL_NEW = 'def r(c, n):\n    return c.execute(f"DELETE FROM t WHERE id = {n}")\n'
HEADER = "import sqlite3\n\n\n"


def test_a_new_sql_string_is_reported_with_its_cwe() -> None:
    found = run_part("bandit", {"db.py": HEADER + SQL_OLD}, {"db.py": HEADER + SQL_OLD + SQL_NEW})
    assert rules(found) == ["bandit-b608"]
    assert where(found) == [("db.py", 7)]
    assert "CWE-89" in found[0].message
    assert found[0].level is Level.ERROR


def test_a_finding_already_at_base_is_not_reported_even_when_it_moves() -> None:
    head = HEADER + "X = 1\nY = 2\n\n" + SQL_OLD
    assert run_part("bandit", {"db.py": HEADER + SQL_OLD}, {"db.py": head}) == []


def test_a_new_copy_of_an_old_finding_is_reported_once() -> None:
    from gatekeeper.testing import changeset, context

    copy = SQL_OLD.replace("def q", "def q2")
    ctx = context(
        changeset({"db.py": HEADER + SQL_OLD}, {"db.py": HEADER + SQL_OLD + copy}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    found = list(SecurityCheck().run(ctx))
    assert rules(found) == ["bandit-b608"]
    assert where(found) == [("db.py", 7)]  # the copy, on the added line
    assert (
        "2 finding(s) at head at or above the thresholds, 1 new, 1 pre-existing" in ctx.details[0]
    )


def test_two_new_copies_have_distinct_fingerprints() -> None:
    head = HEADER + SQL_NEW + SQL_NEW.replace("def r", "def s")
    found = run_part("bandit", {"db.py": HEADER}, {"db.py": head})
    assert len(found) == 2 and found[0].fingerprint != found[1].fingerprint


def test_the_fingerprint_survives_a_line_move() -> None:
    one = run_part("bandit", {"db.py": HEADER}, {"db.py": HEADER + SQL_NEW})
    two = run_part("bandit", {"db.py": HEADER}, {"db.py": HEADER + "Z = 3\n" + SQL_NEW})
    assert one[0].fingerprint == two[0].fingerprint
    assert one[0].location != two[0].location


def test_a_renamed_file_is_compared_with_its_old_version() -> None:
    base = {"old/db.py": HEADER + SQL_OLD}
    head = {"new/db.py": HEADER + SQL_OLD}
    from gatekeeper.testing import changeset, context

    ctx = context(
        changeset(base, head, renames={"old/db.py": "new/db.py"}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    assert list(SecurityCheck().run(ctx)) == []
    head2 = {"new/db.py": HEADER + SQL_OLD + SQL_NEW}
    ctx = context(
        changeset(base, head2, renames={"old/db.py": "new/db.py"}),
        {"secrets": False, "dependencies": False, "sensitive": False},
    )
    assert [f.rule for f in SecurityCheck().run(ctx)] == ["bandit-b608"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (True, []),  # assert is low severity: under the default medium threshold
        ({"min_severity": "low"}, ["bandit-b101"]),
        ({"min_severity": "low", "min_confidence": "high"}, ["bandit-b101"]),
        ({"min_severity": "high"}, []),
    ],
)
def test_severity_and_confidence_thresholds(options: object, expected: list[str]) -> None:
    assert rules(run_part("bandit", {}, {"a.py": "assert 1\n"}, options)) == expected


def test_nosec_is_honoured_unless_the_policy_says_not_to() -> None:
    code = HEADER + SQL_NEW.replace('{n}")', '{n}")  # nosec B608')
    assert run_part("bandit", {}, {"db.py": code}) == []
    assert rules(run_part("bandit", {}, {"db.py": code}, {"honour_nosec": False})) == [
        "bandit-b608"
    ]


def test_skips_from_tool_bandit_are_read_at_base_not_head() -> None:
    cfg = '[tool.bandit]\nskips = ["B608"]\n'
    base = {"pyproject.toml": cfg, "db.py": HEADER}
    assert run_part("bandit", base, {**base, "db.py": HEADER + SQL_NEW}) == []
    # a PR cannot weaken the gate by adding the skip in its own pyproject.toml
    found = run_part(
        "bandit", {"db.py": HEADER}, {"pyproject.toml": cfg, "db.py": HEADER + SQL_NEW}
    )
    assert rules(found) == ["bandit-b608"]


def test_policy_skips_tests_and_exclude_dirs() -> None:
    head = {"db.py": HEADER + SQL_NEW, "tests/t.py": HEADER + SQL_NEW}
    assert where(run_part("bandit", {}, head, {"skips": ["B608"]})) == []
    assert where(run_part("bandit", {}, head, {"tests": ["B101"]})) == []
    base = {"pyproject.toml": '[tool.bandit]\nexclude_dirs = ["tests"]\n'}
    assert where(run_part("bandit", base, {**base, **head})) == [("db.py", 5)]


def test_a_file_with_a_syntax_error_is_reported_not_a_crash() -> None:
    found = run_part("bandit", {}, {"bad.py": "def f(:\n    pass\n", "ok.py": HEADER + SQL_NEW})
    assert sorted(rules(found)) == ["bandit-b608", "python-unparseable"]
    bad = next(f for f in found if f.rule == "python-unparseable")
    assert bad.level is Level.WARNING and "bad.py" in bad.message


def test_a_huge_minified_file_and_a_binary_file_are_reported_as_not_scanned() -> None:
    huge = "x=[" + ",".join(["1"] * 2_600_000) + "]\n"  # one line, about 5 MB
    found = run_part("bandit", {}, {"min.py": huge, "blob.py": b"\x00\x01\x02"})
    assert rules(found) == ["python-not-scanned", "python-not-scanned"]
    assert "binary" in found[0].message and "byte limit" in found[1].message


def test_invalid_base_pyproject_fails_closed_with_what_to_do() -> None:
    base = {"pyproject.toml": "[tool.bandit\nskips = 1\n"}
    with pytest.raises(CheckError, match="read_config"):
        run_part("bandit", base, {**base, "a.py": "x = 1\n"})
    assert run_part("bandit", base, {**base, "a.py": "x = 1\n"}, {"read_config": False}) == []


def test_bandit_rejecting_the_config_fails_closed() -> None:
    base = {"pyproject.toml": '[tool.bandit]\nskips = "B101"\ntests = 3\n'}
    with pytest.raises(CheckError, match=r"\[tool.bandit\] tests .* list of strings"):
        run_part("bandit", base, {**base, "a.py": "x = 1\n"})


def test_a_level_shorthand_changes_what_the_findings_propose() -> None:
    found = run_part("bandit", {}, {"db.py": HEADER + SQL_NEW}, "warn")
    assert [f.level for f in found] == [Level.WARNING]


def test_files_not_python_and_deleted_files_are_not_scanned() -> None:
    assert run_part("bandit", {"gone.py": HEADER + SQL_NEW}, {"x.txt": SQL_NEW}) == []


def test_every_bandit_rule_carries_a_cwe_and_a_security_severity() -> None:
    bandit_rules = [r for r in RULES if r.id.startswith("bandit-b")]
    assert len(bandit_rules) > 60
    for rule in bandit_rules:
        assert any(t.startswith("CWE-") for t in rule.tags), rule.id
        assert float(rule.security_severity) > 0
    assert SecurityCheck.rules["bandit-b608"].tags == ("security", "CWE-89")
