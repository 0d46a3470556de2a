"""Example repository-local check: a new dependency needs an architecture decision record.

Written only against gatekeeper's public plugin API. It compares the dependency
manifests at base and at head (requirements*.txt, pyproject.toml, package.json) and
asks that each newly added dependency be named in an ADR the pull request adds or edits.
Load it with ``plugins: [checks/dependency_adr.py]``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.model import Finding, Level, Rule

MANIFESTS = ("requirements*.txt", "requirements/*.txt", "pyproject.toml", "package.json")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_NPM_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


def normalise(name: str) -> str:
    """Compare package names the way PyPI does (case and -_. are not significant)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class DependencyAdr(BaseCheck):
    """Each dependency added to a manifest is named in an ADR the pull request touches."""

    id: ClassVar[str] = "dependency-adr"
    title: ClassVar[str] = "New dependencies have an ADR"
    description: ClassVar[str] = (
        "A new third-party dependency is an architectural decision: record why in an ADR."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            id="dependency-without-adr",
            level=Level.ERROR,
            summary="A dependency was added without an ADR that names it.",
            remedy="Add (or edit) an ADR under docs/adr/ that names the dependency and says "
            "why it is worth its cost, in this pull request.",
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "adr_paths": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["docs/adr/**", "doc/adr/**", "adr/**"],
            },
            "ignore": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Dependencies that never need an ADR (e.g. test tools).",
            },
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Only when a dependency manifest changed."""
        return bool(ctx.changes.matching(MANIFESTS, include_deleted=False))

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per new dependency that no touched ADR names."""
        adr_paths = ctx.config.get("adr_paths", ["docs/adr/**", "doc/adr/**", "adr/**"])
        adr_text = "\n".join(
            ctx.changes.text_at_head(f.path) or ""
            for f in ctx.changes.matching(adr_paths, include_deleted=False)
        )
        ignored = {normalise(n) for n in ctx.config.get("ignore", [])}
        for manifest in ctx.changes.matching(MANIFESTS, include_deleted=False):
            head = ctx.changes.text_at_head(manifest.path) or ""
            base = ctx.changes.text_at_base(ctx.changes.base_path_of(manifest.path)) or ""
            before = dependencies(manifest.path, base)
            for key, raw in sorted(dependencies(manifest.path, head).items()):
                if key in before or key in ignored or mentions(adr_text, raw):
                    continue
                yield self.finding(
                    "dependency-without-adr",
                    f"New dependency `{raw}` has no ADR that names it.",
                    path=manifest.path,
                    line=_line_of(head, raw),
                    evidence=key,
                )


def dependencies(path: str, text: str) -> dict[str, str]:
    """Normalised name -> name as written, for one manifest's text."""
    if not text.strip():
        return {}
    name = path.rsplit("/", 1)[-1]
    try:
        if name == "package.json":
            data = json.loads(text)
            names = [n for s in _NPM_SECTIONS for n in (data.get(s) or {})]
        elif name == "pyproject.toml":
            names = _pyproject_names(tomllib.loads(text))
        else:
            names = [m.group(1) for line in text.splitlines() if (m := _requirement(line))]
    except (ValueError, AttributeError) as exc:  # JSON and TOML errors are ValueErrors
        raise CheckError(f"{path}: cannot read the dependency list ({exc}); fix the file") from exc
    return {normalise(n): n for n in names}


def _pyproject_names(doc: Mapping[str, Any]) -> list[str]:
    project = doc.get("project", {})
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    names = [m.group(1) for spec in specs if (m := _requirement(spec))]
    poetry = doc.get("tool", {}).get("poetry", {})
    groups = [poetry.get("dependencies", {})]
    groups += [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
    names += [n for group in groups for n in group if n.lower() != "python"]
    return names


def _requirement(line: str) -> re.Match[str] | None:
    spec = line.split("#", 1)[0].strip()
    if "://" in spec:  # a URL requirement (git+https://...) names no index package
        return None
    return _REQUIREMENT.match(spec)


def mentions(text: str, name: str) -> bool:
    """True when ``name`` appears in ``text`` as a whole package name, ignoring case."""
    return _mention(name).search(text) is not None


def _mention(name: str) -> re.Pattern[str]:
    # "re" must not match "requests": a name is bounded by characters names cannot hold
    return re.compile(rf"(?<![A-Za-z0-9._-]){re.escape(name)}(?![A-Za-z0-9_-])", re.IGNORECASE)


def _line_of(text: str, name: str) -> int | None:
    pattern = _mention(name)
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None
