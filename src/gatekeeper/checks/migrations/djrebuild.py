"""A Django field rebuilt under its own name: one change of type, not a drop and a rename.

When ``AlterField`` cannot cast a column (a JSON field becoming an array), a Django
migration adds a field beside it, fills it with ``RunPython``, removes the old field and
renames the new one to the old name (open-prices' ``labels_tags_temp``). Read operation by
operation that is a ``drop-column`` and a ``rename-column``; read as a whole, the column
keeps its name and its values, with a new definition, which is what the SQL column rebuild
says too (safety.py: a ``change-column-type`` warning).

It counts as one only when the ``RunPython`` between the ``AddField`` and the
``RemoveField`` calls a function of the same module that reads the old field and writes
the new one: a no-op, or a function that never reads the old field, would drop its
values, and the drop then stays.
"""

from __future__ import annotations

import ast

from gatekeeper.checks.migrations import pyops
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Level


def relieve(hits: list[Hit], calls: list[ast.Call], tree: ast.Module) -> list[Hit]:
    """``hits`` with the drop and the rename of each field rebuilt under its own name
    replaced by one ``change-column-type`` warning."""
    if not any(h.rule == "drop-column" for h in hits):
        return hits
    functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
    for rename in (c for c in calls if pyops.call_name(c) == "RenameField"):
        found = _rebuild(rename, calls, functions)
        if found is None:
            continue
        model, field, temp, filler = found
        drop, moved = f"{model}.{field}", f"{model}.{temp}"
        kept = [h for h in hits if not (
            (h.rule == "drop-column" and h.evidence.lower() == drop)
            or (h.rule == "rename-column" and h.evidence.lower() == moved)
        )]  # fmt: skip
        if len(kept) == len(hits):
            continue
        message = (
            f"Rebuilds field {model}.{field} under its own name ({temp} added, filled by "
            f"{filler}, {field} removed, {temp} renamed to {field}): its values are carried "
            "over, and readers see its new definition at once."
        )
        warning = Hit("change-column-type", message, rename.lineno, drop, level=Level.WARNING)
        hits = [*kept, warning]
    return hits


def _rebuild(
    rename: ast.Call, calls: list[ast.Call], functions: dict[str, ast.FunctionDef]
) -> tuple[str, str, str, str] | None:
    """(model, field, temporary field, filling function) when ``rename`` ends a rebuild."""
    model = (pyops.literal_str(pyops.keyword(rename, "model_name", 0)) or "").lower()
    temp = (pyops.literal_str(pyops.keyword(rename, "old_name", 1)) or "").lower()
    field = (pyops.literal_str(pyops.keyword(rename, "new_name", 2)) or "").lower()
    if not (model and temp and field):
        return None
    before = [c for c in calls if c.lineno < rename.lineno]
    added = [c.lineno for c in before if _is(c, "AddField", model, temp)]
    removed = [c.lineno for c in before if _is(c, "RemoveField", model, field)]
    if not added or not removed or min(added) > max(removed):
        return None
    for call in before:
        if pyops.call_name(call) != "RunPython" or not min(added) < call.lineno < max(removed):
            continue
        code = pyops.keyword(call, "code", 0)
        function = functions.get(code.id) if isinstance(code, ast.Name) else None
        if function is not None and _copies(function, field, temp):
            return model, field, temp, function.name
    return None


def _is(call: ast.Call, name: str, model: str, field: str) -> bool:
    if pyops.call_name(call) != name:
        return False
    owner = (pyops.literal_str(pyops.keyword(call, "model_name", 0)) or "").lower()
    named = (pyops.literal_str(pyops.keyword(call, "name", 1)) or "").lower()
    return (owner, named) == (model, field)


def _copies(function: ast.FunctionDef, field: str, temp: str) -> bool:
    """Whether ``function`` reads ``field`` (``price.labels_tags``, ``F("labels_tags")``)
    and writes ``temp`` (``price.labels_tags_temp = ...``, ``.update(labels_tags_temp=...)``):
    a name in a string or a comment copies nothing."""
    reads = writes = False
    for node in ast.walk(function):
        if isinstance(node, ast.Attribute) and node.attr.lower() in (field, temp):
            if node.attr.lower() == field and isinstance(node.ctx, ast.Load):
                reads = True
            if node.attr.lower() == temp and isinstance(node.ctx, ast.Store):
                writes = True
        elif isinstance(node, ast.Call) and pyops.call_name(node) == "F" and node.args:
            reads |= (pyops.literal_str(node.args[0]) or "").lower() == field
        elif isinstance(node, ast.Call) and pyops.call_name(node) == "update":
            writes |= any((k.arg or "").lower() == temp for k in node.keywords)
    return reads and writes
