"""A real PostgreSQL server for the migrations tests, started once per session.

It runs from the local binaries (initdb + pg_ctl) in a temp folder, on a unix socket.
Without binaries the tests that need it skip with the reason, except under CI
(``CI=true``), where a missing server is a failure: CI must never skip them silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from gatekeeper.checks.migrations.postgres import ScratchServer, ServerError, find_binaries


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of the ``postgres`` database on a scratch server (superuser, trust auth)."""
    bindir = find_binaries()
    if bindir is None:
        _unavailable("no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql")
    assert bindir is not None
    server = ScratchServer(bindir)
    try:
        server.start()
    except ServerError as exc:
        server.stop()
        _unavailable(f"cannot start PostgreSQL: {exc}")
    yield f"postgresql://gatekeeper@/postgres?host={server.folder}&port={server.port}"
    server.stop()
