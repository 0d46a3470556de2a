"""The ``generate`` setting of the openapi check: its JSON Schema and its parsed form."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

#: frameworks with a built-in generator, and what ``app`` names for each
FRAMEWORKS = {
    "fastapi": "the FastAPI application (`module:attribute`, or `module:factory()`)",
    "django": "drf-spectacular by default; with `app:`, the django-ninja NinjaAPI object",
    "flask": "the Flask application that registers a flask-smorest Api",
    "litestar": "the Litestar application",
}
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048
#: what ``generate: off`` means (and what safe mode sets)
OFF = "off"

_ENTRY: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "framework": {
            "enum": sorted(FRAMEWORKS),
            "description": "A built-in generator: " + "; ".join(
                f"{k}: {v}" for k, v in sorted(FRAMEWORKS.items())
            ),
        },
        "app": {
            "type": "string",
            "pattern": r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(\))?$",
            "description": "The application, as `package.module:attribute` (a trailing `()` "
            "calls a factory).",
        },
        "settings": {"type": "string", "description": "django: DJANGO_SETTINGS_MODULE."},
        "urlconf": {"type": "string", "description": "django + drf-spectacular: the URLconf."},
        "command": {
            "type": "string",
            "minLength": 1,
            "description": "Instead of a framework: a command line (run by /bin/sh in the "
            "revision's files) that prints the document, or writes it to `output`.",
        },
        "output": {
            "type": "string",
            "minLength": 1,
            "description": "The file the command writes, relative to `cwd` (default: its "
            "standard output).",
        },
        "name": {
            "type": "string",
            "minLength": 1,
            "description": "How findings and the changelog name the document.",
        },
        "cwd": {
            "type": "string",
            "default": ".",
            "description": "Folder of the repository the generator runs in (imports resolve "
            "from there).",
        },
        "pythonpath": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Folders of the repository put first on the import path "
            "(e.g. [src]).",
        },
        "python": {
            "type": "string",
            "description": "The interpreter with the application's packages (default: the "
            "one gatekeeper runs on).",
        },
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULT_TIMEOUT},
        "memory_mb": {"type": "integer", "minimum": 64, "default": DEFAULT_MEMORY_MB},
        "inputs": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Globs of the files the document depends on; a change touching "
            "none of them generates nothing (default: any change).",
        },
        "cache": {
            "type": "boolean",
            "default": True,
            "description": "Keep documents by tree hash, outside the repository.",
        },
    },
    # if/then rather than oneOf: the policy's errors then name the key that is wrong
    "if": {"required": ["command"]},
    "then": {"properties": {"framework": False, "app": False, "settings": False}},
    "else": {"required": ["framework"]},
    "allOf": [
        {
            "if": {"properties": {"framework": {"enum": ["fastapi", "flask", "litestar"]}},
               "required": ["framework"]},
            "then": {"required": ["app"]},
        },
        {
            "if": {"properties": {"framework": {"const": "django"}}, "required": ["framework"]},
            "then": {"required": ["settings"]},
        },
    ],
}  # fmt: skip

SCHEMA: Mapping[str, Any] = {
    "description": "Generate the document from code at base and at head, then compare them "
    "like committed specs (see docs/checks/openapi.md). Runs the pull request's code: off "
    "under pull_request_target. `off`, one generator, or a list of them.",
    "default": OFF,
    "type": ["string", "object", "array"],
    "if": {"type": "string"},
    "then": {"enum": [OFF]},
    "else": {
        "if": {"type": "object"},
        "then": _ENTRY,
        "else": {"items": _ENTRY, "minItems": 1},
    },
}


@dataclass(frozen=True)
class Generator:
    """One generator of the policy, with its defaults filled in."""

    name: str
    framework: str = ""
    app: str = ""
    settings: str = ""
    urlconf: str = ""
    command: str = ""
    output: str = ""
    cwd: str = "."
    pythonpath: tuple[str, ...] = ()
    python: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    inputs: tuple[str, ...] = ("**",)
    cache: bool = True

    @property
    def interpreter(self) -> str:
        """The Python that runs a built-in generator."""
        return self.python or sys.executable

    def digest(self) -> str:
        """Every setting that can change the document, hashed (for the cache key)."""
        settings = asdict(self)
        for unrelated in ("name", "timeout", "memory_mb", "inputs", "cache"):
            settings.pop(unrelated)
        settings["env"] = sorted(self.env.items())
        settings["python"] = self.interpreter
        text = json.dumps(settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def generators(config: Mapping[str, Any]) -> list[Generator]:
    """The generators the check's config names (none for ``off`` or when absent)."""
    raw = config.get("generate", OFF)
    entries = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        out.append(
            Generator(
                name=str(entry.get("name") or _default_name(entry)),
                framework=str(entry.get("framework", "")),
                app=str(entry.get("app", "")),
                settings=str(entry.get("settings", "")),
                urlconf=str(entry.get("urlconf", "")),
                command=str(entry.get("command", "")),
                output=str(entry.get("output", "")),
                cwd=str(entry.get("cwd", ".")),
                pythonpath=tuple(str(p) for p in entry.get("pythonpath", ())),
                python=str(entry.get("python", "")),
                env={str(k): str(v) for k, v in dict(entry.get("env") or {}).items()},
                timeout=float(entry.get("timeout", DEFAULT_TIMEOUT)),
                memory_mb=int(entry.get("memory_mb", DEFAULT_MEMORY_MB)),
                inputs=tuple(str(p) for p in entry.get("inputs", ("**",))),
                cache=bool(entry.get("cache", True)),
            )
        )
    return out


def _default_name(entry: Mapping[str, Any]) -> str:
    """``openapi.json`` under the folder it is generated in: reads as the file it would be."""
    cwd = str(entry.get("cwd", ".")).strip("/")
    written = entry.get("output") if entry.get("command") else None
    base = str(written) if written else "openapi.json"
    return base if cwd in ("", ".") else f"{cwd}/{base}"
