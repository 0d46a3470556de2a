"""Go functions of the repository that hand their string parameter to the environment.

A project often reads its settings through one helper of its own, in a package of its
own: casdoor's ``conf.GetConfigString(key)`` looks ``key`` up with ``os.LookupEnv`` before
the config file, and ``conf.GetConfigBool(key)`` calls it. Every call
``conf.GetConfigBool("useGroupPathInToken")`` is then a read of that variable, though the
file making it never names the environment. The file-local wrappers of
:mod:`text_names` do not see such a helper: it lives out of the diff's sight.

The index is built once per side of the change, bottom-up: the Go files naming a direct
read (one search), then, for a few rounds, the files naming a function found so far, each
analysed with the wrappers it can call (its own package's by plain name, an imported
package's as ``alias.Name``). Only files that call one with a non-literal argument can
define a new wrapper, so the others are not analysed. Test files, vendored code and test
data are left out: their helpers are no deployment's reads.

The base side reuses the head's index when the files the change touches define the same
helpers on both sides (the usual case: a change calls a helper, it does not edit one), so
the repository is searched once per run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from gatekeeper.checks.envvars.text_names import (
    GO,
    Constants,
    Wrappers,
    same_definitions,
    wrappers_of,
)

#: what a direct read's file contains (text_names.GO's reads)
READ_WORDS = ("os.Getenv", "os.LookupEnv", "syscall.Getenv")
#: rounds of "a function calling a wrapper found in the round before"
MAX_ROUNDS = 3
#: files analysed per round, at most (the shallowest first)
MAX_FILES = 200
_SKIPPED = re.compile(r"(?:^|/)(?:vendor|testdata|third_party)/|_test\.go$")
#: the Go import block's entries: an optional alias and the path
_IMPORT = re.compile(
    r"""(?m)^[ \t]*(?:import[ \t]+)?(?:(?P<alias>[A-Za-z_]\w*)[ \t]+)?"(?P<path>[^"\s]+)"[ \t]*$"""
)

#: ``(words) -> paths`` of the side's Go files holding one of the words
Search = Callable[[list[str]], list[str]]
#: ``(path, text) -> constants`` a Go file can name
ConstantsFor = Callable[[str, str], Constants]


class GoWrappers:
    """The wrappers of one side's Go packages, by folder (see the module docstring)."""

    def __init__(
        self,
        read: Callable[[str], str | None],
        search: Search,
        package_dir: Callable[[str], str | None],
        constants: ConstantsFor,
        *,
        other_side: tuple[GoWrappers, frozenset[str]] | None = None,
    ) -> None:
        """``other_side``: the head's index and the paths the change touches, for the base
        side to reuse (see the module docstring)."""
        self._read, self._search = read, search
        self._package_dir, self._constants = package_dir, constants
        self._other_side = other_side
        self._by_folder: dict[str, Wrappers] | None = None
        self._imports: dict[str, dict[str, str]] = {}
        #: the wrappers each analysed file defines
        self._defined: dict[str, Wrappers] = {}

    def visible(self, path: str, text: str) -> Wrappers:
        """The wrappers a Go file can call, by the name it calls them: its package's by
        plain name, an imported package's exported ones as ``alias.Name``."""
        return self._visible(path, text, self._index())

    def _visible(self, path: str, text: str, index: dict[str, Wrappers]) -> Wrappers:
        if not index:
            return {}
        out: Wrappers = dict(index.get(str(PurePosixPath(path).parent), {}))
        for alias, folder in self._folders_imported(path, text).items():
            for name, carried in index.get(folder, {}).items():
                if name[:1].isupper():
                    out[f"{alias}.{name}"] = carried
        return out

    def _folders_imported(self, path: str, text: str) -> dict[str, str]:
        if path not in self._imports:
            found: dict[str, str] = {}
            for alias, import_path in go_imports(text).items():
                folder = self._package_dir(import_path) if alias != "_" else None
                if folder is not None:
                    found[alias] = folder
            self._imports[path] = found
        return self._imports[path]

    def _index(self) -> dict[str, Wrappers]:
        if self._by_folder is None:
            reused = self._reused()
            if reused is not None:
                self._by_folder = reused
            else:
                self._by_folder = {}
                self._build(self._by_folder)
        return self._by_folder

    def _reused(self) -> dict[str, Wrappers] | None:
        """The other side's index when every touched Go file defines the same wrappers on
        this side as there, else None."""
        if self._other_side is None:
            return None
        other, touched = self._other_side
        index = other._index()

        def theirs(path: str) -> Wrappers:
            return other._defined.get(path, {})

        def ours(path: str, text: str) -> Wrappers:
            visible = self._visible(path, text, index)
            outer = {k: v for k, v in visible.items() if k not in theirs(path)}
            found = wrappers_of(text, GO, self._constants(path, text), outer)
            return _functions_only(text, found)

        def wanted(path: str) -> bool:
            return path.endswith(".go") and not _SKIPPED.search(path)

        return index if same_definitions(touched, wanted, theirs, self._read, ours) else None

    def _build(self, index: dict[str, Wrappers]) -> None:
        paths = self._candidates(list(READ_WORDS))
        caller: re.Pattern[str] | None = None
        for _ in range(MAX_ROUNDS):
            fresh: set[str] = set()
            for path in paths:
                text = self._read(path)
                if text is None or (caller is not None and not caller.search(text)):
                    continue
                outer = self._visible(path, text, index)
                found = _functions_only(
                    text, wrappers_of(text, GO, self._constants(path, text), outer)
                )
                if not found:
                    continue
                self._defined[path] = {**self._defined.get(path, {}), **found}
                folder = index.setdefault(str(PurePosixPath(path).parent), {})
                for name, carried in found.items():
                    merged = tuple(sorted(set(folder.get(name, ())) | set(carried), key=str))
                    if merged != folder.get(name):
                        folder[name] = merged
                        fresh.add(name)
            if not fresh:
                return
            # a new wrapper is made only by a call passing something other than a literal
            names = "|".join(re.escape(n) for n in sorted(fresh))
            caller = re.compile(rf"(?<![\w$])(?:{names})\s*\(\s*[^\s\")]")
            paths = self._candidates(sorted(fresh))

    def _candidates(self, words: list[str]) -> list[str]:
        found = [p for p in self._search(words) if not _SKIPPED.search(p)]
        return sorted(found, key=lambda p: (p.count("/"), p))[:MAX_FILES]


def _functions_only(text: str, found: Wrappers) -> Wrappers:
    """The package-level functions among ``found``: a method (``func (c *C) Get(key
    string)``) is called on a value, never by its package's name."""
    if not found:
        return found
    names = set(re.findall(r"(?m)^func[ \t]+(\w+)[ \t]*[\[(]", text))
    return {k: v for k, v in found.items() if k in names}


def go_imports(text: str) -> dict[str, str]:
    """A Go file's imports: the name each is used under (its alias, else the path's last
    element) -> its import path."""
    return {
        (m.group("alias") or m.group("path").rsplit("/", 1)[-1]): m.group("path")
        for m in _IMPORT.finditer(_import_block(text))
    }


def _import_block(text: str) -> str:
    m = re.search(r"(?ms)^import\s*\((.*?)^\)", text)
    singles = "\n".join(re.findall(r'(?m)^import\s+(?:\w+\s+)?"[^"]+"\s*$', text))
    return (m.group(1) if m else "") + "\n" + singles.replace("import ", "")
