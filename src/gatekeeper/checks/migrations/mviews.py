"""A materialized view dropped and created again by the same migration.

ClickHouse drops a materialized view with ``DROP TABLE``, and a migration that changes
what the view selects drops it and creates it again (umami's
``DROP TABLE umami.website_event_stats_hourly_mv`` before ``CREATE MATERIALIZED VIEW
umami.website_event_stats_hourly_mv TO umami.website_event_stats_hourly``). A view that
writes ``TO`` another table holds no rows of its own: no data is lost, only what is
inserted between the two statements misses the view. The drop is then a warning, when the
same file creates a materialized view of that name after it and the merged SQL of the
folder (or of the one above it, where a schema file sits) created the name as a
materialized view too (read at base, so a PR cannot make a table a view by saying so).
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.sqltext import strip_comments

#: merged files of the folder read for the view's creation, at most
MAX_FILES = 20


def _creates_view(bare: str) -> re.Pattern[str]:
    name = rf"[`\"\[]?(?:\w+[`\"\]]?\.[`\"\[]?)?{re.escape(bare)}[`\"\]]?"
    return re.compile(
        rf"\bCREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?{name}(?![\w])"
        rf"(?:\s+ON\s+CLUSTER\s+\S+)?\s+TO\b",
        re.IGNORECASE,
    )


def recreated_view(changes: ChangeSet, m: Migration, table: str, line: int) -> bool:
    """True when the drop of ``table`` at ``line`` of ``m`` drops a materialized view
    (``TO`` another table) that the merged folder created and ``m`` creates again."""
    text = changes.text_at_head(m.path)
    bare = table.rsplit(".", 1)[-1].strip('`"[]')
    if text is None or not bare or bare == "?":
        return False
    creates = _creates_view(bare)
    if not creates.search(strip_comments("\n".join(text.splitlines()[line:]))):
        return False
    # the folder's chain, and the schema file a project keeps beside it (umami's
    # db/clickhouse/schema.sql above db/clickhouse/migrations/)
    parent = posixpath.dirname(m.directory)
    patterns = [f"{parent}/*.sql" if parent else "*.sql"]
    found = changes.base_files_containing([bare], patterns)
    if not found or len(found) > MAX_FILES:
        return False
    return any(creates.search(strip_comments(changes.text_at_base(p) or "")) for p in found)
