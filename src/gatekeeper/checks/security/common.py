"""What the parts of the security check share: settings, the finding factory, scratch files."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any, Protocol

from gatekeeper.changes import ChangedFile, FileKind
from gatekeeper.checks.interface import CheckContext, CheckError
from gatekeeper.model import Finding, Level

#: How a part's shorthand (``secrets: block``) maps to the level its findings propose.
LEVEL_BY_NAME: Mapping[str, Level] = {
    "block": Level.ERROR,
    "warn": Level.WARNING,
    "info": Level.INFO,
}


#: test code: its high-entropy values mostly fixtures, its keys throwaway, and bandit's
#: findings in it describe code that never runs in production
DEFAULT_TEST_FILES = (
    "**/tests/**",
    "**/test/**",
    "**/__tests__/**",
    "**/testdata/**",
    "**/fixtures/**",
    # resources only tests load (Maven's src/test/resources names its own "test/")
    "**/test_resources/**",
    "**/test-resources/**",
    "**/testresources/**",
    # end-to-end suites beside the code they drive (authelia's internal/suites/: the
    # docker environments, seeded users and credentials each suite starts)
    "**/suites/**",
    # a Django project's test settings, the module its test runner loads (readthedocs'
    # readthedocs/settings/test.py holds the key pair of the GitHub App its tests fake)
    "**/settings/test.py",
    "**/settings/tests.py",
    "**/settings/testing.py",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*_test.go",
    "**/*.test.*",
    "**/*.spec.*",
)


class MakeFinding(Protocol):
    """The signature of :meth:`BaseCheck.finding`, which the parts use to build findings."""

    def __call__(
        self,
        rule: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        end_line: int | None = None,
        evidence: object = "",
        remedy: str | None = None,
        level: Level | None = None,
    ) -> Finding: ...


@dataclass(frozen=True)
class Part:
    """One part's settings: on or off, a level that overrides its rules', and its options."""

    enabled: bool = True
    level: Level | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    #: what this part failing does ("block", "warn", "info"); None: the check's on_error
    on_error: str | None = None

    def get(self, key: str, default: Any) -> Any:
        """An option's value, or ``default`` when the policy did not set it."""
        return self.options.get(key, default)


def part_settings(value: object) -> Part:
    """Read a part's block, written as ``true``/``false``, a level name, or an object."""
    if value is None or value is True:
        return Part()
    if value is False or value == "off":
        return Part(enabled=False)
    if isinstance(value, str):
        return Part(level=LEVEL_BY_NAME[value])
    if isinstance(value, list):  # ``sensitive: [globs]`` is shorthand for its paths
        return Part(options={"paths": value})
    assert isinstance(value, Mapping), "the schema admits only these shapes"
    level = value.get("level")
    if level == "off" or value.get("enabled") is False:
        return Part(enabled=False)
    on_error = value.get("on_error")
    return Part(
        level=LEVEL_BY_NAME[level] if isinstance(level, str) else None,
        options={k: v for k, v in value.items() if k not in ("enabled", "level", "on_error")},
        on_error=on_error if isinstance(on_error, str) else None,
    )


def in_scope(ctx: CheckContext, patterns: Iterable[str]) -> list[ChangedFile]:
    """Changed files (not deleted) matching ``patterns`` and the check's paths/exclude."""
    files = ctx.changes.matching(patterns, ctx.exclude, include_deleted=False)
    if ctx.paths:
        allowed = {f.path for f in ctx.changes.matching(ctx.paths, include_deleted=False)}
        files = tuple(f for f in files if f.path in allowed)
    return sorted(files, key=lambda f: f.path)


def not_read_reason(f: ChangedFile, *, as_text: bool = True) -> str:
    """Why the gate could not read a changed file's content, or "" when it could.

    ``as_text``: the reader needs text (bandit), so binary content and an unknown encoding
    count as unread; the secrets part reads bytes, and a binary image holds no lines.
    """
    if f.kind is FileKind.BINARY and as_text:
        return "it is binary (a NUL byte in its first 8,000 bytes)"
    if f.kind is FileKind.UNDECODABLE and as_text:
        return "it is neither UTF-8 nor in an encoding a PEP 263 coding line declares"
    if f.kind is FileKind.TOO_LARGE:
        return f"it is {f.size:,} bytes, over the size the gate reads"
    if f.kind is FileKind.SYMLINK and f.link_outside:
        return (
            f"it is a symlink to {f.link_target!r}, which leads outside the repository "
            "(or round a loop of links)"
        )
    return ""


def safe_relative(path: str) -> PurePosixPath | None:
    """``path`` as a relative path inside the repository, or None if it would escape it."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return None
    return rel


def write_scratch(root: Path, path: str, data: bytes) -> Path | None:
    """Write ``data`` under ``root`` at the repository-relative ``path``; None if unsafe."""
    rel = safe_relative(path)
    if rel is None:
        return None
    target = root.joinpath(*rel.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def tool(module: str, requirement: str, purpose: str, *names: str) -> ModuleType:
    """Import a tool's module when a part runs (never at import time: ``--help`` stays fast).

    A tool that is missing, or too different to have ``names``, is a CheckError that says
    what to install, not a traceback.
    """
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise CheckError(
            f"{purpose} needs {requirement}, which cannot be imported ({exc}); "
            f"install it with: pip install '{requirement}'"
        ) from exc
    missing = [n for n in names if not hasattr(loaded, n)]
    if missing:
        raise CheckError(
            f"{purpose} needs {requirement}, but the installed {module} has no "
            f"{', '.join(missing)}; install a supported version: pip install '{requirement}'"
        )
    return loaded
