"""What a round-trip child printed reaches a finding only with its secrets masked."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.checks.migrations.child import _tail
from gatekeeper.sandbox import Ran


def test_the_tail_masks_what_the_child_was_given(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    log.write_text("loading env.py\nconnect postgresql://gk:s3cretpass@db/x failed\nboom\n")
    env = {"DATABASE_PASSWORD": "s3cretpass", "LANG": "C.UTF-8"}
    tail = _tail(log, Ran(1, None), env)
    assert tail == "connect postgresql://gk:***@db/x failed / boom"


def test_an_empty_log_says_how_the_child_ended(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    log.write_text("")
    assert _tail(log, Ran(3, None), {}) == "exit 3"
