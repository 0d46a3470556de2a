"""Where a schema sits in an operation: the context every schema rule is judged in."""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.checks.openapi.model import Operation


@dataclass
class Site:
    """Where a schema sits: which operation, which direction, which id prefixes."""

    op: Operation
    request: bool
    root: str  # "request-body", "response-body", "request-parameter"
    nested: str  # "request-property", "response-property", "request-parameter-property"
    where: str  # "the request body", "the 200 response", "query parameter 'q'"
    #: text media types and parameters: any value also reads as a string
    loose: bool = False
    #: header parameters also report nested changes as ``request-header-property-*``
    header: bool = False
