"""A drop of what an earlier migration of the same change created: no stored value is lost.

OpenPanel's pull request adds ``projects.cors`` in one new migration and, in a second
new one, drops it to add it again as an array (Prisma's way to change a column's type).
No database holds a value in that column before the change is merged: every database
that runs the drop ran the creation a moment before, in the same deploy. Dropping it is
then no data loss, and the drop is a warning. The relief holds only when:

- the migration holding the drop and the one creating the table or column are both
  added by the change, in the same folder, the creator earlier in the chain's order;
- the creator says so in SQL (``CREATE TABLE t (...)``, with the column in it for a
  column; ``ALTER TABLE t ... ADD [COLUMN] c``) or in the ORM calls that spell the same
  (``add_column`` of Rails and Alembic, Django's ``AddField``);
- no merged file of the folder could have created it first (read at base, so a change
  cannot hide a column by editing merged migrations): for a table, no file names it;
  for a column, no statement names both the table and the column (``cors`` on
  ``clients`` says nothing of ``projects``). Any doubt keeps the error.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.checks.migrations import detect
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.sqltext import strip_comments

#: merged files of the folder naming the dropped name that are read, at most
MAX_FILES = 40


def _name(word: str) -> str:
    """``word`` as SQL or an ORM may write it: bare, quoted, or schema-qualified."""
    return rf"[`\"'\[:]?(?:\w+[`\"\]]?\.[`\"\[]?)?{re.escape(word)}[`\"'\]]?(?![\w-])"


def creator(changes: ChangeSet, m: Migration, target: tuple[str, ...]) -> str | None:
    """The path of the migration this change adds before ``m`` that created ``target``
    (``(table,)`` or ``(table, column)``), when nothing merged could have; else None."""
    if not target or "?" in target or not _added(changes, m.path):
        return None
    table = target[0].rsplit(".", 1)[-1].strip('`"[]')
    column = target[1].strip('`"[]') if len(target) > 1 else ""
    if not table or _at_base(changes, m, table, column):
        return None
    for earlier in _earlier_added(changes, m):
        text = strip_comments(changes.text_at_head(earlier.path) or "")
        if _creates(text, table, column):
            return earlier.path
    return None


def _added(changes: ChangeSet, path: str) -> bool:
    found = changes.get(path)
    return found is not None and found.status is FileStatus.ADDED


def _earlier_added(changes: ChangeSet, m: Migration) -> list[Migration]:
    members = detect.chain(changes, m)
    paths = [x.path for x in members]
    if m.path not in paths:
        return []
    before = members[: paths.index(m.path)]
    return [x for x in before if x.path != m.path and _added(changes, x.path)]


#: columns looked up in the merged chain per migration, at most (the rest count as merged)
MAX_LOOKUPS = 20


def merged_columns(
    changes: ChangeSet, m: Migration, pairs: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which ``(table, column)`` pairs (columns the change's earlier migrations add) a
    merged migration of ``m``'s folder may have created: ``ADD COLUMN IF NOT EXISTS
    email`` in a PR does not make a merged column new, but ``cors`` merged on ``clients``
    says nothing of ``projects.cors``. Past the bound, every pair counts as merged."""
    ordered = sorted(p for p in pairs if all(p))
    merged = set(ordered[MAX_LOOKUPS:])
    merged |= {p for p in ordered[:MAX_LOOKUPS] if _at_base(changes, m, *p)}
    return merged


def _at_base(changes: ChangeSet, m: Migration, table: str, column: str) -> bool:
    """Whether a merged file of the folder may have created the table (names it) or the
    column (a statement names both); True when the base cannot be read."""
    folder = m.directory
    pattern = f"{folder}/*" if folder else "*"
    # a statement naming both is in a file naming the column
    found = changes.base_files_containing([column or table], [pattern])
    if found is None or len(found) > MAX_FILES:
        return True
    if not column:
        return bool(found)
    both = re.compile(rf"(?is)(?=.*{_name(table)})(?=.*{_name(column)})")
    for path in found:
        text = strip_comments(changes.text_at_base(path) or "")
        if any(both.match(stmt) for stmt in text.split(";")):
            return True
    return False


def _creates(text: str, table: str, column: str) -> bool:
    """Whether ``text`` creates the table, or adds the column to it."""
    t = _name(table)
    if not column:
        pattern = rf"\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?{t}\s*\("
        return re.search(pattern, text, re.IGNORECASE) is not None
    c = _name(column)
    for stmt in text.split(";"):
        created = rf"\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?{t}\s*\((?s:.*){c}"
        if re.search(created, stmt, re.IGNORECASE):
            return True
        if re.search(rf"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?{t}", stmt, re.I) and (
            re.search(rf"\badd\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?{c}", stmt, re.I)
        ):
            return True
    calls = (
        rf"\badd_column\s*\(?\s*{t}\s*,\s*(?:sa\.Column\(\s*)?{c}",
        rf"\bAddField\(\s*(?:model_name\s*=\s*)?{t}\s*,\s*(?:name\s*=\s*)?{c}",
    )
    return any(re.search(p, text, re.IGNORECASE) for p in calls)
