"""The ``security`` check: new bandit findings, secrets in added lines, newly vulnerable
dependencies, and changes to sensitive paths that need a human's review."""

from gatekeeper.checks.security.check import SecurityCheck

__all__ = ["SecurityCheck"]
