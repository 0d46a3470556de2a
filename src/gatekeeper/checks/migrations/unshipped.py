"""Tables no release has shipped: dropping one, or a column of one, loses no user's data.

A team that adds a table and, before the next release, drops a column of it again (the
design changed during review of the feature) destroys nothing: only development databases
ever held rows there. The gate tells such a table by its creation: every migration of the
chain that creates it (``CREATE TABLE``, Alembic's ``op.create_table``, knex/db-migrate/
Sequelize ``createTable``, Rails ``create_table``, Liquibase's ``<createTable
tableName=...>``) is merged at base but absent from the newest release (git tags, as for
history rewrites), and so is every other merged file of the folder naming it. A table
whose creation the gate cannot find, or that a released migration names, keeps the drop's
error: fail closed. Without release tags nothing is known to be
unshipped.
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.history import in_release

#: the rules whose harm is losing data that a released database may hold
DATA_RULES = frozenset({"drop-column", "drop-table"})
#: files of the chain read for a table's creation, at most
MAX_FILES = 20


def _creates(table: str) -> re.Pattern[str]:
    name = re.escape(table)
    quoted = rf"[`\"'\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?{name}[`\"'\]]?"
    return re.compile(
        rf"\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?{quoted}\s*\("
        rf"|\b(?:create_table|createTable)\s*\(?\s*:?{quoted}(?![\w-])"
        # Liquibase: <createTable tableName="x">, and YAML's createTable: / tableName: x
        rf"|\bcreateTable\b[^>]{{0,300}}?\btableName\s*[=:]\s*{quoted}(?![\w-])",
        re.IGNORECASE,
    )


def unshipped_since(changes: ChangeSet, m: Migration, table: str) -> tuple[str, str] | None:
    """``(tag, path)`` when ``table`` was created by migrations of ``m``'s folder that are
    merged but in no release yet (``path``: the first of them), else None."""
    tag = newest_release(changes)
    if not tag or not table or table == "?":
        return None
    folder = posixpath.dirname(m.path)
    pattern = f"{folder}/*" if folder else "*"
    creates = _creates(table)
    found = changes.base_files_containing([table], [pattern])
    if not found or len(found) > MAX_FILES:
        return None  # unknown, or too long a history to read: the drop keeps its error
    creators = []
    for path in sorted(found):
        text = changes.text_at_base(path)
        if text is not None and creates.search(text):
            creators.append(path)
    # every merged file naming the table, not only the creators, must be unreleased: an
    # idempotent CREATE TABLE IF NOT EXISTS since the release proves nothing on its own
    if not creators or any(in_release(changes, tag, p) for p in found):
        return None
    return tag, creators[0]
