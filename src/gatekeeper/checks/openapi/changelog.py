"""Render changes as a readable API changelog (blocks a reporter escapes) and as plain text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gatekeeper.checks.openapi.group import Group
from gatekeeper.checks.openapi.rules.base import Change
from gatekeeper.model import (
    Block,
    Bullet,
    BulletList,
    Heading,
    Inline,
    Level,
    Paragraph,
    code,
    inline,
    strong,
)

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


def details(changes: Sequence[Change], title: Inline | None = None) -> list[Block]:
    """The changelog as plain-text blocks: endpoints added, removed, and changed (breaking
    first). Operation names and messages quote the spec, so they stay plain text here and
    each reporter escapes them for where it shows them."""
    added, removed, changed = _sections(changes)
    blocks: list[Block] = [Heading(title or inline("API changelog"))]
    if not changes:
        return [*blocks, Paragraph(inline("No API changes."))]
    if added:
        blocks += [Paragraph(inline(strong("Added endpoints"))), _operations(added)]
    if removed:
        blocks += [Paragraph(inline(strong("Removed endpoints"))), _operations(removed)]
    if changed:
        blocks += [Paragraph(inline(strong("Changed"))), _changed(changed)]
    return blocks


def _operations(operations: list[str]) -> BulletList:
    return BulletList(tuple(Bullet(inline(code(op))) for op in operations))


def _changed(changed: dict[str, list[Change]]) -> BulletList:
    items = []
    for op in sorted(changed):
        rows = sorted(changed[op], key=lambda c: (_ORDER[c.level], c.rule, c.message))
        children = tuple(
            inline(f"{_ICON[c.level]}: ", c.message, " (", code(c.rule), ")") for c in rows
        )
        items.append(Bullet(inline(code(op)), children))
    return BulletList(tuple(items))


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


def details_groups(groups: Sequence[Group], title: Inline | None = None) -> list[Block]:
    """The changelog as blocks, with copies of one shared-schema change told once."""
    blocks: list[Block] = [Heading(title or inline("API changelog"))]
    if not groups:
        return [*blocks, Paragraph(inline("No API changes."))]
    singles = [c for g in groups if not g.grouped for c in g.changes]
    added, removed, changed = _sections(singles)
    shared = sorted(
        (g for g in groups if g.grouped), key=lambda g: (_ORDER[g.level], g.rule, g.message)
    )
    if added:
        blocks += [Paragraph(inline(strong("Added endpoints"))), _operations(added)]
    if removed:
        blocks += [Paragraph(inline(strong("Removed endpoints"))), _operations(removed)]
    if shared:
        items = tuple(
            Bullet(inline(f"{_ICON[g.level]}: ", g.message, " (", code(g.rule), ")"))
            for g in shared
        )
        blocks += [Paragraph(inline(strong("Changed shared schemas"))), BulletList(items)]
    if changed:
        blocks += [Paragraph(inline(strong("Changed"))), _changed(changed)]
    return blocks
