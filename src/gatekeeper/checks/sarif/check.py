"""The ``sarif`` check: findings from any tool that writes SARIF 2.1.0.

A CI step runs the tool (``ruff check --output-format sarif -o ruff.sarif``, semgrep,
CodeQL...) and the policy names the files. By default only results on lines the pull
request added are kept: what was there before is the old code's business, and the
number of results left out is shown in the check's summary. Rule ids are dynamic:
each result becomes ``<tool>-<ruleId>`` (e.g. ``ruff-f401``), which the policy can
set severities for and waivers can name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.suppressions import TRUST_KEY, TRUST_SCHEMA, Marker, Suppressions
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.checks.sarif.parser import LEVELS, SarifResult, load_sarif, rule_name
from gatekeeper.model import Finding, Level, Rule

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Filtered:
    """Findings kept from a set of SARIF results, and how many were left out."""

    findings: tuple[Finding, ...]
    outside_change: int = 0
    other_levels: int = 0


def sarif_findings(
    check: BaseCheck,
    results: Iterable[SarifResult],
    changes: ChangeSet,
    *,
    only_added_lines: bool = True,
    levels: Sequence[str] = ("error", "warning", "note"),
    exclude: Sequence[str] = (),
    suppressions: Suppressions | None = None,
) -> Filtered:
    """Turn SARIF results into ``check``'s findings, keeping those the change introduced.

    With ``only_added_lines``, a result is kept when its lines touch lines the change
    added, or, for a result without lines, when its file is new. Results outside the
    repository or without a location are kept only when ``only_added_lines`` is off.
    A result the tool suppressed by a comment in the code is judged by ``suppressions``
    (the comment is the PR's when the result touches lines it added); without it, or for
    a result on old lines, the suppression is honoured.
    """
    kept: list[Finding] = []
    outside = other = 0
    for result in results:
        if result.level not in levels:
            other += 1
            continue
        if result.path is not None and match_any(result.path, exclude):
            outside += 1
            continue
        introduced = _introduced(result, changes)
        if only_added_lines and not introduced:
            outside += 1
            continue
        found: Finding | None = _finding(check, result, changes)
        if result.suppressed:
            found = _judge_suppressed(found, result, introduced, suppressions)
        if found is not None:
            kept.append(found)
    kept.sort(key=_sort_key)
    return Filtered(tuple(kept), outside, other)


def _judge_suppressed(
    found: Finding | None,
    result: SarifResult,
    introduced: bool,
    suppressions: Suppressions | None,
) -> Finding | None:
    """None when the tool's in-source suppression stands; else the finding, marked."""
    if found is None or suppressions is None or not introduced or result.path is None:
        return None
    start = result.start_line or 1
    marker = Marker(
        f"{result.tool}'s in-source suppression",
        result.path,
        start,
        (start, result.end_line or start),
    )
    return suppressions.review(found, marker)


def _sort_key(f: Finding) -> tuple[str, int, str, str]:
    loc = f.location
    return (loc.path if loc else "", (loc.start_line or 0) if loc else 0, f.rule, f.message)


def _introduced(result: SarifResult, changes: ChangeSet) -> bool:
    if result.path is None:
        return False
    changed = changes.get(result.path)
    if changed is None or changed.status is FileStatus.DELETED:
        return False
    if result.start_line is None:
        return changed.status is FileStatus.ADDED
    end = result.end_line or result.start_line
    return any(start <= end and result.start_line <= stop for start, stop in changed.added)


def _finding(check: BaseCheck, result: SarifResult, changes: ChangeSet) -> Finding:
    rule = rule_name(result.tool, result.rule_id) if result.rule_id else "result"
    label = f"{result.tool} {result.rule_id}".strip()
    message = f"{label}: {result.message}"
    if result.path is None and result.raw_uri:
        message += f" (at {result.raw_uri}, outside the repository)"
    line_text = ""
    if result.path is not None and result.start_line is not None:
        text = changes.text_at_head(result.path) or ""
        lines = text.splitlines()
        if result.start_line <= len(lines):
            line_text = lines[result.start_line - 1].strip()
    # the flagged code, not its line number, identifies the result across line moves
    evidence = (result.tool, result.rule_id, line_text, result.message)
    return check.finding(
        rule,
        message,
        path=result.path,
        line=result.start_line,
        end_line=result.end_line,
        evidence=evidence,
        remedy=result.help or None,
        level=LEVELS[result.level],
    )


class SarifCheck(BaseCheck):
    """Ingest SARIF files written by other tools; keep the results the PR introduced."""

    id: ClassVar[str] = "sarif"
    title: ClassVar[str] = "Static analysis (SARIF)"
    #: rule ids are ``<tool>-<ruleId>``: the policy's rules and waivers may name any
    open_rules: ClassVar[bool] = True
    description: ClassVar[str] = (
        "Reads SARIF 2.1.0 logs that other tools wrote and reports their results on the "
        "lines the pull request added."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            id="result",
            level=Level.WARNING,
            summary="A tool reported a problem in SARIF on a line this change added.",
            remedy="Fix the code the tool points at, or suppress the result in the tool "
            "with a justification.",
            description=(
                "Every SARIF result becomes a finding named `<tool>-<ruleId>` (lower-case, "
                "`[a-z0-9-]`), for example `sarif/ruff-f401`; a result without a rule id is "
                "`sarif/result`. Its level follows the SARIF level: error is an error, "
                "warning a warning, note and none are info. Results the tool marks as "
                "suppressed outside the code, or whose baseline state is unchanged or absent, "
                "are left out; one suppressed by a comment on a line the pull request added is "
                "reported, marked 'suppressed in this PR', until a human approves the latest "
                "push (`trust_pr_suppressions: true` honours it)."
            ),
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["files"],
        "properties": {
            "files": {
                "description": "SARIF files to read: paths or globs relative to the "
                "repository root (absolute paths allowed).",
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
            },
            "only_added_lines": {
                "description": "Keep only results on lines the PR added (else: every result).",
                "type": "boolean",
                "default": True,
            },
            "levels": {
                "description": "SARIF levels to report.",
                "type": "array",
                "items": {"enum": ["error", "warning", "note", "none"]},
                "default": ["error", "warning", "note"],
            },
            "missing": {
                "description": "What a pattern that matches no file does: error (fail "
                "closed) or ignore.",
                "enum": ["error", "ignore"],
                "default": "error",
            },
            TRUST_KEY: {
                **TRUST_SCHEMA,
                "description": "Honour in-source suppressions (a `# noqa`, a "
                "`// eslint-disable-line`...) on lines the pull request added. Off by "
                "default: the result is reported, marked 'suppressed in this PR', and "
                "blocks until a human approves the latest push.",
            },
        },
    }

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Read every configured SARIF file and yield the kept results, sorted."""
        config = ctx.config
        files = _find_files(ctx.changes.root, config.get("files", []), config.get("missing"))
        results: list[SarifResult] = []
        for path, label in files:
            ctx.check_time()
            results.extend(load_sarif(path, ctx.changes.root, label=label))
        kept = sarif_findings(
            self,
            _in_scope(results, ctx.paths),
            ctx.changes,
            only_added_lines=bool(config.get("only_added_lines", True)),
            levels=tuple(config.get("levels", ("error", "warning", "note"))),
            exclude=ctx.exclude,
            suppressions=Suppressions(
                ctx.changes,
                ctx.pr,
                trusted=bool(config.get(TRUST_KEY, False)),
                setting=f"checks.sarif.{TRUST_KEY}",
            ),
        )
        ctx.set_summary(_summary(len(files), kept))
        yield from kept.findings


def _in_scope(results: list[SarifResult], paths: Sequence[str]) -> list[SarifResult]:
    if not paths:
        return results
    return [r for r in results if r.path is not None and match_any(r.path, paths)]


def _summary(file_count: int, kept: Filtered) -> str:
    noun = "file" if file_count == 1 else "files"
    results = "result" if len(kept.findings) == 1 else "results"
    text = f"{len(kept.findings)} new {results} from {file_count} SARIF {noun}"
    if kept.outside_change:
        text += f"; {kept.outside_change} on lines this change did not add left out"
    if kept.other_levels:
        text += f"; {kept.other_levels} at levels not reported"
    return text


def _find_files(root: Path, patterns: Iterable[str], missing: object) -> list[tuple[Path, str]]:
    """The SARIF files the patterns name, sorted and without duplicates."""
    found: dict[Path, str] = {}
    for pattern in patterns:
        matches = _expand(root, pattern)
        if not matches and missing != "ignore":
            raise CheckError(
                f"no SARIF file matches {pattern!r} under {root}; run the tool that writes it "
                "before gatekeeper, fix the path, or set `missing: ignore`"
            )
        for path in matches:
            found.setdefault(path, _label(path, root))
    return sorted(found.items(), key=lambda item: item[1])


def _expand(root: Path, pattern: str) -> list[Path]:
    if not _GLOB_CHARS & set(pattern):
        path = Path(pattern) if Path(pattern).is_absolute() else root / pattern
        return [path] if path.is_file() else []
    if Path(pattern).is_absolute():
        anchor = Path(Path(pattern).anchor)
        return sorted(p for p in anchor.glob(pattern[len(anchor.anchor) :]) if p.is_file())
    return sorted(p for p in root.glob(pattern) if p.is_file())


def _label(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
