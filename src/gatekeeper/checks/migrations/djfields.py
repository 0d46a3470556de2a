"""What a Django field was before a migration altered it.

An ``AlterField`` carries only the field's new definition; whether it builds an index, adds
a unique constraint, makes the column NOT NULL or only changes ``help_text`` depends on
the old one. The old one is in the app's merged migrations: the last ``CreateModel``,
``AddField`` or ``AlterField`` that declared it (renames followed), read at the base commit
so a pull request cannot supply its own history.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import pyops
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Level

#: field classes whose column Django indexes unless told ``db_index=False``
_INDEXED_BY_DEFAULT = frozenset({"ForeignKey", "OneToOneField", "SlugField"})
#: keyword arguments that change what the column stores (a type change when they differ)
_TYPE_KEYS = ("max_length", "max_digits", "decimal_places", "base_field", "size")


#: field classes stored as varchar, and the max_length each has when none is given
_DEFAULT_LENGTH: dict[str, object] = {"SlugField": 50, "EmailField": 254, "URLField": 200}
_VARCHAR = frozenset({"CharField", "SlugField", "EmailField", "URLField"})
#: integer widenings: readers still read the column, but PostgreSQL rewrites the table
_WIDER_INT = frozenset({
    ("SmallIntegerField", "IntegerField"), ("SmallIntegerField", "BigIntegerField"),
    ("IntegerField", "BigIntegerField"), ("AutoField", "BigAutoField"),
    ("SmallAutoField", "AutoField"), ("SmallAutoField", "BigAutoField"),
    ("PositiveSmallIntegerField", "PositiveIntegerField"),
    ("PositiveIntegerField", "PositiveBigIntegerField"),
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Field:
    """The facts of a field declaration a lock depends on (None: not a literal)."""

    kind: str
    indexed: bool | None
    unique: bool | None
    null: bool | None
    type_args: tuple[str, ...]
    #: the declared (or the class's default) max_length; None when unbounded or absent
    max_length: object = None
    #: the literal ``max_digits`` and ``decimal_places`` (None: absent or not a literal)
    digits: tuple[object, object] = (None, None)

    def same_type(self, other: Field) -> bool:
        """Whether both declare the same column type (class and size arguments)."""
        return self.kind == other.kind and self.type_args == other.type_args


def field(node: ast.expr | None) -> Field | None:
    """The facts of ``models.XField(...)``, or None when it is not such a call."""
    if not isinstance(node, ast.Call):
        return None
    kind = pyops.call_name(node)
    if not kind.endswith("Field") and kind != "ForeignKey":
        return None
    unique = _flag(node, "unique")
    if pyops.literal_value(pyops.keyword(node, "primary_key")) is True or kind == "OneToOneField":
        unique = True
    indexed = _flag(node, "db_index")
    if kind in _INDEXED_BY_DEFAULT and pyops.keyword(node, "db_index") is None:
        indexed = True
    args = tuple(ast.dump(v) if (v := pyops.keyword(node, k)) else "" for k in _TYPE_KEYS)
    length = pyops.literal_value(pyops.keyword(node, "max_length"))
    if pyops.keyword(node, "max_length") is None:
        length = _DEFAULT_LENGTH.get(kind)
    digits = (
        pyops.literal_value(pyops.keyword(node, "max_digits")),
        pyops.literal_value(pyops.keyword(node, "decimal_places")),
    )
    return Field(kind, indexed, unique, _flag(node, "null"), args, length, digits)


def _flag(call: ast.Call, name: str) -> bool | None:
    """A boolean keyword: its value, False when absent, None when not a literal."""
    node = pyops.keyword(call, name)
    if node is None:
        return False
    value = pyops.literal_value(node)
    return value if isinstance(value, bool) else None


Fields = dict[tuple[str, str], ast.expr]


def before(changes: ChangeSet, migration_path: str) -> Fields:
    """Each field's last declaration in the merged migrations of the folder holding
    ``migration_path``, by (lower-case model, field); one read per folder per run."""
    folder = posixpath.dirname(migration_path)
    return changes.fact(f"migrations.djfields:{folder}", lambda: _read_folder(changes, folder))


def merged_calls(changes: ChangeSet, folder: str, needles: tuple[str, ...]) -> Iterator[ast.Call]:
    """The operations of the Django migrations merged in ``folder``, in file-name order;
    files holding none of ``needles`` (a cheap filter on the text) are not parsed."""
    for path in sorted(changes.base_paths([f"{folder}/*.py"])):
        text = changes.text_at_base(path)
        if not text or not any(n in text for n in needles):
            continue
        try:
            yield from pyops.read_django(text, path)
        except pyops.MigrationSyntaxError:
            continue


#: the key under which a model's ``db_table`` is kept among its fields (no field's name)
TABLE_KEY = "<db_table>"


def _read_folder(changes: ChangeSet, folder: str) -> Fields:
    known: Fields = {}
    for call in merged_calls(changes, folder, ("Field", "db_table", "AlterModelTable")):
        _apply(call, known)
    return known


def _apply(call: ast.Call, known: Fields) -> None:
    """Replay one operation onto the declarations known so far."""
    name = pyops.call_name(call)
    model = (pyops.literal_str(pyops.keyword(call, "model_name", 0)) or "").lower()
    if name == "CreateModel":
        _create(call, known)
    elif name in ("AddField", "AlterField"):
        column = pyops.literal_str(pyops.keyword(call, "name", 1))
        value = pyops.keyword(call, "field", 2)
        if column and value is not None:
            known[(model, column)] = value
    elif name == "RemoveField":
        known.pop((model, pyops.literal_str(pyops.keyword(call, "name", 1)) or ""), None)
    elif name == "RenameField":
        old = pyops.literal_str(pyops.keyword(call, "old_name", 1)) or ""
        new = pyops.literal_str(pyops.keyword(call, "new_name", 2)) or ""
        if (model, old) in known and new:
            known[(model, new)] = known.pop((model, old))
    elif name == "AlterModelTable":
        model = (pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower()
        table = pyops.keyword(call, "table", 1)
        if model and table is not None and pyops.literal_str(table):
            known[(model, TABLE_KEY)] = table
        else:
            known.pop((model, TABLE_KEY), None)
    elif name == "DeleteModel":
        _move(known, (pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower(), "")
    elif name == "RenameModel":
        old = pyops.literal_str(pyops.keyword(call, "old_name", 0)) or ""
        new = pyops.literal_str(pyops.keyword(call, "new_name", 1)) or ""
        _move(known, old.lower(), new.lower())


def _move(known: Fields, old: str, new: str) -> None:
    """A model renamed to ``new`` keeps its fields; deleted (``new`` empty), it loses them."""
    for key in [k for k in known if k[0] == old]:
        value = known.pop(key)
        if new:
            known[(new, key[1])] = value


def _create(call: ast.Call, known: Fields) -> None:
    model = (pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower()
    options = pyops.keyword(call, "options", 2)
    if model and isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if (
                key is not None
                and pyops.literal_str(key) == "db_table"
                and pyops.literal_str(value)
            ):
                known[(model, TABLE_KEY)] = value
    fields = pyops.keyword(call, "fields", 1)
    if not model or not isinstance(fields, ast.List | ast.Tuple):
        return
    for item in fields.elts:
        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
            column = pyops.literal_str(item.elts[0])
            if column:
                known[(model, column)] = item.elts[1]


def column_of(node: ast.expr | None, name: str) -> str | None:
    """The column a field declaration stores ``name`` in: its ``db_column``, else the
    name (with ``_id`` for a relation); None when ``db_column`` is not a literal."""
    if not isinstance(node, ast.Call):
        return None
    given = pyops.keyword(node, "db_column")
    if given is not None:
        return pyops.literal_str(given)
    kind = pyops.call_name(node)
    return f"{name}_id" if kind in ("ForeignKey", "OneToOneField") else name


def rename_keeps_column(call: ast.Call, model: str, prior: Fields) -> bool:
    """Whether a RenameField leaves the table alone: the field's declaration in the merged
    migrations names its column with ``db_column``, so Django's schema editor (which
    renames only when the column changes) runs nothing; read at base, the PR cannot set it."""
    old = pyops.literal_str(pyops.keyword(call, "old_name", 1)) or ""
    node = prior.get((model.lower(), old))
    return (
        isinstance(node, ast.Call)
        and pyops.keyword(node, "db_column") is not None
        and column_of(node, old) is not None
    )


def rename_keeps_table(call: ast.Call, prior: Fields) -> bool:
    """Whether a RenameModel leaves the tables alone: the merged migrations name the
    model's table with ``db_table`` (Django then renames nothing), and no many-to-many
    field the folder's merged migrations declare is on it or points to it (Django renames
    such a field's join table and its column after the model)."""
    old = (pyops.literal_str(pyops.keyword(call, "old_name", 0)) or "").lower()
    if not old or (old, TABLE_KEY) not in prior:
        return False
    for (model, _), node in prior.items():
        if not isinstance(node, ast.Call) or pyops.call_name(node) != "ManyToManyField":
            continue
        target = pyops.literal_str(pyops.keyword(node, "to", 0)) or "?"
        if model == old or target.rsplit(".", 1)[-1].lower() in (old, "?"):
            return False
    return True


def alter_hits(call: ast.Call, model: str, dialect: str, prior: Fields) -> list[Hit]:
    """What an AlterField does to the column, judged against the field's declaration in
    the merged migrations: a new index, unique constraint or NOT NULL locks the table (by
    its size); an unchanged type is no rewrite. Without the old declaration, warnings."""
    column = pyops.literal_str(pyops.keyword(call, "name", 1)) or "?"
    where, line = f"{model}.{column}", call.lineno
    new = field(pyops.keyword(call, "field", 2))
    old = field(prior.get((model.lower(), column)))
    if new is None or old is None:
        msg = f"Alters field {where}: if its type changes, the table is rewritten."
        hits = [Hit("change-column-type", msg, line, where, level=Level.WARNING)]
        if dialect == "postgres" and new is not None and (new.indexed or new.unique):
            msg = (
                f"AlterField {where} declares an index; if the field had none before, Django "
                "builds it with a plain CREATE INDEX, which blocks writes for the whole build."
            )
            hits.append(Hit("index-not-concurrent", msg, line, where, level=Level.WARNING))
        return hits
    hits = _type_hits(old, new, (model, where, line), dialect)
    before_col = column_of(prior.get((model.lower(), column)), column)
    after_col = column_of(pyops.keyword(call, "field", 2), column)
    if before_col and after_col and before_col != after_col:
        msg = f"AlterField {where} changes db_column: renames column {before_col} to {after_col}."
        hits.append(Hit("rename-column", msg, line, f"{model}.{before_col}"))
    if dialect != "postgres":
        return hits
    if new.unique and old.unique is False:
        msg = (
            f"AlterField {where} adds unique=True: Django builds the unique index while writes "
            "wait. Build it first with AddIndexConcurrently or RunSQL('CREATE UNIQUE INDEX "
            "CONCURRENTLY ...') (atomic = False), then attach it."
        )
        hits.append(Hit("unique-constraint", msg, line, where, table=(model,)))
    elif new.indexed and old.indexed is False and not old.unique:
        msg = (
            f"AlterField {where} adds db_index=True: Django builds it with a plain CREATE "
            "INDEX, which blocks writes; use SeparateDatabaseAndState with "
            "AddIndexConcurrently or RunSQL('CREATE INDEX CONCURRENTLY ...') (atomic = False)."
        )
        hits.append(Hit("index-not-concurrent", msg, line, where, table=(model,)))
    if new.null is False and old.null is True:
        msg = (
            f"AlterField {where} drops null=True: SET NOT NULL scans the table under an "
            "exclusive lock; add a CHECK (... IS NOT NULL) NOT VALID constraint and validate "
            "it first."
        )
        hits.append(Hit("set-not-null", msg, line, where, table=(model,)))
    return hits


def _type_hits(old: Field, new: Field, at: tuple[str, str, int], dialect: str) -> list[Hit]:
    """A column type change judged as PostgreSQL runs it (strong_migrations' line): a
    longer varchar, varchar to text or a decimal with more digits only updates the
    catalog; an integer widening rewrites a table readers still read, and a change of
    another size argument of the same class (an ArrayField's) rewrites it too: both are
    weighed by the table's size. A shorter varchar or decimal, or another class, is an
    error whatever the size: a value that does not fit fails the deploy."""
    model, where, line = at
    if new.same_type(old):
        return []
    change = f"AlterField {where} from {old.kind} to {new.kind}"
    if dialect != "postgres":
        msg = f"{change}: the table may be rewritten."
        return [Hit("change-column-type", msg, line, where, level=Level.WARNING)]
    if old.kind in _VARCHAR and (new.kind == "TextField" or _longer(old, new)):
        return []
    if old.kind == new.kind == "DecimalField" and _more_digits(old, new):
        return []  # NUMERIC with more precision and the same scale: the catalog only
    if (old.kind, new.kind) in _WIDER_INT:
        msg = (
            f"{change}: readers still read it, but PostgreSQL rewrites the table under "
            "ACCESS EXCLUSIVE to do it."
        )
        return [Hit("change-column-type", msg, line, where, table=(model,), sized=True)]
    msg = (
        f"{change}: PostgreSQL casts every row and rewrites the table under ACCESS "
        "EXCLUSIVE, and a value that does not cast fails the migration; add a new "
        "column, backfill it and move readers to it (expand-contract)."
    )
    if old.kind == new.kind and old.kind not in _SIZED:
        return [Hit("change-column-type", msg, line, where, table=(model,), sized=True)]
    # a shorter varchar or decimal, or another type: whatever the table's size (as for
    # Alembic), and readers get another type
    return [Hit("change-column-type", msg, line, where, table=(model,))]


#: field classes whose size arguments, when lowered, make values not fit
_SIZED = _VARCHAR | {"DecimalField"}


def _more_digits(old: Field, new: Field) -> bool:
    """A DecimalField given more ``max_digits`` and the same ``decimal_places``."""
    (old_digits, old_places), (new_digits, new_places) = old.digits, new.digits
    return (
        isinstance(old_digits, int)
        and isinstance(new_digits, int)
        and new_digits >= old_digits
        and old_places == new_places
        and old.type_args[2:] == new.type_args[2:]
    )


def _longer(old: Field, new: Field) -> bool:
    """Whether ``new`` is a varchar at least as long as ``old`` (or unbounded)."""
    if new.kind not in _VARCHAR or new.type_args[1:] != old.type_args[1:]:
        return False
    if new.max_length is None:
        return True
    return (
        isinstance(old.max_length, int)
        and isinstance(new.max_length, int)
        and new.max_length >= old.max_length
    )
