"""Round-trip Django migrations through the project's own settings.

``DJANGO_SETTINGS_MODULE`` comes from the policy (``checks.migrations.django.settings``),
else from ``manage.py`` (its ``os.environ.setdefault(...)``). In a child process
(:mod:`.child`, the sandbox) the settings are loaded, the default database is replaced
by a scratch one (SQLite or PostgreSQL, as ``roundtrip`` says), and the project is
migrated to the base state (every migration but the changed ones and those that depend
on them), forward to the leaves, back to the base state, and forward again; the schema is
compared as sets of facts after each return (:mod:`.django_child`).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import alembic_project, child
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.roundtrip import Problem
from gatekeeper.checks.migrations.runconfig import Settings, Where

CHILD_MODULE = "gatekeeper.checks.migrations.django_child"
_SETTINGS = re.compile(
    r"""os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']"""
)
HOW_TO = (
    "the round trip loads the project's settings and apps, so Django and the application "
    "must be importable where the gate runs: use the in-job action "
    "(<org>/gatekeeper/in-job@v1) after the job installs the project; name the settings "
    "module in checks.migrations.django.settings (else manage.py's DJANGO_SETTINGS_MODULE "
    "is used), the variables the settings need in checks.migrations.environment or pass_env; "
    "or set checks.migrations.django.mode: off"
)


def settings_module(changes: ChangeSet) -> tuple[str, str] | None:
    """(settings module, folder of manage.py) read from the repository's manage.py."""
    for path in changes.head_paths(["manage.py", "*/manage.py", "*/*/manage.py"]):
        m = _SETTINGS.search(changes.text_at_head(path) or "")
        if m:
            return m.group(1), posixpath.dirname(path)
    return None


def run(where: Where, changed: list[Migration], db: dict[str, str], s: Settings) -> list[Problem]:
    """Round-trip the changed Django migrations; the problems found."""
    changes = where.changes
    mode = str(s.django.get("mode", "auto"))
    present = [m.path for m in changed if changes.text_at_head(m.path) is not None]
    if mode == "off" or not present:
        return []
    found = settings_module(changes)
    module = s.django.get("settings") or (found[0] if found else "")
    base = str(s.django.get("root", found[1] if found else ""))
    if not module:
        why = "no Django settings module was found (no manage.py setting it); " + HOW_TO
        return [Problem(p, False, why) for p in present]
    checkout = where.changes.root
    stale = [p for p in present if not _on_disk(checkout, p, changes.bytes_at_head(p))]
    if stale:
        why = (
            f"{stale[0]} on disk differs from the head commit: a Django round trip runs the "
            "files of the checkout, so check out the head being judged"
        )
        return [Problem(p, False, why) for p in present]
    root = checkout / base if base else checkout
    job = {
        "kind": "django",
        "db": db,
        "settings": module,
        "paths": [str(root), str(checkout)],
        "environment": dict(s.environment),
        "migrations": [str(checkout / p) for p in present],
        "relative": present,
    }
    passed = alembic_project.passed_environment(list(s.pass_env))
    how = child.Spawn(CHILD_MODULE, where.folder, where.remaining(), checkout, root, passed)
    answer = child.run(job, present, how)
    if answer.unloadable:
        why = f"{answer.unloadable}; {HOW_TO}"
        return [Problem(p, False, why) for p in present]
    return answer.problems


def _on_disk(checkout: Path, path: str, head: bytes | None) -> bool:
    try:
        return (checkout / path).read_bytes() == head
    except OSError:
        return False
