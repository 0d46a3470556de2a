"""Tables and columns no release has shipped: dropping one loses no user's data.

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

A column is told the same way (:func:`unshipped_column_since`): a merged migration added
it to its table (``ADD COLUMN``, Rails' ``add_column``, knex's and Sequelize's
``addColumn``) and no released file of the chain names it. Tianji's FeedChannel
``notifyFrequency``, added as text and re-created as an enum the same day, never reached a
user's database.

Both also ask the release itself: a file of the chain's folder at the release tag that
names the table (or the column) means a released database holds it, whatever the files at
base say. A chain squashed or renumbered since the release (rauthy replaced its
``N_name.sql`` files by one ``V1__init_schema.sql`` when it changed migration tools) has
only new files naming a table the release created; without this, they would make it look
unshipped.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.git import run_git
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.migrations.detect import DIESEL, PRISMA, SQITCH, Migration
from gatekeeper.checks.migrations.history import in_release
from gatekeeper.errors import GitError

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


def _chain_files(m: Migration) -> str:
    """The glob of the files of ``m``'s chain: its folder's, or the folders of one
    migration each under it (Prisma, diesel, sqitch)."""
    folder = m.directory
    if m.framework in (PRISMA, DIESEL, SQITCH):
        return f"{folder}/**" if folder else "**"
    return f"{folder}/*" if folder else "*"


def unshipped_since(changes: ChangeSet, m: Migration, table: str) -> tuple[str, str] | None:
    """``(tag, path)`` when ``table`` was created by migrations of ``m``'s folder that are
    merged but in no release yet (``path``: the first of them), else None."""
    tag = newest_release(changes)
    if not tag or not table or table == "?":
        return None
    creates = _creates(table)
    found = changes.base_files_containing([table], [_chain_files(m)])
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
    if released_names(changes, tag, _chain_files(m), table):
        return None  # the release's own files of the chain name it: a squash since
    return tag, creators[0]


def _adds_column(table: str, column: str) -> re.Pattern[str]:
    t, c = re.escape(table), re.escape(column)
    quoted_t = rf"[`\"'\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?{t}[`\"'\]]?"
    quoted_c = rf"[`\"'\[]?{c}[`\"'\]]?"
    return re.compile(
        rf"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?{quoted_t}\s[^;]{{0,2000}}?"
        rf"\badd\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?{quoted_c}\s"
        rf"|\b(?:add_column|addColumn)\s*\(?\s*:?{quoted_t}\s*,\s*:?{quoted_c}(?![\w-])",
        re.IGNORECASE,
    )


def unshipped_column_since(
    changes: ChangeSet, m: Migration, table: str, column: str
) -> tuple[str, str] | None:
    """``(tag, path)`` when ``column`` was added to ``table`` by a migration of ``m``'s
    chain that is merged but in no release yet, and every merged file of the chain naming
    the column is unreleased too (``path``: the first that adds it), else None."""
    tag = newest_release(changes)
    if not tag or not table or not column or "?" in (table, column):
        return None
    found = changes.base_files_containing([column], [_chain_files(m)])
    if not found or len(found) > MAX_FILES:
        return None
    adds = _adds_column(table, column)
    adders = [
        path for path in sorted(found)
        if (text := changes.text_at_base(path)) is not None and adds.search(text)
    ]  # fmt: skip
    if not adders or any(in_release(changes, tag, p) for p in found):
        return None
    if released_names(changes, tag, _chain_files(m), table, column):
        return None
    return tag, adders[0]


def released_names(changes: ChangeSet, tag: str, files: str, *words: str) -> bool:
    """Whether one file of the release ``tag`` matching the glob ``files`` names every
    one of ``words`` as a whole word, in any case (or git cannot tell: fail closed, the
    drop keeps its error)."""
    args = ["grep", "-l", "-I", "-i", "-w", "-F", "--all-match"]
    for word in words:
        args += ["-e", word]
    try:
        done = run_git(changes.root, *args, tag, "--", files, check=False, timeout=30)
    except GitError:
        return True
    return done.returncode != 1  # 0: found; 1: none; anything else: unknown
