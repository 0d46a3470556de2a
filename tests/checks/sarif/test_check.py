"""The sarif check on real ruff output, plus the parser's edges the YAML cases do not reach."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.sarif import parser as sarif_parser
from gatekeeper.checks.sarif.check import SarifCheck
from gatekeeper.checks.sarif.parser import SarifError, load_sarif, parse_sarif, rule_name
from gatekeeper.testing import changeset, context

BASE = {"app/core.py": "import os\n\nVALUE = 1\n", "app/old.py": "import json\n"}
HEAD = {
    "app/core.py": "import os\nimport sys\n\nVALUE = 1\n",
    "app/old.py": "import json\n",
    "app/new module.py": "import re\n",
}


def _project(root: Path) -> Path:
    for rel, text in HEAD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "reports").mkdir()
    out = root / "reports" / "ruff.sarif"
    # the real tool, as a CI step would run it; it exits 1 because it found problems
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--output-format=sarif", f"-o{out}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    return out


def test_real_ruff_sarif_only_results_on_added_lines(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _project(root)
    ctx = context(changeset(BASE, HEAD, root=root), {"files": ["reports/*.sarif"]})
    findings = list(SarifCheck().run(ctx))
    assert [(f.rule, str(f.location), f.message) for f in findings] == [
        ("ruff-f401", "app/core.py:2", "ruff F401: `sys` imported but unused"),
        ("ruff-f401", "app/new module.py:1", "ruff F401: `re` imported but unused"),
    ]
    assert ctx.summary == (
        "2 new results from 1 SARIF file; 2 on lines this change did not add left out"
    )
    # without the filter every result is reported, sorted by path and line
    ctx = context(
        changeset(BASE, HEAD, root=root),
        {"files": ["reports/ruff.sarif"], "only_added_lines": False},
    )
    assert [str(f.location) for f in SarifCheck().run(ctx)] == [
        "app/core.py:1",
        "app/core.py:2",
        "app/new module.py:1",
        "app/old.py:1",
    ]


def test_paths_and_exclude_of_the_policy_scope_the_results(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _project(root)
    ctx = context(changeset(BASE, HEAD, root=root), {"files": ["reports/ruff.sarif"]})
    ctx.paths, ctx.exclude = ("app/**",), ("**/new module.py",)
    assert [str(f.location) for f in SarifCheck().run(ctx)] == ["app/core.py:2"]
    ctx.paths = ("lib/**",)
    assert list(SarifCheck().run(ctx)) == []


def test_an_absolute_sarif_path_outside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    report = _project(root)
    elsewhere = tmp_path / "ci-out"
    elsewhere.mkdir()
    report.rename(elsewhere / "ruff.sarif")
    for pattern in (str(elsewhere / "ruff.sarif"), str(elsewhere / "*.sarif")):
        ctx = context(changeset(BASE, HEAD, root=root), {"files": [pattern]})
        assert len(list(SarifCheck().run(ctx))) == 2
        assert ctx.summary.endswith(
            "from 1 SARIF file; 2 on lines this change did not add left out"
        )


def test_two_patterns_naming_the_same_file_read_it_once(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _project(root)
    config = {"files": ["reports/ruff.sarif", "reports/*.sarif"], "levels": ["warning"]}
    ctx = context(changeset(BASE, HEAD, root=root), config)
    assert list(SarifCheck().run(ctx)) == []
    assert ctx.summary == "0 new results from 1 SARIF file; 4 at levels not reported"


def test_a_result_in_a_file_the_change_deleted_is_left_out(tmp_path: Path) -> None:
    doc = _doc([_result("gone.py", 1)])
    results = parse_sarif(json.dumps(doc), tmp_path)
    assert results[0].path == "gone.py"
    (tmp_path / "s.sarif").write_text(json.dumps(doc))
    ctx = context(changeset({"gone.py": "x\n"}, {}, root=tmp_path), {"files": ["s.sarif"]})
    assert list(SarifCheck().run(ctx)) == []


@pytest.mark.parametrize(
    ("tool", "rule_id", "expected"),
    [
        ("ruff", "F401", "ruff-f401"),
        ("ESLint", "@typescript-eslint/no-unused-vars", "eslint-typescript-eslint-no-unused-vars"),
        ("CodeQL", "py/sql-injection", "codeql-py-sql-injection"),
        ("123tool", "X", "r-123tool-x"),
        ("", "", "result"),
        ("Bandit", "", "bandit"),
    ],
)
def test_rule_names_are_sanitised(tool: str, rule_id: str, expected: str) -> None:
    assert rule_name(tool, rule_id) == expected


def _result(uri: str, line: int | None, **extra: Any) -> dict[str, Any]:
    region = {"region": {"startLine": line}} if line else {}
    physical = {"artifactLocation": {"uri": uri}, **region}
    return {"message": {"text": "m"}, "locations": [{"physicalLocation": physical}], **extra}


def _doc(results: list[Any], **run: Any) -> dict[str, Any]:
    return {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "t"}}, "results": results, **run}],
    }


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file://localhost/{root}/a%20b.py", "a b.py"),
        ("./x/../y.py", "y.py"),
        ("https://example.com/a.py", None),
        ("file://server/share/a.py", None),
        ("../outside.py", None),
        (".", None),
    ],
)
def test_uri_normalisation(tmp_path: Path, uri: str, path: str | None) -> None:
    filled = uri.replace("/{root}", tmp_path.as_posix())
    (result,) = parse_sarif(json.dumps(_doc([_result(filled, 3)])), tmp_path)
    assert result.path == path
    assert result.raw_uri == ("" if path else filled)


def test_odd_but_valid_shapes(tmp_path: Path) -> None:
    results = [
        {"message": {"markdown": "**md**"}, "rule": {"index": 0}, "kind": "review"},
        {
            "message": {},
            "ruleId": "R",
            "locations": [{"physicalLocation": {"region": {"startLine": 0}}}],
        },
        {
            "message": {"text": "m"},
            "locations": [{"physicalLocation": {"artifactLocation": {"index": 9}}}],
        },
        {"message": {"text": "m"}, "locations": ["not an object"]},
    ]
    rules = [{"id": "R", "shortDescription": {"text": "short"}}]
    doc = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "t", "rules": rules}}, "results": results}],
    }
    got = [
        (r.rule_id, r.level, r.message, r.path, r.start_line)
        for r in parse_sarif(json.dumps(doc), tmp_path)
    ]
    assert got == [
        ("R", "note", "**md**", None, None),
        ("R", "warning", "short", None, None),
        ("", "warning", "m", None, None),
        ("", "warning", "m", None, None),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[]", "the top level must be a JSON object"),
        (b'{"version": "2.1.0", "runs": [1]}', r"runs\[0\] must be an object"),
        (b'{"version": "2.1.0", "runs": [{"tool": []}]}', "'tool' must be an object"),
        (
            b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [1]}]}',
            r"results\[0\] must be an object",
        ),
    ],
)
def test_malformed_sarif_names_file_and_reason(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(SarifError, match=message) as info:
        parse_sarif(data, tmp_path, label="scan.sarif")
    assert str(info.value).startswith("scan.sarif")
    assert isinstance(info.value, CheckError)


def test_oversized_and_unreadable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.sarif"
    big.write_text(json.dumps(_doc([])))
    monkeypatch.setattr(sarif_parser, "MAX_SARIF_BYTES", 10)
    with pytest.raises(SarifError, match=r"big.sarif: .* bytes is over the 10-byte limit"):
        load_sarif(big, tmp_path)
    with pytest.raises(SarifError, match="cannot read the SARIF file"):
        load_sarif(tmp_path / "absent.sarif", tmp_path)


def test_a_root_reached_through_a_symlink_matches_resolved_paths(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    doc = _doc([_result(f"{real.as_posix()}/a.py", 1), _result(f"{link.as_posix()}/b.py", 2)])
    assert [r.path for r in parse_sarif(json.dumps(doc), link)] == ["a.py", "b.py"]
