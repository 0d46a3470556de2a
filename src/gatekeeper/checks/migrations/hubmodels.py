"""An Alembic project's references read from its SQLAlchemy models, for hubs.py.

hubs.py counts the tables that reference a table in the merged migrations of its chain.
An Alembic project that squashed its history into one baseline, or whose early tables
came from ``metadata.create_all()`` before Alembic was set up, has few of them left in
its migrations, while its models still declare every one: ``user_id =
sa.Column(sa.ForeignKey("user.id"))`` in the class whose ``__tablename__`` is
``annotation``. The models at base are the schema the application runs on, so their
foreign keys are read as references too: each class (or ``Table("name", ...)``) with a
table name is an owner, and each ``ForeignKey("table.column")`` in it (``sa.``, ``db.``
or bare, ``mapped_column`` alike) points at ``table``.

Read at base, only in the Python files that declare a ``__tablename__`` (a ``Table(`` is
read where one of them is),
outside the migrations folder (its revisions are read by hubs.py already) and tests, at most
:data:`MAX_FILES` of them. A model file a pull request adds cannot make a table a hub.
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet

#: model files read per run, at most
MAX_FILES = 300
#: bytes of one model file read, at most
MAX_BYTES = 400_000

#: what opens an owner's block: a class statement, or an ``sa.Table("name", ...)`` call
_OPENER = re.compile(
    r"^class\s+\w+\s*[(:]|\bTable\(\s*[\"'](?P<table>\w{1,200})[\"']", re.MULTILINE
)
_TABLENAME = re.compile(r"\b__tablename__\s*(?::\s*[\w\[\]]+\s*)?=\s*[\"'](?P<name>\w{1,200})[\"']")
_FOREIGN_KEY = re.compile(
    r"\bForeignKey\(\s*[\"'](?:\w{1,200}\.)?(?P<table>\w{1,200})\.\w{1,200}[\"']"
)


def pairs(changes: ChangeSet, skip_folder: str) -> set[tuple[str, str]]:
    """(referencing table, referenced table) pairs the models at base declare, lower-cased;
    files under ``skip_folder`` are not read."""
    found = changes.base_files_containing(["__tablename__"], ["*.py"]) or []
    prefix = skip_folder.rstrip("/") + "/" if skip_folder not in ("", ".") else None
    paths = [p for p in found if (prefix is None or not p.startswith(prefix)) and not _in_tests(p)]
    out: set[tuple[str, str]] = set()
    for path in sorted(paths, key=_model_first)[:MAX_FILES]:
        text = changes.text_at_base(path)
        if text is not None:
            out |= pairs_in(text[:MAX_BYTES])
    return out


def _in_tests(path: str) -> bool:
    """A test's models (a fixture's tables) are no schema the application runs on."""
    parts = path.lower().split("/")
    return any(p in ("tests", "test") for p in parts) or posixpath.basename(path).startswith(
        "test_"
    )


def _model_first(path: str) -> tuple[int, str]:
    """Files under a ``models`` folder or named ``models.py`` first."""
    return (0 if any(p.startswith("model") for p in path.lower().split("/")) else 1, path)


def pairs_in(text: str) -> set[tuple[str, str]]:
    """(owner, referenced table) pairs of one models file."""
    out: set[tuple[str, str]] = set()
    openers = list(_OPENER.finditer(text))
    for i, opener in enumerate(openers):
        end = openers[i + 1].start() if i + 1 < len(openers) else len(text)
        block = text[opener.end() : end]
        owner = opener.group("table")
        if owner is None:
            named = _TABLENAME.search(block)
            if named is None:
                continue
            owner = named.group("name")
        for ref in _FOREIGN_KEY.finditer(block):
            target = ref.group("table").lower()
            if target != owner.lower():
                out.add((owner.lower(), target))
    return out
