"""What a folder's merged migrations say about its habit of writing downs.

A leaf module (no imports from the check) so that every framework's reader can weigh a
new migration by the same counts: SQL folders (convention.py) and PHP classes (phpmig.py,
for Doctrine and Laravel) count their merged migrations with and without a working down,
and the thresholds below decide what a missing or empty down means there.

- :meth:`Downs.forward_only`: at most one merged migration in :data:`RARELY` has a down
  that does something, and at least one has none: treated like other forward-only folders.
- :meth:`Downs.mostly_without`: at least :data:`MOSTLY_AFTER` merged migrations and no
  more than half with a working down, or the newest :data:`RECENT` merged migrations all
  without one (a project that has stopped writing downs: its framework's generated
  first migrations, ``create_users_table`` and the like, still have theirs): a missing or
  empty down is a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.model import Finding, Level

#: a folder where no more than one merged migration in this many has a working down
RARELY = 10
#: merged migrations a folder needs before "most have no down" says anything
MOSTLY_AFTER = 3
#: the newest merged migrations that, all without a working down, say the project has
#: stopped writing them
RECENT = 3


@dataclass(frozen=True, slots=True)
class Downs:
    """A folder's merged migrations: how many have a down that does something."""

    working: int = 0
    without: int = 0
    #: how many of the newest merged migrations in a row have no working down
    newest_without: int = 0

    @property
    def total(self) -> int:
        """Merged migrations counted."""
        return self.working + self.without

    def forward_only(self) -> bool:
        """Downs are the rare exception: none expected."""
        return self.without >= 1 and self.working * RARELY <= self.total

    def mostly_without(self) -> bool:
        """Most merged migrations have no working down, or the newest do not."""
        return (
            self.total >= MOSTLY_AFTER and self.without * 2 >= self.total
        ) or self.newest_without >= RECENT

    def said(self) -> str:
        """How the folder's merged migrations stand, for a message."""
        if self.total >= MOSTLY_AFTER and self.without * 2 >= self.total:
            return f"{self.without} of the folder's {self.total} merged migrations have none"
        return (
            f"the newest {self.newest_without} of the folder's {self.total} merged "
            "migrations have none"
        )

    def note(self) -> str:
        """What a down finding the habit lowers to a warning says about it."""
        return (
            f" The project rarely writes working downs here ({self.said()}): its "
            "convention, so a warning (strict blocks it)."
        )

    def weigh(self, found: list[Finding]) -> list[Finding]:
        """``missing-down``/``empty-down`` errors weighed by the habit: none in a
        forward-only folder, warnings where most merged migrations have none."""
        rules = ("missing-down", "empty-down")
        if not any(f.rule in rules and f.level is Level.ERROR for f in found):
            return found
        if self.forward_only():
            return [f for f in found if f.rule not in rules]
        if not self.mostly_without():
            return found
        return [
            dataclasses.replace(f, level=Level.WARNING, message=f.message + self.note())
            if f.rule in rules and f.level is Level.ERROR
            else f
            for f in found
        ]


def newest_without(works_in_order: Iterable[bool]) -> int:
    """How many of the newest migrations in a row (``works_in_order``: oldest first, each
    whether its down works) have no working down."""
    streak = 0
    for ok in works_in_order:
        streak = 0 if ok else streak + 1
    return streak
