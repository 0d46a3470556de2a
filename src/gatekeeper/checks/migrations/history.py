"""Already merged migrations the change edits, moves or deletes.

Databases that ran a migration never run it again, so an edit to what its up does is a
history rewrite. What cannot change what runs (a move that keeps its identity, a
formatter's reflow of Python) is not, and an edit to the down side alone is a warning.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.git import run_git
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import (
    djhistory,
    djsteps,
    doctrine,
    drizzle,
    ecto,
    ectocasts,
    ectoops,
    ectorenames,
    efcore,
    existguards,
    flywayconf,
    godowns,
    gomig,
    goxorm,
    laravel,
    lbreview,
    nodefile,
    nodefolder,
    nodenull,
    pyguards,
    pylogs,
    railsedits,
    rejected,
    sqlsame,
    sqltext,
    sqlx,
    static,
    variants,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DOCTRINE,
    DRIZZLE,
    ECTO,
    EF_CORE,
    FLYWAY,
    GO,
    LARAVEL,
    LIQUIBASE,
    NODE,
    RAILS,
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
        kept = f.status is not FileStatus.RENAMED or _moved_harmlessly(m, changes, path)
        same = _unchanged(check, m, path, before, after) if kept and after is not None else None
        if same is not None:
            out += same  # moved, reformatted or re-commented: what runs is unchanged
            continue
        verb = {FileStatus.DELETED: "deletes", FileStatus.RENAMED: "renames"}.get(f.status, "edits")
        if _only_down(m, changes, path, before, after):
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
                f"that ran it will not run it again{_xorm_advice(m, after)}.",
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
    same = _behaviour_kept(check, changes, m, status, path, before, after)
    if same is not None:
        return same
    corrected = _corrected_by_new_step(changes, m, before, after)
    if corrected is not None:
        return _corrected(check, path, *corrected)
    return None


def _behaviour_kept(
    check: BaseCheck,
    changes: ChangeSet,
    m: Migration,
    status: FileStatus,
    path: str,
    before: bytes,
    after: bytes | None,
) -> Finding | None:
    """The warning for an edit of a merged migration that keeps what it runs: the same
    statements in other code, or a call that follows a function renamed at its
    definition; None for any other edit."""
    if status is FileStatus.MODIFIED and _same_statements(m, before, after):
        return _same_statements_edited(check, m, path, after)
    if status is FileStatus.MODIFIED and _guards_added(m, before, after):
        return check.finding(
            "history-rewritten",
            f"The change edits {path}, a migration already merged, but only makes its "
            "statements test whether their object exists (IF NOT EXISTS, IF EXISTS): a "
            "database that ran it does not run it again, one that has not runs the same "
            "statements, skipping an object already there (a warning).",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    if status is FileStatus.MODIFIED and _data_steps_edited(m, before, after):
        return check.finding(
            "history-rewritten",
            f"The change edits {path}, a migration already merged, but only its data steps "
            f"({_STEPS.get(m.framework, _STEPS[RAILS])}, which write rows): the schema operations "
            "it runs are unchanged. Databases that ran it keep the rows it wrote; ones that "
            "have not will run the new steps (check them; a warning).",
            path=path,
            evidence=path,
            level=Level.WARNING,
        )
    if status is FileStatus.MODIFIED and m.framework == NODE and after is not None:
        texts = [b.decode("utf-8", "replace") for b in (before, after)]
        column = nodenull.deferred_not_null(*texts)
        if column is not None:
            return nodenull.deferred(check, path, column)
    follows = _follows_rename(changes, m, status, before, after)
    if follows is not None:
        return _renamed_call(check, path, *follows)
    casts = _widening_casts(changes, m, status, before, after)
    if casts is None:
        return None
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only casts integer "
        f"columns to a wider integer type ({', '.join(casts)}, types from the merged "
        "migrations): where it succeeded it computed the same values; where a narrow "
        "product overflowed, its transaction rolled back and Ecto did not record it, so "
        "the fixed text runs there (a warning).",
        path=path,
        evidence=f"{path}:{','.join(casts)}",
        level=Level.WARNING,
    )


def _widening_casts(
    changes: ChangeSet, m: Migration, status: FileStatus, before: bytes, after: bytes | None
) -> list[str] | None:
    """The casts of an Ecto migration edited only to widen integer columns (ectocasts)."""
    if m.framework != ECTO or status is not FileStatus.MODIFIED or after is None:
        return None
    old, new = (b.decode("utf-8", "replace") for b in (before, after))
    columns = ectoops.merged_types(changes, posixpath.dirname(changes.base_path_of(m.path)))
    return ectocasts.widened(old, new, columns)


def _follows_rename(
    changes: ChangeSet, m: Migration, status: FileStatus, before: bytes, after: bytes | None
) -> tuple[str, str, str] | None:
    """An Ecto migration edited only to call a function by the new name the change gives
    it at its definition (ectorenames): ``(old, new, defining file)``."""
    if m.framework != ECTO or status is not FileStatus.MODIFIED or after is None:
        return None
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    return ectorenames.follows_rename(changes, *texts)


def _renamed_call(check: BaseCheck, path: str, old: str, new: str, where: str) -> Finding:
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only to call {new}, "
        f"the name {where} now gives {old} (its body unchanged, {old} left nowhere): "
        "what it runs is the same (a warning).",
        path=path,
        evidence=f"{path}:{old}->{new}",
        level=Level.WARNING,
    )


def _corrected_by_new_step(
    changes: ChangeSet, m: Migration, before: bytes, after: bytes | None
) -> tuple[str, str] | None:
    """An edited xorm step whose change (a name it introduced, a string on its edited
    lines) a step the PR adds under the same migrations folder also names (goxorm):
    ``(that step's path, the name)``, else None."""
    if m.framework != GO or after is None or not _xorm_advice(m, after):
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


def _xorm_advice(m: Migration, after: bytes | None) -> str:
    """For an xorm step: how to ship a fix instead (xorm runs a step once, by its place)."""
    if m.framework != GO or after is None:
        return ""
    if not gomig.xorm_step(m.path, after.decode("utf-8", "replace")):
        return ""
    return (
        " (xorm records only how far down its list a database got): ship the fix as a "
        "new step at the end of the list"
    )


def _same_statements_edited(
    check: BaseCheck, m: Migration, path: str, after: bytes | None
) -> Finding:
    """The warning for an edit of a merged migration that keeps what it runs."""
    if m.framework == GO and _xorm_advice(m, after):
        what = (
            "local names renamed one for one, or the wording of its log lines and error "
            "messages: the Go it runs is otherwise unchanged"
        )
    elif m.framework == ALEMBIC:
        what = (
            "tests whether the objects its operations create or drop already exist: where "
            "they do not, it runs the same operations"
        )
    elif m.framework == RAILS:
        what = (
            "the Ruby around its operations: the ActiveRecord operations it runs (each "
            "call, table, column, type and option) are unchanged"
        )
    else:
        language = _LANGUAGE.get(m.framework, "Go")
        what = (
            f"the {language} around its SQL: the statements it runs and its schema calls "
            "are unchanged"
        )
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only {what} (check the "
        "edit changes no behaviour; a warning).",
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


#: what a migration's data steps are, for the message of an edit to them alone
_STEPS = {RAILS: "calls of the application's models", DJANGO: "RunPython functions"}
#: the language of the code around a migration's SQL, for the message of an edit to it
_LANGUAGE = {DOCTRINE: "PHP", LARAVEL: "PHP", GO: "Go", NODE: "JavaScript", EF_CORE: "C#"}


def _same_statements(m: Migration, before: bytes, after: bytes | None) -> bool:
    """A Go, PHP, Rails or Node migration whose SQL and schema calls are unchanged: only
    code around them was edited (linters' fixes, refactors, a ``change_table`` block
    written out as ``add_column`` calls, a guard), which may or may not change what runs;
    an Alembic one whose only edit tests whether its objects exist (:mod:`pyguards`)."""
    if m.framework == ALEMBIC and after is not None:
        trees = _trees(before, after)
        return trees is not None and pyguards.same_unguarded(*trees)
    if m.framework == RAILS and after is not None:
        return railsedits.same_operations(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework == NODE and after is not None:
        return nodefolder.same_statements(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework == DOCTRINE and after is not None:
        texts = [b.decode("utf-8", "replace") for b in (before, after)]
        return doctrine.same_statements(*texts)
    if m.framework == EF_CORE and after is not None:
        return efcore.same_statements(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework == LARAVEL and after is not None:
        return laravel.same_statements(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework != GO or after is None:
        return False
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    if gomig.xorm_step(m.path, texts[1]):
        return goxorm.same_behaviour(*texts)  # its data steps are Go: the Go is judged
    return godowns.same_sql(*texts)


def _guards_added(m: Migration, before: bytes, after: bytes | None) -> bool:
    """A migration whose edit only adds existence guards to its statements
    (:mod:`existguards`)."""
    if after is None:
        return False
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    return existguards.only_guards_added(m.framework, *texts)


def _data_steps_edited(m: Migration, before: bytes, after: bytes | None) -> bool:
    """A Rails migration whose edit only touches the model calls that write its rows
    (:func:`railsedits.same_schema_operations`), a Django one whose edit only touches
    its ``RunPython`` steps (:mod:`djsteps`)."""
    if m.framework == DJANGO and after is not None:
        trees = _trees(before, after)
        return trees is not None and djsteps.same_schema_operations(*trees)
    if m.framework != RAILS or after is None:
        return False
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    return railsedits.same_schema_operations(*texts)


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


def _only_down(
    m: Migration, changes: ChangeSet, path: str, before: bytes, after: bytes | None
) -> bool:
    """True when the edit touches the down side alone."""
    if m.down_path is not None and path == m.down_path and path != m.path:
        return changes.get(m.path) is None  # the up file is not part of the change
    if m.framework == GO and after is not None:
        texts = [b.decode("utf-8", "replace") for b in (before, after)]
        return godowns.same_up(*texts) and not godowns.same_code(*texts)
    if m.framework == EF_CORE and after is not None:
        return efcore.only_down(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework in (DOCTRINE, LARAVEL) and after is not None:
        return doctrine.only_down(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework in static.SECTIONS and after is not None:
        return _only_down_section(*static.SECTIONS[m.framework], before, after)
    if m.framework == DJANGO and after is not None:
        if changes.base_path_of(path) != path and not _moved_harmlessly(m, changes, path):
            return False  # another file name is another migration to Django
        pair = _trees(before, after)
        return pair is not None and djhistory.only_reverse(*pair)
    if m.framework != ALEMBIC or after is None:
        return False
    try:
        trees = [ast.parse(b.decode("utf-8")) for b in (before, after)]
    except (SyntaxError, ValueError):
        return False
    kept = [[n for n in t.body if not _is_downgrade(n)] for t in trees]
    code = [[n for n in body if not isinstance(n, ast.Import | ast.ImportFrom)] for body in kept]
    if ast.dump(ast.Module(code[0], [])) != ast.dump(ast.Module(code[1], [])):
        return False
    # an import added or removed for the new downgrade() alone (``import sqlalchemy as
    # sa``): harmless unless the rest of the file uses a name it binds or unbinds
    imports = [{ast.dump(n) for n in body if n not in code[i]} for i, body in enumerate(kept)]
    moved = _bound_names(imports[0] ^ imports[1], kept)
    used = {n.id for stmt in code[1] for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    return "*" not in moved and not moved & used


def _only_down_section(
    up: re.Pattern[str], down: re.Pattern[str], before: bytes, after: bytes
) -> bool:
    """A goose, dbmate or sql-migrate file whose edit lies after its down marker
    (``-- +goose Down``, ``-- migrate:down``, ``-- +migrate Down``) in both versions, with
    no up marker after it (which would start up SQL again): the up, which databases ran,
    is unchanged."""
    try:
        texts = [b.decode("utf-8") for b in (before, after)]
    except UnicodeDecodeError:
        return False
    old, new = (down.search(t) for t in texts)
    if old is None or new is None or up.search(texts[1], new.end()):
        return False
    return texts[0][: old.start()] == texts[1][: new.start()] and texts[0] != texts[1]


def _bound_names(changed: set[str], bodies: list[list[ast.stmt]]) -> set[str]:
    """The names bound by the import statements (of either side) whose dump is in
    ``changed``; ``*`` when one is a star import (it may bind anything)."""
    names: set[str] = set()
    for body in bodies:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom) and ast.dump(node) in changed:
                for alias in node.names:
                    names.add(alias.asname or alias.name.split(".", 1)[0])
    return names


def _is_downgrade(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef) and node.name == "downgrade"


def _moved_harmlessly(m: Migration, changes: ChangeSet, path: str) -> bool:
    """A move that keeps the migration's identity (a project reorganised into new folders).

    Databases know an Alembic revision by the id inside the file, so any path will do;
    other frameworks know a migration by its file name (Django: by its app folder and
    file name), so those must stay the same. The Node libraries record no folder: TypeORM
    records the migration's ``name`` (its class name unless set), knex, Sequelize's
    umzug and db-migrate the file's name alone.
    """
    if m.framework in (ALEMBIC, DOCTRINE):
        return True  # Doctrine knows a migration by its class (namespace and name)
    if m.framework == GO and _known_by_id(changes.text_at_head(path)):
        return True
    if m.framework == NODE and nodefolder.released_as(changes.base_path_of(path), path):
        return True  # logto's release renames next-<stamp>-x to <version>-<stamp>-x
    if m.framework == NODE and _node_known_without_folder(changes, path):
        return True
    old = changes.base_path_of(path).split("/")
    return old[-3:] == path.split("/")[-3:]


def _node_known_without_folder(changes: ChangeSet, path: str) -> bool:
    """A Node migration moved to another folder under a name its library still knows it
    by: a TypeORM class (its content, hence its name, is compared by the caller), or the
    same file name for the libraries that record that."""
    base_path = changes.base_path_of(path)
    libraries = {
        nodefile.library(changes.text_at_base(base_path) or ""),
        nodefile.library(changes.text_at_head(path) or ""),
    }
    if libraries == {nodefile.TYPEORM}:
        return True
    if libraries & {None, nodefile.TYPEORM, nodefile.SQL_TAG}:
        return False  # a project's own runner may record anything, the path included
    return posixpath.basename(base_path) == posixpath.basename(path)


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


def _known_by_id(text: str | None) -> bool:
    """gormigrate and xormigrate record a migration by the ``ID`` its struct carries, not
    by its file: a renamed file (woodpecker's renumbering) runs nothing again."""
    go = gomig.read(text) if text is not None else None
    return go is not None and go.library in (gomig.GORMIGRATE, gomig.XORMIGRATE)


def _same_migration(m: Migration, before: bytes, after: bytes) -> bool:
    """True when the edit cannot change what the migration does: the same bytes, for Go
    migrations the same code tokens, or, for Python migrations, the same syntax tree (a
    formatter's blank lines, quotes, comments) once docstrings and log calls are set
    aside (Alembic reads the revision from variables, not from the docstring that repeats
    it; a log line tells the operator what ran, :mod:`pylogs`). SQL files
    must stay byte-identical: tools such as Flyway checksum them."""
    if before == after:
        return True
    if m.framework == GO:  # compiled, not checksummed: comments and layout do not run
        texts = [b.decode("utf-8", "replace") for b in (before, after)]
        return godowns.same_code(*texts)
    if m.framework == EF_CORE:  # compiled, recorded by id: comments and layout do not run
        return efcore.same_code(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework == ECTO:  # recorded by version: comments, layout, module name do not run
        return ecto.same_code(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework in (DOCTRINE, LARAVEL):  # not checksummed: comments and layout do not run
        return doctrine.same_code(*(b.decode("utf-8", "replace") for b in (before, after)))
    if m.framework not in (ALEMBIC, DJANGO):
        return False
    trees = _trees(before, after)
    if trees is None:
        return False
    if ast.dump(trees[0]) == ast.dump(trees[1]):
        return True
    # Django: imports nobody uses removed, or moved out of a function unchanged
    return m.framework == DJANGO and djhistory.same_module(*trees)


#: a string the migration hands the database: it starts with a statement's keyword
_SQL_START = re.compile(
    r"\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE|COMMENT|GRANT|"
    r"REVOKE|DO|SET|BEGIN|MERGE|REFRESH|REINDEX|VACUUM|ANALYZE)\b",
    re.IGNORECASE,
)


def _unchanged(
    check: BaseCheck, m: Migration, path: str, before: bytes, after: bytes
) -> list[Finding] | None:
    """[] when the edit cannot change what runs; a warning when it only touches comments
    or layout inside SQL strings (the text the database receives changed); else None."""
    if _same_migration(m, before, after):
        return []
    if _same_but_sql_comments(m, before, after):
        return [_sql_comments_edited(check, path)]
    if sqlsame.same_statements(m.framework, before, after):
        return [sqlsame.layout_edited(check, path)]
    return None


def _same_but_sql_comments(m: Migration, before: bytes, after: bytes) -> bool:
    """A Python migration whose edit, beyond what :func:`_same_migration` sets aside,
    only touches comments and blanks inside its SQL strings: the statements the database
    runs are the same. Only strings that start with a statement's keyword are read as SQL
    (a ``--flag`` passed to a command is not a comment)."""
    if m.framework not in (ALEMBIC, DJANGO):
        return False
    trees = _trees(before, after)
    if trees is None:
        return False
    old, new = (_sql_executed(tree) for tree in trees)
    return ast.dump(old) == ast.dump(new)


def _sql_executed(tree: ast.Module) -> ast.Module:
    """``tree`` with each SQL string (a whole f-string when its first part is SQL) as
    the database reads it (:func:`sqltext.executed`)."""
    for node in ast.walk(tree):
        parts: list[ast.expr] = []
        if isinstance(node, ast.JoinedStr):
            parts = node.values
        elif isinstance(node, ast.Constant):
            parts = [node]
        first = parts[0] if parts else None
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            continue
        if not _SQL_START.match(sqltext.strip_comments(first.value)):
            continue
        for part in parts:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                part.value = sqltext.executed(part.value)
    return tree


def _sql_comments_edited(check: BaseCheck, path: str) -> Finding:
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only comments and "
        "layout inside its SQL (and Python comments or docstrings): the statements it runs "
        "are unchanged (a warning).",
        path=path,
        evidence=path,
        level=Level.WARNING,
    )


def _trees(before: bytes, after: bytes) -> tuple[ast.Module, ast.Module] | None:
    """Both versions parsed, docstrings (and other bare strings) and log calls set aside;
    None when one is not Python."""
    try:
        old, new = (
            pylogs.without_log_calls(_without_docstrings(ast.parse(b.decode("utf-8"))))
            for b in (before, after)
        )
    except (SyntaxError, ValueError):
        return None
    return old, new


def _without_docstrings(tree: ast.Module) -> ast.Module:
    """``tree`` with every bare string statement removed: the docstring of the module,
    of each class and function, and a string standing alone among the statements (a
    block comment written as one: onyx's revision notes below its imports), which
    evaluates to nothing and runs nothing."""
    for node in ast.walk(tree):
        if isinstance(node, _BLOCKS):
            node.body = [stmt for stmt in node.body if not _bare_string(stmt)] or [ast.Pass()]
    return tree


#: the nodes whose ``body`` is a list of statements
_BLOCKS = (
    ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.For,
    ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.ExceptHandler,
)  # fmt: skip


def _bare_string(stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is a string literal standing alone as a statement."""
    value = stmt.value if isinstance(stmt, ast.Expr) else None
    return isinstance(value, ast.Constant) and isinstance(value.value, str)
