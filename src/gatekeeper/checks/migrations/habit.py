"""What a folder's merged migrations say about its habit of writing downs.

A leaf module (no imports from the check) so that every framework's reader can weigh a
new migration by the same counts: SQL folders (convention.py) and PHP classes (phpmig.py,
for Doctrine and Laravel) count their merged migrations with and without a working down,
and the thresholds below decide what a missing or empty down means there.

- :meth:`Downs.forward_only`: at most one merged migration in :data:`RARELY` has a down
  that does something, and at least one has none: treated like other forward-only folders.
- :meth:`Downs.mostly_without`: at least :data:`MOSTLY_AFTER` merged migrations and no
  more than half with a working down: a missing or empty down is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

#: a folder where no more than one merged migration in this many has a working down
RARELY = 10
#: merged migrations a folder needs before "most have no down" says anything
MOSTLY_AFTER = 3


@dataclass(frozen=True, slots=True)
class Downs:
    """A folder's merged migrations: how many have a down that does something."""

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
