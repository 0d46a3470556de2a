"""One spec through the check: load both sides, validate the head, diff, make findings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError
from gatekeeper.checks.openapi import changelog, served
from gatekeeper.checks.openapi.catchup import catch_up
from gatekeeper.checks.openapi.engine import Change, Options, compare, load_spec
from gatekeeper.checks.openapi.group import Group, group
from gatekeeper.checks.openapi.load import REF_RULES, Document, SpecError, check_size
from gatekeeper.checks.openapi.model import Spec, build
from gatekeeper.checks.openapi.releases import judge
from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.checks.openapi.templated import unloadable
from gatekeeper.checks.openapi.validate import semantic, structural
from gatekeeper.model import Finding, Level, Paragraph, code, inline


def _options(ctx: CheckContext) -> Options:
    return Options(
        deprecation_days_beta=int(ctx.config.get("deprecation_days_beta", 0)),
        deprecation_days_stable=int(ctx.config.get("deprecation_days_stable", 0)),
        tick=ctx.check_time,
    )


def _bounded(changes: ChangeSet) -> Callable[[str], bytes | None]:
    """The head reader, refusing a file the diff says is over the size limit before it is
    read (a 200 MB spec must not cost 200 MB to refuse)."""

    def read(path: str) -> bytes | None:
        check_size(path, changes.size_at_head(path))
        return changes.bytes_at_head(path)

    return read


def _load(path: str, reader: Any, config: Any) -> Spec:
    return load_spec(path, reader, allow_external=bool(config.get("allow_external_refs", False)))


@dataclass
class Tally:
    """How many engine changes the gate grouped, into how many findings, over all specs."""

    changes: int = 0
    findings: int = 0


def run_spec(
    check: BaseCheck,
    ctx: CheckContext,
    path: str,
    tally: Tally | None = None,
    *,
    releases: bool = True,
) -> list[Finding]:
    """Findings for one spec path (its head path, or its base path when deleted).

    Copies of one shared-schema change are one finding (see :mod:`.group`); ``tally``
    counts them for the summary. With ``releases``, breaking changes to what no release
    tag has are warnings (see :mod:`.releases`).
    """
    tally = tally if tally is not None else Tally()
    changes = ctx.changes
    base_path = changes.base_path_of(path)
    in_head = changes.prefix_at_head(path, 1) is not None
    in_base = changes.prefix_at_base(base_path, 1) is not None
    out: list[Finding] = []
    head: Spec | None = None
    if in_head:
        try:
            head = _load(path, _bounded(changes), ctx.config)
        except SpecError as exc:
            why_base = (lambda: _base_error(changes, base_path, ctx.config)) if in_base else None
            return unloadable(check, ctx, path, why_base, exc)
        if not _touched(changes, head.doc, path):
            return []
        out.extend(_head_problems(check, ctx, head))
    base = _base(changes, base_path, ctx.config) if in_base else None
    if base is not None and head is not None:
        # a spec that was already invalid must not block every PR that touches it (under
        # the head's path keys when the prefix moved and the URLs did not: served.py)
        moved = served.moved_paths(base, head)
        ctx.mark_existing_at_base(_head_problems(check, ctx, base, as_path=path, moved=moved))
    if base is None and head is None:
        return out
    if _unresolved_refs(ctx, path, base, head):
        return out
    if base is None:
        count = len(head.operations) if head else 0
        note = f": {count} operations (validated, not compared)."
        ctx.add_details(Paragraph(inline("New API spec ", code(path), note)))
        return out
    deleted = head is None
    if head is None:
        # a deleted spec removes every endpoint it described (and has no version to move)
        info = {"title": "deleted", "version": ""}
        empty = (
            {"swagger": "2.0", "info": info, "paths": {}}
            if base.version == "2.0"
            else {"openapi": "3.0.0", "info": info, "paths": {}}
        )
        head = build(Document(path, empty))
    try:
        found = compare(base, head, _options(ctx))
    except RecursionError:
        raise CheckError(
            f"{path}: schemas nest too deeply to compare; split them into $ref components"
        ) from None
    judged = judge(ctx, path, found, head, _options(ctx)) if releases and not deleted else found
    # judge lowers a change about what no release has by replacing it: the new ones are those
    unreleased = set(judged) - set(found)
    found = catch_up(ctx, judged, {*base.doc.files, *head.doc.files})
    groups = group(head.doc, found)
    out.extend(_finding(check, g, unreleased) for g in groups)
    merged = [g for g in groups if g.grouped]
    if merged:
        tally.changes += sum(len(g.changes) for g in merged)
        tally.findings += len(merged)
    if ctx.config.get("changelog", True):
        ctx.add_details(*changelog.details(found, inline("API changelog: ", code(path))))
    if ctx.config.get("require_major_bump") and any(c.level is Level.ERROR for c in found):
        out.extend(_major_bump(check, base, head, path))
    elif found and not deleted:
        out.extend(_version_moves(check, base, head, path))
    return out


def _unresolved_refs(ctx: CheckContext, path: str, base: Spec | None, head: Spec | None) -> bool:
    """Whether the head has ``$ref``s to nothing that the base did not have. Such a ref
    would read as an empty schema (every property under it "removed"): the ref findings
    block instead, and the spec is compared once they are fixed."""
    unresolved = _unresolved(head) - _unresolved(base)
    if unresolved:
        ctx.add_details(
            f"API spec `{path}` was not compared: {len(unresolved)} `$ref`"
            f"{'s do' if len(unresolved) > 1 else ' does'} not resolve (see the findings).\n"
        )
    return bool(unresolved)


def _unresolved(spec: Spec | None) -> set[str]:
    """The messages of a spec's ``$ref``s that do not resolve."""
    if spec is None:
        return set()
    return {p.message for p in spec.doc.problems if p.rule in REF_RULES}


def _version(spec: Spec) -> tuple[int, ...] | None:
    info = spec.root.get("info")
    raw = info.get("version") if isinstance(info, dict) else None
    parts = re.findall(r"\d+", str(raw)) if raw is not None else []
    return tuple(int(p) for p in parts[:3]) or None


def _version_moves(check: BaseCheck, base: Spec, head: Spec, path: str) -> list[Finding]:
    """Informational: the API changed but info.version did not move up."""
    old, new = _version(base), _version(head)
    if old is None or new is None or new > old:
        return []
    if new == old:
        message = f"the API changed but info.version stayed {'.'.join(map(str, new))}"
        return [check.finding("api-version-not-bumped", message, path=path, evidence="version")]
    message = f"info.version went down from {'.'.join(map(str, old))} to {'.'.join(map(str, new))}"
    return [check.finding("api-version-decreased", message, path=path, evidence="version")]


def _touched(changes: ChangeSet, doc: Document, path: str) -> bool:
    """Whether the change touched the spec or any file it pulls in."""
    return any(changes.get(f) is not None for f in doc.files) or changes.get(path) is not None


def _base_error(changes: ChangeSet, path: str, config: Any) -> SpecError | None:
    """Why the base version does not load, or None when it loads as OpenAPI."""
    try:
        _load(path, changes.bytes_at_base, config)
    except SpecError as exc:
        return exc
    return None


def _base(changes: ChangeSet, path: str, config: Any) -> Spec | None:
    try:
        return _load(path, changes.bytes_at_base, config)
    except SpecError:
        return None  # a base that never loaded: the head is validated, nothing to compare


def _head_problems(
    check: BaseCheck,
    ctx: CheckContext,
    spec: Spec,
    as_path: str | None = None,
    moved: dict[str, str] | None = None,
) -> list[Finding]:
    """Load problems and validation errors of ``spec``; ``as_path`` names a base spec by
    its head path, so a renamed spec's old problems match its new ones, and ``moved``
    (written path at base -> at head) its paths, so a moved prefix's old problems do."""

    def named(path: str) -> str:
        return as_path if as_path is not None and path == spec.doc.path else path

    out = [
        check.finding(p.rule, p.message, path=named(p.path), line=p.line, evidence=p.message)
        for p in spec.doc.problems
    ]
    if ctx.config.get("validate", True):
        found = structural(spec)
        pointers = {inv.pointer for inv in found}
        # "declares no responses" says again what the schema said about its empty responses
        found += [s for s in semantic(spec) if s.pointer + "/responses" not in pointers]
        for inv in (served.repointed(i, moved) for i in found) if moved else found:
            why = f" ({inv.harmless})" if inv.harmless else ""
            out.append(
                check.finding(
                    "spec-invalid",
                    f"{inv.pointer}: {inv.message}{why}",
                    path=named(spec.doc.path),
                    line=inv.line,
                    evidence=f"{inv.pointer}|{inv.message}",
                    level=Level.WARNING if inv.harmless else None,
                )
            )
    return out


def _finding(check: BaseCheck, g: Group, unreleased: set[Change]) -> Finding:
    # a change to what no release has is a warning whatever the rule's level (releases.py);
    # a level the engine set itself from the context (a removal that is a rename) is kept
    own = g.level if g.level is not LEVELS.get(g.rule) else None
    level = Level.WARNING if g.changes[0] in unreleased else own
    return check.finding(
        g.rule, g.message, path=g.path, line=g.line, evidence=g.evidence, level=level
    )


def _major(version: Any) -> int | None:
    m = re.match(r"\s*v?(\d+)", str(version)) if version is not None else None
    return int(m.group(1)) if m else None


def _major_bump(check: BaseCheck, base: Spec, head: Spec, path: str) -> list[Finding]:
    old = _major(
        base.root.get("info", {}).get("version")
        if isinstance(base.root.get("info"), dict)
        else None
    )
    new = _major(
        head.root.get("info", {}).get("version")
        if isinstance(head.root.get("info"), dict)
        else None
    )
    if old is None or new is None or new > old:
        return []
    message = f"breaking changes need a new major info.version (still {new})"
    return [
        check.finding(
            "api-major-version-not-bumped", message, path=path, level=Level.ERROR, evidence="major"
        )
    ]
