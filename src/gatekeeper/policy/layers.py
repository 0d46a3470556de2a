"""``extends``: presets, repository files and central files merged under the policy file.

Each layer is a parsed document with its line marks. A name in ``extends`` is a preset
(``recommended``), a file of the repository under review (read at its base commit), or a
central file in another repository (``github:acme/policies/base.yml@v3``, see
:mod:`gatekeeper.policy.central`); a central file's own repository paths resolve in its
repository at the same commit. Check shorthands are expanded per
layer *before* merging (``coverage: false`` becomes ``{enabled: false}``), so a file
that disables a check a preset configured keeps the preset's settings for when an
override turns it back on, and so marks stay attached to the right keys.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from gatekeeper.errors import PolicyError
from gatekeeper.policy.central import (
    CentralFile,
    CentralPolicies,
    CentralUnavailable,
    is_central,
    normal_path,
    parse_ref,
)
from gatekeeper.policy.validate import did_you_mean
from gatekeeper.policy.yamlmarks import KeyPath, Marked, format_path, load

#: Reads a repository-relative file (at the base commit); None when it does not exist.
ReadFile = Callable[[str], "str | None"]

PRESET_PACKAGE = "gatekeeper.policies"
PRESET_PREFIX = "preset:"

#: extends chains deeper than this are a mistake, not a design
MAX_DEPTH = 16


@dataclass(frozen=True)
class Layer:
    """One document of the extends chain, shorthands expanded, ``locked:`` taken out."""

    source: str
    data: Mapping[str, Any]
    lines: Mapping[KeyPath, int]
    #: the ``locked:`` list as written (validated by gatekeeper.policy.locks)
    locked: Any = None
    #: set for a file read from another repository
    central: CentralFile | None = None
    #: ``preset``, ``central`` or ``file`` (the policy file or a repository file)
    kind: str = field(default="file")


def available_presets() -> tuple[str, ...]:
    """The names of the shipped presets, sorted."""
    folder = resources.files(PRESET_PACKAGE)
    return tuple(sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml")))


def _read_preset(name: str) -> str | None:
    if name not in available_presets():
        return None
    return (resources.files(PRESET_PACKAGE) / f"{name}.yml").read_text(encoding="utf-8")


def merge(base: Any, top: Any) -> Any:
    """Deep merge: mappings merge key by key; anything else (lists too) is replaced."""
    if isinstance(base, dict) and isinstance(top, dict):
        out = dict(base)
        for key, value in top.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(top)


def merge_layers(layers: list[Layer]) -> tuple[list[Layer], dict[str, Any]]:
    """Merge the layers in order. ``overrides`` is the one list that accumulates (earlier
    layers first) instead of being replaced: a repository adding its own override must
    not silently drop the agent tier of a preset it extends. The returned layers have
    their ``overrides`` marks renumbered to the merged list's indexes."""
    document: dict[str, Any] = {}
    shifted = []
    for layer in layers:
        prior = document.get("overrides")
        offset = len(prior) if isinstance(prior, list) else 0  # anything else: schema error
        own = layer.data.get("overrides")
        if offset and isinstance(own, list):
            renumbered = Layer(
                layer.source,
                layer.data,
                _shift_overrides(layer.lines, offset),
                layer.locked,
                layer.central,
                layer.kind,
            )
            document = merge(document, {**layer.data, "overrides": document["overrides"] + own})
            shifted.append(renumbered)
        else:
            document = merge(document, layer.data)
            shifted.append(layer)
    return shifted, document


def _shift_overrides(lines: Mapping[KeyPath, int], offset: int) -> dict[KeyPath, int]:
    out: dict[KeyPath, int] = {}
    for path, line in lines.items():
        if len(path) > 1 and path[0] == "overrides" and isinstance(path[1], int):
            path = ("overrides", path[1] + offset, *path[2:])  # noqa: PLW2901
        out[path] = line
    return out


def _is_local(name: str) -> bool:
    return "/" in name or name.endswith((".yml", ".yaml"))


def repo_path(name: str) -> str | None:
    """``name`` as a normalized repository-relative path, or None when it escapes."""
    return normal_path(name)


def _fail(marked: Marked, path: KeyPath, message: str) -> PolicyError:
    return PolicyError(f"{marked.source}:{marked.line(path)}: {format_path(path)}: {message}")


def _extends(marked: Marked) -> list[str]:
    raw = marked.data.get("extends", []) if isinstance(marked.data, dict) else []
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise _fail(marked, ("extends",), "must be a preset name or a list of names and files")
    return names


@dataclass(frozen=True)
class _Doc:
    """A parsed document of the chain and where it came from."""

    marked: Marked
    kind: str = "file"
    central: CentralFile | None = None

    @property
    def key(self) -> str:
        """Names one document once, for cycles (a central file by its commit)."""
        return self.central.key if self.central is not None else self.marked.source


@dataclass(frozen=True)
class Readers:
    """How the names in ``extends`` are read: the repository under review (at its base
    commit) and, for ``github:`` names, the run's central policies."""

    read_file: ReadFile
    central: CentralPolicies


def _load_extended(doc: _Doc, index: int, name: str, readers: Readers) -> _Doc:
    """Parse the preset, repository file or central file that ``extends[index]`` names."""
    marked = doc.marked
    where: KeyPath = ("extends", index)
    if is_central(name):
        return _load_central(doc, where, name, readers.central)
    if not _is_local(name):
        text = _read_preset(name)
        if text is None:
            presets = ", ".join(available_presets())
            raise _fail(
                marked,
                where,
                f"unknown preset '{name}'{did_you_mean(name, available_presets())} "
                f"(available: {presets}; a repository file needs a path ending in .yml)",
            )
        return _Doc(load(text, f"{PRESET_PREFIX}{name}"), "preset")
    path = repo_path(name)
    if path is None:
        raise _fail(marked, where, f"'{name}' must be a path inside the repository")
    if doc.central is not None:  # a central file's paths are in its own repository
        return _central_doc(doc, where, name, doc.central.sibling(path), readers.central)
    try:
        text = readers.read_file(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(marked, where, f"cannot read '{path}': {exc}") from None
    if text is None:
        raise _fail(marked, where, f"'{path}' does not exist at the base commit")
    return _Doc(load(text, path))


def _load_central(doc: _Doc, where: KeyPath, name: str, central: CentralPolicies) -> _Doc:
    try:
        found, text = central.open(parse_ref(name))
    except CentralUnavailable as exc:
        raise _unavailable(doc.marked, where, name, exc) from None
    return _Doc(load(text, found.source), "central", found)


def _central_doc(
    doc: _Doc, where: KeyPath, name: str, file: CentralFile, central: CentralPolicies
) -> _Doc:
    try:
        text = central.text(file)
    except CentralUnavailable as exc:
        raise _unavailable(doc.marked, where, name, exc) from None
    return _Doc(load(text, file.source), "central", file)


def _unavailable(marked: Marked, where: KeyPath, name: str, exc: CentralUnavailable) -> PolicyError:
    """A central file that cannot be read fails the policy: the gate never falls back."""
    return _fail(
        marked,
        where,
        f"{name}: {exc}. The policy extends it, so the gate cannot judge without it "
        "(it does not fall back to a preset)",
    )


def resolve(top: Marked, checks: Mapping[str, type], readers: Readers) -> list[Layer]:
    """The layers to merge, in order: everything ``top`` extends (depth first), then ``top``."""
    return _resolve(_Doc(top), checks, readers, ())


def _resolve(
    doc: _Doc, checks: Mapping[str, type], readers: Readers, chain: tuple[str, ...]
) -> list[Layer]:
    marked = doc.marked
    if marked.data is not None and not isinstance(marked.data, dict):
        raise PolicyError(
            f"{marked.source}:{marked.line(())}: the policy must be a mapping "
            "(version, extends, checks, ...), not a list or a single value"
        )
    chain = (*chain, doc.key)
    if len(chain) > MAX_DEPTH:
        raise PolicyError(f"{marked.source}: extends nests deeper than {MAX_DEPTH} levels")
    layers: list[Layer] = []
    for index, name in enumerate(_extends(marked)):
        child = _load_extended(doc, index, name, readers)
        if child.key in chain:
            cycle = " -> ".join((*chain[chain.index(child.key) :], child.key))
            raise _fail(marked, ("extends", index), f"extends cycle: {cycle}")
        layers.extend(_resolve(child, checks, readers, chain))
    layers.append(expand(marked, checks, kind=doc.kind, central=doc.central))
    return layers


def _has_items(check: type | None) -> bool:
    schema = getattr(check, "config_schema", None) or {}
    items = (schema.get("properties") or {}).get("items")
    return isinstance(items, dict) and items.get("type") == "array"


def _expand_checks(
    blocks: Any, base: KeyPath, checks: Mapping[str, type], lines: dict[KeyPath, int]
) -> Any:
    """Expand ``true``/``false`` and list shorthands in one ``checks:`` mapping."""
    if not isinstance(blocks, dict):
        return blocks
    out: dict[str, Any] = {}
    for cid, block in blocks.items():
        where = (*base, cid)
        if isinstance(block, bool):
            out[cid] = {"enabled": block}
            lines[(*where, "enabled")] = lines.get(where, 1)
        elif isinstance(block, list) and _has_items(checks.get(cid)):
            out[cid] = {"items": block}
            n = len(where)
            for path in [p for p in lines if p[:n] == where and len(p) > n]:
                lines[(*where, "items", *path[n:])] = lines.pop(path)
            lines[(*where, "items")] = lines.get(where, 1)
        else:
            out[cid] = block
    return out


def expand(
    marked: Marked,
    checks: Mapping[str, type],
    *,
    kind: str = "file",
    central: CentralFile | None = None,
) -> Layer:
    """A layer from a parsed document, with check shorthands expanded and marks moved.

    ``locked:`` leaves the data: it binds the layers that come after this one and is
    never merged (a later file could otherwise replace the list and unlock everything).
    """
    data: dict[str, Any] = dict(marked.data or {})
    lines = dict(marked.lines)
    locked = data.pop("locked", None)
    if isinstance(data.get("extends"), str):
        data["extends"] = [data["extends"]]
        lines[("extends", 0)] = lines.get(("extends",), 1)
    if "checks" in data:
        data["checks"] = _expand_checks(data["checks"], ("checks",), checks, lines)
    overrides = data.get("overrides")
    if isinstance(overrides, list):
        data["overrides"] = [
            {**o, "checks": _expand_checks(o["checks"], ("overrides", i, "checks"), checks, lines)}
            if isinstance(o, dict) and "checks" in o
            else o
            for i, o in enumerate(overrides)
        ]
    return Layer(marked.source, data, lines, locked, central, kind)


#: what :func:`value_at` answers for a key path a document does not have
MISSING: Any = object()


def value_at(doc: Any, path: KeyPath) -> Any:
    """The value at ``path`` in nested mappings, or :data:`MISSING`."""
    for part in path:
        if not isinstance(doc, dict) or part not in doc:
            return MISSING
        doc = doc[part]
    return doc
