"""The rule catalog and the code that turns spec differences into changes.

Each module walks one part of the comparison: ``endpoints`` (paths, operations,
deprecation, security), ``params`` (request parameters), ``payloads`` (request bodies,
responses, headers, media types) and ``schemas`` (every keyword of a schema, in the request
or the response direction).
"""

from __future__ import annotations

from collections.abc import Mapping

from gatekeeper.checks.openapi.rules.catalog import CATALOG
from gatekeeper.model import Level

_LEVELS = {"E": Level.ERROR, "W": Level.WARNING, "I": Level.INFO}

#: gatekeeper's own rules, for changes oasdiff has no id for: id -> (level, summary)
OWN: Mapping[str, tuple[str, str]] = {
    "api-base-path-changed": (
        "E",
        "The path prefix every endpoint is served under (Swagger basePath, or the path of "
        "the OpenAPI servers' URLs) changed: every endpoint moved.",
    ),
}

#: rule id -> default level
LEVELS: Mapping[str, Level] = {rid: _LEVELS[letter] for rid, letter, _ in CATALOG} | {
    rid: _LEVELS[letter] for rid, (letter, _) in OWN.items()
}
#: rule id -> the oasdiff handler that reports it (for parity scoring)
HANDLERS: Mapping[str, str] = {rid: handler for rid, _, handler in CATALOG} | dict.fromkeys(
    OWN, "gatekeeper"
)
