"""What a Django data step writes over: a destructive ``RunPython``/``RunSQL`` told from a
backfill, for the ``reverse-is-noop`` rule.

A no-op reverse is right for a backfill: the step fills a field the same migration (or
an earlier new one of the pull request) adds, or only rows where the field is empty, and
a rollback that drops the field, or leaves the filled values, loses nothing. It is wrong
for a step that deletes rows, or erases values a field held, chosen by their own content
(``exclude(url__startswith="http").update(url=None)``, a loop that validates ``obj.url``
and sets it to None): those values are gone, and no reverse written later can give them
back. A remap, a recomputation, or a reset of every row (or of rows chosen by other
fields) reads as a fix of state, as reviewers pass it (nautobot, babybuddy, bugsink,
netbox in the replay set), and keeps the warning. The forward function is read as a syntax tree,
never run; only what it spells literally counts, and anything it does not spell (a helper
in another module, a field set through ``**kwargs``) is no evidence of a loss, so the
warning stays.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import phpmig, pyops, sqlwrites
from gatekeeper.checks.migrations.sqltext import split, strip_comments

#: ``(model, field)`` lowercased; ``(model, "*")`` for a model created
Made = set[tuple[str, str]]

#: queryset methods that narrow or pass rows through, whose filters are read
_CHAIN = frozenset({"objects", "all", "filter", "exclude", "using", "order_by", "iterator",
                    "select_related", "prefetch_related", "only", "defer", "distinct",
                    "_base_manager", "_default_manager"})  # fmt: skip


def made_by(calls: Iterable[ast.Call]) -> Made:
    """The fields (and models) the operations add: ``AddField``, ``CreateModel``."""
    out: Made = set()
    for call in calls:
        name = pyops.call_name(call)
        owner = "model_name" if name == "AddField" else "name"
        model = pyops.literal_str(pyops.keyword(call, owner, 0))
        if model is None:
            continue
        if name == "AddField":
            field = pyops.literal_str(pyops.keyword(call, "name", 1))
            if field:
                out.add((model.lower(), field.lower()))
        elif name == "CreateModel":
            out.add((model.lower(), "*"))
    return out


def made_in_change(changes: ChangeSet, path: str) -> Made:
    """What the pull request's earlier new migrations of ``path``'s folder add (read at
    head, only files the change adds) and the folder's merged migrations do not already
    declare (read at base: a new migration "adding" a merged field cannot make erasing it
    look like a backfill): a step may fill those as it fills its own."""

    def made(text: str) -> Made:
        try:
            return made_by(pyops.read_django(text, path))
        except pyops.MigrationSyntaxError:
            return set()

    found = phpmig.made_in_change(
        changes, path, lambda p: p.endswith(".py"), posixpath.basename, made
    )
    if not found:
        return found
    merged = _declared_at_base(changes, posixpath.dirname(path))
    return found - merged


#: merged migrations of a folder read for what they declare, at most (the newest)
_MAX_MERGED = 400


def _declared_at_base(changes: ChangeSet, folder: str) -> Made:
    """Every model (``(model, "*")``) and field the folder's merged migrations declare."""

    def read() -> Made:
        out: Made = set()
        paths = sorted(p for p in changes.base_paths((f"{folder}/*.py",))
                       if posixpath.dirname(p) == folder)  # fmt: skip
        for p in paths[-_MAX_MERGED:]:
            try:
                calls = pyops.read_django(changes.text_at_base(p) or "", p)
            except pyops.MigrationSyntaxError:
                continue
            out |= made_by(calls) | _model_fields(calls)
        return out

    declared: Made = changes.fact(f"migrations.djdata:{folder}", read)
    return declared


def _model_fields(calls: Iterable[ast.Call]) -> Made:
    """The fields ``CreateModel`` calls list."""
    out: Made = set()
    for call in calls:
        if pyops.call_name(call) != "CreateModel":
            continue
        model = pyops.literal_str(pyops.keyword(call, "name", 0))
        fields = pyops.keyword(call, "fields", 1)
        if model is None or not isinstance(fields, ast.List | ast.Tuple):
            continue
        for item in fields.elts:
            if isinstance(item, ast.Tuple) and item.elts:
                name = pyops.literal_str(item.elts[0])
                if name:
                    out.add((model.lower(), name.lower()))
    return out


def sql_losses(sql: str, made: Made) -> list[str]:
    """What the statements of ``sql`` destroy: rows deleted (``DELETE``, ``TRUNCATE``),
    and values erased (:func:`sqlwrites.erased`). A column a step of the change adds
    counts as new in whichever table the statement names (Django names tables after the
    app and model, or ``db_table``, which the migration need not spell): a doubt resolved
    to the warning."""
    fields = {f for _, f in made if f != "*"}
    models = {m for m, f in made if f == "*"}
    out = []
    for statement in split(sql):
        text = " ".join(strip_comments(statement.text).split())
        table = sqlwrites.target(text)
        if table is None or _new_table(table, models):
            continue
        lost = sqlwrites.destroyed(text, {(sqlwrites.bare(table), f) for f in fields})
        if lost:
            out.append(lost)
    return out


def _new_table(table: str, models: set[str]) -> bool:
    bare = sqlwrites.bare(table)
    return any(bare == m or bare.endswith(f"_{m}") for m in models)


def python_losses(module: ast.Module, forward: ast.expr | None, made: Made) -> list[str]:
    """What the forward function of a ``RunPython`` destroys; [] when it is not a function
    of the module (nothing to read) or destroys nothing."""
    if not isinstance(forward, ast.Name):
        return []
    func = next((n for n in module.body if isinstance(n, ast.FunctionDef)
                 and n.name == forward.id), None)  # fmt: skip
    if func is None:
        return []
    return _Reader(made).read(func)


@dataclass(frozen=True)
class _Rows:
    """Rows of a model a name or expression stands for: the fields its filters keep to
    empty values, and the fields its filters (or a loop over them) read the values of."""

    model: str
    empty: frozenset[str] = frozenset()
    read: frozenset[str] = frozenset()


class _Reader:
    """Walks one forward function: the models it binds, the querysets and loop variables
    over them, and the writes it makes through them."""

    def __init__(self, made: Made) -> None:
        self.made = made
        self.models: dict[str, str] = {}
        self.rows: dict[str, _Rows] = {}
        self.losses: list[str] = []

    def read(self, func: ast.FunctionDef) -> list[str]:
        nodes = sorted(ast.walk(func), key=lambda n: (getattr(n, "lineno", 0),
                                                       getattr(n, "col_offset", 0)))  # fmt: skip
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                self._bind(node.targets[0], node.value)
            elif isinstance(node, ast.For | ast.AsyncFor):
                self._loop(node)
            elif isinstance(node, ast.Call):
                self._call(node)
        return list(dict.fromkeys(self.losses))

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if not isinstance(target, ast.Name):
            return
        if isinstance(value, ast.Call) and pyops.call_name(value) == "get_model":
            model = _model_name(value)
            if model:
                self.models[target.id] = model
            return
        rows = self._queryset(value)
        if rows is not None:
            self.rows[target.id] = rows

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        """``for obj in rows: ... obj.f = None ... obj.save()``: an erasure of ``f`` is a
        loss when the loop reads ``obj.f`` to decide (a validator, a test of the value)."""
        rows = self._queryset(node.iter)
        if rows is None or not isinstance(node.target, ast.Name):
            return
        var = node.target.id
        self.rows[var] = rows
        erased: set[str] = set()
        read: set[str] = set()
        saved: set[str] | None = None
        called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
        for inner in ast.walk(node):
            if id(inner) in called:
                continue  # ``obj.save()``: a method, not a field read
            if isinstance(inner, ast.Assign) and _erases(inner.value):
                erased |= {t.attr for t in inner.targets
                           if isinstance(t, ast.Attribute) and _attr_of(t, var)}  # fmt: skip
            elif (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.ctx, ast.Load)
                and _attr_of(inner, var)
            ):
                read.add(inner.attr.lower())
            if isinstance(inner, ast.Call) and _on(inner, var, "save"):
                listed = _strings(pyops.keyword(inner, "update_fields"))
                saved = (saved or set()) | (listed if listed is not None else {"*"})
        if saved is None:
            return
        written = erased if "*" in saved else erased & saved
        seen = frozenset(read)
        self._erase(_Rows(rows.model, rows.empty, rows.read | seen), written)

    def _call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Attribute):
            return
        method = node.func.attr
        if method == "delete" and not node.args and not node.keywords:
            rows = self._queryset(node.func.value)
            if rows is not None and (rows.model, "*") not in self.made:
                self.losses.append(f"the rows of {rows.model} it deletes")
        elif method == "update" and node.keywords:
            rows = self._queryset(node.func.value)
            if rows is not None:
                erased = {str(k.arg) for k in node.keywords if k.arg and _erases(k.value)}
                self._erase(rows, erased)

    def _queryset(self, node: ast.expr) -> _Rows | None:
        """The rows ``node`` stands for: a chain of manager and filter calls from a model
        (``Link.objects.filter(...)``) or from a name bound to rows; None otherwise."""
        empty: set[str] = set()
        read: set[str] = set()
        seen_manager = False
        while True:
            if isinstance(node, ast.Call) and pyops.call_name(node) == "get_model":
                model = _model_name(node)  # apps.get_model("shop", "Link").objects...
                found = _Rows(model or "", frozenset(empty), frozenset(read))
                return found if model and seen_manager else None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr not in _CHAIN:
                    return None
                if node.func.attr in ("filter", "exclude"):
                    limits = _empty_lookups(node) if node.func.attr == "filter" else set()
                    empty |= limits
                    read |= _lookups(node) - limits
                node = node.func.value
            elif isinstance(node, ast.Attribute) and node.attr in _CHAIN:
                seen_manager = True
                node = node.value
            elif isinstance(node, ast.Name):
                break
            else:
                return None
        if node.id in self.rows and not seen_manager:
            bound = self.rows[node.id]
            return _Rows(bound.model, bound.empty | frozenset(empty), bound.read | frozenset(read))
        if not seen_manager:
            return None
        model = self.models.get(node.id, node.id.lower())
        return _Rows(model, frozenset(empty), frozenset(read))

    def _erase(self, rows: _Rows, fields: set[str]) -> None:
        """Fields set to NULL or "" in ``rows``: lost when they held values before the
        change and the rows were chosen by the field's own value (values judged wrong and
        thrown away). A reset of every row, or of rows chosen by other fields (a relation
        gone, a state), reads as clearing cached or stale state: no evidence of a loss."""
        if (rows.model, "*") in self.made:
            return
        kept = {f for m, f in self.made if m == rows.model} | set(rows.empty)
        for field in sorted(fields):
            bare = field.lower()
            if bare in kept:
                continue
            if bare in rows.read:
                self.losses.append(f"{rows.model}.{field}")


def _model_name(call: ast.Call) -> str | None:
    """``apps.get_model("shop", "Link")`` or ``apps.get_model("shop.Link")`` -> "link"."""
    names = [pyops.literal_str(a) for a in call.args[:2]]
    name = names[-1] if names else None
    return name.rsplit(".", 1)[-1].lower() if name else None


def _on(call: ast.Call, var: str, method: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == method
            and isinstance(func.value, ast.Name) and func.value.id == var)  # fmt: skip


def _attr_of(node: ast.expr, var: str) -> bool:
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == var)  # fmt: skip


def _erases(value: ast.expr) -> bool:
    """``None`` or an empty string: a value that erases what the field held."""
    return pyops.literal_value(value) in (None, "")


def _lookups(call: ast.Call) -> set[str]:
    """The fields a filter call (``Q(...)`` included) reads the values of
    (``url__startswith`` -> url): not a test of presence (``url__isnull``) or emptiness."""
    out = set()
    for node in ast.walk(call):
        if not isinstance(node, ast.keyword) or not node.arg or node.arg.endswith("__isnull"):
            continue
        exact = "__" not in node.arg.removesuffix("__exact")
        if exact and pyops.literal_value(node.value) in (None, ""):
            continue
        out.add(node.arg.split("__", 1)[0].lower())
    return out


def _strings(node: ast.expr | None) -> set[str] | None:
    """The strings of a literal list or tuple, None when it is anything else."""
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    values = [pyops.literal_str(e) for e in node.elts]
    return None if any(v is None for v in values) else {str(v) for v in values}


def _empty_lookups(call: ast.Call) -> set[str]:
    """The fields a ``filter`` call keeps to empty values (``f__isnull=True``, ``f=None``,
    ``f=""``)."""
    out = set()
    for k in call.keywords:
        if not k.arg:
            continue
        value = pyops.literal_value(k.value)
        if k.arg.endswith("__isnull"):
            if value is True:
                out.add(k.arg.removesuffix("__isnull").lower())
            continue
        field = k.arg.removesuffix("__exact")
        if "__" not in field and value in (None, ""):
            out.add(field.lower())
    return out
