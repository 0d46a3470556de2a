"""JVM configuration files and annotations that read the environment through placeholders.

Spring Boot, Micronaut and Quarkus resolve ``${NAME}`` and ``${NAME:default}`` in their
``application*.yml``/``.yaml``/``.properties`` (and Spring Cloud's ``bootstrap*``) from the
environment among other sources; ``@Value("${NAME:default}")`` on a field does the same
in code. HOCON's ``${?NAME}`` (and ``${NAME}``) in a Ktor, Akka or Play
``application*.conf`` falls back to the environment too, and Dropwizard substitutes
``${NAME}``/``${NAME:-default}`` in its YAML configuration (:func:`is_dropwizard_config`).

Only an UPPER_SNAKE name counts: ``${server.port}`` or ``${app-name}`` refers to another
property of the configuration, and ``${user.home}`` to a system property. A placeholder
nested in another's default (``${A:${B:x}}``) is a read of each.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from gatekeeper.checks.envvars.model import EnvRead, line_of

_UPPER = r"[A-Z][A-Z0-9_]*"
#: the configuration files these frameworks read, by name (any folder: a module's resources)
_CONFIG_FILE = re.compile(r"(?:application|bootstrap)(?:[-_.][\w.-]+)?\.(?:ya?ml|properties)")
_HOCON_FILE = re.compile(r"application(?:[-_.][\w.-]+)?\.conf")
#: ``${NAME}``, ``${NAME:default}``; a lower-case letter, a dot or a dash after the name
#: makes it a property key
_PLACEHOLDER = re.compile(rf"\$\{{(?P<name>{_UPPER})(?=[:}}])")
_HOCON = re.compile(rf"\$\{{\??(?P<name>{_UPPER})\}}")
#: ``@Value("${NAME}")`` (Kotlin escapes the dollar: ``@Value("\${NAME}")``)
_VALUE = re.compile(rf"@Value\(\s*(?:value\s*=\s*)?\"\\?\$\{{(?P<name>{_UPPER})(?=[:}}])")


def is_config_file(path: str) -> bool:
    """Whether ``path`` is a configuration file these placeholders are resolved in."""
    name = PurePosixPath(path).name
    return _CONFIG_FILE.fullmatch(name) is not None or _HOCON_FILE.fullmatch(name) is not None


#: Dropwizard's own keys under its top-level ``server:``: the HTTP connectors
_CONNECTORS = ("applicationConnectors:", "adminConnectors:")


def is_dropwizard_config(path: str, text: str) -> bool:
    """Whether a YAML file is a Dropwizard application's configuration, which its
    ``EnvironmentVariableSubstitutor`` resolves ``${NAME}`` and ``${NAME:-default}`` in
    (marquez's ``marquez.dev.yml``): a top-level ``server:`` whose block names
    ``applicationConnectors`` or ``adminConnectors``. Read line by line (a pattern
    spanning lines backtracks badly on a block of blank lines)."""
    if PurePosixPath(path).suffix not in (".yml", ".yaml"):
        return False
    inside = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            inside = line.rstrip() == "server:"
            continue
        if inside and line.strip().startswith(_CONNECTORS):
            return True
    return False


def config_reads(path: str, text: str) -> list[EnvRead]:
    """The placeholders of an ``application*`` configuration file that read a variable."""
    hocon = PurePosixPath(path).suffix == ".conf"
    pattern, how = (_HOCON, "HOCON ${?X}") if hocon else (_PLACEHOLDER, "config ${X}")
    return [EnvRead(m.group("name"), line_of(text, m.start()), how) for m in pattern.finditer(text)]


def value_reads(text: str) -> list[EnvRead]:
    """``@Value("${NAME}")`` placeholders of a Java or Kotlin file."""
    if "@Value" not in text:
        return []
    return [
        EnvRead(m.group("name"), line_of(text, m.start()), "@Value(${X})")
        for m in _VALUE.finditer(text)
    ]
