"""A Node migration among its folder's: the habit of writing downs, release names, and
edits of merged migrations that keep what runs.

- :func:`downs`: the folder's merged migrations with and without a working down, counted
  by :func:`.phpmig.downs` as the PHP readers count theirs and weighed by :class:`.Downs`
  (kutt's knex folder never writes one: an empty down there is its convention).
- :func:`unreleased`, :func:`released_as`: logto names an alteration script
  ``next-<timestamp>-<name>.ts`` until a release renames it ``<version>-<timestamp>-<name>.ts``;
  a ``next-*`` script no release shipped, and the rename is a move of one migration.
- :func:`types_before`: the type a column had before a Node migration's SQL retypes it.
- :func:`same_statements`: an edit that keeps every SQL literal (as written, with the
  names bound into it) and every schema-builder call: only the JavaScript around them
  changed (kutt's fixes to the guard of a backfill), a warning rather than a rewrite.
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, pgcolumns, phpmig
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.nodemig import (
    STAGED,
    NodeMigration,
    does_something,
    is_migration,
    literal_texts,
    may_be_migration,
    read,
    schema_calls,
    sql_texts,
)

# --- release names ---------------------------------------------------------------------


def unreleased(path: str) -> bool:
    """A script named ``next-<timestamp>-...``: no release has shipped it yet (the release
    renames it after its version)."""
    staged = STAGED.match(posixpath.basename(path))
    return staged is not None and staged.group("release") == "next"


def released_as(old: str, new: str) -> bool:
    """``new`` is the ``next-*`` script ``old`` renamed by a release, in the same folder:
    ``next-1762338508-x.ts`` -> ``1.32.0-1762338508-x.ts`` (one migration, not two)."""
    if posixpath.dirname(old) != posixpath.dirname(new) or not unreleased(old):
        return False
    before, after = (STAGED.match(posixpath.basename(p)) for p in (old, new))
    assert before is not None
    return (
        after is not None
        and after.group("release") != "next"
        and posixpath.basename(old)[before.end() :] == posixpath.basename(new)[after.end() :]
        and before.group("stamp") == after.group("stamp")
    )


# --- edits of merged migrations ---------------------------------------------------------


#: the schema builder or a library's handle bound to another name (``const s =
#: knex.schema;``, ``const qi = queryInterface``, ``t["schema"]``): the calls made through
#: it are not read as schema calls, so an edit of them could not be told from an edit of
#: the code around
_ALIASED = re.compile(
    r"=\s*(?:await\s+)?(?:\w+\s*\.\s*)*(?:schema|queryInterface|queryRunner|knex|trx|db|pool)"
    r"\s*(?:[;,)\n]|$)|\[\s*[`'\"]schema[`'\"]\s*\]",
    re.MULTILINE,
)


def same_statements(before: str, after: str) -> bool:
    """Two texts whose up (and ``beforeUp``) runs the same SQL literals, as written, with
    the same bound names, and makes the same schema-builder calls, layout and comments
    aside: only the JavaScript around them changed (a guard, a count fixed)."""
    old, new = _effects(before), _effects(after)
    return old is not None and old == new


def _effects(text: str) -> list[str] | None:
    m = read(text)
    if m.up is None:
        return None
    out = [f"{name}={values!r}" for name, values in sorted(m.bindings.items())]
    for side in (m.before_up, m.up):
        if side is None:
            continue
        if _ALIASED.search(side.body):
            return None  # calls through another name are out of sight: anything may change
        out += ["sql:" + " ".join(sql.split()) for sql in literal_texts(side)]
        out += ["call:" + " ".join(call.split()) for call in schema_calls(side)]
    return out


# --- the columns as merged ----------------------------------------------------------------


def types_before(changes: ChangeSet, m: Migration, node: NodeMigration) -> pgcolumns.Columns:
    """Column types before a Node migration's SQL retypes them: as the SQL of the merged
    migrations of its folder leaves them, else as its own down restores them (the
    author's word, taken only where the merged history says nothing, as for knex)."""
    columns: pgcolumns.Columns = {}
    for side in (node.before_down, node.down):
        for sql in sql_texts(side, node.bindings) if side else []:
            pgcolumns.read_into(columns, sql)
    merged: pgcolumns.Columns = {}
    for e in detect.chain(changes, m, at_base=True):
        if (detect.sort_key(e), e.path) >= (detect.sort_key(m), m.path):
            continue
        done = read(changes.text_at_base(e.path) or "")
        for side in (done.before_up, done.up):
            for sql in sql_texts(side, done.bindings) if side else []:
                pgcolumns.read_into(merged, sql)
    return {**columns, **merged}


# --- the folder's habit -----------------------------------------------------------------


def downs(changes: ChangeSet, folder: str, own: str) -> Downs:
    """How the folder's merged Node migrations stand (``own``, the one judged, left out),
    counted by :func:`phpmig.downs` as the PHP readers count theirs; read at base, once
    per run."""
    pattern = f"{folder}/*" if folder else "*"
    found = phpmig.downs(
        changes, f"node-downs:{folder}", pattern, own, may_be_migration, is_migration, _works
    )
    return Downs(*found)


def _works(text: str) -> bool | None:
    """Whether the down of the migration in ``text`` works; None when its up does nothing."""
    m = read(text)
    if m.up is None or not (does_something(m.up) or does_something(m.before_up)):
        return None
    return does_something(m.down) or does_something(m.before_down)
