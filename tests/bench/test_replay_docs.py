"""bench/replay: ``docs_repositories``, documentation kept in another repository, taken as
of the replayed commit's date (plus the labels' day) and passed to the gate as
``checks.env-vars.external_docs`` over the ``recommended`` preset."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import GitRepo

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import replay  # noqa: E402
from replay_commits import CommitsError, load_commits  # noqa: E402
from replay_docs import docs_commit, docs_folders, extract, policy_file  # noqa: E402
from replay_run import find_mirror  # noqa: E402

DAY = 24 * 60 * 60
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def _dated(repo: GitRepo, monkeypatch: pytest.MonkeyPatch, when: int, files: dict[str, str]) -> str:
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"@{when} +0000")
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"@{when} +0000")
    return repo.commit(files, f"at {when}")


def _commits_file(tmp_path: Path, docs: str) -> Path:
    path = tmp_path / "commits.yml"
    path.write_text(
        "version: 1\nrepositories:\n  acme/shop:\n    stack: x\n"
        f"{docs}    commits:\n"
        f"      - {{sha: {'a' * 40}, kind: env, label: pass, split: tune, reason: r}}\n",
        encoding="utf-8",
    )
    return path


def test_docs_repositories_are_loaded_with_each_commit(tmp_path: Path) -> None:
    path = _commits_file(tmp_path, "    docs_repositories: [acme/site, acme/wiki]\n")
    assert [c.docs_repos for c in load_commits(path)] == [("acme/site", "acme/wiki")]
    assert load_commits(_commits_file(tmp_path, ""))[0].docs_repos == ()


@pytest.mark.parametrize(
    ("docs", "message"),
    [
        ("acme/site", "docs_repositories must be a list of owner/name"),
        ("[not-a-repo]", "docs_repositories: 'not-a-repo' is not an owner/name"),
        ("[acme/site, acme/site]", "docs_repositories lists a repository twice"),
    ],
)
def test_bad_docs_repositories_are_refused(tmp_path: Path, docs: str, message: str) -> None:
    path = _commits_file(tmp_path, f"    docs_repositories: {docs}\n")
    with pytest.raises(CommitsError, match="acme/shop: " + message.replace("[", r"\[")):
        load_commits(path)


def test_the_docs_are_taken_as_of_the_commit_plus_one_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = GitRepo(tmp_path / "docs")
    first = _dated(docs, monkeypatch, T0, {"a.md": "1\n"})
    same_day = _dated(docs, monkeypatch, T0 + DAY - 60, {"a.md": "2\n"})
    edge = _dated(docs, monkeypatch, T0 + DAY + 3600, {"a.md": "3\n"})
    _dated(docs, monkeypatch, T0 + 5 * DAY, {"a.md": "4\n"})
    assert docs_commit(docs.root, T0 - DAY - 1) is None  # no docs yet
    assert docs_commit(docs.root, T0 - DAY) == first  # exactly one day later still counts
    assert docs_commit(docs.root, T0) == same_day
    assert docs_commit(docs.root, T0 + 3600) == edge
    assert docs_commit(docs.root, T0 + 3600 - 1) == same_day


def test_the_extraction_is_cached_and_a_missing_mirror_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirrors = tmp_path / "mirrors"
    site = GitRepo(mirrors / "acme+site" / "repo")
    sha = _dated(site, monkeypatch, T0, {"docs/env.md": "`SHOP_TOKEN`\n"})
    scratch = tmp_path / "scratch"
    folders, notes = docs_folders(
        ("acme/site", "acme/wiki"), T0, mirrors=mirrors, scratch=scratch, find_mirror=find_mirror
    )
    assert folders == [scratch / "docs" / f"acme+site@{sha[:12]}"]
    assert (folders[0] / "docs" / "env.md").read_text(encoding="utf-8") == "`SHOP_TOKEN`\n"
    assert notes == [
        f"docs repository acme/wiki: no mirror at {mirrors / 'acme+wiki'}; replayed without it"
    ]
    (folders[0] / "marker").write_text("kept\n")
    assert extract(site.root, sha, folders[0]) is None  # cached: not unpacked again
    assert (folders[0] / "marker").is_file()


def test_a_docs_file_the_snapshot_lacks_is_left_out_not_the_whole_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirrors = tmp_path / "mirrors"
    site = GitRepo(mirrors / "acme+site" / "repo")
    sha = _dated(
        site, monkeypatch, T0, {"docs/env.md": "`shopToken`\n", "static/demo [1].mp4": "big\n"}
    )
    blob = site.git("rev-parse", f"{sha}:static/demo [1].mp4").strip()
    (site.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as a snapshot lacks it
    folders, notes = docs_folders(
        ("acme/site",), T0, mirrors=mirrors, scratch=tmp_path / "s", find_mirror=find_mirror
    )
    assert notes == []
    assert (folders[0] / "docs" / "env.md").read_text(encoding="utf-8") == "`shopToken`\n"
    assert not (folders[0] / "static" / "demo [1].mp4").exists()


def test_the_policy_is_recommended_plus_the_folders(tmp_path: Path) -> None:
    path = policy_file([tmp_path / "a b", tmp_path / "c"], tmp_path / "policy.yml")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "version": 1,
        "extends": ["recommended"],
        "checks": {"env-vars": {"external_docs": [str(tmp_path / "a b"), str(tmp_path / "c")]}},
    }


@pytest.mark.slow
def test_a_commit_documented_in_its_docs_repository_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same variable: documented in the docs repository the same day (pass), and
    only two days later (still undocumented when the PR was judged: block)."""
    mirrors = tmp_path / "mirrors"
    shop = GitRepo(mirrors / "acme+shop" / "repo")
    site = GitRepo(mirrors / "acme+site" / "repo")
    _dated(site, monkeypatch, T0 - DAY, {"config.md": "| `OTHER` | x |\n"})
    _dated(shop, monkeypatch, T0, {"README.md": "# shop\n", "shop.py": "x = 1\n"})
    read = "import os\n\nTOKEN = os.environ['SHOP_TOKEN']\n"
    early = _dated(shop, monkeypatch, T0 + 60, {"shop.py": read})
    late = _dated(shop, monkeypatch, T0 + 3 * DAY, {"shop.py": read.replace("TOKEN", "KEY")})
    _dated(site, monkeypatch, T0 + 3 * DAY + 3600, {"config.md": "| `SHOP_KEY` | x |\n"})
    _dated(site, monkeypatch, T0 + 6 * DAY, {"config.md": "| `SHOP_TOKEN` | x |\n"})
    commits = tmp_path / "commits.yml"
    commits.write_text(
        "version: 1\nrepositories:\n  acme/shop:\n    stack: Python\n"
        "    docs_repositories: [acme/site]\n    commits:\n"
        f"      - {{sha: {early}, kind: env, label: block, ground: env-vars, split: tune,"
        " reason: r1}\n"
        f"      - {{sha: {late}, kind: env, label: pass, split: tune, reason: r2}}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results.json"
    argv = ["--commits", str(commits), "--mirrors", str(mirrors), "--json", str(results)]
    assert replay.main([*argv, "--osv-url", "http://127.0.0.1:9/v1/query"]) == 0
    capsys.readouterr()
    runs = json.loads(results.read_text(encoding="utf-8"))["runs"]
    assert [(r["sha"], r["verdict"]) for r in runs] == [(early, "block"), (late, "pass")]
    assert [b["rule"] for b in runs[0]["blocking"]] == ["env-vars/undocumented"]
    assert "SHOP_TOKEN" in runs[0]["blocking"][0]["message"]


def test_a_repository_whose_docs_repository_has_no_mirror_is_skipped_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Replayed without its docs, a variable documented only there would read as
    undocumented: a false block the gate did not make. The commits are not replayed."""
    mirrors = tmp_path / "mirrors"
    shop = GitRepo(mirrors / "acme+shop" / "repo")
    _dated(shop, monkeypatch, T0, {"README.md": "# shop\n", "shop.py": "x = 1\n"})
    read = "import os\n\nTOKEN = os.environ['SHOP_TOKEN']\n"
    sha = _dated(shop, monkeypatch, T0 + 60, {"shop.py": read})
    commits = tmp_path / "commits.yml"
    commits.write_text(
        "version: 1\nrepositories:\n  acme/shop:\n    stack: Python\n"
        "    docs_repositories: [acme/site]\n    commits:\n"
        f"      - {{sha: {sha}, kind: env, label: pass, split: tune, reason: r1}}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results.json"
    argv = ["--commits", str(commits), "--mirrors", str(mirrors), "--json", str(results)]
    assert replay.main([*argv, "--osv-url", "http://127.0.0.1:9/v1/query"]) == 0
    out = capsys.readouterr()
    assert json.loads(results.read_text(encoding="utf-8"))["runs"] == []
    assert "skipped acme/shop: no mirror of its docs repository acme/site" in out.out + out.err
