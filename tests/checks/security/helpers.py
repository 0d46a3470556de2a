"""Shortcuts for the security check's tests: run one part alone on two dicts of files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatekeeper.checks.security import SecurityCheck
from gatekeeper.model import Finding
from gatekeeper.testing import Files, run_check

PARTS = ("bandit", "secrets", "dependencies", "sensitive")


def only(part: str, options: object = True, **extra: Any) -> dict[str, Any]:
    """A config that runs ``part`` alone, with ``options`` as its block."""
    config: dict[str, Any] = dict.fromkeys(PARTS, False)
    config[part] = options
    config.update(extra)
    return config


def run_part(
    part: str, base: Files, head: Files, options: object = True, **kw: Any
) -> list[Finding]:
    """Findings of one part of the security check for the change base -> head."""
    return run_check(SecurityCheck(), base, head, only(part, options), **kw)


def rules(findings: list[Finding]) -> list[str]:
    """The rule ids, in report order."""
    return [f.rule for f in findings]


def where(findings: list[Finding]) -> list[tuple[str, int | None]]:
    """(path, line) of each finding."""
    return [
        (f.location.path, f.location.start_line) if f.location else ("", None) for f in findings
    ]


def text_of(findings: list[Finding]) -> str:
    """Everything a report could show of the findings (to prove a secret never appears)."""
    return "\n".join(f"{f.message}|{f.remedy}|{f.fingerprint}|{f.location}" for f in findings)


Options = Mapping[str, Any]
