"""Reading Python dependency manifests into pinned and unpinned requirements.

Formats: ``requirements*.txt`` and ``constraints*.txt`` (with ``-r``/``-c`` includes,
hashes and continuations),
``pyproject.toml`` (PEP 621, PEP 735 groups, Poetry tables), ``poetry.lock``,
``uv.lock``, ``pylock.toml`` (PEP 751) and ``Pipfile.lock``. Parsing never runs code
or touches the network; a file that cannot be read raises :class:`ManifestError`
with the line where that is known.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from gatekeeper.changes.globs import match_any

REQUIREMENTS = (
    "*requirements*.txt",
    "requirements/**/*.txt",
    "*requirements*.in",
    "*constraints*.txt",  # pip's -c files: the versions installed, audited like pins
)
LOCKS: Mapping[str, tuple[str, ...]] = {
    "poetry": ("poetry.lock",),
    "uv": ("uv.lock",),
    "pylock": ("pylock.toml", "pylock.*.toml"),
    "pipfile": ("Pipfile.lock",),
}
KNOWN = (*REQUIREMENTS, "pyproject.toml", *(p for ps in LOCKS.values() for p in ps))
#: lock files of formats we do not read; reported so that nobody assumes they were audited
UNKNOWN_LOCKS = (
    "*.lock",
    "*-lock.json",
    "*-lock.yaml",
    "*-lock.yml",
    "*.lock.json",
    "*.lock.yaml",
    "*.lock.yml",
    "*-lock.toml",
    "*.lock.toml",
)
#: lock files of other ecosystems: reported as a note only (their own tools audit them)
OTHER_ECOSYSTEMS = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "Cargo.lock",
    "Gemfile.lock",
    "composer.lock",
    "go.sum",
    "mix.lock",
    "Podfile.lock",
    "pubspec.lock",
    "flake.lock",
    "packages.lock.json",
    "gradle.lockfile",
)
MAX_INCLUDE_DEPTH = 10

Reader = Callable[[str], "str | None"]


class ManifestError(Exception):
    """A manifest that cannot be read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True, order=True)
class Pin:
    """A requirement pinned to one version: what can be audited."""

    name: str  # canonical
    version: str
    path: str
    line: int | None


@dataclass(frozen=True, slots=True, order=True)
class Loose:
    """A requirement without a single version, so it cannot be audited as written."""

    name: str
    spec: str
    path: str
    line: int | None
    reason: str


@dataclass
class Manifest:
    """What one manifest (and the files it includes) requires."""

    pins: list[Pin] = field(default_factory=list)
    loose: list[Loose] = field(default_factory=list)


def is_known(path: str) -> bool:
    """True for a manifest format this module reads."""
    return match_any(path, KNOWN)


def is_unknown_lock(path: str) -> bool:
    """True for a lock file of a format this module does not read."""
    return not is_known(path) and match_any(path, (*UNKNOWN_LOCKS, *OTHER_ECOSYSTEMS))


def is_other_ecosystem(path: str) -> bool:
    """True for a lock file of a non-Python package manager (npm, Cargo, Bundler...)."""
    return match_any(path, OTHER_ECOSYSTEMS)


def parse(path: str, text: str, read: Reader) -> Manifest:
    """Parse the manifest at ``path``; ``read`` fetches included files at the same revision."""
    try:
        return _parse(path, text, read)
    except (AttributeError, TypeError, ValueError) as exc:
        # a document of the right syntax but the wrong shape (a string where a table
        # belongs...): say so rather than crash
        raise ManifestError(f"its structure is not what this format allows ({exc})") from None


def _parse(path: str, text: str, read: Reader) -> Manifest:
    name = posixpath.basename(path)
    if match_any(path, REQUIREMENTS):
        out = Manifest()
        _requirements(path, text, read, out, [path])
        return out
    data = _toml(text) if not name.endswith("Pipfile.lock") else _json(text)
    if name == "pyproject.toml":
        return _pyproject(path, text, data)
    if name == "Pipfile.lock":
        return _pipfile_lock(path, text, data)
    table = "packages" if match_any(path, LOCKS["pylock"]) else "package"
    return _toml_lock(path, text, data, table)


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise ManifestError(f"not valid TOML: {exc}", line) from None


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"not valid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise ManifestError("not a JSON object")
    return data


_COMMENT = re.compile(r"(^|\s)#.*$")
#: per-requirement options pip accepts after a specifier (they name no package)
_OPTIONS = re.compile(
    r"\s--(?:hash|config-settings|global-option|install-option)(?:=|\s+)(?:\"[^\"]*\"|\S+)"
)
#: archive files pip installs from a path or URL
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")


def _local_or_url(spec: str) -> bool:
    """Whether a requirement line names a local project or archive, or a bare URL: as pip
    decides, a path holds a separator or starts with a dot (``libs/podop``,
    ``./pkg[extra]``), or names an archive (``numpy-1.9.2-cp34-none-win32.whl``)."""
    head = spec.split(";", 1)[0]
    if "://" in head.split("@", 1)[0]:
        return True
    target = head.split(maxsplit=1)[0].split("[", 1)[0]
    return (
        "/" in target
        or "\\" in target
        or target.startswith((".", "~"))
        or target.lower().endswith(_ARCHIVES)
    )


# ``-r`` requires a file's packages, ``-c`` constrains their versions: either way a pin
# there is a version pip installs, so both are followed
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)$")


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Requirement lines with comments stripped and ``\\`` continuations joined."""
    buffer, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not buffer:
            start = n
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        whole = (buffer + line).strip()
        buffer = ""
        if whole:
            yield start, whole
    if buffer.strip():
        yield start, buffer.strip()


def _requirements(path: str, text: str, read: Reader, out: Manifest, stack: list[str]) -> None:
    for n, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            _include((path, n), include.group(1), read, out, stack)
            continue
        if line.startswith("-"):
            continue  # index options and editables name nothing to audit
        spec = _OPTIONS.sub("", " " + line).strip()
        if not spec or _local_or_url(spec):
            continue  # a local path, an archive or a bare URL is not a PyPI package
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            where = f"line {n}" if path == stack[0] else f"{path}:{n}"
            raise ManifestError(f"{where}: not a valid requirement ({exc})", n) from None
        _add(out, req, path, n)


def _include(
    origin: tuple[str, int], target: str, read: Reader, out: Manifest, stack: list[str]
) -> None:
    """Read the file a ``-r``/``-c`` line names (relative to the including file) into ``out``."""
    path, n = origin
    where = f"line {n}" if path == stack[0] else f"{path}:{n}"
    included = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if included.startswith("../") or included == ".." or posixpath.isabs(included):
        raise ManifestError(f"{where}: includes {target}, which is outside the repository", n)
    if included in stack or len(stack) > MAX_INCLUDE_DEPTH:
        raise ManifestError(f"{where}: includes {target} in a cycle", n)
    text = read(included)
    if text is None:
        raise ManifestError(f"{where}: includes {target}, which does not exist or is not text", n)
    _requirements(included, text, read, out, [*stack, included])


def _add(out: Manifest, req: Requirement, path: str, line: int | None) -> None:
    name = canonicalize_name(req.name)
    specs = list(req.specifier)
    if req.url:
        out.loose.append(Loose(name, str(req), path, line, "it is installed from a URL"))
    elif len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        out.pins.append(Pin(name, specs[0].version, path, line))
    else:
        why = "it has no version" if not specs else f"{req.specifier} allows several versions"
        out.loose.append(Loose(name, str(req), path, line, why))


def _line_finder(text: str) -> Callable[[str], int | None]:
    """Find the first line that names a package (for locating findings in TOML/JSON)."""
    lines = text.splitlines()
    cache: dict[str, int | None] = {}

    def find(name: str) -> int | None:
        if name not in cache:
            tail = r"\b" if name[-1:].isalnum() else ""
            pattern = re.compile("(?i)" + re.escape(name).replace(r"\-", "[-_.]") + tail)
            cache[name] = next((i for i, ln in enumerate(lines, 1) if pattern.search(ln)), None)
        return cache[name]

    return find


def _pyproject(path: str, text: str, data: Mapping[str, Any]) -> Manifest:
    out = Manifest()
    find = _line_finder(text)
    project = data.get("project", {})
    own = canonicalize_name(str(project.get("name", "")))
    specs = _string_list(project.get("dependencies"), "project.dependencies")
    for key, group in (project.get("optional-dependencies", {}) or {}).items():
        specs += _string_list(group, f"project.optional-dependencies.{key}")
    for group in (data.get("dependency-groups", {}) or {}).values():
        specs += [s for s in group or [] if isinstance(s, str)]  # tables are include-group
    for spec in specs:
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            raise ManifestError(f"{spec!r} is not a valid requirement ({exc})") from None
        if canonicalize_name(req.name) != own:  # ``app[extra]`` names the project itself
            _add(out, req, path, find(req.name))
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [g.get("dependencies", {}) for g in (poetry.get("group", {}) or {}).values()]
    for table in tables:
        for name, spec in (table or {}).items():
            if name.lower() != "python":
                _poetry(out, name, spec, path, find(name))
    return out


def _string_list(value: object, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{key} must be a list of requirement strings")
    return list(value)


def _poetry(out: Manifest, name: str, spec: object, path: str, line: int | None) -> None:
    version = spec.get("version") if isinstance(spec, Mapping) else spec
    if not isinstance(version, str):
        reason = "it comes from git, a path or a URL" if isinstance(spec, Mapping) else "no version"
        out.loose.append(Loose(canonicalize_name(name), str(spec), path, line, reason))
        return
    exact = version.removeprefix("==").strip()
    if re.fullmatch(r"\d[\w.!+-]*", exact):
        out.pins.append(Pin(canonicalize_name(name), exact, path, line))
    else:
        out.loose.append(
            Loose(
                canonicalize_name(name),
                f"{name} {version}",
                path,
                line,
                f"{version} allows several versions",
            )
        )


#: keys that mark a poetry.lock or uv.lock of a project without dependencies
_EMPTY_LOCK_MARKERS = ("metadata", "version", "requires-python")


def _toml_lock(path: str, text: str, data: Mapping[str, Any], table: str) -> Manifest:
    entries = data.get(table)
    if entries is None and table == "package" and any(k in data for k in _EMPTY_LOCK_MARKERS):
        entries = []  # a lock of a project with no dependencies
    if not isinstance(entries, list):
        raise ManifestError(f"it has no [[{table}]] entries; is it really this format?")
    out = Manifest()
    find = _line_finder(text)
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise ManifestError(f"a [[{table}]] entry has no name")
        source = entry.get("source", {})
        local = isinstance(source, Mapping) and {"editable", "virtual", "directory"} & set(source)
        if isinstance(entry.get("version"), str) and not local:
            out.pins.append(
                Pin(
                    canonicalize_name(entry["name"]),
                    entry["version"],
                    path,
                    find(f'name = "{entry["name"]}"'),
                )
            )
    return out


def _pipfile_lock(path: str, text: str, data: Mapping[str, Any]) -> Manifest:
    out = Manifest()
    find = _line_finder(text)
    for section in ("default", "develop"):
        packages = data.get(section, {})
        if not isinstance(packages, Mapping):
            raise ManifestError(f"{section!r} is not an object")
        for name, entry in packages.items():
            version = entry.get("version") if isinstance(entry, Mapping) else None
            if isinstance(version, str) and version.startswith("=="):
                out.pins.append(Pin(canonicalize_name(name), version[2:], path, find(f'"{name}"')))
    return out
