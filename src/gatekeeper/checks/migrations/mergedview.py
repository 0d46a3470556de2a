"""An edited merged migration, judged for what the edit brings: its merged version's hazards
are not new.

A migration merged but in no release yet may still be edited (not a history rewrite). The
safety review then reads the whole statement, call or block the edit touches, so a fix to
one clause of a multi-clause ``ALTER TABLE``, or a drop moved below the backfill that must
precede it, reports again every drop the merged file already had, and blocks on what the
pull request did not bring. :func:`merged_version` gives the change as if it had added the
merged version whole (read at base, the head's renames undone); its safety findings are
marked as existing at base, so that many identical head findings (same rule, path and
evidence) count as pre-existing. A hazard the edit adds, or one the merged version's
context relieved and the edit no longer does, has no twin at base and still counts. Not
for a Liquibase changelog: one file holds many migrations, whose new changesets are judged
apart already (an old changeset retyping a column must not excuse a new one).
"""

from __future__ import annotations

import dataclasses

from gatekeeper.changes import ChangedFile, ChangeSet, FileStatus
from gatekeeper.checks.migrations.detect import Migration


def merged_version(changes: ChangeSet, m: Migration) -> ChangeSet | None:
    """The change as if it added ``m``'s merged version whole, everything else read as
    merged; None when ``m`` is new (or its merged version unreadable)."""
    undone = changes.renames_undone_at_base()
    text = undone.text_at_base(m.path)
    if text is None or changes.get(m.path) is None:
        return None
    whole = ChangedFile(m.path, FileStatus.ADDED, added=((1, text.count("\n") + 1),))
    return dataclasses.replace(undone, head_tree=undone.base_tree, files=(whole,))
