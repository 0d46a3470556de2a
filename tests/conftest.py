"""Shared fixtures: real git repositories in temp dirs, and the shared corpus."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def _corpus_dir() -> Path | None:
    env = os.environ.get("GATEKEEPER_CORPUS")
    if env:
        return Path(env)
    candidate = _HERE.parent.parent / "shared" / "corpus"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    """``../shared/corpus``: skips without it, but fails when GATEKEEPER_CORPUS names a
    missing folder (CI sets it, so a missing corpus there is never a silent skip)."""
    path = _corpus_dir()
    if os.environ.get("GATEKEEPER_CORPUS") and (path is None or not path.is_dir()):
        pytest.fail(f"GATEKEEPER_CORPUS={os.environ['GATEKEEPER_CORPUS']} does not exist")
    if path is None or not path.is_dir():
        pytest.skip("needs ../shared/corpus (absent in a plain clone; CI provides it)")
    return path


class GitRepo:
    """A real git repository in a temp dir, for integration tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "dev@example.com")
        self.git("config", "user.name", "Dev")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        """Run git in the repository and return its stdout."""
        out = subprocess.run(
            ["git", *args], cwd=self.root, check=True, capture_output=True, text=True
        )
        return out.stdout

    def write(self, files: Mapping[str, str | bytes | None]) -> None:
        """Write (or, with None, delete) files in the working tree."""
        for rel, content in files.items():
            path = self.root / rel
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")

    def commit(self, files: Mapping[str, str | bytes | None], message: str = "change") -> str:
        """Write files, commit everything, return the new commit's sha."""
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty git repository on branch main."""
    return GitRepo(tmp_path / "repo")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites golden files (tests/report/golden) instead of comparing."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing with them",
    )
