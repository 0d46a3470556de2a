"""What a Rails migration's ``def up`` destroys: rows it deletes, values it erases.

Weighed against a ``def down`` that does nothing or only raises
``ActiveRecord::IrreversibleMigration``. Filling a column the migration adds, or only rows
where a column is empty, is a backfill: a rollback that keeps the values loses nothing.
Deleting rows (``Model.where(...).delete_all``, ``destroy_all``, ``execute "DELETE ..."``,
``TRUNCATE``) or erasing values chosen by the column's own value (``where("email NOT LIKE
'%@%'").update_all(email: nil)``, ``UPDATE t SET c = NULL WHERE c ...``) loses them for
good, and no down written later gives them back: the raise says the migration cannot be
undone, not what becomes of the data. Writing other values (a remap, a recomputation), or
erasing every row's value or those of rows chosen by other columns (a reset of state, a
stale copy cleared), is no evidence of a loss: reviewers read those as fixes. The same
reading as Django's (:mod:`.djdata`); Ruby is read line by line, nothing is executed.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import rails, railsops, rubysql, sqlwrites
from gatekeeper.checks.migrations.sqltext import split

#: ``Model...delete_all`` / ``destroy_all`` (a constant starts the chain)
_DELETES = re.compile(r"^\s*([A-Z][\w:]*)\b[^#]*?\.(?:delete_all|destroy_all)\b")
#: ``Model...update_all(...)``: the chain before it, and its arguments
_UPDATE_ALL = re.compile(r"^\s*([A-Z][\w:]*)\b([^#]*?)\.update_all\b\s*\(?(.*)$", re.S)
#: ``col: nil`` / ``col: ""`` / ``"col" => nil`` in a hash
_ERASED_KEY = re.compile(r"""(?:\b(\w+):|["':](\w+)["']?\s*=>)\s*(?:nil|""|'')(?=\s*[,)}]|\s*$)""")
#: ``"col = NULL"`` in an SQL fragment
_ERASED_SQL = re.compile(r"""(\w+)\s*=\s*(?:NULL|''|"")""", re.IGNORECASE)
#: ``where(col: nil)``: rows where the column is empty
_NIL = r"""(?:nil|""|'')"""
_EMPTY_KEY = re.compile(rf"\bwhere\s*\(?\s*(?:\w+:\s*{_NIL}\s*,\s*)*(\w+):\s*{_NIL}")


def destroyed(text: str) -> list[str]:
    """What ``def up`` of a migration deletes or erases ("the rows of User it deletes",
    "users.email"); [] when nothing (a backfill, a remap) or no ``def up``."""
    up = rails.methods(text).get("up")
    if up is None:
        return []
    new = railsops.added_names(text)
    out = []
    for _, sql in rubysql.sql_in(text, "up"):
        for statement in split(sql):
            table = sqlwrites.target(statement.text)
            if table is None:
                continue
            kept = {(sqlwrites.bare(t), c) for t, c in new}
            lost = sqlwrites.destroyed(statement.text, kept)
            if lost:
                out.append(lost)
    columns = {c for _, c in new}
    for number, _ in up.body:
        out += _model_write(rails.whole_call(up.body, number), columns)
    return list(dict.fromkeys(out))


def _model_write(call: str, new: set[str]) -> list[str]:
    """What one ``Model...delete_all`` or ``Model...update_all`` call destroys; ``new``:
    the columns the migration adds (to whichever table: a model names its table by
    Rails' inflection, not read here), which hold nothing to lose."""
    deletes = _DELETES.match(call)
    if deletes is not None:
        return [f"the rows of {deletes.group(1)} it deletes"]
    update = _UPDATE_ALL.match(call)
    if update is None:
        return []
    model, chain, args = update.groups()
    erased = {a or b for a, b in _ERASED_KEY.findall(args)} | set(_ERASED_SQL.findall(args))
    if not erased:
        return []
    empty = set(_EMPTY_KEY.findall(chain))
    out = []
    for column in sorted(erased - empty - new):
        name = rf"(?<![\w$]){re.escape(column)}(?![\w$])"
        # a test of presence (``where.not(c: nil)``, ``"c IS NOT NULL"``) reads no value
        tested = re.sub(rf"{name}\s*(?::|=>)\s*{_NIL}|{name}\s+IS\s", " ", chain, flags=re.I)
        if re.search(name, tested):
            out.append(f"{model}.{column}")
    return out
