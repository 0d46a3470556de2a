"""``--policy-repo OWNER/REPO=PATH``: central files read from a clone's git objects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.policy.central import CentralUnavailable
from gatekeeper.policy.checkouts import LocalCheckouts, parse_policy_repos
from tests.conftest import GitRepo
from tests.policy.central import REPO, make_central


def test_options_are_parsed_case_insensitively() -> None:
    assert parse_policy_repos(["Acme/Policies=../p", "acme/other=/x"]) == {
        "acme/policies": Path("../p"),
        "acme/other": Path("/x"),
    }


@pytest.mark.parametrize(
    "value", ["acme/policies", "acme=../p", "acme/policies=", "-x/y=p", "a/b/c=p"]
)
def test_malformed_options_are_usage_errors(value: str) -> None:
    with pytest.raises(UsageError, match="write OWNER/REPO=PATH"):
        parse_policy_repos([value])


def test_a_repository_given_twice_is_refused() -> None:
    with pytest.raises(UsageError, match="ACME/p is given twice"):
        parse_policy_repos(["acme/p=a", "ACME/p=b"])


def test_the_file_is_read_from_git_not_from_the_working_tree(tmp_path: Path) -> None:
    central = make_central(tmp_path / "p")
    (central.root / "gatekeeper" / "base.yml").write_text("edited, not committed\n")
    text = LocalCheckouts({REPO: central.root}).read(REPO, central.v3, "gatekeeper/base.yml")
    assert text is not None and text.startswith("version: 1\nextends: [recommended")


def test_what_a_checkout_cannot_give(tmp_path: Path) -> None:
    central = make_central(tmp_path / "p")
    central.repo.commit({"bin.yml": b"\xff\xfe", "dir/x.yml": "version: 1\n"})
    os.symlink("gatekeeper/base.yml", central.root / "link.yml")
    head = central.repo.commit({}, "link")
    source = LocalCheckouts({REPO: central.root})
    with pytest.raises(CentralUnavailable, match=r"bin\.yml is not UTF-8 text"):
        source.read(REPO, head, "bin.yml")
    with pytest.raises(CentralUnavailable, match=r"link\.yml is a symlink in acme/policies"):
        source.read(REPO, head, "link.yml")
    with pytest.raises(CentralUnavailable, match="dir is not a file"):
        source.read(REPO, head, "dir")
    assert source.read(REPO, head, "absent.yml") is None
    with pytest.raises(CentralUnavailable, match="no checkout of acme/other was given"):
        source.commit_of("acme/other", "refs/tags/v1")


def test_a_folder_that_is_not_a_clone(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    source = LocalCheckouts({REPO: plain})
    with pytest.raises(CentralUnavailable, match="is not a git clone"):
        source.commit_of(REPO, "refs/tags/v3")
    gone = LocalCheckouts({REPO: tmp_path / "gone"})
    with pytest.raises(CentralUnavailable, match="no such folder"):
        gone.commit_of(REPO, "refs/tags/v3")


def test_a_commit_missing_from_the_clone_says_to_fetch(tmp_path: Path) -> None:
    central = make_central(tmp_path / "p")
    clone = GitRepo(tmp_path / "clone")
    clone.git("fetch", "-q", str(central.root), "refs/tags/v2:refs/tags/v2")
    source = LocalCheckouts({REPO: clone.root})
    assert source.commit_of(REPO, "refs/tags/v2") == central.v2
    assert source.commit_of(REPO, "refs/tags/v3") is None
    with pytest.raises(CentralUnavailable, match=r"is not in the checkout .*git fetch origin"):
        source.read(REPO, central.v3, "gatekeeper/base.yml")
