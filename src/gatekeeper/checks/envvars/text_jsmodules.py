"""JavaScript/TypeScript reads through a framework's or a library's environment module.

- SvelteKit: ``import { DATABASE_URL } from "$env/static/private"`` (or ``/public``)
  reads each imported name; ``import { env } from "$env/dynamic/private"`` makes
  ``env.NAME`` a read, as ``process.env.NAME`` is.
- Astro: ``import { API_URL } from "astro:env/server"`` (or ``/client``) reads each name.
- env-var: with ``import env from "env-var"`` (or ``require("env-var")``),
  ``env.get("NAME")`` reads ``NAME``.
- Vite's config: ``const env = loadEnv(mode, ...)``, with ``loadEnv`` imported from
  ``vite``, makes ``env.NAME`` a read.

An import names the variable it reads only from these modules: any other module's
upper-case export (``import { MAX_SIZE } from "./limits"``) is a constant.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_jsalias import alias_reads, imports

#: modules whose named exports are the variables of the same names
_NAMED_MODULES = re.compile(r"\$env/static/(?:private|public)|astro:env/(?:server|client)")
#: modules whose ``env`` export stands for the whole environment
_DYNAMIC_MODULES = re.compile(r"\$env/dynamic/(?:private|public)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_VAR_REQUIRE = re.compile(
    r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*[\"']env-var[\"']\s*\)"
)
_ENV_VAR_STAR = re.compile(r"\bimport\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s*[\"']env-var[\"']")
_VITE_LOAD_ENV = re.compile(
    r"\bimport\s*\{[^{}]{0,500}\bloadEnv\b[^{}]{0,500}\}\s*from\s*[\"']vite[\"']"
)
_LOAD_ENV = re.compile(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*loadEnv\s*\(")
#: what a module's text must contain for any of its reads to be found here
_WORDS = ("$env/", "astro:env", "env-var", "loadEnv")


def module_reads(text: str) -> list[EnvRead]:
    """The reads a file makes through SvelteKit's, Astro's, env-var's or Vite's modules."""
    if not any(word in text for word in _WORDS):
        return []
    reads: list[EnvRead] = []
    aliases: set[str] = set()
    getters: set[str] = set()
    for local, spec, exported in imports(text):
        if _NAMED_MODULES.fullmatch(spec) and _NAME.fullmatch(exported):
            line = _import_line(text, spec, exported)
            reads.append(EnvRead(exported, line, f"import from {spec}"))
        elif _DYNAMIC_MODULES.fullmatch(spec) and exported == "env":
            aliases.add(local)
        elif spec == "env-var" and exported in ("default", "*"):
            getters.add(local)
    getters.update(m.group(1) for m in _ENV_VAR_REQUIRE.finditer(text))
    getters.update(m.group(1) for m in _ENV_VAR_STAR.finditer(text))
    if _VITE_LOAD_ENV.search(text):  # a ``loadEnv`` of the file's own is anything
        aliases.update(m.group(1) for m in _LOAD_ENV.finditer(text))
    reads += alias_reads(text, aliases)
    for name in getters:
        pattern = re.compile(
            rf"(?<![\w$.]){re.escape(name)}\s*\.\s*get\(\s*[\"'`]({_NAME.pattern})[\"'`]"
        )
        reads += [
            EnvRead(m.group(1), line_of(text, m.start()), "env-var get")
            for m in pattern.finditer(text)
        ]
    return reads


def _import_line(text: str, spec: str, name: str) -> int:
    """The line naming ``name`` in the (first) import from ``spec``."""
    at = max(text.find(f'"{spec}"'), text.find(f"'{spec}'"), 0)
    named = text.rfind(name, max(0, at - 1000), at)
    return line_of(text, named if named != -1 else at)
