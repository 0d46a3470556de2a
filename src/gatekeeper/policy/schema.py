"""The policy's JSON Schema, assembled from every installed check's ``config_schema``.

One schema serves two readers: :mod:`gatekeeper.policy.load` validates policies with it,
and ``gatekeeper policy schema`` prints it for editors (completion and hover text come
from the titles and descriptions here and in each check's own schema).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from gatekeeper.errors import PluginError

SCHEMA_ID = "https://gatekeeper.dev/schemas/policy-v1.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: Keys the policy layer adds around every check block; checks may not declare them.
COMMON_KEYS = ("enabled", "severity", "rules", "timeout", "on_error", "paths", "exclude")

_SEVERITY = {
    "title": "Severity",
    "description": (
        "block: fails the Definition of Done; warn: shown, does not block; "
        "info: listed only; off: dropped."
    ),
    "type": "string",
    "enum": ["block", "warn", "info", "off"],
}
_ON_ERROR = {
    "title": "On error",
    "description": "What a crash or a tool that cannot run does to the verdict.",
    "type": "string",
    "enum": ["block", "warn", "info"],
}
_GLOBS = {
    "type": "array",
    "description": "Repository-relative path globs: '*' within a segment, '**' across.",
    "items": {"type": "string", "minLength": 1},
}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}


def _common(check: type) -> dict[str, Any]:
    """The schemas of the common keys for one check (rules come from its catalog)."""
    rules: dict[str, Any] = {
        "type": "object",
        "description": "Per-rule severities by rule id (without the check prefix); they win "
        "over 'severity'.",
        "additionalProperties": {"$ref": "#/$defs/severity"},
    }
    catalog: Mapping[str, Any] = getattr(check, "rules", {}) or {}
    if catalog:
        rules["properties"] = {
            rid: {"$ref": "#/$defs/severity", "description": getattr(rule, "summary", "")}
            for rid, rule in sorted(catalog.items())
        }
        # A typo in a rule id would silently do nothing; checks whose rule ids are open
        # ended (ingested from another tool) say so with ``open_rules = True``.
        if not getattr(check, "open_rules", False):
            rules["additionalProperties"] = False
    return {
        "enabled": {"type": "boolean", "description": "Run this check (default: true)."},
        "severity": {
            "$ref": "#/$defs/severity",
            "description": "Severity of this check's error-level findings; warnings and "
            "infos are capped by it (default: block).",
        },
        "rules": rules,
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Seconds the check may run before it is stopped (default: 600).",
        },
        "on_error": {**_ON_ERROR, "description": f"{_ON_ERROR['description']} (default: block)"},
        "paths": {**_GLOBS, "description": "Only look at changed files matching these globs."},
        "exclude": {**_GLOBS, "description": "Ignore changed files matching these globs."},
    }


def _local_ref(ref: str, prefix: str) -> str:
    for local in ("#/$defs/", "#/definitions/"):
        if ref.startswith(local):
            return "#/$defs/" + prefix + ref[len(local) :]
    return ref


def _rewrite_refs(node: Any, prefix: str) -> Any:
    """Point a check's local ``#/$defs/x`` references at ``#/$defs/<prefix>x``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = _local_ref(value, prefix)
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def check_block_schema(check: type, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``checks.<id>``: the check's own keys, the common keys, and the
    ``true``/``false`` and list shorthands. The check's ``$defs`` move into ``defs``."""
    check_id = str(getattr(check, "id", ""))
    own = _rewrite_refs(
        copy.deepcopy(dict(getattr(check, "config_schema", {}) or {})), check_id + "."
    )
    for section in ("$defs", "definitions"):
        for name, sub in sorted(own.pop(section, {}).items()):
            defs[f"{check_id}.{name}"] = sub
    own.pop("$schema", None)
    own.pop("$id", None)
    props = dict(own.pop("properties", {}) or {})
    clash = sorted(set(props) & set(COMMON_KEYS))
    if clash:
        raise PluginError(
            f"check '{check_id}' declares {', '.join(clash)} in its config_schema; those keys "
            "are added by the policy layer, remove them from the check's schema"
        )
    types = ["object", "boolean"]
    items = props.get("items")
    if isinstance(items, dict) and items.get("type") == "array":
        types.append("array")  # a list is shorthand for {items: [...]}
        if "items" in items:
            own["items"] = items["items"]
    own.pop("type", None)
    own.setdefault("additionalProperties", False)
    title = str(getattr(check, "title", "") or check_id)
    own_description = str(own.pop("description", "") or "")
    description = str(getattr(check, "description", "") or own_description or title)
    return {
        "title": title,
        "description": description,
        "type": types,
        **own,
        "properties": {**_common(check), **props},
    }


def validate_config_schema(check: type) -> None:
    """Raise :class:`PluginError` unless ``check.config_schema`` is valid JSON Schema
    (draft 2020-12). For the plugin loader: a broken schema is the check's defect and
    should be named as such, not surface as a policy error."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
    from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped,unused-ignore]

    check_id = str(getattr(check, "id", "") or getattr(check, "__name__", "?"))
    schema = getattr(check, "config_schema", None)
    if not isinstance(schema, Mapping):
        raise PluginError(f"check '{check_id}': config_schema must be a JSON Schema object")
    try:
        Draft202012Validator.check_schema(dict(schema))
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise PluginError(
            f"check '{check_id}': config_schema is not valid JSON Schema at {where}: "
            f"{exc.message}; fix the check or upgrade the package that provides it"
        ) from None


def _without_required(block: dict[str, Any]) -> dict[str, Any]:
    """An override block is partial: it only changes some keys of the check's block."""
    return {k: v for k, v in block.items() if k != "required"}


def _agents() -> dict[str, Any]:
    return {
        "type": "object",
        "title": "Agent authors",
        "description": "Who counts as an AI agent author, added to the built-in signals.",
        "additionalProperties": False,
        "properties": {
            "logins": {**_STRINGS, "description": "PR author logins ('*' wildcard)."},
            "branches": {**_STRINGS, "description": "Head branch globs, e.g. 'agent/*'."},
            "trailers": {
                **_STRINGS,
                "description": "Commit trailers ('*' wildcard).",
            },
            "labels": {**_STRINGS, "description": "PR labels that mark an agent's PR."},
            "body_markers": {**_STRINGS, "description": "Text in the PR body."},
            "builtin": {
                "type": "boolean",
                "description": "Also use the built-in signals (Copilot, Devin, Codex, Claude "
                "Code, Cursor, Jules, Sweep). Default: true.",
            },
            "default": {
                "type": "string",
                "enum": ["human", "agent"],
                "description": "Who wrote a PR that no signal marks. 'agent': every PR is in "
                "the agent tier unless its author is listed in 'humans'. Default: human.",
            },
            "humans": {
                **_STRINGS,
                "description": "Logins (case ignored) whose PRs stay in the human tier under "
                "'default: agent' (unless a signal marks them).",
            },
        },
    }


def _overrides(checks: dict[str, Any]) -> dict[str, Any]:
    when = {
        "type": "object",
        "description": "All the conditions given must hold.",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "author": {"type": "string", "enum": ["agent", "human"]},
            "labels": {**_STRINGS, "description": "Any of these labels is on the PR."},
            "paths": {**_GLOBS, "description": "Any changed file matches one of these globs."},
            "base_branch": {
                "type": ["string", "array"],
                "items": {"type": "string", "minLength": 1},
                "description": "The PR's base branch matches (a glob, or a list of them).",
            },
        },
    }
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["when", "checks"],
        "properties": {
            "name": {"type": "string", "description": "Shown in 'gatekeeper policy show'."},
            "when": when,
            "checks": checks,
        },
    }
    return {
        "type": "array",
        "title": "Overrides",
        "description": "Check settings merged on top when a PR matches, in order.",
        "items": item,
    }


def _waivers() -> dict[str, Any]:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["rule", "reason", "approved_by"],
        "properties": {
            "rule": {
                "type": "string",
                "pattern": r"^[^/\s]+/[^/\s]+$",
                "description": "check/rule, globs allowed (e.g. 'openapi/*').",
            },
            "path": {"type": "string", "minLength": 1, "description": "Path glob (default **)."},
            "reason": {"type": "string", "minLength": 1, "description": "Why (ADR, ticket)."},
            "approved_by": {"type": "string", "minLength": 1, "description": "Who approved it."},
            "expires": {
                "type": "string",
                "pattern": r"^\d{4}-\d{2}-\d{2}$",
                "description": "Last day the waiver applies (YYYY-MM-DD); required unless "
                "permanent: true.",
            },
            "permanent": {
                "type": "boolean",
                "description": "The waiver never expires (its reason says why); instead of "
                "expires.",
            },
            "fingerprint": {
                "type": "string",
                "minLength": 1,
                "description": "Only this one finding (its fingerprint from the report).",
            },
        },
    }
    return {
        "type": "array",
        "title": "Waivers",
        "description": "Accepted exceptions; an expired waiver stops applying and is reported.",
        "items": item,
    }


def _locked() -> dict[str, Any]:
    key = {"type": "string", "minLength": 1, "description": "A dotted key, e.g. checks.security"}
    return {
        "type": "array",
        "title": "Locked keys",
        "description": "Keys the files that extend this one may not loosen (severities may "
        "rise; other values stay unless allow says which way is stricter).",
        "items": {
            "oneOf": [
                key,
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["key"],
                    "properties": {
                        "key": key,
                        "allow": {
                            "enum": ["higher", "lower", "more", "fewer"],
                            "description": "Which change is stricter: a number higher or "
                            "lower, a list with more or fewer items.",
                        },
                    },
                },
            ]
        },
    }


def policy_schema(checks: Mapping[str, type]) -> dict[str, Any]:
    """The whole policy's JSON Schema (draft 2020-12) for the installed ``checks``."""
    defs: dict[str, Any] = {"severity": dict(_SEVERITY), "on_error": dict(_ON_ERROR)}
    blocks = {cid: check_block_schema(checks[cid], defs) for cid in sorted(checks)}
    full = {"type": "object", "additionalProperties": False, "properties": blocks}
    partial = {
        "type": "object",
        "additionalProperties": False,
        "properties": {cid: _without_required(block) for cid, block in blocks.items()},
    }
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "gatekeeper policy",
        "description": "The merge gate's Definition of Done (.github/gatekeeper.yml).",
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {"const": 1, "description": "Policy format version; always 1."},
            "extends": {
                "type": ["string", "array"],
                "items": {"type": "string", "minLength": 1},
                "description": "Presets by name (recommended, strict, agents), repository "
                "files, or central files (github:owner/repo/path.yml@ref), merged in order; "
                "this file goes on top.",
            },
            "locked": _locked(),
            "agents": _agents(),
            "checks": {**full, "title": "Checks", "description": "One block per check."},
            "overrides": _overrides(partial),
            "waivers": _waivers(),
            "plugins": {
                **_STRINGS,
                "description": "Repository-local check files, loaded from the base commit.",
            },
            "annotations": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "max": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Most line annotations to publish (default 200).",
                    }
                },
            },
        },
        "$defs": dict(sorted(defs.items())),
    }


def render_schema(checks: Mapping[str, type]) -> str:
    """The schema as ``gatekeeper policy schema`` prints it: indented JSON, stable bytes."""
    return json.dumps(policy_schema(checks), indent=2, ensure_ascii=False) + "\n"
