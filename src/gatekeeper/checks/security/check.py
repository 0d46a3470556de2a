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

_LEVEL: Mapping[str, Any] = {
    "enum": ["block", "warn", "info", "off"],
    "description": "What this part's findings propose: block, warn, info, or off.",
}
_THRESHOLD: Mapping[str, Any] = {"enum": ["low", "medium", "high"]}


def _globs(description: str) -> Mapping[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _d(schema: Mapping[str, Any], description: str) -> Mapping[str, Any]:
    """``schema`` with a description, for editor completion on the policy file."""
    return {**schema, "description": description}


def _part(options: Mapping[str, Any], description: str) -> Mapping[str, Any]:
    """A part's schema: a boolean, a level name, or an object of its options."""
    return {
        "description": description,
        "oneOf": [
            {"type": "boolean"},
            _LEVEL,
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"enabled": {"type": "boolean"}, "level": _LEVEL, **options},
            },
        ],
    }


_BANDIT = _part(
    {
        "min_severity": _d(_THRESHOLD, "Lowest bandit severity reported (default medium)."),
        "min_confidence": _d(_THRESHOLD, "Lowest bandit confidence reported (default low)."),
        "honour_nosec": _d({"type": "boolean"}, "Honour `# nosec` comments (default true)."),
        "read_config": _d(
            {"type": "boolean"}, "Read [tool.bandit] from pyproject.toml at base (default true)."
        ),
        "tests": _globs("Bandit test ids to run (default: all)."),
        "skips": _globs("Bandit test ids to skip."),
        "include": _globs("Python files to scan (default *.py, *.pyw)."),
        "exclude": _globs("Files not to scan with bandit."),
        "max_file_bytes": _d(
            {"type": "integer", "minimum": 1}, "Larger files are reported as not scanned."
        ),
    },
    "New bandit findings in changed Python files (those already at base do not count).",
)
_SECRETS = _part(
    {
        "allowlist": _globs("Regular expressions of values that are not secrets."),
        "exclude": _globs("Files not scanned for secrets (default: lock files, SVG)."),
        "honour_pragmas": _d(
            {"type": "boolean"},
            "Honour `pragma: allowlist secret` / `gatekeeper: allow-secret` (default true).",
        ),
        "min_entropy": _d(
            {"type": "number", "minimum": 0},
            "Bits per character a value assigned to a secret-like name needs (default 3.0).",
        ),
        "max_line_length": _d(
            {"type": "integer", "minimum": 1},
            "Longer lines (minified code) get only the token formats (default 4096).",
        ),
        "entropy_strings": _d(
            {"type": "boolean"}, "Also report any high-entropy string (noisy; default false)."
        ),
        "test_files": _globs(
            "Test code: its high-entropy values are fixtures; named token formats (AWS, GitHub,"
            " private keys...) still fire there (default: tests/, test_*.py, *_test.go...)."
        ),
    },
    "Secrets in the added lines of every changed text file, and committed .env files.",
)
_DEPENDENCIES = _part(
    {
        "osv_url": _d(
            {"type": "string", "pattern": "^https?://"},
            "OSV query endpoint (default PIP_AUDIT_OSV_URL, else https://api.osv.dev/v1/query).",
        ),
        "timeout": _d(
            {"type": "number", "exclusiveMinimum": 0}, "Seconds per OSV request (default 15)."
        ),
    },
    "Known vulnerabilities that changed dependency manifests bring in (pip-audit, OSV).",
)
_SENSITIVE: Mapping[str, Any] = {
    "description": "Paths whose changes need a human's review (globs).",
    "oneOf": [
        {"type": "boolean"},
        _LEVEL,
        _globs("Sensitive paths."),
        _part({"paths": _globs("Sensitive paths.")}, "")["oneOf"][2],
    ],
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
