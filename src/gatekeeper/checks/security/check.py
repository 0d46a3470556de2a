"""``SecurityCheck``: the four parts of the security checklist behind one check id.

Each part (bandit, secrets, dependencies, sensitive) can be configured as ``true`` /
``false``, a level (``block``, ``warn``, ``info``, ``off``) that its findings propose,
or an object of options. With nothing configured every part runs: new medium-or-higher
bandit findings, secrets and newly vulnerable dependencies propose ``error`` (block).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from gatekeeper.checks.interface import BaseCheck, CheckContext, rule_catalog
from gatekeeper.checks.security import bandit_scan, deps, secrets, sensitive
from gatekeeper.checks.security.common import part_settings
from gatekeeper.model import Finding, Rule

_LEVEL: Mapping[str, Any] = {"enum": ["block", "warn", "info", "off"]}
_GLOBS: Mapping[str, Any] = {"type": "array", "items": {"type": "string"}}
_THRESHOLD: Mapping[str, Any] = {"enum": ["low", "medium", "high"]}


def _part(options: Mapping[str, Any]) -> Mapping[str, Any]:
    """A part's schema: a boolean, a level name, or an object of its options."""
    return {
        "oneOf": [
            {"type": "boolean"},
            _LEVEL,
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"enabled": {"type": "boolean"}, "level": _LEVEL, **options},
            },
        ]
    }


_BANDIT = _part(
    {
        "min_severity": _THRESHOLD,
        "min_confidence": _THRESHOLD,
        "honour_nosec": {"type": "boolean"},
        "read_config": {"type": "boolean"},
        "tests": _GLOBS,
        "skips": _GLOBS,
        "include": _GLOBS,
        "exclude": _GLOBS,
        "max_file_bytes": {"type": "integer", "minimum": 1},
    }
)
_SECRETS = _part(
    {
        "allowlist": {"type": "array", "items": {"type": "string", "format": "regex"}},
        "exclude": _GLOBS,
        "honour_pragmas": {"type": "boolean"},
        "min_entropy": {"type": "number", "minimum": 0},
        "max_line_length": {"type": "integer", "minimum": 1},
        "entropy_strings": {"type": "boolean"},
    }
)
_DEPENDENCIES = _part(
    {
        "osv_url": {"type": "string", "pattern": "^https?://"},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
    }
)
_SENSITIVE: Mapping[str, Any] = {
    "oneOf": [{"type": "boolean"}, _LEVEL, _GLOBS, _part({"paths": _GLOBS})["oneOf"][2]]
}


_PARTS = (
    ("bandit", bandit_scan),
    ("secrets", secrets),
    ("dependencies", deps),
    ("sensitive", sensitive),
)


class SecurityCheck(BaseCheck):
    """New bandit findings, secrets, newly vulnerable dependencies, sensitive paths."""

    id: ClassVar[str] = "security"
    title: ClassVar[str] = "Security"
    description: ClassVar[str] = (
        "Parameterized queries and safe code (bandit), no secrets in added lines, no newly "
        "vulnerable dependencies (pip-audit against OSV), human review for sensitive code."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        *bandit_scan.RULES, *secrets.RULES, *deps.RULES, *sensitive.RULES
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "bandit": _BANDIT,
            "secrets": _SECRETS,
            "dependencies": _DEPENDENCIES,
            "sensitive": _SENSITIVE,
        },
    }

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Run every enabled part and return their findings, sorted."""
        findings: list[Finding] = []
        counts = []
        for name, module in _PARTS:
            part = part_settings(ctx.config.get(name))
            if not part.enabled:
                continue
            found = module.run(ctx, part, self.finding)
            counts.append(f"{name} {len(found)}")
            findings.extend(found)
        ctx.set_summary("new findings: " + ", ".join(counts) if counts else "all parts disabled")
        return sorted(findings, key=_order)


def _order(f: Finding) -> tuple[str, int, str, str]:
    loc = f.location
    return (loc.path if loc else "", (loc.start_line or 0) if loc else 0, f.rule, f.fingerprint)
