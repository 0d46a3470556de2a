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


def _describe(err: ValidationError) -> list[tuple[KeyPath, str]]:
    path: KeyPath = tuple(err.absolute_path)
    kind, expected, value = err.validator, err.validator_value, err.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        return _unknown_keys(err)
    if kind == "required" and isinstance(value, dict):
        return [(path, f"missing required key '{k}'") for k in expected if k not in value]
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        return [(path, f"{show(value)} is not {_one_of([_TYPE_NAMES[t] for t in wanted])}")]
    if kind == "enum":
        options = ", ".join(show(o) for o in expected)
        hint = did_you_mean(value, (str(o) for o in expected)) if isinstance(value, str) else ""
        return [(path, f"{show(value)} is not one of {options}{hint}")]
    if kind == "const" and path == ("version",):
        return [(path, f"{show(value)} is not supported; this gatekeeper reads version: 1")]
    if kind == "pattern":
        return [(path, _pattern(path, value, str(expected)))]
    if kind in ("minLength", "minProperties", "minItems"):
        return [(path, "must not be empty")]
    if kind == "exclusiveMinimum":
        return [(path, f"{show(value)} must be more than {expected}")]
    if kind == "minimum":
        return [(path, f"{show(value)} must be at least {expected}")]
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
            for path, message in _describe(err):
                problems.add(path, message)
    except (UnknownType, Unresolvable, re.error, TypeError) as exc:
        # a check shipped a broken config_schema: name the defect, never a traceback
        raise PluginError(
            f"a check's config_schema is not valid JSON Schema ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}); run `gatekeeper checks` to find the broken check"
        ) from None
