"""Edits of a merged migration that keep what it runs, for :mod:`.history`.

A database that ran a migration never runs it again, so what matters about an edit is
whether a database that has not run it yet would now run something else. Some edits
cannot change that at all (the same bytes, the same Go or C# tokens, the same Python
syntax tree once docstrings and log calls are set aside): they are not findings. Others
keep the statements and schema calls but touch the code around them, only add existence
guards, only edit data steps, or follow a rename: those stay visible as warnings, since a
reviewer should still confirm nothing else changed. Each language's reader decides what
"the same" means for it; this module only picks the reader and words the warning.
"""

from __future__ import annotations

import ast
import posixpath
import re

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import (
    djhistory,
    djsteps,
    doctrine,
    ecto,
    ectocasts,
    ectoops,
    ectorenames,
    efcore,
    existguards,
    godowns,
    gomig,
    goxorm,
    laravel,
    nodefolder,
    nodenull,
    pyguards,
    pylogs,
    railsedits,
    sqlsame,
    sqltext,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DOCTRINE,
    ECTO,
    EF_CORE,
    GO,
    LARAVEL,
    NODE,
    RAILS,
    Migration,
)
from gatekeeper.model import Finding, Level


def behaviour_kept(
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


def xorm_advice(m: Migration, after: bytes | None) -> str:
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
    if m.framework == GO and xorm_advice(m, after):
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
        trees = python_trees(before, after)
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
        trees = python_trees(before, after)
        return trees is not None and djsteps.same_schema_operations(*trees)
    if m.framework != RAILS or after is None:
        return False
    texts = [b.decode("utf-8", "replace") for b in (before, after)]
    return railsedits.same_schema_operations(*texts)


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
    trees = python_trees(before, after)
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


def unchanged(
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
    trees = python_trees(before, after)
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


def python_trees(before: bytes, after: bytes) -> tuple[ast.Module, ast.Module] | None:
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
