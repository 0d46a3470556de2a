"""Drizzle Kit's generated SQL migrations: where they live and which database they are for.

``drizzle-kit generate`` writes ``NNNN_<words>.sql`` files into the config's ``out``
folder (``drizzle/`` by default) and records each one in ``meta/_journal.json`` beside
them; the journal also names the database (``pg``/``postgresql``, ``sqlite``, ``mysql``).
The file names follow no other framework's convention, so a folder is known as Drizzle's
by its journal, or by a ``drizzle.config.*`` whose ``out`` names it. drizzle-kit resolves
``out`` against the directory it runs in (the package root, often above the config, as in
a monorepo app keeping its config in ``server/db/``), so every folder from the config's up
to the repository root counts as a base. Drizzle has no down migrations: forward-only.
"""

from __future__ import annotations

import json
import posixpath
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import variants

#: the journal drizzle-kit keeps in the ``out`` folder
JOURNAL = "meta/_journal.json"
_CONFIGS = frozenset(f"drizzle.config.{ext}" for ext in ("ts", "js", "mjs", "cjs", "mts", "json"))
#: ``out: "./drizzle"`` in a TypeScript or JavaScript config, ``"out": ...`` in JSON
_OUT = re.compile(r"""["']?\bout["']?\s*:\s*["'`]([^"'`\n]+)["'`]""")
#: the journal's database names, as the runner names them (see variants.RULES_DIALECT)
_DIALECTS = {"pg": "postgres", "postgresql": "postgres", "sqlite": "sqlite3",
             "turso": "sqlite3", "mysql": "mysql", "singlestore": "mysql"}  # fmt: skip


def is_folder(changes: ChangeSet, folder: str) -> bool:
    """True when ``folder`` holds Drizzle migrations, on either side of the change (a new
    project adds its journal with its first migration; a PR deleting the journal does not
    make the merged migrations something else)."""
    journal = posixpath.join(folder, JOURNAL)
    if changes.bytes_at_head(journal) is not None or changes.bytes_at_base(journal) is not None:
        return True
    return folder in _out_folders(changes)


def _out_folders(changes: ChangeSet) -> frozenset[str]:
    """Every folder a ``drizzle.config.*`` at either side may mean by its ``out`` (from the
    listing of the tree the SQL pairing reads anyway: no listing of its own)."""

    def find() -> frozenset[str]:
        found: set[str] = set()
        for at_base, read in ((False, changes.text_at_head), (True, changes.text_at_base)):
            for folder, names in variants.folders(changes, at_base=at_base).items():
                for name in sorted(names & _CONFIGS):
                    path = posixpath.join(folder, name)
                    found |= _bases(path, read(path) or "")
        return frozenset(found)

    return changes.fact("migrations.drizzle-out-folders", find)


def _bases(config: str, text: str) -> set[str]:
    """The config's ``out`` resolved against its folder and each folder above it."""
    m = _OUT.search(text)
    if m is None:
        return set()
    out = m.group(1).strip()
    if out.startswith("/"):
        return set()
    folder = posixpath.dirname(config)
    found = set()
    while True:
        where = posixpath.normpath(posixpath.join(folder, out))
        if not where.startswith(".."):
            found.add("" if where == "." else where)
        if not folder:
            return found
        folder = posixpath.dirname(folder)


def dialect(changes: ChangeSet, folder: str) -> str:
    """The database the folder's journal names (runner's name: ``postgres``, ``sqlite3``,
    ``mysql``), "" when unknown. The merged journal is read first, so a PR cannot move a
    merged chain to another database's rules by editing it."""
    journal = posixpath.join(folder, JOURNAL)
    text = changes.text_at_base(journal) or changes.text_at_head(journal)
    try:
        data = json.loads(text or "")
    except ValueError:
        return ""
    name = data.get("dialect") if isinstance(data, dict) else None
    return _DIALECTS.get(name, "") if isinstance(name, str) else ""


#: ``dialect: "turso"`` in a config
_CONFIG_DIALECT = re.compile(r"""["']?\bdialect["']?\s*:\s*["'`](\w+)["'`]""")


def config_dialect(changes: ChangeSet, folder: str) -> str:
    """The database a merged ``drizzle.config.*`` names for the ``out`` folder that holds
    ``folder`` (papra keeps hand-written migrations beside drizzle-kit's output, run on the
    same database), "" when none does. Only the merged configs count, so a PR cannot move
    its own migrations to another database's rules."""
    return _DIALECTS.get(config_database(changes, folder), "")


def config_database(changes: ChangeSet, folder: str) -> str:
    """The ``dialect`` a merged ``drizzle.config.*`` names for the ``out`` folder that
    holds ``folder``, as written (``turso``, ``sqlite``, ``postgresql``...), "" when none
    or several different ones do."""
    found = set()
    for where, names in variants.folders(changes, at_base=True).items():
        for name in sorted(names & _CONFIGS):
            path = posixpath.join(where, name)
            text = changes.text_at_base(path) or ""
            outs = _bases(path, text)
            m = _CONFIG_DIALECT.search(text)
            if m and any(folder == out or folder.startswith(f"{out}/") for out in outs):
                found.add(m.group(1))
    return found.pop() if len(found) == 1 else ""
