"""Every default of a check block, so the effective policy writes each value out.

A check declares its defaults in its ``config_schema`` (``"default": ...``), also inside
nested blocks (the security check's ``bandit``, ``secrets``... parts, whose schema is
``true``/``false``, a level, or a mapping of options). :func:`block_defaults` gathers them
recursively; the policy's own keys around every block (``severity``, ``timeout``...) come
first. A value the policy wrote wins over a default by deep merge, so ``bandit: {skips:
[B101]}`` keeps ``min_severity: medium`` beside it, and ``secrets: block`` (a shorthand)
replaces the mapping as written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gatekeeper.policy.layers import merge
from gatekeeper.policy.model import DEFAULT_TIMEOUT
from gatekeeper.policy.validate import deref

#: the keys the policy layer adds to every check block, with their defaults
COMMON_DEFAULTS: Mapping[str, Any] = {
    "enabled": True,
    "severity": "block",
    "rules": {},
    "timeout": DEFAULT_TIMEOUT,
    "on_error": "block",
    "paths": [],
    "exclude": [],
}

#: nested blocks deeper than this are not searched (no real schema comes close)
_MAX_DEPTH = 8


def properties(node: Any, root: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a schema node declares, its ``oneOf``/``anyOf`` mapping
    alternatives included (dereferenced), by key."""
    node = deref(node, root)
    out: dict[str, Any] = {}
    if not isinstance(node, dict):
        return out
    for choice in (node, *node.get("oneOf", ()), *node.get("anyOf", ())):
        alt = deref(choice, root)
        if isinstance(alt, dict) and isinstance(alt.get("properties"), dict):
            out.update({k: deref(v, root) for k, v in alt["properties"].items()})
    return out


def _defaults(node: Any, root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in sorted(properties(node, root).items()):
        if isinstance(sub, dict) and "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
        elif depth < _MAX_DEPTH:
            nested = _defaults(sub, root, depth + 1)
            if nested:
                out[key] = nested
    return out


def config_defaults(check: type) -> dict[str, Any]:
    """The defaults a check's ``config_schema`` declares, nested blocks included."""
    schema = getattr(check, "config_schema", {}) or {}
    return _defaults(schema, schema, 0) if isinstance(schema, Mapping) else {}


def block_defaults(check: type | None) -> dict[str, Any]:
    """What a bare block of ``check`` holds: the common keys and the check's defaults."""
    own = config_defaults(check) if check is not None else {}
    merged: dict[str, Any] = merge(dict(COMMON_DEFAULTS), own)
    return merged


def with_defaults(check: type | None, block: Mapping[str, Any]) -> dict[str, Any]:
    """``block`` with every default filled in, keys sorted at every level."""
    full: dict[str, Any] = _sorted(merge(block_defaults(check), dict(block)))
    return full


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value
