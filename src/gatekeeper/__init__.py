"""gatekeeper: a merge gate that checks a pull request against a team's Definition of Done."""

__version__ = "0.1.0"
