"""Turn JSON Schema errors into ``file:line: dotted.key: message`` lines a person can act on.

jsonschema's own messages are written for schema authors (``'x' is a required property``,
``Additional properties are not allowed``); policy authors get the key, what is wrong
with it, and a "did you mean" when they probably made a typo.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import PluginError, PolicyError
from gatekeeper.policy.yamlmarks import KeyPath, format_path

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped,unused-ignore]

#: Finds the file and line that wrote a key path of the merged document.
Origin = Callable[[KeyPath], tuple[str, int]]

#: More errors than this are cut: the first ones are what a person fixes first anyway.
MAX_ERRORS = 30

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true/false",
    "null": "empty",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def show(value: Any) -> str:
    """A value as a policy author wrote it, short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _one_of(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def check_error_in_rules(check_id: str) -> str:
    """Why ``rules: {check-error: ...}`` is refused, naming the key that does that job."""
    parts = (
        ", or for one part checks.security.<bandit|secrets|dependencies|sensitive>.on_error"
        if check_id == "security"
        else ""
    )
    return (
        "'check-error' is not a rule: what a check that cannot run does is set by on_error"
        f" (checks.{check_id}.on_error{parts}); the findings the check did make count"
        " either way"
    )


def _unknown_keys(err: ValidationError) -> list[tuple[KeyPath, str]]:
    path: KeyPath = tuple(err.absolute_path)
    known = set(err.schema.get("properties", {})) if isinstance(err.schema, dict) else set()
    extras = sorted(k for k in err.instance if k not in known)
    out = []
    for key in extras:
        hint = did_you_mean(key, known)
        if path and path[-1] == "checks" and (len(path) == 1 or path[0] == "overrides"):
            message = (
                f"check '{key}' is not installed{hint} (install the package that provides "
                "it, or remove the block; `gatekeeper checks` lists the installed checks)"
            )
        elif path and path[-1] == "rules" and key == "check-error" and len(path) >= 2:
            message = check_error_in_rules(str(path[-2]))
        elif path and path[-1] == "rules":
            message = f"unknown rule '{key}'{hint} (`gatekeeper checks` lists each check's rules)"
        else:
            message = f"unknown key '{key}'{hint}"
        out.append(((*path, key), message))
    return out


def _pattern(path: KeyPath, value: Any, pattern: str) -> str:
    last = path[-1] if path else ""
    if last == "rule":
        return f"{show(value)} must be written check/rule (globs allowed, e.g. 'openapi/*')"
    if last == "expires":
        return f"{show(value)} must be a date written YYYY-MM-DD"
    return f"{show(value)} does not match the pattern {pattern}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {dict: "object", list: "array", str: "string", float: "number"}.get(type(value), "null")


def deref(node: Any, root: Mapping[str, Any]) -> Any:
    """Follow local ``$ref`` pointers (``#/$defs/x``) from ``root``."""
    for _ in range(8):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node


def _admits(sub: Any, value: Any) -> bool:
    """Whether an alternative is meant for values of this kind (not whether it passes)."""
    if not isinstance(sub, dict):
        return False
    if "enum" in sub or "const" in sub:
        options = sub.get("enum", [sub.get("const")])
        return any(_json_type(o) == _json_type(value) for o in options)
    types = sub.get("type")
    wanted = [types] if isinstance(types, str) else list(types or [])
    kind = _json_type(value)
    return kind in wanted or (kind == "integer" and "number" in wanted)


def _accepts(sub: Any) -> str:
    """What one alternative accepts, in words."""
    if not isinstance(sub, dict):
        return "something else"
    if "enum" in sub:
        return "one of " + ", ".join(show(o) for o in sub["enum"])
    if "const" in sub:
        return show(sub["const"])
    types = sub.get("type")
    wanted = [types] if isinstance(types, str) else list(types or ["object"])
    return _one_of([_TYPE_NAMES.get(t, t) for t in wanted])


def _one_item(value: Any, schemas: list[Any], root: Mapping[str, Any]) -> str:
    """A text where a list of texts is expected: say how to write a list of one."""
    if not isinstance(value, str):
        return ""
    for sub in schemas:
        if isinstance(sub, dict) and "array" in _types(sub):
            items = deref(sub.get("items", {}), root)
            if isinstance(items, dict) and _admits({"type": "string", **items}, value):
                return f"; for one item write a list: [{value!r}]"
    return ""


def _alternatives(err: ValidationError, root: Mapping[str, Any]) -> list[tuple[KeyPath, str]]:
    """``oneOf``/``anyOf``: when one alternative is for this kind of value, its own
    errors; otherwise what the key accepts, as a sentence."""
    path: KeyPath = tuple(err.absolute_path)
    options = [deref(sub, root) for sub in err.validator_value]
    hint = _one_item(err.instance, options, root)
    fitting = [i for i, sub in enumerate(options) if _admits(sub, err.instance)]
    if len(fitting) == 1:
        inner = [e for e in err.context or () if e.relative_schema_path[0] == fitting[0]]
        found = [item for e in inner for item in _describe(e, root)]
        if found:
            return [(p, m + hint if p == path and hint not in m else m) for p, m in found]
    names = [_accepts(sub) for sub in options]
    return [(path, f"{show(err.instance)} is not {_one_of(names)}{hint}")]


def _types(sub: Mapping[str, Any]) -> list[str]:
    types = sub.get("type")
    return [types] if isinstance(types, str) else list(types or [])


def _bound(kind: str, value: Any, expected: Any) -> str:
    """Messages for the size and range keywords."""
    if kind in ("minLength", "minProperties", "minItems"):
        if expected == 1:
            return "must not be empty"
        unit = {"minLength": "characters", "minProperties": "keys", "minItems": "items"}[kind]
        return f"needs at least {expected} {unit}"
    if kind in ("maxLength", "maxProperties", "maxItems"):
        unit = {"maxLength": "characters", "maxProperties": "keys", "maxItems": "items"}[kind]
        return f"may hold at most {expected} {unit}"
    return {
        "exclusiveMinimum": f"{show(value)} must be more than {expected}",
        "minimum": f"{show(value)} must be at least {expected}",
        "exclusiveMaximum": f"{show(value)} must be less than {expected}",
        "maximum": f"{show(value)} must be at most {expected}",
        "multipleOf": f"{show(value)} must be a multiple of {expected}",
    }[kind]


_BOUNDS = (
    "minLength", "minProperties", "minItems", "maxLength", "maxProperties", "maxItems",
    "exclusiveMinimum", "minimum", "exclusiveMaximum", "maximum", "multipleOf",
)  # fmt: skip


def _describe(err: ValidationError, root: Mapping[str, Any]) -> list[tuple[KeyPath, str]]:
    path: KeyPath = tuple(err.absolute_path)
    kind, expected, value = err.validator, err.validator_value, err.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        return _unknown_keys(err)
    if kind == "required" and isinstance(value, dict):
        return [(path, f"missing required key '{k}'") for k in expected if k not in value]
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        names = _one_of([_TYPE_NAMES[t] for t in wanted])
        hint = _one_item(value, [err.schema], root)
        return [(path, f"{show(value)} is not {names}{hint}")]
    if kind == "enum":
        options = ", ".join(show(o) for o in expected)
        hint = did_you_mean(value, (str(o) for o in expected)) if isinstance(value, str) else ""
        return [(path, f"{show(value)} is not one of {options}{hint}")]
    if kind == "const" and path == ("version",):
        return [(path, f"{show(value)} is not supported; this gatekeeper reads version: 1")]
    if kind == "const":
        return [(path, f"{show(value)} must be {show(expected)}")]
    if kind in ("oneOf", "anyOf"):
        return _alternatives(err, root)
    if kind == "pattern":
        return [(path, _pattern(path, value, str(expected)))]
    if kind in _BOUNDS:
        return [(path, _bound(kind, value, expected))]
    if kind == "uniqueItems":
        return [(path, "lists an item twice")]
    if kind == "not":
        return [(path, f"{show(value)} is not allowed here")]
    return [(path, err.message)]


class Problems:
    """Policy problems gathered from every stage, reported together, sorted by place."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.found: set[tuple[str, int, str, str]] = set()

    def add(self, path: KeyPath, message: str) -> None:
        """Record ``message`` about the key at ``path`` (placed through ``origin``)."""
        source, line = self.origin(path)
        self.found.add((source, line, format_path(path), message))

    def add_at(self, source: str, line: int, path: KeyPath, message: str) -> None:
        """Record ``message`` about ``path`` at a place already known (a given layer)."""
        self.found.add((source, line, format_path(path), message))

    def raise_if_any(self) -> None:
        """Raise one :class:`PolicyError` with every problem, ``file:line: key: message``."""
        if not self.found:
            return
        lines = [f"{s}:{n}: {key}: {msg}" for s, n, key, msg in sorted(self.found)]
        if len(lines) > MAX_ERRORS:
            lines = [*lines[:MAX_ERRORS], f"... and {len(lines) - MAX_ERRORS} more errors"]
        raise PolicyError("\n".join(lines))


def check_document(schema: Mapping[str, Any], document: Any, problems: Problems) -> None:
    """Add every way ``document`` breaks ``schema`` to ``problems``."""
    # imported here: jsonschema is slow to import and `gatekeeper --help` must stay fast
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
    from jsonschema.exceptions import UnknownType  # type: ignore[import-untyped,unused-ignore]
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    # An empty registry: a remote "$ref" in a check's schema fails here instead of
    # making jsonschema fetch it over the network.
    validator = Draft202012Validator(schema, registry=Registry())
    try:
        for err in validator.iter_errors(document):
            for path, message in _describe(err, schema):
                problems.add(path, message)
    except (UnknownType, Unresolvable, re.error, TypeError) as exc:
        # a check shipped a broken config_schema: name the defect, never a traceback
        raise PluginError(
            f"a check's config_schema is not valid JSON Schema ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}); run `gatekeeper checks` to find the broken check"
        ) from None
