"""Fixtures of the security check's tests: a loopback OSV server fed from our records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .osv_server import OsvServer, serve

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    """An OSV server on 127.0.0.1 answering from ``fixtures/osv``."""
    yield from serve(FIXTURES / "osv")


@pytest.fixture(autouse=True)
def _no_osv_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests name their OSV URL; an inherited PIP_AUDIT_OSV_URL must not redirect them."""
    monkeypatch.delenv("PIP_AUDIT_OSV_URL", raising=False)
