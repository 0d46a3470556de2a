"""Whether the Prisma schema at base still declares a table or a column a migration drops.

Prisma's client selects every scalar field a model declares (``findMany()`` with no
``select`` names them all), so while ``schema.prisma`` at base declares the column, the
code running during the deploy reads it whether or not any line of code names it: a PR
that drops the column and removes the field together breaks the old client. The contract
step drops a column the schema stopped declaring in an earlier release. A model mapped to
a dropped table is read the same way (``prisma.user`` names the model, not ``users``).
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet

_MODEL = re.compile(r"^\s*model\s+(\w+)\s*\{(.*?)^\s*\}", re.MULTILINE | re.DOTALL)
_TABLE = re.compile(r"@@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")
_FIELD = re.compile(r"^\s*(\w+)\s+\w[^\n]*$", re.MULTILINE)
_FIELD_MAP = re.compile(r"@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")


def declares(changes: ChangeSet, target: tuple[str, ...], *, at_head: bool = False) -> str:
    """The ``.prisma`` file at base (at head with ``at_head``) whose model maps ``target``
    (a table, or a table and a column), or ''."""
    table = target[0].rsplit(".", 1)[-1].lower()
    column = target[1].lower() if len(target) > 1 else ""
    globs = ["**/*.prisma", "*.prisma"]
    for path in changes.head_paths(globs) if at_head else changes.base_paths(globs):
        text = changes.text_at_head(path) if at_head else changes.text_at_base(path)
        for model in _MODEL.finditer(text or ""):
            mapped = _TABLE.search(model.group(2))
            if (mapped.group(1) if mapped else model.group(1)).lower() != table:
                continue
            if not column or column in _columns(model.group(2)):
                return path
    return ""


def _columns(body: str) -> set[str]:
    """The columns a model's fields map to (``@map`` or the field's name)."""
    out = set()
    for line in _FIELD.finditer(body):
        mapped = _FIELD_MAP.search(line.group(0))
        out.add((mapped.group(1) if mapped else line.group(1)).lower())
    return out
