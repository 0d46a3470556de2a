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

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, static
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.sqltext import has_code


def downs(changes: ChangeSet, m: Migration) -> Downs:
    """The counts for ``m``'s folder at base (``m`` itself left out), once per run."""

    def read() -> Downs:
        working = without = 0
        for other in detect.chain(changes, m, at_base=True):
            if other.path == m.path or other.framework != m.framework or not other.is_sql:
                continue
            sides = static.sql_sides(changes, other, at_base=True)
            if sides is None or sides.forward_only:
                continue
            if sides.down is not None and has_code(sides.down):
                working += 1
            else:
                without += 1
        return Downs(working, without)

    return changes.fact(f"sql-downs:{m.framework}:{m.directory}", read)
