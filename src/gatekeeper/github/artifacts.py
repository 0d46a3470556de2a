"""The base commit's coverage report, fetched from a GitHub Actions artifact.

The ``coverage`` check compares the total with a base report it looks for at
``<repo>/.gatekeeper/cache/<base sha>/``. Checks never call GitHub, so the action fetches
that report before the gate runs: the newest successful workflow run for the base sha,
its artifact of the given name, the zip, extracted with care (the zip was made by a
workflow, so its names, types and sizes are not trusted).

Nothing here ever fails the action: every problem becomes one notice line, and the
coverage check then says ``base-unknown`` with the way to provide a base report.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gatekeeper.checks.interface import BASE_INPUTS_DIR
from gatekeeper.github.client import GitHubClient, GitHubError

#: how many successful runs of the base sha are searched for the artifact
MAX_RUNS = 20
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_UNIX = 3  # ZipInfo.create_system of archives made on Unix, whose modes are meaningful


@dataclass(frozen=True)
class Limits:
    """Caps on what one artifact may cost: its zip, the files in it, their total size."""

    zip_bytes: int = 256 * 1024 * 1024
    extracted_bytes: int = 1024 * 1024 * 1024
    entries: int = 1000


class ArtifactError(Exception):
    """Why no base report was fetched, in one sentence."""


@dataclass(frozen=True)
class Artifact:
    """One artifact of one workflow run."""

    id: int
    run_id: int
    size: int


def fetch_base_coverage(
    client: GitHubClient,
    repository: str,
    base_sha: str,
    name: str,
    root: Path,
    log: Callable[[str], None],
    *,
    known: Sequence[str] = (),
    limits: Limits = Limits(),
) -> Path | None:
    """Put the artifact ``name`` of ``base_sha``'s newest successful run into the cache.

    ``known`` are the file names the checks look for (their ``base_inputs``); an artifact
    with none of them at its top level gets a notice saying so.

    Returns the folder it was extracted to, or None after logging a notice. Never raises
    for anything GitHub, the network or the zip can do.
    """
    try:
        folder, files = _fetch(client, repository, base_sha, name, root, limits)
    except (ArtifactError, GitHubError) as exc:
        log(notice(f"no base coverage report: {exc}. The coverage check will say base-unknown."))
        return None
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    log(f"gatekeeper: base coverage report for {base_sha[:12]} from artifact {name!r}: {shown}")
    if known and not set(files) & set(known):
        # the check looks only at these names directly in the folder
        log(
            notice(
                f"artifact {name!r} holds none of {', '.join(known)} at its top level, where"
                " the coverage check looks; upload the report file itself, not its folder"
            )
        )
    return folder


def notice(message: str) -> str:
    """A one-line ``::notice`` workflow command (its text escaped as the runner expects)."""
    text = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::notice title=gatekeeper base coverage::{text}"


def _fetch(
    client: GitHubClient,
    repository: str,
    base_sha: str,
    name: str,
    root: Path,
    limits: Limits,
) -> tuple[Path, list[str]]:
    owner, _, repo = repository.partition("/")
    if not owner or not repo or "/" in repo:
        raise ArtifactError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
    if not _SHA.fullmatch(base_sha):
        raise ArtifactError(f"the base revision {base_sha!r} is not a full commit sha")
    artifact = find_artifact(client, f"repos/{owner}/{repo}", base_sha, name)
    if artifact.size > limits.zip_bytes:
        raise ArtifactError(
            f"artifact {name!r} is {artifact.size:,} bytes,"
            f" over the {limits.zip_bytes:,}-byte limit"
        )
    data = client.download(
        f"repos/{owner}/{repo}/actions/artifacts/{artifact.id}/zip", max_bytes=limits.zip_bytes
    )
    folder = cache_folder(root, base_sha)
    files = extract(data, folder, limits)
    return folder, files


def find_artifact(client: GitHubClient, where: str, base_sha: str, name: str) -> Artifact:
    """The unexpired artifact ``name`` of the newest successful run of ``base_sha``."""
    body = client.request(
        "GET",
        f"{where}/actions/runs",
        params={"head_sha": base_sha, "status": "success", "per_page": MAX_RUNS},
    )
    repository = where.removeprefix("repos/")
    runs = [
        r
        for r in _items(body, "workflow_runs")
        if isinstance(r.get("id"), int) and _same_repo(r, repository)
    ]
    if not runs:
        raise ArtifactError(
            f"no successful workflow run for the base commit {base_sha[:12]}"
            " (did the base branch's workflow run and upload the report?)"
        )
    expired = 0
    for run in sorted(runs, key=_newest_first, reverse=True):
        listed = client.request(
            "GET", f"{where}/actions/runs/{run['id']}/artifacts", params={"name": name}
        )
        for item in _items(listed, "artifacts"):
            if item.get("name") != name or not isinstance(item.get("id"), int):
                continue
            if item.get("expired"):
                expired += 1
                continue
            size = item.get("size_in_bytes")
            return Artifact(item["id"], run["id"], size if isinstance(size, int) else 0)
    if expired:
        raise ArtifactError(
            f"artifact {name!r} of the base commit {base_sha[:12]} has expired"
            " (raise retention-days in actions/upload-artifact, or re-run the base workflow)"
        )
    raise ArtifactError(
        f"no artifact named {name!r} in the {len(runs)} successful run(s) of the base commit"
        f" {base_sha[:12]} (check the name given to actions/upload-artifact)"
    )


def _items(body: Any, key: str) -> Iterator[Mapping[str, Any]]:
    values = body.get(key) if isinstance(body, dict) else None
    for value in values if isinstance(values, list) else ():
        if isinstance(value, dict):
            yield value


def _same_repo(run: Mapping[str, Any], repository: str) -> bool:
    """A run of a fork's pull request is not the base branch's: its artifact is not trusted."""
    head = run.get("head_repository")
    if not isinstance(head, dict) or not isinstance(head.get("full_name"), str):
        return True  # older GitHub Enterprise payloads omit it
    return bool(head["full_name"].lower() == repository.lower())


def _newest_first(run: Mapping[str, Any]) -> tuple[str, int]:
    """Sort key: creation time (ISO 8601 sorts as text), then the run id."""
    created = run.get("created_at")
    return (created if isinstance(created, str) else "", int(run["id"]))


def cache_folder(root: Path, base_sha: str) -> Path:
    """``<root>/.gatekeeper/cache/<sha>``, refusing a path that leaves ``root`` by a symlink."""
    folder = root / BASE_INPUTS_DIR / base_sha
    here = root
    for part in (*PurePosixPath(BASE_INPUTS_DIR).parts, base_sha):
        here = here / part
        if here.is_symlink():
            raise ArtifactError(f"{here} is a symbolic link; refusing to write through it")
    return folder


def extract(data: bytes, folder: Path, limits: Limits) -> list[str]:
    """Unpack the zip ``data`` into ``folder`` (replacing it); return the files, sorted.

    Every entry is checked before anything is written: a name that is absolute or climbs
    out with ``..``, a symlink or other non-regular file, encryption, too many entries or
    too many bytes refuse the whole archive. Files land in a temporary sibling folder that
    is renamed into place, so a refused or broken archive leaves no half-written report.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ArtifactError(f"the artifact is not a readable zip ({exc})") from None
    with archive:
        plan = _plan(archive.infolist(), limits)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder.parent))
        try:
            _write(archive, plan, staging)
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)  # a report committed by the PR must not stand in for base
            elif folder.exists() or folder.is_symlink():
                folder.unlink()
            os.replace(staging, folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return sorted(name for name, _ in plan)


def _plan(infos: list[zipfile.ZipInfo], limits: Limits) -> list[tuple[str, zipfile.ZipInfo]]:
    """The regular files to write, by safe relative name; ArtifactError for anything else."""
    plan: dict[str, zipfile.ZipInfo] = {}
    folded: set[str] = set()
    declared = 0
    for info in infos:
        name = _safe_name(info.filename)
        if info.is_dir():
            continue  # folders are made as their files need them
        mode = info.external_attr >> 16
        kind_bits = stat.S_IFMT(mode) if info.create_system == _UNIX else 0
        if kind_bits and kind_bits != stat.S_IFREG:  # 0: the archiver did not say (a file)
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            raise ArtifactError(f"the zip entry {info.filename!r} is {kind}; refused")
        if info.flag_bits & 0x1:
            raise ArtifactError(f"the zip entry {info.filename!r} is encrypted")
        if not name or name.casefold() in folded:
            # two names one case-insensitive file system would merge count as one clash
            raise ArtifactError(f"the zip entry {info.filename!r} is empty or repeated")
        folded.add(name.casefold())
        plan[name] = info
        declared += info.file_size
        if len(plan) > limits.entries:
            raise ArtifactError(f"the zip holds more than {limits.entries} files")
    if declared > limits.extracted_bytes:
        raise ArtifactError(
            f"the zip unpacks to {declared:,} bytes, over the {limits.extracted_bytes:,}-byte limit"
        )
    if not plan:
        raise ArtifactError("the artifact's zip holds no files")
    return sorted(plan.items())


def _safe_name(raw: str) -> str:
    """The entry's name as a relative POSIX path inside the folder, or ArtifactError."""
    name = raw.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts or "\0" in name:
        raise ArtifactError(f"the zip entry {raw!r} points outside its folder; refused")
    return "/".join(parts)


def _write(
    archive: zipfile.ZipFile,
    plan: list[tuple[str, zipfile.ZipInfo]],
    staging: Path,
) -> None:
    """Copy each planned entry in chunks.

    zipfile stops reading an entry at its declared size (and then fails its CRC check),
    so the declared sizes :func:`_plan` summed bound what is written here.
    """
    for name, info in plan:
        target = staging / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "xb") as sink:
                shutil.copyfileobj(source, sink, 1 << 16)
        except (zipfile.BadZipFile, EOFError, ValueError, RuntimeError, NotImplementedError) as e:
            raise ArtifactError(f"the zip entry {info.filename!r} is corrupt ({e})") from None
        except OSError as exc:
            raise ArtifactError(f"could not write {name}: {exc.strerror or exc}") from None
