"""``gatekeeper action``: the GitHub Action's entry point (the work is in gatekeeper.github)."""

from __future__ import annotations

import os

import click


@click.command("action")
def action_command() -> int:
    """Run as the GitHub Action: inputs from INPUT_*, the event from GITHUB_*.

    Exits like ``gatekeeper run`` (0 met, 1 not met, 2 usage or policy error, 3 internal
    error), or 0 whatever happens when the input fail-on-error is false.
    """
    from gatekeeper.github.action import run_action
    from gatekeeper.sandbox.guard import receive_secrets

    # started over without the token in its environment (see gatekeeper.cli.main): the
    # values arrive through a pipe and live in this mapping only, never in os.environ
    return run_action({**os.environ, **receive_secrets()})
