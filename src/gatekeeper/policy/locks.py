"""``locked:``: keys a file fixes for every file that extends it.

A platform team's central file writes ``locked: [checks.security.severity, waivers]``;
a repository that extends it may not loosen those keys, in its ``checks`` or in any of
its ``overrides``. A lock binds every layer merged after the file that declares it.

What "loosen" means depends on the value (the table is in docs/policy.md):

- a severity (``severity``, ``on_error``, a part's ``level``, each ``rules.<id>``) may be
  raised (off < info < warn < block), never lowered;
- ``enabled`` may turn a check on, never off; a lock on any key of a check also keeps
  the check on (turning it off loosens every key at once);
- a number or a list may not change, unless the lock says which way is stricter:
  ``{key: checks.coverage.diff_min, allow: higher}`` (or ``lower``; ``more``/``fewer``
  items for a list). The gate cannot know it: a higher ``diff_min`` is stricter, a
  higher ``total_max_drop`` looser;
- anything else (true/false, text) may not change;
- a locked mapping (``checks.security``) applies these rules to every value beneath,
  defaults included: a key it did not set may only be added at its default (or, for a
  severity, as ``block``);
- ``waivers``: no waiver may be added (removing one is fine); ``waivers.<check>``: no
  waiver whose rule can match that check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatekeeper.changes.globs import match
from gatekeeper.policy.defaults import properties, with_defaults
from gatekeeper.policy.layers import MISSING, Layer, merge, merge_layers, value_at
from gatekeeper.policy.origins import Lock
from gatekeeper.policy.validate import Problems, did_you_mean, show
from gatekeeper.policy.yamlmarks import KeyPath, nearest_line

ALLOW = ("higher", "lower", "more", "fewer")
ROOTS = ("checks", "waivers", "agents", "annotations", "plugins")
RANK = {"off": 0, "info": 1, "warn": 2, "block": 3}
_SEVERITY_KEYS = ("severity", "on_error", "level")

_RULES = {
    "severity": "a severity may only be raised: off < info < warn < block",
    "enabled": "the check may not be turned off",
    "higher": "it may only be raised",
    "lower": "it may only be lowered",
    "more": "items may only be added",
    "fewer": "items may only be removed",
    "": "it may not change",
}


def read_locks(layer: Layer, schema: Mapping[str, Any], problems: Problems) -> tuple[Lock, ...]:
    """The locks ``layer`` declares; a malformed entry is a problem at its line."""
    raw = layer.locked
    if raw is None:
        return ()
    where = layer.lines.get(("locked",), 1)
    if not isinstance(raw, list):
        problems.add_at(layer.source, where, ("locked",), f"{show(raw)} is not a list of keys")
        return ()
    out = []
    for index, item in enumerate(raw):
        line = layer.lines.get(("locked", index), where)
        key, allow = (
            (item.get("key"), item.get("allow", "")) if isinstance(item, dict) else (item, "")
        )
        error = _entry_error(item, key, allow, schema)
        if error:
            problems.add_at(layer.source, line, ("locked", index), error)
        else:
            out.append(Lock(tuple(str(key).split(".")), str(allow), layer.source, line))
    return tuple(out)


def _entry_error(item: Any, key: Any, allow: Any, schema: Mapping[str, Any]) -> str:
    if isinstance(item, dict) and set(item) - {"key", "allow"}:
        extra = sorted(set(item) - {"key", "allow"})[0]
        return f"unknown key '{extra}'{did_you_mean(extra, ('key', 'allow'))} (write key and allow)"
    if not isinstance(key, str) or not key:
        return "a lock is a dotted key (checks.security.severity) or {key: ..., allow: ...}"
    if allow and allow not in ALLOW:
        hint = did_you_mean(str(allow), ALLOW)
        return f"allow: {show(allow)} is not one of {', '.join(ALLOW)}{hint}"
    return _path_error(key.split("."), allow, schema)


def _path_error(parts: list[str], allow: Any, schema: Mapping[str, Any]) -> str:
    """Why ``parts`` names no key of the policy ("" when it names one)."""
    if parts[0] not in ROOTS:
        hint = did_you_mean(parts[0], ROOTS)
        return f"'{parts[0]}' cannot be locked{hint} (lock keys under {', '.join(ROOTS)})"
    checks = properties(schema.get("properties", {}).get("checks", {}), schema)
    if parts[0] == "waivers":
        if len(parts) > 2 or (len(parts) == 2 and parts[1] not in checks):
            name = ".".join(parts[1:])
            return (
                f"waivers.<check>: '{name}' is not an installed check{did_you_mean(name, checks)}"
            )
        return "" if not allow else "allow does not apply to waivers"
    node: Any = schema
    for depth, part in enumerate(parts):
        known = properties(node, schema)
        if part in known:
            node = known[part]
            continue
        extra = node.get("additionalProperties") if isinstance(node, dict) else None
        if isinstance(extra, dict):
            node = extra
            continue
        what = "check" if depth == 1 and parts[0] == "checks" else "key"
        where = ".".join(parts[:depth]) or "the policy"
        return f"{where} has no {what} '{part}'{did_you_mean(part, known)}"
    return _allow_error(allow, node)


def _allow_error(allow: Any, node: Any) -> str:
    types = node.get("type") if isinstance(node, dict) else None
    types = [types] if isinstance(types, str) else list(types or [])
    if allow in ("higher", "lower") and types and not {"number", "integer"} & set(types):
        return f"allow: {allow} needs a number, and this key holds {'/'.join(types)}"
    if allow in ("more", "fewer") and types and "array" not in types:
        return f"allow: {allow} needs a list, and this key holds {'/'.join(types)}"
    return ""


def check_locks(
    layers: list[Layer],
    locks: list[tuple[Lock, ...]],
    checks: Mapping[str, type],
    problems: Problems,
) -> None:
    """Add a problem for every value a later layer writes that loosens a lock."""
    for index, own in enumerate(locks):
        if not own:
            continue
        _, before = merge_layers(layers[: index + 1])
        for later in layers[index + 1 :]:
            for prefix, written in _writes(later):
                for lock in own:
                    for path, message in _loosened(lock, before, written, checks):
                        line = nearest_line(later.lines, (*prefix, *path))
                        problems.add_at(later.source, line, (*prefix, *path), message)


def _writes(layer: Layer) -> list[tuple[KeyPath, Mapping[str, Any]]]:
    """What a layer writes: its own keys, and each override's checks."""
    out: list[tuple[KeyPath, Mapping[str, Any]]] = [((), layer.data)]
    overrides = layer.data.get("overrides")
    for i, item in enumerate(overrides if isinstance(overrides, list) else ()):
        if isinstance(item, dict) and isinstance(item.get("checks"), dict):
            out.append((("overrides", i), {"checks": item["checks"]}))
    return out


def _loosened(
    lock: Lock, before: Mapping[str, Any], written: Mapping[str, Any], checks: Mapping[str, type]
) -> list[tuple[KeyPath, str]]:
    if lock.path[0] == "waivers":
        return _waivers(lock, before, written)
    if lock.path[0] == "checks" and len(lock.path) > 1:
        cid = str(lock.path[1])
        old_block, new_block = _blocks(before, written, cid, checks)
        if old_block is MISSING:
            return []  # nothing written here
        out: list[tuple[KeyPath, str]] = []
        path = lock.path[2:]
        present = isinstance(before.get("checks"), dict) and cid in before["checks"]
        if present and old_block["enabled"] is True and new_block["enabled"] is False:
            out.append((("checks", cid, "enabled"), _message(lock, "enabled", False, True)))
        pairs = _compare(path, value_at(old_block, path), value_at(new_block, path), lock.allow)
        out += [
            (("checks", cid, *p), _message(lock, rule, new, old)) for p, rule, new, old in pairs
        ]
        return out
    old, new = value_at(before, lock.path), value_at(merge(dict(before), dict(written)), lock.path)
    if value_at(written, lock.path) is MISSING:
        return []
    pairs = _compare(lock.path, old, new, lock.allow)
    return [(p, _message(lock, rule, value, was)) for p, rule, value, was in pairs]


def _blocks(
    before: Mapping[str, Any], written: Mapping[str, Any], cid: str, checks: Mapping[str, type]
) -> tuple[Any, Any]:
    """The check's block before the later layer and with it, every default filled in;
    (MISSING, MISSING) when the layer does not write that block."""
    top = value_at(written, ("checks", cid))
    if top is MISSING or not isinstance(top, dict):
        return MISSING, MISSING
    old = value_at(before, ("checks", cid))
    old = old if isinstance(old, dict) else {}
    check = checks.get(cid)
    return with_defaults(check, old), with_defaults(check, merge(old, top))


def _compare(path: KeyPath, old: Any, new: Any, allow: str) -> list[tuple[KeyPath, str, Any, Any]]:
    """(path, rule, new, old) for every value beneath ``path`` that loosens."""
    if new is MISSING or old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            sub = (*path, key)
            found += _compare(sub, old.get(key, MISSING), new.get(key, MISSING), allow)
        return found
    rule = _rule(path, old, new, allow)
    return [] if _allowed(rule, old, new) else [(path, rule, new, old)]


def _is_severity(path: KeyPath, old: Any, new: Any) -> bool:
    if path and (path[-1] in _SEVERITY_KEYS or (len(path) > 1 and path[-2] == "rules")):
        return True
    return isinstance(old, str) and isinstance(new, str) and old in RANK and new in RANK


def _rule(path: KeyPath, old: Any, new: Any, allow: str) -> str:
    if _is_severity(path, old, new):
        return "severity"
    if path and path[-1] == "enabled" and isinstance(new, bool):
        return "enabled"
    return allow


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _allowed(rule: str, old: Any, new: Any) -> bool:
    if rule == "severity":
        if old is MISSING:
            return bool(new == "block")
        return (
            isinstance(new, str) and isinstance(old, str) and RANK.get(new, -1) >= RANK.get(old, 9)
        )
    if rule == "enabled":
        return new is True
    if rule in ("higher", "lower") and _number(old) and _number(new):
        return bool(new >= old if rule == "higher" else new <= old)
    if rule in ("more", "fewer") and isinstance(old, list) and isinstance(new, list):
        has = [item in new for item in old] if rule == "more" else [item in old for item in new]
        return all(has)
    return False


def _message(lock: Lock, rule: str, new: Any, old: Any) -> str:
    was = "unset" if old is MISSING else show(old)
    why = _RULES.get(rule, _RULES[""])
    return (
        f"{show(new)} loosens a locked key: {lock.source}:{lock.line} locks {lock.key}"
        f" (here {was}; {why})"
    )


def _waivers(
    lock: Lock, before: Mapping[str, Any], written: Mapping[str, Any]
) -> list[tuple[KeyPath, str]]:
    items = written.get("waivers")
    if not isinstance(items, list):
        return []
    old = before.get("waivers")
    kept = old if isinstance(old, list) else []
    out: list[tuple[KeyPath, str]] = []
    for index, item in enumerate(items):
        if item in kept or not _covers(lock, item):
            continue
        message = (
            f"adds a waiver: {lock.source}:{lock.line} locks {lock.key} ({lock.rule}; ask "
            "the owners of that file to add it there)"
        )
        out.append((("waivers", index), message))
    return out


def _covers(lock: Lock, waiver: Any) -> bool:
    """Whether a waiver falls under the lock (``waivers.<check>``: its rule's check part
    could match that check)."""
    if len(lock.path) == 1:
        return True
    rule = waiver.get("rule") if isinstance(waiver, dict) else None
    if not isinstance(rule, str):
        return True
    return match(str(lock.path[1]), rule.split("/", 1)[0])
