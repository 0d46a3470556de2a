"""Central policies through the contents API, against the validating fake GitHub.

The fake serves the real ``acme/policies`` git repository of tests/policy/central.py, so
the refs, annotated tags and files are git's own; every request is checked against
GitHub's REST description.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PolicyError
from gatekeeper.github.central import CommitCache, GitHubPolicyRepos, blob_sha
from gatekeeper.github.client import GitHubClient
from gatekeeper.plugins import discover
from gatekeeper.policy.central import CentralPolicies, CentralUnavailable
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.model import Policy
from tests.github.fakegithub import TOKEN, FakeGitHub, Fault
from tests.policy.central import REPO, V3, Central, make_central

SRC = ".github/gatekeeper.yml"
CHECKS = discover().classes()


@pytest.fixture
def central(tmp_path: Path, github: FakeGitHub) -> Central:
    made = make_central(tmp_path / "policies")
    github.repositories[REPO] = made.root
    return made


def source(github: FakeGitHub, cache: CommitCache | None = None) -> GitHubPolicyRepos:
    client = GitHubClient(TOKEN, github.url, sleep=lambda s: None, retries=2)
    return GitHubPolicyRepos(client, cache)


def load(github: FakeGitHub, ref: str = V3, cache: CommitCache | None = None) -> Policy:
    text = f'version: 1\nextends: ["{ref}"]\n'
    reader = CentralPolicies(source(github, cache))
    return load_policy(text, source=SRC, checks=CHECKS, pr=PullRequest(), central=reader)


def error_of(github: FakeGitHub, ref: str = V3) -> str:
    with pytest.raises(PolicyError) as info:
        load(github, ref)
    return str(info.value)


def test_an_annotated_tag_is_peeled_and_the_files_read_at_its_commit(
    github: FakeGitHub, central: Central
) -> None:
    policy = load(github)
    assert [(f.path, f.commit) for f in policy.central] == [
        ("gatekeeper/common.yml", central.v3),
        ("gatekeeper/base.yml", central.v3),
    ]
    assert github.ops() == [
        "git/get-ref",  # tags/v3: an annotated tag object
        "git/get-tag",  # ... peeled to its commit
        "git/get-ref",  # heads/v3: none (a name both would be refused)
        "repos/get-content",  # gatekeeper/base.yml at the commit
        "repos/get-content",  # gatekeeper/common.yml, same commit, no ref lookup
    ]
    contents = [c for c in github.calls if c.operation == "repos/get-content"]
    assert {c.query["ref"][0] for c in contents} == {central.v3}
    assert contents[0].path == "/repos/acme/policies/contents/gatekeeper/base.yml"


def test_a_sha_needs_no_ref_lookup(github: FakeGitHub, central: Central) -> None:
    policy = load(github, f"github:acme/policies/gatekeeper/base.yml@{central.v2}")
    assert policy.central[-1].ref_kind == "commit" and policy.check("pr").enabled
    assert github.ops() == ["repos/get-content"]


def test_a_lightweight_tag_and_a_branch(github: FakeGitHub, central: Central) -> None:
    assert load(github, "github:acme/policies/gatekeeper/base.yml@v2").central[-1].commit == (
        central.v2
    )
    main = load(github, "github:acme/policies/gatekeeper/base.yml@refs/heads/main")
    assert main.central[-1].ref_kind == "branch" and main.central[-1].commit == central.v3


def test_a_name_that_is_a_tag_and_a_branch(github: FakeGitHub, central: Central) -> None:
    central.repo.git("branch", "v3", central.v2)
    assert "'v3' is both a tag and a branch in acme/policies" in error_of(github)


def test_missing_things_are_404s_that_say_what_else_they_may_mean(
    github: FakeGitHub, central: Central
) -> None:
    message = error_of(github, "github:acme/policies/gatekeeper/base.yml@v9")
    assert "acme/policies has no tag or branch 'v9' (GitHub answers the same when the " in message
    assert "GITHUB_TOKEN reads no other private repository" in message
    message = error_of(github, "github:acme/policies/nope.yml@v3")
    assert f"nope.yml does not exist in acme/policies at commit {central.v3[:12]}" in message
    message = error_of(github, "github:acme/private/base.yml@v1")  # a repository it cannot see
    assert "acme/private has no tag or branch 'v1'" in message
    assert message.startswith(f"{SRC}:2: extends[0]: github:acme/private/base.yml@v1: ")


def test_a_403_names_the_permission(github: FakeGitHub, central: Central) -> None:
    github.fail(
        "git/get-ref", Fault(403, body={"message": "Resource not accessible by integration"})
    )
    message = error_of(github)
    assert "the token may not read acme/policies" in message
    assert "Resource not accessible by integration" in message
    assert "Contents: read on that repository" in message
    assert message.endswith("(it does not fall back to a preset)")


def test_a_500_is_retried_then_fails_closed(github: FakeGitHub, central: Central) -> None:
    github.fail("repos/get-content", Fault(500, times=1))
    assert load(github).central  # one 500, then an answer
    github.fail("repos/get-content", Fault(502, times=-1))
    message = error_of(github, f"github:acme/policies/gatekeeper/base.yml@{central.v2}")
    assert "GitHub could not answer (GET /repos/acme/policies/contents/gatekeeper/base.yml: " in (
        message
    )
    assert "HTTP 502" in message and "run the job again" in message


def test_unreachable_github_fails_closed(github: FakeGitHub, central: Central) -> None:
    github.refuse_connections()
    message = error_of(github)
    assert "GitHub could not be reached" in message
    assert "the gate cannot judge without it (it does not fall back to a preset)" in message


def test_an_answer_that_does_not_match_its_sha_is_refused(
    github: FakeGitHub, central: Central
) -> None:
    body = {
        "type": "file",
        "encoding": "base64",
        "size": 12,
        "name": "base.yml",
        "path": "gatekeeper/base.yml",
        "content": "dmVyc2lvbjogMQo=\n",  # "version: 1\n"
        "sha": "0" * 40,
    }
    github.fail("repos/get-content", Fault(200, body=body))
    assert "does not match its own sha" in error_of(
        github, f"github:acme/policies/gatekeeper/base.yml@{central.v2}"
    )


def test_a_folder_or_a_symlink_is_not_a_policy(github: FakeGitHub, central: Central) -> None:
    os.symlink("gatekeeper/base.yml", central.root / "link.yml")
    sha = central.repo.commit({}, "link")
    message = error_of(github, f"github:acme/policies/link.yml@{sha}")
    assert "link.yml in acme/policies is a symlink, not a file" in message


# --- the cache -----------------------------------------------------------------------


def test_the_cache_saves_the_contents_call_for_a_commit(
    tmp_path: Path, github: FakeGitHub, central: Central
) -> None:
    cache = CommitCache(tmp_path / "cache")
    ref = f"github:acme/policies/gatekeeper/base.yml@{central.v2}"
    first = load(github, ref, cache)
    assert github.ops() == ["repos/get-content"]
    again = load(github, ref, cache)
    assert github.ops() == ["repos/get-content"]  # no second call
    assert again.document == first.document
    entry = next((tmp_path / "cache").iterdir())
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700


def _planted(cache: Path, central: Central, text: str) -> None:
    name = CommitCache._name(REPO, central.v2, "gatekeeper/base.yml")
    record = {
        "repo": REPO,
        "commit": central.v2,
        "path": "gatekeeper/base.yml",
        "blob": blob_sha(text.encode()),
        "text": text,
    }
    (cache / name).write_text(json.dumps(record))
    (cache / name).chmod(0o600)


@pytest.mark.parametrize("how", ["other-owner", "group-writable", "file-writable", "symlink"])
def test_a_cache_someone_else_could_write_is_not_read(
    tmp_path: Path, github: FakeGitHub, central: Central, how: str
) -> None:
    if os.geteuid() != 0 and how == "other-owner":
        pytest.skip("changing a folder's owner needs root")
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    _planted(root, central, "version: 1\nchecks: {}\n")  # the PR's weaker policy
    entry = next(root.iterdir())
    cache_root = root
    if how == "other-owner":
        os.chown(root, 12345, 12345)
    elif how == "group-writable":
        root.chmod(0o770)
    elif how == "file-writable":
        entry.chmod(0o666)
    else:
        cache_root = tmp_path / "link"
        cache_root.symlink_to(root)
    ref = f"github:acme/policies/gatekeeper/base.yml@{central.v2}"
    policy = load(github, ref, CommitCache(cache_root))
    assert policy.check("pr").enabled  # the real file, read from GitHub
    assert github.ops() == ["repos/get-content"]


def test_a_private_cache_entry_with_the_wrong_content_is_not_read(
    tmp_path: Path, github: FakeGitHub, central: Central
) -> None:
    root = tmp_path / "cache"
    root.mkdir(mode=0o700)
    _planted(root, central, "version: 1\n")
    entry = next(root.iterdir())
    record: dict[str, Any] = json.loads(entry.read_text())
    record["text"] = "version: 1\nchecks: {}\n"  # no longer the blob it names
    entry.write_text(json.dumps(record))
    policy = load(
        github, f"github:acme/policies/gatekeeper/base.yml@{central.v2}", CommitCache(root)
    )
    assert policy.check("pr").enabled


def test_the_action_caches_only_when_pr_code_runs_as_another_user(tmp_path: Path) -> None:
    checkout = tmp_path / "work"
    checkout.mkdir()
    env = {"HOME": str(tmp_path / "home")}
    if os.geteuid() != 0:
        assert CommitCache.for_action(env, checkout) is None
        return
    assert CommitCache.for_action(env, checkout) is None  # root owns it: PR code runs as root
    os.chown(checkout, 1001, 1001)
    cache = CommitCache.for_action(env, checkout)
    assert cache is not None and cache.root == tmp_path / "home/.cache/gatekeeper/central-policies"


def test_a_refused_token_says_which_input(github: FakeGitHub, central: Central) -> None:
    repos = source(github)
    github.fail("git/get-ref", Fault(401, body={"message": "Bad credentials"}))
    with pytest.raises(CentralUnavailable, match=r"GitHub refused the token .*Bad credentials"):
        repos.commit_of(REPO, "refs/tags/v3")
