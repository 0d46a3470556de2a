"""The ``command`` check: run the commands the policy names (tests, linters, type checks)."""

from gatekeeper.checks.command.check import CommandCheck

__all__ = ["CommandCheck"]
