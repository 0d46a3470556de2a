"""Mapping the paths a coverage report uses onto the repository's own paths.

Reports name files as the test run saw them: relative to where coverage ran, absolute on
a CI runner (``/home/runner/work/app/app/src/x.py``) or in a container (``/app/src/x.py``),
relative to Cobertura ``<source>`` folders, with Windows separators. The policy can add
prefixes to strip and explicit ``from -> to`` mappings; as a last resort a unique suffix
match at a folder boundary finds the file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Container, Iterable, Mapping, Sequence


class PathMapper:
    """Resolve report paths to the changed files' repository paths."""

    def __init__(
        self,
        root: str,
        targets: Iterable[str],
        *,
        strip: Sequence[str] = (),
        mappings: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root.rstrip("/")
        self.targets = set(targets)
        self.strip = tuple(s.replace("\\", "/").rstrip("/") + "/" for s in strip if s)
        self.mappings = {
            k.replace("\\", "/").rstrip("/") + "/": v.strip("/")
            for k, v in (mappings or {}).items()
        }
        self._by_name: dict[str, list[str]] = {}
        for target in self.targets:
            self._by_name.setdefault(posixpath.basename(target), []).append(target)
        self.matched: set[str] = set()

    def __call__(self, report_path: str, roots: Sequence[str] = ()) -> str | None:
        """The repository path of ``report_path`` if it is one of the targets, else None."""
        found = self.resolve(report_path, roots)
        if found is not None:
            self.matched.add(found)
        return found

    def resolve(self, report_path: str, roots: Sequence[str] = ()) -> str | None:
        """As ``__call__``, without recording the match."""
        path = report_path.replace("\\", "/")
        for candidate in self._candidates(path, roots):
            normal = _normal(candidate)
            if normal in self.targets:
                return normal
        return self._by_suffix(path)

    def locate(self, report_path: str, roots: Sequence[str], known: Container[str]) -> str | None:
        """The repository path of any file the report lists, among ``known`` (files at
        head), not only the changed ones: as ``resolve`` maps it, else by its longest
        suffix at a folder boundary that names a known file."""
        path = report_path.replace("\\", "/")
        for candidate in self._candidates(path, roots):
            normal = _normal(candidate)
            if normal in known:
                return normal
        parts = path.split("/")
        for i in range(1, len(parts)):
            suffix = "/".join(parts[i:])
            if suffix in known:
                return suffix
        return None

    def _candidates(self, path: str, roots: Sequence[str]) -> Iterable[str]:
        for prefix, replacement in self.mappings.items():
            if path.startswith(prefix):
                yield posixpath.join(replacement, path[len(prefix) :])
        for prefix in self.strip:
            if path.startswith(prefix):
                yield path[len(prefix) :]
        if path.startswith(self.root + "/"):
            yield path[len(self.root) + 1 :]
        if not path.startswith("/"):
            yield path
            for root in roots:
                joined = posixpath.join(root.replace("\\", "/"), path)
                if joined.startswith(self.root + "/"):
                    yield joined[len(self.root) + 1 :]
                elif not joined.startswith("/"):
                    yield joined

    def _by_suffix(self, path: str) -> str | None:
        hits = [
            t
            for t in self._by_name.get(posixpath.basename(path), ())
            if path == t or path.endswith("/" + t)
        ]
        return hits[0] if len(hits) == 1 else None


def _normal(candidate: str) -> str:
    normal = posixpath.normpath(candidate).lstrip("/") if candidate else ""
    return normal[2:] if normal.startswith("./") else normal
