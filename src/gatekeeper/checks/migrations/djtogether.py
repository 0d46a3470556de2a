"""Django's ``index_together``/``unique_together``: each tuple is an index of its own.

``AlterIndexTogether(name="translation", index_together={...})`` states the model's whole
set; Django's schema editor compares it with the set before and runs a plain ``CREATE
INDEX`` for each tuple that is new (``CREATE UNIQUE INDEX`` through ``ADD CONSTRAINT ...
UNIQUE`` for ``unique_together``) and ``DROP INDEX`` for each one that is gone. The new
tuples are therefore index builds that block writes for as long as they take, exactly
like ``AddIndex``; the dropped ones are brief. What was there before is read from the
merged migrations of the folder (``CreateModel(options=...)`` and earlier
``Alter*Together``), at base, as djfields.py reads fields.

The same reading counts the indexes on more than one column that the merged migrations
declare on each model (its ``index_together`` tuples and its ``indexes``): a small table
needs none (a scan of it is quick), so a model the team has given :data:`MANY_INDEXES` or
more is one whose queries kept getting slow as it grew, the sign tables.py takes as large
(precedent.py's ``often_indexed`` counts later index migrations instead, which a squashed
history no longer shows; single-column indexes, which any table gets with its columns,
count for neither).
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Collection

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import djfields, pyops
from gatekeeper.checks.migrations.hits import Hit

#: indexes declared on a model by the merged migrations for it to be treated as large
MANY_INDEXES = 5
#: the operations this module reads, and the option each sets
OPTIONS = {"AlterIndexTogether": "index_together", "AlterUniqueTogether": "unique_together"}

#: (lower-case model, option) -> the tuples declared; option "indexes" holds index names
Declared = dict[tuple[str, str], frozenset[tuple[str, ...]]]


def before(changes: ChangeSet, migration_path: str) -> Declared:
    """What the merged migrations of ``migration_path``'s folder declare, read once per
    folder and run."""
    folder = posixpath.dirname(migration_path)
    return changes.fact(f"migrations.djtogether:{folder}", lambda: _read(changes, folder))


def many_indexed(changes: ChangeSet, migration_path: str) -> dict[str, int]:
    """Lower-case model -> the indexes on more than one column the merged migrations
    declare on it, for models with at least :data:`MANY_INDEXES`."""
    counts: dict[str, int] = {}
    for (model, option), declared in before(changes, migration_path).items():
        if option in ("index_together", "indexes"):
            # an entry of "indexes" is (name, *fields)
            least = 2 if option == "index_together" else 3
            counts[model] = counts.get(model, 0) + sum(len(d) >= least for d in declared)
    return {m: n for m, n in counts.items() if n >= MANY_INDEXES}


def _read(changes: ChangeSet, folder: str) -> Declared:
    known: Declared = {}
    for call in djfields.merged_calls(changes, folder, ("_together", "ndex", "Model")):
        _apply(call, known)
    return known


def _apply(call: ast.Call, known: Declared) -> None:
    """Replay one operation onto the declarations known so far."""
    name = pyops.call_name(call)
    model = (pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower()
    if name in OPTIONS and model:
        known[(model, OPTIONS[name])] = tuples(pyops.keyword(call, OPTIONS[name], 1))
    elif name == "CreateModel" and model:
        options = pyops.keyword(call, "options", 2)
        if isinstance(options, ast.Dict):
            for key, value in zip(options.keys, options.values, strict=True):
                option = pyops.literal_str(key) or ""
                if option in OPTIONS.values() and value is not None:
                    known[(model, option)] = tuples(value)
                elif option == "indexes" and isinstance(value, ast.List | ast.Tuple):
                    known[(model, "indexes")] = frozenset(_index_names(value.elts))
    elif name in ("AddIndex", "AddIndexConcurrently", "RemoveIndex", "RemoveIndexConcurrently"):
        _index_op(call, name, known)
    elif name in ("DeleteModel", "RenameModel"):
        new = (pyops.literal_str(pyops.keyword(call, "new_name", 1)) or "").lower()
        old = (pyops.literal_str(pyops.keyword(call, "old_name", 0)) or "").lower()
        gone = model if name == "DeleteModel" else old
        for entry in [k for k in known if k[0] == gone]:
            moved = known.pop(entry)
            if name == "RenameModel" and new:
                known[(new, entry[1])] = moved


def _index_op(call: ast.Call, name: str, known: Declared) -> None:
    model = (pyops.literal_str(pyops.keyword(call, "model_name", 0)) or "").lower()
    key = (model, "indexes")
    if name.startswith("Add"):
        index = pyops.keyword(call, "index", 1)
        added = _index_names([index] if index is not None else [])
        known[key] = known.get(key, frozenset()) | frozenset(added)
    else:
        gone = pyops.literal_str(pyops.keyword(call, "name", 1)) or ""
        known[key] = frozenset(i for i in known.get(key, frozenset()) if i[0] != gone)


def _index_names(items: list[ast.expr]) -> list[tuple[str, ...]]:
    """``models.Index(fields=["a", "b"], name="x")`` calls as ``("x", "a", "b")`` (unnamed:
    by line; fields not literal, such as expressions, left out)."""
    out: list[tuple[str, ...]] = []
    for item in items:
        if isinstance(item, ast.Call):
            name = pyops.literal_str(pyops.keyword(item, "name")) or f"@{item.lineno}"
            fields = pyops.keyword(item, "fields")
            listed = fields.elts if isinstance(fields, ast.List | ast.Tuple) else []
            out.append((name, *(f for f in map(pyops.literal_str, listed) if f)))
    return out


def tuples(node: ast.expr | None) -> frozenset[tuple[str, ...]]:
    """A literal ``{("a", "b"), ...}`` / ``[[...]]`` / ``("a", "b")`` as a set of column
    tuples (Django also takes a single tuple for one index); names not literal are "?"."""
    if not isinstance(node, ast.Set | ast.List | ast.Tuple):
        return frozenset()
    if node.elts and all(isinstance(e, ast.Constant) for e in node.elts):
        return frozenset({_columns(node)})  # one tuple, not a set of them
    listed = [e for e in node.elts if isinstance(e, ast.Set | ast.List | ast.Tuple)]
    return frozenset(_columns(e) for e in listed)


def _columns(node: ast.Set | ast.List | ast.Tuple) -> tuple[str, ...]:
    return tuple(pyops.literal_str(e) or "?" for e in node.elts)


def hits(call: ast.Call, dialect: str, prior: Declared) -> list[Hit]:
    """The index builds of an ``AlterIndexTogether``/``AlterUniqueTogether``: one hit per
    tuple the merged migrations did not declare (on PostgreSQL, where the build blocks
    writes; MySQL's InnoDB builds secondary indexes online)."""
    name = pyops.call_name(call)
    model = pyops.literal_str(pyops.keyword(call, "name", 0)) or "?"
    option = OPTIONS[name]
    if dialect != "postgres":
        return []
    new = tuples(pyops.keyword(call, option, 1))
    old = prior.get((model.lower(), option), frozenset())
    out: list[Hit] = []
    for columns in sorted(new - old):
        shown = ", ".join(columns)
        where = f"{model}:({shown})"
        if option == "index_together":
            msg = (
                f"AlterIndexTogether on {model} adds an index on ({shown}): Django builds it with "
                "a plain CREATE INDEX, which blocks writes for the whole build; use "
                "SeparateDatabaseAndState with AddIndexConcurrently (atomic = False)."
            )
            out.append(Hit("index-not-concurrent", msg, call.lineno, where, table=(model,)))
        else:
            msg = (
                f"AlterUniqueTogether on {model} adds a unique constraint on ({shown}): Django "
                "builds its unique index while writes wait; build it first with RunSQL('CREATE "
                "UNIQUE INDEX CONCURRENTLY ...') (atomic = False), then attach it."
            )
            out.append(Hit("unique-constraint", msg, call.lineno, where, table=(model,)))
    return out


def added_hits(
    calls: list[ast.Call],
    dialect: str,
    lines: Collection[int],
    exempt: Collection[str],
    prior: Declared,
) -> list[Hit]:
    """:func:`hits` for the ``Alter*Together`` operations the change adds (on ``lines``) to
    models it does not create (``exempt``: their indexes are built on an empty table)."""
    out: list[Hit] = []
    for call in calls:
        if pyops.call_name(call) not in OPTIONS:
            continue
        span = set(range(call.lineno, (call.end_lineno or call.lineno) + 1))
        model = (pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower()
        if span & set(lines) and model not in exempt:
            out += hits(call, dialect, prior)
    return out
