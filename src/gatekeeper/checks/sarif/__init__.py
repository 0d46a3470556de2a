"""The ``sarif`` check: findings from any tool that writes SARIF 2.1.0."""

from gatekeeper.checks.sarif.check import SarifCheck

__all__ = ["SarifCheck"]
