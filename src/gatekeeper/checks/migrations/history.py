"""Already merged migrations the change edits, moves or deletes.

Databases that ran a migration never run it again, so an edit to what its up does is a
history rewrite. What cannot change what runs (a move that keeps its identity, a
formatter's reflow of Python) is not, and an edit to the down side alone is a warning.

This module walks the edited files and decides; the two questions it asks of each edit
are answered beside it: does the edit keep what the migration runs (:mod:`.histkept`),
and does it touch only the down side, or move the file without changing how databases
know it (:mod:`.histdown`). The reliefs that depend on the repository's history (the
newest release, a statement the merged database refused, a fix shipped as a new xorm
step) stay here.
"""

from __future__ import annotations

import dataclasses
import posixpath

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.git import run_git
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import (
    drizzle,
    flywayconf,
    godowns,
    gomig,
    goxorm,
    histdown,
    histkept,
    lbreview,
    nodefolder,
    rejected,
    sqltext,
    sqlx,
    static,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    DRIZZLE,
    FLYWAY,
    GO,
    LIQUIBASE,
    NODE,
    SQLX,
    Migration,
)
from gatekeeper.errors import GitError
from gatekeeper.model import Finding, Level


def history_findings(
    check: BaseCheck, changes: ChangeSet, m: Migration, *, released_only: bool = True
) -> list[Finding]:
    """An already merged migration (present at base) that the change edits or deletes.

    Editing only its down side (a separate down file, Alembic's ``downgrade()``, a
    Django operation's reverse argument) is not a rewrite: databases that ran the up are
    unaffected, and only a rollback runs the new down. That is a warning (``down-edited``),
    the down being reviewed like any other.
    """
    if m.framework == LIQUIBASE:
        # a changelog grows by new changesets: only an edited merged changeset rewrites
        found = lbreview.history(check, changes, m.path, released_only=released_only)
        if found is not None:
            return found
    out: list[Finding] = []
    for path in (m.path, m.down_path):
        if path is None:
            continue
        f = changes.get(path)
        if f is None or f.status is FileStatus.ADDED:
            continue
        before = changes.bytes_at_base(changes.base_path_of(path))
        if before is None:
            continue
        after = changes.bytes_at_head(path)
        if m.framework == GO and after is not None and _steps_appended(before, after):
            continue  # a slice of steps that grew: new migrations, reviewed as such
        kept = f.status is not FileStatus.RENAMED or histdown.moved_harmlessly(m, changes, path)
        same = (
            histkept.unchanged(check, m, path, before, after)
            if kept and after is not None
            else None
        )
        if same is not None:
            out += same  # moved, reformatted or re-commented: what runs is unchanged
            continue
        verb = {FileStatus.DELETED: "deletes", FileStatus.RENAMED: "renames"}.get(f.status, "edits")
        if histdown.only_down(m, changes, path, before, after):
            out.append(
                check.finding(
                    "down-edited",
                    f"The change {verb} {path}, the down side of a merged migration: databases "
                    "that ran the up are unaffected; a rollback now runs the new down.",
                    path=path,
                    evidence=path,
                )
            )
            continue
        allowed = (
            flywayconf.missing_allowed(changes)
            if released_only and m.framework == FLYWAY and f.status is FileStatus.DELETED
            else None
        )
        if allowed is not None:
            out.append(_squashed(check, path, allowed))
            continue
        relief = _relief(check, changes, m, (f.status, path, verb), before, after, released_only)
        if relief is not None:
            out.append(relief)
            continue
        step = _edited_step(m, before, after)
        what = f"{step[0]} (line {step[1]}) of " if step else ""
        out.append(
            check.finding(
                "history-rewritten",
                f"The change {verb} {what}{path}, a migration already merged; databases "
                f"that ran it will not run it again{histkept.xorm_advice(m, after)}.",
                path=path,
                line=step[1] if step else None,
                evidence=path,
            )
        )
    return out


def _relief(
    check: BaseCheck,
    changes: ChangeSet,
    m: Migration,
    edit: tuple[FileStatus, str, str],
    before: bytes,
    after: bytes | None,
    released_only: bool,
) -> Finding | None:
    """The warning that replaces ``history-rewritten`` for an edit no released database
    is hurt by (a next-* script, a migration that failed everywhere or is in no release,
    one whose behaviour is kept or corrected by a new step); None when none applies.
    ``edit`` is the file's status, its path and the verb for it."""
    status, path, verb = edit
    if m.framework == NODE and nodefolder.unreleased(changes.base_path_of(path)):
        # logto's next-* scripts: a release renames them after its version
        return check.finding(
            "history-rewritten",
            f"The change {verb} {path}, a merged script still named next-*: no "
            "release shipped it (a release renames it after its version), so only "
            "development databases ran it.",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    failed = _failed_everywhere(check, changes, m, path, before, verb)
    if failed is not None:
        return failed
    tag = newest_release(changes) if released_only else None
    if tag and not in_release(changes, tag, changes.base_path_of(path)):
        # merged but in no release yet: only development databases ran it
        return check.finding(
            "history-rewritten",
            f"The change {verb} {path}, a migration merged since the newest release "
            f"({tag}): databases of that release never ran it, development ones did.",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    if tag and status is FileStatus.MODIFIED and _as_released(changes, tag, path, after):
        # the edit undoes an edit made since the release: released databases match again
        return check.finding(
            "history-rewritten",
            f"The change edits {path}, a merged migration, back to the text the newest "
            f"release ({tag}) shipped: it undoes an edit made since, which only development "
            "databases ran (a warning).",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    same = histkept.behaviour_kept(check, changes, m, status, path, before, after)
    if same is not None:
        return same
    corrected = _corrected_by_new_step(changes, m, before, after)
    if corrected is not None:
        return _corrected(check, path, *corrected)
    return None


def _corrected_by_new_step(
    changes: ChangeSet, m: Migration, before: bytes, after: bytes | None
) -> tuple[str, str] | None:
    """An edited xorm step whose change (a name it introduced, a string on its edited
    lines) a step the PR adds under the same migrations folder also names (goxorm):
    ``(that step's path, the name)``, else None."""
    if m.framework != GO or after is None or not histkept.xorm_advice(m, after):
        return None
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    keys = goxorm.introduced(*texts) | goxorm.strings_on(texts[1], changes.added_lines(m.path))
    if not keys:
        return None
    for f in changes.matching((_migrations_root(m.path) + "**/*.go",)):
        text = changes.text_at_head(f.path) if f.status is FileStatus.ADDED else None
        if text is None or f.path == m.path or not gomig.xorm_step(f.path, text):
            continue
        name = goxorm.names_any(text, keys)
        if name is not None:
            return f.path, name
    return None


def _migrations_root(path: str) -> str:
    """The folder named for migrations that ``path`` lies in, with its slash: gitea keeps
    a release's steps in ``models/migrations/v1_20/``, the next one's fix may be in
    ``v1_21/``."""
    parts = path.split("/")[:-1]
    last = max((i for i, p in enumerate(parts) if p in gomig.FOLDERS), default=len(parts) - 1)
    return "".join(p + "/" for p in parts[: last + 1])


def _corrected(check: BaseCheck, path: str, step: str, name: str) -> Finding:
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, an xorm step already merged, and adds {step}, a new "
        f"step that deals with the same thing ({name}): databases that ran the old step "
        "get the change from the new one (check that it brings them to the state the "
        "edited step now makes; a warning).",
        path=path,
        evidence=path,
        level=Level.WARNING,
    )


def _failed_everywhere(
    check: BaseCheck, changes: ChangeSet, m: Migration, path: str, before: bytes, verb: str
) -> Finding | None:
    """A merged SQL migration its own database refuses as merged: no database recorded
    it, so the edit (or the renaming edit) that repairs it is a warning. The database
    must be known from the merged tree, never guessed, and the refused statement must be
    in the merged text: a PR cannot earn this by what it writes."""
    if verb == "deletes":
        return None
    merged = before.decode("utf-8", "replace")
    if m.framework == SQLX:
        found = sqlx.never_applied(merged, m.dialect)
        if found is None or verb != "edits":
            return None
        return check.finding(
            "history-rewritten",
            f"The change edits {path}, a merged sqlx migration that fails as merged: "
            f"{found.statement!r} (line {found.line}) is {found.what}, which its database "
            "rejects, and sqlx runs each migration in a transaction and records it only "
            "once it succeeds, so no database applied it (a warning: check it was never "
            "run another way).",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    found = _refused_as_merged(changes, m, path)
    if found is None:
        return None
    label = rejected.LABEL[found.dialect]
    where = " on a table that holds rows" if found.with_rows else ""
    who = (
        f"no {label} database whose table held rows completed it (one whose table was "
        "empty, a fresh one, did: check the repair leaves it the same there)"
        if found.with_rows
        else f"no {label} database completed it"
    )
    return check.finding(
        "history-rewritten",
        f"The change {verb} {path}, a merged migration its own database refused as "
        f"merged: {label} rejects {found.what}{where} (merged line {found.line}: "
        f"{found.statement}), "
        f"so {who}; a repair rewrites no applied history (a warning: check it was never "
        "run another way).",
        path=path,
        evidence=f"{path}:{found.statement}",
        level=Level.WARNING,
    )


def _refused_as_merged(changes: ChangeSet, m: Migration, path: str) -> rejected.Rejection | None:
    """The first statement of a merged SQL migration (its up side) that its database
    refuses, the database known from the merged tree (the file's name or folder, a
    drizzle folder's merged config), when a refusal undid the migration: DDL that is
    transactional, or the refused statement first (nothing ran before it). A statement
    marked ``gatekeeper:ignore syntax-rejected`` was said to run: it does not count."""
    if not m.is_sql or path != m.path:
        return None  # a separate down file: its edit is not the up's repair
    base_path = changes.base_path_of(path)
    folder = posixpath.dirname(base_path)
    dialect = rejected.dialect_of(base_path, variants.folder_names(changes, folder, at_base=True))
    if not dialect and m.framework == DRIZZLE:
        dialect = rejected.drizzle_rules(drizzle.config_database(changes, folder))
    down = changes.base_path_of(m.down_path) if m.down_path else None
    merged = dataclasses.replace(m, path=base_path, down_path=down)
    sides = static.sql_sides(changes, merged, at_base=True) if dialect else None
    if sides is None:
        return None
    statements = sqltext.split(sides.up, sides.up_line)
    every = frozenset(range(1, sides.up_line + sides.up.count("\n") + 1))
    for found in rejected.rejections(statements, dialect, every):
        if found.ignore_span is not None:
            continue
        if found.dialect in rejected.TRANSACTIONAL or found.line == _first_line(statements):
            return found
    return None


def _first_line(statements: list[sqltext.Statement]) -> int:
    return statements[0].line if statements else 0


def _squashed(check: BaseCheck, path: str, allowed: flywayconf.Allowance) -> Finding:
    """A merged Flyway migration deleted where the project's Flyway ignores missing ones."""
    return check.finding(
        "history-rewritten",
        f"The change deletes {path}, a migration already merged; the project's Flyway "
        f"configuration ignores applied migrations missing locally ({allowed.path}:"
        f"{allowed.line}: {allowed.setting}), so databases that ran it keep working: "
        "make sure what replaces it is idempotent.",
        path=path,
        evidence=path,
        level=Level.WARNING,
    )


def in_release(changes: ChangeSet, tag: str, path: str) -> bool:
    """True when the release ``tag`` has ``path`` (or when git cannot tell: fail closed)."""
    try:
        done = run_git(changes.root, "cat-file", "-e", f"{tag}:{path}", check=False, timeout=30)
    except GitError:
        return True
    return done.returncode == 0


def _as_released(changes: ChangeSet, tag: str, path: str, after: bytes | None) -> bool:
    """Whether the head's text of ``path`` is the one the release ``tag`` shipped (glific
    341d7e0821 moved a column added to a shipped migration hours before into a new one)."""
    if after is None:
        return False
    try:
        done = run_git(changes.root, "cat-file", "blob", f"{tag}:{path}", check=False, timeout=30)
    except GitError:
        return False
    return done.returncode == 0 and done.stdout == after


def _steps_appended(before: bytes, after: bytes) -> bool:
    return godowns.appends_only(*(b.decode("utf-8", "replace") for b in (before, after)))


def _edited_step(m: Migration, before: bytes, after: bytes | None) -> tuple[str, int] | None:
    """In a slice of SQL steps: the first merged step the PR changed (``step 3`` and its
    line at head); in an xorm step file, the first function changed; so the reviewer sees
    which one."""
    if m.framework != GO or after is None:
        return None
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    if gomig.xorm_step(m.path, texts[1]):
        changed = goxorm.edited_function(*texts)
        return (f"function {changed[0]}", changed[1]) if changed else None
    step = godowns.edited_step(*texts)
    return (f"step {step[0]}", step[1]) if step else None
