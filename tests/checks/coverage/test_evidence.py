"""coverage/evidence.py: which coverage files may be believed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.checks.coverage.evidence import refusal, repo_path
from gatekeeper.testing import changeset


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("coverage.json", "coverage.json"),
        ("./out/../coverage.xml", "coverage.xml"),
        ("/etc/passwd", None),
        ("../x.json", None),
        ("a/../../x.json", None),
        ("..", None),
        ("", None),
        ("a\\b.json", None),
    ],
)
def test_repo_path(name: str, expected: str | None) -> None:
    assert repo_path(name) == expected


def test_refusals(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "coverage.json").write_text("{}")
    (tmp_path / "made.json").write_text("{}")
    (tmp_path / "committed.json").write_text("{}")
    os.symlink(tmp_path / "real", tmp_path / "linked")
    os.symlink(tmp_path / "made.json", tmp_path / "link.json")
    changes = changeset({}, {"committed.json": "{}"}, root=tmp_path)
    assert refusal(changes, "made.json") is None
    assert refusal(changes, "real/coverage.json") is None
    assert "committed in git" in (refusal(changes, "committed.json") or "")
    assert "its folder linked is a symbolic link" in (
        refusal(changes, "linked/coverage.json") or ""
    )
    assert "it is a symbolic link" in (refusal(changes, "link.json") or "")
    assert "outside the workspace" in (refusal(changes, str(tmp_path / "made.json")) or "")
