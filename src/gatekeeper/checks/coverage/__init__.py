"""The ``coverage`` check: coverage of the changed lines, and the total's drop against base."""

from gatekeeper.checks.coverage.check import CoverageCheck

__all__ = ["CoverageCheck"]
