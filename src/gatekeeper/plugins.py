"""Find, load and validate checks: built-in and third-party alike.

Three steps, as flake8 does it: *find* the candidates (entry points of the group
``gatekeeper.checks``, and local check files the policy lists), *load* each in isolation
(a plugin that raises on import is named, never fatal to the others), *validate* what
was loaded (id pattern, catalog, schema) so that a malformed check is refused with a
reason instead of failing later in the middle of a run.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from gatekeeper.checks.interface import CHECK_ID_PATTERN, ENTRY_POINT_GROUP
from gatekeeper.model import Rule

_ID_RE = re.compile(CHECK_ID_PATTERN)


@dataclass(frozen=True)
class LoadedCheck:
    """A check class that passed validation, with where it came from."""

    id: str
    cls: type[Any]
    origin: str


@dataclass(frozen=True)
class PluginFailure:
    """A check that could not be loaded or validated, and why."""

    name: str
    origin: str
    reason: str

    def __str__(self) -> str:
        return f"check {self.name!r} from {self.origin}: {self.reason}"


@dataclass
class Registry:
    """The checks available for a run, by id, in sorted order."""

    checks: dict[str, LoadedCheck] = field(default_factory=dict)
    failures: list[PluginFailure] = field(default_factory=list)

    def classes(self) -> Mapping[str, type[Any]]:
        """Check classes by id (what the policy schema is assembled from)."""
        return {cid: self.checks[cid].cls for cid in sorted(self.checks)}

    def failure_for(self, check_id: str) -> PluginFailure | None:
        """The load failure recorded under ``check_id``, if any."""
        return next((f for f in self.failures if f.name == check_id), None)

    def rule(self, qualified: str) -> Rule | None:
        """The catalog entry for ``check/rule``, if the check declares it."""
        check_id, _, rule_id = qualified.partition("/")
        loaded = self.checks.get(check_id)
        if loaded is None:
            return None
        rules: Mapping[str, Rule] = getattr(loaded.cls, "rules", {})
        return rules.get(rule_id)

    def add(self, cls: type[Any], origin: str, name: str) -> None:
        """Validate ``cls`` and register it, or record why it was refused."""
        problems = validate_check_class(cls)
        check_id = getattr(cls, "id", "") or name
        if problems:
            self.failures.append(PluginFailure(check_id, origin, "; ".join(problems)))
            return
        if check_id in self.checks:
            first = self.checks[check_id].origin
            self.failures.append(
                PluginFailure(check_id, origin, f"id {check_id!r} is already provided by {first}")
            )
            return
        self.checks[check_id] = LoadedCheck(check_id, cls, origin)


def _built_in(cls: type[Any]) -> bool:
    """A check shipped inside gatekeeper: the test suite validates its schema (against the
    JSON Schema meta-schema, which costs about 0.1 s per run for all of them), so every
    run need not; a third party's check is validated when it loads."""
    return cls.__module__.startswith("gatekeeper.checks.")


def validate_check_class(cls: object) -> list[str]:
    """What is wrong with ``cls`` as a check (empty when it is fine)."""
    if not inspect.isclass(cls):
        return [f"{cls!r} is not a class"]
    problems = []
    check_id = getattr(cls, "id", None)
    if not isinstance(check_id, str) or not _ID_RE.match(check_id):
        problems.append(f"id {check_id!r} must match {CHECK_ID_PATTERN}")
    if not isinstance(getattr(cls, "title", None), str) or not cls.title:  # type: ignore[attr-defined]
        problems.append("title must be a non-empty string")
    rules = getattr(cls, "rules", None)
    if not isinstance(rules, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Rule) and v.id == k and _ID_RE.match(k)
        for k, v in rules.items()
    ):
        problems.append("rules must map rule ids ([a-z][a-z0-9-]*) to Rule entries with that id")
    schema = getattr(cls, "config_schema", None)
    if not isinstance(schema, Mapping) or schema.get("type", "object") != "object":
        problems.append("config_schema must be a JSON Schema of type object")
    for method in ("applies", "run"):
        if not callable(getattr(cls, method, None)):
            problems.append(f"{method}() is missing")
    if not problems and not _built_in(cls):
        from gatekeeper.errors import PluginError
        from gatekeeper.policy.schema import validate_config_schema

        try:
            validate_config_schema(cls)
        except PluginError as exc:
            problems.append(str(exc.format_message()))
    return problems


def find_entry_points() -> list[EntryPoint]:
    """Entry points of the check group, in a deterministic order."""
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value))


def _origin(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
    return f"entry point {ep.name} = {ep.value} ({where})"


def load_entry_points(registry: Registry, eps: Iterable[EntryPoint] | None = None) -> None:
    """Load every entry point into ``registry``; one broken plugin never stops the rest."""
    for ep in find_entry_points() if eps is None else eps:
        try:
            cls = ep.load()
        except Exception as exc:  # a plugin's import can raise anything
            registry.failures.append(
                PluginFailure(
                    ep.name, _origin(ep), f"failed to import: {type(exc).__name__}: {exc}"
                )
            )
            continue
        registry.add(cls, _origin(ep), ep.name)


def load_local_file(registry: Registry, path: str, source: str | None) -> None:
    """Import a repository-local check file (its text read at the base commit).

    Every class defined in the file (not imported into it) with a non-empty ``id`` is a check.
    """
    origin = f"local file {path}"
    if source is None:
        registry.failures.append(
            PluginFailure(path, origin, "the file does not exist at the base commit")
        )
        return
    module_name = "gatekeeper_local_" + re.sub(r"\W", "_", path)
    module = types.ModuleType(module_name)
    module.__file__ = path
    sys.modules[module_name] = module
    try:
        exec(compile(source, path, "exec"), module.__dict__)
    except Exception as exc:  # the file's own code can raise anything
        sys.modules.pop(module_name, None)
        registry.failures.append(
            PluginFailure(path, origin, f"failed to import: {type(exc).__name__}: {exc}")
        )
        return
    found: list[type[Any]] = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module_name and getattr(obj, "id", None)
    ]
    if not found:
        registry.failures.append(PluginFailure(path, origin, "defines no class with an `id`"))
    for cls in sorted(found, key=lambda c: str(c.id)):
        registry.add(cls, origin, str(cls.id))


def discover(local_files: Mapping[str, str | None] | None = None) -> Registry:
    """All available checks: entry points, then local files (path -> source text)."""
    registry = Registry()
    load_entry_points(registry)
    for path, source in sorted((local_files or {}).items()):
        load_local_file(registry, path, source)
    return registry
