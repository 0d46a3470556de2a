"""Names imported from the repository's own modules, looked up on demand.

A changed file's imports are followed into the modules they name (at the same side of
the change), and from there at most ``MAX_DEPTH`` modules further. A module is parsed
only when its text could matter: it mentions an environment API (then its wrappers and
objects are analysed), or it re-exports the name from elsewhere; a plain string constant
is read from the text with one pattern, without parsing. Modules the change did not touch
are the same at base and head, so the base side borrows them from the head side. Cost
follows the imports of the changed files, not the size of the repository.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from gatekeeper.checks.envvars.python_module import GATE, Module, parse
from gatekeeper.checks.envvars.python_values import (
    ClassInfo,
    Const,
    Func,
    Imported,
    Instance,
    ModuleRef,
    Symbol,
)
from gatekeeper.checks.envvars.python_walk import define

MAX_DEPTH = 3
_CONSTANT = re.compile(
    r"""^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*(?:"([^"\\\n]*)"|'([^'\\\n]*)')[ \t]*(?:\#.*)?$""",
    re.M,
)
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t]+(\([^)]{0,5000}\)|[^\n]*)", re.M
)


@dataclass(frozen=True, slots=True)
class _Source:
    """What a module's text tells without parsing it."""

    text: str
    gated: bool  # mentions an environment API: worth parsing for wrappers and objects
    constants: dict[str, str]
    imported: frozenset[str]  # names its import statements bind
    star: bool  # it imports * from somewhere


def _source(text: str) -> _Source:
    constants: dict[str, str] = {}
    dropped = set()
    for m in _CONSTANT.finditer(text):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        if constants.setdefault(m.group(1), value) != value:
            dropped.add(m.group(1))
    names: set[str] = set()
    star = False
    for m in _IMPORT_LINE.finditer(text):
        for item in m.group(1).strip("()").split(","):
            words = item.split()
            star = star or words == ["*"]
            if words:
                names.add(words[-1].split(".")[0])
    return _Source(
        text,
        any(token in text for token in GATE),
        {k: v for k, v in constants.items() if k not in dropped},
        frozenset(names),
        star,
    )


class RepoModules:
    """The repository's Python modules at one side of the change, as a :class:`Resolver`.

    ``shared`` (the head side, for the base side) serves the modules the change did not
    touch (``changed`` lists the paths it did), so they are read and parsed once."""

    def __init__(
        self,
        read: Callable[[str], str | None],
        paths: Callable[[], set[str]],
        shared: RepoModules | None = None,
        changed: Collection[str] = (),
    ) -> None:
        self._read, self._paths = read, paths
        self._shared, self._changed = shared, frozenset(changed)
        self._known: set[str] | None = None
        self._sources: dict[str, _Source | None] = {}
        self._modules: dict[str, Module | None] = {}
        self._depth: dict[str, int] = {}
        self._busy: set[tuple[Imported, str]] = set()

    def resolve(self, imported: Imported, importer: str) -> Symbol | None:
        """What ``imported`` (seen in ``importer``) stands for; None if unknown or irrelevant."""
        depth = self._depth.get(importer, 0) + 1
        key = (imported, importer)
        if depth > MAX_DEPTH or key in self._busy:
            return None  # too far, or an import cycle
        self._busy.add(key)
        try:
            return self._resolve(imported, importer, depth)
        finally:
            self._busy.discard(key)

    def _resolve(self, imported: Imported, importer: str, depth: int) -> Symbol | None:
        path = self.find(imported.module, imported.level, importer)
        if not imported.name:
            return self._module_ref(path, depth)
        if path is None:
            return None
        found = self._symbol(path, imported.name, depth)
        if found is None and path.endswith("__init__.py"):
            # ``from pkg import mod``: a submodule, not a name defined in pkg/__init__.py
            sub = self.find(f"{imported.module}.{imported.name}", imported.level, importer)
            return self._module_ref(sub, depth)
        return found

    def find(self, module: str, level: int, importer: str) -> str | None:
        """The repository path of a module, trying the importer's folders, src/ and the root."""
        parts = [p for p in module.split(".") if p]
        folder = PurePosixPath(importer).parent
        if level:
            for _ in range(level - 1):
                folder = folder.parent
            roots = [folder]
        else:
            roots = [folder, *folder.parents, PurePosixPath("src")]
        known = self._all_paths()
        for root in roots:
            stem = "/".join([*(p for p in root.parts if p != "."), *parts])
            for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
                if candidate.lstrip("/") in known:
                    return candidate.lstrip("/")
        return None

    def _all_paths(self) -> set[str]:
        if self._known is None:
            self._known = self._paths()
        return self._known

    def _borrow(self, path: str) -> RepoModules | None:
        return self._shared if self._shared is not None and path not in self._changed else None

    def _source(self, path: str) -> _Source | None:
        other = self._borrow(path)
        if other is not None:
            return other._source(path)
        if path not in self._sources:
            text = self._read(path)
            self._sources[path] = _source(text) if text is not None else None
        return self._sources[path]

    def scanned(self, path: str, text: str) -> Module | None:
        """The module of a file the check scans itself (``text`` read at this side), None
        when it does not parse. Kept with the modules imports reach: a changed module
        another changed file imports is parsed, and its wrappers found, once per run."""
        other = self._borrow(path)
        if other is not None:
            return other.scanned(path, text)
        if path not in self._modules:
            self._sources.setdefault(path, _source(text))
            tree = parse(text)
            self._modules[path] = Module(tree, path, self) if tree is not None else None
        return self._modules[path]

    def _module(self, path: str, depth: int) -> Module | None:
        other = self._borrow(path)
        if other is not None:
            return other._module(path, depth)
        # the depth of its first import, even when the check scanned it first (scanned)
        self._depth.setdefault(path, depth)
        if path not in self._modules:
            source = self._source(path)
            tree = parse(source.text) if source is not None else None
            self._modules[path] = Module(tree, path, self) if tree is not None else None
        return self._modules[path]

    def _module_ref(self, path: str | None, depth: int) -> ModuleRef | None:
        source = self._source(path) if path else None
        if path is None or source is None or not source.gated:
            return None
        return ModuleRef(path, lambda name: self._symbol(path, name, depth))

    def _symbol(self, path: str, name: str, depth: int) -> Symbol | None:
        source = self._source(path)
        if source is None:
            return None
        if not source.gated and (name in source.constants or not _reexported(source, name)):
            value = source.constants.get(name)
            return Const((value,)) if value is not None else None
        mod = self._module(path, depth)
        if mod is None:
            return None
        sym = mod.lookup(name)
        if isinstance(sym, Func | ClassInfo | Instance):
            define(mod, source.text)  # find its wrappers
        return sym


def _reexported(source: _Source, name: str) -> bool:
    return name in source.imported or source.star
