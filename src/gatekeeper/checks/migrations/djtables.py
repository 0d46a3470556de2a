"""The database tables a Django migration's findings are about, as a policy names them.

A Django operation names a model (``model_name='task'``); a policy's ``large_tables`` lists
database tables (``core_task``). A finding carries both: the model's default table
(``<app label>_<model>``, the label the app's AppConfig declares, else the app's folder),
the lowercased model name, and the class name as the app's models declare it
(``JobLogEntry``), whose words say what ``joblogentry`` hides (a log).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations.hits import Hit


def named(changes: ChangeSet, path: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` of the Django migration at ``path``, each naming its table every way."""
    if not any(h.table for h in hits):
        return hits
    classes = _model_classes(changes, path)
    label = _app_label(changes, path)
    return [_django_table(h, path, classes, label) for h in hits]


def _django_table(hit: Hit, path: str, classes: dict[str, str], label: str = "") -> Hit:
    """A model's table as Django names it by default (``<app label>_<model>``), before the
    model's own name: a policy lists database tables, and either name may be the one. The
    app label is the one its AppConfig declares (``label``), else the app's folder. The
    model's class name, as its app declares it (``JobLogEntry``), comes last: its words
    say what a lowercased ``joblogentry`` hides (a log)."""
    if not hit.table:
        return hit
    app = label or posixpath.basename(posixpath.dirname(posixpath.dirname(path)))
    model = hit.table[0].lower()
    names = (f"{app}_{model}", model) if app else (model,)
    declared = classes.get(model)
    return dataclasses.replace(hit, table=(*names, declared) if declared else names)


_CLASS = re.compile(r"^class\s+([A-Za-z_]\w*)\s*[(:]", re.MULTILINE)
#: an AppConfig's own label (pulpcore's ``pulpcore/app`` is ``label = "core"``)
_LABEL = re.compile(r"^\s+label\s*=\s*[\"']([A-Za-z_]\w*)[\"']", re.MULTILINE)


def _app_label(changes: ChangeSet, path: str) -> str:
    """The label the app of migration ``path`` declares in its ``apps.py`` (read at head:
    the label names the tables the migration creates), or "" for the folder's name."""
    app = posixpath.dirname(posixpath.dirname(path))
    text = changes.text_at_head(posixpath.join(app, "apps.py")) or ""
    if "AppConfig" not in text:
        return ""
    found = set(_LABEL.findall(text))
    return found.pop() if len(found) == 1 else ""


def _model_classes(changes: ChangeSet, path: str) -> dict[str, str]:
    """The classes the migration's app declares in its models (``models.py`` or the
    ``models/`` package), by lowercased name: how Django's migrations name a model."""
    app = posixpath.dirname(posixpath.dirname(path))
    where = [posixpath.join(app, "models.py"), posixpath.join(app, "models", "*.py")]
    found: dict[str, str] = {}
    for source in changes.head_paths(where):
        for name in _CLASS.findall(changes.text_at_head(source) or ""):
            found.setdefault(name.lower(), name)
    return found
