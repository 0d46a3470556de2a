"""The base commit's coverage report from an Actions artifact, against the fake API.

GitHub is the validating loopback server; the artifact's zip is served by a second
loopback server (the storage host GitHub redirects to), which must never see the token.
The end-to-end case runs the real gate and the real coverage check on a real repository.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.checks.coverage import CoverageCheck
from gatekeeper.checks.interface import BASE_INPUTS_DIR
from gatekeeper.github.action import run_action
from gatekeeper.github.artifacts import (
    ArtifactError,
    Limits,
    extract,
    fetch_base_coverage,
    notice,
)
from gatekeeper.github.client import GitHubClient
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub, FakeStorage, Fault

NAME = "coverage-report"
BASE = "b" * 40
RUNS = "actions/list-workflow-runs-for-repo"


def zip_of(entries: dict[str, bytes], *, symlink: str = "") -> bytes:
    """A zip of ``entries``; ``symlink`` names one more entry stored as a Unix symlink."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def report(executed: int, missing: int) -> bytes:
    """A coverage.py JSON report of app.py with that many run and missed lines."""
    lines = list(range(1, executed + missing + 1))
    files = {"app.py": {"executed_lines": lines[:executed], "missing_lines": lines[executed:]}}
    return json.dumps({"meta": {"format": 2}, "files": files}).encode()


def publish(
    github: FakeGitHub,
    storage: FakeStorage,
    data: bytes,
    *,
    sha: str = BASE,
    expired: bool = False,
    size: int | None = None,
    run_id: int = 7,
    created: str = "2026-11-20T10:00:00Z",
    repo: str = "o/r",
) -> int:
    """A successful run of ``sha`` with the artifact NAME holding ``data``."""
    artifact_id = github.new_id()
    github.runs.append(
        {
            "id": run_id,
            "head_sha": sha,
            "status": "success",
            "created_at": created,
            "head_repository": {"full_name": repo},
        }
    )
    github.artifacts.setdefault(run_id, []).append(
        {
            "id": artifact_id,
            "name": NAME,
            "size_in_bytes": len(data) if size is None else size,
            "expired": expired,
        }
    )
    storage.blobs[artifact_id] = data
    return artifact_id


def fetch(github: FakeGitHub, root: Path, **limits: int) -> tuple[Path | None, str]:
    client = GitHubClient(TOKEN, github.url, sleep=lambda s: None, timeout=2.0)
    lines: list[str] = []
    found = fetch_base_coverage(
        client,
        "o/r",
        BASE,
        NAME,
        root,
        lines.append,
        known=CoverageCheck.base_inputs,
        limits=Limits(**limits),
    )
    return found, "\n".join(lines)


def test_found_extracted_and_the_token_stays_home(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"coverage.json": report(9, 1), "sub/lcov.info": b"TN:\n"}))
    folder, log = fetch(github, tmp_path)
    assert folder == tmp_path / BASE_INPUTS_DIR / BASE, log
    assert (folder / "coverage.json").read_bytes() == report(9, 1)
    assert (folder / "sub" / "lcov.info").is_file()
    assert "coverage.json, sub/lcov.info" in log
    assert "::notice" not in log


def test_a_report_in_a_subfolder_gets_a_hint(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"reports/coverage.xml": b"<coverage/>"}))
    folder, log = fetch(github, tmp_path)
    assert folder is not None
    assert "holds none of .coverage, cobertura-coverage.xml, coverage.json" in log
    assert "upload the report file itself, not its folder" in log
    assert github.ops() == [
        RUNS,
        "actions/list-workflow-run-artifacts",
        "actions/download-artifact",
    ]
    assert github.calls[0].query == {
        "head_sha": [BASE],
        "status": ["success"],
        "per_page": ["20"],
    }
    assert github.calls[1].query == {"name": [NAME]}
    (seen,) = storage.requests
    assert "Authorization" not in seen and TOKEN not in json.dumps(seen)
    assert list((tmp_path / BASE_INPUTS_DIR).iterdir()) == [folder]  # no staging folder left


def test_the_newest_run_of_this_repository_wins(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(
        github, storage, zip_of({"coverage.json": b"old"}), run_id=1, created="2026-01-01T00:00:00Z"
    )
    publish(
        github, storage, zip_of({"coverage.json": b"new"}), run_id=2, created="2026-02-01T00:00:00Z"
    )
    # a fork's run of the same sha is not the base branch's own: never used
    publish(
        github,
        storage,
        zip_of({"coverage.json": b"fork"}),
        run_id=3,
        created="2026-03-01T00:00:00Z",
        repo="mallory/r",
    )
    folder, _ = fetch(github, tmp_path)
    assert folder is not None and (folder / "coverage.json").read_bytes() == b"new"


def test_a_report_committed_by_the_pr_is_replaced(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    planted = tmp_path / BASE_INPUTS_DIR / BASE
    planted.mkdir(parents=True)
    (planted / "coverage.xml").write_text("<coverage/>", encoding="utf-8")
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    folder, _ = fetch(github, tmp_path)
    assert folder is not None and sorted(p.name for p in folder.iterdir()) == ["coverage.json"]


def test_no_run_for_the_sha(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}), sha="c" * 40)
    folder, log = fetch(github, tmp_path)
    assert folder is None
    assert log.startswith("::notice title=gatekeeper base coverage::no base coverage report: ")
    assert f"no successful workflow run for the base commit {BASE[:12]}" in log
    assert "\n" not in log and not (tmp_path / ".gatekeeper").exists()


def test_no_artifact_of_that_name(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    github.artifacts[7][0]["name"] = "something-else"
    folder, log = fetch(github, tmp_path)
    assert folder is None and f"no artifact named {NAME!r} in the 1 successful run(s)" in log


def test_expired_artifact_is_skipped(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}), expired=True)
    folder, log = fetch(github, tmp_path)
    assert folder is None and "has expired" in log and "retention-days" in log
    assert "actions/download-artifact" not in github.ops()


def test_expired_between_listing_and_download(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    github.fail("actions/download-artifact", Fault(410, body={"message": "Artifact has expired"}))
    folder, log = fetch(github, tmp_path)
    assert folder is None and "HTTP 410: Artifact has expired" in log


def test_forbidden(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    github.fail(RUNS, Fault(403, body={"message": "Resource not accessible by integration"}))
    folder, log = fetch(github, tmp_path)
    assert folder is None
    assert "HTTP 403: Resource not accessible by integration" in log
    assert TOKEN not in log


@pytest.mark.parametrize(
    "entry",
    ["../escape.json", "a/../../escape.json", "/abs/coverage.json", "C:/win.json", "..\\dos.json"],
)
def test_entries_leaving_the_folder_are_refused(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, entry: str
) -> None:
    root = tmp_path / "repo"
    publish(github, storage, zip_of({"coverage.json": b"{}", entry: b"evil"}))
    folder, log = fetch(github, root)
    assert folder is None and "points outside its folder; refused" in log
    assert not (root / BASE_INPUTS_DIR / BASE).exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []


def test_symlink_entries_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="is a symbolic link"):
        extract(zip_of({"coverage.json": b"{}"}, symlink="link.json"), tmp_path / "x", Limits())
    assert not (tmp_path / "x").exists()


def test_a_symlinked_cache_folder_is_not_written_through(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gatekeeper").symlink_to(outside)
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    folder, log = fetch(github, root)
    assert folder is None and "is a symbolic link" in log and list(outside.iterdir()) == []


def test_oversized_artifact_is_not_downloaded(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}), size=10_000_000)
    folder, log = fetch(github, tmp_path, zip_bytes=1_000_000)
    assert folder is None and "10,000,000 bytes, over the 1,000,000-byte limit" in log
    assert "actions/download-artifact" not in github.ops() and storage.requests == []


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_download_larger_than_announced_is_cut_off(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, declare_length: bool
) -> None:
    storage.declare_length = declare_length
    big = zip_of({f"f{i}.bin": bytes(range(256)) * 64 for i in range(40)})  # ~> 100 kB stored
    publish(github, storage, zipfile_stored(big), size=100)
    folder, log = fetch(github, tmp_path, zip_bytes=50_000)
    assert folder is None and "larger than the 50,000-byte limit" in log


def zipfile_stored(data: bytes) -> bytes:
    """``data`` repacked without compression, so its size is what the test expects."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_its_extracted_size(tmp_path: Path) -> None:
    bomb = zip_of({"coverage.json": b"0" * 2_000_000})
    assert len(bomb) < 10_000
    with pytest.raises(ArtifactError, match="2,000,000 bytes, over the 1,000,000-byte limit"):
        extract(bomb, tmp_path / "x", Limits(extracted_bytes=1_000_000))


def test_a_size_that_lies_is_caught_while_writing(tmp_path: Path) -> None:
    """zipfile reads no more than the declared size, then the CRC check fails."""
    data = bytearray(zip_of({"a.json": b"1" * 5000, "b.json": b"2" * 5000}))
    # shrink the declared sizes in the central directory: the headers now lie
    data = data.replace((5000).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    with pytest.raises(ArtifactError, match="is corrupt"):
        extract(bytes(data), tmp_path / "x", Limits(extracted_bytes=6000))
    assert not (tmp_path / "x").exists()


def test_too_many_entries_duplicates_and_empty_zips(tmp_path: Path) -> None:
    many = zip_of({f"{i}.txt": b"" for i in range(5)})
    with pytest.raises(ArtifactError, match="more than 4 files"):
        extract(many, tmp_path / "x", Limits(entries=4))
    with pytest.raises(ArtifactError, match="empty or repeated"):
        extract(zip_of({"A.json": b"1", "a.json": b"2"}), tmp_path / "x", Limits())
    with pytest.raises(ArtifactError, match="holds no files"):
        extract(zip_of({"dir/": b""}), tmp_path / "x", Limits())


def test_corrupt_zip(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    publish(github, storage, b"PK\x03\x04 this is not a zip at all")
    folder, log = fetch(github, tmp_path)
    assert folder is None and "is not a readable zip" in log


def test_corrupt_entry(tmp_path: Path) -> None:
    data = bytearray(zipfile_stored(zip_of({"coverage.json": b"x" * 100})))
    data[data.index(b"x" * 100)] = ord("y")  # the CRC no longer matches
    with pytest.raises(ArtifactError, match="is corrupt"):
        extract(bytes(data), tmp_path / "x", Limits())


def test_storage_refusal_and_a_non_redirect(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    artifact = publish(github, storage, zip_of({"coverage.json": b"{}"}))
    del storage.blobs[artifact]
    folder, log = fetch(github, tmp_path)
    assert folder is None and "the storage host answered HTTP 404" in log
    github.fail("actions/download-artifact", Fault(200, body={"not": "a zip"}))
    folder, log = fetch(github, tmp_path)
    assert folder is None and "not a readable zip" in log


def test_bad_repository_or_sha_are_notices(github: FakeGitHub, tmp_path: Path) -> None:
    client = GitHubClient(TOKEN, github.url)
    lines: list[str] = []
    fetch_base_coverage(client, "just-a-name", BASE, NAME, tmp_path, lines.append)
    fetch_base_coverage(client, "o/r", "main", NAME, tmp_path, lines.append)
    assert "is not owner/name" in lines[0] and "is not a full commit sha" in lines[1]
    assert github.calls == []


def test_notice_is_one_line() -> None:
    assert notice("50% off\nnext") == "::notice title=gatekeeper base coverage::50%25 off%0Anext"


# -- through the action, with the real gate ----------------------------------------------

POLICY = (
    "version: 1\nchecks:\n  coverage: {report: coverage.json, diff_min: 0, total_max_drop: 0.5}\n"
)
APP = "".join(f"x{i} = {i}\n" for i in range(10))


def pr(tmp_path: Path, github: FakeGitHub, git_repo: GitRepo, **inputs: str) -> dict[str, Any]:
    base = git_repo.commit({".github/gatekeeper.yml": POLICY, "app.py": APP[:16]}, "base")
    head = git_repo.commit({"app.py": APP}, "more code, fewer tests")
    (git_repo.root / "coverage.json").write_bytes(report(5, 5))  # head: 50%
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 3, "base": {"sha": base}, "head": {"sha": head}}}),
        encoding="utf-8",
    )
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
        "INPUT_FORMATS": "json",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    return {"env": env, "base": base}


def rules_of(github: FakeGitHub) -> list[str]:
    (run,) = github.check_runs.values()
    return [*sorted(a["title"].split(":")[0] for a in run["annotations"]), run["conclusion"]]


def test_the_action_hints_with_the_names_the_checks_declare(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, git_repo: GitRepo
) -> None:
    # the action knows no check's internals: the names come from each check's base_inputs
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    publish(github, storage, zip_of({"reports/coverage.xml": b"<coverage/>"}), sha=case["base"])
    log = io.StringIO()
    run_action(case["env"], stdout=log, sleep=lambda s: None)
    assert f"holds none of {', '.join(CoverageCheck.base_inputs)}" in log.getvalue()


def test_the_gate_reports_the_drop_from_the_artifact(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    publish(github, storage, zip_of({"coverage.json": report(9, 1)}), sha=case["base"])  # 90%
    log = io.StringIO()
    code = run_action(case["env"], stdout=log, sleep=lambda s: None)
    assert code == 1, log.getvalue()
    assert f"base coverage report for {case['base'][:12]} from artifact {NAME!r}" in log.getvalue()
    assert "Total coverage fell from 90" in log.getvalue() and "to 50" in log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert "Authorization" not in storage.requests[0]


def test_without_the_artifact_the_check_says_base_unknown(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    log = io.StringIO()
    code = run_action(case["env"], stdout=log, sleep=lambda s: None)
    text = log.getvalue()
    assert code == 0, text  # base-unknown is information, and the action did not fail
    assert "::notice title=gatekeeper base coverage::no base coverage report" in text
    assert "base-unknown" in text and "Traceback" not in text


def test_the_input_off_makes_no_call(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo)
    run_action(case["env"], stdout=io.StringIO(), sleep=lambda s: None)
    assert RUNS not in github.ops()


def test_action_notices_without_token_or_base(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    env = {k: v for k, v in case["env"].items() if k != "INPUT_TOKEN"}
    log = io.StringIO()
    run_action(env, stdout=log, sleep=lambda s: None)
    assert "base-coverage-artifact needs the token input" in log.getvalue()
    env = {**case["env"], "INPUT_BASE": "no-such-branch"}
    log = io.StringIO()
    run_action(env, stdout=log, sleep=lambda s: None)
    assert "::notice title=gatekeeper base coverage::base-coverage-artifact: GitError" in (
        log.getvalue()
    )


def test_a_push_to_a_new_branch_has_no_base(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    head = git_repo.git("rev-parse", "HEAD").strip()
    event = tmp_path / "push.json"
    event.write_text(
        json.dumps({"before": "0" * 40, "after": head, "ref": "refs/heads/new"}), encoding="utf-8"
    )
    env = {**case["env"], "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event)}
    log = io.StringIO()
    run_action(env, stdout=log, sleep=lambda s: None)
    assert "base-coverage-artifact: no base commit is known for this event" in log.getvalue()
    assert RUNS not in github.ops()


def test_a_base_given_as_a_branch_is_resolved(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage, git_repo: GitRepo
) -> None:
    case = pr(tmp_path, github, git_repo, **{"BASE-COVERAGE-ARTIFACT": NAME})
    git_repo.git("branch", "base-branch", case["base"])
    publish(github, storage, zip_of({"coverage.json": report(9, 1)}), sha=case["base"])
    env = {**case["env"], "INPUT_BASE": "base-branch"}
    log = io.StringIO()
    assert run_action(env, stdout=log, sleep=lambda s: None) == 1, log.getvalue()
    (runs,) = [c for c in github.calls if c.operation == RUNS]
    assert runs.query["head_sha"] == [case["base"]]


def test_encrypted_entries_and_clashing_names(tmp_path: Path) -> None:
    data = bytearray(zip_of({"coverage.json": b"{}"}))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the general-purpose flag "encrypted", as the index says
    with pytest.raises(ArtifactError, match="is encrypted"):
        extract(bytes(data), tmp_path / "x", Limits())
    with pytest.raises(ArtifactError, match="could not write a/b"):
        extract(zip_of({"a": b"file", "a/b": b"under a file"}), tmp_path / "x", Limits())
    assert not (tmp_path / "x").exists()


def test_a_file_where_the_folder_goes_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / BASE
    folder.parent.mkdir()
    folder.write_text("planted", encoding="utf-8")
    assert extract(zip_of({"coverage.json": b"{}"}), folder, Limits()) == ["coverage.json"]
    assert (folder / "coverage.json").read_bytes() == b"{}"


def test_odd_listings_are_skipped(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    artifact = publish(github, storage, zip_of({"coverage.json": b"{}"}))
    del github.runs[0]["head_repository"]  # older GitHub Enterprise: taken as this repository
    listing = {
        "total_count": 3,
        "artifacts": [
            {"id": 1, "name": "other", "expired": False},
            {"id": "x", "name": NAME},
            "junk",
            {"id": artifact, "name": NAME, "expired": False},
        ],
    }
    github.fail("actions/list-workflow-run-artifacts", Fault(200, body=listing))
    folder, log = fetch(github, tmp_path)
    assert folder is not None, log


def test_an_unreachable_storage_host(
    tmp_path: Path, github: FakeGitHub, storage: FakeStorage
) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    closed = "http://127.0.0.1:9/blob"  # the discard port: nothing listens on loopback
    github.fail("actions/download-artifact", Fault(302, headers={"Location": closed}))
    folder, log = fetch(github, tmp_path)
    assert folder is None and "the download could not connect" in log


def test_a_download_cut_short(tmp_path: Path, github: FakeGitHub, storage: FakeStorage) -> None:
    publish(github, storage, zip_of({"coverage.json": b"{}"}))
    storage.cut_short = 1000
    folder, log = fetch(github, tmp_path)
    assert folder is None and "the download broke off" in log
