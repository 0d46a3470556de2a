"""The ``coverage`` check: diff coverage and total coverage delta, from local reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction
from pathlib import PurePosixPath
from typing import Any, ClassVar

from gatekeeper.changes import FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.changes.suppressions import TRUST_KEY, TRUST_SCHEMA
from gatekeeper.checks.coverage import pragmas, unimported
from gatekeeper.checks.coverage.diffcov import FileDiff, file_diff, percent, ranges, show, table
from gatekeeper.checks.coverage.evidence import committed_leftover, exists, refusal, repo_path
from gatekeeper.checks.coverage.paths import PathMapper
from gatekeeper.checks.coverage.reports import Report, ReportError, Wanted, read_report
from gatekeeper.checks.interface import (
    BASE_INPUTS_DIR,
    BaseCheck,
    CheckContext,
    CheckError,
    rule_catalog,
)
from gatekeeper.model import Finding, Level, Rule

CONVENTIONAL = (
    "coverage.json",
    "coverage.xml",
    "lcov.info",
    ".coverage",
    "coverage/lcov.info",
    "coverage/cobertura-coverage.xml",
    "coverage/coverage.json",
)
CODE_SUFFIXES = frozenset(
    {".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".go", ".java", ".kt", ".scala"}
    | {".rb", ".rs", ".c", ".cc", ".cpp", ".h", ".cs", ".php", ".swift"}
)
HOW_TO = (
    "generate it in the test job, e.g. `coverage run -m pytest && coverage json`"
    " (or `coverage xml`), before gatekeeper runs"
)

_NUMBER = {"type": "number", "minimum": 0, "maximum": 100}


class CoverageCheck(BaseCheck):
    """Coverage of the lines the change adds, and the total's drop against base."""

    id: ClassVar[str] = "coverage"
    title: ClassVar[str] = "Coverage"
    description: ClassVar[str] = __doc__ or ""
    #: the base run's report, looked for by these names directly in its folder
    base_inputs: ClassVar[tuple[str, ...]] = tuple(
        sorted({PurePosixPath(n).name for n in CONVENTIONAL})
    )
    rules: ClassVar[Any] = rule_catalog(
        Rule(
            "diff-coverage-below",
            Level.ERROR,
            "Coverage of the changed lines is below the minimum",
            remedy="Add tests that run the lines listed as missing.",
        ),
        Rule(
            pragmas.RULE,
            Level.ERROR,
            "A `# pragma: no cover` the pull request added takes changed lines out of coverage",
            remedy="Test the lines instead; if they truly cannot run, a human approves the "
            "latest push (or the base policy sets `checks.coverage.trust_pr_suppressions: true`).",
            description="The base commit's pragmas stand; one the pull request wrote would "
            "let it raise its own diff coverage, so it needs a human's approval.",
        ),
        Rule(
            "uncovered-lines",
            Level.INFO,
            "Changed lines that no test runs",
            remedy="Cover them with a test, or mark truly unreachable code `# pragma: no cover`.",
            description="A changed Python module missing from the report where it measures"
            " the module's folder was imported by no test: its changed statements count too"
            " (`checks.coverage.unimported`).",
        ),
        Rule(
            "config-changed",
            Level.WARNING,
            "The pull request changes what coverage.py measures",
            remedy="Have a human review the change to coverage.py's configuration; files"
            " missing from the report are judged by the base commit's until it is merged.",
            description="A wider `omit` or a narrower `source` would take the pull request's"
            " own untested modules out of the count, so the base configuration decides.",
        ),
        Rule(
            "config-unreadable",
            Level.WARNING,
            "coverage.py's configuration at base cannot be read",
            remedy="Fix the file the message names; until then every changed Python file"
            " missing from the report counts as never run.",
        ),
        Rule(
            "total-below",
            Level.ERROR,
            "Total coverage is below the minimum",
            remedy="Add tests; the total counts every measured file, not only this change.",
        ),
        Rule(
            "total-drop",
            Level.ERROR,
            "Total coverage dropped more than allowed against base",
            remedy="Cover the new code, or keep the removed tests.",
        ),
        Rule(
            "base-unknown",
            Level.INFO,
            "No base report, so the total's change is unknown",
            remedy="Set `checks.coverage.base_report` or `checks.coverage.cache_dir`, or upload the"
            " report as an artifact on the base branch so the action can fetch it.",
        ),
        Rule(
            "report-matches-nothing",
            Level.WARNING,
            "No file in the coverage report matches the changed files",
            remedy="Map the report's paths with `checks.coverage.strip_prefixes` or"
            " `checks.coverage.path_map`, or use `relative_files = true` in coverage's"
            " configuration.",
        ),
        Rule(
            "stale-report",
            Level.WARNING,
            "The report describes another version of a file",
            remedy="Regenerate the report on the head commit.",
        ),
        Rule(
            "untrusted-report",
            Level.ERROR,
            "A coverage report or base figure the pull request could have forged",
            remedy="Generate the report in the test job and never commit it (add it to"
            " .gitignore and `git rm --cached` it); base figures come from the base"
            " branch's artifact, never from files in the repository or symbolic links.",
            description="A report committed in git, reached through a symbolic link or"
            " outside the workspace is refused: the PR's author could have written it.",
        ),
        Rule(
            "ambiguous-reports",
            Level.ERROR,
            "Several coverage reports and none named by the policy",
            remedy="Name the report the test job makes with `checks.coverage.report` (or"
            " `checks.coverage.reports` to merge several on purpose). `coverage run` leaves its"
            " data file .coverage beside the report `coverage json` exports: name the one to read.",
            description="Merging whatever reports lie around would let a fake one cover"
            " what the real one shows missing.",
        ),
    )
    config_schema: ClassVar[Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "reports": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Report files (coverage.py JSON, Cobertura XML, LCOV,"
                " .coverage) the test run makes; several named here are merged. Default:"
                " the one report found at a conventional path (two found is an error).",
            },
            "report": {"type": "string", "description": "One report file (same as reports)."},
            "diff_min": {**_NUMBER, "default": 80},
            "total_min": _NUMBER,
            "total_max_drop": {"type": "number", "minimum": 0},
            "thresholds": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["paths", "diff_min"],
                    "properties": {
                        "paths": {"type": "array", "items": {"type": "string"}},
                        "diff_min": _NUMBER,
                    },
                },
            },
            "informational": {"type": "boolean", "default": False},
            "base_report": {"type": "string"},
            "cache_dir": {
                "type": "string",
                "default": BASE_INPUTS_DIR,
                "description": "Folder with <base sha>/<report>; the GitHub Action downloads"
                " the base commit's coverage artifact there.",
            },
            "strip_prefixes": {"type": "array", "items": {"type": "string"}, "default": []},
            TRUST_KEY: {
                **TRUST_SCHEMA,
                "description": "Honour `# pragma: no cover` on lines the pull request added. "
                "Off by default: each is reported (excluded-in-pr) and blocks until a human "
                "approves the latest push.",
            },
            "path_map": {"type": "object", "additionalProperties": {"type": "string"}},
            "unimported": {
                "enum": ["count", "ignore"],
                "default": "count",
                "description": "A changed Python file missing from the report (no test"
                " imported it) where the report measures its folder's code: `count` its"
                " changed statements as never run; `ignore` leaves it out, as coverage.py"
                " does. Test files, files coverage.py's base configuration omits and"
                " statement-free files never count.",
            },
        },
    }

    def _reports(self, ctx: CheckContext) -> tuple[list[str], bool]:
        """The report names to read, and whether the policy named them."""
        named = [
            *ctx.config.get("reports", ()),
            *([ctx.config["report"]] if ctx.config.get("report") else []),
        ]
        if named:
            return named, True
        return [n for n in CONVENTIONAL if exists(ctx.changes.root, n)], False

    def applies(self, ctx: CheckContext) -> bool:
        """When a report is configured or found at a conventional path."""
        found, configured = self._reports(ctx)
        if not found and not configured:
            ctx.set_summary(
                "no coverage report found (looked for " + ", ".join(CONVENTIONAL) + "); " + HOW_TO
            )
        return bool(found)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Vet and read the reports, measure the changed lines, compare totals with base."""
        names, configured = self._reports(ctx)
        refused = list(self._refused(ctx, names, "coverage report"))
        if refused and not configured and all(committed_leftover(ctx.changes, n) for n in names):
            # found by its conventional name, committed long before this change and not
            # touched by it: the repository's leftover, not this PR's evidence. Without it
            # the check would not run at all, so ignoring it is no way out for a PR (one
            # that adds or edits such a file is still refused as forged).
            for f in refused:
                yield dataclasses.replace(
                    f,
                    level=Level.WARNING,
                    message=f"{f.message} It was committed before this change, which leaves"
                    " it as it was: coverage is not measured (a report the test job makes, or"
                    " `checks.coverage.report` naming it, turns the check on).",
                )
            ctx.set_summary("coverage not measured: the only report is committed in git")
            return
        if refused:
            yield from refused
            ctx.set_summary("no trustworthy coverage report")
            return
        if not configured and len(names) > 1:
            yield self.finding(
                "ambiguous-reports",
                f"Found {len(names)} coverage reports ({', '.join(names)}) and the policy"
                " names none, so none is used: which one the tests made is unknown.",
                evidence="ambiguous",
            )
            ctx.set_summary("several coverage reports, none named")
            return
        targets = {
            f.path
            for f in ctx.changes
            if f.status is not FileStatus.DELETED and f.is_text and f.added
        }
        mapper = PathMapper(
            str(ctx.changes.root),
            targets,
            strip=ctx.config.get("strip_prefixes", ()),
            mappings=ctx.config.get("path_map"),
        )
        found, scope = None, None
        counting = ctx.config.get("unimported", "count") == "count"
        files = unimported.candidates(ctx.changes, ctx.paths, ctx.exclude) if counting else []
        if counting and (files or unimported.touches_configuration(ctx.changes)):
            scope, notes = unimported.configuration(self, ctx)
            yield from notes
            found = unimported.probe(ctx.changes, mapper, files) if files else None
        report = self._read(ctx, names, found or mapper)
        texts = {p: ctx.changes.text_at_head(p) for p in sorted(report.files)}
        diffs = [
            file_diff(report.files[p], ctx.changes.added_lines(p), text)
            for p, text in texts.items()
        ]
        if found is not None and scope is not None:
            missing = unimported.diffs(ctx.changes, found, report.files, scope)
            diffs += missing
            texts.update((d.path, ctx.changes.text_at_head(d.path)) for d in missing)
            # the report's paths do reach these files' folders: no mapping to blame
            targets -= {p for p, area in found.areas.items() if area in found.measured}
        level = Level.INFO if ctx.config.get("informational") else None
        yield from self._stale(diffs)
        yield from self._matches_nothing(targets, mapper, report)
        yield from self._diff_gate(ctx, diffs, texts, level)
        yield from pragmas.excluded_in_pr(self, ctx)
        yield from self._totals(ctx, report, level)
        ctx.add_details(table(diffs))

    def _refused(self, ctx: CheckContext, names: list[str], what: str) -> Iterator[Finding]:
        for name in names:
            why = refusal(ctx.changes, name)
            if why is not None:
                inside = repo_path(name)
                yield self.finding(
                    "untrusted-report",
                    f"The {what} {name} is not used as evidence: {why}.",
                    path=inside,
                    evidence=f"{what} {name}",
                )

    def _read(self, ctx: CheckContext, names: list[str], mapper: Wanted) -> Report:
        report = Report()
        for name in names:
            path = ctx.changes.root / name
            if not path.is_file():
                raise CheckError(f"coverage report {name} not found at {path}; {HOW_TO}")
            try:
                read_report(path, mapper, report, sources=ctx.changes.text_at_head)
            except ReportError as exc:
                raise CheckError(f"{exc}; {HOW_TO}") from None
        if report.all_paths == 0:
            raise CheckError(
                f"the coverage report ({', '.join(names)}) lists no"
                f" files: did the tests run under coverage? {HOW_TO}"
            )
        return report

    def _stale(self, diffs: list[FileDiff]) -> Iterator[Finding]:
        for d in diffs:
            if d.stale:
                yield self.finding(
                    "stale-report",
                    f"The coverage report lists lines past the end"
                    f" of {d.path}: it was made from another version of the file.",
                    path=d.path,
                    evidence=d.path,
                )

    def _matches_nothing(
        self, targets: set[str], mapper: PathMapper, report: Report
    ) -> Iterator[Finding]:
        code = sorted(t for t in targets if PurePosixPath(t).suffix in CODE_SUFFIXES)
        if code and not mapper.matched:
            yield self.finding(
                "report-matches-nothing",
                f"None of the {len(code)} changed code files (e.g. {code[0]}) is in the coverage"
                f" report, whose paths look like {', '.join(report.sample_paths[:3])}.",
                evidence="matches-nothing",
            )

    def _diff_gate(
        self,
        ctx: CheckContext,
        diffs: list[FileDiff],
        texts: dict[str, str | None],
        level: Level | None,
    ) -> Iterator[Finding]:
        # a stale entry describes another version of the file: its lines mean nothing here,
        # so it is left out of the figures (its stale-report warning says so)
        diffs = [d for d in diffs if not d.stale]
        for d in diffs:
            lines = (texts.get(d.path) or "").splitlines()
            for start, end in ranges(d.missing):
                code = " ".join(x.strip() for x in lines[start - 1 : end])
                what = f"line {start}" if start == end else f"lines {start}-{end}"
                why = (
                    ": the file is not in the coverage report at all (no test imported it)"
                    if d.unimported
                    else ""
                )
                yield self.finding(
                    "uncovered-lines",
                    f"Changed {what} of {d.path} never ran under the tests{why}.",
                    path=d.path,
                    line=start,
                    end_line=end,
                    evidence=code,
                )
        groups = [
            (list(t["paths"]), Fraction(t["diff_min"])) for t in ctx.config.get("thresholds", ())
        ]
        groups.append((["**"], Fraction(ctx.config.get("diff_min", 80))))
        seen: set[str] = set()
        summary = ""
        for paths, minimum in groups:
            mine = [d for d in diffs if d.path not in seen and match_any(d.path, paths)]
            seen.update(d.path for d in mine)
            covered, measurable = (
                sum(len(d.covered) for d in mine),
                sum(len(d.measurable) for d in mine),
            )
            pct = percent(covered, measurable)
            scope = "" if paths == ["**"] else f" for {', '.join(paths)}"
            if paths == ["**"] or not summary:
                summary = (
                    f"diff coverage {show(pct)} ({covered}/{measurable} lines)"
                    if pct is not None
                    else "diff coverage n/a: no measurable line changed"
                )
            if pct is not None and pct < minimum:
                yield self.finding(
                    "diff-coverage-below",
                    f"Diff coverage{scope} is {show(pct)} ({covered} of"
                    f" {measurable} changed lines run), below the {show(minimum)} minimum.",
                    evidence=f"diff{scope}",
                    level=level,
                )
        ctx.set_summary(summary)

    def _totals(self, ctx: CheckContext, report: Report, level: Level | None) -> Iterator[Finding]:
        head_total = report.totals.percent
        total_min = ctx.config.get("total_min")
        if head_total is not None and total_min is not None and head_total < total_min:
            yield self.finding(
                "total-below",
                f"Total coverage is {show(head_total)}, below the"
                f" {show(Fraction(total_min))} minimum.",
                evidence="total",
                level=level,
            )
        max_drop = ctx.config.get("total_max_drop")
        if max_drop is None or head_total is None:
            return
        base_total, refused = self._base_total(ctx)
        yield from refused
        if base_total is None:
            # unknown is unknown: never a 0% that no drop could go below
            yield self.finding(
                "base-unknown",
                "No coverage report for the base commit"
                f" {ctx.changes.base[:12]} was found, so the change of total"
                " coverage is unknown.",
                evidence="base",
            )
            return
        ctx.set_summary(f"{ctx.summary}; total {show(head_total)} (base {show(base_total)})")
        if head_total < base_total - max_drop:
            yield self.finding(
                "total-drop",
                f"Total coverage fell from {show(base_total)} to {show(head_total)},"
                f" more than the {max_drop} points allowed.",
                evidence="total-drop",
                level=level,
            )

    def _base_total(self, ctx: CheckContext) -> tuple[float | None, list[Finding]]:
        """The base commit's total, from the first trustworthy base report found, and the
        refusals of any base figure the pull request could have planted."""
        root = ctx.changes.root
        candidates: list[str] = []
        if ctx.config.get("base_report"):
            candidates.append(ctx.config["base_report"])
        if ctx.config.get("cache_dir"):
            folder = PurePosixPath(ctx.config["cache_dir"]) / ctx.changes.base
            if exists(root, str(folder)):  # a planted folder (or link) is refused as such
                candidates.append(str(folder))
            candidates += [str(folder / PurePosixPath(n).name) for n in CONVENTIONAL]
        candidates = [c for c in candidates if repo_path(c) is None or exists(root, c)]
        refused = list(self._refused(ctx, candidates, "base coverage figure"))
        if refused:
            return None, refused
        for rel in candidates:
            path = root / rel
            if not path.is_file():
                continue
            try:
                return read_report(path, lambda *_: None).totals.percent, []
            except ReportError as exc:
                raise CheckError(f"base report: {exc}") from None
        return None, []
