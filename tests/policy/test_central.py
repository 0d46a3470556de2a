"""``extends: github:owner/repo/path@ref``: references, refs resolved once, files per commit.

The central repository is a real git repository read through ``LocalCheckouts`` (the
CLI's source); the action's source is tested against the fake GitHub in
tests/github/test_central.py with the same repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PolicyError
from gatekeeper.plugins import discover
from gatekeeper.policy.central import (
    CentralPolicies,
    CentralRef,
    CentralUnavailable,
    parse_ref,
)
from gatekeeper.policy.checkouts import LocalCheckouts
from gatekeeper.policy.load import load_policy, peek_plugins
from gatekeeper.policy.model import Policy
from tests.policy.central import REPO, V3, Central, make_central

SRC = ".github/gatekeeper.yml"
CHECKS = discover().classes()


@pytest.fixture
def central(tmp_path: Path) -> Central:
    return make_central(tmp_path / "policies")


def policies(central: Central) -> CentralPolicies:
    return CentralPolicies(LocalCheckouts({REPO: central.root}))


def load(text: str, reader: CentralPolicies | None, **kw: Any) -> Policy:
    return load_policy(text, source=SRC, checks=CHECKS, pr=PullRequest(), central=reader, **kw)


def error_of(text: str, reader: CentralPolicies | None, **kw: Any) -> str:
    with pytest.raises(PolicyError) as info:
        load(text, reader, **kw)
    return str(info.value)


def extends(name: str, rest: str = "") -> str:
    return f'version: 1\nextends: ["{name}"]\n{rest}'


# --- the reference ------------------------------------------------------------------


def test_a_reference_is_taken_apart_at_the_last_at() -> None:
    assert parse_ref("github:acme/policies/gatekeeper/base.yml@v3") == CentralRef(
        "acme/policies", "gatekeeper/base.yml", "v3"
    )
    assert parse_ref("github:a/b/x/../c.yaml@release/2026") == CentralRef(
        "a/b", "c.yaml", "release/2026"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("github:acme/policies/base.yml", "names no ref: pin a tag (@v3)"),
        ("github:acme/policies/base.yml@", "names no ref"),
        ("github:acme/base.yml@v3", "is not github:<owner>/<repo>/<path>@<ref>"),
        ("github:-acme/policies/base.yml@v3", "is not github:<owner>/<repo>/<path>@<ref>"),
        ("github:acme/policies/../../etc/x.yml@v3", "must be a .yml or .yaml file inside"),
        ("github:acme/policies/README.md@v3", "must be a .yml or .yaml file"),
        ("github:acme/policies/base.yml@a b", "'a b' is not a tag, branch or commit name"),
    ],
)
def test_malformed_references_are_refused(name: str, message: str) -> None:
    with pytest.raises(CentralUnavailable, match=re.escape(message)):
        parse_ref(name)


def test_a_malformed_reference_is_a_policy_error_at_its_line() -> None:
    message = error_of(extends("github:acme/policies/base.yml"), None)
    assert message.startswith(f"{SRC}:2: extends[0]: github:acme/policies/base.yml: names no ref")


# --- refs resolved ------------------------------------------------------------------


def test_an_annotated_tag_resolves_to_its_commit_and_nested_files_follow(
    central: Central,
) -> None:
    policy = load(extends(V3), policies(central))
    assert [(f.path, f.commit, f.ref_kind) for f in policy.central] == [
        ("gatekeeper/common.yml", central.v3, "tag"),
        ("gatekeeper/base.yml", central.v3, "tag"),
    ]
    assert policy.layers == (
        "preset:recommended",
        f"github:acme/policies/gatekeeper/common.yml@v3 (commit {central.v3[:12]})",
        f"github:acme/policies/gatekeeper/base.yml@v3 (commit {central.v3[:12]})",
    )
    assert policy.check("coverage").config["diff_min"] == 80
    assert policy.check("security").config["bandit"]["min_severity"] == "low"  # nested file


def test_a_lightweight_tag_a_branch_and_a_sha(central: Central) -> None:
    v2 = load(extends("github:acme/policies/gatekeeper/base.yml@v2"), policies(central))
    assert [(f.commit, f.ref_kind) for f in v2.central] == [(central.v2, "tag")]
    assert v2.check("pr").enabled and not v2.check("coverage").enabled
    main = load(extends("github:acme/policies/gatekeeper/base.yml@main"), policies(central))
    assert main.central[-1].ref_kind == "branch" and main.central[-1].commit == central.v3
    pinned = load(
        extends(f"github:acme/policies/gatekeeper/base.yml@{central.v2}"), policies(central)
    )
    assert [(f.commit, f.ref_kind) for f in pinned.central] == [(central.v2, "commit")]


def test_the_tag_moving_changes_the_commit_read_and_each_run_reads_one(
    central: Central,
) -> None:
    reader = policies(central)
    first = load(extends(V3), reader)
    # the platform team moves v3; a run that already resolved it keeps its commit
    moved = central.repo.commit({"gatekeeper/base.yml": "version: 1\n"}, "v3.1")
    central.repo.git("tag", "-f", "-a", "v3", "-m", "moved")
    again = load(extends(V3), reader)
    assert again.central[-1].commit == first.central[-1].commit == central.v3
    assert load(extends(V3), policies(central)).central[-1].commit == moved


def test_peek_and_load_share_one_resolution(central: Central) -> None:
    reader = policies(central)
    plugins = peek_plugins(extends(V3), SRC, central=reader)
    assert plugins == ()
    assert [f.commit for f in reader.read_files] == [central.v3, central.v3]


def test_a_name_that_is_both_a_tag_and_a_branch_is_refused(central: Central) -> None:
    central.repo.git("branch", "v3", central.v2)
    message = error_of(extends(V3), policies(central))
    assert "'v3' is both a tag and a branch in acme/policies: write @refs/tags/v3" in message
    tag = load(extends("github:acme/policies/gatekeeper/base.yml@refs/tags/v3"), policies(central))
    assert tag.central[-1].commit == central.v3
    branch = load(
        extends("github:acme/policies/gatekeeper/base.yml@refs/heads/v3"), policies(central)
    )
    assert branch.central[-1].commit == central.v2


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("v9", "acme/policies has no tag or branch 'v9' (as the checkout"),
        (
            "abc1234",
            "has no tag or branch 'abc1234'; a commit is named by its full 40-character sha",
        ),
        ("refs/tags/v9", "acme/policies has no tag 'v9'"),
        ("0" * 40, "commit 000000000000 is not in the checkout"),
    ],
)
def test_refs_that_do_not_exist_fail_closed(central: Central, ref: str, message: str) -> None:
    found = error_of(extends(f"github:acme/policies/gatekeeper/base.yml@{ref}"), policies(central))
    assert found.startswith(
        f"{SRC}:2: extends[0]: github:acme/policies/gatekeeper/base.yml@{ref}: "
    )
    assert message in found
    assert "(it does not fall back to a preset)" in found


def test_a_missing_file_at_the_commit(central: Central) -> None:
    message = error_of(extends("github:acme/policies/nope.yml@v3"), policies(central))
    assert f"nope.yml does not exist in acme/policies at commit {central.v3[:12]}" in message


def test_without_a_source_the_policy_fails_with_what_to_do() -> None:
    message = error_of(extends(V3), CentralPolicies(None, "pass --policy-repo OWNER/REPO=PATH"))
    assert message == (
        f"{SRC}:2: extends[0]: {V3}: pass --policy-repo OWNER/REPO=PATH. The policy extends "
        "it, so the gate cannot judge without it (it does not fall back to a preset)"
    )
    assert "(--policy-repo owner/repo=PATH)" in error_of(extends(V3), None)


# --- errors inside central files name them ------------------------------------------


def test_an_error_in_a_central_file_names_it_and_its_line(central: Central) -> None:
    central.repo.commit(
        {"gatekeeper/broken.yml": "version: 1\nchecks:\n  coverage: {diff_min: x}\n"}
    )
    central.repo.git("tag", "broken")
    message = error_of(
        extends("github:acme/policies/gatekeeper/broken.yml@broken"), policies(central)
    )
    sha = central.repo.git("rev-parse", "broken").strip()
    assert message == (
        f"github:acme/policies/gatekeeper/broken.yml@broken (commit {sha[:12]}):3: "
        "checks.coverage.diff_min: 'x' is not a number"
    )


def test_malformed_yaml_in_a_nested_central_file(central: Central) -> None:
    central.repo.commit(
        {
            "gatekeeper/base.yml": "version: 1\nextends: [gatekeeper/bad.yml]\n",
            "gatekeeper/bad.yml": "version: 1\nchecks: [\n",
        }
    )
    central.repo.git("tag", "bad")
    message = error_of(extends("github:acme/policies/gatekeeper/base.yml@bad"), policies(central))
    assert message.startswith("github:acme/policies/gatekeeper/bad.yml@bad (commit ")
    assert "):3: not valid YAML" in message


def test_a_central_file_cannot_climb_out_of_its_repository(central: Central) -> None:
    central.repo.commit({"gatekeeper/base.yml": "version: 1\nextends: [../x.yml]\n"})
    central.repo.git("tag", "climb")
    message = error_of(extends("github:acme/policies/gatekeeper/base.yml@climb"), policies(central))
    assert "extends[0]: '../x.yml' must be a path inside the repository" in message


def test_cycles_across_central_files_show_the_chain(central: Central) -> None:
    central.repo.commit(
        {
            "a.yml": "version: 1\nextends: [b.yml]\n",
            "b.yml": "version: 1\nextends: [a.yml]\n",
        }
    )
    central.repo.git("tag", "loop")
    message = error_of(extends("github:acme/policies/a.yml@loop"), policies(central))
    assert "extends cycle: github:acme/policies/a.yml@" in message


def test_a_central_file_may_extend_another_repository(central: Central, tmp_path: Path) -> None:
    other = make_central(tmp_path / "other")
    central.repo.commit(
        {"org.yml": "version: 1\nextends: ['github:acme/security/gatekeeper/base.yml@v2']\n"}
    )
    central.repo.git("tag", "org")
    reader = CentralPolicies(LocalCheckouts({REPO: central.root, "Acme/Security": other.root}))
    policy = load(extends("github:acme/policies/org.yml@org"), reader)
    assert [f.repo for f in policy.central] == ["acme/security", "acme/policies"]
    assert policy.check("pr").enabled


def test_files_are_read_once_per_commit(central: Central) -> None:
    calls: list[tuple[str, str, str]] = []
    source = LocalCheckouts({REPO: central.root})

    class Counting:
        def hint(self, repo: str) -> str:
            return source.hint(repo)

        def commit_of(self, repo: str, ref: str) -> str | None:
            return source.commit_of(repo, ref)

        def read(self, repo: str, commit: str, path: str) -> str | None:
            calls.append((repo, commit, path))
            return source.read(repo, commit, path)

    reader = CentralPolicies(Counting())
    text = f'version: 1\nextends: ["{V3}", "{V3}"]\n'
    load(text, reader)
    peek_plugins(text, SRC, central=reader)
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 2
