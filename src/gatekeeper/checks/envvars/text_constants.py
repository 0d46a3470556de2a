"""Constants a Go or JavaScript file uses but does not define, found in the files it names.

Go: the other files of the same package (its folder), and ``pkg.Name`` in a package of the
repository whose import path ends with that package's folder. JavaScript/TypeScript:
names imported from a relative module (``import { KEY } from "./env"``). Files are read only
when a read uses a name the file does not define, so cost follows the diff.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from gatekeeper.checks.envvars import (
    text_ardanconf,
    text_exenvmap,
    text_exwrappers,
    text_gotags,
    text_gowrappers,
    text_jsalias,
    text_phpwrappers,
    text_viper,
)
from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.text_names import (
    GO,
    JS,
    Constants,
    Language,
    Wrappers,
    file_constants,
)

_JS_IMPORT = re.compile(
    # a list stops at the next "{" and is bounded: "import {" repeated without a "}"
    # made every opening scan the rest of the file
    r"""\bimport\s*(?:type\s+)?\{(?P<names>[^{}]{0,2000})\}\s*from\s*["'](?P<path>\.{1,2}/[^"'\n]+)["']"""
)
_JS_SUFFIXES = ("", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", "/index.ts", "/index.js")
#: imports looked up per file for a module exporting the environment, at most
MAX_ALIAS_IMPORTS = 64
#: files read to learn the prefixes of Go's struct-tag libraries, at most
MAX_PREFIX_FILES = 200
#: a repository's own Go sources, as git pathspecs: tests, vendored code and test data out
GO_SOURCES = (
    "*.go",
    ":(exclude)*_test.go",
    ":(exclude)vendor/*",
    ":(exclude)*/vendor/*",
    ":(exclude)testdata/*",
    ":(exclude)*/testdata/*",
)
#: ``"@server/*": ["./server/*"]`` in a tsconfig's ``paths``
_TS_PATH = re.compile(r'"(?P<alias>[^"*\n]{0,100})\*"\s*:\s*\[\s*"(?P<target>[^"*\n]{0,200})\*"')
_TS_BASE_URL = re.compile(r'"baseUrl"\s*:\s*"(?P<base>[^"\n]{0,200})"')
#: ``(words, pathspecs) -> paths`` of the side's files holding one of the words, or None
Containing = Callable[[list[str], list[str]], "list[str] | None"]


class Neighbours:
    """One side of the change: the files a Go or JavaScript file's constants may live in."""

    def __init__(
        self,
        read: Callable[[str], str | None],
        paths: Callable[[], list[str]],
        containing: Containing | None = None,
        *,
        other_side: tuple[Neighbours, frozenset[str]] | None = None,
    ) -> None:
        """``other_side``: the head's neighbours and the paths the change touches, given
        to the base side's, which may then reuse what the head worked out."""
        self._read, self._paths, self._containing = read, paths, containing
        self._listing: list[str] | None = None
        self._known: set[str] | None = None
        self._prefixes: dict[str, tuple[str, ...]] | None = None
        self._viper: tuple[text_viper.Setup, ...] | None = None
        self._conf: list[text_ardanconf.Leaf] | None = None
        self._key_types: dict[str, set[str]] = {}
        self._exports: dict[str, set[str]] = {}
        self._ts_paths: dict[str, list[tuple[str, str]]] = {}
        self._folder_aliases: dict[str, list[tuple[str, str]]] = {}
        self._folders: dict[str, dict[str, str]] = {}
        self._files: dict[str, dict[str, str]] = {}
        self._go_folders: set[str] | None = None
        self._wrappers: text_gowrappers.GoWrappers = text_gowrappers.GoWrappers(
            read,
            self._go_sources_naming,
            self._package_dir,
            self.go,
            other_side=(other_side[0]._wrappers, other_side[1]) if other_side else None,
        )
        self._ex_wrappers: text_exwrappers.ExWrappers = text_exwrappers.ExWrappers(
            read,
            self._search,
            self._all,
            other_side=(other_side[0]._ex_wrappers, other_side[1]) if other_side else None,
        )
        self._php_wrappers = text_phpwrappers.PhpWrappers(read, self._search, self._all)
        self._ex_env_maps = text_exenvmap.ExEnvMaps(read, self._search)

    def go(self, path: str, text: str) -> Constants:
        """Constants for a Go file: its own, its package's, then other packages' ``pkg.Name``."""
        own = file_constants(text, GO)
        folder = str(PurePosixPath(path).parent)
        imports = text_gowrappers.go_imports(text)

        def lookup(name: str) -> str | None:
            if "." not in name:
                return own.get(name) or self._package(folder).get(name)
            pkg, _, member = name.partition(".")
            target = self._package_dir(imports.get(pkg, ""))
            return self._package(target).get(member) if target is not None else None

        return lookup

    def js(self, path: str, text: str) -> Constants:
        """Constants for a JavaScript/TypeScript file: its own, then relatively imported ones."""
        own = file_constants(text, JS)
        sources: dict[str, tuple[str, str]] = {}  # local name -> (module, exported name)
        for m in _JS_IMPORT.finditer(text):
            for item in m.group("names").split(","):
                exported, _, local = item.strip().partition(" as ")
                if exported:
                    sources[(local or exported).strip()] = (m.group("path"), exported.strip())
        folder = PurePosixPath(path).parent

        def lookup(name: str) -> str | None:
            if name in own or name not in sources:
                return own.get(name)
            spec, exported = sources[name]
            target = self._js_module(str(folder / spec))
            return self._constants(target, JS).get(exported) if target else None

        return lookup

    def go_prefixes(self) -> dict[str, tuple[str, ...]]:
        """The prefixes the side's Go files give the struct-tag libraries (text_gotags),
        found once: the files importing a library, by one search where the tree has one."""
        if self._prefixes is None:
            paths = self._go_files_naming(list(text_gotags.IMPORT_WORDS))
            self._prefixes = text_gotags.prefixes(self._read(p) or "" for p in paths)
        return self._prefixes

    def go_viper(self) -> tuple[text_viper.Setup, ...]:
        """The side's viper ``AutomaticEnv`` setups (text_viper), found once: the Go files
        naming ``AutomaticEnv``, by one search where the tree has one; test files never
        count (a test's own viper is no deployment's)."""
        if self._viper is None:
            paths = self._go_files_naming([text_viper.SETUP_WORD])
            self._viper = text_viper.setups(self._read(p) or "" for p in paths)
        return self._viper

    def go_conf(self, path: str) -> list[EnvRead]:
        """The variables ardanlabs/conf reads through the struct fields (or the ``Parse``
        call) a Go file declares (text_ardanconf); the side's tree is worked out once,
        from the Go files naming the library."""
        if self._conf is None:
            tree = text_ardanconf.Tree(self._read, self._package_files, self._package_dir, self.go)
            for p in self._go_files_naming([text_ardanconf.SEARCH_WORD]):
                tree.add_file(p, self._read(p) or "")
            self._conf = tree.leaves
        return text_ardanconf.reads_of(self._conf, path)

    def _go_files_naming(self, words: list[str]) -> list[str]:
        """The side's Go files (tests left out) holding one of ``words``: one search where
        the tree has one, else every Go file; at most :data:`MAX_PREFIX_FILES`."""
        found = self._containing(words, ["*.go"]) if self._containing is not None else None
        if found is None:
            found = [p for p in self._all() if p.endswith(".go")]
        return [p for p in found if not p.endswith("_test.go")][:MAX_PREFIX_FILES]

    def go_wrappers(self, path: str, text: str) -> Wrappers:
        """The repository's functions a Go file can call that hand their parameter to the
        environment (text_gowrappers), by the name the file calls them; the side's index
        is built once, when a file first asks."""
        return self._wrappers.visible(path, text)

    def elixir_wrappers(self, path: str, text: str) -> list[EnvRead]:
        """The reads an Elixir file makes through the repository's helpers over
        ``System.get_env`` (text_exwrappers); the side's index is built once, when a file
        first asks."""
        return self._ex_wrappers.reads(path, text)

    def elixir_env_maps(self, text: str) -> list[EnvRead]:
        """The keys an Elixir file's functions read from the environment the repository
        hands them whole (text_exenvmap); the side's calls are found when a file first
        asks."""
        return self._ex_env_maps.reads(text)

    def php_wrappers(self, text: str) -> list[EnvRead]:
        """The reads a PHP file makes through the repository's helpers over ``env()``
        (text_phpwrappers); the side's helpers are found once, when a file first asks."""
        return self._php_wrappers.reads(text)

    def _search(self, words: list[str], pathspecs: list[str]) -> list[str] | None:
        return self._containing(words, pathspecs) if self._containing is not None else None

    def _go_sources_naming(self, words: list[str]) -> list[str]:
        """The side's Go files holding one of ``words``, outside tests, vendored code and
        test data: one search whose pathspecs leave those out (most of a repository that
        vendors its dependencies), else every Go file."""
        found = self._containing(words, list(GO_SOURCES)) if self._containing else None
        if found is None:
            found = [p for p in self._all() if p.endswith(".go")]
        return found

    def go_key_types(self, path: str) -> set[str]:
        """The typed viper key types (text_viper.key_types) of the package a Go file is in,
        read once per folder."""
        folder = str(PurePosixPath(path).parent)
        if folder not in self._key_types:
            found: set[str] = set()
            for p in self._package_files(folder)[:MAX_PREFIX_FILES]:
                found |= text_viper.key_types(self._read(p) or "")
            self._key_types[folder] = found
        return self._key_types[folder]

    def js_aliases(self, path: str, text: str) -> set[str]:
        """The names that stand for the whole environment in a JavaScript/TypeScript file:
        its own bindings of it, and the imports of a repository module exporting it."""
        own, _ = text_jsalias.env_bindings(text)
        found = [i for i in text_jsalias.imports(text) if i[0] not in own]
        locals_ = {i[0] for i in found}
        if len(locals_) <= MAX_ALIAS_IMPORTS:  # a search each is cheapest
            used = {n for n in locals_ if text_jsalias.reads_a_name(text, n)}
        else:  # many: one pass over the file, whatever their number
            used = text_jsalias.used_objects(text)
        wanted = [i for i in found if i[0] in used]
        for local, spec, exported in wanted[:MAX_ALIAS_IMPORTS]:
            target = self._resolve(path, spec)
            if target is not None and exported in self._env_exports(target):
                own.add(local)
        return own

    def _env_exports(self, path: str) -> set[str]:
        if path not in self._exports:
            text = self._read(path)
            self._exports[path] = text_jsalias.env_exports(text) if text is not None else set()
        return self._exports[path]

    def _resolve(self, importer: str, spec: str) -> str | None:
        """The repository file an import names: a relative path, or one through the
        ``paths`` of the nearest tsconfig.json (or jsconfig.json) above the importer."""
        if spec.startswith("."):
            return self._js_module(str(PurePosixPath(importer).parent / spec))
        for alias, target in self._aliases_for(importer):
            if spec.startswith(alias):
                return self._js_module(target + spec[len(alias) :])
        return None

    def _aliases_for(self, importer: str) -> list[tuple[str, str]]:
        folder = str(PurePosixPath(importer).parent)
        if folder not in self._folder_aliases:
            self._folder_aliases[folder] = self._nearest_aliases(importer)
        return self._folder_aliases[folder]

    def _nearest_aliases(self, importer: str) -> list[tuple[str, str]]:
        known = self._known_paths()
        for folder in [*PurePosixPath(importer).parents]:
            for name in ("tsconfig.json", "jsconfig.json"):
                config = str(folder / name) if str(folder) != "." else name
                if config in known:
                    return self._ts_aliases(config)
        return []

    def _ts_aliases(self, config: str) -> list[tuple[str, str]]:
        if config not in self._ts_paths:
            text = self._read(config) or ""
            base = _TS_BASE_URL.search(text)
            root = PurePosixPath(config).parent / (base.group("base") if base else ".")
            pairs = [
                (m.group("alias"), _normalise(str(root / m.group("target"))) + "/")
                for m in _TS_PATH.finditer(text)
            ]
            # the longest alias first: "@server/utils/" before "@server/"
            self._ts_paths[config] = sorted(pairs, key=lambda p: -len(p[0]))
        return self._ts_paths[config]

    def _known_paths(self) -> set[str]:
        if self._known is None:
            self._known = set(self._all())
        return self._known

    def _all(self) -> list[str]:
        if self._listing is None:
            self._listing = self._paths()
        return self._listing

    def _package(self, folder: str) -> dict[str, str]:
        if folder not in self._folders:
            merged: dict[str, str] = {}
            for p in self._package_files(folder):
                for k, v in self._constants(p, GO).items():
                    merged.setdefault(k, v)
            self._folders[folder] = merged
        return self._folders[folder]

    def _package_files(self, folder: str) -> list[str]:
        """The Go files of the package in ``folder``, tests left out."""
        prefix = "" if folder in ("", ".") else folder + "/"
        return [
            p
            for p in self._all()
            if p.startswith(prefix)
            and "/" not in p[len(prefix) :]
            and p.endswith(".go")
            and not p.endswith("_test.go")
        ]

    def _package_dir(self, import_path: str) -> str | None:
        """The repository folder an import path points at (the longest suffix that exists)."""
        parts = [p for p in import_path.split("/") if p]
        if self._go_folders is None:
            self._go_folders = {
                str(PurePosixPath(p).parent) for p in self._all() if p.endswith(".go")
            }
        folders = self._go_folders
        for i in range(len(parts)):
            candidate = "/".join(parts[i:])
            if candidate in folders:
                return candidate
        return None

    def _js_module(self, spec: str) -> str | None:
        normal = _normalise(spec)
        known = self._known_paths()
        return next((normal + s for s in _JS_SUFFIXES if normal + s in known), None)

    def _constants(self, path: str, language: Language) -> dict[str, str]:
        if path not in self._files:
            text = self._read(path)
            self._files[path] = file_constants(text, language) if text is not None else {}
        return self._files[path]


def _normalise(path: str) -> str:
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/".join(out)
