"""Variables a NestJS service reads through ``ConfigService`` of ``@nestjs/config``.

NestJS injects the configuration as a service (``constructor(private configService:
ConfigService) {}``) whose ``get('NAME', default)`` and ``getOrThrow('NAME')`` look the
name up in ``process.env`` and the ``.env`` files it loaded. The same ``get`` also answers
the keys of the namespaces a project registers (``get('database.host')``), which are no
variables: only a name in upper case without a dot is taken as one.

Only identifiers the file types as ``ConfigService`` (a parameter or a property,
``configService: ConfigService``) or takes from the container (``const config =
app.get(ConfigService)``) are followed, so ``map.get('KEY')`` on anything else is no read.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of

#: ``name: ConfigService`` (a constructor parameter, a property, a factory's argument),
#: generic or not (``ConfigService<Env, true>``)
_TYPED = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\??\s*:\s*ConfigService\b")
#: ``const config = app.get(ConfigService)`` (the container's instance, in ``main.ts``)
_FROM_CONTAINER = re.compile(
    r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?[\w$.]+\s*\.\s*(?:get|resolve)\s*"
    r"(?:<[^<>()]{0,100}>)?\s*\(\s*ConfigService\s*[,)]"
)
#: a variable's name: upper case, digits and underscores (a key with a dot or a lower-case
#: letter is a namespace's key)
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _call(identifier: str) -> re.Pattern[str]:
    """``identifier.get('X'``, ``this.identifier.get<T>('X'``, ``.getOrThrow(``."""
    return re.compile(
        r"(?<![\w$])(?:this\s*\.\s*)?" + re.escape(identifier) + r"\s*\??\.\s*"
        r"(?P<method>getOrThrow|get)\s*(?:<[^<>()]{0,200}(?:<[^<>()]{0,100}>[^<>()]{0,100})?>)?"
        r"\s*\(\s*(?P<quote>[\"'`])(?P<key>[^\"'`\n]{1,200})(?P=quote)"
    )


def config_service_reads(text: str) -> list[EnvRead]:
    """One read per ``get``/``getOrThrow`` of an upper-case name on a ``ConfigService``."""
    if "ConfigService" not in text:
        return []
    identifiers = {m.group(1) for m in _TYPED.finditer(text)}
    identifiers |= {m.group(1) for m in _FROM_CONTAINER.finditer(text)}
    reads = []
    for identifier in sorted(identifiers):
        if f"{identifier}." not in text and f"{identifier}?." not in text:
            continue
        for m in _call(identifier).finditer(text):
            key = m.group("key")
            if _NAME.fullmatch(key):
                how = f"ConfigService.{m.group('method')}()"
                reads.append(EnvRead(key, line_of(text, m.start()), how))
    return sorted(reads, key=lambda r: r.line)
