"""The coverage check on real coverage.py reports of a small project."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.checks.coverage import CoverageCheck
from gatekeeper.checks.coverage.diffcov import show
from gatekeeper.checks.interface import CheckError
from gatekeeper.model import Level, plain_text
from gatekeeper.testing import changeset, context, defaults

from .conftest import Project


def run(
    project: Project,
    config: dict[str, Any],
    *,
    root: Path | None = None,
    head: dict[str, str] | None = None,
) -> tuple[list[Any], Any]:
    check = CoverageCheck()
    cfg = {**defaults(check), **config}
    changes = changeset(project.base_files, head or project.head_files, root=root or project.root)
    ctx = context(changes, cfg)
    if not check.applies(ctx):
        return [], ctx
    return list(check.run(ctx)), ctx


def rules(found: list[Any]) -> list[tuple[str, int | None]]:
    return sorted((f.rule, f.location.start_line if f.location else None) for f in found)


@pytest.mark.parametrize("report", ["coverage.json", "coverage.xml", "coverage.info", ".coverage"])
def test_every_format_gives_the_same_diff_coverage(project: Project, report: str) -> None:
    found, ctx = run(project, {"reports": [report]})
    # 11 (mul's early return), 17 (div's raise) and unused's body never ran
    assert [r for r in rules(found) if r[0] == "uncovered-lines"] == [
        ("uncovered-lines", 11),
        ("uncovered-lines", 17),
        ("uncovered-lines", 24),
        ("uncovered-lines", 27),
    ]
    assert ctx.summary.startswith("diff coverage ")
    assert "(" in ctx.summary


def test_multi_line_statements_count_for_their_statement(project: Project) -> None:
    found, _ = run(project, {"reports": ["coverage.json"]})
    uncovered = [f for f in found if f.rule == "uncovered-lines"]
    assert [(f.location.start_line, f.location.end_line) for f in uncovered] == [
        (11, 11),
        (17, 17),
        (24, 24),
        (27, 27),
    ]
    # the raise on line 17 spans 17-19 and did not run: counted once, at line 17
    assert all(f.location.start_line not in (18, 19, 25, 26) for f in uncovered)


def test_diff_coverage_equals_diff_cover_except_multi_line_statements(
    project: Project, tmp_path: Path
) -> None:
    if shutil.which("diff-cover") is None:
        pytest.skip("diff-cover is not installed")
    out = tmp_path / "dc.json"
    subprocess.run(
        ["diff-cover", "coverage.xml", "--compare-branch", project.base, "--format", f"json:{out}"],
        cwd=project.root,
        check=True,
        capture_output=True,
    )
    theirs = json.loads(out.read_text())["src_stats"]["calc.py"]
    found, _ctx = run(project, {"reports": ["coverage.xml"]})
    ours_missing = {
        n
        for f in found
        if f.rule == "uncovered-lines"
        for n in range(f.location.start_line, f.location.end_line + 1)
    }
    assert set(theirs["violation_lines"]) == ours_missing
    # diff-cover counts only lines coverage lists; continuation lines 17-18 and 24-25 are not
    # listed, so both tools agree here; they differ when only a continuation line changes:
    edited = project.head_files["calc.py"].replace('"b must not be zero"', '"b is zero"')
    base_files = dict(project.head_files)
    base_changes = changeset(base_files, {**base_files, "calc.py": edited}, root=project.root)
    ctx2 = context(base_changes, {**defaults(CoverageCheck), "reports": ["coverage.xml"]})
    list(CoverageCheck().run(ctx2))
    assert "1/1" in ctx2.summary or "0/1" in ctx2.summary  # the raise statement is measured
    assert 18 not in theirs["violation_lines"]


def test_threshold_fires_and_passes(project: Project) -> None:
    found, _ = run(project, {"reports": ["coverage.json"], "diff_min": 100})
    assert any(f.rule == "diff-coverage-below" and f.level is Level.ERROR for f in found)
    found, _ = run(project, {"reports": ["coverage.json"], "diff_min": 50})
    assert not any(f.rule == "diff-coverage-below" for f in found)


def test_per_path_threshold_and_informational_mode(project: Project) -> None:
    cfg = {
        "reports": ["coverage.json"],
        "diff_min": 0,
        "thresholds": [{"paths": ["calc.py"], "diff_min": 99}],
    }
    found, _ = run(project, cfg)
    (below,) = [f for f in found if f.rule == "diff-coverage-below"]
    assert "for calc.py" in below.message
    found, _ = run(project, {**cfg, "informational": True})
    assert all(f.level is Level.INFO for f in found if f.rule == "diff-coverage-below")


def test_total_drop_against_base_report(project: Project) -> None:
    found, ctx = run(
        project,
        {"reports": ["coverage.json"], "base_report": "base-coverage.json", "total_max_drop": 0},
    )
    assert "total-drop" in [f.rule for f in found]
    assert "(base 100.00%)" in ctx.summary
    found, _ = run(
        project,
        {"reports": ["coverage.json"], "base_report": "base-coverage.json", "total_max_drop": 50},
    )
    assert "total-drop" not in [f.rule for f in found]


def test_total_min_and_unknown_base(project: Project) -> None:
    found, _ = run(project, {"reports": ["coverage.json"], "total_min": 99, "total_max_drop": 1})
    assert {"total-below", "base-unknown"} <= {f.rule for f in found}


def test_cache_dir_keyed_by_base_sha(project: Project, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "cache" / "base").mkdir(parents=True)
    shutil.copy(project.root / "coverage.json", root / "coverage.json")
    shutil.copy(project.root / "base-coverage.json", root / "cache" / "base" / "coverage.json")
    found, _ctx = run(project, {"cache_dir": "cache", "total_max_drop": 0}, root=root)
    assert "total-drop" in [f.rule for f in found]


def test_no_report_configured_or_found_is_not_applicable(tmp_path: Path, project: Project) -> None:
    found, ctx = run(project, {}, root=tmp_path)
    assert found == [] and "no coverage report found" in ctx.summary


def test_conventional_report_is_found(project: Project, tmp_path: Path) -> None:
    shutil.copy(project.root / "coverage.json", tmp_path / "coverage.json")
    found, _ctx = run(project, {}, root=tmp_path)
    assert "uncovered-lines" in [f.rule for f in found]


def test_several_conventional_reports_and_none_named_are_ambiguous(project: Project) -> None:
    found, ctx = run(project, {})
    assert [f.rule for f in found] == ["ambiguous-reports"]
    assert "coverage.json, coverage.xml" in found[0].message
    assert ctx.summary == "several coverage reports, none named"


def test_missing_configured_report_is_an_error(project: Project) -> None:
    with pytest.raises(CheckError, match="coverage json"):
        run(project, {"reports": ["nope.json"]})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ('{"files": {}}', "lists no files"),
        ("{not json", "not a coverage.py JSON report"),
        ("hello", "not a coverage report"),
        ("<coverage><packages><package", "malformed XML"),
    ],
)
def test_bad_reports_are_clear_errors(
    tmp_path: Path, project: Project, content: str, message: str
) -> None:
    (tmp_path / "r.dat").write_text(content)
    with pytest.raises(CheckError, match=message):
        run(project, {"reports": ["r.dat"]}, root=tmp_path)


def test_hostile_xml_is_refused(tmp_path: Path, project: Project) -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + "]><coverage>&i;</coverage>"
    )
    (tmp_path / "coverage.xml").write_text(lol)
    with pytest.raises(CheckError, match="entities"):
        run(project, {}, root=tmp_path)


def test_paths_from_another_machine_are_mapped(tmp_path: Path, project: Project) -> None:
    data = json.loads((project.root / "coverage.json").read_text())
    data["files"] = {f"/home/runner/work/app/app/{k}": v for k, v in data["files"].items()}
    (tmp_path / "coverage.json").write_text(json.dumps(data))
    found, _ = run(project, {}, root=tmp_path)  # unique suffix match
    assert "uncovered-lines" in [f.rule for f in found]
    original = json.loads((project.root / "coverage.json").read_text())["files"]
    data["files"] = {f"/app/other/{k}.bak": v for k, v in original.items()}
    (tmp_path / "coverage.json").write_text(json.dumps(data))
    found, _ = run(project, {}, root=tmp_path)
    (nothing,) = [f for f in found if f.rule == "report-matches-nothing"]
    assert "/app/other/calc.py.bak" in nothing.message
    found, _ = run(project, {"path_map": {"/app/other": "."}}, root=tmp_path)
    assert "report-matches-nothing" in [f.rule for f in found]  # .bak still does not match


def test_strip_prefixes(tmp_path: Path, project: Project) -> None:
    data = json.loads((project.root / "coverage.json").read_text())
    data["files"] = {f"C:\\build\\src\\{k}": v for k, v in data["files"].items()}
    (tmp_path / "coverage.json").write_text(json.dumps(data))
    head = {f"src/{k}": v for k, v in project.head_files.items()}
    check = CoverageCheck()
    cfg = {**defaults(check), "strip_prefixes": ["C:\\build"]}
    ctx = context(changeset({}, head, root=tmp_path), cfg)
    found = list(check.run(ctx))
    assert "uncovered-lines" in [f.rule for f in found]


def test_stale_report(project: Project) -> None:
    short = {"calc.py": "def add(a, b):\n    return a + b\n", "test_calc.py": "x = 1\n"}
    found, _ctx = run(project, {"reports": ["coverage.json"], "diff_min": 100}, head=short)
    assert ("stale-report", None) in rules(found)
    # the stale file's lines are not turned into figures or uncovered-line findings
    assert not [
        f for f in found if f.location and f.location.path == "calc.py" and f.rule != "stale-report"
    ]


def test_lcov_with_unknown_records_and_branches(tmp_path: Path, project: Project) -> None:
    (tmp_path / "lcov.info").write_text(
        "TN:\nSF:calc.py\nXX:unknown record\nFN:9,mul\nDA:9,1\nDA:10,1\nDA:11,0\n"
        "BRDA:10,0,0,1\nBRDA:10,0,1,-\nDA:12,1\nend_of_record\n"
    )
    found, ctx = run(project, {}, root=tmp_path)
    assert ("uncovered-lines", 11) in rules(found)
    assert "3/4" in ctx.summary


def test_deleted_and_renamed_files(project: Project) -> None:
    head = {"calc2.py": project.head_files["calc.py"], "test_calc.py": TESTS_DELETED}
    changes = changeset(
        {"calc.py": project.head_files["calc.py"], "test_calc.py": "x\n"},
        head,
        renames={"calc.py": "calc2.py"},
        root=project.root,
    )
    ctx = context(changes, {**defaults(CoverageCheck), "reports": ["coverage.json"]})
    found = list(CoverageCheck().run(ctx))
    assert "calc2.py" not in plain_text(ctx.details)  # a pure rename adds no line to measure
    assert not [f for f in found if f.location and f.location.path == "calc2.py"]


TESTS_DELETED = "def test_nothing():\n    pass\n"


def test_percentages_round_down() -> None:
    from fractions import Fraction

    assert show(Fraction(79996, 1000)) == "79.99%"
    assert show(None) == "n/a"
    assert show(100.0) == "100.00%"


def test_cobertura_without_root_totals_is_streamed(tmp_path: Path, project: Project) -> None:
    # other languages' tools may omit lines-valid; method-level <line>s must not double count
    (tmp_path / "coverage.xml").write_text(
        '<?xml version="1.0"?><coverage><sources><source>.</source></sources><packages>'
        '<package name="p"><classes><class name="calc" filename="calc.py"><methods>'
        '<method name="mul"><lines><line number="11" hits="0"/></lines></method></methods>'
        '<lines><line number="9" hits="1"/><line number="10" hits="1" branch="true" '
        'condition-coverage="50% (1/2)"/><line number="11" hits="0"/><line number="12" '
        'hits="1"/></lines></class></classes></package></packages></coverage>'
    )
    found, ctx = run(project, {"total_min": 80}, root=tmp_path)
    assert ("uncovered-lines", 11) in rules(found)
    assert "3/4" in ctx.summary
    (below,) = [f for f in found if f.rule == "total-below"]
    assert "66.66%" in below.message  # (3 lines + 1 branch) of (4 lines + 2 branches)


def test_cobertura_truncated_in_a_wanted_class(tmp_path: Path, project: Project) -> None:
    text = (project.root / "coverage.xml").read_text()
    cut = text.index('filename="calc.py"') + 200
    (tmp_path / "coverage.xml").write_text(text[:cut])
    with pytest.raises(CheckError, match="malformed XML"):
        run(project, {}, root=tmp_path)


def test_a_base_report_written_by_the_change_is_refused(project: Project) -> None:
    head = {**project.head_files, "base-coverage.json": "{}"}
    config = {"reports": ["coverage.json"], "base_report": "base-coverage.json"}
    found, _ctx = run(project, {**config, "total_max_drop": 0}, head=head)
    got = [(f.rule, f.message) for f in found if f.rule in ("untrusted-report", "base-unknown")]
    assert got[0][0] == "untrusted-report" and "committed in git" in got[0][1]
    assert got[1][0] == "base-unknown"  # refused is unknown, never 0%


def test_a_no_cover_pragma_the_pr_wrote_blocks_until_approved(project: Project) -> None:
    from .conftest import HEAD_CALC

    marked = HEAD_CALC.replace("def unused(x):", "def unused(x):  # pragma: no cover")
    head = {**project.head_files, "calc.py": marked}
    found, ctx = run(project, {"reports": ["coverage.json"]}, head=head)
    (pragma,) = [f for f in found if f.rule == "excluded-in-pr"]
    assert pragma.level is Level.ERROR and "suppressed in this PR by `# pragma: no cover`" in (
        pragma.message
    )
    assert "1 reported, awaiting a human's approval" in plain_text(ctx.details)
    found, _ = run(
        project, {"reports": ["coverage.json"], "trust_pr_suppressions": True}, head=head
    )
    assert not [f for f in found if f.rule == "excluded-in-pr"]
    # a pragma the base already had stands
    base_marked = {**project.base_files, "calc.py": marked}
    changes = changeset(base_marked, {**head, "calc.py": marked + "\n\nX = 1\n"}, root=project.root)
    check = CoverageCheck()
    ctx = context(changes, {**defaults(check), "reports": ["coverage.json"]})
    assert not [f for f in check.run(ctx) if f.rule == "excluded-in-pr"]
