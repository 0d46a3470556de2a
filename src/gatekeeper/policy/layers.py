"""``extends``: presets and repository files merged under the policy file, in order.

Each layer is a parsed document with its line marks. Check shorthands are expanded per
layer *before* merging (``coverage: false`` becomes ``{enabled: false}``), so a file
that disables a check a preset configured keeps the preset's settings for when an
override turns it back on, and so marks stay attached to the right keys.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from gatekeeper.errors import PolicyError
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
    """One document of the extends chain, shorthands expanded."""

    source: str
    data: Mapping[str, Any]
    lines: Mapping[KeyPath, int]


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
            renumbered = Layer(layer.source, layer.data, _shift_overrides(layer.lines, offset))
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
    if name.startswith("/") or "\\" in name:
        return None
    path = posixpath.normpath(name)
    if path == ".." or path.startswith("../"):
        return None
    return path


def _fail(marked: Marked, path: KeyPath, message: str) -> PolicyError:
    return PolicyError(f"{marked.source}:{marked.line(path)}: {format_path(path)}: {message}")


def _extends(marked: Marked) -> list[str]:
    raw = marked.data.get("extends", []) if isinstance(marked.data, dict) else []
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise _fail(marked, ("extends",), "must be a preset name or a list of names and files")
    return names


def _load_extended(marked: Marked, index: int, name: str, read_file: ReadFile) -> Marked:
    """Parse the preset or repository file that ``extends[index]`` names."""
    where: KeyPath = ("extends", index)
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
        return load(text, f"{PRESET_PREFIX}{name}")
    path = repo_path(name)
    if path is None:
        raise _fail(marked, where, f"'{name}' must be a path inside the repository")
    try:
        text = read_file(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(marked, where, f"cannot read '{path}': {exc}") from None
    if text is None:
        raise _fail(marked, where, f"'{path}' does not exist at the base commit")
    return load(text, path)


def resolve(top: Marked, checks: Mapping[str, type], read_file: ReadFile) -> list[Layer]:
    """The layers to merge, in order: everything ``top`` extends (depth first), then ``top``."""
    return _resolve(top, checks, read_file, ())


def _resolve(
    marked: Marked, checks: Mapping[str, type], read_file: ReadFile, chain: tuple[str, ...]
) -> list[Layer]:
    if marked.data is not None and not isinstance(marked.data, dict):
        raise PolicyError(
            f"{marked.source}:{marked.line(())}: the policy must be a mapping "
            "(version, extends, checks, ...), not a list or a single value"
        )
    chain = (*chain, marked.source)
    if len(chain) > MAX_DEPTH:
        raise PolicyError(f"{marked.source}: extends nests deeper than {MAX_DEPTH} levels")
    layers: list[Layer] = []
    for index, name in enumerate(_extends(marked)):
        child = _load_extended(marked, index, name, read_file)
        if child.source in chain:
            cycle = " -> ".join((*chain[chain.index(child.source) :], child.source))
            raise _fail(marked, ("extends", index), f"extends cycle: {cycle}")
        layers.extend(_resolve(child, checks, read_file, chain))
    layers.append(expand(marked, checks))
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


def expand(marked: Marked, checks: Mapping[str, type]) -> Layer:
    """A layer from a parsed document, with check shorthands expanded and marks moved."""
    data: dict[str, Any] = dict(marked.data or {})
    lines = dict(marked.lines)
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
    return Layer(marked.source, data, lines)
