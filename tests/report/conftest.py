"""Golden-file comparison for the reporters: byte-for-byte, rewritten only on request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: compare with ``golden/name``, or write it under
    ``--update-golden``. A missing golden file fails (it is never created silently)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing: run pytest --update-golden and review it")
        expected = path.read_bytes().decode("utf-8")
        assert text == expected, f"{name} differs from its golden file (pytest --update-golden)"

    return check
