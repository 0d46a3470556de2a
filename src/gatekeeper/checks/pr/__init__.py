"""The ``pr`` check: pull-request hygiene from the PR's title, body and branch."""

from gatekeeper.checks.pr.check import PullRequestCheck

__all__ = ["PullRequestCheck"]
