"""The ``cochange`` check: "when these paths change, these must change too".

Each policy item names the paths that trigger it (``when``), the paths of which at least
one (or, with ``mode: all``, every pattern) must also change (``require``), trigger
paths that are exempt (``unless``), and the message a reviewer reads. Typical items:
code needs tests, an API change needs docs or a CHANGELOG entry, a new dependency
manifest needs an ADR (``when: {paths: [...], status: [added]}``).

Files the PR deleted count as changes on both sides; a trigger file that itself matches
``require`` does not trigger (changing a test is not a reason to ask for a test).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from gatekeeper.changes import ChangedFile, ChangeSet
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.interface import BaseCheck, CheckContext, rule_catalog
from gatekeeper.model import Finding, Level, Rule

DEFAULT_RULE = "missing-cochange"
_STATUSES = ["added", "modified", "deleted", "renamed", "copied", "type-changed"]
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_ITEM_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["when", "require"],
    "properties": {
        "when": {
            "description": "Globs of the paths whose change triggers the item, or "
            "{paths, status} to trigger only on some kinds of change (e.g. added files).",
            "oneOf": [
                {**_GLOBS, "minItems": 1},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["paths"],
                    "properties": {
                        "paths": {**_GLOBS, "minItems": 1},
                        "status": {
                            "oneOf": [
                                {"enum": _STATUSES},
                                {"type": "array", "items": {"enum": _STATUSES}, "minItems": 1},
                            ]
                        },
                    },
                },
            ],
        },
        "require": {**_GLOBS, "minItems": 1, "description": "Globs of what must change too."},
        "unless": {**_GLOBS, "description": "Trigger paths that are exempt (generated...)."},
        "mode": {
            "enum": ["any", "all"],
            "default": "any",
            "description": "any: one `require` pattern must match a changed file; all: each.",
        },
        "message": {"type": "string", "description": "Why, in the reviewer's words."},
        "rule_name": {
            "type": "string",
            "pattern": r"^[a-z][a-z0-9-]*$",
            "description": f"The finding's rule id (default `{DEFAULT_RULE}`), so that "
            "severities and waivers can name this item.",
        },
        "level": {"enum": ["error", "warning", "info"], "default": "error"},
    },
}


@dataclass(frozen=True, slots=True)
class _Item:
    when: tuple[str, ...]
    statuses: frozenset[str]
    require: tuple[str, ...]
    unless: tuple[str, ...]
    all_required: bool
    message: str
    rule: str
    level: Level

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> _Item:
        when = raw["when"]
        statuses: Sequence[str] = _STATUSES
        if isinstance(when, Mapping):
            status = when.get("status", _STATUSES)
            statuses = [status] if isinstance(status, str) else list(status)
            when = when["paths"]
        return cls(
            when=tuple(when),
            statuses=frozenset(statuses),
            require=tuple(raw["require"]),
            unless=tuple(raw.get("unless", ())),
            all_required=raw.get("mode", "any") == "all",
            message=str(raw.get("message", "")).strip(),
            rule=str(raw.get("rule_name") or DEFAULT_RULE),
            level=Level(raw.get("level", "error")),
        )


class CochangeCheck(BaseCheck):
    """When some paths change, other paths must change in the same pull request."""

    id: ClassVar[str] = "cochange"
    title: ClassVar[str] = "Changes that go together"
    description: ClassVar[str] = (
        "When these paths change, these must change too: code and its tests, an API and "
        "its docs or CHANGELOG, a new dependency and its ADR."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            id=DEFAULT_RULE,
            level=Level.ERROR,
            summary="Paths changed without the paths the policy says must change with them.",
            remedy="Make the companion change (tests, docs, CHANGELOG, ADR) in this pull "
            "request, or ask for a waiver if it truly is not needed.",
            description=(
                "Each `cochange` item in the policy pairs trigger globs (`when`) with "
                "required globs (`require`). The finding sits on the first triggering file "
                "and names what is missing. An item may set `rule_name` to get its own rule "
                "id, which severities and waivers can then name."
            ),
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ITEM_SCHEMA}},
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Applies when some changed file matches an item's ``when``."""
        return any(_triggers(ctx, item) for item in _items(ctx.config))

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per item whose triggers changed without what they require."""
        findings = []
        items = _items(ctx.config)
        for item in items:
            triggers = _triggers(ctx, item)
            if not triggers:
                continue
            missing = _missing(ctx.changes, item, {f.path for f in triggers})
            if missing:
                findings.append(self._finding(item, triggers, missing))
        rules = "rule" if len(items) == 1 else "rules"
        ctx.set_summary(f"{len(items) - len(findings)} of {len(items)} {rules} satisfied")
        yield from sorted(findings, key=lambda f: (str(f.location), f.rule, f.message))

    def _finding(
        self, item: _Item, triggers: Sequence[ChangedFile], missing: Sequence[str]
    ) -> Finding:
        first = triggers[0]
        more = f" (and {len(triggers) - 1} more)" if len(triggers) > 1 else ""
        joiner = " and " if item.all_required else " or "
        need = "no change to " + joiner.join(missing)
        why = f": {item.message}" if item.message else ""
        line = first.added[0][0] if first.added else None
        return self.finding(
            item.rule,
            f"{first.path}{more} changed with {need}{why}",
            path=first.path,
            line=line,
            evidence=(item.when, item.require),
            level=item.level,
        )


def _items(config: Mapping[str, Any]) -> list[_Item]:
    raw = config.get("items", [])
    # the policy layer turns a YAML list (the shorthand) into {"items": [...]}
    return [_Item.parse(i) for i in raw if isinstance(i, Mapping)] if isinstance(raw, list) else []


def _triggers(ctx: CheckContext, item: _Item) -> list[ChangedFile]:
    found = []
    for f in ctx.changes.matching(item.when, item.unless):
        if f.status.value not in item.statuses or match_any(f.path, item.require):
            continue
        if ctx.paths and not match_any(f.path, ctx.paths):
            continue
        if match_any(f.path, ctx.exclude):
            continue
        found.append(f)
    return sorted(found, key=lambda f: f.path)


def _missing(changes: ChangeSet, item: _Item, triggers: set[str]) -> list[str]:
    """The ``require`` patterns left unsatisfied (all of them when none is satisfied)."""
    others = [f for f in changes if f.path not in triggers]
    satisfied = [p for p in item.require if _changes_match(others, p)]
    if item.all_required:
        return [p for p in item.require if p not in satisfied]
    return [] if satisfied else list(item.require)


def _changes_match(files: Sequence[ChangedFile], pattern: str) -> bool:
    names = (n for f in files for n in (f.path, f.old_path) if n is not None)
    return any(match_any(n, (pattern,)) for n in names)
