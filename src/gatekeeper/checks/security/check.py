"""``SecurityCheck``: the four parts of the security checklist behind one check id.

Each part (bandit, secrets, dependencies, sensitive) can be configured as ``true`` /
``false``, a level (``block``, ``warn``, ``info``, ``off``) that its findings propose,
or an object of options. With nothing configured every part runs: new medium-or-higher
bandit findings, secrets and newly vulnerable dependencies propose ``error`` (block).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gatekeeper.changes.suppressions import TRUST_KEY, TRUST_SCHEMA
from gatekeeper.checks.interface import (
    BaseCheck,
    CheckContext,
    CheckError,
    CheckTimeout,
    rule_catalog,
)
from gatekeeper.checks.security import bandit_scan, deps, secrets, sensitive
from gatekeeper.checks.security.bandit_scan import DEFAULT_MAX_BYTES, PYTHON_FILES
from gatekeeper.checks.security.common import DEFAULT_TEST_FILES, part_settings
from gatekeeper.checks.security.deps import DEFAULT_TIMEOUT as DEFAULT_OSV_TIMEOUT
from gatekeeper.checks.security.secrets import (
    DEFAULT_DOC_FILES,
    DEFAULT_EXCLUDE,
    DEFAULT_MAX_LINE,
    DEFAULT_MIN_ENTROPY,
)
from gatekeeper.checks.security.sensitive import DEFAULT_SENSITIVE
from gatekeeper.model import Finding, Rule

_LEVEL: Mapping[str, Any] = {
    "enum": ["block", "warn", "info", "off"],
    "description": "What this part's findings propose: block, warn, info, or off.",
}
_THRESHOLD: Mapping[str, Any] = {"enum": ["low", "medium", "high"]}


def _globs(description: str, default: tuple[str, ...] = ()) -> Mapping[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "description": description,
        "default": list(default),
    }


def _d(schema: Mapping[str, Any], description: str) -> Mapping[str, Any]:
    """``schema`` with a description, for editor completion on the policy file."""
    return {**schema, "description": description}


_ON_ERROR: Mapping[str, Any] = {
    "enum": ["block", "warn", "info"],
    "description": "What this part failing does (its tool missing, its service down); the"
    " other parts' findings count either way. Default: the check's on_error.",
}


def _part(options: Mapping[str, Any], description: str) -> Mapping[str, Any]:
    """A part's schema: a boolean, a level name, or an object of its options (each
    default declared, so that ``gatekeeper policy show`` writes it out)."""
    enabled = {"type": "boolean", "default": True}
    common = {"enabled": enabled, "level": _LEVEL, "on_error": _ON_ERROR}
    return {
        "description": description,
        "oneOf": [
            {"type": "boolean"},
            _LEVEL,
            {"type": "object", "additionalProperties": False, "properties": {**common, **options}},
        ],
    }


_BANDIT = _part(
    {
        "min_severity": _d(
            {**_THRESHOLD, "default": "medium"}, "Lowest bandit severity reported (default medium)."
        ),
        "min_confidence": _d(
            {**_THRESHOLD, "default": "low"}, "Lowest bandit confidence reported (default low)."
        ),
        "block_confidence": _d(
            {**_THRESHOLD, "default": "medium"},
            "Lowest bandit confidence that blocks (default medium): a finding bandit itself "
            "is less sure of is reported as a warning, except injections (CWE-78, 79, 89, "
            "94, 95), whose low confidence is the normal case; low blocks on every finding.",
        ),
        "weak_hash_for_names": _d(
            {"type": "boolean", "default": True},
            "MD5 or SHA-1 (B324, B303) in a function named for a cache key, file name, ETag "
            "or checksum whose source mentions no password, token, secret, signature, salt "
            "or session is a warning (default true): it names things, it protects nothing. "
            "False blocks on every weak hash.",
        ),
        "chmod_exec_only": _d(
            {"type": "boolean", "default": True},
            "B103 (chmod) on a constant mode that lets group and other execute but not "
            "write (0o755, 0o750) is a warning (default true): it is the mode of every "
            "executable. Modes writable by group or other (0o775, 0o666, 0o777) and modes "
            "bandit cannot read as a constant block either way; false blocks on every B103.",
        ),
        "tmp_paths": _d(
            {"type": "boolean", "default": True},
            "B108 (a path under /tmp, /var/tmp or /dev/shm written in the code) is a warning "
            "(default true): bandit sees only the string, and a fixed temporary path is a "
            "risk only where untrusted users share the machine (a symlink planted in /tmp). "
            "False blocks on every B108.",
        ),
        "sql_in_migrations": _d(
            {"type": "boolean", "default": True},
            "B608 (SQL built by formatting) in an Alembic or Django migration, in a folder "
            "that held migrations at base, is a warning (default true): a migration runs "
            "once at deploy with values it holds itself. False blocks on it as anywhere.",
        ),
        "honour_nosec": _d(
            {"type": "boolean", "default": True},
            "Honour `# nosec` comments (default true); one the pull request wrote needs a "
            "human's approval unless `trust_pr_suppressions` is true.",
        ),
        TRUST_KEY: TRUST_SCHEMA,
        "read_config": _d(
            {"type": "boolean", "default": True},
            "Read [tool.bandit] from pyproject.toml at base (default true).",
        ),
        "tests": _globs("Bandit test ids to run (default: all)."),
        "skips": _globs("Bandit test ids to skip."),
        "include": _globs(
            "Python files to scan (default *.py, *.pyw, and files without an extension whose "
            "first line runs Python; a list set here is taken as written).",
            PYTHON_FILES,
        ),
        "exclude": _globs("Files not to scan with bandit."),
        "test_files": _globs(
            "Test code: bandit's findings there are warnings, since they describe code that"
            " never runs in production (as bandit users who exclude tests expect); [] judges"
            " tests like the rest (default: tests/, test_*.py, conftest.py...).",
            DEFAULT_TEST_FILES,
        ),
        "max_file_bytes": _d(
            {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_BYTES},
            "Larger files are reported as not scanned.",
        ),
    },
    "New bandit findings in changed Python files (those already at base do not count).",
)
_SECRETS = _part(
    {
        "allowlist": _globs("Regular expressions of values that are not secrets."),
        "exclude": _globs(
            "Files not scanned for secrets (default: lock files, SVG).", DEFAULT_EXCLUDE
        ),
        "honour_pragmas": _d(
            {"type": "boolean", "default": True},
            "Honour `pragma: allowlist secret`, `pragma: allowlist nextline secret` and "
            "`gatekeeper: allow-secret` (default true); one the pull request wrote needs a "
            "human's approval unless `trust_pr_suppressions` is true.",
        ),
        TRUST_KEY: TRUST_SCHEMA,
        "min_entropy": _d(
            {"type": "number", "minimum": 0, "default": DEFAULT_MIN_ENTROPY},
            "Bits per character a value assigned to a secret-like name needs (default 3.0).",
        ),
        "max_line_length": _d(
            {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_LINE},
            "Longer lines (minified code) get only the token formats (default 4096).",
        ),
        "entropy_strings": _d(
            {"type": "boolean", "default": False},
            "Also report any high-entropy string (noisy; default false).",
        ),
        "test_files": _globs(
            "Test code: a high-entropy value under a secret-like name there is mostly a"
            " fixture and its private keys throwaway keys for test servers (both a warning);"
            " service tokens (AWS, GitHub, Slack...) still block there (default: tests/,"
            " test_*.py, *_test.go...).",
            DEFAULT_TEST_FILES,
        ),
        "doc_files": _globs(
            "Documentation: a high-entropy value under a secret-like name there is an"
            " example, so a warning; tokens of a known format (AWS, GitHub, Slack, private"
            " keys...) still block; [] judges documentation like code (default: *.md, *.mdx,"
            " *.rst, *.adoc, docs/).",
            DEFAULT_DOC_FILES,
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
            {"type": "number", "exclusiveMinimum": 0, "default": DEFAULT_OSV_TIMEOUT},
            "Seconds per OSV request (default 15).",
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
        _part({"paths": _globs("Sensitive paths.", DEFAULT_SENSITIVE)}, "")["oneOf"][2],
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

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Run every enabled part and yield its findings as soon as it is done.

        Each part fails on its own: a part that cannot run (OSV unreachable, bandit
        missing) is reported through ``ctx.part_failed`` with its own ``on_error``, and
        the findings of the other parts, and those already yielded, stand. Only running
        out of time ends the whole check.
        """
        counts = []
        for name, module in _PARTS:
            part = part_settings(ctx.config.get(name))
            if not part.enabled:
                continue
            try:
                found = module.run(ctx, part, self.finding)
            except CheckTimeout:
                raise
            except CheckError as exc:
                ctx.part_failed(name, str(exc) or type(exc).__name__, part.on_error)
                counts.append(f"{name} could not run")
                continue
            except Exception as exc:  # a defect in one part must not cost the others
                ctx.part_failed(name, f"crashed: {type(exc).__name__}: {exc}", part.on_error)
                counts.append(f"{name} could not run")
                continue
            counts.append(f"{name} {len(found)}")
            yield from sorted(found, key=_order)
        ctx.set_summary("new findings: " + ", ".join(counts) if counts else "all parts disabled")


def _order(f: Finding) -> tuple[str, int, str, str]:
    loc = f.location
    return (loc.path if loc else "", (loc.start_line or 0) if loc else 0, f.rule, f.fingerprint)
