"""An edited merged migration, judged for what the edit changed: its merged version's
hazards are not new, and what the edit changed without adding a line is.

A migration merged but in no release yet may still be edited (not a history rewrite). The
safety review then reads the whole statement, call or block the edit touches, so a fix to
one clause of a multi-clause ``ALTER TABLE``, or a drop moved below the backfill that must
precede it, reports again every drop the merged file already had, and blocks on what the
pull request did not bring. :func:`merged_version` gives the change as if it had added the
merged version whole (read at base, the head's renames undone); its safety findings that
are errors are marked as existing at base, so that many identical head findings (same
rule, path and evidence) count as pre-existing. A hazard the edit adds, or one the merged
version's context relieved and the edit no longer does, has no twin at base and still
counts.

The review of added lines alone misses an edit that changes what unchanged statements
mean: the copy ``UPDATE t SET b = a`` moved below the untouched ``DROP COLUMN a`` (or
deleted), a ``BEGIN`` moved above an untouched ``CREATE INDEX CONCURRENTLY``, a deleted
``NOT VALID`` or ``CONCURRENTLY`` line, a ``transaction:false``, ``atomic = False`` or
``disable_ddl_transaction!`` removed. :func:`edit_brought` therefore also reviews the
head file whole (:func:`whole_at_head`) and keeps the errors there that neither the added
lines' review reported nor the merged version had, at the same level, the same number of
times: a statement the edit left alone and whose context it did not change reports
nothing, as before. Not for a Liquibase changelog: one file holds many migrations, whose
new changesets are judged apart already (an old changeset retyping a column must not
excuse a new one).
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import Counter
from collections.abc import Callable

from gatekeeper.changes import ChangedFile, ChangeSet, FileStatus
from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.checks.migrations import (
    precedent,
    reliefs,
    renamed,
    review,
    safetyhits,
    sqltext,
)
from gatekeeper.checks.migrations.detect import LIQUIBASE, Migration
from gatekeeper.model import Finding, Level

#: the rule of a statement no parser read
UNREAD = "unreviewed-statement"
#: the safety review of one migration in a given context (the check's own)
SafetyReview = Callable[[CheckContext], list[Finding]]


def merged_version(
    changes: ChangeSet, m: Migration, *, renumbered: bool = False
) -> ChangeSet | None:
    """The change as if it added ``m``'s merged version whole, everything else read as
    merged; None when ``m`` is new (or its merged version unreadable). A merged file under
    another migration's name counts only when ``renumbered`` (it runs the same)."""
    f = changes.get(m.path)
    if f is None or (f.old_path and not renumbered and not same_migration(f.old_path, m.path)):
        return None  # new, or a merged one under another name: a new migration
    undone = changes.renames_undone_at_base()
    text = undone.text_at_base(m.path)
    if text is None:
        return None
    whole = ChangedFile(m.path, FileStatus.ADDED, added=((1, text.count("\n") + 1),))
    return dataclasses.replace(undone, head_tree=undone.base_tree, files=(whole,))


def same_migration(old: str, new: str) -> bool:
    """Whether a file the change moved from ``old`` to ``new`` is still the same migration:
    a folder moved whole keeps each file's name (and a diesel or Prisma migration's folder
    name, its version), while git may pair a deleted migration with a new, similar one of
    another version (a new migration, judged whole)."""
    if posixpath.basename(old) != posixpath.basename(new):
        return False
    if any(c.isdigit() for c in posixpath.basename(new)):
        return True
    return posixpath.basename(posixpath.dirname(old)) == posixpath.basename(posixpath.dirname(new))


def whole_at_head(changes: ChangeSet, m: Migration) -> ChangeSet | None:
    """The change with every line of ``m`` at head read as added (its status kept: the
    migration is still a merged one); None when ``m`` is new, deleted, or its merged
    version unreadable."""
    f = changes.get(m.path)
    if f is None or f.status is FileStatus.ADDED or merged_version(changes, m) is None:
        return None
    text = changes.text_at_head(m.path)
    if text is None:
        return None
    return changes.with_added(m.path, ((1, text.count("\n") + 1),))


def merged_errors(
    check: BaseCheck, ctx: CheckContext, m: Migration, *, renumbered: bool = False
) -> list[Finding]:
    """The safety findings ``m``'s merged version shows as errors (or at a rule's own
    level when that is no warning), judged as the head's are (the same table sizes, the
    same data reliefs). Only the hazards the merged file
    itself shows as errors count: one its own statements relieved there (values copied
    first, a table no release shipped, a small table) excuses nothing, so an edit that
    undoes the relief is judged whole; the deploy-order reliefs, which depend on what else
    a change touches, are not asked. A marker-waived one excuses nothing either."""
    view = merged_version(ctx.changes, m, renumbered=renumbered)
    text = view.text_at_head(m.path) if view is not None else None
    if view is None or text is None:
        return []
    dialect = str(ctx.config.get("dialect", "postgres"))
    code_paths = tuple(ctx.config.get("code_paths", review.DEFAULT_CODE_PATHS))
    hits = safetyhits.framework_hits(view, m, text, dialect, code_paths, [m])
    sizes = precedent.sizes(ctx.changes, ctx.config, dialect, m, hits)
    judged = (reliefs.data_relief(view, m, h) for h in map(sizes.judge, hits))
    return [
        check.finding(
            h.rule, h.message, path=m.path, line=h.line, evidence=h.evidence, level=h.level
        )
        for h in judged
        if h.level is not Level.WARNING and not h.ignored_by
    ]


def edit_brought(
    check: BaseCheck, ctx: CheckContext, m: Migration, added: list[Finding], safety: SafetyReview
) -> list[Finding]:
    """For an edited merged migration: its merged version's errors are marked as existing
    at base, and the errors the edit brought without adding a line are returned (the
    review of the whole head file, less ``added``, the review of its added lines, and less
    what the merged version had)."""
    if m.framework == LIQUIBASE:
        return []  # a changelog holds many migrations: its new changesets are judged apart
    f = ctx.changes.get(m.path)
    if f is not None and f.old_path and not same_migration(f.old_path, m.path):
        # git paired a new migration with a deleted one: none of it was reviewed as added,
        # and only a renumbering that keeps every statement is the merged one
        text = ctx.changes.text_at_head(m.path) or ""
        if not _same_text(ctx.changes.text_at_base(f.old_path) or "", text, sql=m.reads_as_sql):
            anew = ctx.changes.with_added(m.path, ((1, text.count("\n") + 1),))
            whole = safety(dataclasses.replace(ctx, changes=anew))
            return brought(added, whole, [], warnings=True)
        base = merged_errors(check, ctx, m, renumbered=True)
        ctx.mark_existing_at_base(base)
        _mark_renamed(ctx, m, added, base)
        return []
    base = merged_errors(check, ctx, m)
    ctx.mark_existing_at_base(base)
    whole_view = whole_at_head(ctx.changes, m)
    if whole_view is None:
        return []
    extra = brought(added, safety(dataclasses.replace(ctx, changes=whole_view)), base)
    unread = {f.location.start_line for f in base if f.rule == UNREAD and f.location}
    if m.reads_as_sql and unread:
        said = _lines_of(_merged_text(ctx, m), unread)
        kept = ctx.changes.added_lines(m.path)
        head = (ctx.changes.text_at_head(m.path) or "").splitlines()
        extra = [f for f in extra if not _unread_at_base(f, kept, head, said)]
    _mark_renamed(ctx, m, added + extra, base)
    return extra


def _merged_text(ctx: CheckContext, m: Migration) -> str:
    return ctx.changes.renames_undone_at_base().text_at_base(m.path) or ""


def _mark_renamed(
    ctx: CheckContext, m: Migration, head: list[Finding], base: list[Finding]
) -> None:
    """Mark as existing at base the head errors that are a merged error renamed or
    reformatted (an index the edit only renamed, or made IF NOT EXISTS: renamed.py)."""
    new, gone = _unmatched([f for f in head if f.level is Level.ERROR], base)
    if new and gone:
        text = ctx.changes.text_at_head(m.path) or ""
        twins = renamed.twins(new, gone, text, _merged_text(ctx, m), sql=m.reads_as_sql)
        ctx.mark_existing_at_base(twins)


def _lines_of(sql: str, starts: set[int | None]) -> set[str]:
    """The lines of the statements of ``sql`` that start on ``starts``, stripped (of a
    statement's closing ``;`` too)."""
    return {
        x.strip().rstrip(";").rstrip()
        for s in sqltext.split(sql)
        if s.line in starts
        for x in s.text.splitlines()
    } - {""}


def _unread_at_base(f: Finding, added: frozenset[int], head: list[str], unread: set[str]) -> bool:
    """Whether ``f`` sits on a line the edit kept from a merged statement no parser read
    (umami's ``DROP COLUMN "deleted_at",`` before a ``RENAME``): what the merged version
    meant there was never reviewed, so only the lines the edit adds are, as before."""
    line = f.location.start_line if f.location else None
    if not line or line in added or line > len(head):
        return False
    return head[line - 1].strip().rstrip(";").rstrip() in unread


def _same_text(old: str, new: str, *, sql: bool) -> bool:
    """Whether two versions of a migration run the same: for SQL, the same statements once
    comments and blanks are set aside; for code, the same non-blank lines."""
    if sql:
        return sqltext.executed(old) == sqltext.executed(new)
    return [x.strip() for x in old.splitlines() if x.strip()] == [
        x.strip() for x in new.splitlines() if x.strip()
    ]


def _place(f: Finding) -> tuple[str, int | None]:
    """A finding's identity in one file's review: its fingerprint and line (the two
    reviews may word the same finding apart)."""
    return f.fingerprint, f.location.start_line if f.location else None


def _unmatched(head: list[Finding], base: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """The head errors no base error excuses, and the base errors no head error took."""
    left = Counter(f.fingerprint for f in base)
    new = []
    for f in head:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
        else:
            new.append(f)
    gone = []
    for f in reversed(base):
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            gone.append(f)
    return new, gone[::-1]


def brought(
    added: list[Finding], whole: list[Finding], base: list[Finding], *, warnings: bool = False
) -> list[Finding]:
    """The errors (with ``warnings``, every finding) of ``whole`` that are neither in
    ``added`` nor excused by an error of ``base`` left over once ``added``'s errors took
    theirs (N at base excuse N at head)."""
    excuses = Counter(f.fingerprint for f in base if f.level is Level.ERROR)
    for f in added:
        if f.level is Level.ERROR and excuses[f.fingerprint] > 0:
            excuses[f.fingerprint] -= 1
    reported = Counter(map(_place, added))
    out: list[Finding] = []
    for f in whole:
        if reported[_place(f)] > 0:
            reported[_place(f)] -= 1
        elif f.level is not Level.ERROR and not warnings:
            continue  # an unchanged statement's warning is not the edit's to report
        elif excuses[f.fingerprint] > 0:
            excuses[f.fingerprint] -= 1
        else:
            out.append(f)
    return out
