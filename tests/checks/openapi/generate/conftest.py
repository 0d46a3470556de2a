"""Every test here keeps generated documents in its own cache folder, never ~/.cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder for this test (GATEKEEPER_CACHE_DIR)."""
    folder = tmp_path_factory.mktemp("gk-cache")
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(folder))
    return folder
