"""One exception tree for the whole tool; each class carries its exit code.

Exit codes: 0 met, 1 not met (blocked), 2 usage or policy error, 3 internal error,
130 interrupted, 143 stopped by SIGTERM. Everything a user can cause is a
:class:`GatekeeperError` whose message says what to do; the CLI's single error boundary
prints it without a traceback.
"""

from __future__ import annotations

import click

EXIT_MET = 0
EXIT_NOT_MET = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
#: stopped by SIGTERM (128 + 15), as a shell reports it
EXIT_TERMINATED = 143


class GatekeeperError(click.ClickException):
    """Base of every error gatekeeper reports to a person."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return self.message


class UsageError(GatekeeperError):
    """Bad command-line input."""


class PolicyError(GatekeeperError):
    """The policy file is malformed, has a wrong type, an unknown key or preset."""


class GitError(GatekeeperError):
    """A git operation failed: unknown revision, not a repository, missing base commit."""


class PluginError(GatekeeperError):
    """A check could not be found, loaded or validated."""


class InternalError(GatekeeperError):
    """A defect in gatekeeper itself."""

    exit_code = EXIT_INTERNAL


class Cancelled(BaseException):
    """The process was told to stop (SIGTERM) while it worked.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way
    (a check's error boundary, a publisher's) swallows it; the action publishes a
    cancelled check run, the CLI exits 128 + the signal's number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number: 143 for SIGTERM."""
        return 128 + self.signum
