"""The ``migrations`` check: reversible, proven by a roundtrip, and safe to deploy.

For each migration the change touches it reads the files statically (is there a down?
does it undo the up?), runs the chain on a scratch database (up, down, up, comparing
schemas as sets), reviews the added SQL and operations for locking and breaking changes,
and lints the changed SQL. Heavy tools are imported only when they are needed.

This module orchestrates and turns what the parts report into findings; the parts live
beside it: reversibility.py (is there a down, does it undo the up), safetyhits.py (the
safety rules' hits, per framework), reliefs.py (what relieves a drop or rename: unshipped
data, expand-contract, stop-first, after-deploy), rejected.py (syntax the file's own
database refuses), runs.py (the roundtrip) and lint.py (sqlfluff).
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from gatekeeper.changes.suppressions import TRUST_KEY, Marker, Suppressions
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError
from gatekeeper.checks.migrations import (
    details,
    detect,
    drizzle,
    efcore,
    emptytable,
    history,
    lint,
    mergedview,
    moves,
    precedent,
    pyops,
    rejected,
    reliefs,
    reversibility,
    review,
    roundtrip,
    runconfig,
    runs,
    safetyhits,
    sqlfolder,
    sqltext,
    sqlx,
    static,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DRIZZLE,
    SQLX,
    Migration,
)
from gatekeeper.checks.migrations.rules import RULES
from gatekeeper.checks.migrations.schema import CONFIG_SCHEMA
from gatekeeper.model import Finding, Level

#: said of a form SQLite refuses only on a table that holds rows
_WITH_ROWS = " on a table that holds rows"
#: what to do about an unclaimed SQL file: declare its folder a versioned SQL folder's
_UNRECOGNISED_SQL = (
    "If it is a migration, declare its folder in the policy: "
    '`checks.migrations.frameworks.sql-folder: ["<folder>/*.sql"]` for versioned SQL '
    "files run by the project's own code; if it is not one, list it in "
    "`checks.migrations.exclude`."
)
#: what to do about an unclaimed code file: no declaration turns a reader on for it
_UNRECOGNISED_CODE = (
    "The gate has no reader for {kind} files written this way, so no policy setting makes "
    "it review them: have a person review the migration, and if it is not one, list it in "
    "`checks.migrations.exclude`."
)


class MigrationsCheck(BaseCheck):
    """Migrations are reversible (proven on a real database) and safe to deploy."""

    id: ClassVar[str] = "migrations"
    title: ClassVar[str] = "Migrations"
    description: ClassVar[str] = (
        "Reversible migrations with a down that really undoes the up, and no locking or "
        "breaking schema changes outside an expand-contract plan."
    )
    rules = RULES
    config_schema: ClassVar[dict[str, Any]] = CONFIG_SCHEMA
    #: the roundtrip imports Alembic revisions; the static review runs none of the PR's code
    executes_pr_code: ClassVar[bool] = True
    safe_settings: ClassVar[Mapping[str, Any] | None] = {"roundtrip": "off"}

    def applies(self, ctx: CheckContext) -> bool:
        """True when a recognised migration changed, or a file under a migrations folder
        that no framework claims (named, so that it is not skipped in silence)."""
        changed = self._changed(ctx)
        return bool(changed) or bool(self._unclaimed(ctx, changed))

    def _unclaimed(self, ctx: CheckContext, changed: list[Migration]) -> list[str]:
        if ctx.config.get("frameworks"):
            # a framework the policy turns off (or confines) still claims its own files
            changed = detect.changed_migrations(ctx.changes, None, ctx.paths, ctx.exclude)
        claimed = {p for m in changed for p in (m.path, m.down_path) if p}
        found = sqlfolder.unclaimed(ctx.changes, claimed, ctx.paths, ctx.exclude)
        # EF Core's generated model files beside its migrations run nothing
        return [p for p in found if not efcore.generated(p, ctx.changes.text_at_head(p))]

    def _changed(self, ctx: CheckContext) -> list[Migration]:
        return detect.changed_migrations(
            ctx.changes, ctx.config.get("frameworks"), ctx.paths, ctx.exclude
        )

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Review every changed migration; findings sorted by place and rule."""
        changed = self._changed(ctx)
        findings: list[Finding] = []
        alembic_folders: set[str] = set()
        markers = Suppressions(
            ctx.changes,
            ctx.pr,
            trusted=bool(ctx.config.get(TRUST_KEY, False)),
            setting=f"checks.migrations.{TRUST_KEY}",
        )
        as_at_base = dataclasses.replace(ctx, changes=ctx.changes.renames_undone_at_base())
        for m in changed:
            ctx.check_time()
            released = ctx.config.get("history", "released") == "released"
            findings += history.history_findings(self, ctx.changes, m, released_only=released)
            findings += reversibility.at_head(self, ctx, m, markers)
            # an edited merged migration: what was already wrong with it is not new (a
            # moved one is read at base where it was, under the path its findings name)
            ctx.mark_existing_at_base(reversibility.findings(self, as_at_base, m, at_base=True))
            if ctx.config.get("safety", True):
                added = self._safety(ctx, m, changed, markers)
                # the whole file's review judges the same markers again: on its own count
                apart = dataclasses.replace(
                    markers, trusted_markers=[], approved_markers=[], reported_markers=[]
                )
                again = functools.partial(self._safety, m=m, changed=changed, markers=apart)
                findings += added + mergedview.edit_brought(self, ctx, m, added, again)
            findings += self._rejected(ctx, m, markers)
            if m.framework == ALEMBIC:
                alembic_folders.add(m.directory)
        for folder in sorted(alembic_folders):
            findings += self._alembic_graph(ctx, folder, changed)
        proven_on: dict[str, str] = {}
        if ctx.config.get("roundtrip", "auto") != "off":
            findings += self._roundtrip(ctx, changed, proven_on)
        overrides = lint.options(ctx.config.get("lint"), str(ctx.config.get("dialect", "postgres")))
        if overrides is not None:
            findings += self._lint(ctx, changed, overrides)
        unclaimed = self._unclaimed(ctx, changed)
        findings += [self._unrecognised(path) for path in unclaimed]
        result = sorted(set(findings), key=_order)
        if unclaimed and not changed:
            n = len(unclaimed)
            plural = "s" if n != 1 else ""
            ctx.set_summary(f"{n} file{plural} under migrations folders not recognised")
        if changed:
            engine = _shown_engine(str(ctx.config.get("roundtrip", "auto")), proven_on)
            deleted = {m.path for m in changed if ctx.changes.bytes_at_head(m.path) is None}
            django_off = (ctx.config.get("django") or {}).get("mode") == "off"
            skipped = frozenset(m.path for m in changed if django_off and m.framework == DJANGO)
            summary, table = details.render(changed, result, engine, deleted, skipped, proven_on)
            ctx.set_summary(summary)
            ctx.add_details(table)
        if markers.summary():
            ctx.add_details(markers.summary())
        return result

    def _safety(
        self, ctx: CheckContext, m: Migration, changed: list[Migration], markers: Suppressions
    ) -> list[Finding]:
        """The safety rules' hits of ``m`` (safetyhits.py) as findings: at the level its
        table's size gives each, relieved where reliefs.py says so, a marker the PR wrote
        judged."""
        changes = ctx.changes
        text = changes.text_at_head(m.path)
        if text is None:
            return []
        dialect = str(ctx.config.get("dialect", "postgres"))
        code_paths = tuple(ctx.config.get("code_paths", review.DEFAULT_CODE_PATHS))
        hits = safetyhits.framework_hits(changes, m, text, dialect, code_paths, changed)
        sizes = precedent.sizes(changes, ctx.config, dialect, m, hits)
        if not ctx.config.get("drop_after_copy", True):
            hits = [reliefs.refused(h) if h.relaxed == moves.RELAXED else h for h in hits]
        relief = reliefs.Reliefs(
            self,
            changes,
            m,
            changed,
            code_paths,
            stop_first=ctx.config.get("deploy", "rolling") == "stop-first",
            # asked once per migration, and only of a Django one that declares it
            after_deploy=m.framework == DJANGO and reliefs.after_deploy(changes, text),
        )
        out = []
        judged = (emptytable.relief(changes, m, h) for h in map(sizes.judge, hits))
        for hit in (reliefs.data_relief(changes, m, h) for h in judged):
            marker = None
            if hit.ignored_by:
                marker = Marker(hit.ignored_by, m.path, hit.ignore_span[0], hit.ignore_span)
                if markers.honours(marker):
                    continue
            relieved = relief.finding(hit)
            if relieved is not None:
                out.append(relieved)
                continue
            found = self.finding(
                hit.rule,
                hit.message,
                path=m.path,
                line=hit.line,
                evidence=hit.evidence,
                level=hit.level,
            )
            out.append(markers.mark(found, marker) if marker else found)
        return out

    def _rejected(self, ctx: CheckContext, m: Migration, markers: Suppressions) -> list[Finding]:
        """``syntax-rejected``: added statements the file's own database refuses to run
        (a ``gatekeeper:ignore syntax-rejected <reason>`` marker as for the safety rules)."""
        sides = static.sql_sides(ctx.changes, m) if m.is_sql else None
        if sides is None:
            return []
        out = []
        for path, text, first in (
            (m.path, sides.up, sides.up_line),
            (sides.down_path, sides.down, sides.down_line),
        ):
            if not path or not text:
                continue
            names = variants.folder_names(ctx.changes, posixpath.dirname(path))
            dialect = rejected.dialect_of(path, names)
            if not dialect and m.framework == SQLX:
                dialect = sqlx.rules_dialect(m.dialect)  # the crate's database
            if not dialect and m.framework == DRIZZLE:  # the merged config's database
                named = drizzle.config_database(ctx.changes, m.directory)
                dialect = rejected.drizzle_rules(named)
            if not dialect:
                continue
            statements = sqltext.split(text, first)
            for r in rejected.rejections(statements, dialect, ctx.changes.added_lines(path)):
                label = rejected.LABEL[r.dialect]
                marker = None
                if r.ignore_span:
                    said = "gatekeeper:ignore syntax-rejected"
                    marker = Marker(said, path, r.ignore_span[0], r.ignore_span)
                    if markers.honours(marker):
                        continue
                found = self.finding(
                    "syntax-rejected",
                    f"{label} rejects {r.what}{_WITH_ROWS if r.with_rows else ''} (line "
                    f"{r.line}: {r.statement}); {path} is "
                    f"written for {label}, so it fails on deploy. {label} accepts "
                    f"{r.accepted}.",
                    path=path,
                    line=r.line,
                    evidence=f"{r.dialect}:{r.what}:{r.statement}",
                )  # fmt: skip
                out.append(markers.mark(found, marker) if marker else found)
        return out

    def _unrecognised(self, path: str) -> Finding:
        """``unrecognised``: a file under a migrations folder no framework claims. The
        advice fits the file: a SQL file can be declared a versioned SQL folder's; for a
        code file (.js, .ts, .go...) no reader exists that a declaration could turn on."""
        said = (
            f"{path} is under a migrations folder, but no migration framework the gate "
            "knows claims it, so it was not reviewed (reversibility, safety, history)."
        )
        kind = posixpath.splitext(path)[1].lower()
        found = self.finding(
            "unrecognised",
            said,
            path=path,
            evidence=path,
            remedy=_UNRECOGNISED_SQL if kind == ".sql"
            else _UNRECOGNISED_CODE.format(kind=kind or "such"),
        )  # fmt: skip
        return dataclasses.replace(found, message=f"{said} {found.remedy}")

    def _roundtrip(
        self, ctx: CheckContext, changed: list[Migration], proven_on: dict[str, str]
    ) -> list[Finding]:
        settings = runconfig.Settings.read(ctx.config)
        where = runconfig.Where(
            ctx.changes, ctx.scratch / "migrations-roundtrip", ctx.remaining, ctx.check_time
        )
        outcome = runs.run_all(where, changed, settings)
        proven_on.update(outcome.engines)
        findings = [self._note(path, note) for path, note in outcome.notes]
        return findings + [self._problem(problem, label) for problem, label in outcome.problems]

    def _note(self, path: str, note: str) -> Finding:
        return self.finding(
            "roundtrip-other-dialect",
            f"Roundtrip of {path}: {note}.",
            path=path,
            evidence=note,
        )

    def _lint(
        self, ctx: CheckContext, changed: list[Migration], overrides: dict[str, Any]
    ) -> list[Finding]:
        explicit = isinstance(ctx.config.get("lint"), Mapping) and "dialect" in ctx.config["lint"]
        groups: dict[str, dict[str, tuple[str, str, frozenset[int]]]] = {}
        for m in changed:
            for path in (m.path, m.down_path):
                text = ctx.changes.text_at_head(path) if path and m.is_sql else None
                if not path or text is None:
                    continue
                # a per-database file is linted in its database's dialect
                own = variants.parse(posixpath.basename(path))
                where = str(overrides["dialect"])
                if own is not None and own.dialect and not explicit:
                    rules = variants.RULES_DIALECT[own.dialect]
                    where = lint.SQLFLUFF_DIALECT.get(rules, rules)
                groups.setdefault(where, {})[path] = (path, text, ctx.changes.added_lines(path))
        found: list[Finding] = []
        for dialect, files in sorted(groups.items()):
            try:
                linter = lint.SqlLinter({**overrides, "dialect": dialect})
            except ValueError as exc:
                raise CheckError(f"{exc}; fix checks.migrations.lint in the policy") from exc
            texts = {path: text.splitlines() for path, text, _ in files.values()}
            found += [
                self.finding(
                    "sql-lint",
                    f"sqlfluff {hit.code}: {hit.description}",
                    path=path,
                    line=hit.line,
                    evidence=f"{hit.code}:{hit.description}:{_line(texts[path], hit.line)}",
                )
                for path, hit in lint.lint_files(linter, [files[k] for k in sorted(files)])
            ]
        return found

    def _problem(self, problem: roundtrip.Problem, engine: str) -> Finding:
        if problem.failed or problem.leftover:
            # a round trip that held with functions left behind: the same rule, a warning
            return self.finding(
                "roundtrip-failed",
                f"Roundtrip of {problem.path} on {engine}: {problem.message}"
                + ("." if problem.leftover else ""),
                path=problem.path,
                line=None if problem.leftover else problem.line,
                evidence=problem.message,
                level=Level.WARNING if problem.leftover else None,
            )
        return self.finding(
            "roundtrip-not-run",
            f"Roundtrip of {problem.path} on {engine} not run: {problem.message}",
            path=problem.path,
            line=problem.line,
            evidence=problem.message,
        )

    def _alembic_graph(
        self, ctx: CheckContext, folder: str, changed: list[Migration]
    ) -> list[Finding]:
        sample = next(m for m in changed if m.framework == ALEMBIC and m.directory == folder)
        files = _revisions(ctx, sample, at_base=False)
        # heads the base already had are not this change's doing
        base_heads = len(static.heads(_revisions(ctx, sample, at_base=True)))
        paths = [m.path for m in changed if m.directory == folder and m.framework == ALEMBIC]
        return static.graph_findings(self, files, paths, base_heads)


def _revisions(
    ctx: CheckContext, sample: Migration, *, at_base: bool
) -> dict[str, pyops.AlembicFile]:
    read = ctx.changes.text_at_base if at_base else ctx.changes.text_at_head
    files: dict[str, pyops.AlembicFile] = {}
    for m in detect.chain(ctx.changes, sample, at_base=at_base):
        text = read(m.path)
        if text is None:
            continue
        try:
            files[m.path] = pyops.read_alembic(text, m.path)
        except pyops.MigrationSyntaxError:
            continue  # reported on its own when changed
    return files


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def _shown_engine(configured: str, proven_on: Mapping[str, str]) -> str:
    """The engine the summary names: under ``auto``, those the chains really ran on."""
    if configured != "auto":
        return configured
    used = sorted(set(proven_on.values())) or ["sqlite"]
    return " and ".join(used)


def _order(f: Finding) -> tuple[str, int, str, str]:
    loc = f.location
    return (loc.path if loc else "", (loc.start_line or 0) if loc else 0, f.rule, f.message)
