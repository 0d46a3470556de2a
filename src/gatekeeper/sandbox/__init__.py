"""Running the pull request's code without handing it the gate's credentials.

:mod:`~gatekeeper.sandbox.runner` is the one way any check runs PR code
(:func:`run_untrusted`); :mod:`~gatekeeper.sandbox.guard` keeps the gate's own process
out of that code's reach (the token out of its environment, non-dumpable, SIGTERM
handled). Checks may import this layer; it imports nothing above ``errors``.
"""

from gatekeeper.sandbox.runner import (
    DEFAULT_MEMORY_MB,
    Identity,
    Limits,
    Ran,
    Refused,
    forbidden,
    read_left_file,
    run_untrusted,
    terminate_all,
    untrusted_env,
    untrusted_identity,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "Identity",
    "Limits",
    "Ran",
    "Refused",
    "forbidden",
    "read_left_file",
    "run_untrusted",
    "terminate_all",
    "untrusted_env",
    "untrusted_identity",
]
