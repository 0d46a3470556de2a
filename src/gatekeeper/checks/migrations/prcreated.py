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
    made = None
    for earlier in _earlier_added(changes, m):
        text = strip_comments(changes.text_at_head(earlier.path) or "")
        made = made or (earlier.path if _creates(text, table, column) else None)
        if made and _filled(text, table, column):
            return None  # the change copied stored values into it: dropping it loses them
    return made


#: the ORM calls that create a table, read as prcreated's SQL is: Rails' ``create_table``,
#: Laravel's ``Schema::create``, Alembic's ``op.create_table``, knex's ``createTable``
_ORM_CREATE = (r"\bcreate_table\s*\(?\s*", r"\bSchema::create\s*\(\s*", r"\bcreateTable\s*\(\s*")


def table_creator(changes: ChangeSet, m: Migration, table: str) -> str | None:
    """The path of the migration this change adds before ``m`` (itself new) that creates
    ``table``, in SQL or an ORM's create-table call, when no merged file of the folder
    names the table; else None. Whether rows were written since is the caller's question."""
    if not table or not _added(changes, m.path) or _at_base(changes, m, table, ""):
        return None
    t = _name(table)
    for earlier in _earlier_added(changes, m):
        text = _up_part(strip_comments(changes.text_at_head(earlier.path) or ""))
        orm = any(re.search(call + t, text) for call in _ORM_CREATE)
        if orm or _creates(text, table, ""):
            return earlier.path
    return None


def up_texts(changes: ChangeSet, m: Migration) -> list[str]:
    """The up sides of the change's new migrations before ``m``, and of ``m``."""
    return _up_texts(changes, m)


def filled(changes: ChangeSet, m: Migration, target: tuple[str, ...]) -> str | None:
    """The migration of this change (``m`` or an earlier new one) that copies stored values
    into ``target``, a table or column the change itself creates; else None. Such a name
    is new, so no code at base reads it, yet dropping it loses what was copied there."""
    if not target or "?" in target or not _added(changes, m.path):
        return None
    table = target[0].rsplit(".", 1)[-1].strip('`"[]')
    column = target[1].strip('`"[]') if len(target) > 1 else ""
    paths = [e.path for e in _earlier_added(changes, m)] + [m.path]
    texts = list(zip(paths, _up_texts(changes, m), strict=True))
    if not table or not any(_creates(t, table, column) for _, t in texts):
        return None
    return next((p for p, t in texts if _filled(t, table, column)), None)


#: where a migration's down side starts (Alembic, Rails, Ecto, PHP, Node, goose/dbmate)
_DOWN = re.compile(
    r"\bdef\s+(?:downgrade|down)\b|\bfunction\s+down\s*\(|\bexports\.down\b|"
    r"\basync\s+down\s*\(|^\s*down\s*\(|--\s*\+goose\s+down|--\s*migrate:down|"
    r"--\s*\+migrate\s+down",
    re.IGNORECASE | re.MULTILINE,
)


def _up_part(text: str) -> str:
    """``text`` up to its down side: what the down restores is not what the up did."""
    found = _DOWN.search(text)
    return text[: found.start()] if found else text


#: a value written that is a constant: it holds nothing a database stored
_CONSTANT = r"(?:'[^']*'|\d+(?:\.\d+)?|null|true|false|now\(\)|current_timestamp)"


def _filled(text: str, table: str, column: str) -> bool:
    """Whether ``text`` (a migration of the change) copies stored values into the table
    or column it created: an ``UPDATE`` setting the column to anything but a constant
    (``SET notes = legacy``), Django's ``update(notes=F("legacy"))``, an ``INSERT ...
    SELECT`` into the table. Dropping it later in the same change loses those values, as
    dropping where they came from would have."""
    t = _name(table)
    if re.search(rf"\binsert\s+into\s+{t}[^;]*?\bselect\b", text, re.IGNORECASE):
        return True
    if not column:
        return False
    c = _name(column)
    for stmt in text.split(";"):
        if not re.search(rf"\bupdate\s+(?:only\s+)?{t}\s+set\b", stmt, re.IGNORECASE):
            continue
        for found in re.finditer(rf"[\s,]{c}\s*=", stmt, re.IGNORECASE):
            value = stmt[found.end() :].lstrip()
            if not re.match(rf"{_CONSTANT}\s*(?:,|\bwhere\b|[\"')]|$)", value, re.I):
                return True
    raw = column.strip('`"[]')
    return re.search(rf"\b{re.escape(raw)}\s*=\s*(?:models\.)?F\(", text) is not None


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
    # and those the change filled with stored values: new, but no longer empty
    texts = _up_texts(changes, m)
    merged |= {p for p in ordered[:MAX_LOOKUPS] if any(_filled(t, *p) for t in texts)}
    return merged


def filled_tables(changes: ChangeSet, m: Migration, tables: set[str]) -> set[str]:
    """Which of ``tables`` (created by the change's earlier migrations) the change filled
    with rows copied from elsewhere (``INSERT INTO t ... SELECT``): dropping one loses them."""
    if not tables or not _added(changes, m.path):
        return set()
    texts = _up_texts(changes, m)
    return {t for t in tables if any(_filled(text, t, "") for text in texts)}


def _up_texts(changes: ChangeSet, m: Migration) -> list[str]:
    """The up sides of the change's new migrations before ``m``, and of ``m``."""
    paths = [e.path for e in _earlier_added(changes, m)] + [m.path]
    return [_up_part(strip_comments(changes.text_at_head(p) or "")) for p in paths]


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
