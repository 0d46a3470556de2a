"""Round-trip Django migrations through the project's own settings.

``DJANGO_SETTINGS_MODULE`` comes from the policy (``checks.migrations.django.settings``),
else from ``manage.py`` (its ``os.environ.setdefault(...)``). In a child process
(:mod:`.child`, the sandbox) the settings are loaded, the default database is replaced
by a scratch one (SQLite or PostgreSQL, as ``roundtrip`` says), and the project is
migrated to the base state (every migration but the changed ones and those that depend
on them), forward to the leaves, back to the base state, and forward again: one child
process per step (:mod:`.django_child`). The schema is snapshotted here, between steps,
and compared as sets of facts after each return, by :func:`.roundtrip.prove` as for
every other framework: a child reports only failures.
"""

from __future__ import annotations

import ast
import posixpath
import re
from functools import partial
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import alembic_project, child, roundtrip
from gatekeeper.checks.migrations.catalog import Database, EngineError, WithoutTable
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.engines import Engines
from gatekeeper.checks.migrations.pyops import call_name
from gatekeeper.checks.migrations.roundtrip import Problem, Unit
from gatekeeper.checks.migrations.runconfig import Settings, Where

CHILD_MODULE = "gatekeeper.checks.migrations.django_child"
#: the round trip's steps, one child each; the schema after the third is compared with the
#: one after the first, after the fourth with the one after the second
STEPS = (
    "migrating to the base state",
    "migrating forward",
    "migrating back to the base state",
    "migrating forward again",
)
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


def run(where: Where, changed: list[Migration], dbs: Engines, s: Settings) -> list[Problem]:
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
        "settings": module,
        "paths": [str(root), str(checkout)],
        "environment": dict(s.environment),
        "migrations": [str(checkout / p) for p in present],
        "relative": present,
    }
    passed = alembic_project.passed_environment(list(s.pass_env))
    how = child.Spawn(CHILD_MODULE, where.folder, where.remaining(), checkout, root, passed)
    steps = child.Steps(job, how)
    sources = {p: changes.text_at_head(p) or "" for p in present}
    undone = frozenset().union(*(undone_names(t) for t in sources.values()))
    sure = next(filter(None, (sure_change(p, t, undone) for p, t in sources.items())), "")
    # Django's record of applied migrations is left out of the snapshots
    db = WithoutTable(steps.open(dbs), "django_migrations")
    try:
        return _drive(steps, db, present, sure)
    finally:
        db.discard()


def sure_change(path: str, source: str, undone: frozenset[str] = frozenset()) -> str:
    """What a migration surely changes in the schema: its first ``CreateModel`` without
    options (an unmanaged or proxy model makes no table) or ``AddField`` in the
    ``operations`` its ``Migration`` class assigns ("" when there is none), unless a
    changed migration migrated forward with it takes that away again (``undone``, from
    :func:`undone_names`: a field added and removed within one pull request)."""
    for call in _operations(source):
        name = call_name(call)
        options = any(k.arg == "options" for k in call.keywords)
        if name == "AddField" or (name == "CreateModel" and not options):
            named = _named(call)
            if (named | {n.split(".")[0] for n in named}) & undone:
                continue  # its model or field is taken away again by a changed migration
            return f"{path} calls migrations.{name} (line {call.lineno})"
    return ""


def undone_names(source: str) -> frozenset[str]:
    """The models (``model``) and fields (``model.field``) a migration's ``RemoveField``,
    ``DeleteModel``, ``RenameField`` and ``RenameModel`` take away, lower case."""
    out: set[str] = set()
    for call in _operations(source):
        if call_name(call) in ("RemoveField", "DeleteModel", "RenameField", "RenameModel"):
            out |= _named(call)
    return frozenset(out)


def _named(call: ast.Call) -> set[str]:
    """What an operation names: its model (``name``, ``old_name`` of a model, or
    ``model_name``) and, with ``model_name``, ``model.field``; literals only."""

    def text(key: str, position: int) -> str:
        node = next((k.value for k in call.keywords if k.arg == key), None)
        if node is None and len(call.args) > position:
            node = call.args[position]
        value = node.value if isinstance(node, ast.Constant) else None
        return value.lower() if isinstance(value, str) else ""

    if call_name(call) in ("CreateModel", "DeleteModel"):
        return {text("name", 0)} - {""}
    if call_name(call) == "RenameModel":
        return {text("old_name", 0)} - {""}
    model = text("model_name", 0)
    field = text("old_name", 1) if call_name(call) == "RenameField" else text("name", 1)
    return {f"{model}.{field}"} if model and field else set()


def _operations(source: str) -> list[ast.Call]:
    """The calls of the ``operations`` list the ``Migration`` class assigns."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    found: list[ast.Call] = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name == "Migration"):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.List | ast.Tuple)):
                continue
            if not any(isinstance(t, ast.Name) and t.id == "operations" for t in stmt.targets):
                continue
            found += [call for call in stmt.value.elts if isinstance(call, ast.Call)]
    return found


def _drive(steps: child.Steps, db: Database, present: list[str], sure: str) -> list[Problem]:
    """Migrate to the base state in a child (which also says where the changed files sit
    in the project's migration graph), then prove them forward, back and forward again
    through :func:`.roundtrip.prove`, as every other round trip is: a child per step,
    the schema snapshotted and compared here."""
    report = steps.run({"index": 0})
    if report.unloadable:
        return [Problem(p, False, f"{report.unloadable}; {HOW_TO}") for p in present]
    nodes = {p: tuple(n) for p, n in report.info.get("nodes", {}).items()}
    problems = _unaccounted(present, nodes, report)
    if not nodes:
        return problems
    first = min(nodes, key=lambda p: nodes[p])
    failure = _failure(report, STEPS[0], str(report.info.get("path") or first))
    if failure is not None:
        return [*problems, failure]
    listed = ", ".join(sorted(nodes))
    words = roundtrip.Words(
        (STEPS[1], STEPS[2], STEPS[3]),
        f"migrating forward ({listed}) changed nothing in the schema, though",
        f"after migrating forward and back ({listed}) the schema differs",
        f"after migrating forward again ({listed}) the schema differs",
        told=True,
    )
    step = partial(_step, steps, first=first)
    unit = Unit(first, step(1), step(2), sure, again=step(3), words=words)
    problem = roundtrip.prove(db, unit)
    return problems if problem is None else [*problems, problem]


def _step(steps: child.Steps, index: int, *, first: str) -> roundtrip.Step:
    """Step ``index`` in a child of its own; what its report says went wrong is raised as
    :mod:`.roundtrip` expects (a failure as it is, anything short of a report that the step
    ran as :class:`.roundtrip.Unproven`), on the migration the child names, else ``first``."""

    def run(_db: Database) -> None:
        report = steps.run({"index": index})
        failure = _failure(report, STEPS[index], str(report.info.get("path") or first))
        if failure is not None and failure.failed:
            raise EngineError(failure.message, path=failure.path)
        if failure is not None:
            raise roundtrip.Unproven(failure.message, path=failure.path)

    return run


def _unaccounted(present: list[str], nodes: dict[str, Any], report: child.Report) -> list[Problem]:
    """Changed files the round trip will not cover: not an installed app's, or not in the
    migration graph (a child that says nothing covers nothing)."""
    if not report.said:
        return [Problem(p, False, f"migrating to the base state: {report.why}") for p in present]
    strays = set(report.info.get("strays", []))
    out = []
    for path in present:
        if path in strays:
            out.append(Problem(path, False, "not a migration of an installed app"))
        elif path not in nodes:
            out.append(Problem(path, False, "not in the project's migration graph"))
    return out


def _failure(report: child.Report, what: str, path: str) -> Problem | None:
    """The problem a step's report states: a failure, or why it did not run."""
    if not report.said:
        return Problem(path, False, f"{what}: {report.why}")
    if report.unloadable:
        return Problem(path, False, f"{what}: {report.unloadable}")
    if report.error is None:
        return None
    return Problem(path, not report.error["unsupported"], str(report.error["message"]))


def _on_disk(checkout: Path, path: str, head: bytes | None) -> bool:
    try:
        return (checkout / path).read_bytes() == head
    except OSError:
        return False
