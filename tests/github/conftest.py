"""Fixtures for the GitHub side: the validating fake API server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github.fakegithub import FakeGitHub, FakeStorage
from tests.github.ghspec import FIXTURE, SOURCE, SpecValidator

_CORPUS_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.fixture(scope="session")
def validators() -> list[SpecValidator]:
    """The trimmed description always; the full one too when the corpus is at hand."""
    trimmed = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    found = [SpecValidator(trimmed)]
    corpus = Path(os.environ.get("GATEKEEPER_CORPUS") or _CORPUS_DEFAULT)
    full = corpus / "specs" / SOURCE
    if full.is_file():
        found.append(SpecValidator(spec=json.loads(full.read_text(encoding="utf-8"))))
    return found


@pytest.fixture
def github(validators: list[SpecValidator]) -> Iterator[FakeGitHub]:
    """A fresh fake api.github.com on loopback; fails the test on any invalid request."""
    server = FakeGitHub(validators).start()
    try:
        yield server
    finally:
        server.stop()
    assert server.rejections == [], f"requests GitHub would reject: {server.rejections}"


@pytest.fixture
def storage(github: FakeGitHub) -> Iterator[FakeStorage]:
    """The artifact blob store on a second loopback port, wired to ``github``'s 302s."""
    server = FakeStorage().start()
    github.storage = server
    try:
        yield server
    finally:
        server.stop()
