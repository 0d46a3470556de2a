"""The reversibility review of one migration: does it have a down, and does it undo the up?

:func:`findings` reads a migration at head (or at base, to tell what was already wrong
with an edited merged one) with its framework's reader (static.py for SQL, Rails,
Alembic and Django; nodemig, rubysql, godowns, liquibase, doctrine, laravel, ecto, efcore for
the others), weighed by its folder's habit of downs; :func:`at_head` judges a
``gatekeeper:irreversible`` marker the PR wrote (not honoured until a human approves).
A migration that cannot be read is a finding naming it: fail closed.
"""

from __future__ import annotations

import dataclasses

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.suppressions import Marker, Suppressions
from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.checks.migrations import (
    convention,
    djdata,
    doctrine,
    ecto,
    efcore,
    godowns,
    laravel,
    lbreview,
    liquibase,
    naming,
    nodefolder,
    nodemig,
    pyops,
    rails,
    railsops,
    review,
    rubysql,
    safetyhits,
    sqltext,
    static,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DOCTRINE,
    ECTO,
    EF_CORE,
    GO,
    LARAVEL,
    LIQUIBASE,
    NODE,
    RAILS,
    RUBY_SQL,
    Migration,
)
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.model import Finding, Level


def at_head(
    check: BaseCheck, ctx: CheckContext, m: Migration, markers: Suppressions
) -> list[Finding]:
    """The static review, with a ``gatekeeper:irreversible`` the PR wrote judged: not
    honoured (until a human approves), the findings it would turn into "irreversible"
    are reported as they are, marked."""
    found = findings(check, ctx, m)
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
    return [markers.mark(f, marker) for f in findings(check, ctx, m, honour_marker=False)]


def findings(
    check: BaseCheck,
    ctx: CheckContext,
    m: Migration,
    *,
    at_base: bool = False,
    honour_marker: bool = True,
) -> list[Finding]:
    """The reversibility findings of ``m`` as it is at head (or at base); a file that
    cannot be read as text is ``unreadable``."""
    changes = ctx.changes
    present = changes.bytes_at_base if at_base else changes.bytes_at_head
    if present(m.path) is None:
        return []  # deleted: history_findings said what there is to say
    text = (changes.text_at_base if at_base else changes.text_at_head)(m.path)
    if text is None:
        return [
            check.finding(
                "unreadable",
                f"{m.path} is binary, too large or in an encoding neither UTF-8 nor "
                "declared by a coding line; it was not reviewed.",
                path=m.path,
                evidence=m.path,
            )
        ]
    return _by_framework(check, ctx, m, text, at_base=at_base, honour_marker=honour_marker)


def _by_framework(
    check: BaseCheck,
    ctx: CheckContext,
    m: Migration,
    text: str,
    *,
    at_base: bool,
    honour_marker: bool,
) -> list[Finding]:
    """``m``'s text reviewed by its framework's reader."""
    changes = ctx.changes
    if m.reads_as_sql:
        sides = static.sql_sides(changes, m, at_base=at_base)
        assert sides is not None
        undone_by = static.undone_elsewhere(changes, m, sides, at_base=at_base)
        found = static.check_sql(check, sides, m, honour_marker=honour_marker, undone_by=undone_by)
        return found if at_base else _folder_habit(changes, m, found)
    if m.framework == RAILS:
        found = static.check_rails(check, m, text, honour_marker=honour_marker)
        return _rails_contract(ctx, m, text, found, at_base=at_base)
    if m.framework == NODE:
        habit = nodefolder.downs(changes, m.directory, m.path)
        return nodemig.check(check, m.path, text, honour_marker=honour_marker, habit=habit)
    if m.framework == RUBY_SQL:
        forward = rubysql.forward_only(changes, m.directory)
        return rubysql.check(check, m.path, text, forward=forward, honour_marker=honour_marker)
    if m.framework == GO:
        forward = godowns.forward_only(safetyhits.merged_go(changes, m))
        return godowns.check(check, m.path, text, honour_marker=honour_marker, forward=forward)
    if m.framework == LIQUIBASE:
        return [] if at_base else _liquibase_review(check, ctx, m, text)
    if m.framework == DOCTRINE:
        habit = Downs(*doctrine.downs(changes, m.directory, m.path))
        earlier = set() if at_base else doctrine.made_in_change(changes, m.path)
        return doctrine.check(
            check, m.path, text, habit, honour_marker=honour_marker, earlier=earlier
        )
    if m.framework == LARAVEL:
        habit = Downs(*laravel.downs(changes, m.directory, m.path))
        earlier = set() if at_base else laravel.made_in_change(changes, m.path)
        return laravel.check(
            check, m.path, text, habit, honour_marker=honour_marker, earlier=earlier
        )
    if m.framework == EF_CORE:
        habit = efcore.downs(changes, m.directory, m.path)
        rules = efcore.dialect(changes, m.directory, str(ctx.config.get("dialect", "postgres")))
        earlier = set() if at_base else efcore.made_in_change(changes, m.path)
        return efcore.check(
            check, m.path, text, habit, honour_marker=honour_marker, dialect=rules, earlier=earlier
        )
    if m.framework == ECTO:
        return _ecto_review(check, changes, m, text, at_base=at_base, honour_marker=honour_marker)
    try:
        if m.framework == ALEMBIC:
            info = pyops.read_alembic(text, m.path)
            return static.check_alembic(
                check,
                m,
                text,
                info,
                honour_marker=honour_marker,
                conventions=naming.conventions(changes),
                dialect=str(ctx.config.get("dialect", "postgres")),
            )
        assert m.framework == DJANGO
        calls = pyops.read_django(text, m.path)
        earlier = set() if at_base else djdata.made_in_change(changes, m.path)
        return static.check_django(
            check, m, text, calls, honour_marker=honour_marker, earlier=earlier
        )
    except pyops.MigrationSyntaxError as exc:
        return [_unreadable(check, m.path, f"is not valid Python: {exc}", exc.line)]


def _ecto_review(
    check: BaseCheck,
    changes: ChangeSet,
    m: Migration,
    text: str,
    *,
    at_base: bool,
    honour_marker: bool,
) -> list[Finding]:
    """An Ecto migration's down side (ecto.check), weighed by its folder's habit."""
    habit = Downs() if at_base else ecto.downs(changes, m.directory, m.path)
    reason = sqltext.irreversible_reason(text) if honour_marker else None
    return ecto.check(check, m.path, text, habit, irreversible=reason)


def _folder_habit(changes: ChangeSet, m: Migration, found: list[Finding]) -> list[Finding]:
    """A missing or empty down where the folder, as merged, rarely or mostly has no
    working down (convention.py): none expected, or a warning."""
    rules = ("missing-down", "empty-down")
    if not any(f.rule in rules and f.level is Level.ERROR for f in found):
        return found
    return convention.downs(changes, m).weigh(found)


def _rails_contract(
    ctx: CheckContext, m: Migration, text: str, found: list[Finding], *, at_base: bool
) -> list[Finding]:
    """A Rails ``def up`` without a down, or a ``def change`` Rails cannot reverse, that
    only contracts (railsops): missing-down or down-incomplete is a warning saying why.
    A ``def change`` of typeless ``remove_column`` calls on columns the model ignored at
    base is human-essentials' clean-up of fields unused since 2022: its rollback raises,
    and has nothing to give back."""
    methods = rails.methods(text)
    if at_base:
        return found
    if methods.get("up") is not None and any(f.rule == "missing-down" for f in found):
        rule, body, side = "missing-down", methods["up"], "up"
    elif methods.get("change") is not None and any(f.rule == "down-incomplete" for f in found):
        rule, body, side = "down-incomplete", methods["change"], "change"
    else:
        return found
    code_paths = tuple(ctx.config.get("code_paths", review.DEFAULT_CODE_PATHS))
    why = railsops.contract_step(ctx.changes, body, code_paths)
    if why is None:
        return found
    return [
        dataclasses.replace(
            f,
            level=Level.WARNING,
            message=f"{f.message} The {side} only {why}: the contract step of an "
            "expand-contract plan, with nothing a rollback needs back (a warning).",
        )
        if f.rule == rule
        else f
        for f in found
    ]


def _unreadable(check: BaseCheck, path: str, what: str, line: int | None) -> Finding:
    """``syntax-error``: a migration the gate could not read, so did not review."""
    where = f" (line {line})" if line else ""
    return check.finding(
        "syntax-error",
        f"{path} {what}{where}; it was not reviewed.",
        path=path,
        line=line,
        evidence=path,
    )


def _liquibase_review(
    check: BaseCheck, ctx: CheckContext, m: Migration, text: str
) -> list[Finding]:
    """A changelog that cannot be read is a finding naming it (fail closed); else its
    new changesets' reversibility."""
    try:
        log = liquibase.parse(m.path, text)
    except liquibase.ChangelogError as exc:
        return [
            _unreadable(check, m.path, f"is not a readable Liquibase changelog: {exc}", exc.line)
        ]
    new = [cs for cs, fresh in safetyhits.changesets(ctx.changes, m, log) if fresh]
    forward = lbreview.forward_only(ctx.changes, m.path)
    return lbreview.check(check, m.path, new, forward)
