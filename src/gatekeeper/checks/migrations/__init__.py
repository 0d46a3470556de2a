"""The ``migrations`` check: reversibility proven on a real database, and deploy safety."""

from gatekeeper.checks.migrations.check import MigrationsCheck

__all__ = ["MigrationsCheck"]
