"""Edits of a merged migration that leave its up side alone, for :mod:`.history`.

Two kinds of edit do not touch what databases ran: one confined to the down side (a
separate down file, Alembic's ``downgrade()``, the part after a goose or dbmate down
marker, a Django operation's reverse argument), which only a rollback runs; and a move
that keeps the name by which the framework records the migration (an Alembic revision id,
a Doctrine class, a gormigrate ``ID``, the file name a Node library records), which no
database sees as a new migration. Each must be shown from both versions of the file,
never taken from what the PR says about it.
"""

from __future__ import annotations

import ast
import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import (
    djhistory,
    doctrine,
    efcore,
    godowns,
    gomig,
    histkept,
    nodefile,
    nodefolder,
    static,
)
from gatekeeper.checks.migrations.detect import (
    ALEMBIC,
    DJANGO,
    DOCTRINE,
    EF_CORE,
    GO,
    LARAVEL,
    NODE,
    Migration,
)


def only_down(
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
        if changes.base_path_of(path) != path and not moved_harmlessly(m, changes, path):
            return False  # another file name is another migration to Django
        pair = histkept.python_trees(before, after)
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


def moved_harmlessly(m: Migration, changes: ChangeSet, path: str) -> bool:
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


def _known_by_id(text: str | None) -> bool:
    """gormigrate and xormigrate record a migration by the ``ID`` its struct carries, not
    by its file: a renamed file (woodpecker's renumbering) runs nothing again."""
    go = gomig.read(text) if text is not None else None
    return go is not None and go.library in (gomig.GORMIGRATE, gomig.XORMIGRATE)
