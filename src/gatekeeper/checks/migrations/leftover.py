"""A ``DROP TABLE IF EXISTS`` clearing a leftover before the migration creates the table.

vaultwarden's ``add_archives`` starts with ``DROP TABLE IF EXISTS archives`` and then
creates ``archives``: no merged migration of the folder ever created (or named) that
table, so on every database the chain built there is nothing to lose; the drop only
clears what a failed earlier attempt may have left. The drop is then a warning, when:
it says ``IF EXISTS``, the same file creates the table after it, and no merged file of
the folder names the table (read at base, so a PR cannot hide a table it drops by
editing the merged migrations; a word search, so any mention keeps the error).
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.sqltext import strip_comments


def leftover(changes: ChangeSet, m: Migration, table: str, line: int) -> bool:
    """True when the drop of ``table`` at ``line`` of ``m`` clears a leftover."""
    text = changes.text_at_head(m.path)
    bare = table.rsplit(".", 1)[-1].strip('`"[]')
    if text is None or not bare or bare == "?":
        return False
    name = rf"[`\"\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?{re.escape(bare)}[`\"\]]?"
    lines = text.splitlines()
    here = strip_comments("\n".join(lines[line - 1 : line + 2]))
    if not re.search(rf"\bDROP\s+TABLE\s+IF\s+EXISTS\s+{name}(?![\w])", here, re.I):
        return False
    after = strip_comments("\n".join(lines[line:]))
    if not re.search(rf"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{name}\s*\(", after, re.I):
        return False
    folder = m.directory
    pattern = f"{folder}/*" if folder else "*"
    found = changes.base_files_containing([bare], [pattern])
    return found is not None and not found
