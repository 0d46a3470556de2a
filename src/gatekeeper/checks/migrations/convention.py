"""Does a SQL migration folder, as merged, write downs that do something?

Some projects upgrade forward only without saying so: homebox's goose files have no
``-- +goose Down`` section (one in thirteen has), vaultwarden leaves most of its Diesel
``down.sql`` files empty. A missing or empty down in a new migration of such a folder is
the project's convention, not an oversight. The folder is read at base, so a PR cannot
set its own convention (a new folder has no merged migrations and asks for downs).

- :func:`forward_only`: at most one merged migration in :data:`RARELY` has a down that
  does something, and at least one has none: treated like other forward-only folders.
- :func:`mostly_without`: at least :data:`MOSTLY_AFTER` merged migrations and no more
  than half with a working down: a missing or empty down is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect, static
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.sqltext import has_code

#: a folder where no more than one merged migration in this many has a working down
RARELY = 10
#: merged migrations a folder needs before "most have no down" says anything
MOSTLY_AFTER = 3


@dataclass(frozen=True, slots=True)
class Downs:
    """The folder's merged SQL migrations: how many have a down that does something."""

    working: int = 0
    without: int = 0

    @property
    def total(self) -> int:
        """Merged migrations counted."""
        return self.working + self.without

    def forward_only(self) -> bool:
        """Downs are the rare exception: none expected."""
        return self.without >= 1 and self.working * RARELY <= self.total

    def mostly_without(self) -> bool:
        """Most merged migrations have no working down."""
        return self.total >= MOSTLY_AFTER and self.without * 2 >= self.total

    def said(self) -> str:
        """How the folder's merged migrations stand, for a message."""
        return f"{self.without} of the folder's {self.total} merged migrations have none"


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
