"""Does a SQL migration folder, as merged, write downs that do something?

Some projects upgrade forward only without saying so: homebox's goose files have no
``-- +goose Down`` section (one in thirteen has), vaultwarden leaves most of its Diesel
``down.sql`` files empty. A missing or empty down in a new migration of such a folder is
the project's convention, not an oversight. The folder is read at base, so a PR cannot
set its own convention (a new folder has no merged migrations and asks for downs).

The counts and what they mean (forward-only, mostly without downs) are
:class:`.habit.Downs`, shared with the frameworks whose folders are read another way
(Doctrine).
"""

from __future__ import annotations

import posixpath

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, godowns, gomig, static
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.habit import Downs, newest_without
from gatekeeper.checks.migrations.sqltext import has_code


def downs(changes: ChangeSet, m: Migration) -> Downs:
    """The counts for ``m``'s folder at base (``m`` itself left out), once per run."""

    def read() -> Downs:
        works: list[bool] = []  # oldest first, as the chain is ordered
        for other in detect.chain(changes, m, at_base=True):
            if other.path == m.path or other.framework != m.framework or not other.is_sql:
                continue
            sides = static.sql_sides(changes, other, at_base=True)
            if sides is None or sides.forward_only:
                continue
            works.append(sides.down is not None and has_code(sides.down))
        working, without = works.count(True), works.count(False)
        if m.framework == detect.GOOSE:  # one chain of SQL and Go files: both say the habit
            go_working, go_without = _go_downs(changes, m.directory)
            # the Go files' order among the SQL ones is not read: no streak from them
            return Downs(working + go_working, without + go_without)
        return Downs(working, without, newest_without(works))

    return changes.fact(f"sql-downs:{m.framework}:{m.directory}", read)


def _go_downs(changes: ChangeSet, folder: str) -> tuple[int, int]:
    """The merged Go migrations of a goose folder: ups with a down that does something,
    and ups whose down is missing or only ``return nil``."""
    working = without = 0
    for path in changes.base_paths((f"{folder}/*.go" if folder else "*.go",)):
        if posixpath.dirname(path) != folder or path.endswith("_test.go"):
            continue
        found = gomig.read(changes.text_at_base(path) or "")
        if found is None or found.library in gomig.FORWARD_ONLY:
            continue
        for pair in found.pairs:
            if pair.up is None or godowns.does_nothing(found, pair.up):
                continue
            if pair.down is not None and not godowns.does_nothing(found, pair.down):
                working += 1
            else:
                without += 1
    return working, without
