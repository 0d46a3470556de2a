"""The ``migrations`` check: reversible, proven by a roundtrip, and safe to deploy.

For each migration the change touches it reads the files statically (is there a down?
does it undo the up?), runs the chain on a scratch database (up, down, up, comparing
schemas as sets), reviews the added SQL and operations for locking and breaking changes,
and lints the changed SQL. Heavy tools are imported only when they are needed.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.suppressions import TRUST_KEY, Marker, Suppressions
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError
from gatekeeper.checks.migrations import (
    convention,
    details,
    detect,
    doctrine,
    drizzle,
    ecto,
    ectoops,
    godowns,
    gohits,
    gomig,
    gosteps,
    history,
    laravel,
    lbreview,
    leftover,
    lint,
    liquibase,
    moves,
    mviews,
    naming,
    nodefolder,
    nodemig,
    precedent,
    pyops,
    rails,
    railsops,
    rejected,
    review,
    roundtrip,
    rubysql,
    runconfig,
    runs,
    safety,
    sqlfolder,
    sqltext,
    sqlx,
    static,
    tables,
    unshipped,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DOCTRINE,
    DRIZZLE,
    ECTO,
    GO,
    LARAVEL,
    LIQUIBASE,
    NODE,
    RAILS,
    RUBY_SQL,
    SQLX,
    Migration,
)
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.rules import RULES
from gatekeeper.checks.migrations.schema import CONFIG_SCHEMA
from gatekeeper.model import Finding, Level

#: what to do about an unclaimed SQL file: declare its folder a versioned SQL folder's
#: what old code breaks on while it runs beside the new schema: relieved, for the
#: names no code at head reads, where the application is stopped before it migrates
#: said of a form SQLite refuses only on a table that holds rows
_WITH_ROWS = " on a table that holds rows"
STOP_FIRST_RULES = frozenset({"drop-column", "drop-table", "rename-column", "rename-table"})
#: what a migration held back until after the deploy makes safe: a drop, once no code reads
#: the name (a rename is not: the new code would read the new name before it exists)
AFTER_DEPLOY_RULES = frozenset({"drop-column", "drop-table"})
#: why no old code meets the schema of a drop whose readers the PR removes
_STOPPED = "the application is stopped before it migrates (checks.migrations.deploy: stop-first)"
_AFTER_THE_DEPLOY = (
    "the migration runs only after that code is deployed (django-safemigrate's Safe.after_deploy())"
)
#: django-safemigrate's declaration that a migration runs after the code is deployed
_AFTER_DEPLOY = re.compile(r"(?m)^[ \t]+safe[ \t]*=[ \t]*Safe\.after_deploy\b")
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
        return sqlfolder.unclaimed(ctx.changes, claimed, ctx.paths, ctx.exclude)

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
            findings += self._reviewed_at_head(ctx, m, markers)
            # an edited merged migration: what was already wrong with it is not new (a
            # moved one is read at base where it was, under the path its findings name)
            ctx.mark_existing_at_base(self._review(as_at_base, m, at_base=True))
            if ctx.config.get("safety", True):
                findings += self._safety(ctx, m, changed, markers)
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

    def _reviewed_at_head(
        self, ctx: CheckContext, m: Migration, markers: Suppressions
    ) -> list[Finding]:
        """The static review, with a ``gatekeeper:irreversible`` the PR wrote judged: not
        honoured (until a human approves), the findings it would turn into "irreversible"
        are reported as they are, marked."""
        found = self._review(ctx, m)
        if not any(f.rule == "irreversible" for f in found):
            return found
        text = ctx.changes.text_at_head(m.path) or ""
        down = ctx.changes.text_at_head(m.down_path) if m.down_path else None
        path, line = m.path, sqltext.irreversible_line(text)
        if line is None and down is not None:
            path, line = m.down_path or m.path, sqltext.irreversible_line(down)
        if line is None and m.framework in (RAILS, DOCTRINE):
            return found  # declared by the code itself (raise IrreversibleMigration)
        text_of_marker = "gatekeeper:irreversible"
        if line is None and m.framework == ALEMBIC:
            # declared by the downgrade's own NotImplementedError message: a statement the
            # PR wrote like any marker, so it needs the same approval; the finding carries
            # the line of its ``def downgrade``
            declared = next(f for f in found if f.rule == "irreversible")
            text_of_marker = "raise NotImplementedError(...)"
            line = declared.location.start_line if declared.location else None
        marker = Marker(text_of_marker, path, line or 1)
        if markers.honours(marker):
            return found
        return [markers.mark(f, marker) for f in self._review(ctx, m, honour_marker=False)]

    def _review(
        self,
        ctx: CheckContext,
        m: Migration,
        *,
        at_base: bool = False,
        honour_marker: bool = True,
    ) -> list[Finding]:
        changes = ctx.changes
        present = changes.bytes_at_base if at_base else changes.bytes_at_head
        if present(m.path) is None:
            return []  # deleted: history_findings said what there is to say
        text = (changes.text_at_base if at_base else changes.text_at_head)(m.path)
        if text is None:
            return [
                self.finding(
                    "unreadable",
                    f"{m.path} is binary, too large or in an encoding neither UTF-8 nor "
                    "declared by a coding line; it was not reviewed.",
                    path=m.path,
                    evidence=m.path,
                )
            ]
        if m.is_sql:
            sides = static.sql_sides(changes, m, at_base=at_base)
            assert sides is not None
            undone_by = static.undone_elsewhere(changes, m, sides, at_base=at_base)
            found = static.check_sql(
                self, sides, m, honour_marker=honour_marker, undone_by=undone_by
            )
            return found if at_base else self._folder_habit(changes, m, found)
        if m.framework == RAILS:
            found = static.check_rails(self, m, text, honour_marker=honour_marker)
            return self._rails_contract(ctx, m, text, found, at_base=at_base)
        if m.framework == NODE:
            habit = nodefolder.downs(changes, m.directory, m.path)
            return nodemig.check(self, m.path, text, honour_marker=honour_marker, habit=habit)
        if m.framework == RUBY_SQL:
            forward = rubysql.forward_only(changes, m.directory)
            return rubysql.check(self, m.path, text, forward=forward, honour_marker=honour_marker)
        if m.framework == GO:
            forward = godowns.forward_only(_merged_go(changes, m))
            return godowns.check(self, m.path, text, honour_marker=honour_marker, forward=forward)
        if m.framework == LIQUIBASE:
            return [] if at_base else self._liquibase_review(ctx, m, text)
        if m.framework == DOCTRINE:
            habit = Downs(*doctrine.downs(changes, m.directory, m.path))
            earlier = set() if at_base else doctrine.made_in_change(changes, m.path)
            return doctrine.check(
                self, m.path, text, habit, honour_marker=honour_marker, earlier=earlier
            )
        if m.framework == LARAVEL:
            habit = Downs(*laravel.downs(changes, m.directory, m.path))
            earlier = set() if at_base else laravel.made_in_change(changes, m.path)
            return laravel.check(
                self, m.path, text, habit, honour_marker=honour_marker, earlier=earlier
            )
        if m.framework == ECTO:
            return self._ecto_review(changes, m, text, at_base=at_base, honour_marker=honour_marker)
        try:
            if m.framework == ALEMBIC:
                info = pyops.read_alembic(text, m.path)
                named = naming.conventions(changes)
                dialect = str(ctx.config.get("dialect", "postgres"))
                return static.check_alembic(
                    self,
                    m,
                    text,
                    info,
                    honour_marker=honour_marker,
                    conventions=named,
                    dialect=dialect,
                )
            assert m.framework == DJANGO
            calls = pyops.read_django(text, m.path)
            return static.check_django(self, m, text, calls, honour_marker=honour_marker)
        except pyops.MigrationSyntaxError as exc:
            return [self._unreadable(m.path, f"is not valid Python: {exc}", exc.line)]

    def _ecto_review(
        self, changes: ChangeSet, m: Migration, text: str, *, at_base: bool, honour_marker: bool
    ) -> list[Finding]:
        """An Ecto migration's down side (ecto.check), weighed by its folder's habit."""
        habit = Downs() if at_base else ecto.downs(changes, m.directory, m.path)
        reason = sqltext.irreversible_reason(text) if honour_marker else None
        return ecto.check(self, m.path, text, habit, irreversible=reason)

    def _folder_habit(
        self, changes: ChangeSet, m: Migration, found: list[Finding]
    ) -> list[Finding]:
        """A missing or empty down where the folder, as merged, rarely or mostly has no
        working down (convention.py): none expected, or a warning."""
        rules = ("missing-down", "empty-down")
        if not any(f.rule in rules and f.level is Level.ERROR for f in found):
            return found
        return convention.downs(changes, m).weigh(found)

    def _rails_contract(
        self, ctx: CheckContext, m: Migration, text: str, found: list[Finding], *, at_base: bool
    ) -> list[Finding]:
        """A Rails ``def up`` without a down that only contracts (railsops): missing-down
        is a warning saying why."""
        up = rails.methods(text).get("up")
        if at_base or up is None or not any(f.rule == "missing-down" for f in found):
            return found
        code_paths = tuple(ctx.config.get("code_paths", review.DEFAULT_CODE_PATHS))
        why = railsops.contract_step(ctx.changes, up, code_paths)
        if why is None:
            return found
        return [
            dataclasses.replace(
                f,
                level=Level.WARNING,
                message=f"{f.message} The up only {why}: the contract step of an "
                "expand-contract plan, with nothing a rollback needs back (a warning).",
            )
            if f.rule == "missing-down"
            else f
            for f in found
        ]

    def _safety(
        self, ctx: CheckContext, m: Migration, changed: list[Migration], markers: Suppressions
    ) -> list[Finding]:
        changes = ctx.changes
        text = changes.text_at_head(m.path)
        if text is None:
            return []
        dialect = str(ctx.config.get("dialect", "postgres"))
        code_paths = tuple(ctx.config.get("code_paths", review.DEFAULT_CODE_PATHS))
        hits = _framework_hits(changes, m, text, dialect, code_paths, changed)
        sizes = tables.Sizes.read(ctx.config)
        if sizes.listed is None and dialect == "postgres":
            folder = m.directory
            sizes = dataclasses.replace(
                sizes, indexed_concurrently=precedent.concurrent_tables(changes, folder)
            )
        if not ctx.config.get("drop_after_copy", True):
            hits = [_refused(h) if h.relaxed == moves.RELAXED else h for h in hits]
        contract: bool | None = None
        # asked once per migration, and only of a Django one that declares it
        after_deploy = m.framework == DJANGO and _after_deploy(changes, text)
        out = []
        for hit in (self._unshipped(changes, m, h) for h in map(sizes.judge, hits)):
            if hit.ignored_by:
                marker = Marker(hit.ignored_by, m.path, hit.ignore_span[0], hit.ignore_span)
                if markers.honours(marker):
                    continue
            if hit.target and contract is None:
                contract = review.no_code_changed(changes, changed, code_paths)
            if hit.target and contract and not _still_read(changes, hit, code_paths):
                out.append(self._contract(m.path, hit))
                continue
            if (
                hit.target
                and hit.rule in STOP_FIRST_RULES
                and ctx.config.get("deploy", "rolling") == "stop-first"
                and not _still_read(changes, hit, code_paths, at_head=True)
            ):
                out.append(self._unread(m.path, hit, _STOPPED))
                continue
            if (
                hit.target
                and hit.rule in AFTER_DEPLOY_RULES
                and after_deploy
                and not _still_read(changes, hit, code_paths, at_head=True)
            ):
                out.append(self._unread(m.path, hit, _AFTER_THE_DEPLOY))
                continue
            found = self.finding(
                hit.rule,
                hit.message,
                path=m.path,
                line=hit.line,
                evidence=hit.evidence,
                level=hit.level,
            )
            if hit.ignored_by:
                found = markers.mark(found, marker)
            out.append(found)
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

    def _unreadable(self, path: str, what: str, line: int | None) -> Finding:
        """``syntax-error``: a migration the gate could not read, so did not review."""
        where = f" (line {line})" if line else ""
        return self.finding(
            "syntax-error",
            f"{path} {what}{where}; it was not reviewed.",
            path=path,
            line=line,
            evidence=path,
        )

    def _liquibase_review(self, ctx: CheckContext, m: Migration, text: str) -> list[Finding]:
        """A changelog that cannot be read is a finding naming it (fail closed); else its
        new changesets' reversibility."""
        try:
            log = liquibase.parse(m.path, text)
        except liquibase.ChangelogError as exc:
            return [
                self._unreadable(m.path, f"is not a readable Liquibase changelog: {exc}", exc.line)
            ]
        new = [cs for cs, fresh in _changesets(ctx.changes, m, log) if fresh]
        forward = lbreview.forward_only(ctx.changes, m.path)
        return lbreview.check(self, m.path, new, forward)

    def _unshipped(self, changes: ChangeSet, m: Migration, hit: Hit) -> Hit:
        """A drop on a table no release has shipped (unshipped.py), or of a leftover the
        migration then creates (leftover.py), is a warning."""
        if hit.rule not in unshipped.DATA_RULES or hit.level is Level.WARNING or not hit.target:
            return hit
        if hit.rule == "drop-table" and leftover.leftover(changes, m, hit.target[0], hit.line):
            return dataclasses.replace(
                hit,
                level=Level.WARNING,
                message=f"{hit.message} No merged migration of the folder creates or names "
                f"{hit.target[0]}, and this one creates it next: the drop only clears a "
                "leftover (a warning).",
            )
        if hit.rule == "drop-table" and mviews.recreated_view(changes, m, hit.target[0], hit.line):
            return dataclasses.replace(
                hit,
                level=Level.WARNING,
                message=f"{hit.message} It is a materialized view writing to another table, "
                "which the merged migrations created and this one creates again: no rows are "
                "lost, only inserts between the two statements miss it (a warning).",
            )
        found = unshipped.unshipped_since(changes, m, hit.target[0])
        if found is None:
            return hit
        tag, path = found
        return dataclasses.replace(
            hit,
            level=Level.WARNING,
            message=f"{hit.message} No released database holds it: {hit.target[0]} was "
            f"created by {path}, merged since the newest release ({tag}).",
        )

    def _unread(self, path: str, hit: Hit, why: str) -> Finding:
        """A drop or rename whose readers the PR removes, where ``why`` says no old code
        meets the new schema: the application is stopped before it migrates (``deploy:
        stop-first``), or django-safemigrate runs the migration after the deploy."""
        return self.finding(
            hit.rule,
            f"{hit.message} No code at head reads {hit.target[-1]!r} any more, and {why}, "
            "so no running code meets the new schema (a warning).",
            path=path,
            line=hit.line,
            evidence=hit.evidence,
            level=Level.WARNING,
        )

    def _contract(self, path: str, hit: Hit) -> Finding:
        what = ".".join(hit.target)
        return self.finding(
            "expand-contract",
            f"{hit.message} Recognised as an expand-contract step: the PR changes only "
            f"migrations and the code no longer mentions {hit.target[-1]!r}.",
            path=path,
            line=hit.line,
            evidence=f"{hit.rule}:{what}",
        )

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
        if problem.failed:
            return self.finding(
                "roundtrip-failed",
                f"Roundtrip of {problem.path} on {engine}: {problem.message}",
                path=problem.path,
                line=problem.line,
                evidence=problem.message,
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


def _node_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Node migration's hits, judged in the database a merged drizzle config names for
    its folder when one does (else the policy's)."""
    rules = variants.RULES_DIALECT.get(drizzle.config_dialect(changes, m.directory), dialect)
    node = nodemig.read(text)
    merged = None
    if node.library == nodemig.KNEX and ".alter(" in text:
        earlier = [
            e.path for e in detect.chain(changes, m, at_base=True)
            if (detect.sort_key(e), e.path) < (detect.sort_key(m), m.path)
        ]  # fmt: skip
        merged = nodemig.merged_columns(changes.text_at_base(p) or "" for p in earlier)
    found = nodemig.hits(
        node,
        rules,
        changes.added_lines(m.path),
        lambda statements, in_tx: safety.review(
            statements, rules, in_transaction=in_tx, wrapped=in_tx, lock_timeout_rule=False
        ),
        merged,
    )
    if rules == "postgres" and any(h.new_type for h in found):
        found = review.typed(found, nodefolder.types_before(changes, m, node))
    return found


def _go_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Go migration's hits, in each dialect its package (as merged) is written for; an
    xorm step's SQL for one database (gohits.dialect_branches) in that one's alone."""
    go = gomig.read(text)
    if go is None:
        return []
    hits: list[Hit] = []
    named = gosteps.dialect_of(m.path) if go.library == gomig.STEPS else None
    added = changes.added_lines(m.path)
    # an xorm step's branches for one database (``case schemas.SQLITE:``) in its dialect
    own: dict[str, frozenset[int]] = {}
    branches = gohits.dialect_branches(go) if gomig.xorm_step(m.path, text) else []
    for first, last, rules in branches:
        own[rules] = own.get(rules, frozenset()) | frozenset(range(first, last + 1))
    elsewhere = added.difference(*own.values())
    dialects = [named] if named else gohits.dialects(_merged_go(changes, m), dialect)
    passes = [(rules, elsewhere) for rules in dialects]
    for rules, lines in passes + [(r, added & own[r]) for r in sorted(own)]:
        found = gohits.hits(go, lines, _sql_review(rules))
        hits += [h for h in found if h not in hits]
    return hits


def _doctrine_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """A Doctrine migration's hits in its database (doctrine.dialect); a table dropped
    after a merged migration moved its rows out is told so (doctrine.moved_out)."""
    d = doctrine.read(text)
    rules = doctrine.dialect(changes, d, dialect)
    review_sql = _sql_review(rules)
    found = doctrine.hits(d, rules, changes.added_lines(m.path), review_sql)
    return [doctrine.moved_out(changes, m.path, h) for h in found]


def _ruby_hits(
    changes: ChangeSet,
    m: Migration,
    text: str,
    dialect: str,
    code_paths: tuple[str, ...],
    changed: list[Migration],
) -> list[Hit]:
    """The SQL strings a Ruby migration runs, in the project's database. Of a Rails
    migration (reviewed for reversibility, its ActiveRecord calls for the drops and
    renames any database suffers, railsops) only the MySQL table rebuilds its ``execute``
    strings ask for, and on PostgreSQL its index builds without ``algorithm:
    :concurrently``."""
    rules = rubysql.dialect(changes, dialect)
    added = changes.added_lines(m.path)
    drops = railsops.changed_drops(changes, m, code_paths, changed) if m.framework == RAILS else []
    if m.framework == RAILS and rules == "postgres":
        return railsops.index_hits(text, added) + drops
    if m.framework == RAILS and rules not in ("mysql", "mariadb"):
        return drops
    review_sql = _sql_review(rules)
    found = rubysql.hits(text, added, lambda s: review_sql(s, False))
    if m.framework == RAILS:
        return [h for h in found if h.rule == "table-rebuild"] + drops
    return found


def _merged_go(changes: ChangeSet, m: Migration) -> list[str]:
    """The texts of the Go files of ``m``'s folder as merged (read once per run)."""
    folder = posixpath.dirname(m.path)

    def read() -> list[str]:
        return [
            changes.text_at_base(p) or ""
            for p in changes.base_paths((f"{folder}/*.go" if folder else "*.go",))
            if posixpath.dirname(p) == folder
        ]

    return changes.fact(f"merged-go:{folder}", read)


def _changesets(
    changes: ChangeSet, m: Migration, log: liquibase.Changelog
) -> list[tuple[liquibase.ChangeSet, bool]]:
    """The changelog's changesets with whether each is new (absent from the merged file,
    or the file new): what the PR adds."""
    base = changes.text_at_base(changes.base_path_of(m.path))
    known: set[tuple[str, str]] = set()
    if base is not None:
        try:
            known = {cs.key for cs in liquibase.parse(m.path, base).changesets}
        except liquibase.ChangelogError:
            known = set()  # the merged file was unreadable: all of it is judged
    return [(cs, cs.key not in known) for cs in log.changesets]


def _liquibase_hits(changes: ChangeSet, m: Migration, text: str, dialect: str) -> list[Hit]:
    """The new changesets' hits (an edited merged one: its added lines)."""
    try:
        log = liquibase.parse(m.path, text)
    except liquibase.ChangelogError:
        return []  # reported by the review
    created: set[str] = set()

    def review_sql(statements: list[sqltext.Statement], rules: str, in_tx: bool) -> list[Hit]:
        return safety.review(
            statements, rules, in_transaction=in_tx, wrapped=in_tx, created=created
        )

    def read_file(change: liquibase.Change) -> str | None:
        name = change.attrs.get("path", "")
        if change.attrs.get("relativeToChangelogFile", "").lower() == "true":
            name = posixpath.normpath(posixpath.join(posixpath.dirname(m.path), name))
        return changes.text_at_head(name) if name else None

    return lbreview.hits(
        _changesets(changes, m, log), dialect, changes.added_lines(m.path), review_sql, read_file
    )


def _sql_review(rules: str) -> gohits.SqlReview:
    """The SQL review of one migration written in code (Go, Ruby, PHP, Elixir) in one
    dialect; the tables its SQL creates are remembered across its literals (an index on a
    new table locks nothing). As for Python and Node migrations, ``missing-lock-timeout``
    is not asked: the framework's connection setup sets the session's timeouts, out of
    the diff's sight, and a warning on every such migration would be noise."""
    created: set[str] = set()

    def review_sql(statements: list[sqltext.Statement], in_tx: bool) -> list[Hit]:
        return safety.review(
            statements,
            rules,
            in_transaction=in_tx,
            wrapped=in_tx,
            created=created,
            lock_timeout_rule=False,
        )

    return review_sql


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


def _framework_hits(
    changes: ChangeSet,
    m: Migration,
    text: str,
    dialect: str,
    code_paths: tuple[str, ...],
    changed: list[Migration],
) -> list[Hit]:
    """The safety rules' hits of one migration, read as its framework writes it."""
    if m.framework in (RAILS, RUBY_SQL):
        hits = _ruby_hits(changes, m, text, dialect, code_paths, changed)
    elif m.framework == NODE:
        hits = _node_hits(changes, m, text, dialect)
    elif m.framework == GO:
        hits = _go_hits(changes, m, text, dialect)
    elif m.framework == LIQUIBASE:
        hits = _liquibase_hits(changes, m, text, dialect)
    elif m.framework == DOCTRINE:
        hits = _doctrine_hits(changes, m, text, dialect)
    elif m.framework == LARAVEL:
        rules = laravel.dialect(changes, dialect)
        hits = laravel.hits(
            laravel.read(text), rules, changes.added_lines(m.path), _sql_review(rules)
        )
    elif m.framework == ECTO:
        rules = ectoops.dialect(changes, dialect)
        review_sql = _sql_review(rules)
        hits = ectoops.hits(text, changes.added_lines(m.path), review_sql)
    elif m.is_sql:
        # a per-database file in its database's dialect; a generic file beside such
        # files in the dialect of each database that runs it
        runners = detect.databases(changes, m, variants.from_policy(dialect))
        earlier = review.new_before(changes, m, changed)
        hits = []
        for runner in runners:
            rules = variants.FOLDER_RULES.get(runner, dialect)
            hits += [h for h in review.sql_hits(changes, m, rules, earlier) if h not in hits]
    else:
        # one Alembic chain per database (``versions/postgresql/``, ``versions/sqlite/``)
        # is judged in its folder's dialect, like per-database SQL files; only a folder
        # merged before, so a PR cannot name a new one to leave PostgreSQL's rules
        folder = variants.folder_dialect(m.path)
        merged = folder and variants.folder_names(changes, posixpath.dirname(m.path), at_base=True)
        rules = variants.FOLDER_RULES.get(folder, dialect) if merged else dialect
        hits = review.python_hits(changes, m, text, rules)
    return hits


def _after_deploy(changes: ChangeSet, text: str) -> bool:
    """Whether a Django migration declares ``safe = Safe.after_deploy()`` in a project that
    used django-safemigrate before the change (its deploy then runs such migrations only
    after the new code is out; a PR cannot bring the tool in to relax its own drop)."""
    if not _AFTER_DEPLOY.search(text):
        return False
    return bool(changes.base_files_containing(["django_safemigrate"], ("*.py",)))


def _still_read(
    changes: ChangeSet, hit: Hit, code_paths: tuple[str, ...], *, at_head: bool = False
) -> bool:
    """Whether code reads a dropped name: a word of it, or for a table the ActiveRecord
    model class Rails maps to it (a model names no table)."""
    name = hit.target[-1]
    model = review.model_class(name) if len(hit.target) == 1 else ""
    return review.still_used(changes, [name], code_paths, at_head=at_head, model=model)


def _refused(hit: Hit) -> Hit:
    """A drop after a copy, as the policy wants it: an error all the same."""
    message = f"{hit.message} The policy blocks it all the same (drop_after_copy: false)."
    return dataclasses.replace(hit, level=None, message=message, relaxed="")


def _order(f: Finding) -> tuple[str, int, str, str]:
    loc = f.location
    return (loc.path if loc else "", (loc.start_line or 0) if loc else 0, f.rule, f.message)
