"""The ``env-vars`` check: every environment variable a change starts reading is documented."""

from gatekeeper.checks.envvars.check import EnvVarsCheck

__all__ = ["EnvVarsCheck"]
