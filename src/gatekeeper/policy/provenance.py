"""Where each value of the effective policy came from, for ``gatekeeper policy show``.

A value was set by the last layer that wrote its key (layers replace values and merge
mappings), unless an override whose ``when`` matched this PR wrote it later; a value no
one wrote is a default. Line marks say which layer wrote what, so no second bookkeeping
is needed: the answer is read off the same marks that place policy errors.

Two renderings: the effective policy as YAML with the origin of each value in a comment
(still a valid policy file), and JSON for tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import yaml

from gatekeeper.policy.layers import MISSING, Layer, value_at
from gatekeeper.policy.origins import ValueOrigin
from gatekeeper.policy.yamlmarks import KeyPath, format_path

#: comments start at this column at most (longer lines get theirs after two spaces)
_COMMENT_COLUMN = 52


def _layer_origin(layer: Layer, line: int) -> ValueOrigin:
    return ValueOrigin(layer.kind, layer.source, line, central=layer.central)


def _marked(layers: Sequence[Layer], path: KeyPath) -> tuple[Layer, int] | None:
    """The last layer with a mark exactly at ``path``, and that line."""
    for layer in reversed(layers):
        line = layer.lines.get(path)
        if line is not None:
            return layer, line
    return None


def origin_of(
    path: KeyPath,
    layers: Sequence[Layer],
    overrides: Sequence[Mapping[str, Any]],
    applied: Sequence[int],
) -> ValueOrigin:
    """Who set the value at ``path`` of the effective document."""
    if path and path[0] == "checks":
        for index in reversed(applied):
            override = overrides[index]
            if value_at(override.get("checks"), path[1:]) is not MISSING:
                return _override_origin(index, override, path, layers)
    found = _marked(layers, path)
    if found is None:
        return ValueOrigin("default")
    return _layer_origin(*found)


def _override_origin(
    index: int, override: Mapping[str, Any], path: KeyPath, layers: Sequence[Layer]
) -> ValueOrigin:
    key: KeyPath = ("overrides", index, "checks", *path[1:])
    found = _marked(layers, key) or _marked(layers, ("overrides", index))
    layer, line = found if found is not None else (layers[-1], 1)
    return ValueOrigin(
        "override",
        layer.source,
        line,
        override=str(override.get("name") or f"overrides[{index}]"),
        when=dict(override.get("when") or {}),
        central=layer.central,
    )


def _leaves(value: Any, path: KeyPath) -> Iterator[KeyPath]:
    """Every value's path: mappings are walked, anything else (lists too) is one value;
    a list of mappings gives one value per item as well."""
    if isinstance(value, dict) and value:
        for key in value:
            yield from _leaves(value[key], (*path, key))
        return
    yield path
    if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        for index in range(len(value)):
            yield (*path, index)


def origins(
    document: Mapping[str, Any],
    layers: Sequence[Layer],
    overrides: Sequence[Mapping[str, Any]],
    applied: Sequence[int],
) -> tuple[tuple[KeyPath, ValueOrigin], ...]:
    """The origin of every value of the effective ``document`` (``version`` aside)."""
    out = []
    for key in document:
        if key == "version":
            continue
        for path in _leaves(document[key], (key,)):
            if isinstance(path[-1], int):  # a list item: the list's writer, the item's line
                parent = origin_of(path[:-1], layers, overrides, applied)
                found = _marked(layers, path)
                if parent.kind != "override" and found is not None:
                    parent = _layer_origin(*found)
                out.append((path, parent))
            else:
                out.append((path, origin_of(path, layers, overrides, applied)))
    return tuple(out)


def _flow(value: Any) -> str:
    """A value as one line of YAML (flow style), quoted where YAML needs it."""
    text = yaml.safe_dump(
        value, default_flow_style=True, width=1_000_000, allow_unicode=True, sort_keys=True
    ).rstrip("\n")
    text = text.removesuffix("\n...")
    return json.dumps(value, ensure_ascii=False) if "\n" in text else text


def annotated_yaml(
    document: Mapping[str, Any], found: Sequence[tuple[KeyPath, ValueOrigin]]
) -> str:
    """The effective document as YAML, each value followed by ``# <origin>``."""
    where = dict(found)
    rows: list[tuple[str, str]] = []
    _emit(document, (), "", where, rows)
    width = min(_COMMENT_COLUMN, max((len(t) for t, c in rows if c), default=0))
    lines = [f"{text.ljust(width)}  # {comment}" if comment else text for text, comment in rows]
    return "\n".join(lines) + "\n"


def _emit(
    value: Mapping[str, Any],
    path: KeyPath,
    indent: str,
    where: Mapping[KeyPath, ValueOrigin],
    rows: list[tuple[str, str]],
) -> None:
    for key in sorted(value, key=lambda k: (path == () and k != "version", str(k))):
        item, here = value[key], (*path, key)
        label = f"{indent}{_flow(key)}:"
        comment = where[here].describe() if here in where else ""
        if isinstance(item, dict) and item:
            rows.append((label, ""))
            _emit(item, here, indent + "  ", where, rows)
        elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            rows.append((label, comment))
            for index, entry in enumerate(item):
                origin = where.get((*here, index))
                rows.append((f"{indent}  - {_flow(entry)}", origin.describe() if origin else ""))
        else:
            rows.append((f"{label} {_flow(item)}", comment))


def values_json(found: Sequence[tuple[KeyPath, ValueOrigin]], document: Any) -> list[Any]:
    """``[{key, value, from}]`` for every value, in document order."""
    out = []
    for path, origin in found:
        value: Any = document
        for part in path:
            value = value[part]
        out.append({"key": format_path(path), "value": value, "from": origin.as_json()})
    return out
