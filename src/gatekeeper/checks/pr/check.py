"""The ``pr`` check: pull-request hygiene from the PR's title, body and branch.

Rules: a title pattern (e.g. Conventional Commits), required body sections (Markdown
headings with something under them), checklist items that must be ticked, a maximum
number of changed lines, a ticket reference, a non-empty description.

A local run has no pull-request metadata (no number, title or body). Then every rule
that reads the PR is skipped rather than failed: the check does not apply at all (the
engine shows it as skipped) unless ``max_changed_lines`` is set, which needs only the
diff; the summary says what was skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from gatekeeper.changes.globs import match_any
from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.checks.pr.markdown import (
    checklist,
    heading_key,
    strip_comments,
    text_without_headings,
)
from gatekeeper.checks.pr.markdown import sections as markdown_sections
from gatekeeper.model import Finding, Level, Rule

#: lockfiles and generated files do not make a change harder to review
DEFAULT_SIZE_EXCLUDE = (
    "*.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "go.sum",
    "*.min.js",
    "*.snap",
)
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}


def _rule(rule_id: str, summary: str, remedy: str, description: str = "") -> Rule:
    return Rule(rule_id, Level.ERROR, summary, remedy, description)


class PullRequestCheck(BaseCheck):
    """PR hygiene: title, description, sections, checklist, size and ticket."""

    id: ClassVar[str] = "pr"
    title: ClassVar[str] = "Pull request hygiene"
    description: ClassVar[str] = (
        "Checks the pull request's title, description, required sections, ticked checklist "
        "items, size and ticket reference."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        _rule(
            "title-format",
            "The title does not match the pattern the policy sets.",
            "Rename the pull request to match the convention (e.g. `feat(api): add users`).",
        ),
        _rule(
            "empty-description",
            "The pull request has no description.",
            "Say what the change does and why; reviewers and agents' supervisors need it.",
            "HTML comments (template hints) and headings alone do not count as a description.",
        ),
        _rule(
            "missing-section",
            "A section the policy requires is missing from the description, or empty.",
            "Add the section as a Markdown heading and write something under it.",
            "Sections are Markdown headings (`## Testing`), matched case-insensitively; a "
            "heading with only whitespace or HTML comments under it counts as missing.",
        ),
        _rule(
            "unticked-checklist-item",
            "A checklist item the policy requires is not ticked (or not there).",
            "Do what the item asks, then tick it (`- [x] ...`) in the description.",
            "Items are matched by text or, written `/like this/`, by regular expression; "
            "both ignore case.",
        ),
        _rule(
            "too-many-changed-lines",
            "The change is larger than the policy allows.",
            "Split the pull request into smaller ones that can be reviewed on their own.",
            "Counted as added plus deleted lines over all changed files, leaving out lockfiles "
            "and other files matched by `changed_lines_exclude`.",
        ),
        _rule(
            "missing-ticket",
            "Neither the title, the description nor the branch references a ticket.",
            "Mention the ticket (e.g. `PROJ-123`) in the title, description or branch name.",
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "title_pattern": {"type": "string", "description": "Regex the title must match."},
            "title_hint": {"type": "string", "description": "The convention, in words."},
            "require_description": {"type": "boolean", "default": True},
            "required_sections": {**_STRINGS, "description": "Headings the body must have."},
            "required_checklist": {
                **_STRINGS,
                "description": "Checklist items that must be ticked (text, or /regex/).",
            },
            "all_checklist_ticked": {"type": "boolean", "default": False},
            "max_changed_lines": {"type": "integer", "minimum": 1},
            "changed_lines_exclude": {**_STRINGS, "default": list(DEFAULT_SIZE_EXCLUDE)},
            "ticket_pattern": {"type": "string", "description": "Regex of a ticket reference."},
            "ticket_in": {
                "type": "array",
                "items": {"enum": ["title", "body", "branch"]},
                "minItems": 1,
                "default": ["title", "body", "branch"],
            },
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """With PR metadata always; on a local run only when a size limit is set."""
        if has_metadata(ctx.pr):
            return True
        return ctx.config.get("max_changed_lines") is not None and len(ctx.changes) > 0

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Yield one finding per broken hygiene rule, in catalog order."""
        config = ctx.config
        findings: list[Finding] = []
        findings += self._size(ctx)
        if has_metadata(ctx.pr):
            pr = ctx.pr
            findings += self._title(pr, config)
            described = self._description(pr, config)
            findings += described
            if not described:  # an empty description misses every section: say it once
                findings += self._sections(pr, config)
            findings += self._checklist(pr, config)
            findings += self._ticket(pr, config)
            ctx.set_summary("all hygiene rules met" if not findings else "")
        else:
            ctx.set_summary(
                "no pull-request metadata (local run): title, description, checklist and "
                "ticket rules skipped; only the size limit was checked"
            )
        yield from findings

    def _size(self, ctx: CheckContext) -> list[Finding]:
        limit = ctx.config.get("max_changed_lines")
        if limit is None:
            return []
        exclude = (*ctx.config.get("changed_lines_exclude", DEFAULT_SIZE_EXCLUDE), *ctx.exclude)
        counted = [
            f
            for f in ctx.changes
            if not match_any(f.path, exclude) and (not ctx.paths or match_any(f.path, ctx.paths))
        ]
        total = sum(f.added_count + f.deleted_count for f in counted)
        if total <= int(limit):
            return []
        return [
            self.finding(
                "too-many-changed-lines",
                f"The change touches {total} lines (added plus deleted, in {len(counted)} "
                f"files), over the limit of {limit}.",
                evidence="size",
            )
        ]

    def _title(self, pr: PullRequest, config: Mapping[str, Any]) -> list[Finding]:
        pattern = config.get("title_pattern")
        if not pattern or _compile(pattern, "title_pattern").search(pr.title):
            return []
        hint = config.get("title_hint") or f"the pattern `{pattern}`"
        return [
            self.finding(
                "title-format",
                f"The title {pr.title!r} does not follow {hint}.",
                evidence=pattern,
            )
        ]

    def _description(self, pr: PullRequest, config: Mapping[str, Any]) -> list[Finding]:
        if not config.get("require_description", True) or text_without_headings(pr.body):
            return []
        return [self.finding("empty-description", "The pull request has no description.")]

    def _sections(self, pr: PullRequest, config: Mapping[str, Any]) -> list[Finding]:
        found = markdown_sections(pr.body)
        out = []
        for wanted in config.get("required_sections", []):
            content = found.get(heading_key(wanted))
            if content is None:
                message = f"The description has no '{wanted}' section."
            elif not content.strip():
                message = f"The description's '{wanted}' section is empty."
            else:
                continue
            out.append(self.finding("missing-section", message, evidence=heading_key(wanted)))
        return out

    def _checklist(self, pr: PullRequest, config: Mapping[str, Any]) -> list[Finding]:
        items = checklist(pr.body)
        out = []
        for wanted in config.get("required_checklist", []):
            matcher = _item_matcher(wanted)
            matching = [(ticked, text) for ticked, text in items if matcher(text)]
            if any(ticked for ticked, _ in matching):
                continue
            state = "is not ticked" if matching else "is missing from the description"
            out.append(
                self.finding(
                    "unticked-checklist-item",
                    f"The checklist item '{wanted}' {state}.",
                    evidence=wanted,
                )
            )
        if config.get("all_checklist_ticked", False):
            out += [
                self.finding(
                    "unticked-checklist-item",
                    f"The checklist item '{text}' is not ticked.",
                    evidence=text,
                )
                for ticked, text in items
                if not ticked
            ]
        return _unique(out)

    def _ticket(self, pr: PullRequest, config: Mapping[str, Any]) -> list[Finding]:
        pattern = config.get("ticket_pattern")
        if not pattern:
            return []
        where: Sequence[str] = config.get("ticket_in", ("title", "body", "branch"))
        texts = {"title": pr.title, "body": strip_comments(pr.body), "branch": pr.head_ref}
        regex = _compile(pattern, "ticket_pattern")
        if any(regex.search(texts[w]) for w in where):
            return []
        places = ", ".join(where)
        return [
            self.finding(
                "missing-ticket",
                f"No ticket reference matching `{pattern}` in the pull request's {places}.",
                evidence=pattern,
            )
        ]


def has_metadata(pr: PullRequest) -> bool:
    """True when there is a pull request to judge (a number, a title or a body)."""
    return pr.number is not None or bool(pr.title.strip() or pr.body.strip())


def _compile(pattern: str, key: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CheckError(
            f"pr: {key} {pattern!r} is not a valid regular expression ({exc}); fix the policy"
        ) from exc


def _item_matcher(wanted: str) -> Any:
    if len(wanted) > 2 and wanted.startswith("/") and wanted.endswith("/"):
        regex = _compile(f"(?i:{wanted[1:-1]})", "required_checklist")
        return lambda text: regex.search(text) is not None
    needle = wanted.casefold()
    return lambda text: needle in text.casefold()


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for f in findings:
        if f.fingerprint not in seen:
            seen.add(f.fingerprint)
            out.append(f)
    return out
