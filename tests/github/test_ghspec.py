"""The trimmed REST description the fake GitHub validates with is GitHub's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.github.ghspec import (
    FIXTURE,
    OPERATIONS,
    SOURCE,
    RequestRejected,
    SpecValidator,
    extract,
)


def test_the_fixture_is_what_the_corpus_description_gives(corpus: Path) -> None:
    spec = json.loads((corpus / "specs" / SOURCE).read_text(encoding="utf-8"))
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    assert fixture == extract(spec), "regenerate it: python tests/github/ghspec.py"
    assert sorted(op["operationId"] for op in fixture) == sorted(OPERATIONS)


def test_paths_and_refs_may_span_segments_only_where_github_says() -> None:
    ops = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    validator = SpecValidator(ops)
    assert validator.validate("GET", "/repos/o/r/contents/a/b/c.yml", "ref=abc", None) == (
        "repos/get-content"
    )
    assert validator.validate("GET", "/repos/o/r/git/ref/tags/v3", "", None) == "git/get-ref"
    assert validator.validate("GET", "/repos/o/r/git/ref/heads/a/b", "", None) == "git/get-ref"
    with pytest.raises(RequestRejected, match="no operation"):  # a tag sha is one segment
        validator.validate("GET", "/repos/o/r/git/tags/a/b", "", None)
