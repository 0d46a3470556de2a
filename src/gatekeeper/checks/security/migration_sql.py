"""Is a bandit finding inside a database migration the project already keeps?

A migration runs once, at deploy, by the operator, with the values it holds itself: SQL
it builds by formatting (``f"UPDATE t SET c = CASE k {cases} END"``, the cases written
from an enum in the file) is not fed by a request. Bandit's B608 there is worth a look,
not a block. The file must be a migration (an Alembic revision or a Django migration, as
the migrations check recognises them) in a folder that held migrations of its framework
at base: a PR cannot give application code a ``revision =`` line, or start a migrations
folder of its own, to have its SQL judged as a migration's.
"""

from __future__ import annotations

import posixpath

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import detect

#: the frameworks whose migrations are Python files bandit scans
_PYTHON = frozenset({detect.ALEMBIC, detect.DJANGO})
#: merged files read at most to find one migration beside the changed one
_MAX_READ = 20


def in_migration(changes: ChangeSet, path: str) -> bool:
    """True when ``path`` at head is a Python migration in an established folder."""
    m = detect.classify(path, changes.text_at_head(path))
    if m is None or m.framework not in _PYTHON:
        return False
    folder = posixpath.dirname(path)
    return changes.fact(
        f"established-migrations:{m.framework}:{folder}",
        lambda: _established(changes, m.framework, folder, path),
    )


def _established(changes: ChangeSet, framework: str, folder: str, path: str) -> bool:
    """The folder held a migration of ``framework`` at base (``path`` itself left out)."""
    pattern = f"{folder}/*.py" if folder else "*.py"
    read = 0
    for other in changes.base_paths((pattern,)):
        if other == path or posixpath.dirname(other) != folder:
            continue
        if read >= _MAX_READ:
            break
        read += 1
        found = detect.classify(other, changes.text_at_base(other))
        if found is not None and found.framework == framework:
            return True
    return False
