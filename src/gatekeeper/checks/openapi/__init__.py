"""The ``openapi`` check and its breaking-change engine (oasdiff rule ids, our own code)."""

from __future__ import annotations

from gatekeeper.checks.openapi.check import OpenAPICheck

__all__ = ["OpenAPICheck"]
