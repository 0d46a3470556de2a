"""Render changes as a readable API changelog (Markdown) and as plain text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gatekeeper.checks.openapi.group import Group
from gatekeeper.checks.openapi.rules.base import Change
from gatekeeper.model import Level

_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.INFO: 2}
_ICON = {Level.ERROR: "breaking", Level.WARNING: "warning", Level.INFO: "info"}


def _sections(changes: Iterable[Change]) -> tuple[list[str], list[str], dict[str, list[Change]]]:
    added: list[str] = []
    removed: list[str] = []
    changed: dict[str, list[Change]] = {}
    for c in changes:
        if c.rule == "endpoint-added":
            added.append(c.operation)
        elif c.rule.startswith(("api-path-removed", "api-removed")):
            removed.append(c.operation)
        else:
            changed.setdefault(c.operation or "(whole API)", []).append(c)
    return sorted(set(added)), sorted(set(removed)), changed


def markdown(changes: Sequence[Change], title: str = "API changelog") -> str:
    """A Markdown changelog: endpoints added, removed, and changed (breaking first)."""
    added, removed, changed = _sections(changes)
    lines = [f"### {title}", ""]
    if not changes:
        lines.append("No API changes.")
        return "\n".join(lines) + "\n"
    if added:
        lines += ["**Added endpoints**", ""] + [f"- `{op}`" for op in added] + [""]
    if removed:
        lines += ["**Removed endpoints**", ""] + [f"- `{op}`" for op in removed] + [""]
    if changed:
        lines += ["**Changed**", ""]
        for op in sorted(changed):
            lines.append(f"- `{op}`")
            for c in sorted(changed[op], key=lambda c: (_ORDER[c.level], c.rule, c.message)):
                lines.append(f"  - {_ICON[c.level]}: {c.message} (`{c.rule}`)")
        lines.append("")
    return "\n".join(lines)


def text(changes: Sequence[Change]) -> str:
    """One line per change, breaking first: ``error  GET /x  rule  message``."""
    rows = sorted(changes, key=lambda c: (_ORDER[c.level], c.operation, c.rule, c.message))
    out = [f"{c.level.value:<7} {c.operation or '-'}  {c.rule}: {c.message}" for c in rows]
    counts = {lv: sum(1 for c in changes if c.level is lv) for lv in Level}
    out.append(
        f"{len(changes)} changes: {counts[Level.ERROR]} error, "
        f"{counts[Level.WARNING]} warning, {counts[Level.INFO]} info"
    )
    return "\n".join(out) + "\n"


def text_groups(groups: Sequence[Group], changes: int) -> str:
    """One line per finding, breaking first: ``error   rule: GET /x: message``; the copies
    of one shared-schema change are one line, whose message lists their operations."""
    rows = sorted(groups, key=lambda g: (_ORDER[g.level], g.operations[:1], g.rule, g.message))
    out = [f"{g.level.value:<7} {g.rule}: {g.message}" for g in rows]
    counts = {lv: sum(1 for g in groups if g.level is lv) for lv in Level}
    out.append(
        f"{len(groups)} findings ({changes} changes): {counts[Level.ERROR]} error, "
        f"{counts[Level.WARNING]} warning, {counts[Level.INFO]} info"
    )
    return "\n".join(out) + "\n"


def markdown_groups(groups: Sequence[Group], title: str = "API changelog") -> str:
    """The Markdown changelog with copies of one shared-schema change told once."""
    lines = [f"### {title}", ""]
    if not groups:
        return "\n".join([*lines, "No API changes."]) + "\n"
    singles = [c for g in groups if not g.grouped for c in g.changes]
    added, removed, changed = _sections(singles)
    shared = sorted(
        (g for g in groups if g.grouped), key=lambda g: (_ORDER[g.level], g.rule, g.message)
    )
    if added:
        lines += ["**Added endpoints**", ""] + [f"- `{op}`" for op in added] + [""]
    if removed:
        lines += ["**Removed endpoints**", ""] + [f"- `{op}`" for op in removed] + [""]
    if shared:
        lines += ["**Changed shared schemas**", ""]
        lines += [f"- {_ICON[g.level]}: {g.message} (`{g.rule}`)" for g in shared] + [""]
    if changed:
        lines += ["**Changed**", ""]
        for op in sorted(changed):
            lines.append(f"- `{op}`")
            for c in sorted(changed[op], key=lambda c: (_ORDER[c.level], c.rule, c.message)):
                lines.append(f"  - {_ICON[c.level]}: {c.message} (`{c.rule}`)")
        lines.append("")
    return "\n".join(lines)
