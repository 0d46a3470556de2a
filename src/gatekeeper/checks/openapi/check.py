"""The ``openapi`` check: breaking API changes between the base and the head spec.

Specs come from the policy (``specs:`` globs) or are discovered by convention. For each
spec the PR touches (the file itself or a file it pulls in by ``$ref``) the head version
is validated, both versions are compared, and every change becomes a finding at the
catalog level of its rule. An API changelog goes into the report even when nothing breaks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.checks.openapi import generate
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES
from gatekeeper.checks.openapi.rules import LEVELS, OWN
from gatekeeper.checks.openapi.rules.explanations import explain
from gatekeeper.model import Finding, Level, Rule

#: file names that are specs by convention
CONVENTION = (
    "**/openapi.yaml", "**/openapi.yml", "**/openapi.json", "**/swagger.yaml", "**/swagger.yml",
    "**/swagger.json", "**/*.openapi.yaml", "**/*.openapi.yml", "**/*.openapi.json",
)  # fmt: skip
#: where a file named like a spec is something else: GitHub workflows and actions
NOT_SPECS = (".github/workflows/**", ".github/actions/**")
# JSON that opens with the key (`{"openapi":`, minified or not); YAML with the key at
# column 0 near the top
_SPEC_TEXT = re.compile(rb"""\s*\{\s*["'](?:openapi|swagger)["']\s*:""")
_YAML_KEY = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:""", re.M)
_DATA_FILES = ("**/*.yaml", "**/*.yml", "**/*.json")

#: problems with the spec itself, each a blocking finding
SPEC_RULES = {
    "spec-unreadable": "The spec cannot be read (missing, binary, not UTF-8, too large).",
    "spec-invalid-syntax": "The spec is not valid YAML or JSON (or repeats a key).",
    "spec-not-openapi": "The file has no top-level 'openapi' or 'swagger' key.",
    "spec-invalid": "The spec does not validate against the OpenAPI schema of its version.",
    "spec-duplicate-key": "A JSON object repeats a key; all but the last value are ignored.",
    "spec-ref-broken": "A $ref points to a file or location that does not exist.",
    "spec-ref-url": "A $ref points to a URL; the gate only follows refs inside the repository.",
    "spec-ref-outside-repo": "A $ref leaves the repository.",
    "spec-moved-out-of-sight": (
        "The spec moved to a path where the gate does not look for specs, so its next "
        "changes would go unchecked."
    ),
}
#: a warning, not a block: see templated.py (fail-closed when the base was a spec)
TEMPLATE_RULE = "The spec is a template (Go/Jinja/Helm actions) that cannot be compared."
_SPEC_REMEDY = (
    "Fix the spec so it loads and validates; run `gatekeeper openapi diff BASE HEAD` locally."
)


_REMEDY = {
    Level.ERROR: (
        "Keep existing clients working: add instead of change, deprecate with an x-sunset "
        "date before removing, or ship it as a new major version (and waive with a reason)."
    ),
    Level.WARNING: "Check that clients tolerate this change; tell them in the changelog.",
    Level.INFO: "",
}


def _rule(rid: str, level: Level, summary: str, remedy: str) -> Rule:
    """A catalog entry: the rule's own what/why/instead where one is written (every
    error and warning), else the summary and remedy given."""
    text = explain(rid)
    if text is None:
        return Rule(rid, level, summary, remedy=remedy)
    return Rule(rid, level, text.what, remedy=text.instead, description=text.why)


def _catalog() -> Mapping[str, Rule]:
    rules = {
        rid: _rule(
            rid,
            level,
            OWN[rid][1] if rid in OWN else rid.replace("-", " ").capitalize() + ".",
            _REMEDY[level],
        )
        for rid, level in LEVELS.items()
    }
    for rid, summary in SPEC_RULES.items():
        rules[rid] = _rule(rid, Level.ERROR, summary, _SPEC_REMEDY)
    rules["spec-template"] = _rule("spec-template", Level.WARNING, TEMPLATE_RULE, _SPEC_REMEDY)
    for rid, (level, summary, remedy) in generate.RULES.items():
        rules[rid] = _rule(rid, level, summary, remedy)
    return dict(sorted(rules.items()))


class OpenAPICheck(BaseCheck):
    """Breaking changes of OpenAPI 2.0/3.0/3.1 specs, with oasdiff's rule ids."""

    id: ClassVar[str] = "openapi"
    title: ClassVar[str] = "API contract"
    description: ClassVar[str] = "Breaking changes to OpenAPI specs, and an API changelog."
    rules: ClassVar[Mapping[str, Rule]] = _catalog()
    #: `generate` runs the PR's code (see generate/); under pull_request_target it is off
    executes_pr_code: ClassVar[bool] = True
    safe_settings: ClassVar[Mapping[str, Any] | None] = {"generate": generate.OFF}
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "specs": {
                "type": "array",
                "items": {"type": "string"},
                "description": "spec globs; default: discovered",
            },
            "allow_external_refs": {
                "type": "boolean",
                "default": False,
                "description": "follow URL $refs (never fetched; refused by default)",
            },
            "require_major_bump": {
                "type": "boolean",
                "default": False,
                "description": "breaking changes need a new info.version major",
            },
            "validate": {
                "type": "boolean",
                "default": True,
                "description": "validate the head spec",
            },
            "deprecation_days_beta": {"type": "integer", "minimum": 0, "default": 0},
            "deprecation_days_stable": {"type": "integer", "minimum": 0, "default": 0},
            "changelog": {
                "type": "boolean",
                "default": True,
                "description": "post the API changelog in the report",
            },
            "history": {
                "enum": ["released", "merged"],
                "default": "released",
                "description": "released (default): a breaking change to what the newest"
                " release tag the base descends from does not have (added since, never"
                " released) is a warning; without tags every change counts. merged: every"
                " breaking change blocks.",
            },
            "enum_catch_up": {
                "type": "boolean",
                "default": True,
                "description": "a request enum value removed by a change to the spec alone,"
                " which no source file at base has while one defines every value the enum now"
                " lists (the spec catching up with the code), is a warning; false: it blocks",
            },
            "generate": generate.SCHEMA,
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Cheap: a changed YAML/JSON file (a spec, or a file a spec may pull in)."""
        from gatekeeper.checks.openapi.generate.compare import generation_applies

        patterns = tuple(ctx.config.get("specs") or ()) + _DATA_FILES
        return bool(ctx.changes.matching(patterns, ctx.exclude)) or generation_applies(ctx)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Validate and compare every spec the change touches."""
        from gatekeeper.checks.openapi.generate.compare import generated_findings
        from gatekeeper.checks.openapi.runner import Tally, run_spec

        findings: list[Finding] = []
        tally = Tally()
        specs = self.discover(ctx)
        # an unchanged spec matters only if a changed non-spec file may be one of its parts;
        # otherwise cost stays with the diff, not with every spec in the repository
        spec_set = set(specs)
        parts_changed = any(
            f.path not in spec_set and (f.old_path or f.path) not in spec_set
            for f in ctx.changes.matching(_DATA_FILES)
        )
        findings.extend(self._moved_out_of_sight(ctx, specs))
        for path in specs:
            if not parts_changed and ctx.changes.get(path) is None and not _deleted(ctx, path):
                continue
            ctx.check_time()
            findings.extend(run_spec(self, ctx, path, tally))
        generated, lines = generated_findings(self, ctx, tally)
        findings.extend(generated)
        # "no API changes" would read as a pass for a repository whose spec is simply not
        # found (generated at run time, or named unusually): say so instead
        summary = "; ".join([_summary(findings), *lines]) if specs or lines else NO_SPEC
        if tally.findings:
            # say it, so a reader comparing with `openapi diff` knows where the rest went
            summary += (
                f" ({tally.changes} changes to shared schemas grouped into {tally.findings}"
                f" finding{'s' if tally.findings > 1 else ''}; the changelog lists each operation)"
            )
        ctx.set_summary(summary)
        return sorted(
            findings,
            key=lambda f: (
                f.location.path if f.location else "",
                f.location.start_line or 0 if f.location else 0,
                f.rule,
                f.message,
            ),
        )

    def _moved_out_of_sight(self, ctx: CheckContext, specs: list[str]) -> Iterator[Finding]:
        """A spec renamed to a path the next pull request's discovery would pass over."""
        configured = tuple(ctx.config.get("specs") or ())
        seen = configured or (*CONVENTION, *_DATA_FILES)
        for path in specs:
            old = ctx.changes.base_path_of(path)
            if old == path or match_any(path, seen) or ctx.changes.get(path) is None:
                continue
            where = (
                "outside the globs of `checks.openapi.specs`"
                if configured
                else "not a name the gate looks for specs under (YAML or JSON)"
            )
            yield self.finding(
                "spec-moved-out-of-sight",
                f"The spec {old} was renamed to {path}, {where}. It was compared this time, "
                "but later pull requests could change it unchecked.",
                path=path,
                evidence=old,
            )

    def discover(self, ctx: CheckContext) -> list[str]:
        """Spec paths (head path, or base path when deleted) to look at, sorted."""
        changes = ctx.changes
        configured = tuple(ctx.config.get("specs") or ())
        if configured:
            found = set(changes.head_paths(configured)) | set(changes.base_paths(configured))
        else:
            found = set(changes.head_paths(CONVENTION)) | set(changes.base_paths(CONVENTION))
            # GitHub reads workflows and actions from .github/: a workflow named
            # openapi.yml builds or checks the spec and is never one (a spec kept there
            # is still found by what it declares)
            found = {p for p in found if not match_any(p, NOT_SPECS)}
            found |= set(_sniffed(changes))
        # a renamed spec is compared under its new name (base_path_of finds the old one),
        # whatever that name is: moving the spec to a name the discovery passes over
        # (openapi.yaml -> notes.txt) must not take its changes out of sight
        renamed = {f.old_path: f.path for f in changes if f.old_path and f.old_path != f.path}
        found = {renamed.get(path, path) for path in found}
        if ctx.paths:
            found = {p for p in found if match_any(p, ctx.paths)}
        return sorted(p for p in found if not ctx.exclude or not match_any(p, ctx.exclude))


def _sniffed(changes: ChangeSet) -> Iterator[str]:
    """Changed YAML/JSON files that declare ``openapi`` or ``swagger`` at the top level."""
    for f in changes.matching(_DATA_FILES):
        deleted = f.status is FileStatus.DELETED
        size = None if deleted else changes.size_at_head(f.path)
        # past the spec limit only the first bytes can tell (declares_openapi reads no
        # more), so a 200 MB data file is never loaded to be sniffed
        limit = 4096 if size is not None and size > MAX_SPEC_BYTES else None
        path = (f.old_path or f.path) if deleted else f.path
        data = _read(changes, path, deleted, limit)
        if data is not None and declares_openapi(data):
            yield f.path


def _read(changes: ChangeSet, path: str, at_base: bool, limit: int | None) -> bytes | None:
    if limit is None:
        return changes.bytes_at_base(path) if at_base else changes.bytes_at_head(path)
    return changes.prefix_at_base(path, limit) if at_base else changes.prefix_at_head(path, limit)


# a key with a version: deeper in a file, a bare "openapi:" could be anyone's setting
_JSON_VERSION = re.compile(rb'"(?:openapi|swagger)"[ \t]*:[ \t]*"[23]\.')
_YAML_VERSION = re.compile(rb"""^["']?(?:openapi|swagger)["']?[ \t]*:[ \t]*["']?[23]\.""", re.M)
_FIRST_JSON_KEY = re.compile(rb'^\s*\{[ \t]*\r?\n([ \t]*)"')


def declares_openapi(data: bytes) -> bool:
    """Whether a YAML/JSON document has a top-level ``openapi``/``swagger`` key, wherever
    it sits: a JSON spec written with sorted keys has it after ``components``, thousands
    of lines down. Only files the PR changed are asked, so cost follows the diff; a
    regular expression over the bytes answers, and only minified JSON is parsed."""
    if _SPEC_TEXT.match(data) or _YAML_KEY.search(data[:4096]):
        return True
    if len(data) > MAX_SPEC_BYTES:
        return False
    if data.lstrip()[:1] != b"{":
        return _YAML_VERSION.search(data) is not None  # top level: at column 0
    found = _JSON_VERSION.search(data)
    if found is None:
        return False
    start = data.rfind(b"\n", 0, found.start()) + 1
    first = _FIRST_JSON_KEY.match(data)
    if start and first is not None and not data[start : found.start()].strip():
        # pretty-printed: a top-level key is indented like the document's first key
        return data[start : found.start()] == first.group(1)
    try:
        root = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(root, dict) and ("openapi" in root or "swagger" in root)


def _deleted(ctx: CheckContext, path: str) -> bool:
    return any(f.status is FileStatus.DELETED and f.path == path for f in ctx.changes)


NO_SPEC = (
    "no OpenAPI document found; if the API has one, name it under `specs:` (a spec the"
    " app generates at run time: see `generate:`)"
)


def _summary(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    warnings = sum(1 for f in findings if f.level is Level.WARNING)
    if not findings:
        return "no API changes"
    others = len(findings) - errors - warnings
    parts = [
        f"{errors} breaking",
        f"{warnings} {'warning' if warnings == 1 else 'warnings'}",
        f"{others} other API {'change' if others == 1 else 'changes'}",
    ]
    return ", ".join(parts)
